import Foundation
import XCTest

/// `--duration` and ad-hoc roles (`--role-arn`) against the local STS (moto with SigV4
/// checking, see Tests/harness/sts_server.py), through the hook in bash, with a real keyring.
/// moto makes a session last exactly the DurationSeconds asked for, so the expiry shows what
/// awsenv asked.
final class SessionOptionsTests: LocalServerTestCase {

  static let spec = """
    {"users": [{"name": "alice", "mfa": true}, {"name": "bob"}],
     "roles": [
       {"name": "dev", "trust": {"users": ["alice", "bob"]}},
       {"name": "admin", "trust": {"roles": ["dev"]}},
       {"name": "partner", "trust": {"users": ["alice"], "external_id": "awsenv-external-id"}}]}
    """

  static let server = SharedServer("the local STS") { try STSServer(auth: true, spec: spec) }

  var server: STSServer { get throws { try Self.server.get() } }

  override func setUp() async throws {
    try server.setAuth(true)
    try server.resetCalls()
    try server.clearFaults()
  }

  func sandbox(_ script: String) throws -> RunResult {
    let world = try server.world
    let alice = try world.user("alice")
    let setup = """
      mkdir -p ~/.aws
      cat >~/.aws/config <<'CONF'
      [default]
      region = us-east-1
      [profile alice]
      [profile alice-mfa]
      mfa_serial = \(alice.mfaSerial ?? "")
      [profile dev]
      role_arn = \(try world.role("dev"))
      source_profile = alice
      [profile admin]
      role_arn = \(try world.role("admin"))
      source_profile = dev
      [profile mfa-dev]
      role_arn = \(try world.role("dev"))
      source_profile = alice
      mfa_serial = \(alice.mfaSerial ?? "")
      CONF
      for p in alice alice-mfa; do
        printf '%s\\n%s\\n' \(alice.accessKeyID) \(shellQuote(alice.secretAccessKey)) \\
          | "$AWSENV" add "$p" 2>/dev/null
      done
      eval "$("$AWSENV" init bash)"
      # Seconds the session in this shell has left (AWSENV_EXPIRES minus now).
      left() { echo $((AWSENV_EXPIRES - $(date +%s))); }
      callerArn() {
        python3 -c 'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'
      }

      """
    return try Harness.sandbox(
      script: setup + script,
      environment: ["AWS_ENDPOINT_URL_STS": try server.url, "AWS_REGION": "us-east-1"])
  }

  /// Seconds `text` is from `expected`, at most `slack` (the test's own run time).
  func XCTAssertAbout(
    _ text: String, _ expected: Int, slack: Int = 120, file: StaticString = #filePath,
    line: UInt = #line
  ) {
    guard let value = Int(text) else {
      return XCTFail("not a number: '\(text)'", file: file, line: line)
    }
    XCTAssertTrue(
      value <= expected && value > expected - slack, "\(value) s left, expected ~\(expected)",
      file: file, line: line)
  }

  func testDurationSetsTheRoleSessionAndTheCacheServesWhatIsLongEnough() throws {
    let run = try sandbox(
      """
      awsenv use dev --duration 15m; left; echo "$AWSENV_EXPIRES"
      awsenv use dev --duration 900; echo "$AWSENV_EXPIRES"
      awsenv use dev; echo "$AWSENV_EXPIRES"
      awsenv use dev --duration 1h; left; echo "$AWSENV_EXPIRES"
      awsenv use dev --duration 15m; echo "$AWSENV_EXPIRES"
      """)
    XCTAssertSuccess(run)
    XCTAssertEqual(run.stderr, "")
    let lines = padded(run.stdout)
    XCTAssertAbout(lines[0], 900)
    XCTAssertEqual(lines[2], lines[1], "the same length again: the cached session")
    XCTAssertEqual(lines[3], lines[1], "no --duration: a session with more than 5 min left serves")
    XCTAssertAbout(lines[4], 3600)
    XCTAssertNotEqual(lines[5], lines[1])
    XCTAssertEqual(lines[6], lines[5], "a longer session serves a shorter request")
    // 15m, then 1h (the 15-minute session has less than 1h - 5 min left).
    XCTAssertEqual(try server.calls()["AssumeRole"], 2)
  }

  /// The prompt's refresh asks for the length the session was made with (AWSENV_DURATION).
  func testThePromptRefreshKeepsTheDuration() throws {
    let run = try sandbox(
      """
      export AWSENV_MIN_TTL=2h   # inside the refresh window at once
      awsenv use dev --duration 15m
      echo "$AWSENV_DURATION"
      first=$AWS_ACCESS_KEY_ID
      __awsenv_precmd
      test "$AWS_ACCESS_KEY_ID" != "$first" && echo refreshed
      left
      awsenv use dev --refresh
      echo "${AWSENV_DURATION-unset}"
      awsenv clear
      echo "${AWSENV_DURATION-unset}"
      """)
    XCTAssertSuccess(run)
    XCTAssertEqual(run.stderr, "")
    let lines = padded(run.stdout)
    XCTAssertEqual(lines[0], "900")
    XCTAssertEqual(lines[1], "refreshed")
    XCTAssertAbout(lines[2], 900)
    XCTAssertEqual(lines[3], "unset", "a use without --duration drops it")
    XCTAssertEqual(lines[4], "unset")
    XCTAssertEqual(try server.calls()["AssumeRole"], 3)
  }

  func testDurationIsClampedToWhatAWSAllowsWithOneNote() throws {
    let run = try sandbox(
      """
      awsenv use dev --duration 5m 2>err; left; cat err
      awsenv use admin --duration 12h 2>err; left; cat err
      awsenv use dev --duration 48h 2>err; left; cat err
      awsenv use alice --duration 1h 2>err; echo "keys: ${AWSENV_EXPIRES-none}"; cat err
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertAbout(lines[0], 900)
    XCTAssertEqual(
      lines[1], "awsenv: --duration 5m: a role session lasts at least 15m; asking for 15m")
    XCTAssertAbout(lines[2], 3600)
    XCTAssertEqual(
      lines[3],
      "awsenv: --duration 12h: a role assumed with another role's credentials (role chaining) "
        + "lasts at most 1h; asking for 1h")
    XCTAssertAbout(lines[4], 43_200)
    XCTAssertEqual(
      lines[5], "awsenv: --duration 48h: a role session lasts at most 12h; asking for 12h")
    XCTAssertEqual(lines[6], "keys: none")
    XCTAssertTrue(
      lines[7].hasPrefix("awsenv: --duration 1h is ignored: profile 'alice' uses long-lived keys"),
      lines[7])
    XCTAssertEqual(lines.filter { !$0.isEmpty }.count, 8, run.stdout)
  }

  /// --duration is the final session's: an MFA session alone gets it (up to 36 h), an MFA
  /// session under a role keeps STS's default and the role gets it.
  func testDurationAndMFASessions() throws {
    let code = try server.mfaCode(for: "alice")
    let next = try server.mfaCode(for: "alice", offset: 30)
    let run = try sandbox(
      """
      awsenv use alice-mfa --mfa-code \(code) --duration 20h; left
      awsenv use mfa-dev --mfa-code \(next) --duration 30m; left
      callerArn
      """)
    XCTAssertSuccess(run)
    XCTAssertEqual(run.stderr, "")
    let lines = padded(run.stdout)
    XCTAssertAbout(lines[0], 72_000)
    XCTAssertAbout(lines[1], 1800)
    XCTAssertTrue(lines[2].contains("assumed-role/dev/"), lines[2])
    let calls = try server.calls()
    XCTAssertEqual(calls["GetSessionToken"], 2, "mfa-dev's MFA session is not alice-mfa's")
    XCTAssertEqual(calls["AssumeRole"], 1)
  }

  func testARoleMaximumBelowTheDurationIsOneLine() throws {
    try server.injectFaults(
      status: 400, code: "ValidationError",
      message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      action: "AssumeRole")
    let run = try sandbox(
      """
      if awsenv use dev --duration 12h 2>err; then exit 9; fi
      cat err
      echo "profile=${AWSENV_PROFILE-none}"
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertEqual(
      lines[0],
      "awsenv: STS AssumeRole failed: ValidationError: The requested DurationSeconds exceeds the "
        + "MaxSessionDuration set for this role; --duration 12h is longer than the role's maximum "
        + "session duration; ask for less (--duration, or duration_seconds in 'dev') or raise the "
        + "role's maximum")
    XCTAssertEqual(lines[1], "profile=none")
  }

  func testAdHocRolesFromTheShellsProfileOrASourceProfile() throws {
    let world = try server.world
    let dev = try world.role("dev")
    let partner = try world.role("partner")
    let run = try sandbox(
      """
      if awsenv use --role-arn \(dev) 2>err; then exit 9; fi
      cat err
      awsenv use alice
      awsenv use --role-arn \(dev)
      echo "$AWSENV_PROFILE|${AWS_PROFILE-unset}|$AWSENV_IDENTITY|${AWSENV_REFRESH_AT-none}"
      callerArn
      awsenv use --role-arn \(dev) --source-profile alice
      awsenv use --role-arn \(partner) --source-profile alice --external-id awsenv-external-id \\
        --role-session-name adhoc-session
      callerArn
      if awsenv use --role-arn \(partner) 2>err; then exit 9; fi
      grep -c '^awsenv: STS AssumeRole failed: AccessDenied' err
      if awsenv use --role-arn arn:aws:iam::123456789012:user/alice 2>err; then exit 9; fi
      cat err
      awsenv use alice
      "$AWSENV" exec --role-arn \(dev) -- python3 -c \\
        'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'
      "$AWSENV" export --role-arn \(dev) --source-profile alice --format json | python3 -c \\
        'import json,sys; d=json.load(sys.stdin); print(d["AWSENV_IDENTITY"], "AWS_PROFILE" in d)'
      awsenv clear
      echo "cleared: ${AWSENV_PROFILE-none} ${AWS_ACCESS_KEY_ID-none}"
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertEqual(
      lines[0],
      "awsenv: --role-arn needs credentials to assume the role with: pass --source-profile "
        + "PROFILE, or `awsenv use PROFILE` first")
    XCTAssertEqual(lines[1], "alice|unset|dev@123456789012|none")
    XCTAssertTrue(lines[2].hasPrefix("arn:aws:sts::123456789012:assumed-role/dev/"), lines[2])
    XCTAssertEqual(lines[3], "arn:aws:sts::123456789012:assumed-role/partner/adhoc-session")
    XCTAssertEqual(lines[4], "1", "without the external id: refused")
    XCTAssertTrue(
      lines[5].hasPrefix("awsenv: 'arn:aws:iam::123456789012:user/alice' is not an IAM role ARN"),
      lines[5])
    XCTAssertTrue(lines[6].hasPrefix("arn:aws:sts::123456789012:assumed-role/dev/"), lines[6])
    XCTAssertEqual(lines[7], "dev@123456789012 False")
    XCTAssertEqual(lines[8], "cleared: none none")
    // dev once (then cached, keyed by ARN and source, for use, exec and export), partner
    // once, partner refused once.
    XCTAssertEqual(try server.calls()["AssumeRole"], 3)
  }
}
