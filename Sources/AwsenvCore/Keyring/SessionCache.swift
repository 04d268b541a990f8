import Crypto
import Foundation

/// Temporary credentials (from STS, a credential_process, or the keyring's session cache) and,
/// for a role, whose they are.
public struct SessionCredentials: Sendable, Equatable {
  public var credentials: Credentials
  /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` for a role.
  public var assumedRoleArn: String?
  /// `ROLE@ACCOUNT` when the credentials came with no ARN to read it from (IAM Identity Center).
  public var givenIdentity: String?

  public init(credentials: Credentials, assumedRoleArn: String? = nil, identity: String? = nil) {
    self.credentials = credentials
    self.assumedRoleArn = assumedRoleArn
    self.givenIdentity = identity
  }

  /// `ROLE@ACCOUNT`, for the prompt: the given one, else from the assumed-role ARN.
  public var identity: String? {
    if let givenIdentity { return givenIdentity }
    guard let arn = assumedRoleArn else { return nil }
    let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
    guard parts.count == 6, parts[2] == "sts" else { return nil }
    let resource = parts[5].split(separator: "/")
    guard resource.count >= 2, resource[0] == "assumed-role" else { return nil }
    return "\(resource[1])@\(parts[4])"
  }

  /// The secret of the keyring item: the credential_process document, plus the role ARN.
  func encoded() -> String {
    let credentials = self.credentials
    var fields: [(String, JSONValue)] = [
      ("Version", .number(1)),
      ("AccessKeyId", .string(credentials.accessKeyID)),
      ("SecretAccessKey", .string(credentials.secretAccessKey)),
    ]
    if let token = credentials.sessionToken { fields.append(("SessionToken", .string(token))) }
    if let expiration = credentials.expiration {
      fields.append(("Expiration", .string(rfc3339(expiration))))
    }
    if let assumedRoleArn { fields.append(("AssumedRoleArn", .string(assumedRoleArn))) }
    if let givenIdentity { fields.append(("Identity", .string(givenIdentity))) }
    return JSONValue.object(fields).text
  }

  static func decode(_ text: String) -> SessionCredentials? {
    guard let credentials = Credentials.fromProcessJSON(text), credentials.expiration != nil
    else { return nil }
    let object =
      (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    return SessionCredentials(
      credentials: credentials, assumedRoleArn: object?["AssumedRoleArn"] as? String,
      identity: object?["Identity"] as? String)
  }
}

extension Keyring {
  /// The cached session of `profile` made the way `fingerprint` describes, if the keyring has
  /// one (expired or not: the caller decides).
  public func session(profile: String, fingerprint: String) throws(KeyringError)
    -> SessionCredentials?
  {
    var attributes = Self.attributes(profile: profile, kind: .session)
    attributes["cache-key"] = fingerprint
    guard let secret = try store.lookup(attributes) else { return nil }
    return SessionCredentials.decode(secret)
  }

  /// Stores a session of `profile`, then deletes the profile's other sessions (older ones, or
  /// ones made from settings that have since changed). A failure to store leaves the old ones.
  /// `source` is the profile whose long-lived keys the session derives from, so that new keys
  /// for it drop the session; `ssoSession` the IAM Identity Center sign-in it derives from, so
  /// that `awsenv logout` drops it.
  public func saveSession(
    _ session: SessionCredentials, profile: String, fingerprint: String, source: String?,
    ssoSession: String? = nil, description: String
  ) throws(KeyringError) {
    var attributes = Self.attributes(profile: profile, kind: .session)
    attributes["cache-key"] = fingerprint
    if let ssoSession { attributes["sso-session"] = ssoSession }
    if let expiration = session.credentials.expiration {
      attributes["expires"] = String(Int(expiration.timeIntervalSince1970))
    }
    if let source { attributes["source"] = source }
    if let identity = session.identity { attributes["identity"] = identity }
    try store.store(
      label: "awsenv: \(description) for profile \(profile)", attributes: attributes,
      secret: session.encoded())
    // Older sessions go, and those made another way; a newer one of the same kind (stored
    // meanwhile by a concurrent `use`) stays, so two runs never delete each other's.
    let expires = Double(attributes["expires"] ?? "") ?? 0
    for other in try store.search(Self.attributes(profile: profile, kind: .session))
    where other != attributes {
      let newer = (Double(other["expires"] ?? "") ?? 0) > expires
      if other["cache-key"] != fingerprint || !newer { try store.delete(other) }
    }
  }

  /// Deletes every session made from the long-lived keys of `profile`.
  @discardableResult
  public func removeSessions(derivedFrom profile: String) throws(KeyringError) -> Int {
    try store.delete([
      "application": Self.application, "kind": Kind.session.rawValue, "source": profile,
    ])
  }

  /// A short, stable digest of what made a session (endpoint, role, keys' identity, MFA
  /// device, external id, duration…): part of its keyring attributes, so a change of any of
  /// them never finds a stale session.
  public static func fingerprint(_ parts: [String]) -> String {
    let digest = SHA256.hash(data: Data(parts.joined(separator: "\u{1F}").utf8))
    return SigV4.hex(digest.prefix(16))
  }
}
