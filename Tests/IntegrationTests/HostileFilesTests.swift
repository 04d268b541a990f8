import Foundation
import XCTest

/// Planted links and special files where awsenv reads or writes, against the built binary in
/// the sandbox (a throwaway HOME, a real keyring).
final class HostileFilesTests: XCTestCase {
  static let keyID = "AKIAIOSFODNN7EXAMPLE"
  static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

  /// A link planted at the config backup, the picker's history or the keyring index is refused
  /// or replaced, never written through: the file it points to keeps its content and mode.
  func testPlantedLinksAreNotFollowedForAwsenvsOwnFiles() throws {
    let run = try Harness.sandbox(
      script: """
        mkdir -p .aws .local/state/awsenv
        printf 'victim\\n' >victim && chmod 644 victim
        printf '[profile other]\\nregion = eu-west-1\\n' >.aws/config
        ln -s "$HOME/victim" .aws/config.awsenv-backup
        ln -s "$HOME/victim" .local/state/awsenv/recent
        status=0
        printf '%s\\n%s\\n' \(Self.keyID) \(shellQuote(Self.secret)) \
          | "$AWSENV" add app 2>add.err || status=$?
        echo "add=$status"
        cat add.err
        echo "victim=$(cat victim) mode=$(stat -c %a victim)"
        grep -c 'profile app' .aws/config || true
        """)
    XCTAssertTrue(run.stdout.contains("victim=victim mode=644"), run.stdout + run.stderr)
    XCTAssertTrue(run.stdout.contains("add=1"), "a planted backup link is refused: \(run.stdout)")
    XCTAssertTrue(run.stdout.contains("symbolic link"), run.stdout)
    XCTAssertTrue(run.stdout.hasSuffix("0\n"), "the config was not changed: \(run.stdout)")
  }

  /// ~/.aws/config as a FIFO or a link to /dev/zero fails at once with one line, instead of
  /// blocking forever or filling memory; a link to a regular file is read as before.
  func testSpecialConfigFilesFailAtOnce() throws {
    let run = try Harness.sandbox(
      script: """
        mkdir -p .aws
        mkfifo .aws/config
        start=$(date +%s%N)
        status=0 && timeout 10 "$AWSENV" list >/dev/null 2>fifo.err || status=$?
        echo "fifo=$status"
        rm .aws/config && ln -s /dev/zero .aws/config
        status=0 && timeout 10 "$AWSENV" list >/dev/null 2>zero.err || status=$?
        echo "zero=$status"
        echo "ms=$((($(date +%s%N) - start) / 1000000))"
        cat fifo.err zero.err
        printf '[profile linked]\\nregion = eu-west-1\\n' >real && rm .aws/config
        ln -s "$HOME/real" .aws/config
        "$AWSENV" list --json 2>/dev/null | grep -c linked
        """)
    XCTAssertTrue(run.stdout.contains("fifo=1\n"), run.stdout + run.stderr)
    XCTAssertTrue(run.stdout.contains("zero=1\n"), run.stdout)
    let lines = run.stdout.split(separator: "\n").filter { $0.hasPrefix("awsenv: ") }
    XCTAssertEqual(lines.count, 2, run.stdout)
    XCTAssertTrue(lines.allSatisfy { $0.contains("not a regular file") }, run.stdout)
    let ms = run.stdout.split(separator: "\n").first { $0.hasPrefix("ms=") }.flatMap {
      Int($0.dropFirst(3))
    }
    XCTAssertLessThan(ms ?? .max, 5000, run.stdout)
    XCTAssertTrue(run.stdout.hasSuffix("1\n"), "a link to a regular file is read: \(run.stdout)")
  }

  /// Keys written in ~/.aws/config itself are imported and removed by
  /// `import --remove-plaintext`; no backup awsenv writes keeps a key line.
  func testKeysInTheConfigFileAreImportedAndLeaveNoCopy() throws {
    let run = try Harness.sandbox(
      script: """
        mkdir -p .aws
        cat >.aws/config <<'END'
        [profile inconfig]
        region = eu-west-1
        aws_access_key_id = \(Self.keyID)
        aws_secret_access_key = \(Self.secret)
        END
        "$AWSENV" import --remove-plaintext 2>import.err || { cat import.err; exit 1; }
        printf '%s\\n%s\\n' \(Self.keyID) \(shellQuote(Self.secret)) \
          | "$AWSENV" add another 2>/dev/null
        cat .aws/config .aws/config.awsenv-backup
        echo ---
        "$AWSENV" list --json
        """)
    XCTAssertSuccess(run)
    XCTAssertFalse(run.stdout.contains(Self.secret), run.stdout)
    XCTAssertFalse(run.stdout.contains("aws_access_key_id"), run.stdout)
    XCTAssertTrue(run.stdout.contains("region = eu-west-1"), run.stdout)
    let list = String(run.stdout.split(separator: "---\n").last ?? "")
    XCTAssertTrue(
      list.contains(#""profile":"inconfig""#) || list.contains(#""profile": "inconfig""#), list)
  }

  /// Backups keep no key line, whichever section holds it (`sso sync` and `add` write them).
  func testBackupsKeepNoKeyLine() throws {
    let run = try Harness.sandbox(
      script: """
        mkdir -p .aws
        printf '[default]\\naws_secret_access_key = %s\\n[profile x]\\nAWS_SESSION_TOKEN=tok\\n  more\\n' \
          \(shellQuote(Self.secret)) >.aws/config
        printf '%s\\n%s\\n' \(Self.keyID) \(shellQuote(Self.secret)) \
          | "$AWSENV" add fresh 2>/dev/null
        stat -c %a .aws/config.awsenv-backup
        cat .aws/config.awsenv-backup
        """)
    XCTAssertSuccess(run)
    XCTAssertTrue(run.stdout.hasPrefix("600\n"), run.stdout)
    XCTAssertFalse(run.stdout.contains(Self.secret), run.stdout)
    XCTAssertFalse(run.stdout.lowercased().contains("token"), run.stdout)
    XCTAssertFalse(run.stdout.contains("more"), "a continuation line goes with its key")
    XCTAssertTrue(run.stdout.contains("[profile x]"), run.stdout)
  }

  /// A lock file that is a planted link makes awsenv say so once, and go on.
  func testAnUntakeableLockSaysSoOnce() throws {
    let run = try Harness.sandbox(
      script: """
        mkdir -p .aws
        export XDG_RUNTIME_DIR="$HOME/run" && mkdir -m 700 "$XDG_RUNTIME_DIR"
        mkdir -m 700 "$XDG_RUNTIME_DIR/awsenv"
        printf '[profile a]\\nregion = eu-west-1\\n' >.aws/config
        hash=$(printf %s "$(realpath .aws/config)" | sha256sum | cut -c1-24)
        ln -s "$HOME/victim" "$XDG_RUNTIME_DIR/awsenv/file-$hash.lock"
        printf '%s\\n%s\\n' \(Self.keyID) \(shellQuote(Self.secret)) | "$AWSENV" add b 2>b.err
        cat b.err
        test ! -e victim && echo no-victim
        grep -c 'profile b' .aws/config
        """)
    XCTAssertSuccess(run)
    XCTAssertTrue(run.stdout.contains("no-victim"), run.stdout)
    let warnings = run.stdout.split(separator: "\n").filter { $0.contains("cannot take the lock") }
    XCTAssertEqual(warnings.count, 1, run.stdout)
    XCTAssertTrue(run.stdout.hasSuffix("1\n"), "the edit still happened: \(run.stdout)")
  }
}
