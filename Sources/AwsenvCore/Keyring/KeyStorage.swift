import Foundation

/// `awsenv add`, `awsenv import` and `awsenv list`: moving long-lived keys into the keyring and
/// reporting what is where.
public struct KeyStorage: Sendable {
  public var config: AWSConfig
  public var keyring: Keyring
  /// Where the locks of edited files live (``FileLock/directory(environment:)``); nil: none.
  public var lockDirectory: String?

  public init(config: AWSConfig, keyring: Keyring, lockDirectory: String? = nil) {
    self.config = config
    self.keyring = keyring
    self.lockDirectory = lockDirectory
  }

  /// What `add` did.
  public struct Added: Sendable {
    /// The keyring already held keys for the profile.
    public var replaced: Bool
    /// Set when a `[profile NAME]` section was appended to the config file.
    public var configEdit: FileEdit?
  }

  /// A user file awsenv rewrote, and the copy it kept first.
  public struct FileEdit: Sendable {
    public var path: String
    /// The backup file beside it.
    public var backup: String?
    /// Or, for a file whose old content holds secrets, the attributes of its copy in the
    /// keyring.
    public var keyringBackup: [String: String]?
  }

  /// Where the previous content of an edited file is kept.
  private enum Backup {
    /// `NAME.awsenv-backup`, replaced by each edit.
    case rolling
    /// A keyring item: the old content holds secrets.
    case keyring
  }

  /// Stores `credentials` as the keys of `profile` (read back to verify), drops the profile's
  /// cached sessions (their source keys changed) and adds a config section when the profile has
  /// none, so that the AWS CLI and SDKs know the name.
  public func add(profile: String, credentials: Credentials) throws(AwsenvError) -> Added {
    guard AWSConfig.isValidProfileName(profile) else { throw .invalidProfileName(profile) }
    do {
      try credentials.validate()
    } catch {
      throw .invalidKeys(error)
    }
    let replaced: Bool
    do {
      replaced = try keyring.accessKey(profile: profile) != nil
      try keyring.saveAccessKey(credentials, profile: profile)
      _ = try keyring.remove(profile: profile, sessionsOnly: true)
    } catch {
      throw .keyring(error)
    }
    var edit: FileEdit?
    if config.profile(profile) == nil {
      edit = try editFile(config.configPath, backup: .rolling) {
        ConfigFileEditor.appendingProfile(profile, to: $0)
      }
    }
    return Added(replaced: replaced, configEdit: edit)
  }

  /// What `import` did.
  public struct Imported: Sendable {
    public var profiles: [String]
    /// Set when --remove-plaintext rewrote the credentials file.
    public var credentialsEdit: FileEdit?
    /// Set when --remove-plaintext rewrote the config file (keys written in a `[profile]`
    /// section there, which the AWS CLI reads too).
    public var configEdit: FileEdit?
  }

  /// Copies the long-lived keys of `profiles` (all that have keys when empty) from the
  /// credentials file, or from the config file's `[profile]` sections where the AWS CLI reads
  /// them too, into the keyring, verifying each by reading it back. Where both files hold keys
  /// for a profile, the credentials file's are the ones the SDKs use, and imported. With
  /// `removePlaintext`, and only after every write was verified, rewrites each file without the
  /// key lines of those profiles (both files, so no copy is left), keeping its old content in
  /// the keyring.
  public func importKeys(profiles requested: [String], removePlaintext: Bool) throws(AwsenvError)
    -> Imported
  {
    let path = config.credentialsPath
    let configPath = config.configPath
    func text(_ path: String) throws(AwsenvError) -> String {
      do {
        return try AtomicFile.read(path, limit: maxConfigFileBytes).map {
          String(decoding: $0, as: UTF8.self)
        } ?? ""
      } catch {
        throw .file(error)
      }
    }
    let (credentialsText, configText) = (try text(path), try text(configPath))
    let credentialsFile: AWSConfig
    let configFile: AWSConfig
    do {
      credentialsFile = try AWSConfig.parse(
        config: "", configPath: configPath, credentials: credentialsText, credentialsPath: path)
      configFile = try AWSConfig.parse(
        config: configText, configPath: configPath, credentials: "", credentialsPath: path)
    } catch {
      throw .config(error)
    }
    func hasKeys(_ file: AWSConfig, _ name: String) -> Bool {
      file.profile(name)?["aws_access_key_id"] != nil
    }
    var withKeys = credentialsFile.profileNames.filter { hasKeys(credentialsFile, $0) }
    for name in configFile.profileNames where hasKeys(configFile, name) && !withKeys.contains(name)
    {
      withKeys.append(name)
    }
    let names = requested.isEmpty ? withKeys : requested
    if names.isEmpty {
      throw .other("\(path) holds no access keys to import (nor does \(configPath))")
    }
    for name in names where !withKeys.contains(name) {
      throw .other("profile '\(name)' has no aws_access_key_id in \(path); nothing was imported")
    }
    var pairs: [(String, Credentials)] = []
    for name in names {
      let inCredentials = hasKeys(credentialsFile, name)
      let section = (inCredentials ? credentialsFile : configFile).profile(name)!
      let source = inCredentials ? path : configPath
      guard let secret = section["aws_secret_access_key"] else {
        throw .other(
          "profile '\(name)' in \(source) has aws_access_key_id but no aws_secret_access_key; "
            + "fix the file, nothing was imported")
      }
      let credentials = Credentials(
        accessKeyID: section["aws_access_key_id"]!, secretAccessKey: secret,
        sessionToken: section["aws_session_token"])
      do {
        try credentials.validate()
      } catch {
        throw .other("profile '\(name)' in \(source): \(error.message); nothing was imported")
      }
      pairs.append((name, credentials))
    }
    for (name, credentials) in pairs {
      do {
        // saveAccessKey reads the item back and fails unless it matches.
        try keyring.saveAccessKey(credentials, profile: name)
        _ = try keyring.remove(profile: name, sessionsOnly: true)
      } catch {
        throw .keyring(error)
      }
    }
    var imported = Imported(profiles: names)
    if removePlaintext {
      let chosen = Set(names)
      func holdsSecrets(_ file: AWSConfig) -> Bool {
        chosen.contains { name in
          ConfigFileEditor.secretKeys.contains { file.profile(name)?[$0] != nil }
        }
      }
      if holdsSecrets(credentialsFile) {
        imported.credentialsEdit = try editFile(path, backup: .keyring) {
          ConfigFileEditor.removingSecrets(from: $0, profiles: chosen, isConfigFile: false)
        }
      }
      if holdsSecrets(configFile) {
        imported.configEdit = try editFile(configPath, backup: .keyring) {
          ConfigFileEditor.removingSecrets(from: $0, profiles: chosen, isConfigFile: true)
        }
      }
    }
    return imported
  }

  /// One row of `awsenv list`.
  public struct Summary: Sendable {
    public var profile: String
    public var kind: ProfileKind
    public var region: String?
    public var keysInKeyring: Bool
    public var keysInFile: Bool
    /// The latest expiry of the profile's cached sessions, when it has any.
    public var sessionExpires: Date?

    public func json(now: Date) -> JSONValue {
      .object([
        ("profile", .string(profile)),
        ("kind", .string(kind.rawValue)),
        ("region", region.map(JSONValue.string) ?? .null),
        ("keysInKeyring", .bool(keysInKeyring)),
        ("keysInFile", .bool(keysInFile)),
        ("sessionExpires", sessionExpires.map { .string(rfc3339($0)) } ?? .null),
        ("sessionValid", .bool(sessionExpires.map { $0 > now } ?? false)),
      ])
    }
  }

  /// Every profile of the config files, then any that only the keyring knows.
  ///
  /// On a machine with no Secret Service at all, the rows come from the config files alone and
  /// `keyringMissing` says why; any other keyring failure is an error.
  public func summaries() throws(AwsenvError) -> (rows: [Summary], keyringMissing: KeyringError?) {
    let items: [Keyring.Item]
    var missing: KeyringError?
    do {
      items = try keyring.items()
    } catch .noSessionBus(let detail) {
      items = []
      missing = .noSessionBus(detail)
    } catch .noProvider(let detail) {
      items = []
      missing = .noProvider(detail)
    } catch {
      throw .keyring(error)
    }
    var keyed = Set<String>()
    var sessions: [String: Date] = [:]
    for item in items {
      if item.kind == Keyring.Kind.accessKey.rawValue { keyed.insert(item.profile) }
      if item.kind == Keyring.Kind.session.rawValue, let expires = item.expires {
        sessions[item.profile] = max(sessions[item.profile] ?? expires, expires)
      }
    }
    var rows: [Summary] = []
    var seen = Set<String>()
    for name in config.profileNames {
      seen.insert(name)
      let section = config.profile(name)
      var kind = config.kind(ofProfile: name)
      if kind == .none, keyed.contains(name) { kind = .keys }
      rows.append(
        Summary(
          profile: name, kind: kind, region: section?["region"],
          keysInKeyring: keyed.contains(name),
          keysInFile: section?["aws_access_key_id"] != nil, sessionExpires: sessions[name]))
    }
    for name in keyed.union(sessions.keys).sorted() where !seen.contains(name) {
      rows.append(
        Summary(
          profile: name, kind: keyed.contains(name) ? .keys : .none, region: nil,
          keysInKeyring: keyed.contains(name), keysInFile: false, sessionExpires: sessions[name]))
    }
    return (rows, missing)
  }

  /// Rewrites `path` through `change` atomically, after a backup; none for a new file.
  private func editFile(_ path: String, backup: Backup, _ change: (String) -> String)
    throws(AwsenvError) -> FileEdit
  {
    try FileLock.editing(path, lockDirectory: lockDirectory) { () throws(AwsenvError) in
      let old = try AtomicFile.readForEditing(path)
      let new = change(old ?? "")
      var edit = FileEdit(path: path)
      if let old {
        switch backup {
        case .rolling:
          do throws(AtomicFile.Failure) {
            edit.backup = try AtomicFile.rollingBackup(path)
          } catch {
            throw .file(error)
          }
        case .keyring:
          do throws(KeyringError) {
            edit.keyringBackup = try keyring.saveFileBackup(
              old, of: AtomicFile.resolveLinks(path))
          } catch {
            throw .keyring(error)
          }
        }
      }
      do throws(AtomicFile.Failure) {
        try AtomicFile.write(Array(new.utf8), to: path)
      } catch {
        throw .file(error)
      }
      return edit
    }
  }
}
