import Foundation

/// Runs a command line from the config file (credential_process, mfa_process) the way the AWS
/// CLI does: split into words like a POSIX shell would (quotes and backslashes), then run the
/// program directly, with no shell in between, so nothing in the line is expanded or executed
/// beyond the program itself. Its stdout is captured; its stderr goes to the user's terminal,
/// where a credential helper's prompts and errors belong.
public enum CommandRunner {
  public enum Failure: Error, Equatable, Sendable {
    /// Unbalanced quotes or a trailing backslash, or an empty line.
    case badCommandLine(String)
    /// The program could not be started.
    case notStarted(program: String, detail: String)
    /// It ran and exited with a non-zero status (or a signal).
    case failed(program: String, status: Int32)
    /// It wrote more than the limit to stdout.
    case tooMuchOutput(program: String)
  }

  /// Splits `line` into words: POSIX shell quoting (`'…'`, `"…"` with `\"` `\\` `\$` `` \` ``
  /// escapes, backslash outside quotes), as Python's shlex.split does for the AWS CLI.
  public static func split(_ line: String) throws(Failure) -> [String] {
    var words: [String] = []
    var word = ""
    var inWord = false
    var iterator = line.unicodeScalars.makeIterator()
    while let scalar = iterator.next() {
      switch scalar {
      case " ", "\t", "\n", "\r":
        if inWord {
          words.append(word)
          word = ""
          inWord = false
        }
      case "'":
        inWord = true
        var closed = false
        while let next = iterator.next() {
          if next == "'" {
            closed = true
            break
          }
          word.unicodeScalars.append(next)
        }
        guard closed else { throw .badCommandLine("a single quote is not closed") }
      case "\"":
        inWord = true
        var closed = false
        while let next = iterator.next() {
          if next == "\"" {
            closed = true
            break
          }
          if next == "\\" {
            guard let escaped = iterator.next() else { break }
            if !["\"", "\\", "$", "`", "\n"].contains(escaped) { word.unicodeScalars.append("\\") }
            if escaped != "\n" { word.unicodeScalars.append(escaped) }
            continue
          }
          word.unicodeScalars.append(next)
        }
        guard closed else { throw .badCommandLine("a double quote is not closed") }
      case "\\":
        guard let escaped = iterator.next() else {
          throw .badCommandLine("the line ends with a backslash")
        }
        inWord = true
        if escaped != "\n" { word.unicodeScalars.append(escaped) }
      default:
        inWord = true
        word.unicodeScalars.append(scalar)
      }
    }
    if inWord { words.append(word) }
    guard !words.isEmpty else { throw .badCommandLine("the command line is empty") }
    return words
  }

  /// Variables that can carry a secret, which no helper program awsenv starts receives:
  /// the credentials the shell holds now (from an earlier `awsenv use`) and the hook's saved
  /// copy of what it held before. Only the command of `awsenv exec` gets credentials, the ones
  /// it asked for.
  public static let secretVariables: Set<String> = [
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION", "AWSENV_SAVED",
  ]

  /// `environment` without ``secretVariables``: what a credential_process, an mfa_process or
  /// the browser is started with.
  public static func childEnvironment(_ environment: [String: String]) -> [String: String] {
    environment.filter { !secretVariables.contains($0.key) }
  }

  /// Runs `line` and returns its stdout (at most `limit` bytes). stdin and stderr are the
  /// caller's; the environment is `environment` without ``secretVariables``.
  public static func run(
    _ line: String, environment: [String: String], limit: Int = 1 << 20
  ) throws(Failure) -> [UInt8] {
    let words = try split(line)
    let program = words[0]
    var pipeFDs: [Int32] = [-1, -1]
    guard pipe(&pipeFDs) == 0 else {
      throw .notStarted(program: program, detail: String(cString: strerror(errno)))
    }
    // Neither end leaks into the child beyond the dup2 onto its stdout.
    _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
    let argv = words.map { strdup($0) } + [nil]
    let envp = childEnvironment(environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var pid = pid_t()
    let spawned: Int32
    if program.contains("/") {
      spawned = posix_spawn(&pid, program, &actions, nil, argv, envp)
    } else {
      // Look the program up in the caller's PATH, as the AWS CLI does.
      spawned = withPath(environment["PATH"]) {
        posix_spawnp(&pid, program, &actions, nil, argv, envp)
      }
    }
    close(pipeFDs[1])
    guard spawned == 0 else {
      close(pipeFDs[0])
      throw .notStarted(program: program, detail: String(cString: strerror(spawned)))
    }
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16_384)
    var overflow = false
    while true {
      let count = buffer.withUnsafeMutableBytes { read(pipeFDs[0], $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      if count <= 0 { break }
      if output.count + count > limit {
        overflow = true
        break
      }
      output += buffer[0..<count]
    }
    close(pipeFDs[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    if overflow { throw .tooMuchOutput(program: program) }
    let exited = status & 0x7F == 0
    let code = exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    guard code == 0 else { throw .failed(program: program, status: code) }
    return output
  }

  /// posix_spawnp searches the PATH of the calling process; make it the caller's PATH.
  private static func withPath<T>(_ path: String?, _ body: () -> T) -> T {
    guard let path else { return body() }
    let previous = getenv("PATH").map { String(cString: $0) }
    setenv("PATH", path, 1)
    defer {
      if let previous { setenv("PATH", previous, 1) } else { unsetenv("PATH") }
    }
    return body()
  }
}
