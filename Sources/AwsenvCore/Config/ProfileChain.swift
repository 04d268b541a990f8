/// How a profile gets its credentials, from its own keys: what `awsenv list` shows.
public enum ProfileKind: String, Sendable, CaseIterable {
  case keys, role, sso
  case webIdentity = "web-identity"
  case saml, process, none
}

/// One AssumeRole call: the credentials so far assume `roleArn`.
public struct RoleStep: Sendable, Equatable {
  /// The profile that names the role.
  public var profile: String
  public var roleArn: String
  public var externalID: String?
  public var sessionName: String?
  public var durationSeconds: Int?
  public var mfaSerial: String?
  public var sourceIdentity: String?

  public init(
    profile: String, roleArn: String, externalID: String? = nil, sessionName: String? = nil,
    durationSeconds: Int? = nil, mfaSerial: String? = nil, sourceIdentity: String? = nil
  ) {
    self.profile = profile
    self.roleArn = roleArn
    self.externalID = externalID
    self.sessionName = sessionName
    self.durationSeconds = durationSeconds
    self.mfaSerial = mfaSerial
    self.sourceIdentity = sourceIdentity
  }
}

/// Where a chain's first credentials come from.
public enum BaseCredentials: Sendable, Equatable {
  /// Long-lived keys of `profile`: awsenv looks in the keyring first, then `fileKeys` (keys
  /// written in the files, nil when none).
  case staticKeys(profile: String, fileKeys: FileKeys?)
  /// credential_source = Environment | Ec2InstanceMetadata | EcsContainer
  case namedSource(profile: String, name: String)
  case webIdentity(profile: String, roleArn: String, tokenFile: String, sessionName: String?)
  /// awsenv's own: role_arn + saml_provider_arn in a profile (assertion supplied at `use` time)
  case saml(profile: String, roleArn: String, providerArn: String, sessionName: String?)
  /// IAM Identity Center. `sessionName` is the `[sso-session]` the start URL and region came
  /// from (nil for the legacy form with both in the profile). `accountID` and `roleName` are
  /// both set or both nil: nil means the profile only signs in (an SSO token, as
  /// `aws sso login` caches) and names no role to get AWS credentials for.
  case sso(
    profile: String, sessionName: String?, startURL: String, region: String, accountID: String?,
    roleName: String?)
  case process(profile: String, command: String)
}

/// Keys written in the config or credentials file.
public struct FileKeys: Sendable, Equatable {
  public var accessKeyID: String
  public var secretAccessKey: String
  public var sessionToken: String?
  /// aws_account_id, when the profile records which account the keys belong to.
  public var accountID: String?

  public init(
    accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil,
    accountID: String? = nil
  ) {
    self.accessKeyID = accessKeyID
    self.secretAccessKey = secretAccessKey
    self.sessionToken = sessionToken
    self.accountID = accountID
  }
}

/// The credentials a profile resolves to: `base`, then each of `roles` assumed in order.
public struct ProfileChain: Sendable, Equatable {
  public var base: BaseCredentials
  /// Applied in order after `base`: the first is assumed with the base credentials.
  public var roles: [RoleStep]

  public init(base: BaseCredentials, roles: [RoleStep] = []) {
    self.base = base
    self.roles = roles
  }
}

/// Why a profile does not resolve to a credential chain. Each message starts with the AWS SDKs'
/// wording and then says what to change.
public enum ResolveError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Neither file defines any profile.
  case noProfilesDefined
  /// The selected profile is in neither file.
  case profileNotFound(profile: String)
  /// `source_profile` names a profile that is in neither file.
  case sourceProfileNotFound(profile: String, referencedFrom: String)
  /// role_arn without source_profile or credential_source.
  case missingSourceProfile(profile: String)
  /// role_arn with both source_profile and credential_source.
  case conflictingSources(profile: String)
  /// credential_source is not Environment, Ec2InstanceMetadata or EcsContainer.
  case unknownCredentialSource(profile: String, name: String)
  /// Only one of aws_access_key_id and aws_secret_access_key; `missing` names the other.
  case partialKeys(profile: String, missing: String)
  /// Nothing that yields credentials (and no keyring fallback was asked for).
  case noCredentials(profile: String)
  /// source_profile references that come back to a profile already visited.
  case credentialLoop(profiles: [String], next: String)
  /// web_identity_token_file or saml_provider_arn (`key`) without role_arn.
  case missingRoleArn(profile: String, key: String)
  /// duration_seconds that is not a whole number.
  case invalidDurationSeconds(profile: String, value: String)
  /// sso_session names a `[sso-session]` section that does not exist.
  case ssoSessionNotFound(profile: String, session: String)
  /// sso_start_url or sso_region (`key`) in a profile that uses an sso-session.
  case ssoKeyOutsideSession(profile: String, key: String, session: String)
  /// One of sso_account_id and sso_role_name without the other.
  case ssoIncomplete(profile: String, present: String, missing: String)
  /// sso_start_url or sso_region (`key`) is set nowhere; `session` is where it belongs.
  case ssoMissingKey(profile: String, key: String, session: String?)

  /// One line for the user, without the `awsenv:` prefix.
  public var message: String {
    switch self {
    case .noProfilesDefined:
      return "No profiles were defined in the AWS config or credentials file; "
        + "create one with `aws configure --profile NAME` or `awsenv add NAME`"
    case .profileNotFound(let profile):
      return "profile `\(profile)` was not found in the AWS config or credentials file; "
        + "`awsenv list` shows the profiles there"
    case .sourceProfileNotFound(let profile, let from):
      return "could not find source profile \(profile) referenced from \(from); "
        + "add a \(header(profile)) section to ~/.aws/config, "
        + "or fix `source_profile` in \(header(from))"
    case .missingSourceProfile(let profile):
      return "invalid credential source in `\(profile)`: the profile has role_arn, so the "
        + "profile must contain `source_profile` or `credential_source` but neither were "
        + "defined; add `source_profile = NAME` (the profile whose credentials assume the role) "
        + "to \(header(profile)) in ~/.aws/config"
    case .conflictingSources(let profile):
      return "invalid credential source in `\(profile)`: profile contained both source_profile "
        + "and credential_source; keep only one of them in \(header(profile))"
    case .unknownCredentialSource(let profile, let name):
      return "invalid credential source in `\(profile)`: credential_source `\(name)` is not "
        + "supported; use Environment, Ec2InstanceMetadata or EcsContainer (case matters)"
    case .partialKeys(let profile, let missing):
      let present =
        missing == "aws_access_key_id" ? "aws_secret_access_key" : "aws_access_key_id"
      return "invalid credential source in `\(profile)`: profile missing \(missing); "
        + "add it next to \(present) in [\(profile)] in ~/.aws/credentials, or remove "
        + "\(present) and keep the keys in the keyring with `awsenv add \(profile)`"
    case .noCredentials(let profile):
      return "profile `\(profile)` did not contain credential information; give it keys "
        + "(`awsenv add \(profile)`), or role_arn with source_profile, sso_session or "
        + "credential_process"
    case .credentialLoop(let profiles, let next):
      return "profile formed an infinite loop: "
        + (profiles + [next]).joined(separator: " -> ")
        + "; change `source_profile` in one of them so the chain ends at a profile with keys"
    case .missingRoleArn(let profile, let key):
      return "invalid credential source in `\(profile)`: `\(key)` was specified but `role_arn` "
        + "was missing; add `role_arn = arn:aws:iam::ACCOUNT:role/NAME` to \(header(profile))"
    case .invalidDurationSeconds(let profile, let value):
      return "duration_seconds `\(value)` in \(header(profile)) is not a whole number of "
        + "seconds; use e.g. `duration_seconds = 3600`"
    case .ssoSessionNotFound(let profile, let session):
      return "sso-session named `\(session)` (referenced by profile `\(profile)`) was not "
        + "found; add an [sso-session \(session)] section to ~/.aws/config, or fix "
        + "`sso_session` in \(header(profile))"
    case .ssoKeyOutsideSession(let profile, let key, let session):
      return "invalid SSO configuration in `\(profile)`: `\(key)` can only be specified in the "
        + "[sso-session] config when a session name is given; move it from \(header(profile)) "
        + "to [sso-session \(session)]"
    case .ssoIncomplete(let profile, let present, let missing):
      return "invalid SSO configuration in `\(profile)`: if `\(present)` is set, then "
        + "`\(missing)` must also be set; add `\(missing)` to \(header(profile))"
    case .ssoMissingKey(let profile, let key, let session):
      let place = session.map { "[sso-session \($0)]" } ?? header(profile)
      return "invalid SSO configuration in `\(profile)`: `\(key)` was missing; "
        + "add it to \(place) in ~/.aws/config"
    }
  }

  public var description: String { message }
}

/// The header a profile has in ~/.aws/config, for messages.
private func header(_ profile: String) -> String {
  profile == "default" ? "[default]" : "[profile \(profile)]"
}

extension AWSConfig {
  /// The credential chain of `profile`, as the AWS SDKs resolve it.
  ///
  /// `keyringFallback`: when true, a profile with no credential information at all resolves to
  /// `.staticKeys(profile:, fileKeys: nil)` (awsenv keeps keys in the keyring, not the files)
  /// instead of the SDK's "did not contain credential information" error. The conformance test
  /// runs with false.
  public func resolveChain(
    profile selected: String, keyringFallback: Bool
  ) throws(ResolveError) -> ProfileChain {
    if profiles.isEmpty { throw .noProfilesDefined }
    var name = selected
    var visited: [String] = []
    var roles: [RoleStep] = []
    while true {
      guard let profile = profiles[name] else {
        guard let from = visited.last else { throw .profileNotFound(profile: name) }
        throw .sourceProfileNotFound(profile: name, referencedFrom: from)
      }
      if visited.contains(name) { throw .credentialLoop(profiles: visited, next: name) }
      visited.append(name)
      // A source profile with keys ends the chain even if it names a role itself: the SDKs use
      // the keys and do not assume that profile's role.
      if visited.count > 1, let keys = try? fileKeys(profile) {
        return ProfileChain(
          base: .staticKeys(profile: name, fileKeys: keys), roles: roles.reversed())
      }
      guard let role = try roleStep(profile) else {
        let base = try baseCredentials(profile, keyringFallback: keyringFallback)
        return ProfileChain(base: base, roles: roles.reversed())
      }
      roles.append(role)
      switch (profile["source_profile"], profile["credential_source"]) {
      case (.some, .some):
        throw .conflictingSources(profile: name)
      case (nil, nil):
        throw .missingSourceProfile(profile: name)
      case (let source?, nil) where source != name:
        name = source
      default:
        // credential_source, or source_profile naming itself: this profile's own credentials
        // assume its role.
        let base = try baseCredentials(profile, keyringFallback: keyringFallback)
        return ProfileChain(base: base, roles: roles.reversed())
      }
    }
  }

  /// What `awsenv list` shows, from the profile's own keys (role_arn+source_profile/
  /// credential_source → role, role_arn+web_identity_token_file → web-identity,
  /// role_arn+saml_provider_arn → saml, sso_* → sso, credential_process → process,
  /// aws_access_key_id → keys, else none).
  public func kind(ofProfile name: String) -> ProfileKind {
    guard let profile = profiles[name] else { return .none }
    let hasRole = profile["role_arn"] != nil
    if hasRole, profile["web_identity_token_file"] != nil { return .webIdentity }
    if hasRole, profile["saml_provider_arn"] != nil { return .saml }
    if hasRole, profile["source_profile"] != nil || profile["credential_source"] != nil {
      return .role
    }
    if ssoKeys.contains(where: { profile[$0] != nil }) { return .sso }
    if profile["credential_process"] != nil { return .process }
    if profile["aws_access_key_id"] != nil { return .keys }
    return .none
  }

  /// The role a profile assumes on top of its source, or nil when role_arn is absent or
  /// belongs to a provider that takes no source credentials (web identity, SAML).
  private func roleStep(_ profile: ProfileSection) throws(ResolveError) -> RoleStep? {
    guard let roleArn = profile["role_arn"], profile["web_identity_token_file"] == nil,
      profile["saml_provider_arn"] == nil
    else { return nil }
    var duration: Int?
    if let text = profile["duration_seconds"] {
      guard let seconds = Int(text), seconds > 0 else {
        throw .invalidDurationSeconds(profile: profile.name, value: text)
      }
      duration = seconds
    }
    return RoleStep(
      profile: profile.name, roleArn: roleArn, externalID: profile["external_id"],
      sessionName: profile["role_session_name"], durationSeconds: duration,
      mfaSerial: profile["mfa_serial"], sourceIdentity: profile["source_identity"])
  }

  /// The credentials a profile provides without assuming one of its roles, in the SDKs' order
  /// of precedence.
  private func baseCredentials(
    _ profile: ProfileSection, keyringFallback: Bool
  ) throws(ResolveError) -> BaseCredentials {
    let name = profile.name
    if let source = profile["credential_source"] {
      guard namedSources.contains(source) else {
        throw .unknownCredentialSource(profile: name, name: source)
      }
      return .namedSource(profile: name, name: source)
    }
    if let tokenFile = profile["web_identity_token_file"] {
      guard let roleArn = profile["role_arn"] else {
        throw .missingRoleArn(profile: name, key: "web_identity_token_file")
      }
      return .webIdentity(
        profile: name, roleArn: roleArn, tokenFile: tokenFile,
        sessionName: profile["role_session_name"])
    }
    if let providerArn = profile["saml_provider_arn"] {
      guard let roleArn = profile["role_arn"] else {
        throw .missingRoleArn(profile: name, key: "saml_provider_arn")
      }
      return .saml(
        profile: name, roleArn: roleArn, providerArn: providerArn,
        sessionName: profile["role_session_name"])
    }
    if let sso = try sso(profile) { return sso }
    if let command = profile["credential_process"] {
      return .process(profile: name, command: command)
    }
    if let keys = try fileKeys(profile) {
      return .staticKeys(profile: name, fileKeys: keys)
    }
    if keyringFallback { return .staticKeys(profile: name, fileKeys: nil) }
    throw .noCredentials(profile: name)
  }

  /// Keys written in the profile; nil when it has none of them.
  private func fileKeys(_ profile: ProfileSection) throws(ResolveError) -> FileKeys? {
    let id = profile["aws_access_key_id"]
    let secret = profile["aws_secret_access_key"]
    let token = profile["aws_session_token"]
    if id == nil, secret == nil, token == nil { return nil }
    guard let id else { throw .partialKeys(profile: profile.name, missing: "aws_access_key_id") }
    guard let secret else {
      throw .partialKeys(profile: profile.name, missing: "aws_secret_access_key")
    }
    return FileKeys(
      accessKeyID: id, secretAccessKey: secret, sessionToken: token,
      accountID: profile["aws_account_id"])
  }

  /// IAM Identity Center settings, from the profile or its `[sso-session]`; nil when the
  /// profile has no sso_* key.
  private func sso(_ profile: ProfileSection) throws(ResolveError) -> BaseCredentials? {
    let name = profile.name
    guard ssoKeys.contains(where: { profile[$0] != nil }) else { return nil }
    var startURL = profile["sso_start_url"]
    var region = profile["sso_region"]
    let sessionName = profile["sso_session"]
    if let sessionName {
      guard let session = ssoSessions[sessionName] else {
        throw .ssoSessionNotFound(profile: name, session: sessionName)
      }
      // The AWS CLI accepts a copy of the session's value in the profile; the SDKs reject any.
      for key in ["sso_start_url", "sso_region"] {
        if let value = profile[key], value != session[key] {
          throw .ssoKeyOutsideSession(profile: name, key: key, session: sessionName)
        }
      }
      startURL = session["sso_start_url"]
      region = session["sso_region"]
    }
    let accountID = profile["sso_account_id"]
    let roleName = profile["sso_role_name"]
    switch (accountID, roleName) {
    case (.some, nil):
      throw .ssoIncomplete(profile: name, present: "sso_account_id", missing: "sso_role_name")
    case (nil, .some):
      throw .ssoIncomplete(profile: name, present: "sso_role_name", missing: "sso_account_id")
    default:
      break
    }
    guard let region else {
      throw .ssoMissingKey(profile: name, key: "sso_region", session: sessionName)
    }
    guard let startURL else {
      throw .ssoMissingKey(profile: name, key: "sso_start_url", session: sessionName)
    }
    return .sso(
      profile: name, sessionName: sessionName, startURL: startURL, region: region,
      accountID: accountID, roleName: roleName)
  }
}

private let ssoKeys = [
  "sso_session", "sso_start_url", "sso_region", "sso_account_id", "sso_role_name",
]

private let namedSources: Set<String> = ["Environment", "Ec2InstanceMetadata", "EcsContainer"]
