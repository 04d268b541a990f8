import Foundation

/// What the credential server hands out for one profile: its current session, never its
/// long-lived keys.
///
/// A session comes through the same chain as `use` (the keyring cache while it is outside the
/// refresh window, else STS, the MFA session, IAM Identity Center), asked non-interactively: a
/// step that needs an MFA code or a sign-in fails with the command to run. A profile that
/// resolves to long-lived keys is served a GetSessionToken session made from them, cached in
/// the keyring like an MFA session. Requests that arrive while a session is being made share
/// that one call (``SharedRefresh``); other awsenv processes take turns through the profile's
/// lock.
public final class ServedCredentials: Sendable {
  public let profile: String
  /// The resolver, with `--duration` written into the profile's `duration_seconds`.
  let resolver: ProfileResolver
  /// `--duration`, for the sessions of long-lived keys (1 hour without it).
  let durationSeconds: Int?
  private let shared: SharedRefresh<Credentials>

  /// What STS grants a served session: at least 15 minutes; 12 hours is the most a role allows.
  public static let durationRange = 900...43_200

  /// `--duration` for a server: `seconds` when STS grants it to every kind of session served.
  public static func checkedDuration(_ seconds: Int) throws(AwsenvError) -> Int {
    guard durationRange.contains(seconds) else {
      throw .other(
        "a served session lasts from 15 minutes to 12 hours (900 to 43200 seconds); "
          + "\(SessionDuration.text(seconds)) is outside that")
    }
    return seconds
  }

  /// `regionFlag` is `--region`: the region STS is called in.
  public init(
    resolver: ProfileResolver, profile: String, durationSeconds: Int?, regionFlag: String? = nil
  ) {
    var resolver = resolver
    if let durationSeconds, var section = resolver.config.profiles[profile] {
      section.properties["duration_seconds"] = String(durationSeconds)
      resolver.config.profiles[profile] = section
    }
    self.resolver = resolver
    self.profile = profile
    self.durationSeconds = durationSeconds
    let minimumTTL = resolver.minimumTTL(profile: profile)
    let clock = resolver.clock
    let fetch = Self.session(resolver: resolver, profile: profile, duration: durationSeconds)
    shared = SharedRefresh(
      fetch: { fetch(ResolveOptions(regionFlag: regionFlag, interactive: false)) },
      isFresh: { credentials in
        guard let expiry = credentials.expiration else { return false }
        return expiry.timeIntervalSince(clock()) > minimumTTL
      })
    self.firstFetch = fetch
  }

  private let firstFetch: @Sendable (ResolveOptions) -> Result<Credentials, AwsenvError>

  /// Gets the first session before serving with `options` (the command's --mfa-code,
  /// --refresh…), asking on the terminal if the chain needs an MFA code or a sign-in (as `use`
  /// would), so that serving starts with a session in hand.
  public func prepare(_ options: ResolveOptions) throws(AwsenvError) {
    let credentials = try firstFetch(options).get()
    shared.seed(credentials)
  }

  /// The session to serve now.
  public func current() -> Result<Credentials, AwsenvError> {
    shared.current()
  }

  /// A fetch of the profile's session: through the chain, then GetSessionToken over
  /// long-lived keys.
  private static func session(resolver: ProfileResolver, profile: String, duration: Int?)
    -> @Sendable (ResolveOptions) -> Result<Credentials, AwsenvError>
  {
    { options in
      Result { () throws(AwsenvError) -> Credentials in
        let credentials = try resolver.credentials(profile: profile, options: options)
        if credentials.expiration != nil { return credentials }
        guard credentials.sessionToken == nil else {
          throw .other(
            "profile '\(profile)' gives temporary credentials without an expiry, so the "
              + "credential server cannot tell when to renew them; serve a profile of keys, a "
              + "role or a sign-in instead")
        }
        return try keysSession(
          resolver: resolver, profile: profile, keys: credentials, duration: duration ?? 3600,
          options: options)
      }
    }
  }

  /// A GetSessionToken session over the long-lived `keys` of `profile`: the cached one while
  /// it is outside the refresh window, else a new one (one call among concurrent processes).
  private static func keysSession(
    resolver: ProfileResolver, profile: String, keys: Credentials, duration: Int,
    options: ResolveOptions
  ) throws(AwsenvError) -> Credentials {
    let interactive = options.interactive
    let sts = try resolver.stsClient(
      profile: profile, regionFlag: options.regionFlag, quick: !interactive)
    let fingerprint = Keyring.fingerprint([
      "v1", sts.endpoint.description, "server-session", profile, keys.accessKeyID,
      String(duration),
    ])
    let minimumTTL = resolver.minimumTTL(profile: profile)
    func cached() throws(AwsenvError) -> Credentials? {
      let session: SessionCredentials?
      do {
        session = try resolver.keyring.session(profile: profile, fingerprint: fingerprint)
      } catch {
        throw .keyring(error)
      }
      guard let credentials = session?.credentials, let expiry = credentials.expiration,
        expiry.timeIntervalSince(resolver.clock()) > minimumTTL
      else { return nil }
      return credentials
    }
    if !options.refresh, let credentials = try cached() { return credentials }
    let lock = try resolver.lock(
      "profile", key: fingerprint, doing: "getting a session for profile '\(profile)'",
      quick: !interactive)
    if lock?.waited == true, let credentials = try cached() { return credentials }
    let session: Credentials
    do {
      session = try sts.getSessionToken(keys, durationSeconds: duration)
    } catch {
      var context = STSError.Context(
        profile: profile, durationSeconds: duration, region: sts.signingRegion)
      context.keysProfile = profile
      throw .sts(error, context)
    }
    do {
      try resolver.keyring.saveSession(
        SessionCredentials(credentials: session), profile: profile, fingerprint: fingerprint,
        source: profile, description: "session for the credential server")
    } catch {
      throw .keyring(error)
    }
    withExtendedLifetime(lock) {}
    return session
  }
}
