import Foundation

/// Finding the credentials and region of a profile: the shared first step of `use`, `exec`,
/// `export`, `credential-process` and `whoami`.
///
/// Long-lived keys come from the keyring first, then from the files. Every temporary credential
/// (an MFA session, a role, web identity, SAML, a credential_process with an expiry) is cached
/// in the keyring under a fingerprint of how it was made, and reused until it is within the
/// minimum TTL of its expiry; one MFA session serves every role assumed from the same keys.
public struct ProfileResolver: Sendable {
  public var config: AWSConfig
  public var keyring: Keyring
  /// The calling process's environment (the shell's, through the hook).
  public var environment: [String: String]
  /// The shell's AWS variables from before awsenv changed them: the region falls back to
  /// them, and credential_source = Environment takes its keys from them. The command line
  /// computes it once (``ShellSession/original(environment:)``).
  public var baseline: SavedState
  public var transport: any HTTPTransport
  /// Asks for an MFA code on the terminal; returns nil when there is none.
  public var askMFACode: @Sendable (_ prompt: String) -> String?
  public var clock: @Sendable () -> Date
  public var retrySleep: @Sendable (Double) -> Void
  /// The local user's name, for the default role session name.
  public var userName: String
  /// How an IAM Identity Center profile whose sign-in has ended offers a new one.
  public var ssoInteraction: SSOInteraction
  /// The profiles being resolved through `credential_process = awsenv credential-process
  /// OTHER`, outermost first: a loop among them is an error, not a hang.
  var resolving: [String] = []

  public init(
    config: AWSConfig, keyring: Keyring, environment: [String: String] = [:],
    baseline: SavedState = SavedState(entries: []),
    transport: any HTTPTransport = UnavailableTransport(),
    askMFACode: @escaping @Sendable (String) -> String? = { _ in nil },
    clock: @escaping @Sendable () -> Date = { Date() },
    retrySleep: @escaping @Sendable (Double) -> Void = RetryPolicy().sleep,
    userName: String = "", ssoInteraction: SSOInteraction = .none
  ) {
    self.config = config
    self.keyring = keyring
    self.environment = environment
    self.baseline = baseline
    self.transport = transport
    self.askMFACode = askMFACode
    self.clock = clock
    self.retrySleep = retrySleep
    self.userName = userName
    self.ssoInteraction = ssoInteraction
  }

  /// The credentials of `profile`.
  public func credentials(profile: String, options: ResolveOptions = ResolveOptions())
    throws(AwsenvError) -> Credentials
  {
    try resolve(profile: profile, options: options).credentials
  }

  /// The credentials of `profile`, from the cache or made now.
  public func resolve(profile: String, options: ResolveOptions = ResolveOptions())
    throws(AwsenvError) -> ResolvedCredentials
  {
    guard config.profile(profile) != nil else {
      // A profile may live only in the keyring (its config section was deleted by hand).
      if let keys = try keyringKeys(profile) {
        return ResolvedCredentials(session: SessionCredentials(credentials: keys), fromCache: false)
      }
      throw .unknownProfile(profile, configPath: config.configPath)
    }
    let chain: ProfileChain
    do {
      chain = try config.resolveChain(profile: profile, keyringFallback: true)
    } catch {
      throw .resolve(error)
    }
    if resolving.contains(profile) {
      throw .credentialProcessLoop(resolving + [profile])
    }
    return try run(chain, named: profile, settingsOf: profile, options: options)
  }

  /// Resolves `chain` under the name `name` (what its messages and final cache item say), with
  /// the region, endpoint and minimum TTL of the profile `settingsOf`; `--duration` is applied
  /// to the final session here, and what became of it is in the result's notes.
  func run(
    _ chain: ProfileChain, named name: String, settingsOf profile: String, options: ResolveOptions
  ) throws(AwsenvError) -> ResolvedCredentials {
    var options = options
    var notes: [String] = []
    if let asked = options.duration {
      let (duration, note) = SessionDuration.request(
        asked, profile: name, chain: chain, config: config)
      options.duration = duration
      notes += note.map { [$0] } ?? []
    }
    var run = ChainRun(
      profile: name, chain: chain, options: options,
      dependencies: chainDependencies(profile: profile, chain: chain, options: options))
    var resolved = try run.resolve()
    resolved.notes = notes
    resolved.duration = options.duration
    return resolved
  }

  /// What a ``ChainRun`` for `profile` works with: this resolver's clients, keyring, lock and
  /// settings, made into values once.
  func chainDependencies(profile: String, chain: ProfileChain, options: ResolveOptions)
    -> ChainRun.Dependencies
  {
    let quick = !options.interactive
    let sts: Result<STSClient, AwsenvError>
    do {
      sts = .success(try stsClient(profile: profile, regionFlag: options.regionFlag, quick: quick))
    } catch {
      sts = .failure(error)
    }
    let ssoPortal = config.ssoSession(base: chain.base).flatMap {
      try? ssoClient($0).portalEndpoint
    }
    return ChainRun.Dependencies(
      config: config, keyring: keyring, environment: environment, baseline: baseline,
      now: clock(), sts: sts, ssoPortal: ssoPortal,
      ssoSignIn: { session throws(AwsenvError) in try ssoSignIn(session, quick: quick) },
      ssoInteraction: ssoInteraction,
      lock: { key, doing throws(AwsenvError) in
        try lock("profile", key: key, doing: doing, quick: quick)
      },
      resolveProfile: { target, via throws(AwsenvError) in
        var inner = self
        inner.resolving.append(via)
        // --duration is the outer profile's final session's, not this source's.
        var innerOptions = options
        innerOptions.duration = nil
        return try inner.resolve(profile: target, options: innerOptions)
      },
      askMFACode: askMFACode, minimumTTL: minimumTTL(profile: profile),
      defaultSessionName: defaultSessionName,
      metadataCredentials: { source, owner throws(AwsenvError) in
        try metadataCredentials(source: source, profile: owner)
      })
  }

  /// The region configured for `profile`, if any.
  public func region(profile: String) -> String? {
    config.profile(profile)?["region"]
  }

  /// The minimum time left on a cached session for it to be reused: AWSENV_MIN_TTL, else
  /// `awsenv_min_ttl` in the profile, else 5 minutes. Accepts seconds or a number with s/m/h.
  public func minimumTTL(profile: String) -> TimeInterval {
    let text = environment["AWSENV_MIN_TTL"] ?? config.profile(profile)?["awsenv_min_ttl"]
    return text.flatMap(parseDuration) ?? 300
  }

  /// The credentials and region of `profile`: what `use`, `exec` and `export` put in an
  /// environment. The region is the flag, else the profile's, else the shell's own.
  public func activation(profile: String, options: ResolveOptions = ResolveOptions())
    throws(AwsenvError) -> Activation
  {
    let resolved = try resolve(profile: profile, options: options)
    let region = ShellSession.region(
      flag: options.regionFlag, profileRegion: region(profile: profile), baseline: baseline)
    let refreshAt = resolved.credentials.expiration.map {
      $0.addingTimeInterval(-minimumTTL(profile: profile))
    }
    var activation = Activation(
      profile: profile, credentials: resolved.credentials, region: region,
      identity: resolved.identity, refreshAt: refreshAt)
    activation.notes = resolved.notes
    activation.duration = resolved.duration
    return activation
  }

  /// An STS client for calls made on behalf of `profile`: its region (or the flag, or the
  /// shell's, or us-east-1) and endpoint settings, retries and CA bundle.
  /// `quick` (the prompt hook's refresh, which the prompt waits for) bounds a call to 3 s to
  /// connect, 8 s in all and 2 attempts.
  public func stsClient(profile: String, regionFlag: String?, quick: Bool = false)
    throws(AwsenvError) -> STSClient
  {
    let section = config.profile(profile)
    let region =
      ShellSession.region(flag: regionFlag, profileRegion: section?["region"], baseline: baseline)
      ?? "us-east-1"
    guard EndpointResolver.isValidRegion(region) else {
      throw .invalidRegion(region)
    }
    let endpoint: ServiceEndpoint
    do {
      endpoint = try EndpointResolver.sts(
        region: region, profile: section, config: config, environment: environment)
    } catch {
      throw .http(error)
    }
    let (options, retry) = httpSettings(section, quick: quick)
    // The global endpoint (sts_regional_endpoints = legacy) is signed for us-east-1.
    let signingRegion = endpoint.host == EndpointResolver.globalSTSHost ? "us-east-1" : region
    return STSClient(
      endpoint: endpoint, signingRegion: signingRegion, transport: transport, options: options,
      retry: retry, clock: clock)
  }

  /// Timeouts, CA bundle (AWS_CA_BUNDLE, ca_bundle) and attempts (AWS_MAX_ATTEMPTS,
  /// max_attempts) for calls on behalf of the profile `section`.
  func httpSettings(_ section: ProfileSection?, quick: Bool) -> (HTTPOptions, RetryPolicy) {
    let attempts =
      (environment["AWS_MAX_ATTEMPTS"] ?? section?["max_attempts"]).flatMap { Int($0) } ?? 3
    let caBundle = environment["AWS_CA_BUNDLE"] ?? section?["ca_bundle"]
    let budget = Self.httpBudget(environment: environment, quick: quick)
    let options = HTTPOptions(
      connectTimeout: quick ? 3 : 5, totalTimeout: min(quick ? 8 : 30, budget),
      caBundle: caBundle.flatMap { $0.isEmpty ? nil : $0 },
      userAgent: "awsenv/\(AwsenvInfo.version)")
    let retry = RetryPolicy(
      maxAttempts: min(max(attempts, 1), quick ? 2 : 10), budget: budget, sleep: retrySleep)
    return (options, retry)
  }

  /// The most seconds one call to AWS may take, its retries included: AWSENV_HTTP_TIMEOUT
  /// (seconds, or with s/m), else 20 on a command and 8 for the prompt's refresh (`quick`),
  /// which must never hold a shell long. At least 1, at most an hour.
  static func httpBudget(environment: [String: String], quick: Bool) -> Double {
    let configured = environment["AWSENV_HTTP_TIMEOUT"].flatMap(parseDuration)
    return min(max(configured ?? (quick ? 8 : 20), 1), 3600)
  }

  /// A client for the IAM Identity Center of `session`: its region, the endpoint settings of
  /// the profile it was named through (or the environment's), retries and CA bundle; `quick`
  /// as for ``stsClient(profile:regionFlag:quick:)``.
  public func ssoClient(_ session: SSOSession, quick: Bool = false) throws(AwsenvError)
    -> SSOClient
  {
    let section = session.profile.flatMap { config.profile($0) }
    let endpoints: (oidc: ServiceEndpoint, portal: ServiceEndpoint)
    do {
      endpoints = try SSOClient.endpoints(
        region: session.region, profile: section, config: config, environment: environment)
    } catch {
      throw .http(error)
    }
    let (options, retry) = httpSettings(section, quick: quick)
    return SSOClient(
      oidcEndpoint: endpoints.oidc, portalEndpoint: endpoints.portal, transport: transport,
      options: options, retry: retry, clock: clock)
  }

  /// The sign-in machinery of `session`.
  public func ssoSignIn(_ session: SSOSession, quick: Bool = false) throws(AwsenvError)
    -> SSOSignIn
  {
    var signIn = SSOSignIn(
      session: session, client: try ssoClient(session, quick: quick), keyring: keyring,
      clock: clock, sleep: retrySleep)
    signIn.lockDirectory = FileLock.directory(environment: environment)
    return signIn
  }

  /// Takes the lock that makes concurrent awsenv processes take turns at `doing` (see
  /// ``FileLock``); nil when there is no safe lock directory, and they work side by side.
  /// The prompt's refresh (`quick`) waits at most 10 s, a command on a terminal 2 minutes
  /// (the other may be waiting for an MFA code).
  func lock(_ kind: String, key: String, doing: String, quick: Bool) throws(AwsenvError)
    -> FileLock.Outcome?
  {
    try FileLock.take(
      kind, key: key, in: FileLock.directory(environment: environment), timeout: quick ? 10 : 120,
      doing: doing)
  }

  func keyringKeys(_ profile: String) throws(AwsenvError) -> Credentials? {
    do {
      return try keyring.accessKey(profile: profile)
    } catch {
      throw .keyring(error)
    }
  }

  /// The default role session name: the local user's name, in the characters STS accepts.
  var defaultSessionName: String {
    let allowed = userName.unicodeScalars.filter {
      $0.isASCII
        && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
          || "+=,.@-_".unicodeScalars.contains($0))
    }
    let name = String(String.UnicodeScalarView(allowed.prefix(64)))
    return name.count >= 2 ? name : "awsenv"
  }
}

/// Parses `300`, `90s`, `5m`, `1h` into seconds.
func parseDuration(_ text: String) -> TimeInterval? {
  let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
  guard let last = trimmed.last else { return nil }
  let (number, unit): (Substring, Double) =
    switch last {
    case "s": (trimmed.dropLast(), 1)
    case "m": (trimmed.dropLast(), 60)
    case "h": (trimmed.dropLast(), 3600)
    default: (Substring(trimmed), 1)
    }
  guard let value = Double(number), value >= 0, value.isFinite else { return nil }
  return value * unit
}
