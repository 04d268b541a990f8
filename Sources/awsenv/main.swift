import ArgumentParser
import AwsenvCore
import Foundation

// The entry point handles errors itself: every failure is one `awsenv:` line on stderr, and
// when the hook is capturing stdout (use/clear), help goes to stderr so it is never evaluated.
// (Computed only when needed: copying the environment into a dictionary is not free.)
var capturing: Bool {
  getenv("AWSENV_SHELL") != nil
    && ["use", "clear"].contains(CommandLine.arguments.dropFirst().first ?? "")
}
ProcessGuard.apply()
if let value = getenv("AWSENV_DEBUG"), value.pointee != 0, String(cString: value) != "0" {
  DebugLog.enable()
}
do {
  defer {
    // No exit while libcurl or the keyring session is still being set up on another thread.
    CurlTransport.settle()
    LibSecretStore.settle()
  }
  if try Awsenv.Use.runFromHook(Array(CommandLine.arguments.dropFirst())) {
    // The hook's `use` wrote its output with write(2) and has nothing left to flush: end
    // without running the libraries' exit handlers (GLib, libgcrypt, the Swift runtime's),
    // which cost ~0.4 ms on every switch.
    CurlTransport.settle()
    LibSecretStore.settle()
    _exit(0)
  }
  var command = try Awsenv.parseAsRoot()
  logCommandLine()
  try command.run()
} catch let failure as Failure {
  note(failure.message)
  exit(failure.status)
} catch let exitCode as ExitCode {
  exit(exitCode.rawValue)
} catch {
  let code = Awsenv.exitCode(for: error)
  if code == .success {
    // --help, --version
    let text = Awsenv.fullMessage(for: error) + "\n"
    if capturing { FileHandle.standardError.write(Data(text.utf8)) } else { writeOut(text) }
    exit(0)
  }
  var message =
    Awsenv.message(for: error)
    .replacingOccurrences(of: "Error: ", with: "")
    .split(separator: "\n").first.map(String.init) ?? "invalid arguments"
  if let first = message.first, first.isUppercase {
    message = first.lowercased() + message.dropFirst()
  }
  // Point at the subcommand's own help when the line named one.
  let named = CommandLine.arguments.dropFirst().first ?? ""
  let known = Awsenv.configuration.subcommands.contains { $0._commandName == named }
  note("\(message) (see `awsenv \(known ? named + " " : "")--help`)")
  exit(code.rawValue)
}

/// The command line, when debugging, with an MFA code's value left out.
func logCommandLine() {
  guard DebugLog.enabled else { return }
  let words = Array(CommandLine.arguments.dropFirst())
  let shown = zip([""] + words, words).map { $0.0 == "--mfa-code" ? "****" : $0.1 }
  DebugLog.log("awsenv \(AwsenvInfo.version): \(shown.joined(separator: " "))")
}
