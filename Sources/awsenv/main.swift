import ArgumentParser
import AwsenvCore
import Foundation

// The entry point handles errors itself: every failure is one `awsenv:` line on stderr, and
// when the hook is capturing stdout (use/clear), help goes to stderr so it is never evaluated.
let capturing =
  ProcessInfo.processInfo.environment["AWSENV_SHELL"] != nil
  && ["use", "clear"].contains(CommandLine.arguments.dropFirst().first ?? "")
do {
  var command = try Awsenv.parseAsRoot()
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
