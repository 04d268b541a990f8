import Foundation

/// The Swift side of the tests' one shell driver, Tests/harness/shell_run.sh (bash, zsh) and
/// shell_run.fish: `write` lays out its input (the steps, each `awsenv` command's arguments as
/// raw bytes, the presets), `command` is the line a sandbox script runs it with, and `read`
/// returns what one step did. FaultTests runs one step per new shell (fault_lib.sh's `run_in`);
/// HostileInputTests runs many steps in one shell.
enum ShellRun {
  static let shells = ["bash", "zsh", "fish"]

  /// One `awsenv …` run: its arguments (raw bytes), and the config or credentials file it runs
  /// with, when not the usual ones (put back afterwards).
  struct Step {
    var name: String
    var arguments: [[UInt8]]
    var config: [UInt8]?
    var credentials: [UInt8]?
  }

  /// What a step did: how it ended, when, its stderr and `env -0` around it.
  struct Result {
    var status: Int32
    /// When the command started and ended, in nanoseconds since 1970.
    var startNanoseconds: Double
    var endNanoseconds: Double
    var stderr: Data
    var envBefore: Data
    var envAfter: Data

    var milliseconds: Int { Int((endNanoseconds - startNanoseconds) / 1_000_000) }
  }

  /// The files of the driver's input directory, relative to it: `steps`, `STEP/0`, `STEP/1`, …,
  /// `STEP/config`, `STEP/credentials`, `presets` and `preset/NAME` (exported before the hook).
  static func input(_ steps: [Step], presets: [(String, [UInt8])] = []) -> [String: [UInt8]] {
    var files: [String: [UInt8]] = [:]
    files["steps"] = Array((steps.map(\.name).joined(separator: "\n") + "\n").utf8)
    for step in steps {
      for (index, argument) in step.arguments.enumerated() {
        files["\(step.name)/\(index)"] = argument
      }
      if let config = step.config { files["\(step.name)/config"] = config }
      if let credentials = step.credentials { files["\(step.name)/credentials"] = credentials }
    }
    if !presets.isEmpty {
      files["presets"] = Array((presets.map(\.0).joined(separator: "\n") + "\n").utf8)
      for (name, value) in presets { files["preset/\(name)"] = value }
    }
    return files
  }

  /// A bash command line that runs the driver in a new `shell` (no rc files) on the input
  /// directory `input`, writing under `output` (paths as the sandbox sees them; `$HOME/…` works).
  static func command(_ shell: String, input: String, output: String) -> String {
    let driver = shellQuote("\(LocalServer.harness)/shell_run.\(shell == "fish" ? "fish" : "sh")")
    let start =
      switch shell {
      case "bash": "bash --norc --noprofile \(driver) bash"
      case "zsh": "zsh -f \(driver) zsh"
      default: "fish --no-config \(driver)"
      }
    return "\(start) \"\(input)\" \"\(output)\""
  }

  /// What step `name` did, from the driver's output directory `output`; an error saying what
  /// is there when the step left no result.
  static func read(_ output: String, _ name: String) throws -> Result {
    let dir = "\(output)/\(name)"
    func data(_ file: String) throws -> Data {
      try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(file)"))
    }
    func text(_ file: String) -> String {
      String(decoding: (try? data(file)) ?? Data(), as: UTF8.self)
    }
    let result = text("result").split(whereSeparator: { $0 == " " || $0 == "\n" })
      .map(String.init)
    guard result.count == 3, let status = Int32(result[0]), let start = Double(result[1]),
      let end = Double(result[2])
    else {
      throw LocalServer.Failure(
        description:
          "\(name): no result (\(result)); \(text("shell-status")) stderr: \(text("err")) "
          + text("signal"))
    }
    return Result(
      status: status, startNanoseconds: start, endNanoseconds: end, stderr: try data("err"),
      envBefore: try data("before.env"), envAfter: try data("after.env"))
  }
}
