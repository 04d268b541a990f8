import Foundation

/// Everything that can stop an awsenv command. Each message is one line that says what to do
/// next; none contains a secret.
public enum AwsenvError: Error, Sendable {
  /// The profile is in neither config file.
  case unknownProfile(String, configPath: String)
  /// The name cannot be written as an AWS profile name.
  case invalidProfileName(String)
  /// A static-key profile without keys in the keyring or the files.
  case noKeys(String)
  /// A kind of profile this build cannot get credentials for yet.
  case unsupported(profile: String, what: String)
  /// The profile's credential settings are inconsistent.
  case resolve(ResolveError)
  /// A config file could not be parsed.
  case config(ConfigError)
  /// A config file could not be read or written.
  case file(AtomicFile.Failure)
  /// The keyring failed.
  case keyring(KeyringError)
  /// Keys that do not have the shape of AWS keys.
  case invalidKeys(Credentials.ValidationError)
  /// Shell code could not be produced.
  case shell(ShellError)
  /// An STS call failed; the context names what it was about.
  case sts(STSError, STSError.Context)
  /// An IAM Identity Center call failed.
  case sso(SSOError, SSOError.Context)
  /// An endpoint could not be used or reached outside an STS call.
  case http(HTTPError)
  /// Going on needs the user (an MFA code, a SAML assertion, a login) and none can be asked:
  /// exit status 3, so the prompt hook can tell it from a failure.
  case needsInteraction(String)
  /// A credential_process or mfa_process command failed.
  case command(profile: String, key: String, CommandRunner.Failure)
  /// Profiles that get their credentials from each other through `awsenv
  /// credential-process`, in the order they were reached (the first one again at the end).
  case credentialProcessLoop([String])
  /// The region STS would be called in is not a region name.
  case invalidRegion(String)
  /// An MFA code that is not 6 digits.
  case invalidMFACode
  /// credential_source = Environment in a shell that had no keys before awsenv.
  case noEnvironmentKeys(profile: String)
  /// An IAM Identity Center profile without sso_account_id and sso_role_name.
  case ssoRoleNotNamed(profile: String)
  /// The web identity token file could not be read.
  case webIdentityTokenUnreadable(profile: String, path: String, reason: String)
  /// The web identity token file is empty.
  case webIdentityTokenEmpty(path: String)
  /// A credential_process printed something awsenv cannot use.
  case credentialProcessOutput(profile: String, ProcessOutputProblem)
  /// No `[sso-session NAME]` in the config file; `known` are the ones there are.
  case unknownSSOSession(String, configPath: String, known: [String])
  /// An `[sso-session NAME]` without `missing` (sso_start_url or sso_region).
  case incompleteSSOSession(String, missing: String, configPath: String)
  /// An sso_region that is not a region name; `place` says where it was read.
  case invalidSSORegion(String, place: String)
  /// `awsenv login PROFILE` of a profile that does not sign in through IAM Identity Center.
  case notSSOProfile(String)
  /// Another awsenv held the lock for `seconds` (its process ID when known).
  case lockBusy(holder: Int32?, doing: String, seconds: Int, nothingChanged: Bool)
  /// No sign-in named, and the config has no single [sso-session] to take; `known` are the
  /// ones it has.
  case whichSSOSession(known: [String])
  /// `awsenv logout` with no sign-in in the keyring.
  case noSSOSignIns
  /// `awsenv logout` of a sign-in the keyring holds no token for (its display name).
  case notSignedIn(String)
  /// `awsenv whoami` in a shell without AWS credentials.
  case noShellCredentials
  /// `--role-arn` that is not an IAM role ARN.
  case invalidRoleArn(String)
  /// Anything else, already phrased for the user.
  case other(String)

  /// What is wrong with the output of a credential_process.
  public enum ProcessOutputProblem: Sendable, Equatable {
    /// Not a Version 1 JSON document with keys (or an Expiration that is not RFC 3339).
    case notCredentials
    /// Keys of the wrong shape.
    case wrongShape(Credentials.ValidationError)
    /// Credentials that expired at this time.
    case expired(Date)
  }

  /// The exit status for this error: 3 when only the user can go on, else 1.
  public var exitStatus: Int32 {
    if case .needsInteraction = self { return 3 }
    return 1
  }

  public var message: String {
    switch self {
    case .unknownProfile(let name, let path):
      return "no profile named '\(name)' in \(path) or the credentials file; "
        + "`awsenv list` shows the profiles, `awsenv add \(name)` creates it"
    case .invalidProfileName(let name):
      return "'\(name)' cannot be a profile name: use letters, digits and - / . % @ _ : +"
    case .noKeys(let name):
      return "profile '\(name)' has no access keys in the keyring or the credentials file; "
        + "store them with `awsenv add \(name)` (or `awsenv import \(name)`)"
    case .unsupported(let name, let what):
      return "profile '\(name)' needs \(what), which this version of awsenv cannot do yet; "
        + "`awsenv list` shows which profiles it can use"
    case .resolve(let error): return error.message
    case .config(let error): return error.description
    case .file(let failure): return failure.message
    case .keyring(let error): return error.message
    case .invalidKeys(let error): return error.message
    case .shell(let error): return error.message
    case .sts(let error, let context): return error.message(context)
    case .sso(let error, let context): return error.message(context)
    case .http(let error): return error.message
    case .needsInteraction(let message): return message
    case .command(let profile, let key, let failure):
      let what = "\(key) of profile '\(profile)'"
      switch failure {
      case .badCommandLine(let detail):
        return "cannot run the \(what): \(detail); fix the quoting in the config file"
      case .notStarted(let program, let detail):
        return "cannot start \(program), the \(what) (\(detail)); check the path in the config "
          + "file"
      case .failed(let program, let status):
        return "\(program), the \(what), failed with exit status \(status); its own "
          + "message (above) says why"
      case .tooMuchOutput(let program):
        return "\(program), the \(what), printed more than 1 MiB; is it the right command?"
      }
    case .credentialProcessLoop(let profiles):
      return "profiles get their credentials from each other in a loop ("
        + profiles.map { "'\($0)'" }.joined(separator: " → ")
        + ") through `awsenv credential-process`; point one of them at keys, a role or a "
        + "sign-in"
    case .invalidRegion(let region):
      return "'\(region)' is not a region name (like eu-west-1); fix `region` in the profile, "
        + "AWS_REGION or --region"
    case .invalidMFACode:
      return "an MFA code is 6 digits, as the authenticator app shows it; try again"
    case .noEnvironmentKeys(let owner):
      return "profile '\(owner)' takes its source credentials from the environment "
        + "(credential_source = Environment), but this shell had no AWS_ACCESS_KEY_ID and "
        + "AWS_SECRET_ACCESS_KEY before awsenv; export them, or use source_profile"
    case .ssoRoleNotNamed(let owner):
      return "profile '\(owner)' signs in to IAM Identity Center but names no role: add "
        + "sso_account_id and sso_role_name to it (`awsenv sso sync` writes a profile for "
        + "every role you have)"
    case .webIdentityTokenUnreadable(let owner, let tokenFile, let reason):
      return "cannot read the web identity token file \(tokenFile) of profile '\(owner)' "
        + "(\(reason)); check web_identity_token_file / AWS_WEB_IDENTITY_TOKEN_FILE"
    case .webIdentityTokenEmpty(let tokenFile):
      return "the web identity token file \(tokenFile) is empty; write a fresh token to it"
    case .credentialProcessOutput(let owner, .notCredentials):
      return "the credential_process of profile '\(owner)' did not print a Version 1 JSON "
        + "document with AccessKeyId and SecretAccessKey (and an RFC 3339 Expiration, if any); "
        + "fix the command"
    case .credentialProcessOutput(let owner, .wrongShape(let error)):
      return "the credential_process of profile '\(owner)' printed keys of the wrong "
        + "shape: \(error.message)"
    case .credentialProcessOutput(let owner, .expired(let expiry)):
      return "the credential_process of profile '\(owner)' returned credentials that expired "
        + "at \(rfc3339(expiry)); fix the command or its own cache"
    case .unknownSSOSession(let name, let configPath, let known):
      return "no [sso-session \(name)] in \(configPath); "
        + (known.isEmpty
          ? "add one with sso_start_url and sso_region"
          : "the config has \(known.joined(separator: ", "))")
    case .incompleteSSOSession(let name, let missing, let configPath):
      return "[sso-session \(name)] has no \(missing); add it to \(configPath)"
    case .invalidSSORegion(let region, let place):
      return "sso_region = \(region) \(place) is not a region name"
    case .notSSOProfile(let name):
      return "profile '\(name)' does not sign in through IAM Identity Center (it has no "
        + "sso_session or sso_start_url); `awsenv login` is for SSO profiles"
    case .lockBusy(let holder, let doing, let seconds, let nothingChanged):
      return "another awsenv\(holder.map { " (process \($0))" } ?? "") has been \(doing) for "
        + "\(seconds) s; let it finish or stop it, then try again"
        + (nothingChanged ? "; nothing was changed" : "")
    case .whichSSOSession(let names):
      return names.isEmpty
        ? "the config has no [sso-session] section and no profile was given; add one "
          + "(sso_start_url, sso_region), or name an SSO profile"
        : "say which sign-in: a profile, or --sso-session with one of "
          + names.joined(separator: ", ")
    case .noSSOSignIns:
      return "the keyring holds no IAM Identity Center sign-in; nothing to sign out of"
    case .notSignedIn(let name):
      return "the keyring holds no sign-in for \(name); nothing to sign out of"
    case .noShellCredentials:
      return "this shell has no AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); "
        + "run `awsenv use PROFILE` first, or `awsenv whoami --profile PROFILE`"
    case .invalidRoleArn(let text):
      return "'\(text)' is not an IAM role ARN: --role-arn takes "
        + "arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME, e.g. arn:aws:iam::123456789012:role/admin"
    case .other(let message): return message
    }
  }
}
