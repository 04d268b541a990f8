import Foundation
import XCTest

/// exec, export and credential-process, checked with the real consumers: a child process, bash
/// and fish reading the exported code, and boto3 reading credential_process.
final class ExecExportTests: XCTestCase {
  static let keyID = "AKIAAWSENVEXEC000001"
  static let secret = #"exec'Secret$(touch${IFS}PWNED)`x`/0000000001"#

  static let setup = """
    mkdir -p ~/.aws
    cat >~/.aws/config <<'CONF'
    [profile app]
    region = sa-east-1
    [profile sdk]
    credential_process = awsenv credential-process app
    CONF
    printf '%s\\n%s\\n' \(keyID) \(shellQuote(secret)) | "$AWSENV" add app 2>/dev/null

    """

  func testExecRunsTheCommandWithTheProfileAndItsStatus() throws {
    let run = try Harness.sandbox(
      script: Self.setup + """
        export AWS_SESSION_TOKEN=stale AWS_PROFILE=other
        "$AWSENV" exec app -- sh -c 'printf "%s|%s|%s|%s|%s\\n" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "${AWS_SESSION_TOKEN-unset}" "$AWS_REGION" "$AWS_PROFILE"'
        set +e
        "$AWSENV" exec app -- sh -c 'exit 7'
        echo "status=$?"
        "$AWSENV" exec app -- /nonexistent/cmd 2>err.txt
        echo "missing=$?"
        cat err.txt
        """)
    XCTAssertSuccess(run)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.first, "\(Self.keyID)|\(Self.secret)|unset|sa-east-1|app")
    XCTAssertTrue(lines.contains("status=7"), run.stdout)
    XCTAssertTrue(lines.contains("missing=1"), run.stdout)
    XCTAssertTrue(
      lines.contains { $0.hasPrefix("awsenv: cannot run '/nonexistent/cmd'") }, run.stdout)
  }

  func testExportFormatsReadBackExactly() throws {
    let run = try Harness.sandbox(
      script: Self.setup + """
        "$AWSENV" export app --format env >app.env
        "$AWSENV" export app --format fish >app.fish
        "$AWSENV" export app --format json >app.json
        bash -c 'set -eu; source ./app.env; printf "%s" "$AWS_SECRET_ACCESS_KEY"' >bash.out
        fish -c 'source ./app.fish; printf "%s" "$AWS_SECRET_ACCESS_KEY"' >fish.out
        python3 -c 'import json,sys; d=json.load(open("app.json")); sys.stdout.write(d["AWS_SECRET_ACCESS_KEY"]+"|"+d["AWS_REGION"])'
        echo
        cat bash.out; echo
        cat fish.out; echo
        ls
        """)
    XCTAssertSuccess(run)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines[0], "\(Self.secret)|sa-east-1")
    XCTAssertEqual(lines[1], Self.secret)
    XCTAssertEqual(lines[2], Self.secret)
    XCTAssertFalse(lines.contains { $0.hasPrefix("PWNED") }, "nothing ran: \(run.stdout)")
  }

  /// `credential_process = awsenv credential-process app` gives boto3 the keyring's keys.
  func testCredentialProcessFeedsBoto3() throws {
    let run = try Harness.sandbox(
      script: Self.setup + """
        python3 - <<'PY'
        import boto3
        creds = boto3.Session(profile_name="sdk").get_credentials().get_frozen_credentials()
        print(creds.access_key)
        print(creds.secret_key)
        PY
        """)
    XCTAssertSuccess(run)
    XCTAssertEqual(run.stdout, "\(Self.keyID)\n\(Self.secret)\n")
  }
}
