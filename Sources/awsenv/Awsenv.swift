import ArgumentParser
import AwsenvCore

/// The `awsenv` command.
struct Awsenv: ParsableCommand {
  static let version = AwsenvInfo.version

  static let configuration = CommandConfiguration(
    commandName: "awsenv",
    abstract: "Switch AWS profiles in the current shell, with secrets kept in the desktop keyring.",
    discussion: """
      Load the hook once in your shell's rc file:
        bash:  eval "$(awsenv init bash)"     (~/.bashrc)
        zsh:   eval "$(awsenv init zsh)"      (~/.zshrc)
        fish:  awsenv init fish | source      (~/.config/fish/config.fish)
      then `awsenv use PROFILE` and `awsenv clear`.
      """,
    version: version,
    subcommands: [
      Use.self, Clear.self, Exec.self, Export.self, CredentialProcess.self, Add.self,
      Whoami.self, Status.self, Console.self, Serve.self, Login.self, Logout.self, SSO.self,
      Import.self, Rotate.self, List.self, Remove.self, Init.self, Doctor.self, Prompt.self,
      Pick.self,
    ]
  )
}

/// A failure already phrased for the user: printed as one `awsenv:` line, exit status 1 (3
/// when only the user can go on: an MFA code, a SAML assertion, a login).
struct Failure: Error {
  var message: String
  var status: Int32 = 1

  init(_ message: String) { self.message = message }
  init(_ error: AwsenvError) {
    self.message = error.message
    self.status = error.exitStatus
  }
}

/// How to get a profile's credentials: the options `use`, `exec` and `export` share.
struct CredentialOptions: ParsableArguments {
  @Option(help: ArgumentHelp("The current code of the MFA device (six digits).", valueName: "code"))
  var mfaCode: String?

  @Flag(help: "Get new credentials even if a cached session is still valid.")
  var refresh = false

  @Option(
    help: ArgumentHelp(
      "A SAML assertion for a SAML profile: a file with the base64 SAMLResponse or the XML, "
        + "or - for stdin. Never stored.", valueName: "file"),
    completion: .file())
  var samlAssertion: String?

  @Option(
    help: ArgumentHelp(
      "The session length (900, 15m, 1h, 12h), over the profile's duration_seconds; clamped "
        + "to what AWS allows.", valueName: "duration"))
  var duration: SessionLength?

  func resolveOptions(region: String?, interactive: Bool = true) throws(Failure) -> ResolveOptions {
    var assertion: String?
    if let samlAssertion {
      do {
        assertion = try SAMLAssertion.read(samlAssertion)
      } catch {
        throw Failure(error)
      }
    }
    return ResolveOptions(
      regionFlag: region, refresh: refresh, mfaCode: mfaCode, samlAssertion: assertion,
      interactive: interactive, duration: duration?.seconds)
  }
}

/// `--role-arn` and its companions: a role that no profile names (`use`, `exec`, `export`).
struct AdHocRoleOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Assume this role (arn:aws:iam::ACCOUNT:role/NAME), which no profile needs to name, with "
        + "the source profile's credentials.", valueName: "arn"))
  var roleArn: String?

  @Option(
    help: ArgumentHelp(
      "The profile whose credentials assume --role-arn (default: the profile argument, else "
        + "this shell's profile).", valueName: "profile"),
    completion: .custom(completeProfiles))
  var sourceProfile: String?

  @Option(help: ArgumentHelp("The external id the role's trust policy asks for.", valueName: "id"))
  var externalId: String?

  @Option(
    help: ArgumentHelp("The role session name (default: your user name).", valueName: "name"))
  var roleSessionName: String?

  /// The ad-hoc role asked for, with its source: `--source-profile`, else `profile` (the
  /// command's profile argument), else this shell's profile; nil without --role-arn.
  func role(profile: String?, environment: [String: String]) throws -> AdHocRole? {
    guard let roleArn else {
      for (flag, value) in [
        ("--source-profile", sourceProfile), ("--external-id", externalId),
        ("--role-session-name", roleSessionName),
      ] where value != nil {
        throw ValidationError("\(flag) goes with --role-arn")
      }
      return nil
    }
    if let sourceProfile, let profile, sourceProfile != profile {
      throw ValidationError("give the source profile once: as the argument or --source-profile")
    }
    let active = environment["AWSENV_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
    guard let source = sourceProfile ?? profile ?? active else {
      throw Failure(
        "--role-arn needs credentials to assume the role with: pass --source-profile PROFILE, "
          + "or `awsenv use PROFILE` first")
    }
    return AdHocRole(
      roleArn: roleArn, sourceProfile: source, externalID: externalId,
      sessionName: roleSessionName)
  }
}

/// A `--duration` value, read by ``SessionDuration/parse(_:)``.
struct SessionLength: ExpressibleByArgument {
  var seconds: Int

  init?(argument: String) {
    guard let seconds = SessionDuration.parse(argument) else { return nil }
    self.seconds = seconds
  }

  static var defaultValueDescription: String { "" }
}

/// Options every profile command shares.
struct ProfileArgument: ParsableArguments {
  @Argument(
    help: "A profile from ~/.aws/config or ~/.aws/credentials.",
    completion: .custom(completeProfiles))
  var profile: String
}

/// `--debug`, on every command that reads the config, the keyring or the network.
struct GlobalOptions: ParsableArguments {
  @Flag(help: "Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.")
  var debug = false

  mutating func validate() throws {
    if debug { DebugLog.enable() }
  }
}
