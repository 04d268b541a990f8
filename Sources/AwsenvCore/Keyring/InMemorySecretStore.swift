import Synchronization

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
