import ArgumentParser
import AwsenvCore
import Foundation
import Synchronization

extension Awsenv {
  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: "Store a profile's access keys in the keyring.",
      discussion: """
        On a terminal, asks for the access key id and the secret (not echoed) and an optional
        session token. Otherwise reads the key id and the secret as two lines of standard input
        (a third line, when present, is the session token). With --env, takes AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from the environment.
        Adds a [profile NAME] section to ~/.aws/config when there is none.
        """)

    @OptionGroup var target: ProfileArgument

    @Flag(help: "Read the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
    var env = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let runtime = Runtime()
      guard AWSConfig.isValidProfileName(target.profile) else {
        throw Failure(.invalidProfileName(target.profile))
      }
      let storage = KeyStorage(
        config: try runtime.config(), keyring: runtime.keyring(),
        lockDirectory: FileLock.directory(environment: runtime.environment))
      let credentials = try readCredentials(runtime)
      let added: KeyStorage.Added
      do {
        added = try storage.add(profile: target.profile, credentials: credentials)
      } catch {
        throw Failure(error)
      }
      note(
        "\(added.replaced ? "replaced" : "stored") the keys of '\(target.profile)' in the keyring")
      if let edit = added.configEdit {
        note(
          "added [\(target.profile == "default" ? "default" : "profile \(target.profile)")] to "
            + edit.path + (edit.backup.map { " (previous version: \($0))" } ?? ""))
      }
    }

    private func readCredentials(_ runtime: Runtime) throws(Failure) -> Credentials {
      if env {
        guard let id = runtime.environment["AWS_ACCESS_KEY_ID"],
          let secret = runtime.environment["AWS_SECRET_ACCESS_KEY"]
        else {
          throw Failure(
            "--env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment")
        }
        let token = runtime.environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
      }
      if isatty(0) == 1 {
        let id = try prompt("Access key ID: ", echo: true)
        let secret = try prompt("Secret access key: ", echo: false)
        let token = try prompt("Session token (optional, Enter to skip): ", echo: false)
        return Credentials(
          accessKeyID: id, secretAccessKey: secret, sessionToken: token.isEmpty ? nil : token)
      }
      var lines: [String] = []
      while lines.count < 3, let line = readLine(strippingNewline: true) {
        lines.append(line.trimmingCharacters(in: .whitespaces))
      }
      guard lines.count >= 2, !lines[0].isEmpty, !lines[1].isEmpty else {
        throw Failure(
          "expected the access key id and the secret access key as two lines on standard input")
      }
      let token = lines.count > 2 && !lines[2].isEmpty ? lines[2] : nil
      return Credentials(accessKeyID: lines[0], secretAccessKey: lines[1], sessionToken: token)
    }
  }
}

/// The terminal settings to restore if Ctrl-C arrives while echo is off.
private let savedTerminal = Mutex<termios?>(nil)

/// Asks on the terminal (prompt on stderr); with `echo` false the answer is not shown, and the
/// terminal is restored even on Ctrl-C.
func prompt(_ text: String, echo: Bool) throws(Failure) -> String {
  // Echo goes off (dropping anything typed before) before the prompt is shown, so an answer
  // typed or pasted as soon as the prompt appears is never thrown away.
  var saved = termios()
  let hide = !echo && tcgetattr(0, &saved) == 0
  if hide {
    savedTerminal.withLock { $0 = saved }
    signal(SIGINT) { _ in
      if let original = savedTerminal.withLock({ $0 }) {
        var copy = original
        tcsetattr(0, TCSANOW, &copy)
      }
      _exit(130)
    }
    var quiet = saved
    quiet.c_lflag &= ~tcflag_t(ECHO)
    tcsetattr(0, TCSAFLUSH, &quiet)
  }
  FileHandle.standardError.write(Data(text.utf8))
  let line = readLine(strippingNewline: true)
  if hide {
    tcsetattr(0, TCSAFLUSH, &saved)
    signal(SIGINT, SIG_DFL)
    FileHandle.standardError.write(Data("\n".utf8))
  }
  guard let line else { throw Failure("no input; nothing was stored") }
  return line.trimmingCharacters(in: .whitespaces)
}
