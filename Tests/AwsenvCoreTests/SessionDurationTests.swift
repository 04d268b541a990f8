import XCTest

@testable import AwsenvCore

/// `--duration` values, the limits AWS puts on each kind of session, ad-hoc role ARNs and the
/// previous-profile record of `use -`.
final class SessionDurationTests: XCTestCase {
  func testParse() {
    let cases: [(String, Int?)] = [
      ("900", 900), ("90s", 90), ("15m", 900), ("1h", 3600), ("12h", 43_200), ("1h30m", 5400),
      ("1H", 3600), ("2h0m5s", 7205), ("0", 0),
      ("", nil), ("m", nil), ("-1h", nil), ("1.5h", nil), ("1d", nil), ("30m1h", nil),
      ("1m1m", nil), ("1h30", nil), (" 1h", nil), ("1h ", nil), ("+5", nil),
      ("99999999999999999999", nil), ("100000h", nil),
    ]
    for (text, expected) in cases {
      XCTAssertEqual(SessionDuration.parse(text), expected, text)
    }
  }

  func testText() {
    XCTAssertEqual(SessionDuration.text(900), "15m")
    XCTAssertEqual(SessionDuration.text(5400), "1h30m")
    XCTAssertEqual(SessionDuration.text(129_600), "36h")
    XCTAssertEqual(SessionDuration.text(61), "1m1s")
    XCTAssertEqual(SessionDuration.text(0), "0s")
  }

  func testClamp() {
    XCTAssertEqual(SessionDuration.clamp(3600, kind: .role).seconds, 3600)
    XCTAssertNil(SessionDuration.clamp(3600, kind: .role).note)
    XCTAssertEqual(SessionDuration.clamp(60, kind: .sessionToken).seconds, 900)
    XCTAssertEqual(SessionDuration.clamp(200_000, kind: .sessionToken).seconds, 129_600)
    XCTAssertEqual(SessionDuration.clamp(129_600, kind: .sessionToken).seconds, 129_600)
    XCTAssertEqual(SessionDuration.clamp(86_400, kind: .role).seconds, 43_200)
    let chained = SessionDuration.clamp(7200, kind: .chainedRole)
    XCTAssertEqual(chained.seconds, 3600)
    XCTAssertEqual(
      chained.note,
      "--duration 2h: a role assumed with another role's credentials (role chaining) lasts at "
        + "most 1h; asking for 1h")
  }

  /// Which session --duration is applied to, and what it may be.
  func testRequestFollowsTheFinalSession() throws {
    let config = try AWSConfig.parse(
      config: """
        [profile keys]
        [profile mfa]
        mfa_serial = arn:aws:iam::123456789012:mfa/alice
        [profile role]
        role_arn = arn:aws:iam::123456789012:role/A
        source_profile = keys
        [profile chained]
        role_arn = arn:aws:iam::123456789012:role/B
        source_profile = role
        [profile sso]
        sso_start_url = https://x.awsapps.com/start
        sso_region = us-east-1
        sso_account_id = 123456789012
        sso_role_name = R
        [profile sso-role]
        role_arn = arn:aws:iam::123456789012:role/C
        source_profile = sso
        [profile web]
        role_arn = arn:aws:iam::123456789012:role/W
        web_identity_token_file = /tmp/token
        [profile proc]
        credential_process = /bin/true
        """, configPath: "config", credentials: "", credentialsPath: "credentials")
    func request(_ profile: String, _ seconds: Int) throws -> (Int?, String?) {
      let chain = try config.resolveChain(profile: profile, keyringFallback: true)
      let result = SessionDuration.request(seconds, profile: profile, chain: chain, config: config)
      return (result.seconds, result.note)
    }
    XCTAssertEqual(try request("role", 86_400).0, 43_200)
    XCTAssertEqual(try request("role", 1800).0, 1800)
    XCTAssertNil(try request("role", 1800).1)
    XCTAssertEqual(try request("chained", 7200).0, 3600)
    XCTAssertEqual(try request("sso-role", 7200).0, 3600, "an IAM Identity Center role is a role")
    XCTAssertEqual(try request("mfa", 86_400).0, 86_400, "an MFA session alone: up to 36 h")
    XCTAssertEqual(try request("web", 7200).0, 7200)
    for profile in ["keys", "sso", "proc"] {
      let (seconds, note) = try request(profile, 3600)
      XCTAssertNil(seconds, profile)
      XCTAssertTrue(note?.hasPrefix("--duration 1h is ignored: ") == true, note ?? profile)
    }
  }

  /// The profile a `credential_process = awsenv credential-process …` line names, whatever
  /// the order of --duration and its value.
  func testCredentialProcessTargetSkipsTheDurationValue() {
    XCTAssertEqual(ChainRun.awsenvTarget("awsenv credential-process prod"), "prod")
    XCTAssertEqual(ChainRun.awsenvTarget("awsenv credential-process prod --duration 1h"), "prod")
    XCTAssertEqual(ChainRun.awsenvTarget("awsenv credential-process --duration 1h prod"), "prod")
    XCTAssertEqual(ChainRun.awsenvTarget("/usr/bin/awsenv credential-process --debug prod"), "prod")
    XCTAssertNil(ChainRun.awsenvTarget("awsenv credential-process --duration 1h"))
  }

  func testRoleArns() {
    for good in [
      "arn:aws:iam::123456789012:role/admin", "arn:aws:iam::123456789012:role/a/b/Admin+=,.@_-",
      "arn:aws-cn:iam::123456789012:role/x", "arn:aws-us-gov:iam::123456789012:role/x",
    ] {
      XCTAssertTrue(AdHocRole.isRoleArn(good), good)
    }
    for bad in [
      "", "admin", "arn:aws:iam::123456789012:user/alice", "arn:aws:iam::12345678901:role/x",
      "arn:aws:iam::123456789012:role/", "arn:aws:iam:us-east-1:123456789012:role/x",
      "arn:aws:sts::123456789012:role/x", "arn:nope:iam::123456789012:role/x",
      "arn:aws:iam::123456789012:role/a//b", "arn:aws:iam::123456789012:role/x y",
      "arn:aws:iam::123456789012:role/" + String(repeating: "n", count: 65),
      "arn:aws:iam::1234567890ab:role/x", "arn:aws:iam::123456789012:role/x\n",
    ] {
      XCTAssertFalse(AdHocRole.isRoleArn(bad), bad)
    }
  }

  /// The record `use -` goes back to: set when a switch or `clear` leaves a profile, kept by
  /// a switch to the same profile (the prompt's refresh) or from none.
  func testPreviousProfileRecord() {
    let variable = ShellSession.previousProfileVariable
    XCTAssertEqual(
      ShellSession.recordPrevious(leaving: ["AWSENV_PROFILE": "prod"], for: "dev"),
      [.shellVariable(variable, "prod")])
    XCTAssertEqual(
      ShellSession.recordPrevious(leaving: ["AWSENV_PROFILE": "prod"], for: "prod"), [])
    XCTAssertEqual(ShellSession.recordPrevious(leaving: [:], for: "dev"), [])
    XCTAssertEqual(ShellSession.recordPrevious(leaving: ["AWSENV_PROFILE": ""], for: "dev"), [])
    let cleared = ShellSession.clear(environment: ["AWSENV_PROFILE": "dev"])
    XCTAssertEqual(cleared.last, .shellVariable(variable, "dev"))
    XCTAssertEqual(ShellSession.previousProfile(environment: ["AWSENV_PREVIOUS": "x"]), "x")
    XCTAssertNil(ShellSession.previousProfile(environment: ["AWSENV_PREVIOUS": ""]))
  }
}
