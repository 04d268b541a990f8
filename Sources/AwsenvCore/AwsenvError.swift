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
  /// Anything else, already phrased for the user.
  case other(String)

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
    case .other(let message): return message
    }
  }
}
