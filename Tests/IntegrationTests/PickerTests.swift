import Foundation
import XCTest

/// The profile picker in a real terminal (tmux): type to filter, arrows to move, Enter to
/// choose, Esc to cancel, recently used profiles first, the terminal restored on every way out
/// (signals included), and a usage error without a terminal. `awsenv pick` (hidden) is the
/// picker alone; `awsenv use` without a profile opens it through the hook.
final class PickerTests: XCTestCase {
  static let setup = """
    mkdir -p ~/.aws ~/.local/state/awsenv
    printf '[profile alpha]\\n[profile beta]\\n[profile prod-admin]\\n' >~/.aws/config
    printf '[dev]\\naws_access_key_id = AKIAAWSENVDEV0000001\\naws_secret_access_key = s\\n' \\
      >~/.aws/credentials
    printf 'beta\\ndev\\ngone\\n' >~/.local/state/awsenv/recent
    cat >~/.bashrc <<'RC'
    PS1='P> '
    eval "$("$AWSENV" init bash)"
    RC
    cd ~
    tm_start 'bash --rcfile ~/.bashrc -i'
    wait_for '^P>'
    # Runs the picker as the hook does (stdout captured), keeping its pid, status and choice.
    type_line 'stty -g >stty.before; chosen=$(sh -c '"'"'echo $$ >pid; exec "$AWSENV" pick'"'"'); echo "$?" >status; printf %s "$chosen" >chosen; stty -g >stty.after'

    """

  /// The picker's rows, top to bottom, as the screen shows them.
  static let rows = "screen | sed -n '/^profile (/,$p' | sed 's/ *$//' | grep -v '^$'"

  private func sandbox(_ script: String, keep dir: String) throws -> RunResult {
    try Harness.sandbox(
      script: TerminalHarness.functions + Self.setup + script, keep: dir)
  }

  private func read(_ dir: String, _ name: String) throws -> String {
    try String(contentsOfFile: "\(dir)/home/\(name)", encoding: .utf8)
  }

  func testRecentFirstTypeToFilterEnterToChoose() throws {
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try sandbox(
      """
      wait_text 'profile (4/4)>'
      \(Self.rows) >rows.all
      tm send-keys -l 'pda'
      wait_text 'profile (1/4)> pda'
      \(Self.rows) >rows.filtered
      tm send-keys -l 'x'
      wait_text '(no profile matches)'
      tm send-keys BSpace
      wait_text 'profile (1/4)> pda'
      tm send-keys Enter
      wait_file stty.after
      tm display -p '#{wrap_flag}' >wrap
      screen >screen.after
      """, keep: dir)
    XCTAssertSuccess(run)
    XCTAssertEqual(
      try read(dir, "rows.all"),
      "profile (4/4)>\n> beta\n  dev\n  alpha\n  prod-admin\n",
      "recent profiles first (one that no longer exists is left out), then the config's order")
    XCTAssertEqual(try read(dir, "rows.filtered"), "profile (1/4)> pda\n> prod-admin\n")
    XCTAssertEqual(try read(dir, "status"), "0\n")
    XCTAssertEqual(try read(dir, "chosen"), "prod-admin")
    XCTAssertEqual(try read(dir, "stty.after"), try read(dir, "stty.before"))
    XCTAssertEqual(try read(dir, "wrap"), "1\n", "autowrap is back on")
    XCTAssertFalse(try read(dir, "screen.after").contains("profile ("), "the picker is erased")
  }

  func testArrowsMoveAndWrap() throws {
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try sandbox(
      """
      wait_text 'profile (4/4)>'
      tm send-keys Down Down
      wait_text '> alpha'
      tm send-keys Up Up Up
      wait_text '> prod-admin'
      tm send-keys C-n
      wait_text '> beta'
      tm send-keys Enter
      wait_file stty.after
      """, keep: dir)
    XCTAssertSuccess(run)
    XCTAssertEqual(try read(dir, "chosen"), "beta")
  }

  func testEscapeAndCtrlCCancel() throws {
    for key in ["Escape", "C-c", "Escape x"] {
      let dir = try Harness.makeDirectory()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let run = try sandbox(
        """
        wait_text 'profile (4/4)>'
        tm send-keys -l 'al'
        wait_text 'profile (1/4)> al'
        tm send-keys \(key)
        wait_file stty.after
        """, keep: dir)
      XCTAssertSuccess(run)
      XCTAssertEqual(try read(dir, "status"), "130\n", key)
      XCTAssertEqual(try read(dir, "chosen"), "", key)
      XCTAssertEqual(try read(dir, "stty.after"), try read(dir, "stty.before"), key)
    }
  }

  /// SIGTERM, SIGHUP and SIGINT from outside: the terminal gets its settings back before the
  /// picker dies of the signal.
  func testSignalsRestoreTheTerminal() throws {
    for signal in ["TERM", "HUP", "INT"] {
      let dir = try Harness.makeDirectory()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      // bash abandons the rest of a command line whose child died of SIGINT (it takes it as
      // the user's Ctrl-C), so the settings are read by the next command.
      let run = try sandbox(
        """
        wait_text 'profile (4/4)>'
        kill -\(signal) "$(cat pid)"
        wait_for '^P>'
        rm -f stty.after
        type_line 'stty -g >stty.after'
        wait_file stty.after
        sleep 0.2
        tm display -p '#{wrap_flag}' >wrap
        screen >screen.after
        """, keep: dir)
      XCTAssertSuccess(run)
      XCTAssertEqual(try read(dir, "stty.after"), try read(dir, "stty.before"), signal)
      XCTAssertEqual(try read(dir, "wrap"), "1\n", signal)
      XCTAssertFalse(try read(dir, "screen.after").contains("profile ("), signal)
    }
  }

  /// The picker inside each shell's capture, as the hook runs `use`: bash and zsh command
  /// substitution, fish's pipe into `read`.
  func testPickerInsideEachShellsCapture() throws {
    let shells: [(String, String)] = [
      ("bash --norc --noprofile -i", #"x=$(AWSENV_SHELL=bash "$AWSENV" pick); echo "got=$x""#),
      ("zsh -f -i", #"x=$(AWSENV_SHELL=zsh "$AWSENV" pick); echo "got=$x""#),
      ("fish --no-config -i", #"AWSENV_SHELL=fish $AWSENV pick | read -l x; echo "got=$x""#),
    ]
    for (command, line) in shells {
      let run = try Harness.sandbox(
        script: TerminalHarness.functions + """
          mkdir -p ~/.aws
          printf '[profile alpha]\\n[profile beta]\\n' >~/.aws/config
          tm_start \(shellQuote(command))
          sleep 0.5
          type_line \(shellQuote(line))
          wait_text 'profile (2/2)>'
          tm send-keys -l 'bet'
          wait_text 'profile (1/2)> bet'
          tm send-keys Enter
          wait_text 'got=beta'
          """)
      XCTAssertSuccess(run)
    }
  }

  func testWithoutATerminalItIsAUsageError() throws {
    let run = try Harness.sandbox(
      script: """
        mkdir -p ~/.aws
        printf '[profile alpha]\\n' >~/.aws/config
        "$AWSENV" pick </dev/null
        """)
    XCTAssertEqual(run.status, 64)
    XCTAssertEqual(run.stdout, "")
    XCTAssertTrue(run.stderr.hasPrefix("awsenv: missing the profile"), run.stderr)
    XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
  }

  /// The whole path: `awsenv use` alone on a terminal opens the picker through the hook,
  /// switches to the choice and remembers it; Esc leaves the shell as it was; without a
  /// terminal it is a usage error.
  func testUseWithoutAProfileOpensThePicker() throws {
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try Harness.sandbox(
      script: TerminalHarness.functions + """
        mkdir -p ~/.aws
        printf '[profile alpha]\\n[profile beta]\\n' >~/.aws/config
        printf 'AKIAAWSENVALPHA00001\\nalpha\\n' | "$AWSENV" add alpha 2>/dev/null
        printf 'AKIAAWSENVBETA000001\\nbeta\\n' | "$AWSENV" add beta 2>/dev/null
        cat >~/.bashrc <<'RC'
        PS1='P> '
        eval "$("$AWSENV" init bash)"
        RC
        tm_start 'bash --rcfile ~/.bashrc -i'
        wait_for '^P>'
        type_line 'awsenv use'
        wait_text 'profile (2/2)>'
        tm send-keys -l 'bet'
        tm send-keys Enter
        type_line 'echo "switched=$AWS_PROFILE"'
        wait_text 'switched=beta'
        type_line 'awsenv use'
        wait_text 'profile (2/2)>'
        \(PickerTests.rows) | head -n 2 | tail -n 1 >first
        tm send-keys Escape
        wait_gone 'profile ('
        type_line 'echo "cancelled=$? $AWS_PROFILE"'
        wait_text 'cancelled=130 beta'
        type_line 'awsenv use </dev/null 2>err; echo "no-terminal=$?"'
        wait_text 'no-terminal=64'
        cp ~/.local/state/awsenv/recent recent
        """, keep: dir)
    XCTAssertSuccess(run)
    XCTAssertEqual(try read(dir, "first"), "> beta\n", "the last profile used comes first")
    XCTAssertEqual(try read(dir, "recent"), "beta\n")
    XCTAssertTrue(try read(dir, "err").hasPrefix("awsenv: "))
  }
}
