import Foundation
import XCTest

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The local IAM Identity Center is faithful enough to test awsenv against: boto3's own sso-oidc
/// and sso clients get from it what they would get from the service (sso_boto3_check.py), and
/// its test hooks and the RFC 8628 interval rules work as SSOServer documents them.
final class SSOServerTests: LocalServerTestCase {
  static let shared = SharedServer("the local IAM Identity Center") {
    let server = try SSOServer()
    print(String(format: "SSOServer: READY after %.2f s", server.startSeconds))
    return server
  }

  /// Set by setUpWithError, which fails the test when the server did not start.
  private var started: SSOServer?
  var server: SSOServer { started! }

  override func setUpWithError() throws {
    started = try Self.shared.get()
    try server.reset()
  }

  func testBoto3ClientsAgreeWithTheServer() throws {
    let run = try Harness.run(
      ["/usr/bin/env", "python3", "\(SSOServer.harness)/sso_boto3_check.py", server.url],
      environment: ["PYTHONDONTWRITEBYTECODE": "1"])
    XCTAssertSuccess(run)
    let last = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
    let summary = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], run.stdout)
    XCTAssertEqual(summary["ok"] as? Bool, true)
    let operations = try XCTUnwrap(summary["operations"] as? [String: [String]])
    XCTAssertEqual(
      Set(operations["CreateToken"] ?? []),
      [
        "ok", "AccessDeniedException", "AuthorizationPendingException", "ExpiredTokenException",
        "InvalidClientException", "InvalidGrantException", "InvalidRequestException",
        "SlowDownException", "UnsupportedGrantTypeException",
      ])
    XCTAssertEqual(
      Set(operations["GetRoleCredentials"] ?? []),
      ["ok", "ForbiddenException", "InvalidRequestException", "UnauthorizedException"])
    for operation in [
      "RegisterClient", "StartDeviceAuthorization", "ListAccounts", "ListAccountRoles", "Logout",
    ] {
      XCTAssertTrue(operations[operation]?.contains("ok") ?? false, operation)
    }
    print(
      "sso_boto3_check.py: \(summary["checks"] ?? "?") checks in \(summary["seconds"] ?? "?") s")
    // The check leaves the server reset.
    XCTAssertEqual(try server.state()["clients"], 0)
  }

  func testDeviceFlowThroughTheControlAPI() throws {
    let client = try register()
    let start = try startAuthorization(client)
    let userCode = try XCTUnwrap(start.body["userCode"] as? String)
    XCTAssertEqual(start.body["verificationUri"] as? String, "\(server.url)/device")
    XCTAssertEqual(try server.deviceAuthorizations().map(\.status), ["pending"])

    XCTAssertEqual(try poll(client, start).errorType, "AuthorizationPendingException")
    try server.approve(userCode: userCode)
    XCTAssertEqual(try server.deviceAuthorizations().first?.status, "approved")
    Thread.sleep(forTimeInterval: 1.05)  // the interval since the previous poll
    let token = try poll(client, start)
    XCTAssertEqual(token.status, 200, "\(token.body)")
    let accessToken = try XCTUnwrap(token.body["accessToken"] as? String)
    XCTAssertNotNil(token.body["refreshToken"] as? String)
    XCTAssertThrowsError(try server.approve(userCode: userCode), "a used code is gone")

    let accounts = try api("GET", "/assignment/accounts?max_result=5", bearer: accessToken)
    XCTAssertEqual(accounts.status, 200)
    let list = try XCTUnwrap(accounts.body["accountList"] as? [[String: Any]])
    XCTAssertEqual(list.count, 2, "pages hold pageSize (2) accounts even when asked for 5")
    XCTAssertNotNil(accounts.body["nextToken"] as? String)
    let credentials = try api(
      "GET", "/federation/credentials?account_id=222222222222&role_name=Developer",
      bearer: accessToken)
    XCTAssertEqual(credentials.status, 200)
    let denied = try api(
      "GET", "/federation/credentials?account_id=333333333333&role_name=AdministratorAccess",
      bearer: accessToken)
    XCTAssertEqual(denied.status, 403)
    XCTAssertEqual(denied.errorType, "ForbiddenException")
    XCTAssertEqual(denied.body["message"] as? String, "No access")

    let calls = try server.calls()
    XCTAssertEqual(
      calls.map(\.operation),
      [
        "RegisterClient", "StartDeviceAuthorization", "CreateToken", "CreateToken", "ListAccounts",
        "GetRoleCredentials", "GetRoleCredentials",
      ])
    XCTAssertEqual(
      calls.map { $0.error ?? "-" },
      ["-", "-", "AuthorizationPendingException", "-", "-", "-", "ForbiddenException"])
    XCTAssertEqual(calls[2].grantType, "urn:ietf:params:oauth:grant-type:device_code")
    XCTAssertEqual(calls[2].userCode, userCode)
    XCTAssertEqual(calls[4].maxResult, 5)
    XCTAssertEqual(calls[5].accountId, "222222222222")
    XCTAssertEqual(calls[5].roleName, "Developer")
    XCTAssertEqual(calls.map(\.time), calls.map(\.time).sorted())

    XCTAssertEqual(try server.state()["tokensValid"], 1)
    try server.expireTokens()
    XCTAssertEqual(try server.state()["tokensValid"], 0)
    let expired = try api("GET", "/assignment/accounts", bearer: accessToken)
    XCTAssertEqual(expired.status, 401)
    XCTAssertEqual(expired.errorType, "UnauthorizedException")
    XCTAssertEqual(expired.body["message"] as? String, "Session token not found or invalid")

    try server.expireClients()
    let refresh = try api(
      "POST", "/token",
      json: [
        "clientId": client.id, "clientSecret": client.secret, "grantType": "refresh_token",
        "refreshToken": try XCTUnwrap(token.body["refreshToken"] as? String),
      ])
    XCTAssertEqual(refresh.status, 401)
    XCTAssertEqual(refresh.errorType, "InvalidClientException")
    XCTAssertEqual(refresh.body["error"] as? String, "invalid_client")
    try server.resetCalls()
    XCTAssertEqual(try server.calls().count, 0)
  }

  /// RFC 8628 section 3.5: a poll sooner than the interval is slow_down and adds 5 s to it; a
  /// poll that waits the interval is not.
  func testPollingIntervalIsEnforced() throws {
    let client = try register()
    let start = try startAuthorization(client)
    XCTAssertEqual(start.body["interval"] as? Int, 1)
    XCTAssertEqual(try poll(client, start).errorType, "AuthorizationPendingException")
    Thread.sleep(forTimeInterval: 1.05)
    XCTAssertEqual(try poll(client, start).errorType, "AuthorizationPendingException")
    let tooSoon = try poll(client, start)
    XCTAssertEqual(tooSoon.errorType, "SlowDownException")
    XCTAssertEqual(tooSoon.status, 400)
    XCTAssertEqual(tooSoon.body["error"] as? String, "slow_down")
    XCTAssertEqual(try server.deviceAuthorizations().first?.interval, 6)

    // Approved now, but 1.1 s is still too soon for an interval of 6 s: 11 s from here on.
    try server.visit(try XCTUnwrap(start.body["verificationUriComplete"] as? String))
    Thread.sleep(forTimeInterval: 1.1)
    XCTAssertEqual(try poll(client, start).errorType, "SlowDownException")
    let device = try XCTUnwrap(try server.deviceAuthorizations().first)
    XCTAssertEqual(device.interval, 11)
    XCTAssertEqual(device.polls, 4)
    XCTAssertEqual(device.status, "approved")

    // slowDownRounds and pendingRounds, with autoApprove: no visit needed.
    try server.setBehaviour(["slowDownRounds": 1, "autoApprove": true])
    let slow = try startAuthorization(client)
    XCTAssertEqual(try poll(client, slow).errorType, "SlowDownException")
    try server.setBehaviour(["slowDownRounds": 0, "pendingRounds": 1])
    let pending = try startAuthorization(client)
    XCTAssertEqual(try poll(client, pending).errorType, "AuthorizationPendingException")
    Thread.sleep(forTimeInterval: 1.05)
    XCTAssertEqual(try poll(client, pending).status, 200)
    XCTAssertEqual(
      try server.calls().filter { $0.operation == "CreateToken" }.map { $0.error ?? "-" },
      [
        "AuthorizationPendingException", "AuthorizationPendingException", "SlowDownException",
        "SlowDownException", "SlowDownException", "AuthorizationPendingException", "-",
      ])
  }

  func testWorldAndBehaviourAreValidated() throws {
    XCTAssertEqual(server.startURL, SSOServer.defaultWorld.startUrl)
    var world = SSOServer.defaultWorld
    world.startUrl = "https://other.awsapps.com/start"
    world.pageSize = 10
    world.accounts.removeLast()
    try server.setWorld(world)
    XCTAssertEqual(server.startURL, "https://other.awsapps.com/start")

    let client = try register()
    let old = try api(
      "POST", "/device_authorization",
      json: [
        "clientId": client.id, "clientSecret": client.secret,
        "startUrl": SSOServer.defaultWorld.startUrl,
      ])
    XCTAssertEqual(old.errorType, "InvalidRequestException")
    XCTAssertEqual(old.body["error"] as? String, "invalid_request")
    let start = try startAuthorization(client)
    XCTAssertEqual(start.status, 200)

    XCTAssertThrowsError(try server.setBehaviour(["noSuchSetting": 1]))
    XCTAssertThrowsError(try server.setBehaviour(["deny": "yes"]))
    world.pageSize = 0
    XCTAssertThrowsError(try server.setWorld(world))
    XCTAssertThrowsError(try server.visit("\(server.url)/device?user_code=BBBB-CCCC"))
    try server.reset()
    XCTAssertEqual(server.startURL, SSOServer.defaultWorld.startUrl)
    XCTAssertEqual(try server.state()["clients"], 0)
  }

  /// With an STS behind it, GetRoleCredentials hands out credentials that work there: the
  /// local moto STS of STSServer, where alice may assume dev but not admin.
  func testRoleCredentialsFromSTS() throws {
    let sts = try STSServer()
    defer { sts.stop() }
    let alice = try sts.world.user("alice")
    let world = SSOServer.World(
      startUrl: "https://sts.awsapps.com/start", pageSize: 2,
      accounts: [
        SSOServer.Account(
          accountId: sts.world.account, accountName: "moto", emailAddress: "moto@example.com",
          roles: ["dev", "admin"])
      ])
    let sso = try SSOServer(
      world: world,
      sts: SSOServer.STSBackend(
        url: sts.url, accessKeyID: alice.accessKeyID, secretAccessKey: alice.secretAccessKey))
    defer { sso.stop() }
    try sso.setBehaviour(["autoApprove": true])

    let client = try register(at: sso)
    let start = try startAuthorization(client, at: sso)
    let token = try poll(client, start, at: sso)
    let accessToken = try XCTUnwrap(token.body["accessToken"] as? String, "\(token.body)")
    let path = "/federation/credentials?account_id=\(sts.world.account)&role_name="
    let dev = try api("GET", path + "dev", bearer: accessToken, at: sso)
    XCTAssertEqual(dev.status, 200, "\(dev.body)")
    let credentials = try XCTUnwrap(dev.body["roleCredentials"] as? [String: Any])
    let admin = try api("GET", path + "admin", bearer: accessToken, at: sso)
    XCTAssertEqual(admin.errorType, "ForbiddenException", "dev is not alice's to chain from")

    let check = """
      import json, sys, boto3
      c = json.load(sys.stdin)
      sts = boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1",
                         aws_access_key_id=c["accessKeyId"],
                         aws_secret_access_key=c["secretAccessKey"],
                         aws_session_token=c["sessionToken"])
      print(sts.get_caller_identity()["Arn"])
      """
    let run = try Harness.run(
      ["/usr/bin/env", "python3", "-c", check, sts.url],
      stdin: String(
        decoding: try JSONSerialization.data(withJSONObject: credentials), as: UTF8.self),
      environment: ["PYTHONDONTWRITEBYTECODE": "1"])
    XCTAssertSuccess(run)
    XCTAssertEqual(
      run.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
      "arn:aws:sts::\(sts.world.account):assumed-role/dev/awsenv-sso-user")
    let expiration = try XCTUnwrap(credentials["expiration"] as? Double)
    XCTAssertEqual(expiration / 1000, Date().timeIntervalSince1970 + 3600, accuracy: 10)
  }

  // MARK: - Plain HTTP to the two APIs

  struct Client {
    var id: String
    var secret: String
  }

  struct Answer {
    var status: Int
    var errorType: String?
    var body: [String: Any]
  }

  func register(at target: SSOServer? = nil) throws -> Client {
    let answer = try api(
      "POST", "/client/register", json: ["clientName": "awsenv-test", "clientType": "public"],
      at: target)
    XCTAssertEqual(answer.status, 200, "\(answer.body)")
    return Client(
      id: try XCTUnwrap(answer.body["clientId"] as? String),
      secret: try XCTUnwrap(answer.body["clientSecret"] as? String))
  }

  func startAuthorization(_ client: Client, at target: SSOServer? = nil) throws -> Answer {
    let target = target ?? server
    return try api(
      "POST", "/device_authorization",
      json: ["clientId": client.id, "clientSecret": client.secret, "startUrl": target.startURL],
      at: target)
  }

  func poll(_ client: Client, _ start: Answer, at target: SSOServer? = nil) throws -> Answer {
    try api(
      "POST", "/token",
      json: [
        "clientId": client.id, "clientSecret": client.secret,
        "grantType": "urn:ietf:params:oauth:grant-type:device_code",
        "deviceCode": try XCTUnwrap(start.body["deviceCode"] as? String),
      ], at: target)
  }

  /// One request to `target` (default: the shared server); the JSON object it answers (empty
  /// for an empty body) and x-amzn-ErrorType.
  func api(
    _ method: String, _ path: String, json: [String: Any]? = nil, bearer: String? = nil,
    at target: SSOServer? = nil
  ) throws -> Answer {
    let base = (target ?? server).url
    var request = URLRequest(url: try XCTUnwrap(URL(string: base + path)))
    request.timeoutInterval = 10
    request.httpMethod = method
    if let json {
      request.httpBody = try JSONSerialization.data(withJSONObject: json)
      request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    if let bearer { request.setValue(bearer, forHTTPHeaderField: "x-amz-sso_bearer_token") }
    let box = ResponseBox()
    let done = DispatchSemaphore(value: 0)
    URLSession.shared.dataTask(with: request) { data, response, error in
      box.set(data, response as? HTTPURLResponse, error)
      done.signal()
    }.resume()
    done.wait()
    let (data, response, error) = box.get()
    if let error { throw error }
    let http = try XCTUnwrap(response)
    var body: [String: Any] = [:]
    if let data, !data.isEmpty {
      body = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
    return Answer(
      status: http.statusCode, errorType: http.value(forHTTPHeaderField: "x-amzn-ErrorType"),
      body: body)
  }
}

/// A URLSession completion's results, handed from its queue to the waiting test.
private final class ResponseBox: @unchecked Sendable {
  private let lock = NSLock()
  private var value: (Data?, HTTPURLResponse?, Error?) = (nil, nil, nil)

  func set(_ data: Data?, _ response: HTTPURLResponse?, _ error: Error?) {
    lock.lock()
    value = (data, response, error)
    lock.unlock()
  }

  func get() -> (Data?, HTTPURLResponse?, Error?) {
    lock.lock()
    defer { lock.unlock() }
    return value
  }
}
