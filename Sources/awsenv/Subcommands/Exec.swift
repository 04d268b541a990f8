import ArgumentParser
import AwsenvCore
import Foundation

extension Awsenv {
  struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "exec",
      abstract: "Run a command with a profile's credentials in its environment.",
      discussion: """
        Example: awsenv exec prod -- aws s3 ls
        Without a command, starts $SHELL. The command replaces awsenv (same process), so its exit
        status and signals are its own.
        With --server, awsenv stays as the command's parent and serves it the profile's
        credentials on 127.0.0.1 (AWS_CONTAINER_CREDENTIALS_FULL_URI), renewed whenever they are
        about to expire: for jobs that outlive one session. The command gets no keys in its
        environment; its exit status is awsenv's.
        """)

    @Argument(
      help: "A profile from ~/.aws/config or ~/.aws/credentials (with --role-arn: the source).",
      completion: .custom(completeProfiles))
    var profile: String?

    @Option(help: "Set AWS_REGION and AWS_DEFAULT_REGION to this region.")
    var region: String?

    @OptionGroup var credentials: CredentialOptions

    @Flag(help: "Serve the credentials to the command from a local endpoint that renews them.")
    var server = false

    @OptionGroup var adHoc: AdHocRoleOptions

    // After `--` only: options may follow the profile, and a command is never taken for one.
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    @OptionGroup var global: GlobalOptions

    func validate() throws {
      if server && adHoc.roleArn != nil {
        throw ValidationError("--server serves a profile's sessions; --role-arn is not served")
      }
    }

    func run() throws {
      let runtime = Runtime()
      var argv = command
      if argv.isEmpty { argv = [runtime.environment["SHELL"] ?? "/bin/sh"] }
      if server {
        guard let profile else { throw ValidationError("--server needs a profile") }
        try execWithServer(
          runtime: runtime, profile: profile,
          options: try credentials.resolveOptions(region: region),
          duration: credentials.duration?.seconds, argv: argv)
      }
      let activation = try runtime.activation(
        profile, role: try adHoc.role(profile: profile, environment: runtime.environment),
        options: try credentials.resolveOptions(region: region))
      var environment = runtime.environment
      environment["AWSENV_SHELL"] = nil
      for (name, value) in activation.variables { environment[name] = value }
      let code = replaceProcess(argv, environment: environment)
      throw Failure("cannot run '\(argv[0])': \(String(cString: strerror(code)))")
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
