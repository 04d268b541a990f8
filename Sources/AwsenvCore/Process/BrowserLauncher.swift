import Foundation

/// Opens a URL in the user's browser: `$BROWSER`, else `xdg-open` when there is a display. The
/// program runs without a shell (posix_spawnp, PATH search), detached, with its input and output
/// on /dev/null and without awsenv's secret variables, and awsenv does not wait for it (a
/// browser started by `xdg-open` may run until it is closed).
public struct BrowserLauncher: Sendable {
  public var environment: [String: String]

  public init(environment: [String: String]) {
    self.environment = environment
  }

  /// What happened to the URL.
  public enum Outcome: Sendable, Equatable {
    /// Handed to `program`.
    case opened(program: String)
    /// No $BROWSER and no display (DISPLAY, WAYLAND_DISPLAY), or AWSENV_NO_BROWSER: nothing to
    /// open it with.
    case noBrowser
    /// Every program tried failed to start (named, with why).
    case failed(program: String, reason: String)
  }

  /// Whether AWSENV_NO_BROWSER (anything but "" or "0") says never to open a browser.
  public var refused: Bool { !["", "0"].contains(environment["AWSENV_NO_BROWSER"] ?? "") }

  public var hasDisplay: Bool {
    ["DISPLAY", "WAYLAND_DISPLAY"].contains { !(environment[$0] ?? "").isEmpty }
  }

  /// The command lines to try for `url`, in order. $BROWSER is a `:`-separated list of
  /// commands, each split into words as credential_process is (quotes, no shell); `%s` in a
  /// word is replaced by the URL, else the URL is the last argument (the convention Python's
  /// webbrowser and xdg-open follow).
  public func commands(for url: String) -> [[String]] {
    if let browsers = environment["BROWSER"], !browsers.isEmpty {
      return browsers.split(separator: ":").compactMap { entry in
        guard var words = try? CommandRunner.split(String(entry)), !words.isEmpty else {
          return nil
        }
        if words.contains(where: { $0.contains("%s") }) {
          words = words.map { $0.replacingOccurrences(of: "%s", with: url) }
        } else {
          words.append(url)
        }
        return words
      }
    }
    return hasDisplay ? [["xdg-open", url]] : []
  }

  /// Opens `url` with the first command that starts.
  public func open(_ url: String) -> Outcome {
    guard !refused else { return .noBrowser }
    var failure: Outcome = .noBrowser
    for argv in commands(for: url) {
      let code = Self.spawnDetached(argv, environment: environment)
      if code == 0 { return .opened(program: argv[0]) }
      failure = .failed(program: argv[0], reason: String(cString: strerror(code)))
    }
    return failure
  }

  /// Starts `argv` (PATH search of `environment`, no shell) with /dev/null as its input and
  /// output and without ``CommandRunner/secretVariables``, and does not wait for it. Returns 0,
  /// or the errno of the failed start.
  public static func spawnDetached(_ argv: [String], environment: [String: String]) -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for fd: Int32 in [0, 1, 2] {
      posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
    }
    var cArgs = argv.map { strdup($0) } + [nil]
    let envp =
      CommandRunner.childEnvironment(environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      cArgs.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let previous = getenv("PATH").map { String(cString: $0) }
    if let path = environment["PATH"] { setenv("PATH", path, 1) }
    defer {
      if let previous { setenv("PATH", previous, 1) } else { unsetenv("PATH") }
    }
    return posix_spawnp(&pid, argv[0], &actions, nil, &cArgs, envp)
  }
}
