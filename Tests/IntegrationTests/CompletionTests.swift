import Foundation
import XCTest

/// The completion scripts in completions/ are what the binary generates, and profile names
/// complete through the shell function in real bash and fish.
final class CompletionTests: XCTestCase {
  func testCheckedInScriptsAreCurrent() throws {
    for (shell, file) in [("bash", "awsenv.bash"), ("zsh", "_awsenv"), ("fish", "awsenv.fish")] {
      let generated = try Harness.run([Harness.binary, "--generate-completion-script", shell])
      XCTAssertSuccess(generated)
      let checkedIn = try String(
        contentsOfFile: "\(Harness.root)/completions/\(file)", encoding: .utf8)
      XCTAssertEqual(
        generated.stdout, checkedIn, "completions/\(file) is stale: run `make generate`")
    }
  }

  func testProfileNamesCompleteInBashAndFish() throws {
    let run = try Harness.sandbox(
      script: """
        mkdir -p ~/.aws
        printf '[profile alpha]\\n[profile beta]\\n[sso-session corp]\\n' >~/.aws/config
        printf '[gamma]\\n' >~/.aws/credentials
        # The generated completion script is not written for `set -u`: run it as bash does.
        bash -c '
          eval "$("$AWSENV" init bash)"
          source "$0"
          COMP_WORDS=(awsenv use "")
          COMP_CWORD=2
          COMP_LINE="awsenv use "
          COMP_POINT=${#COMP_LINE}
          _awsenv awsenv "" use
          printf "bash:%s\\n" "${COMPREPLY[@]}"
        ' \(shellQuote("\(Harness.root)/completions/awsenv.bash"))
        fish -c "
          \\"\\$AWSENV\\" init fish | source
          source \(shellQuote("\(Harness.root)/completions/awsenv.fish"))
          for c in (complete -C 'awsenv use ')
            echo fish:\\$c
          end
        "
        """)
    XCTAssertSuccess(run)
    let lines = Set(run.stdout.split(separator: "\n").map(String.init))
    for profile in ["alpha", "beta", "gamma"] {
      XCTAssertTrue(lines.contains("bash:\(profile)"), "bash: \(run.stdout)")
      XCTAssertTrue(lines.contains { $0.hasPrefix("fish:\(profile)") }, "fish: \(run.stdout)")
    }
    XCTAssertFalse(lines.contains("bash:corp"), "sso-session names are not profiles")
  }
}
