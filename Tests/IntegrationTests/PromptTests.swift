import Foundation
import XCTest

/// The prompt segment in real bash, zsh and fish: the same text as `awsenv prompt`, shown by
/// the README's PS1 / PROMPT / fish_prompt snippets in interactive shells, computed without a
/// fork, and the refresh in place when credentials enter their refresh window.
final class PromptTests: XCTestCase {
  static let prodKeyID = "AKIAAWSENVPROD000001"
  static let role = "Admin@123456789012"

  /// One state of a shell: its variables (a value `now±N` is that many seconds from now), the
  /// `--color` for `awsenv prompt`, and the segment every shell must show.
  struct Case {
    var name: String
    var variables: [(String, String)]
    var color: String
    var expected: String
  }

  static let cases: [Case] = {
    let prod = [("AWSENV_PROFILE", "prod"), ("AWS_REGION", "eu-west-1"), ("TERM", "xterm")]
    let role = prod + [("AWSENV_IDENTITY", PromptTests.role)]
    let expiring = role + [("AWSENV_EXPIRES", "now+330"), ("AWSENV_REFRESH_AT", "now-100")]
    let expired = role + [("AWSENV_EXPIRES", "now-5"), ("AWSENV_REFRESH_AT", "now-305")]
    let head = "aws:prod (\(PromptTests.role)) eu-west-1"
    return [
      Case(
        name: "inactive", variables: [("AWS_REGION", "eu-west-1")], color: "always", expected: ""),
      Case(name: "keys", variables: prod, color: "always", expected: "aws:prod eu-west-1"),
      Case(
        name: "role",
        variables: role + [("AWSENV_EXPIRES", "now+9030"), ("AWSENV_REFRESH_AT", "now+8730")],
        color: "always", expected: "\(head) 2h30m"),
      Case(
        name: "expiring", variables: expiring, color: "always",
        expected: "\(head) \u{1B}[33m5m\u{1B}[39m"),
      Case(
        name: "expiring-no-color", variables: expiring + [("NO_COLOR", "1")], color: "never",
        expected: "\(head) 5m!"),
      Case(
        name: "expiring-dumb", variables: expiring + [("TERM", "dumb")], color: "never",
        expected: "\(head) 5m!"),
      Case(
        name: "expired", variables: expired, color: "always",
        expected: "\(head) \u{1B}[31mexpired\u{1B}[39m"),
      Case(
        name: "expired-no-color", variables: expired + [("NO_COLOR", "1")], color: "never",
        expected: "\(head) expired"),
      Case(
        name: "format",
        variables: prod + [("AWSENV_PROMPT_FORMAT", "☁ %p|%r [%i] 100%% %x %t")],
        color: "always", expected: "☁ prod|eu-west-1 100% %x"),
      Case(
        name: "hostile",
        variables: [
          ("AWSENV_PROFILE", "a\u{1B}[2J%t $(touch PWNED1) `touch PWNED2` !b\nc"),
          ("AWSENV_IDENTITY", "%p\u{7}"), ("AWS_DEFAULT_REGION", "r%%"),
          ("AWSENV_EXPIRES", "a[$(touch PWNED3)]"), ("AWSENV_REFRESH_AT", "$(touch PWNED4)"),
          ("TERM", "xterm"),
        ],
        color: "always", expected: "aws:a?[2J%t $(touch PWNED1) `touch PWNED2` !b?c (%p?) r%%"),
      Case(
        name: "unicode",
        variables: [
          ("AWSENV_PROFILE", "prød-✓"), ("AWS_REGION", ""), ("AWS_DEFAULT_REGION", "eu-north-1"),
        ],
        color: "never", expected: "aws:prød-✓ eu-north-1"),
    ]
  }()

  /// Every hook computes the segment itself (no fork); each must match `awsenv prompt`, and the
  /// expected text, byte for byte (bash's \001/\002 and zsh's %{ %} aside).
  func testEveryShellShowsTheSameSegmentAsAwsenvPrompt() throws {
    var script = """
      mkdir out
      now=$EPOCHSECONDS
      clean=(-u AWSENV_PROFILE -u AWSENV_IDENTITY -u AWSENV_EXPIRES -u AWSENV_REFRESH_AT
        -u AWS_REGION -u AWS_DEFAULT_REGION -u NO_COLOR -u AWSENV_PROMPT_FORMAT -u TERM)
      probe() { # probe NAME COLOR NAME=VALUE...
        local name=$1 color=$2
        shift 2
        env "${clean[@]}" AWSENV_AUTO_REFRESH=0 "$@" bash -c '
          set -euo pipefail
          eval "$("$AWSENV" init bash)"
          __awsenv_precmd
          printf %s "$AWSENV_PROMPT"' >"out/$name.bash"
        env "${clean[@]}" AWSENV_AUTO_REFRESH=0 "$@" zsh -c '
          set -eu -o pipefail
          setopt warn_create_global
          eval "$("$AWSENV" init zsh)"
          __awsenv_precmd
          print -rn -- "${(%)AWSENV_PROMPT}"' >"out/$name.zsh"
        env "${clean[@]}" AWSENV_AUTO_REFRESH=0 "$@" fish -c '
          "$AWSENV" init fish | source
          __awsenv_precmd
          printf %s "$AWSENV_PROMPT"' >"out/$name.fish"
        env "${clean[@]}" "$@" "$AWSENV" prompt --color "$color" >"out/$name.prompt"
      }

      """
    for item in Self.cases {
      let words = item.variables.map { name, value in
        value.hasPrefix("now") ? "\(name)=$((\(value)))" : "\(name)=\(shellQuote(value))"
      }
      script += "probe \(item.name) \(item.color) \(words.joined(separator: " "))\n"
    }
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try Harness.sandbox(script: script, keep: dir)
    XCTAssertSuccess(run)
    XCTAssertEqual(run.stderr, "", "computing the segment writes nothing on stderr")
    for item in Self.cases {
      func read(_ suffix: String) throws -> String {
        try String(contentsOfFile: "\(dir)/home/out/\(item.name).\(suffix)", encoding: .utf8)
      }
      let bash = try read("bash")
      XCTAssertEqual(
        bash.replacingOccurrences(of: "\u{1}", with: "").replacingOccurrences(
          of: "\u{2}", with: ""),
        item.expected, "bash, \(item.name)")
      if bash.contains("\u{1B}") {
        XCTAssertTrue(bash.contains("\u{1}\u{1B}["), "bash: colour codes inside \\001…\\002")
      }
      XCTAssertEqual(try read("zsh"), item.expected, "zsh, \(item.name)")
      XCTAssertEqual(try read("fish"), item.expected, "fish, \(item.name)")
      let printed = try read("prompt")
      XCTAssertEqual(
        printed, item.expected.isEmpty ? "" : item.expected + "\n", "awsenv prompt, \(item.name)")
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/home")
    XCTAssertFalse(files.contains { $0.hasPrefix("PWNED") }, "\(files)")
  }

  /// `awsenv prompt --color auto` (the default) colours only on a terminal and never with
  /// NO_COLOR; `--format` overrides AWSENV_PROMPT_FORMAT.
  func testPromptCommandOptions() throws {
    let run = try Harness.sandbox(
      script: """
        export AWSENV_PROFILE=prod AWSENV_EXPIRES=$((EPOCHSECONDS - 1)) AWSENV_PROMPT_FORMAT='%p'
        "$AWSENV" prompt --format '%p %t' | od -c | head -n 1
        script -qec '"$AWSENV" prompt --format "%t"' /dev/null | od -c | head -n 1
        NO_COLOR=1 script -qec '"$AWSENV" prompt --format "%t"' /dev/null
        "$AWSENV" prompt
        unset AWSENV_PROFILE
        test -z "$("$AWSENV" prompt)"
        """)
    XCTAssertSuccess(run)
    // `script` ends lines with \r\n, one Character to Swift: drop the \r.
    let lines = run.stdout.replacingOccurrences(of: "\r", with: "").split(separator: "\n")
      .map(String.init)
    guard lines.count == 4 else { return XCTFail(run.stdout) }
    XCTAssertTrue(
      lines[0].contains("p   r   o   d       e   x   p"), "plain into a pipe: \(lines[0])")
    XCTAssertTrue(lines[1].contains("033   [   3   1   m"), "red on a terminal: \(lines[1])")
    XCTAssertEqual(lines[2], "expired")
    XCTAssertEqual(lines[3], "prod")
  }

  /// The README's snippets in interactive shells under tmux: the segment appears after `use`,
  /// hostile values are shown and never run, an expiring session is refreshed by the prompt
  /// itself, and `clear` empties the segment.
  func testSnippetsInInteractiveShells() throws {
    let setup = """
      mkdir -p ~/.aws ~/.config/fish
      printf '[profile prod]\\nregion = eu-west-1\\n' >~/.aws/config
      printf '%s\\n%s\\n' \(Self.prodKeyID) prodSecret | "$AWSENV" add prod 2>/dev/null
      cat >~/.bashrc <<'RC'
      eval "$("$AWSENV" init bash)"
      PS1='${AWSENV_PROMPT:+$AWSENV_PROMPT }P> '
      RC
      cat >~/.zshrc <<'RC'
      eval "$("$AWSENV" init zsh)"
      setopt prompt_subst
      PROMPT='${AWSENV_PROMPT:+$AWSENV_PROMPT }P> '
      RC
      cat >~/.config/fish/config.fish <<'RC'
      set -g fish_greeting ''
      "$AWSENV" init fish | source
      function fish_prompt
          test -n "$AWSENV_PROMPT"; and printf '%s ' $AWSENV_PROMPT
          printf 'P> '
      end
      RC
      export NO_COLOR=1

      """
    let shells: [(String, String, String)] = [
      ("bash", "bash --rcfile ~/.bashrc -i", "$((EPOCHSECONDS + 200))"),
      ("zsh", "ZDOTDIR=$HOME zsh -i", "$((EPOCHSECONDS + 200))"),
      ("fish", "fish -i", "(math (date +%s) + 200)"),
    ]
    for (shell, command, soon) in shells {
      let exports =
        shell == "fish"
        ? "set -gx AWS_ACCESS_KEY_ID STALE; set -gx AWSENV_REFRESH_AT 1; set -gx AWSENV_EXPIRES \(soon)"
        : "export AWS_ACCESS_KEY_ID=STALE AWSENV_REFRESH_AT=1 AWSENV_EXPIRES=\(soon)"
      let hostile =
        shell == "fish"
        ? #"set -gx AWSENV_PROFILE '$(touch PWNED)%%!`touch PWNED`'"#
        : #"export AWSENV_PROFILE='$(touch PWNED)%%!`touch PWNED`'"#
      let profile = shell == "fish" ? "set -gx AWSENV_PROFILE prod" : "export AWSENV_PROFILE=prod"
      let run = try Harness.sandbox(
        script: TerminalHarness.functions + setup + """
          tm_start \(shellQuote(command))
          wait_for '^P>'
          type_line 'awsenv use prod'
          wait_text 'aws:prod eu-west-1 P>'
          type_line \(shellQuote(hostile))
          wait_text 'aws:$(touch PWNED)%%!`touch PWNED` eu-west-1 P>'
          type_line \(shellQuote(profile))
          type_line \(shellQuote(exports))
          type_line 'echo "key=$AWS_ACCESS_KEY_ID" "expires=$AWSENV_EXPIRES" refreshed'
          wait_text 'key=\(Self.prodKeyID) expires= refreshed'
          type_line 'awsenv clear; echo cleared'
          wait_text cleared
          sleep 0.2
          test "$(last_line)" = 'P>' || { screen >&2; exit 40; }
          ! ls ~/PWNED /PWNED 2>/dev/null
          screen
          """)
      XCTAssertSuccess(run)
      XCTAssertFalse(run.stdout.contains("not found"), "\(shell): \(run.stdout)")
      XCTAssertFalse(run.stdout.contains("rror"), "\(shell): \(run.stdout)")
      XCTAssertFalse(
        run.stdout.contains("awsenv:"), "\(shell): the refresh was quiet: \(run.stdout)")
    }
  }

  /// The refresh path of bash and zsh, prompt by prompt: nothing runs until the refresh window;
  /// then `use --non-interactive` re-exports (a static-key profile re-exports as it is, keeping
  /// the --region of the switch); a failure keeps every variable, marks the segment, prints one
  /// hint per session and waits a minute before the next attempt; exit 3 says the user is needed;
  /// AWSENV_AUTO_REFRESH=0 turns it off; and the prompt's $? survives all of it.
  func testRefreshInPlaceBashAndZsh() throws {
    for shell in ["bash", "zsh"] {
      let strict =
        shell == "zsh" ? "set -eu -o pipefail\nsetopt warn_create_global" : "set -euo pipefail"
      let script = """
        \(strict)
        export NO_COLOR=1
        eval "$("$AWSENV" init \(shell))"
        __awsenv_bin=$HOME/wrap
        calls() { if [[ -f calls ]]; then wc -l <calls | tr -d ' '; else echo 0; fi; }
        awsenv use prod --region ap-south-1
        rm -f calls
        __awsenv_precmd
        echo "idle calls=$(calls) prompt=$AWSENV_PROMPT"

        export AWS_ACCESS_KEY_ID=STALE AWSENV_EXPIRES=$((EPOCHSECONDS + 230)) AWSENV_REFRESH_AT=$((EPOCHSECONDS - 10))
        __awsenv_precmd 2>err
        echo "refreshed calls=$(calls) key=$AWS_ACCESS_KEY_ID region=$AWS_REGION expires=${AWSENV_EXPIRES-unset} prompt=$AWSENV_PROMPT err=$(cat err)"
        tail -n 1 calls

        export AWSENV_AUTO_REFRESH=0 AWSENV_EXPIRES=$((EPOCHSECONDS + 230)) AWSENV_REFRESH_AT=$((EPOCHSECONDS - 10))
        __awsenv_retry_at=0
        __awsenv_precmd
        echo "off calls=$(calls) prompt=$AWSENV_PROMPT"
        unset AWSENV_AUTO_REFRESH

        "$AWSENV" remove prod 2>/dev/null
        export AWS_ACCESS_KEY_ID=KEPT
        set +e
        (exit 7)
        __awsenv_precmd 2>err
        echo "failed status=$? calls=$(calls) key=$AWS_ACCESS_KEY_ID profile=$AWSENV_PROFILE prompt=$AWSENV_PROMPT"
        set -e
        cat err
        __awsenv_precmd 2>err
        echo "backoff calls=$(calls) err=$(cat err)"
        __awsenv_retry_at=0
        __awsenv_precmd 2>err
        echo "retried calls=$(calls) err=$(cat err)"

        export AWSENV_EXPIRES=$((EPOCHSECONDS - 5))
        __awsenv_retry_at=0
        __awsenv_precmd 2>err
        echo "expired prompt=$AWSENV_PROMPT"
        cat err

        __awsenv_bin=$HOME/wrap3
        export AWSENV_EXPIRES=$((EPOCHSECONDS + 90))
        __awsenv_retry_at=0
        __awsenv_precmd 2>err
        echo "needs-you key=$AWS_ACCESS_KEY_ID prompt=$AWSENV_PROMPT"
        cat err
        """
      let run = try Harness.sandbox(
        script: Self.refreshSetup + "\(shell) -c \(shellQuote(script))")
      XCTAssertSuccess(run)
      XCTAssertEqual(run.stderr, "", shell)
      let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(
        String.init)
      let expected = [
        "idle calls=0 prompt=aws:prod ap-south-1",
        "refreshed calls=1 key=\(Self.prodKeyID) region=ap-south-1 expires=unset "
          + "prompt=aws:prod ap-south-1 err=",
        "use prod --non-interactive --region ap-south-1",
        "off calls=1 prompt=aws:prod ap-south-1 3m!",
        "failed status=7 calls=2 key=KEPT profile=prod prompt=aws:prod ap-south-1 3m!",
        "awsenv: the credentials of prod expire in 3m and could not be refreshed: "
          + "`awsenv use prod` says why",
        "backoff calls=2 err=",
        "retried calls=3 err=",
        "expired prompt=aws:prod ap-south-1 expired",
        "awsenv: the credentials of prod have expired and could not be refreshed: "
          + "`awsenv use prod` says why",
        "needs-you key=KEPT prompt=aws:prod ap-south-1 1m!",
        "awsenv: the credentials of prod expire in 1m; refreshing them needs you: "
          + "run `awsenv use prod`",
        "",
      ]
      XCTAssertEqual(lines, expected, "\(shell):\n\(run.stdout)")
    }
  }

  /// The same path in fish.
  func testRefreshInPlaceFish() throws {
    let script = """
      set -gx NO_COLOR 1
      "$AWSENV" init fish | source
      set -g __awsenv_bin $HOME/wrap
      function calls; test -f calls; and count <calls; or echo 0; end
      function now; date +%s; end
      awsenv use prod --region ap-south-1; or exit 10
      rm -f calls
      __awsenv_precmd
      echo "idle calls="(calls)" prompt=$AWSENV_PROMPT"

      set -gx AWS_ACCESS_KEY_ID STALE
      set -gx AWSENV_EXPIRES (math (now) + 230)
      set -gx AWSENV_REFRESH_AT (math (now) - 10)
      __awsenv_precmd 2>err
      set -q AWSENV_EXPIRES; and set -l expires $AWSENV_EXPIRES; or set -l expires unset
      set -l err (cat err)
      echo "refreshed calls="(calls)" key=$AWS_ACCESS_KEY_ID region=$AWS_REGION expires=$expires prompt=$AWSENV_PROMPT err=$err"
      tail -n 1 calls

      set -gx AWSENV_AUTO_REFRESH 0
      set -gx AWSENV_EXPIRES (math (now) + 230)
      set -gx AWSENV_REFRESH_AT (math (now) - 10)
      set -g __awsenv_retry_at 0
      __awsenv_precmd
      echo "off calls="(calls)" prompt=$AWSENV_PROMPT"
      set -e AWSENV_AUTO_REFRESH

      "$AWSENV" remove prod 2>/dev/null
      set -gx AWS_ACCESS_KEY_ID KEPT
      false
      __awsenv_precmd 2>err
      echo "failed calls="(calls)" key=$AWS_ACCESS_KEY_ID profile=$AWSENV_PROFILE prompt=$AWSENV_PROMPT"
      cat err
      __awsenv_precmd 2>err
      set err (cat err)
      echo "backoff calls="(calls)" err=$err"
      set -g __awsenv_retry_at 0
      __awsenv_precmd 2>err
      set err (cat err)
      echo "retried calls="(calls)" err=$err"

      set -gx AWSENV_EXPIRES (math (now) - 5)
      set -g __awsenv_retry_at 0
      __awsenv_precmd 2>err
      echo "expired prompt=$AWSENV_PROMPT"
      cat err

      set -g __awsenv_bin $HOME/wrap3
      set -gx AWSENV_EXPIRES (math (now) + 90)
      set -g __awsenv_retry_at 0
      __awsenv_precmd 2>err
      echo "needs-you key=$AWS_ACCESS_KEY_ID prompt=$AWSENV_PROMPT"
      cat err
      """
    let run = try Harness.sandbox(script: Self.refreshSetup + "fish -c \(shellQuote(script))")
    XCTAssertSuccess(run)
    XCTAssertEqual(run.stderr, "")
    let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let expected = [
      "idle calls=0 prompt=aws:prod ap-south-1",
      "refreshed calls=1 key=\(Self.prodKeyID) region=ap-south-1 expires=unset "
        + "prompt=aws:prod ap-south-1 err=",
      "use prod --non-interactive --region ap-south-1",
      "off calls=1 prompt=aws:prod ap-south-1 3m!",
      "failed calls=2 key=KEPT profile=prod prompt=aws:prod ap-south-1 3m!",
      "awsenv: the credentials of prod expire in 3m and could not be refreshed: "
        + "`awsenv use prod` says why",
      "backoff calls=2 err=",
      "retried calls=3 err=",
      "expired prompt=aws:prod ap-south-1 expired",
      "awsenv: the credentials of prod have expired and could not be refreshed: "
        + "`awsenv use prod` says why",
      "needs-you key=KEPT prompt=aws:prod ap-south-1 1m!",
      "awsenv: the credentials of prod expire in 1m; refreshing them needs you: "
        + "run `awsenv use prod`",
      "",
    ]
    XCTAssertEqual(lines, expected, run.stdout)
  }

  /// A profile whose static keys are in the keyring, a wrapper that logs each call of the binary
  /// (so a test counts the refreshes), and one that answers like `use --non-interactive` when
  /// it would need an MFA code: exit 3 and one `awsenv:` line, which the hook keeps quiet.
  static let refreshSetup = """
    mkdir -p ~/.aws
    printf '[profile prod]\\nregion = eu-west-1\\n' >~/.aws/config
    printf '%s\\n%s\\n' \(prodKeyID) prodSecret | "$AWSENV" add prod 2>/dev/null
    cat >~/wrap <<WRAP
    #!/bin/sh
    printf '%s\\n' "\\$*" >>"$HOME/calls"
    exec "$AWSENV" "\\$@"
    WRAP
    cat >~/wrap3 <<'WRAP'
    #!/bin/sh
    echo 'awsenv: prod needs an MFA code: run `awsenv use prod`' >&2
    exit 3
    WRAP
    chmod +x ~/wrap ~/wrap3
    cd ~

    """

  /// Temporary credentials (a credential_process profile) refreshed by the prompt hook: each
  /// refresh runs the process again and exports the new keys, with the new expiry.
  func testRefreshGetsNewTemporaryCredentials() throws {
    let run = try Harness.sandbox(
      script: Self.processProfile + """
        eval "$("$AWSENV" init bash)"
        export NO_COLOR=1
        awsenv use proc
        first=$AWS_ACCESS_KEY_ID
        __awsenv_precmd
        echo "$first -> $AWS_ACCESS_KEY_ID count=$(cat ~/count) prompt=$AWSENV_PROMPT"
        test "$AWSENV_REFRESH_AT" -le "$EPOCHSECONDS"
        test "$AWSENV_EXPIRES" -gt "$EPOCHSECONDS"
        """)
    XCTAssertSuccess(run)
    XCTAssertEqual(run.stderr, "")
    XCTAssertEqual(
      run.stdout,
      "ASIAPROCESS000000001 -> ASIAPROCESS000000002 count=2 prompt=aws:proc eu-west-1 9m!\n")
  }

  /// A credential_process profile whose credentials last ten minutes, with a minimum TTL of ten
  /// minutes: always inside its refresh window. Each run hands out the next key id.
  static let processProfile = """
    mkdir -p ~/.aws
    cat >~/process <<'PROCESS'
    #!/bin/sh
    n=$(($(cat "$HOME/count" 2>/dev/null || echo 0) + 1))
    echo "$n" >"$HOME/count"
    printf '{"Version":1,"AccessKeyId":"ASIAPROCESS%09d","SecretAccessKey":"s","SessionToken":"t","Expiration":"%s"}' \\
      "$n" "$(date -u -d '+599 seconds' +%Y-%m-%dT%H:%M:%SZ)"
    PROCESS
    chmod +x ~/process
    printf '[profile proc]\\nregion = eu-west-1\\nawsenv_min_ttl = 600\\ncredential_process = %s/process\\n' \\
      "$HOME" >~/.aws/config

    """

  /// What starship's aws module reads (its source: the first of AWSU_PROFILE, AWS_VAULT,
  /// AWSUME_PROFILE, AWS_PROFILE; AWS_REGION, else AWS_DEFAULT_REGION; the duration from
  /// AWS_CREDENTIAL_EXPIRATION in RFC 3339; shown when AWS_ACCESS_KEY_ID & co. are set) is what
  /// `use` exports, for long-lived and for temporary credentials.
  func testStarshipAwsModuleReadsTheVariables() throws {
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try Harness.sandbox(
      script: Self.processProfile + """
        printf '[profile keys]\\nregion = us-east-2\\n' >>~/.aws/config
        printf 'AKIAAWSENVKEYS000001\\nsecret\\n' | "$AWSENV" add keys 2>/dev/null
        mkdir out
        eval "$("$AWSENV" init bash)"
        awsenv use keys
        env -0 >out/keys
        awsenv use proc --region ap-northeast-1
        env -0 >out/proc
        """, keep: dir)
    XCTAssertSuccess(run)
    for (file, profile, region, temporary) in [
      ("keys", "keys", "us-east-2", false), ("proc", "proc", "ap-northeast-1", true),
    ] {
      let env = Harness.parseEnv(
        try Data(contentsOf: URL(fileURLWithPath: "\(dir)/home/out/\(file)")))
      let shown = ["AWSU_PROFILE", "AWS_VAULT", "AWSUME_PROFILE", "AWS_PROFILE"].lazy
        .compactMap { env[$0] }.first
      XCTAssertEqual(shown, profile, file)
      XCTAssertEqual(env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"], region, file)
      XCTAssertNotNil(env["AWS_ACCESS_KEY_ID"], "starship shows the module only with credentials")
      guard temporary else {
        XCTAssertNil(env["AWS_CREDENTIAL_EXPIRATION"], "no duration for long-lived keys")
        continue
      }
      let text = try XCTUnwrap(env["AWS_CREDENTIAL_EXPIRATION"])
      let parsed = try XCTUnwrap(ISO8601DateFormatter().date(from: text), "RFC 3339: \(text)")
      XCTAssertEqual(Int(parsed.timeIntervalSince1970), Int(env["AWSENV_EXPIRES"] ?? ""), text)
    }
  }

  /// No fork on a prompt: 500 prompts with temporary credentials active (the whole segment code
  /// runs: clock, marks, format) start no process in bash, zsh or fish, counted with strace.
  func testPromptHookForksNothing() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else {
      throw XCTSkip("strace is not installed (Debian: strace)")
    }
    let run = try Harness.sandbox(
      script: """
        for shell in bash zsh fish; do "$AWSENV" init $shell >hook.$shell; done
        export AWSENV_PROFILE=prod AWS_REGION=eu-west-1 AWSENV_IDENTITY=Admin@123456789012
        export AWSENV_EXPIRES=$((EPOCHSECONDS + 3000)) AWSENV_REFRESH_AT=$((EPOCHSECONDS + 2700))
        forks() { # forks PROMPTS SHELL SCRIPT: process creations while SHELL runs SCRIPT
          strace -f --seccomp-bpf -qq -e trace=fork,vfork,clone,clone3 -o trace "${@:2}" 2>/dev/null >/dev/null
          grep -cE '^[0-9]+ +(fork|vfork|clone|clone3)\\(' trace || true
        }
        for n in 0 500; do
          echo "bash $n $(forks $n bash -c "source hook.bash; for ((i = 0; i < $n; i++)); do __awsenv_precmd; done")"
          echo "zsh $n $(forks $n zsh -fc "source hook.zsh; for ((i = 0; i < $n; i++)); do __awsenv_precmd; done")"
          echo "fish $n $(forks $n fish --no-config -c "source hook.fish; for i in (seq $n); __awsenv_precmd; end")"
        done
        """)
    XCTAssertSuccess(run)
    var counts: [String: [String: Int]] = [:]
    for line in run.stdout.split(separator: "\n") {
      let parts = line.split(separator: " ").map(String.init)
      guard parts.count == 3 else { continue }
      counts[parts[0], default: [:]][parts[1]] = Int(parts[2])
    }
    for shell in ["bash", "zsh", "fish"] {
      XCTAssertNotNil(counts[shell]?["500"], "\(shell): \(run.stdout)")
      XCTAssertEqual(counts[shell]?["500"], counts[shell]?["0"], "\(shell) forked on a prompt")
    }
  }
}
