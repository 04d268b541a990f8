import Foundation

/// One resolution of a profile's credential chain: the base credentials, then each role.
///
/// Every temporary step is a cache level in the keyring, keyed by a fingerprint of everything
/// that made it (endpoint, keys' owner, MFA device, role, external id, duration, session name).
/// The run starts from the deepest level that is still valid, so `use` of a cached role is one
/// keyring lookup, and a new role over a cached MFA session needs no new MFA code.
///
/// A run works only with what it is handed in ``Dependencies``: it never calls back into the
/// ``ProfileResolver`` that made it.
struct ChainRun {
  let profile: String
  let chain: ProfileChain
  let options: ResolveOptions
  let dependencies: Dependencies
  let now: Date
  /// The STS client, or why the profile's endpoint or region cannot be used: an error only
  /// when a call is needed, so static keys work whatever the STS settings say.
  private let stsClient: Result<STSClient, AwsenvError>
  /// Fingerprint parts of each level: [base] + one per role.
  private(set) var levels: [Level?] = []
  /// The profile whose long-lived keys start the chain, if any.
  private(set) var keysOwner: String?
  /// The MFA device whose session the base keys are used through, if any.
  private(set) var baseMFASerial: String?
  /// The IAM Identity Center sign-in the chain starts with, if any: every session of the
  /// chain carries its key, so `awsenv logout` drops them.
  private(set) var ssoSession: SSOSession?

  struct Level {
    var profile: String
    var fingerprint: String
    var description: String
  }

  /// What a run works with, as values and functions.
  struct Dependencies {
    var config: AWSConfig
    var keyring: Keyring
    /// The process's environment: for credential_process and mfa_process commands, and the
    /// web identity variables.
    var environment: [String: String]
    /// The shell's AWS variables from before awsenv changed them (credential_source =
    /// Environment reads its keys there, not from the profile awsenv last set).
    var baseline: SavedState
    /// The time the run goes by.
    var now: Date
    /// The STS client of the profile, or why its endpoint or region cannot be used.
    var sts: Result<STSClient, AwsenvError>
    /// The IAM Identity Center portal of the chain's sign-in, for the fingerprint; nil when
    /// the chain has none or its endpoint cannot be used.
    var ssoPortal: ServiceEndpoint?
    /// The sign-in machinery of an IAM Identity Center session.
    var ssoSignIn: (SSOSession) throws(AwsenvError) -> SSOSignIn
    /// How a sign-in that has ended offers a new one.
    var ssoInteraction: SSOInteraction
    /// Takes the lock of the session with this fingerprint, saying what it is for; nil when
    /// there is no lock directory.
    var lock: (_ key: String, _ doing: String) throws(AwsenvError) -> FileLock.Outcome?
    /// The credentials of another profile (`credential_process = awsenv credential-process
    /// TARGET` in the profile `via`).
    var resolveProfile: (_ target: String, _ via: String) throws(AwsenvError) -> ResolvedCredentials
    /// Asks for an MFA code on the terminal; nil when there is none.
    var askMFACode: (_ prompt: String) -> String?
    /// The minimum time left on the final session for it to be reused.
    var minimumTTL: TimeInterval
    /// The role session name when the profile names none.
    var defaultSessionName: String
    /// The credentials of credential_source = Ec2InstanceMetadata or EcsContainer, for the
    /// profile that names it.
    var metadataCredentials:
      (_ source: String, _ profile: String) throws(AwsenvError) -> Credentials = {
        source, profile throws(AwsenvError) in
        throw .unsupported(profile: profile, what: "credential_source = \(source)")
      }
  }

  /// How much validity an intermediate session needs to be used as a source.
  static let sourceMargin: TimeInterval = 60

  init(profile: String, chain: ProfileChain, options: ResolveOptions, dependencies: Dependencies) {
    self.profile = profile
    self.chain = chain
    self.options = options
    self.dependencies = dependencies
    self.now = dependencies.now
    self.stsClient = dependencies.sts
    buildLevels()
  }

  private var config: AWSConfig { dependencies.config }
  private var keyring: Keyring { dependencies.keyring }

  /// Whether a credential_process command line starts with the awsenv binary.
  static func runsAwsenv(_ command: String) -> Bool {
    guard let first = try? CommandRunner.split(command).first else { return false }
    return first.split(separator: "/").last == "awsenv"
  }

  /// The profile named by `awsenv credential-process NAME` in a credential_process line; nil
  /// for any other command.
  static func awsenvTarget(_ command: String) -> String? {
    guard runsAwsenv(command), let words = try? CommandRunner.split(command), words.count >= 3,
      words[1] == "credential-process"
    else { return nil }
    var rest = words.dropFirst(2)
    while let word = rest.first, word.hasPrefix("-") {
      // `--duration D` takes a value; the other options are flags.
      rest = rest.dropFirst(word == "--duration" ? 2 : 1)
    }
    return rest.first
  }

  // MARK: Levels and fingerprints

  private mutating func buildLevels() {
    var parts = ["v1", (try? stsClient.get())?.endpoint.description ?? "no endpoint"]
    let firstRoleMFA = chain.roles.first?.mfaSerial
    // What the base adds to the fingerprint, and what its cached session is called (nil when
    // the base is long-lived keys, which are not cached).
    let owner: String
    var cached: String?
    switch chain.base {
    case .staticKeys(let profile, let fileKeys):
      keysOwner = profile
      baseMFASerial = firstRoleMFA ?? config.profile(profile)?["mfa_serial"]
      (owner, parts) = (profile, parts + ["keys", profile, fileKeys?.accessKeyID ?? "keyring"])
    case .process(let profile, let command) where Self.runsAwsenv(command):
      if let target = Self.awsenvTarget(command), target != profile {
        // Another profile's credentials, made (and cached) by resolving that profile.
        (owner, parts) = (profile, parts + ["awsenv", target])
      } else {
        keysOwner = profile
        (owner, parts) = (profile, parts + ["keys", profile, "keyring"])
      }
    case .namedSource(let profile, let name):
      let saved = dependencies.baseline
      if name == "Environment", saved.value(of: "AWS_SESSION_TOKEN") == nil {
        baseMFASerial = firstRoleMFA
      }
      (owner, parts) = (
        profile, parts + ["source", name, saved.value(of: "AWS_ACCESS_KEY_ID") ?? ""]
      )
    case .webIdentity(let profile, _, _, _):
      let (roleArn, tokenFile, sessionName) = webIdentitySettings()
      let duration = duration(of: profile).map(String.init) ?? ""
      (owner, cached) = (profile, "web identity role")
      parts += ["web-identity", roleArn, tokenFile, sessionName, duration]
    case .saml(let profile, let roleArn, let providerArn, _):
      let duration = duration(of: profile).map(String.init) ?? ""
      (owner, cached) = (profile, "SAML role")
      parts += ["saml", roleArn, providerArn, duration]
    case .process(let profile, let command):
      (owner, cached) = (profile, "credential_process result")
      parts += ["process", command]
    case .sso(let profile, _, let startURL, _, let account, let role):
      ssoSession = config.ssoSession(base: chain.base)
      let portal = dependencies.ssoPortal
      (owner, cached) = (profile, "IAM Identity Center role")
      parts += [
        "sso", portal?.description ?? "no endpoint", startURL, account ?? "", role ?? "",
      ]
    }
    if let serial = baseMFASerial {
      parts += ["mfa", serial]
      cached = "MFA session"
    }
    levels.append(
      cached.map {
        Level(profile: owner, fingerprint: Keyring.fingerprint(parts), description: $0)
      })
    for (index, step) in chain.roles.enumerated() {
      let mfa = index == 0 && baseMFASerial != nil ? "" : (step.mfaSerial ?? "")
      parts += [
        "role", step.roleArn, step.externalID ?? "", step.durationSeconds.map(String.init) ?? "",
        mfa, sessionName(step), step.sourceIdentity ?? "",
      ]
      levels.append(
        Level(
          profile: step.profile, fingerprint: Keyring.fingerprint(parts),
          description: "role \(step.roleArn)"))
    }
  }

  private func duration(of profile: String) -> Int? {
    config.profile(profile)?["duration_seconds"].flatMap { Int($0) }
  }

  private func sessionName(_ step: RoleStep) -> String {
    step.sessionName ?? dependencies.defaultSessionName
  }

  /// Role ARN, token file and session name of a web identity base: the environment's
  /// AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_SESSION_NAME win over the profile's,
  /// as in the SDKs.
  private func webIdentitySettings() -> (String, String, String) {
    guard case .webIdentity(_, let roleArn, let tokenFile, let sessionName) = chain.base else {
      return ("", "", "")
    }
    let env = dependencies.environment
    func pick(_ name: String, _ fallback: String?) -> String? {
      if let value = env[name], !value.isEmpty { return value }
      return fallback
    }
    return (
      pick("AWS_ROLE_ARN", roleArn) ?? roleArn,
      pick("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile) ?? tokenFile,
      pick("AWS_ROLE_SESSION_NAME", sessionName) ?? dependencies.defaultSessionName
    )
  }

  // MARK: Resolution

  mutating func resolve() throws(AwsenvError) -> ResolvedCredentials {
    let last = levels.count - 1
    var freshSAML = false
    if case .saml = chain.base, options.samlAssertion != nil { freshSAML = true }
    DebugLog.log(
      "profile '\(profile)': "
        + ([levels.first??.description ?? "long-lived keys of '\(keysOwner ?? profile)'"]
        + levels.dropFirst().compactMap { $0?.description }).joined(separator: " → "))

    var start = freshSAML ? Start.from(-1, nil) : try cachedStart(refresh: options.refresh)
    if case .done(let session) = start {
      return ResolvedCredentials(session: session, fromCache: true)
    }
    // A call to STS or IAM Identity Center is due. Concurrent awsenv processes for the same
    // profile (every shell's prompt refreshing at once) take turns; one that waited finds what
    // the one before it stored and makes no call of its own.
    let lock = try takeLock()
    if lock?.waited == true, !freshSAML {
      let before = start
      start = try cachedStart(refresh: false)
      if case .done(let session) = start {
        // After --refresh, only a session the other process just made will do.
        if !options.refresh || session.credentials.expiration != before.finalExpiry {
          return ResolvedCredentials(session: session, fromCache: true)
        }
        start = before
      }
    }
    var (index, current) = start.levelAndSession
    if index < 0 {
      current = try baseSession()
      index = 0
      if let level = levels[0], let session = current, session.credentials.expiration != nil {
        try save(session, level)
      }
    }
    guard var session = current else {
      throw .other("internal error: no credentials after the base step")
    }
    for next in (index + 1)..<(last + 1) {
      let step = chain.roles[next - 1]
      session = try assume(step, index: next - 1, with: session.credentials)
      if let level = levels[next] { try save(session, level) }
    }
    withExtendedLifetime(lock) {}
    return ResolvedCredentials(session: session, fromCache: false)
  }

  /// Where a resolution starts: the final session from the cache, or the deepest level whose
  /// session can serve as a source (-1: from the base).
  private enum Start {
    case done(SessionCredentials)
    /// The level to continue from, its session, and the expiry of the final level's cached
    /// session when it was passed over (--refresh).
    case from(Int, SessionCredentials?, finalExpiry: Date? = nil)

    var levelAndSession: (Int, SessionCredentials?) {
      switch self {
      case .done(let session): return (Int.max, session)
      case .from(let index, let session, _): return (index, session)
      }
    }

    var finalExpiry: Date? {
      if case .from(_, _, let expiry) = self { return expiry }
      return nil
    }
  }

  /// The deepest level with a session still good enough: the final one must outlive the
  /// minimum TTL (unless `refresh`), a source only needs a minute.
  private func cachedStart(refresh: Bool) throws(AwsenvError) -> Start {
    let last = levels.count - 1
    let minimumTTL = dependencies.minimumTTL
    var passedOver: Date?
    // With --duration, the final session must still have what was asked, less the refresh
    // window: one made a minute ago serves, one with less left than asked does not.
    let finalMargin =
      options.duration.map { max(minimumTTL, Double($0) - minimumTTL) } ?? minimumTTL
    for index in stride(from: last, through: 0, by: -1) {
      guard let level = levels[index] else { continue }
      let margin = index == last ? finalMargin : Self.sourceMargin
      let session = try cached(level)
      let expiry = session?.credentials.expiration
      DebugLog.log(
        "cache: \(level.description) of profile '\(level.profile)': "
          + (expiry.map { "until \(rfc3339($0)), needs \(Int(margin)) s left" } ?? "none"))
      guard let session, let expiry, expiry.timeIntervalSince(now) > margin else { continue }
      if index == last {
        if !refresh { return .done(session) }
        passedOver = expiry
        continue
      }
      return .from(index, session, finalExpiry: passedOver)
    }
    return .from(-1, nil, finalExpiry: passedOver)
  }

  /// The lock of this profile's final session, when it has one (static keys make no call).
  private func takeLock() throws(AwsenvError) -> FileLock.Outcome? {
    guard let level = levels.last ?? nil else { return nil }
    let start = Date()
    let outcome = try dependencies.lock(
      level.fingerprint, "getting credentials for profile '\(profile)'")
    DebugLog.log(
      outcome == nil
        ? "lock: no lock directory; going on unlocked"
        : "lock: profile '\(profile)' taken"
          + (outcome?.waited == true
            ? " after waiting \(Int(Date().timeIntervalSince(start) * 1000)) ms for another awsenv"
            : ""))
    return outcome
  }

  private func cached(_ level: Level) throws(AwsenvError) -> SessionCredentials? {
    do {
      return try keyring.session(profile: level.profile, fingerprint: level.fingerprint)
    } catch {
      throw .keyring(error)
    }
  }

  private func save(_ session: SessionCredentials, _ level: Level) throws(AwsenvError) {
    do {
      try keyring.saveSession(
        session, profile: level.profile, fingerprint: level.fingerprint, source: keysOwner,
        ssoSession: ssoSession?.key, description: level.description)
    } catch {
      throw .keyring(error)
    }
  }

  /// The first credentials of the chain (long-lived keys, or a first temporary session).
  private func baseSession() throws(AwsenvError) -> SessionCredentials {
    switch chain.base {
    case .staticKeys(let owner, let fileKeys):
      let keys = try staticKeys(owner: owner, fileKeys: fileKeys)
      return try withMFASession(keys, owner: owner)
    case .process(let owner, let command) where Self.runsAwsenv(command):
      if let target = Self.awsenvTarget(command), target != owner {
        let resolved = try dependencies.resolveProfile(target, owner)
        return SessionCredentials(credentials: resolved.credentials, identity: resolved.identity)
      }
      let keys: Credentials?
      do {
        keys = try keyring.accessKey(profile: owner)
      } catch {
        throw .keyring(error)
      }
      guard let keys else { throw .noKeys(owner) }
      return SessionCredentials(credentials: keys)
    case .namedSource(let owner, let name):
      guard name == "Environment" else {
        // Temporary credentials the host hands out and renews itself: not cached (see
        // ProfileResolver.metadataCredentials).
        return SessionCredentials(credentials: try dependencies.metadataCredentials(name, owner))
      }
      let saved = dependencies.baseline
      guard let id = saved.value(of: "AWS_ACCESS_KEY_ID"),
        let secret = saved.value(of: "AWS_SECRET_ACCESS_KEY")
      else {
        throw .noEnvironmentKeys(profile: owner)
      }
      let keys = Credentials(
        accessKeyID: id, secretAccessKey: secret, sessionToken: saved.value(of: "AWS_SESSION_TOKEN")
      )
      return try withMFASession(keys, owner: owner)
    case .webIdentity(let owner, _, _, _):
      return try webIdentity(owner: owner)
    case .saml(let owner, let roleArn, let providerArn, _):
      guard let assertion = options.samlAssertion else {
        throw .needsInteraction(
          "profile '\(owner)' gets its role through SAML and has no valid cached session; "
            + "run `awsenv use \(profile) --saml-assertion FILE` with a fresh SAMLResponse "
            + "from your identity provider (`-` reads it from stdin)")
      }
      let duration =
        chain.roles.isEmpty ? options.duration ?? duration(of: owner) : duration(of: owner)
      let sts = try stsClient.get()
      do {
        let result = try sts.assumeRoleWithSAML(
          roleArn: roleArn, principalArn: providerArn, assertion: assertion,
          durationSeconds: duration)
        return result
      } catch {
        throw .sts(
          error, context(owner, roleArn: roleArn, duration: duration, final: chain.roles.isEmpty))
      }
    case .process(let owner, let command):
      return try process(owner: owner, command: command)
    case .sso(let owner, _, _, _, let account, let role):
      guard let account, let role, let session = ssoSession else {
        throw .ssoRoleNotNamed(profile: owner)
      }
      return try ssoRole(session, account: account, role: role)
    }
  }

  /// GetRoleCredentials with the sign-in's token: the stored one, refreshed when it is about to
  /// end, or (on a terminal, if the user agrees) a new device login. A token the portal no
  /// longer accepts (revoked, or signed out elsewhere) is treated as expired.
  private func ssoRole(_ session: SSOSession, account: String, role: String)
    throws(AwsenvError) -> SessionCredentials
  {
    let signIn = try dependencies.ssoSignIn(session)
    let context = SSOError.Context(
      login: session.loginCommand, accountID: account, roleName: role)
    var token = try signIn.validToken()
    var signedInNow = false
    while true {
      if token == nil {
        token = try ssoLogin(signIn)
        signedInNow = true
      }
      guard let current = token else { continue }
      do {
        let credentials = try signIn.client.roleCredentials(
          accessToken: current.accessToken, accountID: account, roleName: role)
        return SessionCredentials(credentials: credentials, identity: "\(role)@\(account)")
      } catch  where error.code == "UnauthorizedException" && !signedInNow {
        token = nil
      } catch {
        throw .sso(error, context)
      }
    }
  }

  /// A new sign-in when the user agrees on the terminal; otherwise the command to run.
  private func ssoLogin(_ signIn: SSOSignIn) throws(AwsenvError) -> SSOToken {
    let session = signIn.session
    let why = "the IAM Identity Center sign-in for \(session.displayName) has ended"
    let interaction = dependencies.ssoInteraction
    guard options.interactive, interaction.confirm("awsenv: \(why). Sign in now? [Y/n] ") else {
      throw .needsInteraction("\(why); run `\(session.loginCommand)`, then try again")
    }
    return try signIn.deviceLogin(progress: interaction.progress)
  }

  private func staticKeys(owner: String, fileKeys: FileKeys?) throws(AwsenvError) -> Credentials {
    try keyring.longLivedKeys(owner: owner, fileKeys: fileKeys)
  }

  /// `keys` as they are, or through a GetSessionToken session with MFA when the chain asks for
  /// one (mfa_serial on the keys' profile or on the first role).
  private func withMFASession(_ keys: Credentials, owner: String) throws(AwsenvError)
    -> SessionCredentials
  {
    guard let serial = baseMFASerial else { return SessionCredentials(credentials: keys) }
    let code = try mfaCode(serial: serial, profiles: [chain.roles.first?.profile, owner])
    let sts = try stsClient.get()
    // --duration is the final session's: this one's only when no role follows (an MFA session
    // under roles keeps STS's default of 12 hours, as aws-vault's does).
    let duration = chain.roles.isEmpty ? options.duration : nil
    do {
      let session = try sts.getSessionToken(
        keys, durationSeconds: duration, mfaSerial: serial, tokenCode: code)
      return SessionCredentials(credentials: session)
    } catch {
      throw .sts(error, context(owner, mfaSerial: serial, duration: duration, final: true))
    }
  }

  private func assume(_ step: RoleStep, index: Int, with source: Credentials) throws(AwsenvError)
    -> SessionCredentials
  {
    // The first role over an MFA session needs no code of its own: the session carries MFA.
    var serial = step.mfaSerial
    if index == 0 && baseMFASerial != nil { serial = nil }
    let code = try serial.map { serial throws(AwsenvError) in
      try mfaCode(serial: serial, profiles: [step.profile])
    }
    let isFinal = index == chain.roles.count - 1
    let duration = isFinal ? options.duration ?? step.durationSeconds : step.durationSeconds
    let request = AssumeRoleRequest(
      roleArn: step.roleArn, sessionName: sessionName(step), externalID: step.externalID,
      durationSeconds: duration, mfaSerial: serial, tokenCode: code,
      sourceIdentity: step.sourceIdentity)
    let sts = try stsClient.get()
    DebugLog.log(
      "sts: AssumeRole \(step.roleArn) as '\(sessionName(step))' with "
        + "\(DebugLog.mask(accessKeyID: source.accessKeyID)) at \(sts.endpoint)"
        + (serial.map { " with MFA \($0)" } ?? ""))
    do {
      let result = try sts.assumeRole(source, request)
      return result
    } catch {
      throw .sts(
        error,
        context(
          step.profile, roleArn: step.roleArn, mfaSerial: serial,
          duration: duration, final: isFinal))
    }
  }

  private func webIdentity(owner: String) throws(AwsenvError) -> SessionCredentials {
    let (roleArn, tokenFile, sessionName) = webIdentitySettings()
    let token: String
    do throws(AtomicFile.Failure) {
      guard let bytes = try AtomicFile.read(tokenFile, limit: 1 << 16) else {
        throw AtomicFile.Failure(path: tokenFile, reason: "no such file")
      }
      token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    } catch {
      throw .webIdentityTokenUnreadable(profile: owner, path: tokenFile, reason: error.reason)
    }
    guard !token.isEmpty else {
      throw .webIdentityTokenEmpty(path: tokenFile)
    }
    let duration =
      chain.roles.isEmpty ? options.duration ?? duration(of: owner) : duration(of: owner)
    let sts = try stsClient.get()
    do {
      let result = try sts.assumeRoleWithWebIdentity(
        roleArn: roleArn, sessionName: sessionName, token: token, durationSeconds: duration)
      return result
    } catch {
      var context = context(owner, roleArn: roleArn, duration: duration, final: chain.roles.isEmpty)
      context.tokenFile = tokenFile
      throw .sts(error, context)
    }
  }

  private func process(owner: String, command: String) throws(AwsenvError) -> SessionCredentials {
    let output: [UInt8]
    do {
      output = try CommandRunner.run(command, environment: dependencies.environment)
    } catch {
      throw .command(profile: owner, key: "credential_process", error)
    }
    let text = String(decoding: output, as: UTF8.self)
    guard let credentials = Credentials.fromProcessJSON(text) else {
      throw .credentialProcessOutput(profile: owner, .notCredentials)
    }
    do {
      try credentials.validate()
    } catch {
      throw .credentialProcessOutput(profile: owner, .wrongShape(error))
    }
    if let expiry = credentials.expiration, expiry <= now {
      throw .credentialProcessOutput(profile: owner, .expired(expiry))
    }
    return SessionCredentials(credentials: credentials)
  }

  /// An MFA code for `serial`: --mfa-code, else the mfa_process of the first of `profiles`
  /// that has one, else the terminal.
  private func mfaCode(serial: String, profiles: [String?]) throws(AwsenvError) -> String {
    if let code = options.mfaCode { return try validMFACode(code) }
    for case let name? in profiles {
      guard let command = config.profile(name)?["mfa_process"] else { continue }
      let output: [UInt8]
      do {
        output = try CommandRunner.run(command, environment: dependencies.environment, limit: 4096)
      } catch {
        throw .command(profile: name, key: "mfa_process", error)
      }
      return try validMFACode(
        String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
    let hint =
      "run `awsenv use \(profile)` on a terminal, pass --mfa-code CODE, or set mfa_process in "
      + "the profile"
    guard options.interactive else {
      throw .needsInteraction("profile '\(profile)' needs an MFA code for \(serial); \(hint)")
    }
    guard let answer = dependencies.askMFACode("MFA code for \(serial): ") else {
      throw .needsInteraction(
        "profile '\(profile)' needs an MFA code for \(serial) and there is no terminal to ask "
          + "on; pass --mfa-code CODE or set mfa_process in the profile")
    }
    return try validMFACode(answer.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  private func validMFACode(_ code: String) throws(AwsenvError) -> String {
    guard code.count == 6, code.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else {
      throw .invalidMFACode
    }
    return code
  }

  private func context(
    _ owner: String, roleArn: String? = nil, mfaSerial: String? = nil, duration: Int? = nil,
    final: Bool = false
  ) -> STSError.Context {
    var context = STSError.Context(
      profile: owner, roleArn: roleArn, mfaSerial: mfaSerial, durationSeconds: duration,
      region: (try? stsClient.get())?.signingRegion)
    context.keysProfile = keysOwner
    context.durationFromFlag = final && options.duration != nil
    return context
  }
}
