import Foundation
import Synchronization
import XCTest

@testable import AwsenvCore

/// The query error forms botocore reads, IAM's endpoints, sts_regional_endpoints = legacy, the
/// metadata endpoints' http rule, and the rotation's recovery when the new key never works.
final class IAMAndMetadataTests: XCTestCase {
  func body(_ text: String, status: Int = 403) -> HTTPResponse {
    HTTPResponse(status: status, body: Array(text.utf8))
  }

  func testBothErrorFormsReadAsBotocoreReadsThem() {
    let forms = [
      "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message>"
        + "</Error><RequestId>r</RequestId></ErrorResponse>",
      "<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>no</Message></Error>"
        + "</Errors><RequestId>r</RequestId></ErrorResponse>",
      "<Response><Errors><Error><Code>AccessDenied</Code><Message>no</Message></Error></Errors>"
        + "</Response>",
      "<Error><Code>AccessDenied</Code><Message>no</Message></Error>",
    ]
    for form in forms {
      guard case .failure(let sts) = STSClient.parse(body(form), action: "GetCallerIdentity"),
        case .failure(let iam) = IAMClient.parse(body(form), action: "ListAccessKeys")
      else { return XCTFail("not an error: \(form)") }
      XCTAssertEqual(
        sts, .service(action: "GetCallerIdentity", status: 403, code: "AccessDenied", message: "no")
      )
      XCTAssertEqual(
        iam, .service(action: "ListAccessKeys", status: 403, code: "AccessDenied", message: "no"))
    }
    guard case .failure(.malformed) = STSClient.parse(body("<Foo><Bar/></Foo>"), action: "X")
    else { return XCTFail("a foreign body is not an error document") }
  }

  func testIAMEndpointsPerPartitionAndConfigured() throws {
    let config = AWSConfig()
    func iam(_ region: String, _ env: [String: String] = [:]) throws -> String {
      let (endpoint, signing) = try EndpointResolver.iam(
        region: region, profile: nil, config: config, environment: env)
      return "\(endpoint) \(signing)"
    }
    XCTAssertEqual(try iam("eu-west-1"), "https://iam.amazonaws.com us-east-1")
    XCTAssertEqual(
      try iam("us-east-2", ["AWS_USE_FIPS_ENDPOINT": "true"]),
      "https://iam-fips.amazonaws.com us-east-1")
    XCTAssertEqual(try iam("cn-northwest-1"), "https://iam.cn-north-1.amazonaws.com.cn cn-north-1")
    XCTAssertEqual(try iam("us-gov-east-1"), "https://iam.us-gov.amazonaws.com us-gov-west-1")
    XCTAssertEqual(
      try iam("eu-west-1", ["AWS_ENDPOINT_URL_IAM": "http://127.0.0.1:5000"]),
      "http://127.0.0.1:5000 us-east-1")
  }

  func testLegacyRegionsGoToTheGlobalSTSEndpoint() throws {
    let config = AWSConfig()
    func sts(_ region: String, _ env: [String: String]) throws -> String {
      try EndpointResolver.sts(region: region, profile: nil, config: config, environment: env)
        .host
    }
    let legacy = ["AWS_STS_REGIONAL_ENDPOINTS": "legacy"]
    XCTAssertEqual(try sts("us-west-2", legacy), "sts.amazonaws.com")
    XCTAssertEqual(try sts("eu-west-1", legacy), "sts.amazonaws.com")
    XCTAssertEqual(try sts("ap-east-1", legacy), "sts.ap-east-1.amazonaws.com")
    XCTAssertEqual(try sts("us-west-2", [:]), "sts.us-west-2.amazonaws.com")
    XCTAssertEqual(
      try sts("us-west-2", ["AWS_STS_REGIONAL_ENDPOINTS": "regional"]),
      "sts.us-west-2.amazonaws.com")
    XCTAssertEqual(
      try sts("us-west-2", legacy.merging(["AWS_USE_FIPS_ENDPOINT": "true"]) { $1 }),
      "sts-fips.us-west-2.amazonaws.com")
  }

  func testMetadataEndpointsTakePlainHTTPOnlyToTheirAddresses() throws {
    for good in [
      "http://169.254.169.254", "http://[fd00:ec2::254]:80/", "http://169.254.170.2/v2/x?id=1",
      "http://127.0.0.1:8080/creds", "https://creds.example.com/x",
    ] {
      XCTAssertNoThrow(try MetadataEndpoint.parse(good, setting: "S"), good)
    }
    let parsed = try MetadataEndpoint.parse("http://169.254.170.2:80/v2/x?id=1", setting: "S")
    XCTAssertEqual(parsed.endpoint.host, "169.254.170.2:80")
    XCTAssertEqual(parsed.endpoint.path, "/v2/x")
    XCTAssertEqual(parsed.query, "id=1")
    for bad in ["http://example.com/creds", "http://169.254.169.254.evil.com", "ftp://127.0.0.1"] {
      XCTAssertThrowsError(try MetadataEndpoint.parse(bad, setting: "S"), bad)
    }
  }

  func testIMDSSettingsAsBotocoreReadsThem() throws {
    let t = UnavailableTransport()
    let v6 = try InstanceMetadataProvider.configured(
      profile: "p", section: nil,
      environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"], transport: t)
    XCTAssertEqual(v6.endpoint.host, "[fd00:ec2::254]")
    let tuned = try InstanceMetadataProvider.configured(
      profile: "p", section: nil,
      environment: ["AWS_METADATA_SERVICE_TIMEOUT": "3", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"],
      transport: t)
    XCTAssertEqual(tuned.timeout, 3)
    XCTAssertEqual(tuned.attempts, 2)
    XCTAssertEqual(tuned.endpoint.host, "169.254.169.254")
    XCTAssertThrowsError(
      try InstanceMetadataProvider.configured(
        profile: "p", section: nil, environment: ["AWS_EC2_METADATA_DISABLED": "true"],
        transport: t))
    let ecs = try ContainerCredentialsProvider.configured(
      profile: "p", environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"],
      transport: t, sleep: { _ in })
    XCTAssertEqual("\(ecs.endpoint)\(ecs.path)", "http://169.254.170.2/v2/credentials/abc")
  }

  /// STS and IAM in memory: the old key works, the new one is never accepted by STS.
  final class FakeAWS: HTTPTransport, @unchecked Sendable {
    let actions = Mutex<[String]>([])

    func send(_ request: HTTPRequest, options: HTTPOptions) throws(HTTPError) -> HTTPResponse {
      let form = String(decoding: request.body, as: UTF8.self)
      let action = form.split(separator: "&").first { $0.hasPrefix("Action=") }?.dropFirst(7) ?? ""
      let key = request.header("Authorization")?.contains("Credential=AKIANEWKEY") == true
      actions.withLock { $0.append("\(action)\(key ? "(new)" : "")") }
      func ok(_ inner: String) -> HTTPResponse {
        HTTPResponse(
          status: 200,
          body: Array(
            "<\(action)Response><\(action)Result>\(inner)</\(action)Result></\(action)Response>"
              .utf8))
      }
      switch action {
      case "GetCallerIdentity" where key:
        return HTTPResponse(
          status: 403,
          body: Array(
            "<ErrorResponse><Error><Code>InvalidClientTokenId</Code></Error></ErrorResponse>".utf8))
      case "GetCallerIdentity":
        return ok(
          "<Arn>arn:aws:iam::123456789012:user/dave</Arn><Account>123456789012</Account>"
            + "<UserId>AIDA</UserId>")
      case "ListAccessKeys":
        return ok(
          "<AccessKeyMetadata><member><AccessKeyId>AKIAOLDKEY0000000000</AccessKeyId>"
            + "<Status>Active</Status></member></AccessKeyMetadata>")
      case "CreateAccessKey":
        return ok(
          "<AccessKey><AccessKeyId>AKIANEWKEY0000000000</AccessKeyId>"
            + "<SecretAccessKey>newsecretnewsecretnewsecret0000000000000</SecretAccessKey>"
            + "</AccessKey>")
      default:
        return ok("")
      }
    }
  }

  func testANewKeyThatNeverWorksIsDeletedAgainAndTheOldOneStays() throws {
    let fake = FakeAWS()
    let keyring = Keyring(store: InMemorySecretStore())
    let old = Credentials(
      accessKeyID: "AKIAOLDKEY0000000000",
      secretAccessKey: "oldsecretoldsecretoldsecret0000000000000")
    try keyring.saveAccessKey(old, profile: "dave")
    let retry = RetryPolicy(sleep: { _ in }, random: { 0 })
    let endpoint = ServiceEndpoint(scheme: "https", host: "example.com")
    var rotation = KeyRotation(
      profile: "dave", keyring: keyring,
      sts: STSClient(endpoint: endpoint, signingRegion: "us-east-1", transport: fake, retry: retry),
      iam: IAMClient(endpoint: endpoint, signingRegion: "us-east-1", transport: fake, retry: retry),
      mfaSerial: nil, mfaCode: { _ throws(AwsenvError) in "000000" }, sleep: { _ in })
    rotation.checkAttempts = 4
    XCTAssertThrowsError(try rotation.run()) { error in
      let message = (error as? RotateError)?.message ?? ""
      XCTAssertTrue(
        message.hasPrefix(
          "the new access key AKIANEWKEY0000000000 does not work (STS "
            + "GetCallerIdentity failed: InvalidClientTokenId"), message)
      XCTAssertTrue(
        message.hasSuffix(
          "; it was deleted again; the old key AKIAOLDKEY0000000000 is still in "
            + "the keyring for 'dave' and in use"), message)
    }
    XCTAssertEqual(try keyring.accessKey(profile: "dave"), old)
    XCTAssertEqual(
      fake.actions.withLock { $0 },
      ["GetCallerIdentity", "ListAccessKeys", "CreateAccessKey"]
        + Array(repeating: "GetCallerIdentity(new)", count: 4) + ["DeleteAccessKey"])
  }
}
