import Foundation
import XCTest

/// `awsenv use` and `awsenv clear` in real bash, zsh and fish, through the hook, with a real
/// keyring: every variable checked, the original state restored byte for byte, hostile values
/// never executed.
final class ShellSwitchTests: XCTestCase {
  /// A secret a shell would execute if it were ever evaluated unquoted.
  static let hostileSecret = #"s3cr'$(touch${IFS}PWNED1)`touch${IFS}PWNED2`;\"x\\y"#
  static let prodKeyID = "AKIAAWSENVPROD000001"
  static let devKeyID = "AKIAAWSENVDEV0000001"
  static let devSecret = "devSecretKey/ForTestsOnly+0000000000001"

  /// Values the shell has before awsenv touches it: quotes, substitutions, newline, tab,
  /// UTF-8, an empty string.
  static let original: [String: String] = [
    "AWS_REGION": "orig'$(touch PWNED3)\nsecond line",
    "AWS_DEFAULT_REGION": "",
    "AWS_SESSION_TOKEN": "old\ttoken `touch PWNED4`",
    "AWS_SECURITY_TOKEN": "légacy ✓ token",
    "AWS_DEFAULT_PROFILE": "$(touch PWNED5)",
  ]

  static let setup = """
    mkdir -p ~/.aws out
    cat >~/.aws/config <<'CONF'
    [profile prod]
    region = eu-west-1
    [profile dev]
    CONF
    printf '%s\\n%s\\n' \(ShellSwitchTests.prodKeyID) \(shellQuote(ShellSwitchTests.hostileSecret)) \\
      | "$AWSENV" add prod 2>/dev/null
    printf '%s\\n%s\\n' \(ShellSwitchTests.devKeyID) \(ShellSwitchTests.devSecret) \\
      | "$AWSENV" add dev 2>/dev/null

    """

  /// The script each shell runs: load the hook from another directory, dump the environment
  /// (as child processes see it) before, after two switches, after a failed switch and after
  /// clear.
  static func script(for shell: String) -> String {
    if shell == "fish" {
      return """
        cd /
        "$AWSENV" init fish | source
        cd ~
        awsenv clear; or exit 25
        env -0 >out/before
        awsenv use prod; or exit 21
        env -0 >out/prod
        awsenv use dev --region ap-south-1; or exit 22
        env -0 >out/dev
        if awsenv use missing 2>out/failed.err; exit 20; end
        env -0 >out/failed
        awsenv clear; or exit 23
        env -0 >out/cleared
        "$AWSENV" init fish | source
        awsenv use prod; and awsenv clear; or exit 24
        env -0 >out/cleared-again
        true
        """
    }
    // bash and zsh share the script; zsh also runs with WARN_CREATE_GLOBAL, which the hook
    // must not trip.
    let strict =
      shell == "zsh" ? "set -eu -o pipefail\nsetopt warn_create_global" : "set -euo pipefail"
    return """
      \(strict)
      cd /
      eval "$("$AWSENV" init \(shell))"
      cd ~
      awsenv clear
      env -0 >out/before
      awsenv use prod
      env -0 >out/prod
      awsenv use dev --region ap-south-1
      env -0 >out/dev
      if awsenv use missing 2>out/failed.err; then exit 20; fi
      env -0 >out/failed
      awsenv clear
      env -0 >out/cleared
      eval "$("$AWSENV" init \(shell))"
      awsenv use prod && awsenv clear
      env -0 >out/cleared-again
      true
      """
  }

  func testBash() throws { try checkSwitch(shell: "bash") }
  func testZsh() throws { try checkSwitch(shell: "zsh") }
  func testFish() throws { try checkSwitch(shell: "fish") }

  private func checkSwitch(shell: String) throws {
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try Harness.sandbox(
      script: Self.setup + "\(shell) -c \(shellQuote(Self.script(for: shell)))",
      environment: Self.original.merging(["AWS_PROFILE": "orig-profile"]) { $1 }, keep: dir)
    XCTAssertSuccess(run)
    XCTAssertEqual(run.stderr, "", "a successful switch writes nothing on stderr")

    let out = "\(dir)/home/out"
    func env(_ name: String) throws -> [String: String] {
      Harness.parseEnv(try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(name)")))
    }
    let before = try env("before")
    for (name, value) in Self.original { XCTAssertEqual(before[name], value, name) }
    XCTAssertEqual(before["AWS_PROFILE"], "orig-profile", "clear with no profile active is a no-op")

    let prod = try env("prod")
    XCTAssertEqual(prod["AWS_ACCESS_KEY_ID"], Self.prodKeyID)
    XCTAssertEqual(prod["AWS_SECRET_ACCESS_KEY"], Self.hostileSecret)
    XCTAssertEqual(prod["AWS_REGION"], "eu-west-1")
    XCTAssertEqual(prod["AWS_DEFAULT_REGION"], "eu-west-1")
    XCTAssertEqual(prod["AWS_PROFILE"], "prod")
    XCTAssertEqual(prod["AWSENV_PROFILE"], "prod")
    for name in [
      "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE", "AWS_CREDENTIAL_EXPIRATION",
    ] {
      XCTAssertNil(prod[name], "\(name) must be unset for long-lived keys")
    }
    XCTAssertFalse(
      prod.keys.contains { $0.contains("awsenv_saved") || $0 == "AWSENV_SAVED" },
      "the saved state stays in the shell, out of child environments")

    let dev = try env("dev")
    XCTAssertEqual(dev["AWS_ACCESS_KEY_ID"], Self.devKeyID)
    XCTAssertEqual(dev["AWS_SECRET_ACCESS_KEY"], Self.devSecret)
    XCTAssertEqual(dev["AWS_REGION"], "ap-south-1")
    XCTAssertEqual(dev["AWS_PROFILE"], "dev")

    XCTAssertEqual(try env("failed"), dev, "a failed use leaves every variable as it was")
    let failure = try String(contentsOfFile: "\(out)/failed.err", encoding: .utf8)
    XCTAssertTrue(failure.hasPrefix("awsenv: "), failure)
    XCTAssertEqual(failure.split(separator: "\n").count, 1, "one line: \(failure)")

    XCTAssertEqual(try env("cleared"), before, "clear restores the state from before the first use")
    XCTAssertEqual(try env("cleared-again"), before, "reloading the hook keeps working")
    let home = "\(dir)/home"
    let leftovers =
      try FileManager.default.contentsOfDirectory(atPath: home)
      + FileManager.default.contentsOfDirectory(atPath: "/")
    XCTAssertFalse(
      leftovers.contains { $0.hasPrefix("PWNED") }, "nothing hostile ran: \(leftovers)")
  }

  /// Names and values that must never reach a shell unescaped: refused with one line, shell
  /// unchanged, nothing executed.
  func testHostileProfileNamesAreRefused() throws {
    let names = ["x$(touch PWNED6)", "a;touch PWNED7", "`touch PWNED8`", "q'uote", "new\nline", ""]
    var script = Self.setup + "eval \"$(\"$AWSENV\" init bash)\"\nenv -0 >out/before\n"
    for (index, name) in names.enumerated() {
      script += """
        if printf 'AKIAAWSENVTEST000001\\nsecret\\n' | "$AWSENV" add \(shellQuote(name)) 2>out/add\(index).err; then exit 30; fi
        if awsenv use \(shellQuote(name)) 2>out/use\(index).err; then exit 31; fi

        """
    }
    script += "env -0 >out/after\n"
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try Harness.sandbox(script: script, keep: dir)
    XCTAssertSuccess(run)
    let out = "\(dir)/home/out"
    XCTAssertEqual(
      Harness.parseEnv(try Data(contentsOf: URL(fileURLWithPath: "\(out)/before"))),
      Harness.parseEnv(try Data(contentsOf: URL(fileURLWithPath: "\(out)/after"))))
    for index in names.indices {
      for step in ["add", "use"] {
        let text = try String(contentsOfFile: "\(out)/\(step)\(index).err", encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("awsenv: "), "\(step) \(names[index]): \(text)")
        XCTAssertEqual(text.split(separator: "\n").count, 1, "\(step) \(names[index]): \(text)")
      }
    }
    let config = try String(contentsOfFile: "\(dir)/home/.aws/config", encoding: .utf8)
    XCTAssertFalse(config.contains("PWNED") || config.contains("uote"), config)
    let files = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/home")
    XCTAssertFalse(files.contains { $0.hasPrefix("PWNED") }, "\(files)")
  }

  /// On a machine without any Secret Service (a server, an SSH session), keys still in the
  /// credentials file work; a profile whose keys would be in the keyring gets a clear error.
  func testWithoutAKeyringFileKeysStillWork() throws {
    let run = try Harness.sandbox(
      ["--no-keyring"],
      script: """
        mkdir -p ~/.aws
        printf '[plain]\\naws_access_key_id = AKIAAWSENVPLAIN00001\\naws_secret_access_key = plain/secret\\n' \\
          >~/.aws/credentials
        printf '[profile vaulted]\\n' >~/.aws/config
        eval "$("$AWSENV" init bash)"
        awsenv use plain
        echo "id=$AWS_ACCESS_KEY_ID"
        if awsenv use vaulted 2>err.txt; then exit 60; fi
        echo "profile=$AWS_PROFILE"
        cat err.txt
        """)
    XCTAssertSuccess(run)
    XCTAssertTrue(run.stdout.contains("id=AKIAAWSENVPLAIN00001"), run.stdout)
    XCTAssertTrue(run.stdout.contains("profile=plain"), "the failed use changed nothing")
    XCTAssertTrue(run.stdout.contains("awsenv: no Secret Service provider"), run.stdout)
  }

  /// A config file that does not parse: one line naming the file and line, nothing changed.
  func testBrokenConfigNamesFileAndLine() throws {
    let run = try Harness.sandbox(
      script: """
        mkdir -p ~/.aws
        printf '[profile ok]\\nregion = x\\n[profile broken\\n' >~/.aws/config
        cp ~/.aws/config before
        eval "$("$AWSENV" init bash)"
        env -0 >env-before
        if awsenv use ok 2>err.txt; then exit 70; fi
        env -0 >env-after
        cmp env-before env-after
        cmp before ~/.aws/config
        cat err.txt
        """)
    XCTAssertSuccess(run)
    XCTAssertEqual(run.stdout.split(separator: "\n").count, 1, run.stdout)
    XCTAssertTrue(run.stdout.hasPrefix("awsenv: "), run.stdout)
    XCTAssertTrue(run.stdout.contains("/.aws/config:3:"), run.stdout)
  }

  /// Help asked through the hook goes to stderr: the hook must never evaluate it.
  func testHelpThroughTheHookIsNotEvaluated() throws {
    let run = try Harness.sandbox(
      script: """
        eval "$("$AWSENV" init bash)"
        awsenv use --help >out.txt 2>err.txt
        test ! -s out.txt
        grep -q 'USAGE: awsenv use' err.txt
        awsenv --version
        """)
    XCTAssertSuccess(run)
    XCTAssertEqual(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
  }

  /// Without the hook, `use` cannot change the caller's shell: it says how to load the hook.
  func testUseWithoutTheHookExplains() throws {
    let run = try Harness.sandbox(script: Self.setup + "\"$AWSENV\" use prod")
    XCTAssertEqual(run.status, 1)
    XCTAssertEqual(run.stdout, "", "no shell code when nothing evaluates it")
    XCTAssertTrue(
      run.stderr.hasPrefix("awsenv: `awsenv use` changes the current shell"), run.stderr)
    XCTAssertTrue(run.stderr.contains("awsenv init bash"), run.stderr)
  }

  /// The bash hook passes shellcheck and the zsh/fish hooks parse; the embedded copies in the
  /// binary are the files in shell/ (run `make generate` after editing them).
  func testHooksAreCurrentAndClean() throws {
    for shell in ["bash", "zsh", "fish"] {
      let source = try String(
        contentsOfFile: "\(Harness.root)/shell/awsenv.\(shell)", encoding: .utf8)
      let printed = try Harness.run([Harness.binary, "init", shell])
      XCTAssertSuccess(printed)
      let expected = source.replacingOccurrences(of: "@AWSENV_BIN@", with: Harness.binary)
      XCTAssertEqual(printed.stdout, expected, "stale HookScripts.swift: run `make generate`")
    }
    XCTAssertSuccess(
      try Harness.run([
        "/usr/bin/env", "shellcheck", "-s", "bash", "\(Harness.root)/shell/awsenv.bash",
      ]))
    XCTAssertSuccess(
      try Harness.run(["/usr/bin/env", "zsh", "-n", "\(Harness.root)/shell/awsenv.zsh"]))
    XCTAssertSuccess(
      try Harness.run(["/usr/bin/env", "fish", "-n", "\(Harness.root)/shell/awsenv.fish"]))
  }
}
