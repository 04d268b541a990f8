import Crypto
import Foundation

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
