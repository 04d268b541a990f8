import Foundation
import Synchronization
import XCTest

@testable import AwsenvCore

/// An in-memory STS (GetFederationToken, AssumeRole) and federation endpoint, told apart by
/// host; records every request. The real ones (moto and Tests/harness/signin_server.py) are in
/// the integration tests.
final class FakeSignin: HTTPTransport, @unchecked Sendable {
  struct Call {
    var host: String
    var path: String
    var method: String
    var parameters: [String: String]
  }

  private let state = Mutex<(calls: [Call], script: [HTTPResponse])>(([], []))
  var calls: [Call] { state.withLock { $0.calls } }
  func script(_ responses: [HTTPResponse]) { state.withLock { $0.script = responses } }

  static let signinToken = "SIGNINxTOKENxSIGNINxTOKEN+/="

  func send(_ request: HTTPRequest, options: HTTPOptions) throws(HTTPError) -> HTTPResponse {
    var parameters: [String: String] = [:]
    for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1).map {
        String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
      }
      parameters[parts[0]] = parts.count > 1 ? parts[1] : ""
    }
    let scripted: HTTPResponse? = state.withLock { state in
      state.calls.append(
        Call(host: request.host, path: request.path, method: request.method, parameters: parameters)
      )
      return state.script.isEmpty ? nil : state.script.removeFirst()
    }
    if let scripted { return scripted }
    if parameters["Action"] == "getSigninToken" {
      return HTTPResponse(status: 200, body: Array(#"{"SigninToken":"\#(Self.signinToken)"}"#.utf8))
    }
    let action = parameters["Action"] ?? ""
    let body = """
      <\(action)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><\(action)Result>\
      <Credentials><AccessKeyId>ASIAFEDERATED0000001</AccessKeyId>\
      <SecretAccessKey>federatedsecret</SecretAccessKey><SessionToken>federatedtoken</SessionToken>\
      <Expiration>\(rfc3339(Date().addingTimeInterval(3600)))</Expiration></Credentials>\
      <FederatedUser><Arn>arn:aws:sts::123456789012:federated-user/alice</Arn>\
      <FederatedUserId>123456789012:alice</FederatedUserId></FederatedUser>\
      <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/dev/alice</Arn>\
      <AssumedRoleId>AROA:alice</AssumedRoleId></AssumedRoleUser>\
      </\(action)Result></\(action)Response>
      """
    return HTTPResponse(status: 200, body: Array(body.utf8))
  }
}

final class SigninFederationTests: XCTestCase {
  static let session = Credentials(
    accessKeyID: "ASIASESSION000000001", secretAccessKey: "sessionsecret/+=",
    sessionToken: "sessiontoken", expiration: Date().addingTimeInterval(3600))

  func config(_ text: String, credentials: String = "") throws -> AWSConfig {
    try AWSConfig.parse(
      config: text, configPath: "/c", credentials: credentials, credentialsPath: "/k")
  }

  func endpoint(_ region: String?, _ environment: [String: String] = [:], config: String = "")
    throws -> String
  {
    let parsed = try self.config(config.isEmpty ? "[profile p]\n" : config)
    return try SigninFederation.endpoint(
      region: region, profile: parsed.profile("p"), config: parsed, environment: environment
    ).description
  }

  func testTheEndpointFollowsThePartitionAndRegion() throws {
    XCTAssertEqual(try endpoint(nil), "https://signin.aws.amazon.com/federation")
    XCTAssertEqual(try endpoint("us-east-1"), "https://signin.aws.amazon.com/federation")
    XCTAssertEqual(try endpoint("eu-west-1"), "https://eu-west-1.signin.aws.amazon.com/federation")
    XCTAssertEqual(try endpoint("cn-north-1"), "https://signin.amazonaws.cn/federation")
    XCTAssertEqual(try endpoint("us-gov-west-1"), "https://signin.amazonaws-us-gov.com/federation")
    XCTAssertThrowsError(try endpoint("us-iso-east-1")) { error in
      XCTAssertTrue("\(error)".contains("AWS_ENDPOINT_URL_SIGNIN"), "\(error)")
    }
    XCTAssertEqual(ConsoleHosts(region: "cn-north-1")?.console, "console.amazonaws.cn")
    XCTAssertEqual(
      ConsoleHosts(region: "us-gov-east-1")?.console, "console.amazonaws-us-gov.com")
    XCTAssertEqual(ConsoleHosts(region: "eu-west-1")?.console, "eu-west-1.console.aws.amazon.com")
  }

  func testTheEndpointHonoursTheConfiguredURLsAsSTSDoes() throws {
    XCTAssertEqual(
      try endpoint("eu-west-1", ["AWS_ENDPOINT_URL_SIGNIN": "http://127.0.0.1:8080"]),
      "http://127.0.0.1:8080/federation")
    XCTAssertEqual(
      try endpoint(nil, ["AWS_ENDPOINT_URL_SIGNIN": "https://proxy.example/aws/"]),
      "https://proxy.example/aws/federation")
    let services = """
      [profile p]
      services = local
      [services local]
      signin =
        endpoint_url = http://localhost:9000
      sts =
        endpoint_url = http://localhost:9001
      """
    XCTAssertEqual(try endpoint(nil, config: services), "http://localhost:9000/federation")
    // https only, except to a loopback address.
    XCTAssertThrowsError(
      try endpoint(nil, ["AWS_ENDPOINT_URL_SIGNIN": "http://signin.example.com"])
    ) { error in
      XCTAssertTrue("\(error)".contains("not https"), "\(error)")
    }
  }

  func testTheSessionGoesInAPostBodyAndTheTokenComesBack() throws {
    let fake = FakeSignin()
    let federation = SigninFederation(
      endpoint: ServiceEndpoint(
        scheme: "https", host: "signin.aws.amazon.com", path: "/federation"),
      transport: fake)
    let token = try federation.signinToken(for: Self.session, sessionDuration: 7200)
    XCTAssertEqual(token, FakeSignin.signinToken)
    let call = try XCTUnwrap(fake.calls.first)
    XCTAssertEqual(call.method, "POST")
    XCTAssertEqual(call.path, "/federation")
    XCTAssertEqual(call.parameters["Action"], "getSigninToken")
    XCTAssertEqual(call.parameters["SessionDuration"], "7200")
    let session = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(call.parameters["Session"]!.utf8))
        as? [String: String])
    XCTAssertEqual(
      session,
      [
        "sessionId": "ASIASESSION000000001", "sessionKey": "sessionsecret/+=",
        "sessionToken": "sessiontoken",
      ])

    let url = federation.loginURL(
      token: token, issuer: "awsenv",
      destination: "https://console.aws.amazon.com/$(touch /tmp/x)';`id`&a=b c")
    XCTAssertEqual(
      url,
      "https://signin.aws.amazon.com/federation?Action=login&Issuer=awsenv&Destination="
        + "https%3A%2F%2Fconsole.aws.amazon.com%2F%24%28touch%20%2Ftmp%2Fx%29%27%3B%60id%60"
        + "%26a%3Db%20c&SigninToken=SIGNINxTOKENxSIGNINxTOKEN%2B%2F%3D")
  }

  func testLongLivedKeysNeverReachTheEndpoint() {
    let fake = FakeSignin()
    let federation = SigninFederation(
      endpoint: ServiceEndpoint(scheme: "https", host: "signin.aws.amazon.com"), transport: fake)
    let keys = Credentials(accessKeyID: "AKIAKEYS000000000001", secretAccessKey: "longlived")
    XCTAssertThrowsError(try federation.signinToken(for: keys, sessionDuration: nil)) { error in
      XCTAssertEqual(error as? SigninError, .longLivedKeys)
    }
    XCTAssertTrue(fake.calls.isEmpty)
  }

  func testErrorsSayWhichStatusAndWhatToDo() {
    let cases: [(HTTPResponse, SigninError)] = [
      (
        HTTPResponse(status: 400, body: Array("Bad Request".utf8)), .refused(host: "h", status: 400)
      ),
      (HTTPResponse(status: 403), .refused(host: "h", status: 403)),
      (HTTPResponse(status: 503), .serverError(host: "h", status: 503)),
      (HTTPResponse(status: 200, body: Array("<html>".utf8)), .malformed(host: "h", status: 200)),
      (
        HTTPResponse(status: 200, body: Array(#"{"SigninToken":"has space"}"#.utf8)),
        .malformed(host: "h", status: 200)
      ),
      (
        HTTPResponse(status: 200, body: Array(#"{"SigninToken":""}"#.utf8)),
        .malformed(host: "h", status: 200)
      ),
    ]
    for (response, expected) in cases {
      let fake = CannedTransport(response)
      let federation = SigninFederation(
        endpoint: ServiceEndpoint(scheme: "https", host: "h"), transport: fake,
        retry: RetryPolicy(maxAttempts: 3, sleep: { _ in }))
      XCTAssertThrowsError(try federation.signinToken(for: Self.session, sessionDuration: nil)) {
        XCTAssertEqual($0 as? SigninError, expected, "\(response.status)")
      }
      // Only server errors are tried again.
      XCTAssertEqual(fake.requests, response.status >= 500 ? 3 : 1, "\(response.status)")
    }
    XCTAssertTrue(
      SigninError.refused(host: "h", status: 400).message(profile: "p", source: .session)
        .contains("`awsenv console p --refresh`"))
    XCTAssertTrue(
      SigninError.serverError(host: "h", status: 503).message(profile: "p", source: .session)
        .contains("HTTP 503"))
  }

  func testDestinations() throws {
    XCTAssertEqual(
      try ConsoleSignIn.destination(.home, region: nil),
      "https://console.aws.amazon.com/console/home")
    XCTAssertEqual(
      try ConsoleSignIn.destination(.service("s3"), region: "eu-west-1"),
      "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1")
    XCTAssertEqual(
      try ConsoleSignIn.destination(.service("ec2"), region: "cn-north-1"),
      "https://console.amazonaws.cn/ec2/home?region=cn-north-1")
    XCTAssertEqual(
      try ConsoleSignIn.destination(.destination("/iam/home#/users"), region: "us-east-1"),
      "https://console.aws.amazon.com/iam/home#/users")
    XCTAssertEqual(
      try ConsoleSignIn.destination(.destination("https://example.com/x"), region: nil),
      "https://example.com/x")
    for bad: ConsolePage in [
      .service("S3"), .service("s3/../x"), .service(""), .destination("javascript:alert(1)"),
      .destination("http://example.com"), .destination("/a\nb"),
    ] {
      XCTAssertThrowsError(try ConsoleSignIn.destination(bad, region: nil), "\(bad)")
    }
  }

  func testContainerURLsAndNamesAndDurations() throws {
    XCTAssertEqual(
      try ConsoleSignIn.containerURL("https://a/b?c=d&e=f", container: "prod & co"),
      "ext+container:name=prod%20%26%20co&url=https%3A%2F%2Fa%2Fb%3Fc%3Dd%26e%3Df")
    XCTAssertThrowsError(try ConsoleSignIn.containerURL("https://a", container: ""))
    XCTAssertEqual(ConsoleSignIn.federationName("jean.dupont@corp"), "jean.dupont@corp")
    XCTAssertEqual(ConsoleSignIn.federationName("x"), "awsenv")
    XCTAssertEqual(ConsoleSignIn.federationName("émile zola"), "milezola")
    XCTAssertEqual(ConsoleSignIn.federationName(String(repeating: "a", count: 40)).count, 32)
    var notes: [String] = []
    XCTAssertEqual(
      ConsoleSignIn.clamp(72_000, to: ConsoleSignIn.Limits.roleSession, kind: "k", notes: &notes),
      43_200)
    XCTAssertEqual(
      ConsoleSignIn.clamp(60, to: ConsoleSignIn.Limits.roleChain, kind: "k", notes: &notes), 900)
    XCTAssertEqual(
      ConsoleSignIn.clamp(3600, to: ConsoleSignIn.Limits.roleChain, kind: "k", notes: &notes), 3600)
    XCTAssertEqual(
      notes,
      [
        "a console session from k lasts at most 12h; using 12h instead of 20h",
        "a console session from k lasts at least 15m; using 15m instead of 1m",
      ])
  }

  /// A keys profile: a federation token is made with the keys, and only that token reaches the
  /// federation endpoint, without SessionDuration (AWS takes the token's own length).
  func testAKeysProfileSendsAFederationTokenNeverTheKeys() throws {
    let fake = FakeSignin()
    let config = try config(
      "[profile alice]\nregion = eu-west-1\n",
      credentials: "[alice]\naws_access_key_id = AKIAALICE00000000001\n"
        + "aws_secret_access_key = alicesecret\n")
    let resolver = ProfileResolver(
      config: config, keyring: Keyring(store: InMemorySecretStore()), transport: fake,
      userName: "alice")
    let login = try ConsoleSignIn.login(
      ConsoleRequest(profile: "alice", page: .service("s3"), durationSeconds: 200_000),
      resolver: resolver)
    XCTAssertEqual(
      fake.calls.map { $0.parameters["Action"] }, ["GetFederationToken", "getSigninToken"])
    let federation = fake.calls[0].parameters
    XCTAssertEqual(federation["Name"], "alice")
    XCTAssertEqual(federation["DurationSeconds"], "129600")
    XCTAssertEqual(federation["Policy"], STSClient.userRightsPolicy)
    let signin = fake.calls[1]
    XCTAssertEqual(signin.host, "eu-west-1.signin.aws.amazon.com")
    XCTAssertNil(signin.parameters["SessionDuration"])
    XCTAssertTrue(signin.parameters["Session"]!.contains("ASIAFEDERATED0000001"))
    XCTAssertFalse(signin.parameters["Session"]!.contains("AKIAALICE"))
    XCTAssertFalse(signin.parameters["Session"]!.contains("alicesecret"))
    XCTAssertEqual(login.source, .federationToken)
    XCTAssertEqual(login.notes.count, 1)
    XCTAssertTrue(login.url.hasPrefix("https://eu-west-1.signin.aws.amazon.com/federation?"))
    XCTAssertTrue(
      login.url.contains(
        "Destination=https%3A%2F%2Feu-west-1.console.aws.amazon.com%2Fs3%2Fhome%3Fregion%3Deu-west-1"
      ))
  }

  /// A role over another role is a chain: the console session is at most an hour.
  func testARoleChainIsClampedToAnHour() throws {
    let fake = FakeSignin()
    let config = try config(
      """
      [profile alice]
      [profile dev]
      role_arn = arn:aws:iam::123456789012:role/dev
      source_profile = alice
      [profile admin]
      role_arn = arn:aws:iam::123456789012:role/admin
      source_profile = dev
      """,
      credentials: "[alice]\naws_access_key_id = AKIAALICE00000000001\n"
        + "aws_secret_access_key = alicesecret\n")
    let resolver = ProfileResolver(
      config: config, keyring: Keyring(store: InMemorySecretStore()), transport: fake,
      userName: "alice")
    let chain = try ConsoleSignIn.login(
      ConsoleRequest(profile: "admin", durationSeconds: 43_200), resolver: resolver)
    XCTAssertEqual(chain.durationSeconds, 3600)
    XCTAssertEqual(fake.calls.last?.parameters["SessionDuration"], "3600")
    XCTAssertEqual(chain.source, .session)
    let single = try ConsoleSignIn.login(
      ConsoleRequest(profile: "dev", durationSeconds: 43_200), resolver: resolver)
    XCTAssertEqual(single.durationSeconds, 43_200)
    XCTAssertTrue(single.notes.isEmpty)
    // Without --duration, AWS's default: no SessionDuration at all.
    _ = try ConsoleSignIn.login(ConsoleRequest(profile: "dev"), resolver: resolver)
    XCTAssertNil(fake.calls.last?.parameters["SessionDuration"])
  }
}
