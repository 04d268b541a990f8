import Foundation
import XCTest

/// Hostile names and values through the hooks of real bash, zsh and fish: profile names,
/// regions, role settings, keys from the keyring, values the shell already had, NUL bytes,
/// bytes that are not UTF-8, values too long for an environment, answers of a hostile STS.
/// Every value either comes back into the shell byte for byte, or `awsenv` exits non-zero
/// with exactly one `awsenv:` line and the environment (`env -0`) is unchanged. Every value
/// carries a canary (`touch $HOME/pwned` in each shell's syntax): nothing may ever create it.
final class HostileInputTests: XCTestCase {
  static let shells = ["bash", "zsh", "fish"]
  static let keyID = "AKIAAWSENVHOSTILE001"
  static let secret = "hostileTestSecret/0000000000000000000001"

  /// Code that bash, zsh or fish would run if the value were ever evaluated, expanded or used
  /// as a format: each creates $HOME/pwned (or ./pwned, the steps run in $HOME).
  static let payloads = [
    "$(touch $HOME/pwned)",
    "`touch $HOME/pwned`",
    "'; touch $HOME/pwned; '",
    "\"; touch $HOME/pwned; \"",
    "x\ntouch $HOME/pwned\n",
    "(touch $HOME/pwned)",
    "$(touch${IFS}pwned)'\"`touch${IFS}pwned`",
    "\\\"; touch pwned #",
    "%s%n%x%d%p %(%s)T %~%F{red}%# %%",
    "\u{1B}[31mred\u{1B}]0;title\u{7}\u{1B}[0m\u{1B}[2J",
    "!! !$ ^a^b * ? [a] ~ {a,b} & | < > >> ;; \\ $HOME ${HOME}",
    "é ✓ 🙂 \u{FEFF}\u{200B}\u{202E}x",
    "\r\n\t\u{7F}\u{1}",
    // Plain words that zsh's EQUALS would still expand in an assignment.
    "=touch", "eu:=ls",
  ]

  /// What a step must do.
  enum Expect {
    /// Exit 0, nothing on stderr, and these variables as given.
    case sets([String: Value])
    /// Exit non-zero (`status` when given), one `awsenv:` line (containing `hint`), no change.
    case refused(String? = nil, status: Int32? = nil)
    /// Either of the two above.
    case setsOrRefused([String: Value])
  }

  enum Value: Equatable {
    case exactly([UInt8])
    case unset
    /// Set to something (temporary keys from STS).
    case present

    static func text(_ text: String) -> Value { .exactly(Array(text.utf8)) }
  }

  /// One `awsenv …` run in each shell: its arguments (raw bytes), and the config or
  /// credentials file it runs with, when not the usual ones (put back afterwards).
  struct Step {
    var name: String
    var arguments: [[UInt8]]
    var expect: Expect
    var config: [UInt8]?
    var credentials: [UInt8]?

    init(
      _ name: String, _ arguments: [[UInt8]], _ expect: Expect, config: [UInt8]? = nil,
      credentials: [UInt8]? = nil
    ) {
      self.name = name
      self.arguments = arguments
      self.expect = expect
      self.config = config
      self.credentials = credentials
    }

    init(
      _ name: String, _ arguments: [String], _ expect: Expect, config: [UInt8]? = nil,
      credentials: [UInt8]? = nil
    ) {
      self.init(
        name, arguments.map { Array($0.utf8) }, expect, config: config, credentials: credentials)
    }
  }

  /// Steps, the files of $HOME they start from, variables exported before the first step, and
  /// a bash script run before the shells (e.g. `awsenv add`).
  struct Plan {
    var steps: [Step] = []
    var files: [String: [UInt8]] = [:]
    var presets: [(String, [UInt8])] = []
    var setup = ""
    var environment: [String: String] = [:]
  }

  /// What a step did in one shell.
  struct Outcome {
    var status: Int32
    var stderr: [UInt8]
    var before: [String: [UInt8]]
    var after: [String: [UInt8]]
  }

  // MARK: The local STS (started on first use)

  nonisolated(unsafe) static var stsServer: STSServer?
  nonisolated(unsafe) static var stsFailure: Error?

  var sts: STSServer {
    get throws {
      if let server = Self.stsServer { return server }
      if let failure = Self.stsFailure { throw failure }
      do {
        Self.stsServer = try STSServer(auth: false, spec: #"{"users": [{"name": "alice"}]}"#)
      } catch {
        Self.stsFailure = error
        throw error
      }
      return Self.stsServer!
    }
  }

  override class func tearDown() {
    stsServer?.stop()
    stsServer = nil
    super.tearDown()
  }

  override func setUp() async throws {
    if let server = Self.stsServer {
      try server.clearFaults()
      try server.resetCalls()
    }
  }

  // MARK: Running

  /// Runs `plan` in bash, zsh and fish (one sandbox), with a `clear` before the first step
  /// and after the last, then checks every step and that the last `clear` gave back the
  /// environment of the first. Returns the outcomes by shell and step.
  @discardableResult
  func run(_ plan: Plan, file: StaticString = #filePath, line: UInt = #line) throws
    -> [String: [String: Outcome]]
  {
    var plan = plan
    plan.steps.insert(Step("start", ["clear"], .sets([:])), at: 0)
    plan.steps.append(Step("end", ["clear"], .sets([:])))
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let home = "\(dir)/home"
    var files = plan.files
    files["in/steps"] = Array((plan.steps.map(\.name).joined(separator: "\n") + "\n").utf8)
    for step in plan.steps {
      for (index, argument) in step.arguments.enumerated() {
        files["in/\(step.name)/\(index)"] = argument
      }
      if let config = step.config { files["in/\(step.name)/config"] = config }
      if let credentials = step.credentials { files["in/\(step.name)/credentials"] = credentials }
    }
    if !plan.presets.isEmpty {
      files["in/presets"] = Array((plan.presets.map(\.0).joined(separator: "\n") + "\n").utf8)
      for (name, value) in plan.presets { files["in/preset/\(name)"] = value }
    }
    files[".aws/config", default: []] += []
    files[".aws/credentials", default: []] += []
    for (path, bytes) in files {
      let url = URL(fileURLWithPath: "\(home)/\(path)")
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(bytes).write(to: url)
    }
    let run = try Harness.sandbox(
      script: plan.setup + """
        mkdir -p out
        bash \(shellQuote(LocalServer.harness + "/hook_steps.sh")) bash
        zsh \(shellQuote(LocalServer.harness + "/hook_steps.sh")) zsh
        fish \(shellQuote(LocalServer.harness + "/hook_steps.fish"))
        """, environment: plan.environment, keep: dir)
    XCTAssertSuccess(run, file: file, line: line)
    XCTAssertEqual(run.stderr, "", "the drivers write nothing else", file: file, line: line)
    assertNothingRan(home, file: file, line: line)

    var outcomes: [String: [String: Outcome]] = [:]
    for shell in Self.shells {
      for step in plan.steps {
        let base = "\(home)/out/\(shell)/\(step.name)"
        func read(_ suffix: String) -> [UInt8] {
          (try? Array(Data(contentsOf: URL(fileURLWithPath: base + suffix)))) ?? []
        }
        let status = Int32(String(decoding: read(".status"), as: UTF8.self).trimmed) ?? -1
        let outcome = Outcome(
          status: status, stderr: read(".err"), before: Self.environment(read(".before")),
          after: Self.environment(read(".after")))
        outcomes[shell, default: [:]][step.name] = outcome
        check(outcome, step.expect, "\(shell) \(step.name)", file: file, line: line)
      }
      if let start = outcomes[shell]?["start"], let end = outcomes[shell]?["end"] {
        assertSameEnvironment(
          end.after, start.after, "\(shell): the last clear gives back the first environment",
          file: file, line: line)
      }
    }
    return outcomes
  }

  /// The canary: no file called pwned anywhere a payload could have written it.
  func assertNothingRan(_ home: String, file: StaticString = #filePath, line: UInt = #line) {
    let places = [home, "\(home)/out", "/", FileManager.default.temporaryDirectory.path]
    for place in places {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: place)) ?? []
      XCTAssertFalse(
        names.contains { $0.hasPrefix("pwned") }, "something ran: \(place)/pwned", file: file,
        line: line)
    }
  }

  func check(
    _ outcome: Outcome, _ expect: Expect, _ what: String, file: StaticString = #filePath,
    line: UInt = #line
  ) {
    switch expect {
    case .sets(let values):
      assertSets(outcome, values, what, file: file, line: line)
    case .refused(let hint, let status):
      assertRefused(outcome, hint: hint, status: status, what, file: file, line: line)
    case .setsOrRefused(let values):
      if outcome.status == 0 {
        assertSets(outcome, values, what, file: file, line: line)
      } else {
        assertRefused(outcome, hint: nil, status: nil, what, file: file, line: line)
      }
    }
  }

  func assertSets(
    _ outcome: Outcome, _ values: [String: Value], _ what: String, file: StaticString,
    line: UInt
  ) {
    XCTAssertEqual(
      outcome.status, 0, "\(what): \(String(decoding: outcome.stderr, as: UTF8.self))",
      file: file, line: line)
    XCTAssertEqual(
      String(decoding: outcome.stderr, as: UTF8.self), "", "\(what): stderr", file: file,
      line: line)
    for (name, value) in values.sorted(by: { $0.key < $1.key }) {
      let actual = outcome.after[name]
      switch value {
      case .unset:
        XCTAssertNil(actual.map(Self.show), "\(what): \(name) is unset", file: file, line: line)
      case .present:
        XCTAssertFalse(actual?.isEmpty ?? true, "\(what): \(name) is set", file: file, line: line)
      case .exactly(let bytes):
        XCTAssertTrue(
          actual == bytes,
          "\(what): \(name) is \(actual.map(Self.show) ?? "unset"), not \(Self.show(bytes))",
          file: file, line: line)
      }
    }
  }

  func assertRefused(
    _ outcome: Outcome, hint: String?, status: Int32?, _ what: String, file: StaticString,
    line: UInt
  ) {
    let text = String(decoding: outcome.stderr, as: UTF8.self)
    if let status {
      XCTAssertEqual(outcome.status, status, "\(what): \(text)", file: file, line: line)
    } else {
      XCTAssertNotEqual(outcome.status, 0, "\(what): accepted", file: file, line: line)
    }
    XCTAssertTrue(
      text.hasPrefix("awsenv: ") && text.hasSuffix("\n")
        && outcome.stderr.filter { $0 == 0x0A }.count == 1,
      "\(what): not one awsenv: line: \(text.debugDescription.prefix(600))", file: file, line: line)
    if let hint {
      XCTAssertTrue(text.contains(hint), "\(what): \(text.prefix(600))", file: file, line: line)
    }
    assertSameEnvironment(
      outcome.after, outcome.before, "\(what): the environment is unchanged", file: file,
      line: line)
  }

  func assertSameEnvironment(
    _ actual: [String: [UInt8]], _ expected: [String: [UInt8]], _ what: String,
    file: StaticString, line: UInt
  ) {
    XCTAssertFalse(expected.isEmpty, "\(what): no environment recorded", file: file, line: line)
    for name in Set(actual.keys).union(expected.keys).sorted() where actual[name] != expected[name]
    {
      XCTFail(
        "\(what): \(name) was \(expected[name].map(Self.show) ?? "unset"), is "
          + "\(actual[name].map(Self.show) ?? "unset")", file: file, line: line)
    }
  }

  /// `env -0` output by name, values as bytes (not all are UTF-8).
  static func environment(_ data: [UInt8]) -> [String: [UInt8]] {
    var result: [String: [UInt8]] = [:]
    for entry in data.split(separator: 0) {
      guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
      result[String(decoding: entry[..<equals], as: UTF8.self)] = Array(entry[(equals + 1)...])
    }
    return result
  }

  /// A value for a failure message: escaped (bytes that are not UTF-8 as \xHH), and cut when
  /// long.
  static func show(_ bytes: [UInt8]) -> String {
    let head = Array(bytes.prefix(120))
    let text =
      String(validating: head, as: UTF8.self)?.debugDescription
      ?? "\""
      + head.map {
        $0 < 0x80 && $0 >= 0x20 ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16)
      }
      .joined() + "\" (not UTF-8)"
    return bytes.count > 120 ? "\(text)… (\(bytes.count) bytes)" : text
  }

  // MARK: Building blocks

  /// A config file with `[profile base]` and `extra` after it.
  static func config(_ extra: String = "") -> [UInt8] {
    Array("[profile base]\n\(extra)".utf8)
  }

  /// Keys in the credentials file for each of `profiles` (raw header names).
  static func credentials(_ profiles: [String]) -> [UInt8] {
    Array(
      profiles.map {
        "[\($0)]\naws_access_key_id = \(keyID)\naws_secret_access_key = \(secret)\n"
      }.joined().utf8)
  }

  /// What a switch to static keys sets.
  static func keys(profile: [UInt8], region: Value) -> [String: Value] {
    [
      "AWS_ACCESS_KEY_ID": .text(keyID), "AWS_SECRET_ACCESS_KEY": .text(secret),
      "AWS_SESSION_TOKEN": .unset, "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
      "AWS_PROFILE": .exactly(profile), "AWSENV_PROFILE": .exactly(profile),
    ]
  }

  /// Whether `text` can be written on one config line and read back as it is: no line
  /// break, no blank at either end, no comment started by whitespace and `#` or `;`.
  static func fitsOnAConfigLine(_ text: String) -> Bool {
    !text.contains("\n") && !text.contains("\r")
      && text == text.trimmingCharacters(in: .init(charactersIn: " \t"))
      && !["#", ";"].contains { mark in [" ", "\t"].contains { text.contains($0 + mark) } }
  }

  // MARK: Tests

  /// Regions on the command line and in the config file, and profile names: hostile values
  /// that are valid come back exactly; names the SDKs refuse are refused.
  func testRegionsAndProfileNames() throws {
    var plan = Plan()
    var config = "[profile base]\n"
    var profiles = ["base"]
    for (index, payload) in Self.payloads.enumerated() {
      plan.steps.append(
        Step(
          "cli-region-\(index)", ["use", "base", "--region", payload],
          .sets(Self.keys(profile: Array("base".utf8), region: .text(payload)))))
    }
    let configPayloads =
      Self.payloads.filter(Self.fitsOnAConfigLine) + ["a\u{1}b\u{7F}c\u{1B}[0m", "=;#[]"]
    for (index, payload) in configPayloads.enumerated() {
      config += "[profile cfg\(index)]\nregion = \(payload)\n"
      profiles.append("cfg\(index)")
      plan.steps.append(
        Step(
          "cfg-region-\(index)", ["use", "cfg\(index)"],
          .sets(Self.keys(profile: Array("cfg\(index)".utf8), region: .text(payload)))))
    }
    // Continuation lines: a value with line breaks, as the AWS CLI reads it.
    config += "[profile cont]\nregion = first\n  $(touch $HOME/pwned)\n\t`touch pwned` \n"
    profiles.append("cont")
    plan.steps.append(
      Step(
        "cfg-continued", ["use", "cont"],
        .sets(
          Self.keys(
            profile: Array("cont".utf8),
            region: .text("first\n$(touch $HOME/pwned)\n`touch pwned`")))))

    // Names the SDKs accept, with every punctuation they allow: exact.
    let long = String(repeating: "a%b:c@d/e.f_g+h-", count: 625)
    XCTAssertEqual(long.count, 10_000)
    for (index, name) in ["%s%n%x%d", "a:b@c/d.e-f_g+h%i", "%n%d%B%F%%@%m:%/_+", long].enumerated()
    {
      config += "[profile \(name)]\n"
      profiles.append(name)
      plan.steps.append(
        Step(
          "name-valid-\(index)", ["use", name],
          .sets(Self.keys(profile: Array(name.utf8), region: .unset))))
    }
    // Names they do not: in headers (ignored sections), on the command line (refused).
    for (index, payload) in Self.payloads.enumerated() {
      if Self.fitsOnAConfigLine(payload) && !payload.contains("#") && !payload.contains(";") {
        config += "[profile \(payload)]\nregion = eu-west-1\n"
      }
      plan.steps.append(Step("name-hostile-\(index)", ["use", payload], .refused()))
    }
    plan.steps.append(
      Step("name-missing", ["use", "no-such%s"], .refused("no profile named 'no-such%s'")))
    plan.steps.append(Step("name-empty", ["use", ""], .refused()))
    plan.steps.append(
      Step("name-long-missing", ["use", long + "x"], .refused("no profile named")))
    plan.files[".aws/config"] = Array(config.utf8)
    plan.files[".aws/credentials"] = Self.credentials(profiles)
    let outcomes = try run(plan)
    print(
      "regions and names: \(plan.steps.count) steps in each of \(Self.shells.count) shells "
        + "(\(Self.payloads.count) --region, \(configPayloads.count + 1) config regions, "
        + "4 valid names, \(Self.payloads.count + 3) refused names)")
    XCTAssertEqual(outcomes.count, 3)
  }

  /// Keys stored with `awsenv add`: secrets and tokens with quotes, substitutions, backslashes,
  /// format strings, up to the limits (a 1,024-byte secret, a 64 KiB token), come back byte for
  /// byte; values keys cannot hold, or longer than the limits, are refused by `add` with one
  /// line, and `use` then finds nothing.
  func testKeysFromTheKeyringRoundTripByteForByte() throws {
    // 100 KB of every printable character but the space, in a scrambled order.
    let printable = Array("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~abcXYZ0123456789".utf8)
    let big = String(
      decoding: (0..<100_000).map { printable[($0 &* 7_919 &+ $0 / 7) % printable.count] },
      as: UTF8.self)
    let accepted: [(String, String, String?)] = [
      ("sub", "$(touch${IFS}$HOME/pwned)", nil),
      ("tick", "`touch${IFS}$HOME/pwned`", "';touch${IFS}$HOME/pwned;'"),
      ("quotes", "\";touch${IFS}pwned;\"'\\''\\", "\\x41\\n%s%n$HOME!!\\"),
      ("fish", "(touch${IFS}pwned)$(touch${IFS}pwned)", "{a,b}*?[x]~"),
      ("long", String(big.prefix(1_024)), String(big.prefix(20_000))),
      ("limit", String(repeating: "s", count: 1_024), String(big.suffix(65_536))),
    ]
    let refusedAtAdd: [(String, String)] = [
      ("space", "\(Self.keyID)\nsecret with space\n"),
      ("tab", "\(Self.keyID)\nsecret\twith-tab\n"),
      ("escape", "\(Self.keyID)\nsecret\u{1B}[31m\n"),
      ("utf8", "\(Self.keyID)\nsécret\n"),
      ("id", "$(touch${IFS}pwned)AKIA\nsecret\n"),
      ("empty", "\(Self.keyID)\n\n"),
      ("token", "\(Self.keyID)\nsecret\ntoken with space\n"),
      ("nul", "\(Self.keyID)\ns\u{0}ecret\n"),
      ("control", "\(Self.keyID)\nsecret\u{7F}\u{1}\n"),
      ("only-id", "\(Self.keyID)\n"),
      ("over-secret", "\(Self.keyID)\n\(String(repeating: "s", count: 1_025))\n"),
      ("over-token", "\(Self.keyID)\nsecret\n\(String(repeating: "t", count: 65_537))\n"),
      ("huge", "\(Self.keyID)\n\(String(repeating: "s", count: 200_000))\n"),
    ]
    var plan = Plan()
    var setup = ""
    var config = ""
    for (name, secret, token) in accepted {
      plan.files["in/add/\(name)"] = Array(
        "\(Self.keyID)\n\(secret)\n\(token.map { $0 + "\n" } ?? "")".utf8)
      setup += "\"$AWSENV\" add k-\(name) <in/add/\(name) 2>/dev/null\n"
      config += "[profile k-\(name)]\n"
      plan.steps.append(
        Step(
          "use-\(name)", ["use", "k-\(name)"],
          .sets([
            "AWS_ACCESS_KEY_ID": .text(Self.keyID), "AWS_SECRET_ACCESS_KEY": .text(secret),
            "AWS_SESSION_TOKEN": token.map(Value.text) ?? .unset,
            "AWS_PROFILE": .text("k-\(name)"),
          ])))
    }
    for (name, input) in refusedAtAdd {
      plan.files["in/add/\(name)"] = Array(input.utf8)
      // Refused with one line, and nothing stored: `use` then finds no such profile.
      setup += """
        if "$AWSENV" add k-\(name) <in/add/\(name) 2>out/add-\(name).err; then exit 50; fi
        test "$(wc -l <out/add-\(name).err)" = 1 && grep -q '^awsenv: ' out/add-\(name).err ||
          { cat out/add-\(name).err >&2; exit 51; }

        """
      plan.steps.append(Step("use-\(name)", ["use", "k-\(name)"], .refused()))
    }
    plan.setup = "mkdir -p out\n" + setup
    plan.files[".aws/config"] = Array(config.utf8)

    let outcomes = try run(plan)
    XCTAssertEqual(outcomes.count, 3)
    print(
      "keyring values: \(accepted.count) accepted, \(refusedAtAdd.count) refused by add, "
        + "in each of \(Self.shells.count) shells")
  }

  /// NUL bytes (config files), bytes that are not UTF-8 (config files, arguments), values too
  /// long for an environment (config, arguments), a 10 MB config file.
  func testNULNonUTF8AndOversizedValues() throws {
    var plan = Plan()
    plan.files[".aws/config"] = Self.config()
    plan.files[".aws/credentials"] = Self.credentials(["base"])
    let base = Array("base".utf8)
    plan.steps += [
      Step(
        "nul-region", ["use", "base"], .refused("NUL"),
        config: Self.config("region = eu\u{0}west-1\n")),
      Step(
        "nul-name", ["use", "nul"], .refused("no profile named 'nul'"),
        config: Self.config("[profile nul\u{0}x]\nregion = x\n")),
      Step(
        "nul-key", ["use", "base"], .sets(Self.keys(profile: base, region: .unset)),
        config: Self.config("reg\u{0}ion = x\n")),
      Step(
        "utf8-region", ["use", "base"], .refused("/.aws/config:2: "),
        config: Self.config("region = eu") + [0xFF, 0xFE] + Array("west\n".utf8)),
      Step(
        "utf8-name", ["use", "base"], .refused("/.aws/config:2: "),
        config: Self.config() + Array("[profile ".utf8) + [0xC3, 0x28] + Array("]\n".utf8)),
      Step(
        "utf8-credentials", ["use", "base"], .refused("/.aws/credentials:4: "),
        credentials: Self.credentials(["base"]) + Array("x = ".utf8) + [0x80, 0x0A]),
      Step("utf8-arg-name", [Array("use".utf8), [0xFF, 0xFE]], .refused()),
      Step(
        "utf8-arg-region",
        [
          Array("use".utf8), base, Array("--region".utf8),
          Array("eu".utf8) + [0xFF] + Array("w".utf8),
        ],
        .setsOrRefused(
          Self.keys(profile: base, region: .exactly(Array("eu".utf8) + [0xFF] + Array("w".utf8))))),
      Step(
        "long-region", ["use", "base"],
        .sets(Self.keys(profile: base, region: .text(String(repeating: "r", count: 100_000)))),
        config: Self.config("region = \(String(repeating: "r", count: 100_000))\n")),
      Step(
        "long-arg-region", ["use", "base", "--region", String(repeating: "'$(x)", count: 20_000)],
        .sets(Self.keys(profile: base, region: .text(String(repeating: "'$(x)", count: 20_000))))),
      Step(
        "over-region", ["use", "base"], .refused("AWS_REGION is 200000 bytes"),
        config: Self.config("region = \(String(repeating: "r", count: 200_000))\n")),
    ]
    var big = ""
    for index in 0..<100_000 {
      big += "[profile p\(index)]\nregion = eu-west-1\n# padding \(index)\n"
    }
    while big.utf8.count < 10_000_000 {
      big += "# padding padding padding padding padding padding\n"
    }
    plan.steps.append(
      Step(
        "huge-config", ["use", "base"], .sets(Self.keys(profile: base, region: .text("ap-east-1"))),
        config: Array((big + "[profile base]\nregion = ap-east-1\n").utf8)))
    try run(plan)
  }

  /// The values the shell had before the first `use` (quotes, substitutions, line breaks,
  /// escapes, UTF-8, an empty one, 30 KB) are given back by `clear` byte for byte.
  func testValuesTheShellHadComeBackAfterClear() throws {
    var plan = Plan()
    plan.files[".aws/config"] = Self.config("region = eu-west-1\n")
    plan.files[".aws/credentials"] = Self.credentials(["base"])
    let token = String(repeating: "'\"$(touch pwned)`x`\\\né✓ %s\u{1B}[0m", count: 1_000)
    plan.presets = [
      ("AWS_PROFILE", Array("'$(touch $HOME/pwned)'\n\"x\"`touch $HOME/pwned`".utf8)),
      ("AWS_REGION", Array("\u{1B}[31m%s%n(touch $HOME/pwned)".utf8)),
      ("AWS_DEFAULT_REGION", []),
      ("AWS_SESSION_TOKEN", Array(token.utf8)),
      ("AWS_SECURITY_TOKEN", Array("é✓🙂\u{FEFF}".utf8)),
      ("AWS_DEFAULT_PROFILE", Array("(touch $HOME/pwned); touch $HOME/pwned".utf8)),
      ("AWS_CREDENTIAL_EXPIRATION", Array("\n".utf8)),
      ("AWS_SECRET_ACCESS_KEY", Array("\\\\'\\''".utf8)),
    ]
    let base = Array("base".utf8)
    plan.steps = [
      Step("use", ["use", "base"], .sets(Self.keys(profile: base, region: .text("eu-west-1")))),
      Step(
        "use-region", ["use", "base", "--region", "ap-south-1"],
        .sets(Self.keys(profile: base, region: .text("ap-south-1")))),
      Step("clear", ["clear"], .sets([:])),
      Step(
        "use-again", ["use", "base"], .sets(Self.keys(profile: base, region: .text("eu-west-1")))),
    ]
    let outcomes = try run(plan)
    for shell in Self.shells {
      guard let start = outcomes[shell]?["start"], let cleared = outcomes[shell]?["clear"] else {
        continue
      }
      for (name, value) in plan.presets {
        XCTAssertTrue(start.after[name] == value, "\(shell): \(name) preset")
      }
      XCTAssertNil(start.after["AWS_ACCESS_KEY_ID"])
      assertSameEnvironment(
        cleared.after, start.after, "\(shell): clear", file: #filePath, line: #line)
    }
  }

  /// A value the shell had that is too long to keep for `clear` (100 KB of quotes, three
  /// times that encoded): `use` refuses instead of leaving a shell that cannot `clear`.
  func testValuesTheShellHadThatAreTooLongToKeep() throws {
    var plan = Plan()
    plan.files[".aws/config"] = Self.config()
    plan.files[".aws/credentials"] = Self.credentials(["base"])
    plan.presets = [("AWS_SESSION_TOKEN", [UInt8](repeating: UInt8(ascii: "\""), count: 100_000))]
    let base = Array("base".utf8)
    plan.steps = [
      Step("use", ["use", "base"], .setsOrRefused(Self.keys(profile: base, region: .unset))),
      Step("clear", ["clear"], .sets([:])),
    ]
    try run(plan)
  }

  /// Values the shell had that are not UTF-8: `clear` must give back the same bytes (or `use`
  /// refuse them), not U+FFFD.
  func testValuesTheShellHadThatAreNotUTF8() throws {
    var plan = Plan()
    plan.files[".aws/config"] = Self.config()
    plan.files[".aws/credentials"] = Self.credentials(["base"])
    plan.presets = [
      ("AWS_PROFILE", Array("prof".utf8) + [0xFF, 0xFE]),
      ("AWS_REGION", [0xC3, 0x28, 0x80]),
    ]
    let base = Array("base".utf8)
    plan.steps = [
      // The region is the one the shell had, with its bytes.
      Step(
        "use", ["use", "base"],
        .setsOrRefused(Self.keys(profile: base, region: .exactly([0xC3, 0x28, 0x80])))),
      Step("clear", ["clear"], .sets([:])),
    ]
    try run(plan)
  }

  // MARK: Through STS

  /// The config and credentials for the STS tests: `base` with keys, roles over it.
  func stsFiles(_ roles: String) throws -> (config: [UInt8], credentials: [UInt8]) {
    let alice = try sts.world.user("alice")
    return (
      Array("[profile base]\n\(roles)".utf8),
      Array(
        "[base]\naws_access_key_id = \(alice.accessKeyID)\naws_secret_access_key = \(alice.secretAccessKey)\n"
          .utf8)
    )
  }

  /// role_arn, role_session_name, external_id, mfa_serial and --mfa-code reach STS as data;
  /// what STS answers (the role's name, into AWSENV_IDENTITY) comes back exactly, or the
  /// answer is refused.
  func testRoleSettingsGoToSTSAsDataAndComeBackExactly() throws {
    let account = "123456789012"
    let roleNames = [
      "$(touch${IFS}pwned)'\"`touch${IFS}pwned`;%s%n", "(touch pwned) <&> é✓ $HOME", "plain",
    ]
    var roles = ""
    var steps: [Step] = []
    for (index, name) in roleNames.enumerated() {
      roles += "[profile arn\(index)]\nrole_arn = arn:aws:iam::\(account):role/\(name)\n"
      roles += "source_profile = base\nregion = us-east-1\n"
      steps.append(
        Step(
          "arn-\(index)", ["use", "arn\(index)"],
          .sets([
            "AWSENV_IDENTITY": .text("\(name)@\(account)"), "AWS_ACCESS_KEY_ID": .present,
            "AWS_SESSION_TOKEN": .present, "AWS_PROFILE": .text("arn\(index)"),
            "AWS_REGION": .text("us-east-1"),
          ])))
    }
    let role = "arn:aws:iam::\(account):role/plain"
    roles += """
      [profile escape]
      role_arn = arn:aws:iam::\(account):role/a\u{1B}[31mb
      source_profile = base
      [profile multi]
      role_arn = arn:aws:iam::\(account):role/multi
        line
      source_profile = base
      [profile session]
      role_arn = \(role)
      source_profile = base
      role_session_name = $(touch pwned)';"<&>`x`
      [profile external]
      role_arn = \(role)
      source_profile = base
      external_id = '; touch $HOME/pwned; "`x`" %s
      [profile mfa]
      role_arn = \(role)
      source_profile = base
      mfa_serial = arn:aws:iam::\(account):mfa/$(touch pwned)'"
      [profile plain]
      role_arn = \(role)
      source_profile = base

      """
    let assumed: [String: Value] = [
      "AWSENV_IDENTITY": .text("plain@\(account)"), "AWS_SESSION_TOKEN": .present,
    ]
    steps += [
      Step("escape", ["use", "escape"], .refused("STS AssumeRole answered")),
      Step(
        "multi", ["use", "multi"],
        .setsOrRefused(["AWSENV_IDENTITY": .text("multi\nline@\(account)")])),
      Step("session", ["use", "session"], .setsOrRefused(assumed)),
      Step("external", ["use", "external"], .sets(assumed)),
      // Needs a code (exit 3) until an MFA session is cached: in the first shell only, the
      // others reuse the session the steps below made.
      Step("mfa-no-code", ["use", "mfa", "--non-interactive"], .setsOrRefused(assumed)),
      Step(
        "mfa-hostile-code", ["use", "mfa", "--mfa-code", "$(touch pwned)`x`'"],
        .setsOrRefused(assumed)),
      Step("mfa", ["use", "mfa", "--mfa-code", "123456"], .setsOrRefused(assumed)),
      Step(
        "region", ["use", "plain", "--region", "$(touch pwned)"], .refused("not a region name")),
      Step(
        "region-config", ["use", "plain", "--region", "eu-west-1;touch${IFS}pwned"], .refused()),
    ]
    let (config, credentials) = try stsFiles(roles)
    var plan = Plan()
    plan.steps = steps
    plan.files[".aws/config"] = config
    plan.files[".aws/credentials"] = credentials
    plan.environment = ["AWS_ENDPOINT_URL_STS": try sts.url, "AWS_MAX_ATTEMPTS": "1"]
    let outcomes = try run(plan)
    XCTAssertEqual(outcomes["bash"]?["mfa-no-code"]?.status, 3, "no code, no cached session")
  }

  /// The prompt segment of hostile values, expanded as each shell expands its prompt (bash
  /// PS1 with `${PS1@P}`, zsh PROMPT with prompt_subst through `print -P`, fish's
  /// fish_prompt): shown literally (control characters as `?`), never run; a refresh of a
  /// hostile inherited profile prints one hint line and runs nothing. (fish calls the hook's
  /// handler directly: `emit fish_prompt` would also start fish's first-run man page scan.)
  func testPromptOfHostileValues() throws {
    let account = "123456789012"
    let profile = "p%n%d%B%F%%@%m:%/_+"
    let roleName = "$(touch${IFS}pwned)`touch${IFS}pwned`%n%~!!\\u"
    let region = "$(touch $HOME/pwned)`touch pwned`%n%~\\u\\w!!\u{1B}[31m%F{red}"
    let inherited = "$(touch $HOME/pwned)`touch pwned`%n(touch pwned)"
    let (config, credentials) = try stsFiles(
      """
      [profile \(profile)]
      role_arn = arn:aws:iam::\(account):role/\(roleName)
      source_profile = base
      region = us-east-1

      """)
    let setup = """
      mkdir -p ~/.aws out
      printf %s \(shellQuote(String(decoding: config, as: UTF8.self))) >~/.aws/config
      printf %s \(shellQuote(String(decoding: credentials, as: UTF8.self))) >~/.aws/credentials
      export NO_COLOR=1 AWSENV_AUTO_REFRESH=0

      """
    let bash = """
      eval "$("$AWSENV" init bash)"
      PS1='${AWSENV_PROMPT:+$AWSENV_PROMPT }P> '
      awsenv use \(shellQuote(profile))
      __awsenv_precmd
      printf %s "${PS1@P}" >out/bash.role
      awsenv use base --region \(shellQuote(region))
      __awsenv_precmd
      printf %s "${PS1@P}" >out/bash.region
      awsenv clear
      export AWSENV_PROFILE=\(shellQuote(inherited)) AWSENV_REFRESH_AT=1 AWSENV_AUTO_REFRESH=1
      export AWSENV_EXPIRES=$((EPOCHSECONDS + 100))
      __awsenv_precmd 2>out/bash.hint
      printf %s "${PS1@P}" >out/bash.inherited
      """
    let zsh = """
      eval "$("$AWSENV" init zsh)"
      setopt prompt_subst
      PROMPT='${AWSENV_PROMPT:+$AWSENV_PROMPT }P> '
      awsenv use \(shellQuote(profile))
      __awsenv_precmd
      print -rnP -- "$PROMPT" >out/zsh.role
      awsenv use base --region \(shellQuote(region))
      __awsenv_precmd
      print -rnP -- "$PROMPT" >out/zsh.region
      awsenv clear
      export AWSENV_PROFILE=\(shellQuote(inherited)) AWSENV_REFRESH_AT=1 AWSENV_AUTO_REFRESH=1
      export AWSENV_EXPIRES=$((EPOCHSECONDS + 100))
      __awsenv_precmd 2>out/zsh.hint
      print -rnP -- "$PROMPT" >out/zsh.inherited
      """
    let fish = """
      "$AWSENV" init fish | source
      function fish_prompt
          test -n "$AWSENV_PROMPT"; and printf '%s ' $AWSENV_PROMPT
          printf 'P> '
      end
      awsenv use \(shellQuote(profile))
      __awsenv_precmd
      fish_prompt >out/fish.role
      awsenv use base --region \(shellQuote(region))
      __awsenv_precmd
      fish_prompt >out/fish.region
      awsenv clear
      set -gx AWSENV_PROFILE \(shellQuote(inherited))
      set -gx AWSENV_REFRESH_AT 1
      set -gx AWSENV_AUTO_REFRESH 1
      set -gx AWSENV_EXPIRES (math (date +%s) + 100)
      __awsenv_precmd 2>out/fish.hint
      fish_prompt >out/fish.inherited
      """
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try Harness.sandbox(
      script: setup + """
        bash -c \(shellQuote(bash))
        zsh -c \(shellQuote(zsh))
        fish -c \(shellQuote(fish))
        """, environment: ["AWS_ENDPOINT_URL_STS": try sts.url], keep: dir)
    XCTAssertSuccess(run)
    XCTAssertEqual(run.stderr, "")
    assertNothingRan("\(dir)/home")
    for shell in Self.shells {
      func read(_ name: String) throws -> String {
        try String(contentsOfFile: "\(dir)/home/out/\(shell).\(name)", encoding: .utf8)
      }
      let role = try read("role")
      let head = "aws:\(profile) (\(roleName)@\(account)) us-east-1 "
      XCTAssertTrue(
        role.hasPrefix(head) && (role.hasSuffix(" 59m P> ") || role.hasSuffix(" 1h00m P> ")),
        "\(shell): \(role.debugDescription)")
      XCTAssertEqual(
        try read("region"),
        "aws:base \(region.replacingOccurrences(of: "\u{1B}", with: "?")) P> ", shell)
      let shown = try read("inherited")
      XCTAssertTrue(
        shown.hasPrefix("aws:\(inherited) ") && shown.hasSuffix("m! P> "),
        "\(shell): \(shown.debugDescription)")
      let hint = try read("hint")
      XCTAssertTrue(
        hint.hasPrefix("awsenv: the credentials of ") && hint.hasSuffix("\n")
          && hint.filter { $0 == "\n" }.count == 1,
        "\(shell): \(hint.debugDescription)")
    }
  }

  /// What a broken proxy or a hostile endpoint answers to AssumeRole reaches the CLI as one
  /// `awsenv:` line, exit status 1, in every shell, and the shell stays as it was.
  func testHostileSTSAnswersAreOneLineAndChangeNothing() throws {
    let server = try sts
    let (config, credentials) = try stsFiles(
      "[profile plain]\nrole_arn = arn:aws:iam::123456789012:role/plain\nsource_profile = base\n")
    let good = """
      <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>\
      <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/plain/s</Arn></AssumedRoleUser>\
      <Credentials><AccessKeyId>ASIAHOSTILE000000001</AccessKeyId>\
      <SecretAccessKey>secretFromAHostileServer0000000000000001</SecretAccessKey>\
      <SessionToken>TOKEN</SessionToken><Expiration>2031-01-01T00:00:00Z</Expiration>\
      </Credentials></AssumeRoleResult></AssumeRoleResponse>
      """
    let secretMark = "SECRETxFROMxTHExBODY"
    let cases: [(name: String, status: Int, type: String, body: String, hint: String?)] = [
      (
        "html-200", 200, "text/html", "<html><body><h1>Sign in to the proxy</h1></body></html>",
        "HTTP 200"
      ),
      (
        "html-500", 500, "text/html", "<html><body>Internal error \(secretMark)</body></html>",
        "HTTP 500"
      ),
      ("truncated", 200, "text/xml", String(good.prefix(good.count / 2)), "not STS XML"),
      (
        "huge", 200, "text/xml",
        "<AssumeRoleResponse>" + String(repeating: "A", count: 2 << 20), nil
      ),
      (
        "deep", 200, "text/xml",
        String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000),
        "not STS XML"
      ),
      (
        "laughs", 200, "text/xml",
        "<!DOCTYPE AssumeRoleResponse [<!ENTITY a \"\(secretMark)\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
          + good.replacingOccurrences(of: "TOKEN", with: "&b;"), "not STS XML"
      ),
      (
        "bad-expiration", 200, "text/xml",
        good.replacingOccurrences(of: "2031-01-01T00:00:00Z", with: "soon"), "without credentials"
      ),
      (
        "hostile-error", 403, "text/xml",
        "<ErrorResponse><Error><Code>$(touch pwned)</Code><Message>\u{1B}[2J"
          + String(repeating: "m", count: 400) + secretMark + "</Message></Error></ErrorResponse>",
        "HTTP 403"
      ),
      (
        "long-message", 403, "text/xml",
        "<ErrorResponse><Error><Code>AccessDenied</Code><Message>`touch pwned`\n\t"
          + String(repeating: "m", count: 400) + secretMark + "</Message></Error></ErrorResponse>",
        "AccessDenied"
      ),
      (
        "long-token", 200, "text/xml",
        good.replacingOccurrences(of: "TOKEN", with: String(repeating: "t", count: 200_000)),
        "credentials of the wrong shape"
      ),
      ("json", 200, "application/json", #"{"Credentials":{"AccessKeyId":"ASIA"}}"#, "not STS XML"),
    ]
    var rules: [[String: Any]] = []
    for _ in Self.shells {
      for item in cases {
        rules.append([
          "count": 1, "status": item.status, "content_type": item.type, "body": item.body,
          "action": "AssumeRole",
        ])
      }
    }
    try postFaults(rules, to: server.url)
    var plan = Plan()
    plan.files[".aws/config"] = config
    plan.files[".aws/credentials"] = credentials
    plan.environment = ["AWS_ENDPOINT_URL_STS": server.url, "AWS_MAX_ATTEMPTS": "1"]
    plan.steps = cases.map {
      Step($0.name, ["use", "plain", "--refresh"], .refused($0.hint, status: 1))
    }
    let outcomes = try run(plan)
    for shell in Self.shells {
      for item in cases {
        let text = String(decoding: outcomes[shell]?[item.name]?.stderr ?? [], as: UTF8.self)
        XCTAssertFalse(text.contains(secretMark), "\(shell) \(item.name): \(text)")
        if item.name == "hostile-error" {
          XCTAssertFalse(text.contains("touch"), "a code that is not one is not repeated: \(text)")
        }
      }
    }
    XCTAssertEqual(try server.calls()["faulted"], rules.count, "every call met its fault")
  }

  /// Queues fault rules on the local STS (sts_server.py's POST /_awsenv/faults).
  func postFaults(_ rules: [[String: Any]], to url: String) throws {
    let json = String(decoding: try JSONSerialization.data(withJSONObject: rules), as: UTF8.self)
    let post = try Harness.run(
      [
        "/usr/bin/env", "python3", "-c",
        """
        import json, sys, urllib.request
        for rule in json.load(sys.stdin):
            request = urllib.request.Request(
                sys.argv[1] + "/_awsenv/faults", data=json.dumps(rule).encode(),
                headers={"Content-Type": "application/json"}, method="POST")
            urllib.request.urlopen(request).read()
        """,
        url,
      ], stdin: json)
    XCTAssertSuccess(post)
  }
}

extension String {
  fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
