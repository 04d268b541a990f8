import Foundation
import XCTest

/// `awsenv exec --server` and `awsenv serve`: the container credentials endpoint, asked by
/// boto3, the AWS CLI and Tests/harness/credential_probe.py, with a real keyring and the local
/// moto STS with SigV4 checking on.
final class CredentialServerTests: LocalServerTestCase {
  static let server = SharedServer("the local STS") {
    try STSServer(
      auth: true,
      spec: """
        {"users": [{"name": "alice"}],
         "roles": [{"name": "dev", "trust": {"users": ["alice"]}},
                   {"name": "saml", "trust": {"saml": "awsenv-idp"}}],
         "saml_providers": [{"name": "awsenv-idp"}]}
        """)
  }

  var server: STSServer { get throws { try Self.server.get() } }

  /// alice's keys in the keyring, role dev (900 s sessions) from them.
  func setup() throws -> String {
    let server = try server
    let alice = try server.world.user("alice")
    return """
      mkdir -p ~/.aws
      cat >~/.aws/config <<'CONF'
      [profile alice]
      [profile dev]
      role_arn = \(try server.world.role("dev"))
      source_profile = alice
      duration_seconds = 900
      [profile saml]
      role_arn = \(try server.world.role("saml"))
      saml_provider_arn = \(server.world.samlProviders["awsenv-idp"] ?? "")
      CONF
      printf '%s\\n%s\\n' \(alice.accessKeyID) \(shellQuote(alice.secretAccessKey)) \\
        | "$AWSENV" add alice 2>/dev/null
      export probe="$AWSENV_HARNESS/credential_probe.py"

      """
  }

  func sandbox(_ script: String) throws -> RunResult {
    try Harness.sandbox(
      script: try setup() + script,
      environment: [
        "AWS_ENDPOINT_URL_STS": try server.url, "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWSENV_HARNESS": "\(Harness.root)/Tests/harness",
      ])
  }

  func testExecServerServesTheRoleToBoto3AndTheCLIAndRefusesBadRequests() throws {
    let run = try sandbox(
      """
      export AWS_ACCESS_KEY_ID=AKIASTALE AWS_SECRET_ACCESS_KEY=stale AWS_SESSION_TOKEN=stale \\
        AWS_PROFILE=other AWS_SECURITY_TOKEN=stale AWS_CREDENTIAL_EXPIRATION=2000-01-01T00:00:00Z
      set +e
      "$AWSENV" exec dev --server -- bash -c '
        echo "cleared=${AWS_ACCESS_KEY_ID-u}${AWS_SECRET_ACCESS_KEY-u}${AWS_SESSION_TOKEN-u}${AWS_PROFILE-u}${AWS_SECURITY_TOKEN-u}${AWS_CREDENTIAL_EXPIRATION-u}"
        echo "uri=$AWS_CONTAINER_CREDENTIALS_FULL_URI"
        echo "token=${#AWS_CONTAINER_AUTHORIZATION_TOKEN}"
        echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI" >uri.txt
        python3 -c "import boto3; print(\\"boto3=\\" + boto3.client(\\"sts\\").get_caller_identity()[\\"Arn\\"])"
        echo "cli=$(aws sts get-caller-identity --query Arn --output text)"
        python3 "$probe" refusals
        exit 7'
      echo "status=$?"
      AWS_CONTAINER_CREDENTIALS_FULL_URI=$(cat uri.txt) AWS_CONTAINER_AUTHORIZATION_TOKEN=x \\
        python3 "$probe" closed
      "$AWSENV" exec dev --server --duration 20m -- \\
        bash -c 'echo "expires=$(python3 "$probe" expiration) $(date -u +%FT%TZ)"'
      """)
    XCTAssertSuccess(run)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    XCTAssertTrue(lines.contains("cleared=uuuuuu"), run.stdout)
    XCTAssertTrue(
      lines.contains { $0.hasPrefix("uri=http://127.0.0.1:") && $0.hasSuffix("/credentials") },
      run.stdout)
    XCTAssertTrue(lines.contains("token=64"), run.stdout)
    let roleArn = "arn:aws:sts::\(try server.world.account):assumed-role/dev/"
    XCTAssertTrue(lines.contains { $0.hasPrefix("boto3=\(roleArn)") }, run.stdout + run.stderr)
    XCTAssertTrue(lines.contains { $0.hasPrefix("cli=\(roleArn)") }, run.stdout + run.stderr)
    XCTAssertTrue(lines.contains("no-token 401 Unauthorized secret-free"), run.stdout)
    XCTAssertTrue(lines.contains("wrong-token 403 Forbidden secret-free"), run.stdout)
    XCTAssertTrue(lines.contains("short-token 403 Forbidden secret-free"), run.stdout)
    XCTAssertTrue(lines.contains("wrong-path 404 NotFound secret-free"), run.stdout)
    XCTAssertTrue(lines.contains("wrong-method 405 MethodNotAllowed secret-free"), run.stdout)
    XCTAssertTrue(lines.contains("status=7"), run.stdout)
    XCTAssertTrue(lines.contains("closed"), run.stdout)
    XCTAssertEqual(run.stderr, "", "no failure was logged")
    // --duration 20m: the role's session lasts 1200 s instead of the profile's 900.
    let expires = try XCTUnwrap(lines.first { $0.hasPrefix("expires=") }, run.stdout)
      .dropFirst("expires=".count).split(separator: " ").map {
        ISO8601DateFormatter().date(from: String($0))
      }
    let seconds = try XCTUnwrap(expires.last ?? nil).distance(
      to: try XCTUnwrap(expires.first ?? nil))
    XCTAssertEqual(seconds, 1200, accuracy: 30)
  }

  /// A job that runs past the refresh point gets a new session from the endpoint; 32 requests
  /// at the moment of the next refresh share one AssumeRole; nothing served lands on disk.
  func testALongJobGetsNewSessionsAndConcurrentRequestsShareOneCall() throws {
    let server = try server
    try server.resetCalls()
    try server.clearFaults()
    let run = try sandbox(
      """
      # Sessions last 900 s; with a 895 s minimum a session is due for renewal after 5 s.
      export AWSENV_MIN_TTL=895
      "$AWSENV" exec dev --server -- bash -c '
        set -e
        python3 "$AWSENV_HARNESS/credential_job.py" 6
        sleep 6
        # STS answers the next AssumeRole slowly, so all 32 arrive while it is being made.
        python3 - "$AWS_ENDPOINT_URL_STS/_awsenv/faults" <<PY
      import json, sys, urllib.request
      rule = {"count": 1, "delay": 1.5, "action": "AssumeRole"}
      urllib.request.urlopen(urllib.request.Request(
          sys.argv[1], data=json.dumps(rule).encode(), method="POST",
          headers={"Content-Type": "application/json"})).read()
      PY
        python3 "$probe" burst 32 >burst.txt
        cat burst.txt | head -1
        key=$(sed -n "s/^key //p" burst.txt)
        # Nothing the endpoint served is in a file (the keyring keeps its store encrypted).
        secret=$(python3 -c "
      import json, os, urllib.request
      request = urllib.request.Request(os.environ[\\"AWS_CONTAINER_CREDENTIALS_FULL_URI\\"],
          headers={\\"Authorization\\": os.environ[\\"AWS_CONTAINER_AUTHORIZATION_TOKEN\\"]})
      print(json.load(urllib.request.urlopen(request))[\\"SecretAccessKey\\"])")
        if grep -rqsF -e "$secret" "$HOME" "$XDG_RUNTIME_DIR" "${TMPDIR:-/tmp}"; then
          echo "SECRET ON DISK"
        else
          echo "no secret on disk"
        fi
        rm burst.txt'
      """)
    XCTAssertSuccess(run)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    let calls = lines.filter { $0.hasPrefix("call") }.map { $0.split(separator: " ") }
    XCTAssertEqual(calls.count, 2, run.stdout)
    if calls.count == 2 {
      XCTAssertTrue(calls[0][1].contains(":assumed-role/dev/"), run.stdout)
      XCTAssertTrue(calls[1][1].contains(":assumed-role/dev/"), run.stdout)
      XCTAssertNotEqual(calls[0][2], calls[1][2], "the second call has a new session")
    }
    XCTAssertTrue(lines.contains("ok 32 distinct 1"), run.stdout + run.stderr)
    XCTAssertTrue(lines.contains("no secret on disk"), run.stdout)
    // The first session, the job's renewal, and one for the 32 together.
    XCTAssertEqual(try server.calls()["AssumeRole"], 3)
  }

  /// A renewal that needs the user (a new SAML assertion) fails the request with JSON the
  /// SDKs show, and logs one line saying what to run, however often the SDK retries.
  func testARenewalThatNeedsTheUserAnswersAnErrorAndLogsOnce() throws {
    // The path of a file with a base64 SAMLResponse for the role saml.
    let assertion = try XCTUnwrap(try server.world.files.samlAssertionBase64)
    let run = try sandbox(
      """
      # moto's SAML sessions last an hour; with a minimum of 3595 s one is due after 5 s.
      export AWSENV_MIN_TTL=3595
      set +e
      "$AWSENV" exec saml --server --duration 15m --saml-assertion \(shellQuote(assertion)) -- bash -c '
        python3 "$probe" key >/dev/null && echo first-ok
        sleep 6
        python3 "$probe" error
        python3 "$probe" error >/dev/null
        python3 -c "import boto3; boto3.client(\\"sts\\").get_caller_identity()" 2>boto.err
        grep -c "CredentialsNeedUser" boto.err' 2>server.err
      echo "status=$?"
      echo "log lines $(grep -c "^awsenv: " server.err)"
      cat server.err
      """)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    XCTAssertTrue(lines.contains("first-ok"), "stdout: \(run.stdout) stderr: \(run.stderr)")
    XCTAssertTrue(lines.contains("500 CredentialsNeedUser secret-free"), run.stdout)
    XCTAssertTrue(lines.contains { $0.contains("--saml-assertion") }, run.stdout)
    XCTAssertTrue(lines.contains("log lines 1"), run.stdout)
    XCTAssertTrue(
      lines.contains { $0.hasPrefix("awsenv: cannot serve credentials for profile 'saml'") },
      run.stdout)
  }

  /// A profile of long-lived keys is served a GetSessionToken session, never the keys; the
  /// session is cached in the keyring and reused by the next server.
  func testKeysAreServedAsASessionNeverThemselves() throws {
    let server = try server
    let alice = try server.world.user("alice")
    try server.resetCalls()
    let run = try sandbox(
      """
      for _ in 1 2; do
        "$AWSENV" exec alice --server -- bash -c '
          python3 "$probe" key
          echo "cli=$(aws sts get-caller-identity --query Arn --output text)"'
      done
      echo "sessions $(secret-tool search --all application awsenv kind session profile alice \\
        2>&1 | grep -c '^attribute.kind = ')"
      """)
    XCTAssertSuccess(run)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    let keys = lines.filter { $0.hasPrefix("ASIA") }
    XCTAssertEqual(keys.count, 2, run.stdout)
    XCTAssertEqual(Set(keys).count, 1, "the second server reused the cached session")
    XCTAssertFalse(run.stdout.contains(alice.accessKeyID), run.stdout)
    XCTAssertEqual(lines.filter { $0 == "cli=\(alice.arn)" }.count, 2, run.stdout + run.stderr)
    XCTAssertTrue(lines.contains("sessions 1"), run.stdout)
    XCTAssertEqual(try server.calls()["GetSessionToken"], 1)
  }

  func testServePrintsTheVariablesForTheShellAndStopsOnCtrlC() throws {
    let run = try sandbox(
      """
      "$AWSENV" serve dev >bash.out 2>bash.err &
      pid=$!
      for _ in $(seq 100); do grep -q TOKEN bash.out 2>/dev/null && break; sleep 0.1; done
      (
        export AWS_PROFILE=other AWS_ACCESS_KEY_ID=AKIASTALE
        eval "$(cat bash.out)"
        echo "cli=$(aws sts get-caller-identity --query Arn --output text)"
        echo "profile=${AWS_PROFILE-unset}"
      )
      kill -INT "$pid"
      wait "$pid"
      echo "status=$?"
      head -c 200 bash.err; echo
      AWSENV_SHELL=fish "$AWSENV" serve dev --port 0 >fish.out 2>/dev/null &
      pid=$!
      for _ in $(seq 100); do grep -q TOKEN fish.out 2>/dev/null && break; sleep 0.1; done
      kill -TERM "$pid"; wait "$pid"
      grep -c '^set -gx AWS_CONTAINER' fish.out
      set +e
      "$AWSENV" serve dev --listen 0.0.0.0; echo "any=$?"
      "$AWSENV" serve dev --listen 192.0.2.1 2>listen.err; echo "remote=$?"
      cat listen.err
      """)
    XCTAssertSuccess(run)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    XCTAssertTrue(
      lines.contains { $0.hasPrefix("cli=arn:aws:sts::") && $0.contains("assumed-role/dev/") },
      run.stdout + run.stderr)
    XCTAssertTrue(lines.contains("profile=unset"), run.stdout)
    XCTAssertTrue(lines.contains("status=0"), run.stdout)
    XCTAssertTrue(
      lines.contains { $0.hasPrefix("awsenv: serving profile 'dev' at http://127.0.0.1:") },
      run.stdout)
    XCTAssertTrue(lines.contains("2"), "two set -gx lines for fish: \(run.stdout)")
    XCTAssertTrue(lines.contains("any=1"), run.stdout)
    XCTAssertTrue(lines.contains("remote=1"), run.stdout)
    XCTAssertTrue(
      lines.contains {
        $0.contains("WARNING: listening on 192.0.2.1") && $0.contains("only guard")
      },
      run.stdout)
  }
}
