import Foundation
import XCTest

/// The completion scripts in completions/ are what the binary generates; profile names and the
/// other dynamic values complete through the shell function in real bash, zsh (in a terminal,
/// under tmux) and fish; the hook loads the completions when none are installed; and 5,000
/// profiles still complete.
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

  /// docs/awsenv.1 is what `make generate` (`swift package generate-manual`) would write. The
  /// plugin builds the package in release mode and runs swift-argument-parser's generate-manual
  /// tool on the binary, which reads `awsenv --experimental-dump-help`; this runs the same tool
  /// (built beside the test bundle by `make test`, through the plugin's `--help`) on the debug
  /// binary, whose help is the same, in well under a second instead of a release build. The date line (`.Dd`, the day the page
  /// was generated) is the one thing that differs by day: the tool gets the checked-in date.
  func testCheckedInManualIsCurrent() throws {
    // SwiftPM names a plugin's tool NAME-tool in the build directory.
    let directory = URL(fileURLWithPath: Harness.binary).deletingLastPathComponent()
    let tools = ["generate-manual-tool", "generate-manual"].map {
      directory.appendingPathComponent($0).path
    }
    guard let tool = tools.first(where: FileManager.default.isExecutableFile(atPath:)) else {
      XCTFail(
        "\(tools[0]) is missing: run `swift package generate-manual --help` (make test does), "
          + "which builds it")
      return
    }
    let checkedIn = try String(contentsOfFile: "\(Harness.root)/docs/awsenv.1", encoding: .utf8)
    let dateLine = try XCTUnwrap(
      checkedIn.split(separator: "\n").first { $0.hasPrefix(".Dd ") },
      "docs/awsenv.1 has a .Dd line")
    let reading = DateFormatter()
    reading.locale = Locale(identifier: "en_US_POSIX")
    reading.timeZone = TimeZone(identifier: "UTC")
    reading.dateFormat = "MMMM d, yyyy"
    let date = try XCTUnwrap(reading.date(from: String(dateLine.dropFirst(4))), String(dateLine))
    let writing = DateFormatter()
    writing.locale = reading.locale
    writing.timeZone = reading.timeZone
    writing.dateFormat = "yyyy-MM-dd"

    let output = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: output) }
    let generated = try Harness.run([
      tool, Harness.binary, "--output-directory", output, "--date", writing.string(from: date),
    ])
    XCTAssertSuccess(generated)
    let page = try String(contentsOfFile: "\(output)/awsenv.1", encoding: .utf8)
    XCTAssertTrue(page.contains("\n\(dateLine)\n"), "the tool took the checked-in date")
    XCTAssertEqual(page, checkedIn, "docs/awsenv.1 is stale: run `make generate`")
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

  static let config = """
    mkdir -p ~/.aws
    printf '[profile alpha]\\n[profile beta]\\n[sso-session corp]\\n' >~/.aws/config
    printf '[gamma]\\n' >~/.aws/credentials

    """

  /// bash, driven through COMP_WORDS as readline would: every dynamic value, with the function
  /// `awsenv` in front of the binary.
  func testDynamicValuesInBash() throws {
    let run = try Harness.sandbox(
      script: Self.config + """
        bash -c '
          eval "$("$AWSENV" init bash)"
          source "$0"
          comp() { # comp WORD...: completes the last word, prints the sorted candidates
            COMP_WORDS=("$@")
            COMP_CWORD=$(($# - 1))
            COMP_LINE="$*"
            COMP_POINT=${#COMP_LINE}
            COMPREPLY=()
            _awsenv awsenv "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
            printf "%s\\n" "${COMPREPLY[@]}" | sort | paste -sd " "
          }
          comp awsenv init ""
          comp awsenv export alpha --format ""
          comp awsenv prompt --color ""
          for sub in use exec export remove credential-process; do comp awsenv $sub ""; done
          comp awsenv use b
          type -t awsenv
        ' \(shellQuote("\(Harness.root)/completions/awsenv.bash"))
        """)
    XCTAssertSuccess(run)
    XCTAssertEqual(
      run.stdout.split(separator: "\n").map(String.init),
      [
        "bash fish zsh", "env fish json process", "always auto never",
        "alpha beta gamma", "alpha beta gamma", "alpha beta gamma", "alpha beta gamma",
        "alpha beta gamma", "beta", "function",
      ])
  }

  /// fish, through `complete -C`.
  func testDynamicValuesInFish() throws {
    let run = try Harness.sandbox(
      script: Self.config + """
        fish -c '
          "$AWSENV" init fish | source
          source $argv[1]
          function comp
            complete -C $argv[1] | string replace -r "\\t.*" "" | sort | string join " "
          end
          comp "awsenv init "
          comp "awsenv export alpha --format "
          comp "awsenv prompt --color "
          comp "awsenv remove "
          comp "awsenv use b"
          true
        ' \(shellQuote("\(Harness.root)/completions/awsenv.fish"))
        """)
    XCTAssertSuccess(run)
    XCTAssertEqual(
      run.stdout.split(separator: "\n").map(String.init),
      ["bash fish zsh", "env fish json process", "always auto never", "alpha beta gamma", "beta"])
  }

  /// zsh in a terminal: Tab after the function `awsenv` lists profiles, shells and formats, and
  /// completes a unique prefix; once with the generated file in fpath (an install), once with
  /// nothing installed, where the hook loads the completions itself.
  func testZshCompletionInATerminal() throws {
    for installed in [true, false] {
      let fpath = installed ? "fpath=(\(shellQuote("\(Harness.root)/completions")) \\$fpath)" : ""
      let run = try Harness.sandbox(
        script: TerminalHarness.functions + Self.config + """
          cat >~/.zshrc <<RC
          \(fpath)
          autoload -Uz compinit && compinit -u -D
          bindkey -e
          eval "\\$("\\$AWSENV" init zsh)"
          PROMPT='P> '
          RC
          tm_start 'ZDOTDIR=$HOME zsh -i'
          wait_for '^P>'
          type_line 'print -r -- "function=${functions[_awsenv][1,40]}" "comps=${_comps[awsenv]}"'
          wait_text 'comps=_awsenv'
          screen | grep -F 'function=' | tail -n 1
          tm send-keys -l 'awsenv use '
          tm send-keys Tab
          wait_for 'alpha +beta +gamma'
          tm send-keys C-u
          tm send-keys -l 'awsenv init '
          tm send-keys Tab
          wait_for 'bash +zsh +fish'
          tm send-keys C-u
          tm send-keys -l 'awsenv export alpha --format '
          tm send-keys Tab
          wait_for 'env +fish +json +process'
          tm send-keys C-u
          tm send-keys -l 'awsenv use be'
          tm send-keys Tab
          wait_text 'P> awsenv use beta'
          """)
      XCTAssertSuccess(run)
      let loaded = run.stdout
      if installed {
        XCTAssertTrue(loaded.contains("autoload"), "the installed file is autoloaded: \(loaded)")
      } else {
        XCTAssertFalse(loaded.contains("autoload"), "the hook defined _awsenv: \(loaded)")
      }
    }
  }

  /// Interactive bash and fish without installed completions get them from the hook;
  /// non-interactive shells (scripts) do not pay for it.
  func testHookLoadsCompletionsWhenNoneAreInstalled() throws {
    let run = try Harness.sandbox(
      script: Self.config + """
        bash -ic 'eval "$("$AWSENV" init bash)"; complete -p awsenv' 2>/dev/null | grep -o -- '-F _awsenv awsenv$'
        bash -c 'eval "$("$AWSENV" init bash)"; complete -p awsenv 2>/dev/null || echo "bash script: none"'
        fish -ic '"$AWSENV" init fish | source; complete -C "awsenv init " | sort | string join " "'
        fish -c '"$AWSENV" init fish | source; echo (complete -C "awsenv init " | count)'
        """)
    XCTAssertSuccess(run)
    XCTAssertEqual(
      run.stdout.split(separator: "\n").map(String.init),
      ["-F _awsenv awsenv", "bash script: none", "bash fish zsh", "0"])
  }

  /// 5,000 profiles complete in bash and fish (all of them, through the function), and the
  /// binary's completion call reads only the config files. Times are printed, not asserted.
  func testFiveThousandProfiles() throws {
    let run = try Harness.sandbox(
      script: """
        mkdir -p ~/.aws
        for ((i = 0; i < 5000; i++)); do
          printf '[profile team-%04d]\\nregion = eu-west-1\\nrole_arn = arn:aws:iam::123456789012:role/R%d\\nsource_profile = base\\n' $i $i
        done >~/.aws/config
        printf '[base]\\naws_access_key_id = AKIAAWSENVBASE000001\\naws_secret_access_key = s\\n' >~/.aws/credentials
        start=$EPOCHREALTIME
        n=$("$AWSENV" ---completion use -- positional@0 awsenv use '' | wc -l)
        echo "binary $n $start $EPOCHREALTIME"
        bash -c '
          eval "$("$AWSENV" init bash)"
          source "$0"
          COMP_WORDS=(awsenv use team-4)
          COMP_CWORD=2
          COMP_LINE="awsenv use team-4"
          COMP_POINT=${#COMP_LINE}
          start=$EPOCHREALTIME
          _awsenv awsenv team-4 use
          echo "bash ${#COMPREPLY[@]} $start $EPOCHREALTIME"
        ' \(shellQuote("\(Harness.root)/completions/awsenv.bash"))
        fish -c '
          "$AWSENV" init fish | source
          source $argv[1]
          set -l start (date +%s.%N)
          set -l n (complete -C "awsenv use " | count)
          echo "fish $n $start" (date +%s.%N)
        ' \(shellQuote("\(Harness.root)/completions/awsenv.fish"))
        """)
    XCTAssertSuccess(run)
    var counts: [String: Int] = [:]
    for line in run.stdout.split(separator: "\n") {
      let parts = line.split(separator: " ").map(String.init)
      guard parts.count == 4, let start = Double(parts[2]), let end = Double(parts[3]) else {
        continue
      }
      counts[parts[0]] = Int(parts[1])
      print("completion with 5,000 profiles, \(parts[0]): \(parts[1]) names in \(end - start) s")
    }
    XCTAssertEqual(counts["binary"], 5001, "5,000 roles and their source: \(run.stdout)")
    XCTAssertEqual(counts["bash"], 1000, "team-4000…team-4999: \(run.stdout)")
    XCTAssertEqual(counts["fish"], 5001, run.stdout)
  }
}
