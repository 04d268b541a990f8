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
      Whoami.self, Console.self, Serve.self, Login.self, Logout.self, SSO.self, Import.self,
      Rotate.self, List.self, Remove.self, Init.self, Doctor.self, Prompt.self, Pick.self,
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
      interactive: interactive)
  }
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
