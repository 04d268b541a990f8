/// Finding the credentials and region of a profile: the shared first step of `use`, `exec`,
/// `export` and `credential-process`.
public struct ProfileResolver: Sendable {
  public var config: AWSConfig
  public var keyring: Keyring

  public init(config: AWSConfig, keyring: Keyring) {
    self.config = config
    self.keyring = keyring
  }

  /// The credentials of `profile`.
  ///
  /// Long-lived keys come from the keyring first, then from the files. A profile whose
  /// credential_process runs awsenv itself (the way awsenv hands keyring keys to every SDK) is
  /// read from the keyring directly instead of running it, which would loop.
  public func credentials(profile: String) throws(AwsenvError) -> Credentials {
    guard config.profile(profile) != nil else {
      // A profile may live only in the keyring (its config section was deleted by hand).
      if let keys = try keyringKeys(profile) { return keys }
      throw .unknownProfile(profile, configPath: config.configPath)
    }
    let chain: ProfileChain
    do {
      chain = try config.resolveChain(profile: profile, keyringFallback: true)
    } catch {
      throw .resolve(error)
    }
    guard chain.roles.isEmpty else {
      throw .unsupported(profile: profile, what: "AssumeRole (role_arn)")
    }
    switch chain.base {
    case .staticKeys(let owner, let fileKeys):
      let plaintext = fileKeys.map {
        Credentials(
          accessKeyID: $0.accessKeyID, secretAccessKey: $0.secretAccessKey,
          sessionToken: $0.sessionToken)
      }
      do {
        if let keys = try keyring.accessKey(profile: owner) { return keys }
      } catch {
        // No keyring on this machine at all (a server, an SSH session): the keys in the file
        // are the only ones there can be. A locked or hung keyring is still an error.
        switch (error, plaintext) {
        case (.noSessionBus, let plaintext?), (.noProvider, let plaintext?): return plaintext
        default: throw .keyring(error)
        }
      }
      if let plaintext { return plaintext }
      throw .noKeys(owner)
    case .process(let owner, let command) where Self.runsAwsenv(command):
      if let keys = try keyringKeys(owner) { return keys }
      throw .noKeys(owner)
    case .process:
      throw .unsupported(profile: profile, what: "credential_process")
    case .namedSource(_, let name):
      throw .unsupported(profile: profile, what: "credential_source = \(name)")
    case .webIdentity:
      throw .unsupported(profile: profile, what: "AssumeRoleWithWebIdentity")
    case .saml:
      throw .unsupported(profile: profile, what: "AssumeRoleWithSAML")
    case .sso:
      throw .unsupported(profile: profile, what: "IAM Identity Center (SSO)")
    }
  }

  /// The region configured for `profile`, if any.
  public func region(profile: String) -> String? {
    config.profile(profile)?["region"]
  }

  /// The credentials and region of `profile`: what `use`, `exec` and `export` put in an
  /// environment. The region is `regionFlag`, else the profile's, else the shell's own.
  public func activation(
    profile: String, regionFlag: String?, environment: [String: String]
  ) throws(AwsenvError) -> Activation {
    let credentials = try credentials(profile: profile)
    let region = ShellSession.region(
      flag: regionFlag, profileRegion: region(profile: profile), environment: environment)
    return Activation(profile: profile, credentials: credentials, region: region)
  }

  private func keyringKeys(_ profile: String) throws(AwsenvError) -> Credentials? {
    do {
      return try keyring.accessKey(profile: profile)
    } catch {
      throw .keyring(error)
    }
  }

  /// Whether a credential_process command line starts with the awsenv binary.
  static func runsAwsenv(_ command: String) -> Bool {
    let first = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? ""
    let program = first.trimmingPrefix("\"").split(separator: "/").last ?? ""
    return program == "awsenv" || program == "awsenv\""
  }
}

/// A profile made ready for an environment: its credentials and the region to go with them.
public struct Activation: Sendable, Equatable {
  public var profile: String
  public var credentials: Credentials
  public var region: String?

  public init(profile: String, credentials: Credentials, region: String?) {
    self.profile = profile
    self.credentials = credentials
    self.region = region
  }

  /// The variables this activation sets (a value) or unsets (nil), in a stable order.
  public var variables: [(String, String?)] {
    [
      ("AWS_ACCESS_KEY_ID", credentials.accessKeyID),
      ("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey),
      ("AWS_SESSION_TOKEN", credentials.sessionToken),
      ("AWS_SECURITY_TOKEN", nil),
      ("AWS_CREDENTIAL_EXPIRATION", credentials.expiration.map(rfc3339)),
      ("AWS_REGION", region),
      ("AWS_DEFAULT_REGION", region),
      ("AWS_PROFILE", profile),
      ("AWS_DEFAULT_PROFILE", nil),
      ("AWSENV_PROFILE", profile),
    ]
  }
}
