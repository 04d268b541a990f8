import ArgumentParser
import AwsenvCore
import Foundation
import Synchronization

extension Awsenv {
  struct Login: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "login",
      abstract: "Sign in to IAM Identity Center; the token goes to the keyring.",
      discussion: """
        Prints a URL and a code on stderr and opens the URL in your browser (when there is a
        display); confirm the code there. The token (and its refresh token) is kept in the
        keyring, never in ~/.aws/sso/cache; `awsenv use` renews it with the refresh token while
        it can, so the browser is needed only when the sign-in itself ends. Without an
        argument: the profile of AWS_PROFILE, else the only [sso-session] of the config.
        """)

    @Argument(
      help: "A profile that signs in through IAM Identity Center.",
      completion: .custom(completeProfiles))
    var profile: String?

    @Option(
      help: ArgumentHelp("An [sso-session] of the config.", valueName: "name"),
      completion: .custom(completeSSOSessions))
    var ssoSession: String?

    @Flag(help: "Do not open a browser; print the URL only.")
    var noBrowser = false

    @Flag(help: "Sign in with the browser even when the token can be renewed.")
    var force = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
      if profile != nil && ssoSession != nil {
        throw ValidationError("give a profile or --sso-session, not both")
      }
    }

    func run() throws {
      let runtime = Runtime()
      let resolver = try runtime.resolver(openBrowser: !noBrowser)
      do {
        let session = try SSOLogin.session(
          profile: profile, sessionName: ssoSession, config: resolver.config,
          environment: runtime.environment)
        switch try SSOLogin.login(session, force: force, resolver: resolver) {
        case .renewed(let until):
          note(
            "renewed the sign-in to \(session.displayName) with its refresh token; "
              + "valid until \(rfc3339(until))")
        case .signedIn(let until):
          note(
            "signed in to \(session.displayName); the token is in the keyring until "
              + rfc3339(until))
        }
      } catch {
        throw Failure(error)
      }
    }
  }

  struct Logout: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "logout",
      abstract: "Sign out of IAM Identity Center and delete the token and its role sessions.",
      discussion: """
        Tells the portal to end the sign-in, then deletes the token and every role session
        made with it from the keyring. Without an argument: every sign-in the keyring holds.
        """)

    @Argument(
      help: "A profile that signs in through IAM Identity Center.",
      completion: .custom(completeProfiles))
    var profile: String?

    @Option(
      help: ArgumentHelp("An [sso-session] of the config.", valueName: "name"),
      completion: .custom(completeSSOSessions))
    var ssoSession: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
      if profile != nil && ssoSession != nil {
        throw ValidationError("give a profile or --sso-session, not both")
      }
    }

    func run() throws {
      let runtime = Runtime()
      let resolver = try runtime.resolver()
      do {
        let sessions = try SSOLogin.sessionsToSignOut(
          profile: profile, sessionName: ssoSession, config: resolver.config,
          environment: runtime.environment, keyring: resolver.keyring)
        for session in sessions {
          let done = try SSOLogin.logout(session, resolver: resolver)
          if let warning = done.portalWarning {
            note("could not tell the portal (\(warning)); deleted the token anyway")
          }
          note(
            "signed out of \(session.displayName): deleted the token and \(done.roleSessions) "
              + "role session\(done.roleSessions == 1 ? "" : "s") from the keyring")
        }
      } catch {
        throw Failure(error)
      }
    }
  }
}

/// Shows a device login on the terminal: the URL and code on stderr, the browser opened when
/// there is a display, a spinner with the time left while waiting (stderr a terminal), and a
/// clean stop on Ctrl-C.
final class LoginPresenter: Sendable {
  let openBrowser: Bool
  let environment: [String: String]
  let interactiveStderr: Bool

  init(openBrowser: Bool, environment: [String: String]) {
    // AWSENV_NO_BROWSER set to anything but "" or "0" says no.
    let refused = !["", "0"].contains(environment["AWSENV_NO_BROWSER"] ?? "")
    self.openBrowser = openBrowser && !refused
    self.environment = environment
    self.interactiveStderr = isatty(2) == 1 && environment["TERM"] != "dumb"
  }

  func show(_ event: SSOSignInEvent) {
    switch event {
    case .confirm(let authorization):
      let code = printableServerText(authorization.userCode)
      if let refusal = authorization.refusal { note(refusal) }
      note("to sign in, open \(authorization.shownURI) and confirm the code \(code)")
      if openBrowser && hasDisplay, let url = authorization.browserURL,
        spawnDetached(["xdg-open", url])
      {
        note("opened it in your browser")
      }
      LoginInterrupt.install(clearLine: interactiveStderr)
    case .waiting(let secondsLeft):
      guard interactiveStderr else { return }
      let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
      let frame = frames[Int(Date().timeIntervalSince1970 * 10) % frames.count]
      let left = String(format: "%d:%02d", secondsLeft / 60, secondsLeft % 60)
      writeErr("\r\u{1B}[K\(frame) waiting for the browser (\(left) left; Ctrl-C stops)")
    case .slowDown:
      break
    case .storing:
      // A Ctrl-C during the last poll is still pending: stop before anything is stored.
      LoginInterrupt.endIfInterrupted(message: "awsenv: login interrupted; nothing was stored\n")
    case .done:
      if interactiveStderr { writeErr("\r\u{1B}[K") }
      LoginInterrupt.remove()
    }
  }

  private var hasDisplay: Bool {
    ["DISPLAY", "WAYLAND_DISPLAY"].contains { !(environment[$0] ?? "").isEmpty }
  }

  /// Starts `argv` (PATH search, no shell) with its output discarded and does not wait for it.
  private func spawnDetached(_ argv: [String]) -> Bool {
    BrowserLauncher.spawnDetached(argv, environment: ProcessInfo.processInfo.environment) == 0
  }
}

private func writeErr(_ text: String) {
  var bytes = Array(text.utf8)
  _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

/// Ctrl-C during a device login: the handler clears the spinner, says nothing was stored, and
/// exits 130. SIGINT is blocked except while the login sleeps between polls, so it never cuts a
/// keyring write in half.
enum LoginInterrupt {
  /// Whether the handler clears the spinner's line (stderr is a terminal).
  static let clearsLine = Atomic<Bool>(false)
  /// The thread that runs the login: the only one SIGINT may act on.
  static let mainThread = Atomic<UInt>(0)

  static func install(clearLine: Bool) {
    clearsLine.store(clearLine, ordering: .relaxed)
    mainThread.store(UInt(pthread_self()), ordering: .relaxed)
    signal(SIGINT) { _ in
      // Threads started before the login (GLib's D-Bus worker, from earlier keyring calls) do
      // not block SIGINT, so the kernel may deliver it there, in the middle of a keyring write.
      // Hand it to the login's thread, where it waits until the next sleep between polls.
      let main = pthread_t(LoginInterrupt.mainThread.load(ordering: .relaxed))
      if pthread_equal(pthread_self(), main) == 0 {
        pthread_kill(main, SIGINT)
        return
      }
      LoginInterrupt.end("awsenv: login interrupted; nothing was stored\n")
    }
    block(true)
  }

  /// Back to the default action. A Ctrl-C that came after the last sleep (while the token was
  /// stored, or an error was being reported) is still pending: it ends the command now, with
  /// the keyring holding the whole token or none of it.
  static func remove() {
    endIfInterrupted(message: "awsenv: login interrupted\n")
    signal(SIGINT, SIG_DFL)
    block(false)
  }

  /// Ends the command with `message` (exit 130) when a SIGINT is pending on this thread.
  static func endIfInterrupted(message: StaticString) {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    var pending = sigset_t()
    sigpending(&pending)
    guard sigismember(&pending, SIGINT) == 1 else { return }
    var none = timespec(tv_sec: 0, tv_nsec: 0)
    _ = sigtimedwait(&set, nil, &none)
    end(message)
  }

  /// Clears the spinner's line, prints `message` and exits 130: async-signal-safe calls only.
  static func end(_ message: StaticString) -> Never {
    if clearsLine.load(ordering: .relaxed) {
      let clear: StaticString = "\r\u{1B}[K"
      _ = write(2, clear.utf8Start, clear.utf8CodeUnitCount)
    }
    _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
    _exit(130)
  }

  /// The sleep between polls (and retries): SIGINT is delivered here, then the mask is what it
  /// was, so outside a login (nothing blocked) it stays unblocked.
  static func sleep(_ seconds: Double) {
    var set = sigset_t()
    var previous = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &set, &previous)
    if seconds > 0 { usleep(useconds_t(seconds * 1_000_000)) }
    pthread_sigmask(SIG_SETMASK, &previous, nil)
  }

  private static func block(_ on: Bool) {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    pthread_sigmask(on ? SIG_BLOCK : SIG_UNBLOCK, &set, nil)
  }
}
