import Foundation
import XCTest

@testable import AwsenvCore

/// Waits `delay` seconds per request, then fails it as timed out, recording the timeouts asked.
private final class SlowTransport: HTTPTransport, @unchecked Sendable {
  private let lock = NSLock()
  private var asked: [Double] = []

  var timeouts: [Double] { lock.withLock { asked } }

  func send(_ request: HTTPRequest, options: HTTPOptions) throws(HTTPError) -> HTTPResponse {
    lock.withLock { asked.append(options.totalTimeout) }
    usleep(useconds_t(min(options.totalTimeout, 0.3) * 1_000_000))
    throw .timedOut(host: request.host, seconds: options.totalTimeout)
  }
}

/// The second audit's findings at the unit level: the one sanitiser of server text, the URLs a
/// login may open, credentials that arrive stale, the time budget of one call.
final class HostileHardeningTests: XCTestCase {
  func testPrintableServerTextReplacesEveryTerminalControl() {
    let hostile = "a\u{1B}[2Jb\u{9B}31mc\u{9D}0;x\u{7}d\u{202E}e\u{2066}f\u{200F}g\u{61C}h\u{7F}"
    XCTAssertEqual(printableServerText(hostile), "a?[2Jb?31mc?0;x?d?e?f?g?h?")
    XCTAssertEqual(printableServerText("é✓ 東京 \u{A0}"), "é✓ 東京 \u{A0}")
    XCTAssertEqual(sanitizeServerMessage("x\u{9B}y\u{202D}z"), "x y z")
  }

  func testOnlyHTTPSOrLoopbackURLsAreOpened() {
    for url in [
      "https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH",
      "http://127.0.0.1:8080/device?user_code=X", "http://localhost/device", "http://[::1]:9/x",
    ] {
      XCTAssertTrue(DeviceAuthorization.isSafeToOpen(url), url)
    }
    for url in [
      "file:///etc/passwd", "javascript:alert(1)", "http://example.com/device",
      "https://a.example/\u{1B}]8;;x\u{7}", "https://a.example/\u{9B}", "https:///path",
      "https://user@evil.example/", "http://127.0.0.1.evil.example/", "https://a.example/ x",
      "HTTPS://a.example/\u{202E}", "https://a.example/\"$(id)\"",
    ] {
      XCTAssertFalse(DeviceAuthorization.isSafeToOpen(url), url)
    }
    let hostile = DeviceAuthorization(
      deviceCode: "d", userCode: "ABCD", verificationURI: "file:///x\u{1B}]52;c;AAAA\u{7}",
      verificationURIComplete: "file:///tmp/x", expiresIn: 600, interval: 1)
    XCTAssertNil(hostile.browserURL)
    XCTAssertEqual(hostile.shownURI, "file:///x?]52;c;AAAA?")
    var plain = hostile
    plain.verificationURI = "https://device.sso.eu-west-1.amazonaws.com/"
    XCTAssertEqual(plain.browserURL, "https://device.sso.eu-west-1.amazonaws.com/")
  }

  func testCredentialsThatArriveStaleAreRefused() throws {
    let now = Date(timeIntervalSince1970: 1_900_000_000)
    let body = """
      <AssumeRoleResponse><AssumeRoleResult><Credentials>\
      <AccessKeyId>ASIAHOSTILE000000001</AccessKeyId>\
      <SecretAccessKey>secretFromAHostileServer0000000000000001</SecretAccessKey>\
      <SessionToken>TOKEN</SessionToken><Expiration>EXPIRY</Expiration>\
      </Credentials></AssumeRoleResult></AssumeRoleResponse>
      """
    func assume(_ expiry: String, date: String? = nil) -> Result<SessionCredentials, STSError> {
      let headers = date.map { [HTTPHeader("Date", $0)] } ?? []
      let transport = CannedTransport(
        HTTPResponse(
          status: 200, headers: headers,
          body: Array(body.replacingOccurrences(of: "EXPIRY", with: expiry).utf8)))
      let client = STSClient(
        endpoint: ServiceEndpoint(scheme: "https", host: "sts.amazonaws.com", path: "/"),
        signingRegion: "us-east-1", transport: transport, clock: { now })
      let keys = Credentials(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: String(repeating: "k", count: 40))
      return Result { () throws(STSError) in
        try client.assumeRole(
          keys, AssumeRoleRequest(roleArn: "arn:aws:iam::1:role/r", sessionName: "s"))
      }
    }
    XCTAssertNoThrow(try assume("2030-03-18T00:00:00Z").get())
    guard case .failure(.stale(_, let past)) = assume("2030-03-17T17:40:00Z") else {
      return XCTFail("an expired answer is refused")
    }
    XCTAssertNil(past.skew)
    XCTAssertTrue(past.detail.contains("already expired"), past.detail)
    guard
      case .failure(.stale(_, let skewed)) = assume(
        "2030-03-17T17:40:00Z", date: "Sun, 17 Mar 2030 16:00:00 GMT")
    else { return XCTFail("an expired answer is refused") }
    XCTAssertNotNil(skewed.skew)
    XCTAssertTrue(skewed.detail.contains("clock"), skewed.detail)
    XCTAssertTrue(skewed.detail.contains("ahead of"), skewed.detail)
  }

  func testOneCallStaysWithinItsBudget() {
    let transport = SlowTransport()
    let retry = RetryPolicy(maxAttempts: 10, budget: 1.5, sleep: { _ in }, random: { 0 })
    let start = Date()
    let result = Result { () throws(HTTPError) -> HTTPResponse in
      try retry.send(
        { HTTPRequest(method: "GET", scheme: "https", host: "h") }, over: transport,
        options: HTTPOptions(totalTimeout: 30), parse: { .success($0) }, code: { _ in nil },
        unreachable: { $0 })
    }
    XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    guard case .failure(.timedOut) = result else { return XCTFail("\(result)") }
    XCTAssertLessThanOrEqual(transport.timeouts.first ?? 99, 1.5)
    XCTAssertLessThan(transport.timeouts.count, 10)
    XCTAssertEqual(ProfileResolver.httpBudget(environment: [:], quick: false), 20)
    XCTAssertEqual(ProfileResolver.httpBudget(environment: [:], quick: true), 8)
    XCTAssertEqual(
      ProfileResolver.httpBudget(environment: ["AWSENV_HTTP_TIMEOUT": "2m"], quick: true), 120)
  }

  func testEveryKeyLineLeavesABackup() {
    let text =
      "aws_session_token = top\n[default]\nAWS_Access_Key_ID=AKIA\n  cont\n"
      + "[sso-session s]\naws_secret_access_key = x\nregion = eu-west-1\n"
    XCTAssertEqual(
      ConfigFileEditor.removingEverySecret(from: text),
      "[default]\n[sso-session s]\nregion = eu-west-1\n")
  }
}
