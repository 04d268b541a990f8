import ArgumentParser
import AwsenvCore

/// The `awsenv` command.
struct Awsenv: ParsableCommand {
  static let version = "0.1.0"

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
      Import.self, List.self, Remove.self, Init.self, Doctor.self,
    ]
  )
}

/// A failure already phrased for the user: printed as one `awsenv:` line, exit status 1.
struct Failure: Error {
  var message: String

  init(_ message: String) { self.message = message }
  init(_ error: AwsenvError) { self.message = error.message }
}

/// Options every profile command shares.
struct ProfileArgument: ParsableArguments {
  @Argument(
    help: "A profile from ~/.aws/config or ~/.aws/credentials.",
    completion: .custom(completeProfiles))
  var profile: String
}
