import Crypto
import Foundation

/// Moving the AWS CLI's IAM Identity Center tokens (~/.aws/sso/cache/*.json, plaintext) into
/// the keyring.
///
/// The CLI names a token file after the SHA-1 of the sso-session's name (or, for the legacy
/// form, of the start URL), so each file is matched to a sign-in of the config by name; a file
/// no sign-in of the config names is left alone. A file is imported when its token is still
/// valid, or can be renewed (a refresh token with an unexpired client registration).
public struct SSOCacheImport {
  public var config: AWSConfig
  public var keyring: Keyring
  /// The cache directory: ~/.aws/sso/cache.
  public var directory: String
  public var now: Date

  public init(config: AWSConfig, keyring: Keyring, directory: String, now: Date = Date()) {
    self.config = config
    self.keyring = keyring
    self.directory = directory
    self.now = now
  }

  /// ~/.aws/sso/cache under the environment's HOME.
  public static func defaultDirectory(environment: [String: String]) -> String {
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    return home + "/.aws/sso/cache"
  }

  /// A token that went to the keyring, and the file it came from.
  public struct Imported: Sendable, Equatable {
    public var session: String
    public var file: String
  }

  public struct Outcome: Sendable, Equatable {
    public var imported: [Imported]
    /// Files of a known sign-in whose token has expired and cannot be renewed.
    public var expired: [String]
    /// Files that were removed (only with removePlaintext).
    public var removed: [String]
  }

  /// Every sign-in the config names: its `[sso-session]` sections and the legacy profiles.
  func sessions() -> [SSOSession] {
    var sessions = config.ssoSessions.keys.sorted().compactMap {
      try? config.ssoSession(named: $0)
    }
    var legacyURLs = Set<String>()
    for name in config.profileNames.sorted() {
      guard let section = config.profile(name), section["sso_session"] == nil,
        section["sso_start_url"] != nil, let session = try? config.ssoSession(profile: name),
        session.name == nil, legacyURLs.insert(session.startURL).inserted
      else { continue }
      sessions.append(session)
    }
    return sessions
  }

  /// The name of the AWS CLI's cache file for `session`.
  static func cacheFileName(_ session: SSOSession) -> String {
    SigV4.hex(Insecure.SHA1.hash(data: Data(session.key.utf8))) + ".json"
  }

  /// Imports every valid token file; with `removePlaintext`, deletes each imported file once
  /// its token reads back from the keyring exactly.
  public func run(removePlaintext: Bool) throws(AwsenvError) -> Outcome {
    var outcome = Outcome(imported: [], expired: [], removed: [])
    for session in sessions() {
      let path = directory + "/" + Self.cacheFileName(session)
      let bytes: [UInt8]
      do {
        guard let read = try AtomicFile.read(path, limit: 1 << 20) else { continue }
        bytes = read
      } catch {
        throw .file(error)
      }
      guard let file = JSONObject.parse(bytes), let accessToken = file.string("accessToken"),
        let expiresAt = file.string("expiresAt").flatMap(Self.parseCacheDate)
      else {
        throw .other(
          "\(path) is not an IAM Identity Center token file (no accessToken or expiresAt); "
            + "move it away, or sign in again with `\(session.loginCommand)`")
      }
      var registration: SSOClientRegistration?
      if let id = file.string("clientId"), let secret = file.string("clientSecret"),
        let expires = file.string("registrationExpiresAt").flatMap(Self.parseCacheDate)
      {
        registration = SSOClientRegistration(
          clientID: id, clientSecret: secret, expiresAt: expires, scopes: session.scopes)
      }
      let refreshToken = file.string("refreshToken")
      let renewable = refreshToken != nil && (registration.map { $0.expiresAt > now } ?? false)
      guard expiresAt > now || renewable else {
        outcome.expired.append(path)
        continue
      }
      let token = SSOToken(
        accessToken: accessToken, expiresAt: expiresAt, refreshToken: refreshToken,
        startURL: file.string("startUrl") ?? session.startURL,
        region: file.string("region") ?? session.region)
      do {
        if let registration { try keyring.saveSSOClient(registration, for: session) }
        try keyring.saveSSOToken(token, for: session)
      } catch {
        throw .keyring(error)
      }
      outcome.imported.append(Imported(session: session.displayName, file: path))
      if removePlaintext {
        guard unlink(path) == 0 else {
          throw .file(AtomicFile.Failure(path: path, reason: String(cString: strerror(errno))))
        }
        outcome.removed.append(path)
      }
    }
    return outcome
  }

  /// The cache's `expiresAt`: RFC 3339, or the older `2020-06-17T10:02:08UTC` form, to the
  /// second. The keyring item keeps whole seconds of years 0000-9999 (RFC 3339 as rfc3339()
  /// writes it) and is read back before the file may go: a fraction, or an offset that moves
  /// the date out of those years, would never read back as written.
  static func parseCacheDate(_ text: String) -> Date? {
    let date =
      text.hasSuffix("UTC") ? parseRFC3339(String(text.dropLast(3)) + "Z") : parseRFC3339(text)
    guard let seconds = date?.timeIntervalSince1970.rounded(.down),
      (-62_167_219_200...253_402_300_799).contains(seconds)
    else { return nil }
    return Date(timeIntervalSince1970: seconds)
  }
}
