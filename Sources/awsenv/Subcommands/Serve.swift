import ArgumentParser
import AwsenvCore
import Foundation

extension Awsenv {
  struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "serve",
      abstract: "Serve a profile's credentials to other processes until Ctrl-C.",
      discussion: """
        Prints AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN for your
        shell (bash/zsh `export`, fish `set -gx`); every AWS SDK and the AWS CLI with them set
        asks the server for credentials, and gets a new session whenever the old one is about
        to expire. Long-lived keys are never served: a profile of keys is served as a
        GetSessionToken session. Example:
          awsenv serve prod --port 9911    (then, in another shell, the two printed lines)
        """)

    @OptionGroup var target: ProfileArgument

    @Option(help: "The port to listen on (default: any free port).")
    var port: Int = 0

    @Option(
      help: ArgumentHelp(
        "Listen on this IPv4 address instead of 127.0.0.1 (e.g. a Docker bridge's). Anyone "
          + "who can reach it and has the token gets the credentials.",
        valueName: "address"))
    var listen: String?

    @Option(help: "The region to call STS in (default: the profile's, else the shell's).")
    var region: String?

    @OptionGroup var credentials: CredentialOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
      guard (0...65535).contains(port) else {
        throw ValidationError("--port takes 0 to 65535")
      }
    }

    func run() throws {
      let runtime = Runtime()
      let address = try listenAddress()
      let server = try startServer(
        runtime: runtime, profile: target.profile,
        options: try credentials.resolveOptions(region: region),
        duration: credentials.duration?.seconds, address: address, port: port)
      let shell: Shell =
        runtime.hookShell
        ?? (runtime.environment["SHELL"].map { ($0 as NSString).lastPathComponent } == "fish"
          ? .fish : .bash)
      let changes: [ShellChange] = server.clientVariables.map { name, value in
        value.map { .export(name, $0) } ?? .unset(name)
      }
      do {
        writeOut(try shell.render(changes))
      } catch {
        throw Failure(.shell(error))
      }
      note(
        "serving profile '\(target.profile)' at \(server.url); paste the lines above into the "
          + "shells that should use it; Ctrl-C stops")
      _ = ChildProcess.waitForStopSignal()
      server.stop()
    }

    /// 127.0.0.1, or --listen's address, said loudly when it is not a loopback one.
    private func listenAddress() throws(Failure) -> String {
      guard let listen else { return "127.0.0.1" }
      guard listen != "0.0.0.0" else {
        throw Failure(
          "--listen 0.0.0.0 would serve every network this machine is on; name the one "
            + "interface's address (e.g. the Docker bridge's, 172.17.0.1)")
      }
      if !CredentialServer.isLoopback(listen) {
        note(
          "WARNING: listening on \(listen), not loopback: the token is the only guard of "
            + "these credentials for anyone who can reach that address")
      }
      return listen
    }
  }
}

/// Gets the first session of `profile` (on the terminal, as `use` does, if it needs an MFA
/// code or a sign-in), blocks the signals that stop a server or are passed to a child, and
/// starts the credential server. Failures to serve later go to stderr as `awsenv:` lines.
func startServer(
  runtime: Runtime, profile: String, options: ResolveOptions, duration: Int?,
  address: String = "127.0.0.1", port: Int = 0
) throws(Failure) -> CredentialServer {
  let resolver = try runtime.resolver()
  do throws(AwsenvError) {
    let seconds = try duration.map { seconds throws(AwsenvError) in
      try ServedCredentials.checkedDuration(seconds)
    }
    let served = ServedCredentials(
      resolver: resolver, profile: profile, durationSeconds: seconds,
      regionFlag: options.regionFlag)
    try served.prepare(options)
    // Before the server's threads start, so that none of them takes these signals.
    ChildProcess.blockForwardedSignals()
    let server = try CredentialServer(
      served: served, address: address, port: port, log: { note($0) })
    server.start()
    return server
  } catch {
    throw Failure(error)
  }
}

/// `awsenv exec PROFILE --server -- CMD…`: runs CMD as a child with the endpoint's variables
/// instead of credentials, serves until it ends, and ends as it did.
func execWithServer(
  runtime: Runtime, profile: String, options: ResolveOptions, duration: Int?, argv: [String]
) throws(Failure) -> Never {
  let server = try startServer(
    runtime: runtime, profile: profile, options: options, duration: duration)
  var environment = runtime.environment
  environment["AWSENV_SHELL"] = nil
  for (name, value) in server.clientVariables { environment[name] = value }
  environment["AWSENV_PROFILE"] = profile
  let resolver = try runtime.resolver()
  if let region = ShellSession.region(
    flag: options.regionFlag, profileRegion: resolver.region(profile: profile),
    environment: runtime.environment)
  {
    environment["AWS_REGION"] = region
    environment["AWS_DEFAULT_REGION"] = region
  }
  let child: pid_t
  switch ChildProcess.spawn(argv, environment: environment) {
  case .success(let pid): child = pid
  case .failure(let error): throw Failure("cannot run '\(argv[0])': \(error.description)")
  }
  ChildProcess.forwardSignals(to: child)
  let ending = ChildProcess.wait(child)
  server.stop()
  switch ending {
  case .exited(let status):
    exit(status)
  case .signalled(let signal):
    // Ends the way the child did, so that a shell running awsenv sees the signal.
    Glibc.signal(signal, SIG_DFL)
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, signal)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    raise(signal)
    exit(128 + signal)
  }
}
