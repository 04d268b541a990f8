import Foundation
import Synchronization

/// A ``SecretStore`` that logs each call (attributes, outcome, time; never a secret) when
/// debugging, and passes it on.
public struct LoggingSecretStore: SecretStore {
  public let base: any SecretStore

  public init(_ base: any SecretStore) {
    self.base = base
  }

  private func timed<T>(
    _ what: String, _ body: () throws(KeyringError) -> T, outcome: (T) -> String
  ) throws(KeyringError) -> T {
    let start = Date()
    do {
      let value = try body()
      DebugLog.log("keyring: \(what) → \(outcome(value)) (\(milliseconds(since: start)))")
      return value
    } catch {
      DebugLog.log("keyring: \(what) failed: \(error.message) (\(milliseconds(since: start)))")
      throw error
    }
  }

  public func store(label: String, attributes: [String: String], secret: String)
    throws(KeyringError)
  {
    DebugLog.remember(secret)
    try timed(
      "store \(describe(attributes)) (\(secret.utf8.count) bytes)",
      { () throws(KeyringError) in
        try base.store(label: label, attributes: attributes, secret: secret)
      },
      outcome: { "stored" })
  }

  public func lookup(_ attributes: [String: String]) throws(KeyringError) -> String? {
    try timed(
      "lookup \(describe(attributes))",
      { () throws(KeyringError) in
        let secret = try base.lookup(attributes)
        DebugLog.remember(secret)
        rememberParts(of: secret)
        return secret
      },
      outcome: { $0.map { "found (\($0.utf8.count) bytes)" } ?? "not found" })
  }

  public func search(_ attributes: [String: String]) throws(KeyringError) -> [[String: String]] {
    try timed(
      "search \(describe(attributes))", { () throws(KeyringError) in try base.search(attributes) },
      outcome: { "\($0.count) items" })
  }

  public func delete(_ attributes: [String: String]) throws(KeyringError) -> Int {
    try timed(
      "delete \(describe(attributes))", { () throws(KeyringError) in try base.delete(attributes) },
      outcome: { "\($0) deleted" })
  }

  public func search(_ attributes: [String: String], keeping: [String]) throws(KeyringError)
    -> [[String: String]]
  {
    try timed(
      "search \(describe(attributes))",
      { () throws(KeyringError) in try base.search(attributes, keeping: keeping) },
      outcome: { "\($0.count) items" })
  }

  public func itemPaths(_ attributes: [String: String]) throws(KeyringError) -> ItemPaths? {
    try timed(
      "item paths \(describe(attributes))",
      { () throws(KeyringError) in try base.itemPaths(attributes) },
      outcome: { $0.map { "\($0.paths.count) paths" } ?? "not supported" })
  }

  public func attributes(ofItems paths: [String], keeping: [String]) throws(KeyringError)
    -> [String: [String: String]]
  {
    try timed(
      "attributes of \(paths.count) items",
      { () throws(KeyringError) in try base.attributes(ofItems: paths, keeping: keeping) },
      outcome: { "\($0.count) read" })
  }

  /// The secrets inside a stored JSON document (a session, a token), so that a line that
  /// somehow carried one would still be masked.
  private func rememberParts(of secret: String?) {
    guard DebugLog.enabled, let secret, secret.hasPrefix("{"),
      let object = try? JSONSerialization.jsonObject(with: Data(secret.utf8)) as? [String: Any]
    else { return }
    for (key, value) in object where !["Expiration", "Version", "Identity"].contains(key) {
      if let text = value as? String { DebugLog.remember(text) }
    }
  }

  private func describe(_ attributes: [String: String]) -> String {
    "{"
      + attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
        separator: ", ") + "}"
  }
}
