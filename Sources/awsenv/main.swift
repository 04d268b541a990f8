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
if let problem = notUTF8Input() {
  note(problem)
  exit(1)
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

/// Arguments, and the AWS variables a first `use` records for `clear`, must be UTF-8 text:
/// Swift reads other bytes as U+FFFD, so `use` would export, `exec` pass on, or `clear` give
/// back something other than what was there. Checked on the raw bytes, before anything decodes
/// them.
func notUTF8Input() -> String? {
  for index in 1..<Int(CommandLine.argc) {
    if let argument = CommandLine.unsafeArgv[index], String(validatingCString: argument) == nil {
      return "argument \(index) is not UTF-8 text; give profile names, regions and codes as UTF-8"
    }
  }
  let firstUse =
    CommandLine.argc > 1 && CommandLine.unsafeArgv[1].map { strcmp($0, "use") == 0 } == true
    && (getenv(ShellSession.savedStateEnvironment).map { $0.pointee == 0 } ?? true)
  guard firstUse else { return nil }
  for name in ShellSession.managedVariables {
    if let value = getenv(name), String(validatingCString: value) == nil {
      return "\(name) in this shell is not UTF-8 text, which `awsenv clear` could not give back "
        + "exactly; unset it (or set it to UTF-8 text) and run this again"
    }
  }
  return nil
}
