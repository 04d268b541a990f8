import ArgumentParser
import AwsenvCore
import Foundation

extension Awsenv {
  struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run a command with a profile's credentials in its environment.",
      discussion: """
        Example: awsenv exec prod -- aws s3 ls
        Without a command, starts $SHELL. The command replaces awsenv (same process), so its exit
        status and signals are its own.
        """)

    @Argument(
      help: "A profile from ~/.aws/config or ~/.aws/credentials (with --role-arn: the source).",
      completion: .custom(completeProfiles))
    var profile: String?

    @Option(help: "Set AWS_REGION and AWS_DEFAULT_REGION to this region.")
    var region: String?

    @OptionGroup var credentials: CredentialOptions

    @OptionGroup var adHoc: AdHocRoleOptions

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments, after --.")
    var command: [String] = []

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let runtime = Runtime()
      let (profile, command) = Self.split(
        profile: self.profile, command: self.command,
        words: Array(CommandLine.arguments.dropFirst()))
      let activation = try runtime.activation(
        profile, role: try adHoc.role(profile: profile, environment: runtime.environment),
        options: try credentials.resolveOptions(region: region))
      var environment = runtime.environment
      environment["AWSENV_SHELL"] = nil
      for (name, value) in activation.variables { environment[name] = value }
      var argv = command.first == "--" ? Array(command.dropFirst()) : command
      if argv.isEmpty { argv = [runtime.environment["SHELL"] ?? "/bin/sh"] }
      let code = replaceProcess(argv, environment: environment)
      throw Failure("cannot run '\(argv[0])': \(String(cString: strerror(code)))")
    }

    /// The profile and the command of `exec --role-arn ARN -- COMMAND`, where the parser takes
    /// the command's first word (after `--`) for the profile argument, which --role-arn makes
    /// optional: a profile argument only ever comes before `--` in `words` (the command line).
    static func split(profile: String?, command: [String], words: [String])
      -> (String?, [String])
    {
      guard let profile, let dash = words.firstIndex(of: "--"), !words[..<dash].contains(profile)
      else { return (profile, command) }
      return (nil, [profile] + command)
    }
  }
}

/// Replaces this process with `argv` (searched in PATH) and `environment`; returns only on
/// failure, with errno. The environment is installed first because execvp, unlike execve, takes
/// the PATH search from the current one and has no environment argument.
func replaceProcess(_ argv: [String], environment: [String: String]) -> Int32 {
  clearenv()
  for (name, value) in environment { setenv(name, value, 1) }
  let cArgs = argv.map { strdup($0) } + [nil]
  defer { cArgs.forEach { free($0) } }
  execvp(argv[0], cArgs)
  return errno
}
