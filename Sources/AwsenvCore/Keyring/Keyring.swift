import Foundation

/// awsenv's items in a ``SecretStore``: what they are called, which attributes they carry and
/// how their secrets are encoded.
///
/// Every item carries `application=awsenv`, `profile`, `kind` and `version`; temporary ones also
/// `expires` (Unix seconds). The secret is the credential_process JSON document, so an item read
/// back is exactly what `awsenv credential-process` prints.
public struct Keyring: Sendable {
  /// The `application` attribute on every awsenv item.
  public static let application = "awsenv"
  static let formatVersion = "1"

  /// What an item holds.
  public enum Kind: String, Sendable, CaseIterable {
    /// Long-lived access keys of a profile.
    case accessKey = "access-key"
    /// Temporary credentials (STS sessions and roles).
    case session
    /// An IAM Identity Center access token.
    case ssoToken = "sso-token"
    /// An IAM Identity Center OIDC client registration.
    case ssoClient = "sso-client"
    /// A throwaway item `awsenv doctor` writes, reads and deletes.
    case doctorProbe = "doctor-probe"
    /// The content of a user file before awsenv removed secrets from it (`path`, `created`).
    case fileBackup = "file-backup"
  }

  /// What listing learns of an item without reading its secret.
  public struct Item: Sendable, Equatable {
    public var profile: String
    public var kind: String
    public var expires: Date?
  }

  public let store: any SecretStore
  /// Where ``items()`` keeps what it learnt of items between runs; nil reads every item.
  public var index: KeyringIndex?

  public init(store: any SecretStore, index: KeyringIndex? = nil) {
    self.store = store
    self.index = index
  }

  /// Stores the long-lived keys of `profile`, replacing any, and reads them back: the call
  /// succeeds only when the keyring returns exactly what was written.
  public func saveAccessKey(_ credentials: Credentials, profile: String) throws(KeyringError) {
    let attributes = Self.attributes(profile: profile, kind: .accessKey)
    let label = "awsenv: access key for profile \(profile)"
    try store.store(label: label, attributes: attributes, secret: credentials.processJSON())
    guard try accessKey(profile: profile) == credentials else {
      throw .failed("the keys for '\(profile)' did not read back as written; nothing was changed")
    }
  }

  /// The long-lived keys of `profile`, or nil when the keyring has none.
  /// The long-lived keys of `owner`: the keyring's, else the ones in the files. Without any
  /// keyring on this machine (no session bus, no provider: a server, an SSH session) the file's
  /// keys are the only ones there can be; a locked or hung keyring is still an error, since a
  /// newer key may sit in it.
  public func longLivedKeys(owner: String, fileKeys: FileKeys?) throws(AwsenvError)
    -> Credentials
  {
    let plaintext = fileKeys.map {
      Credentials(
        accessKeyID: $0.accessKeyID, secretAccessKey: $0.secretAccessKey,
        sessionToken: $0.sessionToken)
    }
    do {
      if let keys = try accessKey(profile: owner) { return keys }
    } catch {
      switch (error, plaintext) {
      case (.noSessionBus, let plaintext?), (.noProvider, let plaintext?): return plaintext
      default: throw .keyring(error)
      }
    }
    if let plaintext { return plaintext }
    throw .noKeys(owner)
  }

  public func accessKey(profile: String) throws(KeyringError) -> Credentials? {
    guard let secret = try store.lookup(Self.attributes(profile: profile, kind: .accessKey)) else {
      return nil
    }
    guard let credentials = Credentials.fromProcessJSON(secret) else {
      throw .failed(
        "the keyring item for '\(profile)' is not in awsenv's format; "
          + "replace it with `awsenv add \(profile)`")
    }
    return credentials
  }

  /// Every awsenv item, attributes only.
  ///
  /// With an ``index``, and a store that names its items by path: one search for the live
  /// paths, the attributes of known paths from the index, one read per new path only; the index
  /// is rewritten when a path came or went (see ``KeyringIndex`` for why that is sound).
  public func items() throws(KeyringError) -> [Item] {
    let query = ["application": Self.application]
    let keeping = ["profile", "kind", "expires"]
    guard let index, let live = try store.itemPaths(query) else {
      return try store.search(query, keeping: keeping).compactMap(Self.item)
    }
    let loaded = index.load(generation: live.generation)
    let known = loaded ?? [:]
    let new = live.paths.filter { known[$0] == nil }
    let fetched = new.isEmpty ? [:] : try store.attributes(ofItems: new, keeping: keeping)
    var entries: [(path: String, item: Item)] = []
    entries.reserveCapacity(live.paths.count)
    var reused = 0
    var added = 0
    for path in live.paths {
      if let item = known[path] {
        reused += 1
        entries.append((path, item))
      } else if let item = fetched[path].flatMap(Self.item) {
        if KeyringIndex.isEntry(path, item) { added += 1 }
        entries.append((path, item))
      }
    }
    // Rewritten when there was no usable file, a path is new, or a known one is gone.
    if loaded == nil || added > 0 || reused != known.count {
      index.save(generation: live.generation, entries: entries)
    }
    return entries.map(\.item)
  }

  private static func item(_ attributes: [String: String]) -> Item? {
    guard let profile = attributes["profile"], let kind = attributes["kind"] else { return nil }
    let expires = attributes["expires"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
    return Item(profile: profile, kind: kind, expires: expires)
  }

  /// Deletes the items of `profile` (only its temporary sessions when `sessionsOnly`), and the
  /// sessions other profiles made from its long-lived keys; returns how many went.
  public func remove(profile: String, sessionsOnly: Bool) throws(KeyringError) -> Int {
    let own =
      sessionsOnly
      ? try store.delete(Self.attributes(profile: profile, kind: .session))
      : try store.delete(["application": Self.application, "profile": profile])
    return own + (try removeSessions(derivedFrom: profile))
  }

  /// Writes, reads back and deletes a throwaway item: the keyring works end to end.
  public func selfTest() throws(KeyringError) {
    let attributes = Self.attributes(profile: "awsenv-doctor", kind: .doctorProbe)
    let probe = "probe-\(getpid())-\(Int(Date().timeIntervalSince1970))"
    try store.store(
      label: "awsenv: doctor probe (safe to delete)", attributes: attributes, secret: probe)
    let read = try store.lookup(attributes)
    let deleted = try store.delete(attributes)
    guard read == probe else {
      throw .failed("an item written to the keyring read back differently")
    }
    guard deleted >= 1 else { throw .failed("an item written to the keyring could not be deleted") }
  }

  /// Keeps `text`, the content of the user file `path` before awsenv removed secrets from it,
  /// as a keyring item (no `profile`; `path` and `created` instead), and reads it back: a copy
  /// that holds keys belongs where keys belong, not in a file beside the one they were removed
  /// from. Returns the attributes that find it again.
  public func saveFileBackup(_ text: String, of path: String, now: Date = Date())
    throws(KeyringError) -> [String: String]
  {
    let created = rfc3339(now)
    let attributes = [
      "application": Self.application, "kind": Kind.fileBackup.rawValue, "path": path,
      "created": created, "version": Self.formatVersion,
    ]
    try store.store(
      label: "awsenv: \(path) as it was at \(created)", attributes: attributes, secret: text)
    guard try store.lookup(attributes) == text else {
      throw .failed("the backup of \(path) did not read back as written; nothing was changed")
    }
    return attributes
  }

  static func attributes(profile: String, kind: Kind) -> [String: String] {
    [
      "application": application, "profile": profile, "kind": kind.rawValue,
      "version": formatVersion,
    ]
  }
}
