import Synchronization

/// A place that keeps secrets under searchable attributes: the desktop keyring in the binary,
/// a dictionary in unit tests.
///
/// Attributes are plain strings and are never secret: they are what listing and finding read,
/// so that neither has to unlock or decrypt an item. Every method answers within the store's
/// deadline or throws ``KeyringError/timedOut(seconds:)``.
public protocol SecretStore: Sendable {
  /// Stores `secret` under `attributes`, replacing the item whose attributes are exactly these.
  func store(label: String, attributes: [String: String], secret: String) throws(KeyringError)

  /// The secret of the one item whose attributes include all of `attributes`, or nil when no
  /// item matches.
  func lookup(_ attributes: [String: String]) throws(KeyringError) -> String?

  /// The attributes of every item whose attributes include all of `attributes`; no secret is
  /// read, so nothing is unlocked.
  func search(_ attributes: [String: String]) throws(KeyringError) -> [[String: String]]

  /// Deletes every item whose attributes include all of `attributes`; returns how many.
  @discardableResult
  func delete(_ attributes: [String: String]) throws(KeyringError) -> Int

  /// ``search(_:)`` with only the attributes named in `keeping`: what a listing of thousands
  /// of items needs, in a fraction of the memory.
  func search(_ attributes: [String: String], keeping: [String]) throws(KeyringError)
    -> [[String: String]]

  /// The object paths of the items whose attributes include all of `attributes` (one call, no
  /// attribute read), with what tells whether a path still names the item it named before; nil
  /// when the store cannot tell (then a caller reads the items with ``search(_:keeping:)``).
  func itemPaths(_ attributes: [String: String]) throws(KeyringError) -> ItemPaths?

  /// The attributes named in `keeping` of the items at `paths` (from ``itemPaths(_:)``), by
  /// path; an item deleted since is left out.
  func attributes(ofItems paths: [String], keeping: [String]) throws(KeyringError)
    -> [String: [String: String]]
}

/// Items named by object path, as ``SecretStore/itemPaths(_:)`` found them.
public struct ItemPaths: Sendable, Equatable {
  /// Within one generation a path always names the same item (until it is deleted), and an
  /// item's attributes never change: what a cache of attributes by path may rely on. It names
  /// the collection and the run of the provider that serves it (a provider may give a new item
  /// the path of one deleted before it restarted).
  public var generation: String
  public var paths: [String]

  public init(generation: String, paths: [String]) {
    self.generation = generation
    self.paths = paths
  }
}

extension SecretStore {
  public func search(_ attributes: [String: String], keeping: [String]) throws(KeyringError)
    -> [[String: String]]
  {
    try search(attributes).map { $0.filter { keeping.contains($0.key) } }
  }

  public func itemPaths(_ attributes: [String: String]) throws(KeyringError) -> ItemPaths? { nil }

  public func attributes(ofItems paths: [String], keeping: [String]) throws(KeyringError)
    -> [String: [String: String]]
  { [:] }
}

/// Why the keyring could not answer. Each message says what to do next; none holds a secret.
public enum KeyringError: Error, Equatable, Sendable {
  /// No D-Bus session bus could be reached (no DBUS_SESSION_BUS_ADDRESS, or it is stale).
  case noSessionBus(String)
  /// The bus answered, but no program serves the Secret Service on it.
  case noProvider(String)
  /// The collection does not exist (a fresh account has no "login" keyring yet).
  case noCollection(String)
  /// The collection is locked and unlocking it failed or was dismissed.
  case locked(String)
  /// The provider did not answer before the deadline (it may be hung or waiting on a prompt).
  case timedOut(seconds: Double)
  /// The provider reported an error awsenv does not know more about.
  case failed(String)

  /// One line for the user, without the `awsenv:` prefix.
  public var message: String {
    switch self {
    case .noSessionBus(let detail):
      return "cannot reach the D-Bus session bus (\(detail)); "
        + "run awsenv inside a desktop session, or start one with `dbus-run-session -- $SHELL`"
    case .noProvider(let detail):
      return "no Secret Service provider is running on the session bus (\(detail)); "
        + "install and start gnome-keyring, KeePassXC (with Secret Service integration) or KWallet"
    case .noCollection(let name):
      return "the keyring collection '\(name)' does not exist; create it in your keyring app "
        + "(Seahorse: File > New > Password Keyring) or set AWSENV_KEYRING_COLLECTION"
    case .locked(let name):
      return "the keyring collection '\(name)' is locked and was not unlocked; "
        + "unlock it in your keyring app (or log in again) and retry"
    case .timedOut(let seconds):
      return "the keyring did not answer within \(formatSeconds(seconds)) s; its provider (or the "
        + "session bus) may be hung: restart the provider (e.g. `pkill gnome-keyring-d`) and "
        + "retry, or log in again if that does not help"
    case .failed(let detail):
      return "the keyring failed: \(detail)"
    }
  }
}

private func formatSeconds(_ seconds: Double) -> String {
  seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}

/// A ``SecretStore`` in memory, for unit tests.
public final class InMemorySecretStore: SecretStore {
  private struct Item {
    var path: String
    var label: String
    var attributes: [String: String]
    var secret: String
  }

  private let items = Mutex<[Item]>([])
  /// The last item number given: paths are never reused, as in one run of gnome-keyring.
  private let watermark = Atomic<Int>(0)
  private static let instances = Atomic<Int>(0)
  /// Each store is a generation of its own.
  private let generation =
    "memory-\(InMemorySecretStore.instances.add(1, ordering: .relaxed).newValue)"

  public init() {}

  public func store(label: String, attributes: [String: String], secret: String)
    throws(KeyringError)
  {
    // The same schema as the real keyring's, so unit tests catch an undeclared attribute.
    for key in attributes.keys where !LibSecretStore.attributeNames.contains(key) {
      throw .failed("'\(key)' is not an attribute of awsenv's keyring items")
    }
    items.withLock { items in
      // As the Secret Service's replace: an item with exactly these attributes keeps its path.
      let path =
        items.first { $0.attributes == attributes }?.path
        ?? "/memory/\(watermark.add(1, ordering: .relaxed).newValue)"
      items.removeAll { $0.attributes == attributes }
      items.append(Item(path: path, label: label, attributes: attributes, secret: secret))
    }
  }

  public func lookup(_ attributes: [String: String]) throws(KeyringError) -> String? {
    items.withLock { $0.first { Self.matches($0.attributes, attributes) }?.secret }
  }

  public func search(_ attributes: [String: String]) throws(KeyringError) -> [[String: String]] {
    items.withLock { $0.filter { Self.matches($0.attributes, attributes) }.map(\.attributes) }
  }

  public func delete(_ attributes: [String: String]) throws(KeyringError) -> Int {
    items.withLock { items in
      let before = items.count
      items.removeAll { Self.matches($0.attributes, attributes) }
      return before - items.count
    }
  }

  public func itemPaths(_ attributes: [String: String]) throws(KeyringError) -> ItemPaths? {
    let paths = items.withLock { $0.filter { Self.matches($0.attributes, attributes) }.map(\.path) }
    return ItemPaths(generation: generation, paths: paths)
  }

  public func attributes(ofItems paths: [String], keeping: [String]) throws(KeyringError)
    -> [String: [String: String]]
  {
    items.withLock { items in
      var found: [String: [String: String]] = [:]
      for item in items where paths.contains(item.path) {
        found[item.path] = item.attributes.filter { keeping.contains($0.key) }
      }
      return found
    }
  }

  private static func matches(_ have: [String: String], _ want: [String: String]) -> Bool {
    want.allSatisfy { have[$0.key] == $0.value }
  }
}
