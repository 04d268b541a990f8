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
