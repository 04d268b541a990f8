import Foundation

/// One IAM Identity Center sign-in: a `[sso-session NAME]` section, or the legacy form with
/// sso_start_url and sso_region in a profile. Its token is one keyring item, found by ``key``.
public struct SSOSession: Sendable, Equatable {
  /// The `[sso-session]` name; nil for the legacy form.
  public var name: String?
  public var startURL: String
  public var region: String
  /// sso_registration_scopes; the legacy form registers without scopes (as the AWS CLI does),
  /// so its tokens cannot be refreshed.
  public var scopes: [String]
  /// The profile whose endpoint settings are used: the one the sign-in was named through, else
  /// the first profile that uses the `[sso-session]` (nil: only the environment's apply).
  public var profile: String?

  public init(
    name: String?, startURL: String, region: String, scopes: [String] = [],
    profile: String? = nil
  ) {
    self.name = name
    self.startURL = startURL
    self.region = region
    self.scopes = scopes
    self.profile = profile
  }

  /// The keyring's `sso-session` attribute: the session name, or the start URL of the legacy
  /// form (the AWS CLI names its cache files after the same value).
  public var key: String { name ?? startURL }

  /// How messages name it: "sso-session corp" or "https://…/start".
  public var displayName: String { name.map { "sso-session \($0)" } ?? startURL }

  /// The command that signs in to it again.
  public var loginCommand: String {
    if let name { return "awsenv login --sso-session \(name)" }
    return "awsenv login" + (profile.map { " \($0)" } ?? "")
  }

  /// The default scope of an `[sso-session]` without sso_registration_scopes.
  public static let defaultScopes = ["sso:account:access"]
}

extension AWSConfig {
  /// The sign-in of `[sso-session name]`.
  public func ssoSession(named name: String) throws(AwsenvError) -> SSOSession {
    guard let section = ssoSession(name) else {
      let known = ssoSessions.keys.sorted()
      throw .unknownSSOSession(name, configPath: configPath, known: known)
    }
    guard let startURL = section["sso_start_url"], !startURL.isEmpty else {
      throw .incompleteSSOSession(name, missing: "sso_start_url", configPath: configPath)
    }
    guard let region = section["sso_region"], !region.isEmpty else {
      throw .incompleteSSOSession(name, missing: "sso_region", configPath: configPath)
    }
    guard EndpointResolver.isValidRegion(region) else {
      throw .invalidSSORegion(region, place: "in [sso-session \(name)]")
    }
    // The endpoint settings ([services], endpoint_url) of the first profile that uses it.
    let user = profileNames.sorted().first { profile($0)?["sso_session"] == name }
    return SSOSession(
      name: name, startURL: startURL, region: region, scopes: scopes(section), profile: user)
  }

  /// The sign-in `profile` uses (its sso_session, or its own sso_start_url and sso_region).
  public func ssoSession(profile name: String) throws(AwsenvError) -> SSOSession {
    guard profile(name) != nil else {
      throw .unknownProfile(name, configPath: configPath)
    }
    let chain: ProfileChain
    do {
      chain = try resolveChain(profile: name, keyringFallback: true)
    } catch {
      throw .resolve(error)
    }
    guard let session = ssoSession(base: chain.base) else {
      throw .notSSOProfile(name)
    }
    guard EndpointResolver.isValidRegion(session.region) else {
      throw .invalidSSORegion(session.region, place: "of profile '\(session.profile ?? name)'")
    }
    return session
  }

  /// The sign-in of a chain that starts with IAM Identity Center; nil for any other base.
  func ssoSession(base: BaseCredentials) -> SSOSession? {
    guard case .sso(let owner, let sessionName, let startURL, let region, _, _) = base else {
      return nil
    }
    let section = sessionName.flatMap { ssoSession($0) }
    return SSOSession(
      name: sessionName, startURL: startURL, region: region,
      scopes: section.map(scopes) ?? [], profile: owner)
  }

  private func scopes(_ section: ProfileSection) -> [String] {
    guard let text = section["sso_registration_scopes"] else { return SSOSession.defaultScopes }
    let scopes = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
    return scopes.isEmpty ? SSOSession.defaultScopes : scopes
  }
}

/// An IAM Identity Center access token, as the keyring holds it.
public struct SSOToken: Sendable, Equatable {
  public var accessToken: String
  public var expiresAt: Date
  public var refreshToken: String?
  public var startURL: String
  public var region: String

  public init(
    accessToken: String, expiresAt: Date, refreshToken: String? = nil, startURL: String,
    region: String
  ) {
    self.accessToken = accessToken
    self.expiresAt = expiresAt
    self.refreshToken = refreshToken
    self.startURL = startURL
    self.region = region
  }

  /// The item's secret: the fields of the AWS CLI's cache file that matter.
  func encoded() -> String {
    var fields: [(String, JSONValue)] = [
      ("startUrl", .string(startURL)), ("region", .string(region)),
      ("accessToken", .string(accessToken)), ("expiresAt", .string(rfc3339(expiresAt))),
    ]
    if let refreshToken { fields.append(("refreshToken", .string(refreshToken))) }
    return JSONValue.object(fields).text
  }

  static func decode(_ text: String) -> SSOToken? {
    guard let object = JSONObject.parse(Array(text.utf8)),
      let token = object.string("accessToken"), let url = object.string("startUrl"),
      let region = object.string("region"),
      let expires = object.string("expiresAt").flatMap(parseRFC3339)
    else { return nil }
    return SSOToken(
      accessToken: token, expiresAt: expires, refreshToken: object.string("refreshToken"),
      startURL: url, region: region)
  }
}

extension SSOClientRegistration {
  func encoded() -> String {
    JSONValue.object([
      ("clientId", .string(clientID)), ("clientSecret", .string(clientSecret)),
      ("expiresAt", .string(rfc3339(expiresAt))),
      ("scopes", .array(scopes.map { .string($0) })),
    ]).text
  }

  static func decode(_ text: String) -> SSOClientRegistration? {
    guard let object = JSONObject.parse(Array(text.utf8)),
      let id = object.string("clientId"), let secret = object.string("clientSecret"),
      let expires = object.string("expiresAt").flatMap(parseRFC3339)
    else { return nil }
    let scopes = (object.values["scopes"] as? [Any])?.compactMap { $0 as? String } ?? []
    return SSOClientRegistration(
      clientID: id, clientSecret: secret, expiresAt: expires, scopes: scopes)
  }
}

extension Keyring {
  private static func ssoAttributes(_ kind: Kind, key: String) -> [String: String] {
    [
      "application": application, "kind": kind.rawValue, "sso-session": key,
      "version": formatVersion,
    ]
  }

  /// The access token of `session`, expired or not (nil when none is stored).
  public func ssoToken(_ session: SSOSession) throws(KeyringError) -> SSOToken? {
    guard let secret = try store.lookup(Self.ssoAttributes(.ssoToken, key: session.key)) else {
      return nil
    }
    return SSOToken.decode(secret)
  }

  /// Stores the token of `session`, replacing the previous one, and reads it back: the call
  /// succeeds only when the keyring returns exactly what was written.
  public func saveSSOToken(_ token: SSOToken, for session: SSOSession) throws(KeyringError) {
    var attributes = Self.ssoAttributes(.ssoToken, key: session.key)
    attributes["expires"] = String(Int(token.expiresAt.timeIntervalSince1970))
    // Whether it carries a refresh token: `awsenv status` tells without decrypting it.
    attributes["renewable"] = token.refreshToken == nil ? "no" : "yes"
    try store.store(
      label: "awsenv: IAM Identity Center token for \(session.displayName)",
      attributes: attributes, secret: token.encoded())
    // One token per session: an item written with other attributes (another expiry) goes.
    for other in try store.search(Self.ssoAttributes(.ssoToken, key: session.key))
    where other != attributes {
      try store.delete(other)
    }
    guard try ssoToken(session) == token else {
      throw .failed(
        "the IAM Identity Center token of \(session.displayName) did not read back as written")
    }
  }

  /// The OIDC client registration kept for `session`, expired or not.
  public func ssoClient(_ session: SSOSession) throws(KeyringError) -> SSOClientRegistration? {
    try store.lookup(Self.ssoAttributes(.ssoClient, key: session.key)).flatMap(
      SSOClientRegistration.decode)
  }

  public func saveSSOClient(_ client: SSOClientRegistration, for session: SSOSession)
    throws(KeyringError)
  {
    try store.delete(Self.ssoAttributes(.ssoClient, key: session.key))
    var attributes = Self.ssoAttributes(.ssoClient, key: session.key)
    attributes["expires"] = String(Int(client.expiresAt.timeIntervalSince1970))
    try store.store(
      label: "awsenv: IAM Identity Center client registration for \(session.displayName)",
      attributes: attributes, secret: client.encoded())
  }

  /// Deletes the token of the sign-in keyed `key` and every role session made with it;
  /// returns how many items went. The client registration stays (it holds no user's secret
  /// and saves a registration at the next login).
  @discardableResult
  public func removeSSOToken(key: String) throws(KeyringError) -> Int {
    let token = try store.delete(Self.ssoAttributes(.ssoToken, key: key))
    let sessions = try store.delete([
      "application": Self.application, "kind": Kind.session.rawValue, "sso-session": key,
    ])
    return token + sessions
  }

  /// The `sso-session` keys of every stored token.
  public func ssoTokenKeys() throws(KeyringError) -> [String] {
    let items = try store.search([
      "application": Self.application, "kind": Kind.ssoToken.rawValue,
    ])
    return Array(Set(items.compactMap { $0["sso-session"] })).sorted()
  }
}
