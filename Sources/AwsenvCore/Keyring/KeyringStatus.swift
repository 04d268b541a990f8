/// What `awsenv doctor` learns of the keyring without unlocking anything.
public struct KeyringStatus: Sendable, Equatable {
  /// The collection's label ("Login"), or its object path when it has none.
  public var collection: String
  /// Whether the collection is locked: reading a secret would ask for its password.
  public var locked: Bool
  /// The program that serves the Secret Service ("gnome-keyring-daemon"), when it can be told.
  public var provider: String?

  public init(collection: String, locked: Bool, provider: String?) {
    self.collection = collection
    self.locked = locked
    self.provider = provider
  }
}
