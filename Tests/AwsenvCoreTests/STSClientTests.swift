import Foundation
import Synchronization
import XCTest

@testable import AwsenvCore

/// An in-memory STS for unit tests: answers by Action, records every request. The real STS
/// (moto) is exercised by the integration tests.
final class FakeSTS: HTTPTransport, @unchecked Sendable {
  struct Call {
    var action: String
    var parameters: [String: String]
    var authorization: String?
  }

  private let state = Mutex<(calls: [Call], script: [HTTPResponse], failures: [HTTPError])>(
    ([], [], []))
  let expiry: Date

  init(expiry: Date = Date().addingTimeInterval(3600)) {
    self.expiry = expiry
  }

  var calls: [Call] { state.withLock { $0.calls } }
  func actions() -> [String] { calls.map(\.action) }

  /// Responses to give, in order, before the normal ones.
  func script(_ responses: [HTTPResponse]) { state.withLock { $0.script = responses } }
  func fail(_ errors: [HTTPError]) { state.withLock { $0.failures = errors } }

  func send(_ request: HTTPRequest, options: HTTPOptions) throws(HTTPError) -> HTTPResponse {
    var parameters: [String: String] = [:]
    for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1).map {
        String($0).removingPercentEncoding ?? String($0)
      }
      parameters[parts[0]] = parts.count > 1 ? parts[1] : ""
    }
    let action = parameters["Action"] ?? ""
    let next: Result<HTTPResponse, HTTPError>? = state.withLock { state in
      state.calls.append(
        Call(action: action, parameters: parameters, authorization: request.header("Authorization"))
      )
      if !state.failures.isEmpty { return .failure(state.failures.removeFirst()) }
      if !state.script.isEmpty { return .success(state.script.removeFirst()) }
      return nil
    }
    switch next {
    case .failure(let error): throw error
    case .success(let response): return response
    case nil: break
    }
    let n = calls.count
    let credentials = """
      <Credentials><AccessKeyId>ASIATEST\(String(format: "%08d", n))</AccessKeyId>\
      <SecretAccessKey>secret\(n)</SecretAccessKey><SessionToken>token\(n)</SessionToken>\
      <Expiration>\(rfc3339(expiry))</Expiration></Credentials>
      """
    let body: String
    switch action {
    case "GetCallerIdentity":
      body = """
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\
        <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn>\
        <UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult>\
        </GetCallerIdentityResponse>
        """
    case "GetSessionToken":
      body =
        "<GetSessionTokenResponse><GetSessionTokenResult>\(credentials)</GetSessionTokenResult></GetSessionTokenResponse>"
    default:
      let role = parameters["RoleArn"]?.split(separator: "/").last ?? "role"
      let session = parameters["RoleSessionName"] ?? "s"
      body = """
        <\(action)Response><\(action)Result>\(credentials)<AssumedRoleUser>\
        <Arn>arn:aws:sts::123456789012:assumed-role/\(role)/\(session)</Arn>\
        <AssumedRoleId>AROA:\(session)</AssumedRoleId></AssumedRoleUser></\(action)Result>\
        </\(action)Response>
        """
    }
    return HTTPResponse(status: 200, body: Array(body.utf8))
  }
}

func stsError(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
  HTTPResponse(
    status: status,
    body: Array(
      """
      <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>\
      <Code>\(code)</Code><Message>\(message)</Message></Error><RequestId>r</RequestId>\
      </ErrorResponse>
      """.utf8))
}

final class STSClientTests: XCTestCase {
  let keys = Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI")

  func client(_ fake: FakeSTS) -> STSClient {
    STSClient(
      endpoint: ServiceEndpoint(scheme: "https", host: "sts.eu-west-1.amazonaws.com"),
      signingRegion: "eu-west-1", transport: fake,
      retry: RetryPolicy(sleep: { _ in }, random: { 0.5 }))
  }

  func testAssumeRoleSendsTheParametersSignedAndReadsTheRole() throws {
    let fake = FakeSTS()
    let result = try client(fake).assumeRole(
      keys,
      AssumeRoleRequest(
        roleArn: "arn:aws:iam::123456789012:role/Admin", sessionName: "alice",
        externalID: "x y&z", durationSeconds: 900, mfaSerial: "arn:aws:iam::1:mfa/a",
        tokenCode: "123456", sourceIdentity: "alice"))
    let call = try XCTUnwrap(fake.calls.first)
    XCTAssertEqual(call.parameters["ExternalId"], "x y&z")
    XCTAssertEqual(call.parameters["DurationSeconds"], "900")
    XCTAssertEqual(call.parameters["TokenCode"], "123456")
    XCTAssertEqual(call.parameters["SourceIdentity"], "alice")
    XCTAssertEqual(call.parameters["Version"], "2011-06-15")
    XCTAssertTrue(
      call.authorization?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/")
        ?? false)
    XCTAssertTrue(call.authorization?.contains("/eu-west-1/sts/aws4_request") ?? false)
    XCTAssertEqual(result.assumedRoleArn, "arn:aws:sts::123456789012:assumed-role/Admin/alice")
    XCTAssertEqual(result.credentials.sessionToken, "token1")
    XCTAssertEqual(result.identity, "Admin@123456789012")
  }

  func testUnsignedCallsCarryNoAuthorization() throws {
    let fake = FakeSTS()
    _ = try client(fake).assumeRoleWithWebIdentity(
      roleArn: "arn:aws:iam::1:role/r", sessionName: "s", token: "jwt")
    _ = try client(fake).assumeRoleWithSAML(
      roleArn: "arn:aws:iam::1:role/r", principalArn: "arn:aws:iam::1:saml-provider/p",
      assertion: "PHNhbWw+")
    XCTAssertEqual(fake.calls.map(\.authorization), [nil, nil])
    XCTAssertEqual(fake.calls[1].parameters["SAMLAssertion"], "PHNhbWw+")
  }

  func testErrorsBecomeOneLineWithAHint() {
    let cases: [(HTTPResponse, STSError.Context, String)] = [
      (
        stsError(403, "AccessDenied", "User: arn:aws:iam::1:user/bob is not authorized"),
        STSError.Context(profile: "prod", roleArn: "arn:aws:iam::1:role/Admin"),
        "trust policy of arn:aws:iam::1:role/Admin"
      ),
      (
        stsError(403, "SignatureDoesNotMatch", "The request signature we calculated…"),
        STSError.Context(profile: "prod"), "`awsenv add prod`"
      ),
      (
        stsError(403, "InvalidClientTokenId", "The security token included is invalid."),
        STSError.Context(profile: "prod"), "does not know this access key id"
      ),
      (
        stsError(
          403, "AccessDenied",
          "MultiFactorAuthentication failed with invalid MFA one time pass code."),
        STSError.Context(profile: "prod", mfaSerial: "arn:aws:iam::1:mfa/alice"),
        "MFA code was not accepted"
      ),
      (
        stsError(
          400, "ValidationError", "1 validation error detected: Value '99999' at 'durationSeconds'"),
        STSError.Context(profile: "prod", durationSeconds: 99999), "duration_seconds = 99999"
      ),
      (
        stsError(403, "RegionDisabledException", "STS is not activated in this region"),
        STSError.Context(region: "ap-east-1"), "activated in ap-east-1"
      ),
      (
        stsError(400, "ExpiredToken", "The security token included in the request is expired"),
        STSError.Context(profile: "prod"), "`awsenv use prod --refresh`"
      ),
    ]
    for (response, context, expected) in cases {
      guard case .failure(let error) = STSClient.parse(response, action: "AssumeRole") else {
        return XCTFail("an error response parsed as success")
      }
      let message = error.message(context)
      XCTAssertTrue(message.contains(expected), message)
      XCTAssertFalse(message.contains("\n"))
    }
  }

  func testRetriesThrottlingAnd5xxButNotAuthErrors() throws {
    let fake = FakeSTS()
    fake.script([
      stsError(500, "InternalFailure", ""), stsError(400, "Throttling", "Rate exceeded"),
    ])
    _ = try client(fake).getCallerIdentity(keys)
    XCTAssertEqual(fake.calls.count, 3)

    let denied = FakeSTS()
    denied.script([stsError(403, "AccessDenied", "no")])
    XCTAssertThrowsError(try client(denied).getCallerIdentity(keys))
    XCTAssertEqual(denied.calls.count, 1)

    let down = FakeSTS()
    down.script(Array(repeating: stsError(503, "ServiceUnavailable", ""), count: 5))
    XCTAssertThrowsError(try client(down).getCallerIdentity(keys)) { error in
      XCTAssertEqual((error as? STSError)?.code, "ServiceUnavailable")
    }
    XCTAssertEqual(down.calls.count, 3, "standard mode: 3 attempts in all")

    let flaky = FakeSTS()
    flaky.fail([.connect(host: "h", detail: "refused")])
    _ = try client(flaky).getCallerIdentity(keys)
    XCTAssertEqual(flaky.calls.count, 2)

    let tls = FakeSTS()
    tls.fail([.tls(host: "h", detail: "bad certificate")])
    XCTAssertThrowsError(try client(tls).getCallerIdentity(keys))
    XCTAssertEqual(tls.calls.count, 1, "a TLS failure is not retried")
  }

  func testBackoffIsJitteredExponentialAndCapped() {
    let policy = RetryPolicy(random: { 0.999 })
    XCTAssertEqual(policy.delay(beforeRetry: 1), 0.999, accuracy: 0.001)
    XCTAssertEqual(policy.delay(beforeRetry: 2), 1.998, accuracy: 0.001)
    XCTAssertEqual(policy.delay(beforeRetry: 9), 20)
  }

  func testHostileOrForeignBodiesAreErrorsNotCrashes() {
    let bodies = [
      "<html><body>Proxy error</body></html>",
      String(repeating: "<a>", count: 5000) + String(repeating: "</a>", count: 5000),
      "<!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><x>&b;</x>",
      "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>bad id</AccessKeyId>"
        + "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
      "", "\u{0}\u{1}", "<unclosed",
    ]
    for body in bodies {
      for status in [200, 403, 500] {
        let response = HTTPResponse(status: status, body: Array(body.utf8))
        switch STSClient.parse(response, action: "AssumeRole") {
        case .success(let document):
          XCTAssertThrowsError(try STSClient.credentials(in: document, action: "AssumeRole"))
        case .failure: break
        }
      }
    }
  }

  func testRFC3339TimestampsParseAsFoundationDoes() {
    let reference = ISO8601DateFormatter()
    for text in [
      "2026-11-24T06:10:52Z", "2024-02-29T23:59:59Z", "1999-12-31T00:00:00+01:00",
      "2026-06-01T12:30:00-07:30", "2026-11-24t06:10:52z",
    ] {
      XCTAssertEqual(parseRFC3339(text), reference.date(from: text.uppercased()), text)
    }
    XCTAssertEqual(
      parseRFC3339("2026-11-24T06:10:52.250Z")?.timeIntervalSince1970,
      (reference.date(from: "2026-11-24T06:10:52Z")?.timeIntervalSince1970 ?? 0) + 0.25)
    for bad in [
      "", "2026-11-24", "2026-11-24T06:10:52", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
      "2026-11-24T24:00:00Z", "2026-11-24T06:10:52.Z", "2026-11-24T06:10:52Zjunk",
      "２026-11-24T06:10:52Z", "2026-11-24T06:10:52+0100",
    ] {
      XCTAssertNil(parseRFC3339(bad), bad)
    }
  }

  func testFormEncodingUsesRFC3986Unreserved() {
    XCTAssertEqual(formEncode("a b+c/d=e&f~g_h.i-j"), "a%20b%2Bc%2Fd%3De%26f~g_h.i-j")
    XCTAssertEqual(formEncode("é"), "%C3%A9")
  }
}

final class EndpointTests: XCTestCase {
  func config(_ text: String) throws -> AWSConfig {
    try AWSConfig.parse(config: text, configPath: "c", credentials: "", credentialsPath: "k")
  }

  func endpoint(_ env: [String: String], _ text: String = "[profile p]\n") throws -> String {
    let config = try config(text)
    return try EndpointResolver.sts(
      region: "eu-west-1", profile: config.profile("p"), config: config, environment: env
    ).description
  }

  func testPrecedenceIsTheSDKs() throws {
    let file = """
      [profile p]
      endpoint_url = https://profile.example
      services = local
      [services local]
      sts =
        endpoint_url = https://services.example:8443
      """
    XCTAssertEqual(try endpoint([:]), "https://sts.eu-west-1.amazonaws.com")
    XCTAssertEqual(
      try endpoint([:], "[profile p]\nendpoint_url = https://profile.example\n"),
      "https://profile.example")
    XCTAssertEqual(try endpoint([:], file), "https://services.example:8443")
    XCTAssertEqual(
      try endpoint(["AWS_ENDPOINT_URL": "https://global.example"], file),
      "https://global.example")
    XCTAssertEqual(
      try endpoint(
        [
          "AWS_ENDPOINT_URL": "https://global.example",
          "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:5000",
        ],
        file),
      "http://127.0.0.1:5000")
    XCTAssertEqual(
      try endpoint(
        ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_ENDPOINT_URL": "https://x"],
        file),
      "https://sts.eu-west-1.amazonaws.com")
  }

  func testRegionalHostsPerPartitionAndVariant() {
    XCTAssertEqual(
      EndpointResolver.regionalHost("sts", region: "cn-north-1"),
      "sts.cn-north-1.amazonaws.com.cn")
    XCTAssertEqual(
      EndpointResolver.regionalHost("sts", region: "us-east-1", fips: true),
      "sts-fips.us-east-1.amazonaws.com")
    XCTAssertEqual(
      EndpointResolver.regionalHost("sts", region: "eu-west-1", dualStack: true),
      "sts.eu-west-1.api.aws")
    XCTAssertFalse(EndpointResolver.isValidRegion("eu-west-1.evil.com/"))
  }

  /// The DNS suffixes of partitions.json: every partition, and a region no partition names.
  func testPartitionDNSSuffixes() {
    let cases: [(region: String, partition: String, host: String, dualStack: String)] = [
      ("us-east-1", "aws", "sts.us-east-1.amazonaws.com", "sts.us-east-1.api.aws"),
      ("xx-nowhere-1", "aws", "sts.xx-nowhere-1.amazonaws.com", "sts.xx-nowhere-1.api.aws"),
      (
        "cn-northwest-1", "aws-cn", "sts.cn-northwest-1.amazonaws.com.cn",
        "sts.cn-northwest-1.api.amazonwebservices.com.cn"
      ),
      (
        "us-gov-west-1", "aws-us-gov", "sts.us-gov-west-1.amazonaws.com",
        "sts.us-gov-west-1.api.aws"
      ),
      ("us-iso-east-1", "aws-iso", "sts.us-iso-east-1.c2s.ic.gov", "sts.us-iso-east-1.c2s.ic.gov"),
      (
        "us-isob-east-1", "aws-iso-b", "sts.us-isob-east-1.sc2s.sgov.gov",
        "sts.us-isob-east-1.sc2s.sgov.gov"
      ),
      (
        "eu-isoe-west-1", "aws-iso-e", "sts.eu-isoe-west-1.cloud.adc-e.uk",
        "sts.eu-isoe-west-1.cloud.adc-e.uk"
      ),
      (
        "us-isof-south-1", "aws-iso-f", "sts.us-isof-south-1.csp.hci.ic.gov",
        "sts.us-isof-south-1.csp.hci.ic.gov"
      ),
      (
        "eusc-de-east-1", "aws-eusc", "sts.eusc-de-east-1.amazonaws.eu",
        "sts.eusc-de-east-1.amazonaws.eu"
      ),
    ]
    for entry in cases {
      XCTAssertEqual(Partition.of(region: entry.region).id, entry.partition, entry.region)
      XCTAssertEqual(EndpointResolver.regionalHost("sts", region: entry.region), entry.host)
      XCTAssertEqual(
        EndpointResolver.regionalHost("sts", region: entry.region, dualStack: true),
        entry.dualStack)
    }
  }

  func testPlainHTTPOnlyToLoopback() {
    for url in [
      "http://127.0.0.1:5000", "http://localhost:1", "http://[::1]:8080/", "http://[::1]",
      "http://127.0.0.1", "http://127.255.0.9:65535",
    ] {
      XCTAssertNoThrow(try ServiceEndpoint.parse(url, setting: "x"), url)
    }
    for url in [
      "http://sts.amazonaws.com", "http://127.0.0.1.evil.com", "ftp://x", "sts.x",
      "https://user@host", "https://", "http://[::1]evil.test", "http://[::1", "http://[::2]",
      "http://127.0.0.1:80x", "http://127.0.0.1:", "http://localhost.evil.test",
      "http://127.0.0.1@evil.test", "http://evil.test#@127.0.0.1", "http://127.1",
      "http://0x7f.0.0.1", "http://[::ffff:127.0.0.1]", "http://127.0.0.1:99999999",
    ] {
      XCTAssertThrowsError(try ServiceEndpoint.parse(url, setting: "x"), url)
    }
  }
}
