import Foundation
import Synchronization
import XCTest

@testable import AwsenvCore

/// An in-memory IAM Identity Center for unit tests: answers each path from a queue of scripted
/// responses (then a default), records every request. The wire-faithful fake server is
/// Tests/harness/sso_server.py, used by the integration tests.
final class FakeSSO: HTTPTransport, @unchecked Sendable {
  struct Call {
    var method: String
    var path: String
    var query: String
    var bodyText: String
    var bearer: String?

    /// The JSON body as an object.
    var body: [String: Any] {
      (try? JSONSerialization.jsonObject(with: Data(bodyText.utf8))) as? [String: Any] ?? [:]
    }
  }

  private let state = Mutex<(calls: [Call], scripts: [String: [HTTPResponse]])>(([], [:]))

  var calls: [Call] { state.withLock { $0.calls } }
  func paths() -> [String] { calls.map(\.path) }

  /// Responses for `path`, in order, before its default.
  func script(_ path: String, _ responses: [HTTPResponse]) {
    state.withLock { $0.scripts[path, default: []] += responses }
  }

  func send(_ request: HTTPRequest, options: HTTPOptions) throws(HTTPError) -> HTTPResponse {
    let body = String(decoding: request.body, as: UTF8.self)
    let scripted: HTTPResponse? = state.withLock { state in
      state.calls.append(
        Call(
          method: request.method, path: request.path, query: request.query, bodyText: body,
          bearer: request.header("x-amz-sso_bearer_token")))
      guard var queue = state.scripts[request.path], !queue.isEmpty else { return nil }
      let first = queue.removeFirst()
      state.scripts[request.path] = queue
      return first
    }
    if let scripted { return scripted }
    switch request.path {
    case "/client/register":
      return json(
        #"{"clientId":"cid","clientSecret":"csecret","clientIdIssuedAt":1,"#
          + #""clientSecretExpiresAt":\#(Int(Date().timeIntervalSince1970) + 86_400 * 90)}"#)
    case "/device_authorization":
      return json(
        #"{"deviceCode":"dev","userCode":"ABCD-EFGH","verificationUri":"https://device.example","#
          + #""verificationUriComplete":"https://device.example?user_code=ABCD-EFGH","#
          + #""expiresIn":600,"interval":1}"#)
    case "/token":
      return json(
        #"{"accessToken":"at-1","tokenType":"Bearer","expiresIn":28800,"refreshToken":"rt-1"}"#)
    case "/federation/credentials":
      return json(
        #"{"roleCredentials":{"accessKeyId":"ASIAFAKESSO000000001","secretAccessKey":"s","#
          + #""sessionToken":"t","expiration":\#(Int(Date().timeIntervalSince1970 + 3600) * 1000)}}"#
      )
    default:
      return HTTPResponse(status: 200)
    }
  }
}

func json(_ text: String, status: Int = 200) -> HTTPResponse {
  HTTPResponse(
    status: status, headers: [HTTPHeader("Content-Type", "application/json")],
    body: Array(text.utf8))
}

/// An error as IAM Identity Center sends it: the exception in x-amzn-ErrorType, the OAuth
/// `error` (OIDC) or `message` (portal) in the body.
func ssoError(_ status: Int, _ type: String, oauth: String? = nil, message: String = "m")
  -> HTTPResponse
{
  let body =
    oauth.map { #"{"error":"\#($0)","error_description":"\#(message)"}"# }
    ?? #"{"message":"\#(message)"}"#
  var response = json(body, status: status)
  response.headers.append(HTTPHeader("x-amzn-ErrorType", type + ":http://internal.amazon.com/"))
  return response
}

/// A clock that moves only when the code under test sleeps.
final class TestClock: @unchecked Sendable {
  private let state: Mutex<(now: Date, slept: [Double])>

  init(_ start: Date = Date()) { state = Mutex((start, [])) }

  var now: Date { state.withLock { $0.now } }
  var slept: [Double] { state.withLock { $0.slept } }
  func advance(_ seconds: Double) { state.withLock { $0.now += seconds } }

  func sleep(_ seconds: Double) {
    state.withLock {
      $0.now += seconds
      $0.slept.append(seconds)
    }
  }
}

final class SSOClientTests: XCTestCase {
  let session = SSOSession(
    name: "corp", startURL: "https://corp.awsapps.com/start", region: "eu-west-1",
    scopes: ["sso:account:access"])

  func signIn(_ fake: FakeSSO, _ keyring: Keyring, _ clock: TestClock) -> SSOSignIn {
    let client = SSOClient(
      oidcEndpoint: ServiceEndpoint(scheme: "https", host: "oidc.eu-west-1.amazonaws.com"),
      portalEndpoint: ServiceEndpoint(scheme: "https", host: "portal.sso.eu-west-1.amazonaws.com"),
      transport: fake, retry: RetryPolicy(sleep: { _ in }))
    return SSOSignIn(
      session: session, client: client, keyring: keyring, clock: { clock.now },
      sleep: { clock.sleep($0) })
  }

  func testDeviceLoginPollsAtTheIntervalAndSlowsDownThenStoresTheToken() throws {
    let fake = FakeSSO()
    fake.script(
      "/token",
      [
        ssoError(400, "SlowDownException", oauth: "slow_down"),
        ssoError(400, "AuthorizationPendingException", oauth: "authorization_pending"),
        ssoError(400, "AuthorizationPendingException", oauth: "authorization_pending"),
      ])
    let keyring = Keyring(store: InMemorySecretStore())
    let clock = TestClock()
    let start = clock.now
    let events = Mutex<[SSOSignInEvent]>([])
    let token = try signIn(fake, keyring, clock).deviceLogin { event in
      events.withLock { $0.append(event) }
    }
    XCTAssertEqual(token.accessToken, "at-1")
    XCTAssertEqual(token.refreshToken, "rt-1")
    XCTAssertEqual(try keyring.ssoToken(session), token)
    XCTAssertEqual(
      fake.paths(),
      ["/client/register", "/device_authorization", "/token", "/token", "/token", "/token"])
    // 1 s before the first poll, then 1 + 5 s after slow_down (RFC 8628 §3.5) for the rest.
    XCTAssertEqual(clock.now.timeIntervalSince(start), 1 + 6 + 6 + 6, accuracy: 0.01)
    XCTAssertTrue(clock.slept.allSatisfy { $0 <= 0.25 }, "waits in short steps for the spinner")
    let register = fake.calls[0].body
    XCTAssertEqual(register["clientType"] as? String, "public")
    XCTAssertEqual(register["scopes"] as? [String], ["sso:account:access"])
    XCTAssertEqual(fake.calls[1].body["startUrl"] as? String, session.startURL)
    XCTAssertEqual(
      fake.calls[2].body["grantType"] as? String, "urn:ietf:params:oauth:grant-type:device_code")
    XCTAssertEqual(fake.calls[2].body["deviceCode"] as? String, "dev")
    let seen = events.withLock { $0 }
    guard case .confirm(let authorization) = seen.first else {
      return XCTFail("the code is shown first: \(seen)")
    }
    XCTAssertEqual(authorization.userCode, "ABCD-EFGH")
    XCTAssertTrue(seen.contains(.slowDown(interval: 6)))
    XCTAssertEqual(seen.last, .done)

    // The registration is reused from the keyring by the next login.
    _ = try signIn(fake, keyring, clock).deviceLogin { _ in }
    XCTAssertEqual(fake.paths().filter { $0 == "/client/register" }.count, 1)
  }

  func testDeviceLoginStopsOnDenialExpiryAndDeadlineStoringNothing() throws {
    for (response, expected) in [
      (ssoError(400, "AccessDeniedException", oauth: "access_denied"), "refused in the browser"),
      (ssoError(400, "ExpiredTokenException", oauth: "expired_token"), "not confirmed in time"),
    ] {
      let fake = FakeSSO()
      fake.script("/token", [response])
      let keyring = Keyring(store: InMemorySecretStore())
      XCTAssertThrowsError(try signIn(fake, keyring, TestClock()).deviceLogin { _ in }) { error in
        let message = (error as? AwsenvError)?.message ?? ""
        XCTAssertTrue(message.contains(expected), message)
        XCTAssertTrue(message.contains("awsenv login --sso-session corp"), message)
      }
      XCTAssertNil(try keyring.ssoToken(session))
    }
    // A code nobody confirms: polling stops when it expires (600 s).
    let fake = FakeSSO()
    fake.script(
      "/token",
      Array(
        repeating: ssoError(400, "AuthorizationPendingException", oauth: "authorization_pending"),
        count: 1000))
    let clock = TestClock()
    XCTAssertThrowsError(
      try signIn(fake, Keyring(store: InMemorySecretStore()), clock).deviceLogin { _ in })
    XCTAssertLessThanOrEqual(fake.paths().filter { $0 == "/token" }.count, 600)
  }

  func testAnEndingTokenIsRenewedWithTheRefreshTokenOnlyWhileItCanBe() throws {
    let fake = FakeSSO()
    let keyring = Keyring(store: InMemorySecretStore())
    let clock = TestClock()
    let signIn = signIn(fake, keyring, clock)
    _ = try signIn.deviceLogin { _ in }
    XCTAssertEqual(try signIn.validToken()?.accessToken, "at-1")
    XCTAssertEqual(fake.paths().filter { $0 == "/token" }.count, 1, "a valid token makes no call")

    clock.advance(28_800 - 60)
    fake.script("/token", [json(#"{"accessToken":"at-2","expiresIn":3600}"#)])
    let renewed = try XCTUnwrap(try signIn.validToken())
    XCTAssertEqual(renewed.accessToken, "at-2")
    XCTAssertEqual(renewed.refreshToken, "rt-1", "kept when the refresh sends no new one")
    XCTAssertEqual(try keyring.ssoToken(session), renewed)
    let refresh = try XCTUnwrap(fake.calls.last?.body)
    XCTAssertEqual(refresh["grantType"] as? String, "refresh_token")
    XCTAssertEqual(refresh["refreshToken"] as? String, "rt-1")

    clock.advance(7200)
    fake.script("/token", [ssoError(400, "InvalidGrantException", oauth: "invalid_grant")])
    XCTAssertNil(try signIn.validToken(), "a refused refresh means a new login")
    fake.script("/token", Array(repeating: ssoError(500, "InternalServerException"), count: 3))
    XCTAssertThrowsError(try signIn.validToken(), "other failures are errors, not a new login")
  }

  func testErrorCodesAreReadAsBotocoreReadsThem() {
    func code(_ response: HTTPResponse) -> String? {
      guard case .failure(let error) = SSOClient.parse(response, operation: .createToken) else {
        return nil
      }
      return error.code
    }
    XCTAssertEqual(
      code(ssoError(400, "AuthorizationPendingException")), "AuthorizationPendingException")
    XCTAssertEqual(
      code(json(#"{"__type":"com.amazon#SlowDownException"}"#, status: 400)), "SlowDownException")
    XCTAssertEqual(code(json(#"{"error":"expired_token"}"#, status: 400)), "ExpiredTokenException")
    XCTAssertNil(code(json("<html>", status: 502)))
    guard
      case .failure(let error) = SSOClient.parse(
        HTTPResponse(status: 200, body: Array("[1]".utf8)), operation: .listAccounts)
    else {
      return XCTFail("a body that is not an object is an error")
    }
    XCTAssertTrue(
      error.message(SSOError.Context(login: "awsenv login")).contains("AWS_ENDPOINT_URL_SSO"))
  }

  func testPortalCallsCarryTheBearerTokenAndPaginate() throws {
    let fake = FakeSSO()
    fake.script(
      "/assignment/accounts",
      [
        json(
          #"{"accountList":[{"accountId":"111111111111","accountName":"Prod"}],"nextToken":"p2"}"#),
        json(#"{"accountList":[{"accountId":"222222222222","accountName":"Dev"}]}"#),
      ])
    fake.script(
      "/assignment/roles",
      [json(#"{"roleList":[{"roleName":"Admin","accountId":"111111111111"}]}"#)])
    fake.script(
      "/assignment/roles", [json(#"{"roleList":[{"roleName":"Read","accountId":"222222222222"}]}"#)]
    )
    let client = signIn(fake, Keyring(store: InMemorySecretStore()), TestClock()).client
    let assignments = try SSOSync.assignments(client: client, accessToken: "tok")
    XCTAssertEqual(assignments.map(\.roleName), ["Admin", "Read"])
    XCTAssertEqual(assignments.map(\.accountName), ["Prod", "Dev"])
    XCTAssertTrue(fake.calls.allSatisfy { $0.bearer == "tok" && $0.method == "GET" })
    XCTAssertFalse(fake.calls[0].query.contains("next_token"))
    XCTAssertTrue(fake.calls[1].query.contains("next_token=p2"))
    XCTAssertTrue(fake.calls[2].query.contains("account_id=111111111111"))

    let credentials = try client.roleCredentials(
      accessToken: "tok", accountID: "111111111111", roleName: "Admin")
    XCTAssertEqual(credentials.accessKeyID, "ASIAFAKESSO000000001")
    XCTAssertEqual(
      try XCTUnwrap(credentials.expiration).timeIntervalSinceNow, 3600, accuracy: 5,
      "expiration is in epoch milliseconds")
    XCTAssertEqual(fake.calls.last?.query, "account_id=111111111111&role_name=Admin")
  }

  func testUseOfAnSSOProfileGetsRoleCredentialsCachesThemAndAsksForALoginOnlyWhenItMust()
    throws
  {
    let config = try AWSConfig.parse(
      config: """
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-west-1
        [profile prod]
        sso_session = corp
        sso_account_id = 111111111111
        sso_role_name = Admin
        """, configPath: "config", credentials: "", credentialsPath: "credentials")
    let fake = FakeSSO()
    let keyring = Keyring(store: InMemorySecretStore())
    let clock = TestClock()
    let asked = Mutex<[String]>([])
    func resolver(agree: Bool) -> ProfileResolver {
      ProfileResolver(
        config: config, keyring: keyring, transport: fake, clock: { clock.now },
        retrySleep: { clock.sleep($0) },
        ssoInteraction: SSOInteraction(
          confirm: { question in
            asked.withLock { $0.append(question) }
            return agree
          }, progress: { _ in }))
    }
    // No sign-in: the prompt's refresh (non-interactive) and a refused offer both say what to
    // run, with exit status 3, and call nothing.
    for (agree, interactive) in [(true, false), (false, true)] {
      XCTAssertThrowsError(
        try resolver(agree: agree).resolve(
          profile: "prod", options: ResolveOptions(interactive: interactive))
      ) { error in
        let failure = error as? AwsenvError
        XCTAssertEqual(failure?.exitStatus, 3)
        XCTAssertTrue(
          failure?.message.contains("run `awsenv login --sso-session corp`") ?? false,
          failure?.message ?? "")
      }
    }
    XCTAssertEqual(asked.withLock { $0.count }, 1, "asked only when interactive")
    XCTAssertTrue(fake.paths().isEmpty)

    // Accepted on the terminal: the device login, then GetRoleCredentials.
    let first = try resolver(agree: true).resolve(profile: "prod")
    XCTAssertEqual(first.identity, "Admin@111111111111")
    XCTAssertFalse(first.fromCache)
    XCTAssertEqual(fake.paths().last, "/federation/credentials")
    XCTAssertEqual(fake.calls.last?.bearer, "at-1")
    let calls = fake.calls.count
    let second = try resolver(agree: false).resolve(profile: "prod")
    XCTAssertTrue(second.fromCache)
    XCTAssertEqual(second.identity, "Admin@111111111111")
    XCTAssertEqual(fake.calls.count, calls, "the cached role costs no call")

    // A token the portal no longer accepts counts as ended.
    fake.script("/federation/credentials", [ssoError(401, "UnauthorizedException")])
    XCTAssertThrowsError(
      try resolver(agree: false).resolve(
        profile: "prod", options: ResolveOptions(refresh: true, interactive: false))
    ) { error in
      XCTAssertEqual((error as? AwsenvError)?.exitStatus, 3)
    }

    // Logout's keyring side: the token and the role session made with it go.
    XCTAssertEqual(try keyring.removeSSOToken(key: "corp"), 2)
    XCTAssertNil(try keyring.ssoToken(SSOSession(name: "corp", startURL: "", region: "")))
  }

  func testSessionsEndpointsAndTheAWSCLICacheNames() throws {
    let config = try AWSConfig.parse(
      config: """
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-central-1
        sso_registration_scopes = sso:account:access, codewhisperer:completions
        [services local]
        sso =
          endpoint_url = http://127.0.0.1:9000
        [profile b-user]
        sso_session = corp
        sso_account_id = 111111111111
        sso_role_name = Admin
        services = local
        [profile legacy]
        sso_start_url = https://old.awsapps.com/start
        sso_region = cn-north-1
        sso_account_id = 222222222222
        sso_role_name = Read
        """, configPath: "config", credentials: "", credentialsPath: "credentials")
    let corp = try config.ssoSession(named: "corp")
    XCTAssertEqual(corp.scopes, ["sso:account:access", "codewhisperer:completions"])
    XCTAssertEqual(corp.profile, "b-user", "the endpoint settings of a profile that uses it")
    XCTAssertEqual(corp.loginCommand, "awsenv login --sso-session corp")
    let legacy = try config.ssoSession(profile: "legacy")
    XCTAssertEqual(legacy.key, "https://old.awsapps.com/start")
    XCTAssertEqual(legacy.scopes, [], "the legacy form registers without scopes, as the CLI does")
    XCTAssertEqual(legacy.loginCommand, "awsenv login legacy")
    XCTAssertThrowsError(try config.ssoSession(named: "nope"))

    let endpoints = try SSOClient.endpoints(
      region: "eu-central-1", profile: config.profile("b-user"), config: config,
      environment: ["AWS_ENDPOINT_URL_SSO_OIDC": "https://oidc.example.test"])
    XCTAssertEqual(endpoints.portal.description, "http://127.0.0.1:9000")
    XCTAssertEqual(endpoints.oidc.description, "https://oidc.example.test")
    let china = try SSOClient.endpoints(
      region: "cn-north-1", profile: nil, config: config, environment: [:])
    XCTAssertEqual(china.oidc.host, "oidc.cn-north-1.amazonaws.com.cn")
    XCTAssertEqual(china.portal.host, "portal.sso.cn-north-1.amazonaws.com.cn")
    XCTAssertThrowsError(
      try SSOClient.endpoints(
        region: "us-east-1", profile: nil, config: config,
        environment: ["AWS_ENDPOINT_URL_SSO": "http://portal.example.test"]),
      "tokens go over https only, except to loopback")

    // The AWS CLI's cache file names: SHA-1 of the session name, or of the legacy start URL.
    XCTAssertEqual(
      SSOCacheImport.cacheFileName(corp), "ee0bfd2552fbd840c02cc48b6e823320543c450f.json")
    XCTAssertEqual(
      SSOCacheImport.parseCacheDate("2020-06-17T10:02:08UTC"),
      Date(timeIntervalSince1970: 1_592_388_128))
    XCTAssertEqual(
      SSOCacheImport.parseCacheDate("2020-06-17T10:02:08Z"),
      Date(timeIntervalSince1970: 1_592_388_128))
  }
}
