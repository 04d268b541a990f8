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
