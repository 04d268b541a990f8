import Foundation
import XCTest

/// awsenv against a real STS endpoint: moto on 127.0.0.1 with SigV4 checking on (see
/// Tests/harness/sts_server.py), through the hook in bash, with a real keyring; boto3 then proves
/// that the exported variables work for the real clients.
final class STSFlowTests: LocalServerTestCase {
  static let server = SharedServer("the local STS") { try STSServer(auth: true, spec: spec) }

  static let spec = """
    {"users": [{"name": "alice", "mfa": true}, {"name": "bob"}],
     "saml_providers": [{"name": "awsenv-idp"}],
     "oidc_providers": [{"url": "https://oidc.awsenv.test", "client_ids": ["awsenv"]}],
     "roles": [
       {"name": "dev", "trust": {"users": ["alice", "bob"]}},
       {"name": "admin", "trust": {"roles": ["dev"]}},
       {"name": "top", "trust": {"roles": ["admin"]}},
       {"name": "alice-only", "trust": {"users": ["alice"]}},
       {"name": "partner", "trust": {"users": ["alice"], "external_id": "awsenv-external-id"}},
       {"name": "mfa-required", "trust": {"users": ["alice"], "mfa": true}},
       {"name": "saml", "trust": {"saml": "awsenv-idp"}},
       {"name": "web", "trust": {"oidc": "oidc.awsenv.test"}}]}
    """

  var server: STSServer {
    get throws { try Self.server.get() }
  }

  override func setUp() async throws {
    try server.setAuth(true)
    try server.resetCalls()
    try server.clearFaults()
  }

  /// Config, keys in the keyring, the hook loaded: the start of every test's script.
  func setup() throws -> String {
    let world = try server.world
    let alice = try world.user("alice")
    let bob = try world.user("bob")
    return """
      mkdir -p ~/.aws
      cat >~/.aws/config <<'CONF'
      [default]
      region = us-east-1
      [profile alice]
      [profile bob]
      [profile dev]
      role_arn = \(try world.role("dev"))
      source_profile = alice
      [profile admin]
      role_arn = \(try world.role("admin"))
      source_profile = dev
      [profile top]
      role_arn = \(try world.role("top"))
      source_profile = admin
      role_session_name = awsenv-test
      [profile bob-denied]
      role_arn = \(try world.role("alice-only"))
      source_profile = bob
      [profile partner-no-id]
      role_arn = \(try world.role("partner"))
      source_profile = alice
      [profile partner]
      role_arn = \(try world.role("partner"))
      source_profile = alice
      external_id = awsenv-external-id
      [profile mfa-dev]
      role_arn = \(try world.role("dev"))
      source_profile = alice
      mfa_serial = \(alice.mfaSerial ?? "")
      [profile mfa-strict]
      role_arn = \(try world.role("mfa-required"))
      source_profile = alice
      mfa_serial = \(alice.mfaSerial ?? "")
      [profile web]
      role_arn = \(try world.role("web"))
      web_identity_token_file = \(world.files.webIdentityToken)
      [profile saml]
      role_arn = \(try world.role("saml"))
      saml_provider_arn = \(world.samlProviders["awsenv-idp"] ?? "")
      CONF
      printf '%s\\n%s\\n' \(alice.accessKeyID) \(shellQuote(alice.secretAccessKey)) \\
        | "$AWSENV" add alice 2>/dev/null
      printf '%s\\n%s\\n' \(bob.accessKeyID) \(shellQuote(bob.secretAccessKey)) \\
        | "$AWSENV" add bob 2>/dev/null
      eval "$("$AWSENV" init bash)"
      show() { printf '%s|%s|%s|%s|%s\\n' "${AWS_ACCESS_KEY_ID-}" "${AWS_SESSION_TOKEN:+token}" \\
        "${AWS_CREDENTIAL_EXPIRATION-}" "${AWSENV_IDENTITY-}" "${AWS_PROFILE-}"; }
      callerArn() {
        python3 -c 'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'
      }

      """
  }

  func sandbox(_ script: String, environment: [String: String] = [:]) throws -> RunResult {
    var env = ["AWS_ENDPOINT_URL_STS": try server.url, "AWS_REGION": "us-east-1"]
    env.merge(environment) { $1 }
    return try Harness.sandbox(script: try setup() + script, environment: env)
  }

  func testStaticKeysWhoami() throws {
    let run = try sandbox(
      """
      "$AWSENV" whoami --profile alice
      awsenv use alice
      awsenv whoami --json
      """)
    XCTAssertSuccess(run)
    let alice = try server.world.user("alice")
    XCTAssertTrue(run.stdout.contains("Arn      \(alice.arn)"), run.stdout)
    XCTAssertTrue(run.stdout.contains("\"Arn\":\"\(alice.arn)\""), run.stdout)
    XCTAssertEqual(try server.calls()["GetCallerIdentity"], 2)
  }

  func testRoleChainsAreAssumedCachedAndWorkForBoto3() throws {
    let run = try sandbox(
      """
      awsenv use admin
      show
      callerArn
      awsenv use admin
      show
      awsenv use top
      show
      callerArn
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertEqual(lines.filter { !$0.isEmpty }.count, 5, run.stdout)
    let first = lines[0].split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    XCTAssertTrue(first[0].hasPrefix("ASIA"), lines[0])
    XCTAssertEqual(first[1], "token")
    XCTAssertFalse(first[2].isEmpty, "AWS_CREDENTIAL_EXPIRATION is set")
    XCTAssertEqual(first[3], "admin@123456789012")
    XCTAssertEqual(first[4], "admin")
    XCTAssertTrue(lines[1].hasPrefix("arn:aws:sts::123456789012:assumed-role/admin/"), lines[1])
    XCTAssertEqual(lines[2], lines[0], "the second use is the cached session")
    XCTAssertTrue(lines[3].contains("|top@123456789012|top"), lines[3])
    XCTAssertEqual(lines[4], "arn:aws:sts::123456789012:assumed-role/top/awsenv-test")
    // alice -> dev -> admin once, then admin -> top with the cached admin session.
    XCTAssertEqual(try server.calls()["AssumeRole"], 3)
    XCTAssertEqual(run.stderr, "")
  }

  func testExecExportAndCredentialProcessServeRolesToo() throws {
    let run = try sandbox(
      """
      cat >>~/.aws/config <<CONF
      [profile sdk-admin]
      region = us-east-1
      credential_process = $AWSENV credential-process admin
      CONF
      "$AWSENV" exec admin -- python3 -c \
        'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'
      AWS_PROFILE=sdk-admin python3 -c \
        'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'
      "$AWSENV" export admin --format json | python3 -c \
        'import json,sys; d=json.load(sys.stdin); print(d["AWSENV_IDENTITY"], "AWS_SESSION_TOKEN" in d)'
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertTrue(lines[0].hasPrefix("arn:aws:sts::123456789012:assumed-role/admin/"), lines[0])
    XCTAssertTrue(lines[1].hasPrefix("arn:aws:sts::123456789012:assumed-role/admin/"), lines[1])
    XCTAssertEqual(lines[2], "admin@123456789012 True")
    XCTAssertEqual(try server.calls()["AssumeRole"], 2, "assumed once, then from the keyring")
  }

  func testAnExpiryInsideTheWindowMakesANewCall() throws {
    let run = try sandbox(
      """
      awsenv use dev
      AWSENV_MIN_TTL=2h awsenv use dev
      awsenv use dev --refresh
      awsenv use dev
      """)
    XCTAssertSuccess(run)
    // moto's sessions last one hour: a 2-hour minimum makes the cached one too short.
    XCTAssertEqual(try server.calls()["AssumeRole"], 3)
  }

  func testAccessDeniedLeavesTheShellAsItWas() throws {
    let run = try sandbox(
      """
      awsenv use alice
      env -0 | sort -z >before
      if awsenv use bob-denied 2>err; then exit 9; else echo "status=$?"; fi
      env -0 | sort -z >after
      cmp before after && echo unchanged
      cat err
      if awsenv use partner-no-id 2>err; then exit 9; fi
      cat err
      awsenv use partner
      show
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertEqual(lines[0], "status=1")
    XCTAssertEqual(lines[1], "unchanged")
    XCTAssertTrue(lines[2].hasPrefix("awsenv: STS AssumeRole failed: AccessDenied"), lines[2])
    XCTAssertTrue(lines[2].contains("trust policy of \(try server.world.role("alice-only"))"))
    XCTAssertTrue(lines[3].hasPrefix("awsenv: STS AssumeRole failed: AccessDenied"), lines[3])
    XCTAssertTrue(lines[4].contains("|partner@123456789012|partner"), lines[4])
    XCTAssertEqual(lines.filter { !$0.isEmpty }.count, 5, run.stdout)
  }

  func testAWrongSecretIsSignatureDoesNotMatch() throws {
    let alice = try server.world.user("alice")
    let run = try sandbox(
      """
      printf '%s\\n%s\\n' \(alice.accessKeyID) wrongSecretKey/000000000000000000000000 \\
        | "$AWSENV" add alice 2>/dev/null
      if awsenv use dev 2>err; then exit 9; fi
      cat err
      if "$AWSENV" whoami --profile alice 2>err; then exit 9; fi
      cat err
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertEqual(lines.filter { !$0.isEmpty }.count, 2, run.stdout)
    for line in lines.prefix(2) {
      XCTAssertTrue(line.contains("SignatureDoesNotMatch"), line)
      XCTAssertTrue(line.contains("`awsenv add alice`"), line)
      XCTAssertFalse(line.contains("wrongSecretKey"), "no secret in an error")
    }
  }

  func testOneMFACodeServesTwoRoles() throws {
    // A wrong code: STS refuses GetSessionToken, awsenv says so in one line.
    let wrong = try sandbox(
      """
      if awsenv use mfa-dev --mfa-code 000000 2>err; then exit 9; else echo "status=$?"; fi
      cat err
      """)
    XCTAssertSuccess(wrong)
    let refused = padded(wrong.stdout)
    XCTAssertEqual(refused[0], "status=1")
    XCTAssertTrue(refused[1].hasPrefix("awsenv: "), refused[1])
    XCTAssertTrue(refused[1].contains("MFA code was not accepted"), refused[1])
    XCTAssertEqual(refused.filter { !$0.isEmpty }.count, 2, "one line: \(wrong.stdout)")
    XCTAssertEqual(try server.calls()["GetSessionToken"], 1)
    try server.resetCalls()

    let code = try server.mfaCode(for: "alice")
    let run = try sandbox(
      """
      if awsenv use mfa-dev --non-interactive 2>err; then exit 9; else echo "status=$?"; fi
      cat err
      awsenv use mfa-dev --mfa-code \(code)
      show
      awsenv use mfa-strict
      show
      callerArn
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertEqual(lines.first, "status=3")
    XCTAssertTrue(lines[1].contains("needs an MFA code"), lines[1])
    XCTAssertTrue(lines[2].contains("|dev@123456789012|mfa-dev"), lines[2])
    XCTAssertTrue(lines[3].contains("|mfa-required@123456789012|mfa-strict"), lines[3])
    XCTAssertTrue(lines[4].contains("assumed-role/mfa-required/"), lines[4])
    let calls = try server.calls()
    XCTAssertEqual(calls["GetSessionToken"], 1, "one MFA session for both roles")
    XCTAssertEqual(calls["AssumeRole"], 2)
  }

  /// The prompt hook refreshes a role in place through the real STS: silently over a cached
  /// MFA session, and with one hint when only a new MFA code would do.
  func testThePromptRefreshesRolesInPlace() throws {
    let code = try server.mfaCode(for: "alice")
    let run = try sandbox(
      """
      export AWSENV_MIN_TTL=2h NO_COLOR=1   # sessions last 1 h: always inside the window
      awsenv use dev
      first=$AWS_ACCESS_KEY_ID
      __awsenv_precmd
      test "$AWS_ACCESS_KEY_ID" != "$first" && echo "dev refreshed"
      awsenv use mfa-dev --mfa-code \(code)
      first=$AWS_ACCESS_KEY_ID
      __awsenv_retry_at=0
      __awsenv_precmd 2>err
      test "$AWS_ACCESS_KEY_ID" != "$first" && echo "mfa-dev refreshed quietly: $(cat err)"
      "$AWSENV" remove alice --sessions-only 2>/dev/null
      first=$AWS_ACCESS_KEY_ID
      __awsenv_retry_at=0
      __awsenv_precmd 2>err
      test "$AWS_ACCESS_KEY_ID" = "$first" && echo "kept: $AWSENV_PROFILE"
      cat err
      __awsenv_precmd 2>err
      echo "again: $(cat err)"
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertEqual(lines[0], "dev refreshed")
    XCTAssertEqual(lines[1], "mfa-dev refreshed quietly: ")
    XCTAssertEqual(lines[2], "kept: mfa-dev")
    XCTAssertTrue(lines[3].hasPrefix("awsenv: the credentials of mfa-dev expire in "), lines[3])
    XCTAssertTrue(lines[3].hasSuffix("refreshing them needs you: run `awsenv use mfa-dev`"))
    XCTAssertEqual(lines[4], "again: ", "the hint is printed once")
    let calls = try server.calls()
    XCTAssertEqual(calls["GetSessionToken"], 1, "the refresh reused the MFA session")
    XCTAssertEqual(calls["AssumeRole"], 4)
  }

  func testWebIdentity() throws {
    let run = try sandbox(
      """
      awsenv use web
      show
      awsenv use web
      """)
    XCTAssertSuccess(run)
    XCTAssertTrue(run.stdout.contains("|web@123456789012|web"), run.stdout)
    XCTAssertEqual(try server.calls()["AssumeRoleWithWebIdentity"], 1)
  }

  func testSAMLWithAGeneratedAssertionAsBase64OrXML() throws {
    let world = try server.world
    let base64 = try XCTUnwrap(world.files.samlAssertionBase64)
    let xml = try XCTUnwrap(world.files.samlAssertionXML)
    let run = try sandbox(
      """
      if awsenv use saml 2>err; then exit 9; else echo "status=$?"; fi
      cat err
      awsenv use saml --saml-assertion \(shellQuote(base64))
      show
      awsenv use saml < /dev/null
      awsenv use saml --saml-assertion - <\(shellQuote(xml))
      show
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertEqual(lines.first, "status=3")
    XCTAssertTrue(lines[1].contains("--saml-assertion FILE"), lines[1])
    XCTAssertTrue(lines[2].contains("|saml@123456789012|saml"), lines[2])
    XCTAssertTrue(lines[3].contains("|saml@123456789012|saml"), lines[3])
    // The cached session served the plain `use`; each assertion made one call.
    XCTAssertEqual(try server.calls()["AssumeRoleWithSAML"], 2)
  }

  func testCredentialProcessIsRunWithoutAShellAndCached() throws {
    let run = try sandbox(
      """
      cat >~/cred.sh <<'SH'
      #!/bin/sh
      echo run >>"$HOME/runs"
      printf '%s\n' "$1" >"$HOME/arg"
      printf '{"Version": 1, "AccessKeyId": "ASIAPROCESS000000001", "SecretAccessKey": "procSecret", "SessionToken": "tok", "Expiration": "%s"}' "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
      SH
      chmod +x ~/cred.sh
      cat >>~/.aws/config <<CONF
      [profile proc]
      credential_process = $HOME/cred.sh 'quoted \\$(touch PWNED) arg'
      CONF
      awsenv use proc
      show
      cat ~/arg
      awsenv use proc
      wc -l <~/runs
      test ! -e PWNED && echo "nothing executed"
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertTrue(lines[0].hasPrefix("ASIAPROCESS000000001|token|"), run.stdout)
    XCTAssertEqual(lines[1], "quoted $(touch PWNED) arg", "one argument, no shell")
    XCTAssertEqual(lines[2].trimmingCharacters(in: .whitespaces), "1", "the second use is cached")
    XCTAssertEqual(lines[3], "nothing executed")
  }

  func testThrottlingIsRetriedAndAServerErrorExplained() throws {
    try server.injectFaults(count: 2, status: 400, code: "Throttling", action: "AssumeRole")
    let run = try sandbox(
      """
      awsenv use dev
      show
      """)
    XCTAssertSuccess(run)
    XCTAssertTrue(run.stdout.contains("|dev@123456789012|dev"), run.stdout)
    let calls = try server.calls()
    XCTAssertEqual(calls["faulted"], 2)
    try server.injectFaults(count: 3, status: 503, code: "ServiceUnavailable", action: "AssumeRole")
    let failed = try sandbox("awsenv use dev")
    XCTAssertEqual(failed.status, 1)
    XCTAssertTrue(failed.stderr.hasPrefix("awsenv: STS AssumeRole failed: ServiceUnavailable"))
    XCTAssertEqual(failed.stderr.split(separator: "\n").count, 1, failed.stderr)
  }
}

/// The lines of `text`, padded with empty ones so that a short output fails an assertion
/// instead of crashing the test bundle.
func padded(_ text: String, to count: Int = 16) -> [String] {
  let lines = text.split(separator: "\n").map(String.init)
  return lines + Array(repeating: "", count: max(0, count - lines.count))
}
