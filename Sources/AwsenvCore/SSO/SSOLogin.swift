import Foundation

/// What `awsenv login` and `awsenv logout` do: which sign-in a command line names, the refresh
/// token before the browser, and signing out. The command line only parses and prints.
public enum SSOLogin {
  /// The sign-in named on the command line: `--sso-session NAME`, a profile, else AWS_PROFILE
  /// when it signs in through IAM Identity Center, else the config's only [sso-session].
  public static func session(
    profile: String?, sessionName: String?, config: AWSConfig, environment: [String: String]
  ) throws(AwsenvError) -> SSOSession {
    if let sessionName { return try config.ssoSession(named: sessionName) }
    if let profile { return try config.ssoSession(profile: profile) }
    if let current = environment["AWS_PROFILE"], !current.isEmpty,
      let session = try? config.ssoSession(profile: current)
    {
      return session
    }
    let names = config.ssoSessions.keys.sorted()
    if names.count == 1 { return try config.ssoSession(named: names[0]) }
    throw .whichSSOSession(known: names)
  }

  /// How a login went.
  public enum Outcome: Sendable, Equatable {
    /// The stored token was renewed with its refresh token; no browser was needed.
    case renewed(until: Date)
    /// A new sign-in, confirmed in the browser.
    case signedIn(until: Date)
  }

  /// Signs in to `session`: with the stored token's refresh token while it works (unless
  /// `force`), else with a device login shown through the resolver's ``SSOInteraction``.
  public static func login(_ session: SSOSession, force: Bool, resolver: ProfileResolver)
    throws(AwsenvError) -> Outcome
  {
    let signIn = try resolver.ssoSignIn(session)
    if !force,
      let stored = try keyringCall({ () throws(KeyringError) in
        try resolver.keyring.ssoToken(session)
      }), let renewed = try signIn.refreshed(stored)
    {
      return .renewed(until: renewed.expiresAt)
    }
    let token = try signIn.deviceLogin(progress: resolver.ssoInteraction.progress)
    return .signedIn(until: token.expiresAt)
  }

  /// The sign-ins `awsenv logout` ends: the one named (as for ``session(profile:sessionName:config:environment:)``),
  /// else every one the keyring holds a token for.
  public static func sessionsToSignOut(
    profile: String?, sessionName: String?, config: AWSConfig, environment: [String: String],
    keyring: Keyring
  ) throws(AwsenvError) -> [SSOSession] {
    if profile != nil || sessionName != nil {
      return [
        try session(
          profile: profile, sessionName: sessionName, config: config, environment: environment)
      ]
    }
    let keys = try keyringCall { () throws(KeyringError) in try keyring.ssoTokenKeys() }
    guard !keys.isEmpty else { throw .noSSOSignIns }
    return keys.map { session(forKey: $0, config: config) }
  }

  /// The sign-in a stored token belongs to: an [sso-session] of that name, else the legacy
  /// start URL (with a profile that uses it, for its endpoint settings).
  static func session(forKey key: String, config: AWSConfig) -> SSOSession {
    if let named = try? config.ssoSession(named: key) { return named }
    for name in config.profileNames {
      if let session = try? config.ssoSession(profile: name), session.key == key {
        return session
      }
    }
    return SSOSession(name: nil, startURL: key, region: "us-east-1")
  }

  /// What signing out of one sign-in did.
  public struct SignedOut: Sendable, Equatable {
    /// Why the portal could not be told that the sign-in ended; the token was deleted anyway.
    public var portalWarning: String?
    /// How many role sessions made with the token were deleted with it.
    public var roleSessions: Int
  }

  /// Tells the portal to end the sign-in (while its token is valid), then deletes the token
  /// and every role session made with it from the keyring.
  public static func logout(_ session: SSOSession, resolver: ProfileResolver) throws(AwsenvError)
    -> SignedOut
  {
    let keyring = resolver.keyring
    let token = try keyringCall { () throws(KeyringError) in try keyring.ssoToken(session) }
    var warning: String?
    if let token, token.expiresAt > resolver.clock() {
      var told = session
      told.region = token.region
      let client = try resolver.ssoClient(told)
      do {
        try client.logout(accessToken: token.accessToken)
      } catch  where error.code == "UnauthorizedException" {
        // The portal had already ended it.
      } catch {
        warning = error.message(SSOError.Context(login: session.loginCommand))
      }
    }
    let removed = try keyringCall { () throws(KeyringError) in
      try keyring.removeSSOToken(key: session.key)
    }
    guard removed > 0 else { throw .notSignedIn(session.displayName) }
    return SignedOut(portalWarning: warning, roleSessions: removed - (token == nil ? 0 : 1))
  }
}

/// A keyring call whose failure is an ``AwsenvError``.
func keyringCall<T>(_ body: () throws(KeyringError) -> T) throws(AwsenvError) -> T {
  do {
    return try body()
  } catch {
    throw .keyring(error)
  }
}
