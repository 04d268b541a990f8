import Foundation
import XCTest

/// What a hostile or broken STS answers, through the built binary in the sandbox: identities
/// with terminal controls, credentials that arrive expired, an answer trickled a byte at a time.
final class HostileServerTests: LocalServerTestCase {
  static let sts = SharedServer("the local STS") {
    try STSServer(auth: false, spec: #"{"users": [{"name": "alice"}]}"#)
  }

  var sts: STSServer { get throws { try Self.sts.get() } }

  /// Queues `rule` (sts_server.py's POST /_awsenv/faults) on the local STS.
  func postFault(_ rule: [String: Any], to url: String) throws {
    let body = String(decoding: try JSONSerialization.data(withJSONObject: rule), as: UTF8.self)
    let post = try Harness.run(
      [
        "/usr/bin/env", "curl", "-fsS", "-X", "POST", "-H", "Content-Type: application/json",
        "--data-binary", "@-", url + "/_awsenv/faults",
      ], stdin: body)
    XCTAssertSuccess(post)
  }

  func roleFiles() throws -> [String: String] {
    let alice = try sts.world.user("alice")
    return [
      "config": "[profile base]\n[profile plain]\nrole_arn = arn:aws:iam::123456789012:role/plain\n"
        + "source_profile = base\n",
      "credentials": "[base]\naws_access_key_id = \(alice.accessKeyID)\n"
        + "aws_secret_access_key = \(alice.secretAccessKey)\n",
    ]
  }

  func writeFiles() throws -> String {
    let files = try roleFiles()
    return """
      mkdir -p .aws
      printf '%s' \(shellQuote(files["config"]!)) >.aws/config
      printf '%s' \(shellQuote(files["credentials"]!)) >.aws/credentials

      """
  }

  static func assumeRoleBody(expiration: String) -> String {
    """
    <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>\
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/plain/s</Arn>\
    <AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>\
    <Credentials><AccessKeyId>ASIAHOSTILE000000001</AccessKeyId>\
    <SecretAccessKey>secretFromAHostileServer0000000000000001</SecretAccessKey>\
    <SessionToken>TOKEN</SessionToken><Expiration>\(expiration)</Expiration>\
    </Credentials></AssumeRoleResult></AssumeRoleResponse>
    """
  }

  /// An AssumeRole answer whose Expiration is already past (or a minute away) is refused with
  /// one line, nothing cached or exported; the server's Date header sets the clock hint apart.
  func testExpiredCredentialsFromSTSAreRefused() throws {
    let server = try sts
    for expiration in [
      "2001-01-01T00:00:00Z", ISO8601DateFormatter().string(from: Date().addingTimeInterval(20)),
    ] {
      try postFault(
        [
          "count": 1, "status": 200, "body": Self.assumeRoleBody(expiration: expiration),
          "action": "AssumeRole",
        ], to: server.url)
    }
    let run = try Harness.sandbox(
      script: try writeFiles() + """
        for i in 1 2; do
          status=0
          "$AWSENV" export plain >out.$i 2>err.$i || status=$?
          echo "status=$status bytes=$(wc -c <out.$i)"
          cat err.$i
        done
        """, environment: ["AWS_ENDPOINT_URL_STS": server.url, "AWS_MAX_ATTEMPTS": "1"])
    let lines = run.stdout.split(separator: "\n")
    XCTAssertEqual(lines.filter { $0 == "status=1 bytes=0" }.count, 2, run.stdout + run.stderr)
    XCTAssertTrue(run.stdout.contains("already expired (at 2001-01-01T00:00:00Z)"), run.stdout)
    XCTAssertTrue(run.stdout.contains("expire within a minute"), run.stdout)
    XCTAssertEqual(lines.filter { $0.hasPrefix("awsenv: ") }.count, 2, run.stdout)
  }

  /// whoami never prints a C1 control or a bidi override that an STS sent: an identity that is
  /// not an ARN is refused where it enters.
  func testWhoamiRefusesIdentitiesWithTerminalControls() throws {
    let server = try sts
    let alice = try sts.world.user("alice")
    for arn in [
      "arn:aws:iam::123456789012:user/a\u{9B}31mX", "arn:aws:iam::123456789012:user/\u{202E}nimda",
    ] {
      let body = """
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\
        <GetCallerIdentityResult><Arn>\(arn)</Arn><UserId>AIDA\u{9B}X</UserId>\
        <Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>
        """
      try postFault(
        ["count": 1, "status": 200, "body": body, "action": "GetCallerIdentity"], to: server.url)
    }
    let run = try Harness.sandbox(
      script: """
        for i in 1 2; do "$AWSENV" whoami 2>&1 || echo "status=$?"; done
        """,
      environment: [
        "AWS_ENDPOINT_URL_STS": server.url, "AWS_MAX_ATTEMPTS": "1",
        "AWS_ACCESS_KEY_ID": alice.accessKeyID, "AWS_SECRET_ACCESS_KEY": alice.secretAccessKey,
        "LC_ALL": "C",
      ])
    XCTAssertEqual(run.stdout.components(separatedBy: "status=1").count, 3, run.stdout)
    XCTAssertFalse(run.stdout.unicodeScalars.contains { $0 == "\u{9B}" || $0 == "\u{202E}" })
    XCTAssertTrue(run.stdout.contains("not an AWS account, ARN and user ID"), run.stdout)
  }

  /// An endpoint that trickles its answer a byte at a time holds `export` (a command on a
  /// terminal would be the same) for at most AWSENV_HTTP_TIMEOUT, not 3 × 30 s.
  func testASlowEndpointIsGivenUpOnWithinTheBudget() throws {
    let slow = try LocalServer(script: "slow_http_server.py", needs: "python3") { dir in
      ["--count", dir + "/count"]
    }
    defer { slow.stop() }
    let files = try writeFiles()
    var results: [String: RunResult] = [:]
    for budget in ["", "6"] {
      var environment = ["AWS_ENDPOINT_URL_STS": slow.url, "AWS_MAX_ATTEMPTS": "3"]
      if !budget.isEmpty { environment["AWSENV_HTTP_TIMEOUT"] = budget }
      results[budget] = try Harness.sandbox(
        script: files + """
          start=$(date +%s%N)
          status=0
          "$AWSENV" export plain >/dev/null 2>err || status=$?
          echo "status=$status ms=$((($(date +%s%N) - start) / 1000000))"
          cat err
          """, environment: environment)
    }
    func milliseconds(_ run: RunResult?) -> Int {
      let line = run?.stdout.split(separator: "\n").first { $0.hasPrefix("status=") } ?? ""
      return Int(line.split(separator: "ms=").last ?? "") ?? .max
    }
    print(
      "slow endpoint: default \(milliseconds(results[""])) ms, AWSENV_HTTP_TIMEOUT=6 "
        + "\(milliseconds(results["6"])) ms")
    XCTAssertTrue(results[""]?.stdout.hasPrefix("status=1") == true, results[""]?.stdout ?? "")
    XCTAssertLessThan(milliseconds(results[""]), 23_000, results[""]?.stdout ?? "")
    XCTAssertLessThan(milliseconds(results["6"]), 8_500, results["6"]?.stdout ?? "")
    XCTAssertEqual(
      results[""]?.stdout.split(separator: "\n").filter { $0.hasPrefix("awsenv: ") }.count, 1)
  }
}
