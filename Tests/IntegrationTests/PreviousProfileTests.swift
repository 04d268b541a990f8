import Foundation
import XCTest

/// `awsenv use -` in real bash, zsh and fish, through the hook, with a real keyring: it goes
/// back to the profile used before and toggles, a refresh of the same profile does not count
/// as a switch, `clear` still gives back exactly the environment from before, `use -` after it
/// returns to the profile cleared, and with no previous profile the shell is left as it was.
final class PreviousProfileTests: XCTestCase {
  static let setup = """
    mkdir -p ~/.aws out
    cat >~/.aws/config <<'CONF'
    [profile prod]
    region = eu-west-1
    [profile dev]
    CONF
    printf '%s\\n%s\\n' AKIAAWSENVPROD000001 prodSecretKey/ForTestsOnly+000000000001 \\
      | "$AWSENV" add prod 2>/dev/null
    printf '%s\\n%s\\n' AKIAAWSENVDEV0000001 devSecretKey/ForTestsOnly+0000000000001 \\
      | "$AWSENV" add dev 2>/dev/null

    """

  /// Each step's outcome goes to out/log as `STEP PROFILE` (or `STEP failed STATUS`).
  static func script(for shell: String) -> String {
    if shell == "fish" {
      return """
        "$AWSENV" init fish | source
        function step -a name
          set -e argv[1]
          awsenv $argv 2>>out/err
          set -l code $status
          if test $code -ne 0
            echo "$name failed $code" >>out/log
          else
            set -q AWSENV_PROFILE; and echo "$name $AWSENV_PROFILE" >>out/log
            or echo "$name none" >>out/log
          end
        end
        env -0 >out/before
        step none use -
        env -0 >out/after-none
        step prod use prod
        step dev use dev
        step back use -
        step forth use -
        step back-again use -
        step same use prod
        step after-same use -
        step clear clear
        env -0 >out/cleared
        "$AWSENV" init fish | source
        step undo-clear use -
        step clear-again clear
        true
        """
    }
    let strict =
      shell == "zsh" ? "set -eu -o pipefail\nsetopt warn_create_global" : "set -euo pipefail"
    return """
      \(strict)
      eval "$("$AWSENV" init \(shell))"
      step() {
        local name=$1 code=0
        shift
        awsenv "$@" 2>>out/err || code=$?
        if ((code != 0)); then
          echo "$name failed $code" >>out/log
        else
          echo "$name ${AWSENV_PROFILE-none}" >>out/log
        fi
      }
      env -0 >out/before
      step none use -
      env -0 >out/after-none
      step prod use prod
      step dev use dev
      step back use -
      step forth use -
      step back-again use -
      step same use prod
      step after-same use -
      step clear clear
      env -0 >out/cleared
      eval "$("$AWSENV" init \(shell))"
      step undo-clear use -
      step clear-again clear
      true
      """
  }

  func testBash() throws { try check(shell: "bash") }
  func testZsh() throws { try check(shell: "zsh") }
  func testFish() throws { try check(shell: "fish") }

  private func check(shell: String) throws {
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try Harness.sandbox(
      script: Self.setup + "\(shell) -c \(shellQuote(Self.script(for: shell)))",
      environment: ["AWS_PROFILE": "orig-profile", "AWS_REGION": "orig-region"], keep: dir)
    XCTAssertSuccess(run)
    let out = "\(dir)/home/out"
    func text(_ name: String) throws -> String {
      try String(contentsOfFile: "\(out)/\(name)", encoding: .utf8)
    }
    func env(_ name: String) throws -> [String: String] {
      Harness.parseEnv(try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(name)")))
    }
    XCTAssertEqual(
      try text("log"),
      """
      none failed 1
      prod prod
      dev dev
      back prod
      forth dev
      back-again prod
      same prod
      after-same dev
      clear none
      undo-clear dev
      clear-again none

      """, shell)
    XCTAssertEqual(
      try text("err"),
      "awsenv: this shell has no previous profile to go back to: `awsenv use -` switches back "
        + "after a second `awsenv use PROFILE` (or a `clear`) in the same shell\n", shell)
    XCTAssertEqual(
      try env("after-none"), try env("before"), "\(shell): a failed use - changes nothing")
    XCTAssertEqual(
      try env("cleared"), try env("before"), "\(shell): clear gives back the environment exactly")
  }
}
