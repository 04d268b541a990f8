import Foundation

/// What a sign-in tells the person waiting for it.
public enum SSOSignInEvent: Sendable, Equatable {
  /// The code to confirm in a browser: print it, open the URL.
  case confirm(DeviceAuthorization)
  /// Still waiting for the browser; `secondsLeft` until the code expires.
  case waiting(secondsLeft: Int)
  /// The service asked to poll less often; polls are now `interval` seconds apart.
  case slowDown(interval: Int)
  /// The token came; it is about to be stored (the last moment to stop with nothing stored).
  case storing
  /// The sign-in finished (or failed): clear any waiting indicator.
  case done
}

/// How `use` reaches the person at the terminal when a sign-in is needed.
public struct SSOInteraction: Sendable {
  /// Asks a yes/no question; false when there is nobody to ask.
  public var confirm: @Sendable (_ question: String) -> Bool
  public var progress: @Sendable (SSOSignInEvent) -> Void

  public init(
    confirm: @escaping @Sendable (String) -> Bool,
    progress: @escaping @Sendable (SSOSignInEvent) -> Void
  ) {
    self.confirm = confirm
    self.progress = progress
  }

  /// Nobody to ask: `use` says which command to run instead.
  public static let none = SSOInteraction(confirm: { _ in false }, progress: { _ in })
}

/// Getting and keeping an IAM Identity Center token for one ``SSOSession``: the client
/// registration (reused from the keyring until it expires), the device login of RFC 8628, and
/// refreshing with the refresh token, so a browser is needed only when the sign-in itself ends.
public struct SSOSignIn: Sendable {
  public var session: SSOSession
  public var client: SSOClient
  public var keyring: Keyring
  public var clock: @Sendable () -> Date
  /// Waits between polls; the binary sleeps, unit tests record.
  public var sleep: @Sendable (Double) -> Void
  /// Where the lock that serialises refreshes of this sign-in's token lives (see
  /// ``FileLock``); nil: no lock.
  public var lockDirectory: String?

  /// A token with less than this left is refreshed before use.
  public static let refreshMargin: TimeInterval = 120

  public init(
    session: SSOSession, client: SSOClient, keyring: Keyring,
    clock: @escaping @Sendable () -> Date = { Date() },
    sleep: @escaping @Sendable (Double) -> Void = RetryPolicy().sleep
  ) {
    self.session = session
    self.client = client
    self.keyring = keyring
    self.clock = clock
    self.sleep = sleep
  }

  private var context: SSOError.Context {
    SSOError.Context(login: session.loginCommand, startURL: session.startURL)
  }

  /// The stored token when it has more than ``refreshMargin`` left, else a refreshed one
  /// (stored), else nil: only a new login can go on.
  public func validToken() throws(AwsenvError) -> SSOToken? {
    guard let token = try keyringCall({ () throws(KeyringError) in try keyring.ssoToken(session) })
    else { return nil }
    if token.expiresAt.timeIntervalSince(clock()) > Self.refreshMargin { return token }
    return try refreshed(token)
  }

  /// `token` renewed with its refresh token and stored; nil when it has none, or the client
  /// registration or the refresh token is no longer accepted (a new login is needed). Other
  /// failures (network, throttling) are errors.
  public func refreshed(_ token: SSOToken) throws(AwsenvError) -> SSOToken? {
    // Processes refreshing the same sign-in take turns: a refresh token may be good for one
    // use only, and the one that waited finds the token the first one stored.
    let lock = try takeLock()
    if lock?.waited == true,
      let stored = try keyringCall({ () throws(KeyringError) in try keyring.ssoToken(session) }),
      stored.accessToken != token.accessToken,
      stored.expiresAt.timeIntervalSince(clock()) > Self.refreshMargin
    {
      return stored
    }
    defer { withExtendedLifetime(lock) {} }
    guard let refreshToken = token.refreshToken,
      let registration = try keyringCall({ () throws(KeyringError) in
        try keyring.ssoClient(session)
      }),
      registration.expiresAt > clock()
    else { return nil }
    let grant: SSOTokenGrant
    do {
      grant = try client.refreshToken(registration, refreshToken: refreshToken)
    } catch {
      switch error.code {
      case "InvalidGrantException", "InvalidClientException", "UnauthorizedClientException",
        "ExpiredTokenException", "AccessDeniedException":
        return nil
      default:
        throw .sso(error, context)
      }
    }
    // A refresh that sends no new refresh token keeps the old one (RFC 6749 §6).
    let fresh = makeToken(grant, keepingRefreshToken: refreshToken)
    try keyringCall { () throws(KeyringError) in try keyring.saveSSOToken(fresh, for: session) }
    return fresh
  }

  private func takeLock() throws(AwsenvError) -> FileLock.Outcome? {
    try FileLock.take(
      "sso", key: session.key, in: lockDirectory, timeout: 30,
      doing: "renewing the IAM Identity Center sign-in \(session.displayName)")
  }

  /// The client registration: the keyring's while it has a day left, else a new one (stored).
  public func registration() throws(AwsenvError) -> SSOClientRegistration {
    let now = clock()
    if let stored = try keyringCall({ () throws(KeyringError) in try keyring.ssoClient(session) }),
      stored.expiresAt.timeIntervalSince(now) > 86_400, stored.scopes == session.scopes
    {
      return stored
    }
    let fresh: SSOClientRegistration
    do {
      fresh = try client.registerClient(
        name: "awsenv-\(AwsenvInfo.version)", scopes: session.scopes, now: now)
    } catch {
      throw .sso(error, context)
    }
    try keyringCall { () throws(KeyringError) in try keyring.saveSSOClient(fresh, for: session) }
    return fresh
  }

  /// The device login: StartDeviceAuthorization, then CreateToken every `interval` seconds
  /// until the user confirms the code in a browser (authorization_pending: wait; slow_down:
  /// wait 5 s more from now on; expired_token / access_denied: stop). The token is stored
  /// before it is returned; nothing is stored when the login fails or is interrupted.
  public func deviceLogin(progress: @Sendable (SSOSignInEvent) -> Void) throws(AwsenvError)
    -> SSOToken
  {
    var registration = try registration()
    let authorization: DeviceAuthorization
    do {
      authorization = try client.startDeviceAuthorization(
        registration, startURL: session.startURL)
    } catch let error where error.code == "InvalidClientException" {
      // The stored registration was revoked early: register again, once.
      try keyringCall { () throws(KeyringError) in
        _ = try keyring.store.delete([
          "application": Keyring.application, "kind": Keyring.Kind.ssoClient.rawValue,
          "sso-session": session.key,
        ])
      }
      registration = try self.registration()
      do {
        authorization = try client.startDeviceAuthorization(
          registration, startURL: session.startURL)
      } catch {
        throw .sso(error, context)
      }
    } catch {
      throw .sso(error, context)
    }
    progress(.confirm(authorization))
    defer { progress(.done) }
    let deadline = clock().addingTimeInterval(Double(authorization.expiresIn))
    var interval = Double(authorization.interval)
    while true {
      try wait(interval, until: deadline, progress: progress)
      let grant: SSOTokenGrant
      do {
        grant = try client.createToken(registration, deviceCode: authorization.deviceCode)
      } catch {
        switch error.code {
        case "AuthorizationPendingException":
          continue
        case "SlowDownException":
          interval += 5
          progress(.slowDown(interval: Int(interval)))
        default:
          throw .sso(error, context)
        }
        continue
      }
      let token = makeToken(grant, keepingRefreshToken: nil)
      progress(.storing)
      try keyringCall { () throws(KeyringError) in try keyring.saveSSOToken(token, for: session) }
      return token
    }
  }

  /// Sleeps `seconds` in short steps, reporting the time left; past `deadline` the code has
  /// expired and the login stops.
  private func wait(
    _ seconds: Double, until deadline: Date, progress: @Sendable (SSOSignInEvent) -> Void
  ) throws(AwsenvError) {
    var left = seconds
    while left > 0 {
      let remaining = deadline.timeIntervalSince(clock())
      guard remaining > 0 else {
        throw .other(
          "the code was not confirmed in the browser in time; run `\(session.loginCommand)` "
            + "again")
      }
      progress(.waiting(secondsLeft: Int(remaining.rounded(.up))))
      let step = min(left, 0.25)
      sleep(step)
      left -= step
    }
  }

  private func makeToken(_ grant: SSOTokenGrant, keepingRefreshToken old: String?) -> SSOToken {
    SSOToken(
      accessToken: grant.accessToken,
      // Whole seconds: what the keyring item keeps (RFC 3339 without fractions).
      expiresAt: Date(
        timeIntervalSince1970: (clock().timeIntervalSince1970 + Double(grant.expiresIn))
          .rounded(.down)),
      refreshToken: grant.refreshToken ?? old, startURL: session.startURL,
      region: session.region)
  }

  private func keyringCall<T>(_ body: () throws(KeyringError) -> T) throws(AwsenvError) -> T {
    do {
      return try body()
    } catch {
      throw .keyring(error)
    }
  }
}
