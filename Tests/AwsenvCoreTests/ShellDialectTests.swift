import XCTest

@testable import AwsenvCore

final class ShellDialectTests: XCTestCase {
  func testBashQuoting() {
    let table: [(String, String)] = [
      ("", "''"),
      ("eu-west-1", "eu-west-1"),
      ("a b", "$'a b'"),
      ("it's", #"$'it\'s'"#),
      (#"back\slash"#, #"$'back\\slash'"#),
      ("$(touch x)", "$'$(touch x)'"),
      ("`id`", "$'`id`'"),
      ("semi;colon", "$'semi;colon'"),
      ("new\nline", #"$'new\x0aline'"#),
      ("tab\there", #"$'tab\x09here'"#),
      ("é", #"$'\xc3\xa9'"#),
      ("\u{1b}[31m", #"$'\x1b[31m'"#),
    ]
    for (input, expected) in table {
      XCTAssertEqual(Shell.bash.quote(input), expected, input)
      XCTAssertEqual(Shell.zsh.quote(input), expected, input)
    }
  }

  func testFishQuoting() {
    let table: [(String, String)] = [
      ("", "''"),
      ("eu-west-1", "eu-west-1"),
      ("a b", "'a b'"),
      ("it's", #"'it\'s'"#),
      (#"back\slash"#, #"'back\\slash'"#),
      ("$(touch x)", "'$(touch x)'"),
      ("new\nline", #"'new'\x0a'line'"#),
      ("\n", #"\x0a"#),
      ("é ✓", "'é ✓'"),
    ]
    for (input, expected) in table {
      XCTAssertEqual(Shell.fish.quote(input), expected, input)
    }
  }

  func testRenderRefusesBadNames() {
    for name in ["", "1A", "A-B", "A B", "A;B", "$(x)", "é"] {
      XCTAssertThrowsError(try Shell.bash.render([.export(name, "v")]), name)
      XCTAssertThrowsError(try Shell.fish.render([.unset(name)]), name)
    }
    XCTAssertNoThrow(try Shell.bash.render([.export("_A1", "v")]))
  }

  func testRenderedLines() throws {
    let changes: [ShellChange] = [.export("A", "x y"), .unset("B"), .shellVariable("c", "")]
    XCTAssertEqual(try Shell.bash.render(changes), "export A=$'x y'\nunset B\nc=''\n")
    XCTAssertEqual(try Shell.zsh.render(changes), "export A=$'x y'\nunset B\ntypeset -g c=''\n")
    XCTAssertEqual(
      try Shell.fish.render(changes), "set -gx A 'x y'\nset -q B; and set -e -g B\nset -g c ''\n")
  }

  /// Every escaper round-trips through the real shell, byte for byte.
  func testQuotedValuesRoundTripThroughRealShells() throws {
    let values = [
      "", "plain", "it's", #"a\b"#, "$(touch /tmp/awsenv-pwned)", "`id`", "a;b|c&d", "new\nline",
      "tab\t", "\r\n", "é✓🙂", "\u{1b}[0m", "'\"'\"", String(repeating: "x'", count: 2000),
    ]
    for shell in Shell.allCases {
      guard let path = which(shell.rawValue) else {
        XCTFail("\(shell.rawValue) is not installed: run make test (it installs it)")
        continue
      }
      for value in values {
        let script =
          shell == .fish
          ? "set -l v \(shell.quote(value)); printf '%s' \"$v\""
          : "v=\(shell.quote(value)); printf '%s' \"$v\""
        let output = try runCapturing(path, ["-c", script])
        XCTAssertEqual(output, Data(value.utf8), "\(shell) \(value.prefix(40))")
      }
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/awsenv-pwned"))
  }
}

func which(_ name: String) -> String? {
  for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
  {
    let path = "\(dir)/\(name)"
    if FileManager.default.isExecutableFile(atPath: path) { return path }
  }
  return nil
}

func runCapturing(_ path: String, _ arguments: [String]) throws -> Data {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return data
}
