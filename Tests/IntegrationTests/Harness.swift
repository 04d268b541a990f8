import Foundation
import XCTest

/// What a command run printed and how it ended.
struct RunResult {
  var status: Int32
  var stdout: String
  var stderr: String
  var seconds: Double
}

/// Runs scripts inside Tests/harness/sandbox.sh: a throwaway HOME, a private D-Bus session and a
/// real gnome-keyring, with the built `awsenv` binary as $AWSENV.
enum Harness {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  /// The binary under test: AWSENV_BIN, else the `awsenv` built beside this test bundle.
  static var binary: String {
    if let path = ProcessInfo.processInfo.environment["AWSENV_BIN"] { return path }
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    // swift test runs the bundle through xctest on some setups: then look in the bundle's dir.
    if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("awsenv").path) {
      dir = Bundle.main.bundleURL.deletingLastPathComponent()
    }
    return dir.appendingPathComponent("awsenv").path
  }

  /// Runs `script` with bash inside a new sandbox. `home` (a directory the caller owns) keeps the
  /// sandbox's files after it ends, so the test can read them.
  static func sandbox(
    _ options: [String] = [], script: String, stdin: String? = nil,
    environment: [String: String] = [:], keep directory: String? = nil
  ) throws -> RunResult {
    var arguments = ["\(root)/Tests/harness/sandbox.sh"] + options
    if let directory { arguments += ["--dir", directory] }
    // Strict mode, $AWSENV first on PATH, cd "$HOME".
    let prelude = "source \(shellQuote("\(root)/Tests/harness/sandbox_prelude.sh"))\n"
    arguments += ["--", "bash", "-c", prelude + script]
    var environment = environment
    environment["AWSENV"] = binary
    return try run(arguments, stdin: stdin, environment: environment)
  }

  /// Runs a program and waits for it, with a clean environment plus `environment`.
  static func run(
    _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
  ) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS") }
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "awsenv-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out")
    let err = dir.appendingPathComponent("err")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    if let stdin {
      let input = dir.appendingPathComponent("in")
      try Data(stdin.utf8).write(to: input)
      process.standardInput = try FileHandle(forReadingFrom: input)
    } else {
      process.standardInput = FileHandle.nullDevice
    }
    let start = Date()
    try process.run()
    process.waitUntilExit()
    let seconds = Date().timeIntervalSince(start)
    return RunResult(
      status: process.terminationStatus,
      stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
      stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self),
      seconds: seconds)
  }

  /// A fresh directory for a sandbox to keep (`keep:`), removed by the caller.
  static func makeDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "awsenv-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.path
  }

  /// Parses `env -0` output.
  static func parseEnv(_ data: Data) -> [String: String] {
    var result: [String: String] = [:]
    for entry in data.split(separator: 0) {
      let text = String(decoding: entry, as: UTF8.self)
      guard let equals = text.firstIndex(of: "=") else { continue }
      result[String(text[..<equals])] = String(text[text.index(after: equals)...])
    }
    return result
  }
}

/// Single-quotes `text` for bash.
func shellQuote(_ text: String) -> String {
  "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Fails the test with the run's output when it did not exit 0.
func XCTAssertSuccess(_ run: RunResult, file: StaticString = #filePath, line: UInt = #line) {
  XCTAssertEqual(
    run.status, 0, "exit \(run.status)\nstdout:\n\(run.stdout)\nstderr:\n\(run.stderr)",
    file: file, line: line)
}
