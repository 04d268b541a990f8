import Foundation
import XCTest

/// Many awsenv processes at once, as when every open shell's prompt refreshes the same expired
/// profile: separate processes through the bash hook, a real keyring, the local moto STS with
/// SigV4 checking on. They take turns through the per-profile lock under XDG_RUNTIME_DIR, so one
/// of them calls STS and the others find its session in the keyring.
final class ConcurrentUseTests: LocalServerTestCase {
  static let server = SharedServer("the local STS") {
    try STSServer(
      auth: true,
      spec: """
        {"users": [{"name": "alice"}], "roles": [{"name": "dev", "trust": {"users": ["alice"]}}]}
        """)
  }

  var server: STSServer {
    get throws { try Self.server.get() }
  }

  func testSixteenShellsRefreshingOneExpiredRoleMakeOneCall() throws {
    let server = try server
    let alice = try server.world.user("alice")
    try server.resetCalls()
    try server.clearFaults()
    let run = try Harness.sandbox(
      script: """
        mkdir -p ~/.aws
        cat >~/.aws/config <<'CONF'
        [profile alice]
        [profile dev]
        role_arn = \(try server.world.role("dev"))
        source_profile = alice
        duration_seconds = 900
        CONF
        printf '%s\\n%s\\n' \(alice.accessKeyID) \(shellQuote(alice.secretAccessKey)) \\
          | "$AWSENV" add alice 2>/dev/null
        eval "$("$AWSENV" init bash)"
        awsenv use dev
        first=$AWS_ACCESS_KEY_ID
        awsenv clear
        # The cached session lasts 900 s; after 6 s it has less than the 895 s minimum this
        # run asks for, so it counts as expired, while a new one (900 s) does not.
        sleep 6
        export AWSENV_MIN_TTL=895
        # STS answers slowly (1.5 s), so all 16 are running while the first call is made.
        python3 - "$AWS_ENDPOINT_URL_STS/_awsenv/faults" <<'PY'
        import json, sys, urllib.request
        rule = {"count": 1, "delay": 1.5, "action": "AssumeRole"}
        urllib.request.urlopen(urllib.request.Request(
            sys.argv[1], data=json.dumps(rule).encode(), method="POST",
            headers={"Content-Type": "application/json"})).read()
        PY
        mkdir runs
        for i in $(seq 16); do
          (
            eval "$("$AWSENV" init bash)"
            status=0
            awsenv use dev 2>"runs/err.$i" || status=$?
            printf '%s %s %s\\n' "$status" "${AWS_ACCESS_KEY_ID-}" \\
              "${AWS_CREDENTIAL_EXPIRATION-}" >"runs/out.$i"
          ) &
        done
        wait
        echo "succeeded $(grep -c '^0 ASIA' runs/out.* | grep -c ':1$')"
        echo "distinct $(cut -d' ' -f2- runs/out.* | sort -u | wc -l)"
        grep -qF " $first " runs/out.* || echo "all new"
        echo "stderr bytes $(cat runs/err.* | wc -c)"
        echo "sessions $(secret-tool search --all application awsenv kind session profile dev \\
          2>&1 | grep -c '^attribute.kind = ')"
        ls "$XDG_RUNTIME_DIR/awsenv"
        stat -c '%a %n' "$XDG_RUNTIME_DIR/awsenv" "$XDG_RUNTIME_DIR"/awsenv/*
        """,
      environment: ["AWS_ENDPOINT_URL_STS": try server.url, "AWS_REGION": "us-east-1"])
    XCTAssertSuccess(run)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    // All 16 succeeded, silently, with the same session, a new one.
    XCTAssertTrue(lines.contains("succeeded 16"), run.stdout)
    XCTAssertTrue(lines.contains("distinct 1"), run.stdout)
    XCTAssertTrue(lines.contains("all new"), run.stdout)
    XCTAssertTrue(lines.contains("stderr bytes 0"), run.stdout + run.stderr)
    XCTAssertTrue(lines.contains("sessions 1"), run.stdout)
    XCTAssertTrue(lines.contains { $0.hasPrefix("700 ") && $0.hasSuffix("/awsenv") }, run.stdout)
    XCTAssertTrue(lines.contains { $0.hasPrefix("600 ") && $0.hasSuffix(".lock") }, run.stdout)
    // One AssumeRole for the first `use`, one for the 16 together.
    XCTAssertEqual(try server.calls()["AssumeRole"], 2)
  }
}

/// `sso sync` and IAM Identity Center sign-ins shared by concurrent processes, against the local
/// IAM Identity Center (Tests/harness/sso_server.py), with a real keyring.
final class ConcurrentSSOTests: LocalServerTestCase {
  static let server = SharedServer("the local IAM Identity Center") { try SSOServer() }

  var server: SSOServer {
    get throws { try Self.server.get() }
  }

  override func setUp() async throws {
    try server.reset()
  }

  func sandbox(_ script: String) throws -> RunResult {
    let url = try server.startURL
    let setup = """
      mkdir -p ~/.aws
      cat >~/.aws/config <<'CONF'
      [default]
      region = us-east-1
      [sso-session corp]
      sso_start_url = \(url)
      sso_region = us-east-1
      sso_registration_scopes = sso:account:access
      [sso-session other]
      sso_start_url = \(url)
      sso_region = us-east-1
      sso_registration_scopes = sso:account:access
      [profile prod-admin]
      sso_session = corp
      sso_account_id = 111111111111
      sso_role_name = AdministratorAccess
      [profile prod-read]
      sso_session = corp
      sso_account_id = 111111111111
      sso_role_name = ReadOnly
      CONF
      eval "$("$AWSENV" init bash)"

      """
    return try Harness.sandbox(
      script: setup + script,
      environment: [
        "AWS_ENDPOINT_URL_SSO": try server.url, "AWS_ENDPOINT_URL_SSO_OIDC": try server.url,
      ])
  }

  /// Two syncs at once, each slowed down inside its edit (strace delays every rename by
  /// 0.3 s, so without the lock each would read the file before the other wrote it): the file
  /// ends with both blocks. Two identical syncs at once leave exactly the file one sync makes.
  func testTwoSyncsAtOnceEachApplyTheirWholeChange() throws {
    try server.setBehaviour(["autoApprove": true])
    let run = try sandbox(
      """
      awsenv login --sso-session corp --no-browser 2>/dev/null
      awsenv login --sso-session other --no-browser 2>/dev/null
      cp ~/.aws/config original
      slow() {
        strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \\
          -e inject=rename,renameat,renameat2:delay_enter=300000 "$AWSENV" "$@"
      }
      # Both blocks, from two processes at once.
      slow sso sync --sso-session corp 2>sync1.err & slow sso sync --sso-session other 2>sync2.err &
      wait
      grep -c '^# >>> awsenv sso sync: ' ~/.aws/config
      grep '^# >>> awsenv sso sync: ' ~/.aws/config | sort
      cat sync1.err sync2.err
      # The same sync twice at once: the result of one sync, byte for byte.
      cp original ~/.aws/config
      "$AWSENV" sso sync --sso-session corp 2>/dev/null
      cp ~/.aws/config expected
      for round in 1 2 3; do
        cp original ~/.aws/config
        slow sso sync --sso-session corp 2>/dev/null & slow sso sync --sso-session corp 2>/dev/null &
        wait
        cmp expected ~/.aws/config && echo "round $round: one complete result"
        cmp ~/.aws/config.awsenv-backup original >/dev/null \\
          || cmp ~/.aws/config.awsenv-backup expected >/dev/null && echo "round $round: backup whole"
      done
      ls -A ~/.aws
      stat -c '%a %n' ~/.aws/config ~/.aws/config.awsenv-backup
      """)
    XCTAssertSuccess(run)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.first, "2", run.stdout)
    XCTAssertTrue(lines.contains("# >>> awsenv sso sync: corp >>>"), run.stdout)
    XCTAssertTrue(lines.contains("# >>> awsenv sso sync: other >>>"), run.stdout)
    for round in 1...3 {
      XCTAssertTrue(lines.contains("round \(round): one complete result"), run.stdout)
      XCTAssertTrue(lines.contains("round \(round): backup whole"), run.stdout)
    }
    // No temporary file left behind (`.config.awsenv-XXXXXX`); the backup private (the
    // config keeps the mode it had).
    XCTAssertFalse(run.stdout.contains(".config.awsenv-"), run.stdout)
    XCTAssertTrue(lines.contains("config.awsenv-backup"), run.stdout)
    XCTAssertTrue(lines.contains { $0.hasSuffix("config.awsenv-backup") && $0.hasPrefix("600 ") })
  }

  /// Sixteen shells using two roles of one sign-in whose token is about to end: one refresh of
  /// the token (the sign-in's lock) and one GetRoleCredentials per role (the profiles' locks).
  func testSixteenShellsRenewASharedSignInOnce() throws {
    try server.setBehaviour(["autoApprove": true, "tokenExpiresIn": 130])
    let run = try sandbox(
      """
      awsenv login --sso-session corp --no-browser 2>/dev/null
      # The token (130 s) enters its 120 s renewal margin.
      sleep 11
      mkdir runs
      for i in $(seq 16); do
        profile=prod-admin
        ((i % 2)) || profile=prod-read
        (
          status=0
          awsenv use "$profile" 2>"runs/err.$i" || status=$?
          printf '%s %s %s\\n' "$status" "$profile" "${AWSENV_IDENTITY-}" >"runs/out.$i"
        ) &
      done
      wait
      echo "admin $(grep -lx '0 prod-admin AdministratorAccess@111111111111' runs/out.* | wc -l)"
      echo "read $(grep -lx '0 prod-read ReadOnly@111111111111' runs/out.* | wc -l)"
      echo "stderr bytes $(cat runs/err.* | wc -c)"
      """)
    XCTAssertSuccess(run)
    XCTAssertTrue(run.stdout.contains("admin 8\n"), run.stdout)
    XCTAssertTrue(run.stdout.contains("read 8\n"), run.stdout)
    XCTAssertTrue(run.stdout.contains("stderr bytes 0\n"), run.stdout + run.stderr)
    let calls = try server.calls()
    let refreshes = calls.filter {
      $0.operation == "CreateToken" && $0.grantType == "refresh_token"
    }
    XCTAssertEqual(refreshes.count, 1, "\(calls)")
    XCTAssertEqual(calls.filter { $0.operation == "GetRoleCredentials" }.count, 2, "\(calls)")
  }
}
