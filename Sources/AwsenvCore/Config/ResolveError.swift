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
