import Foundation
import XCTest

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The local IAM Identity Center of the integration tests: Tests/harness/sso_server.py (python3
/// from PATH, standard library only) on a free loopback port. One port serves both APIs in
/// botocore's wire format: sso-oidc (RegisterClient, StartDeviceAuthorization, CreateToken with
/// the device code and refresh token grants) and the portal (GetRoleCredentials, ListAccounts,
/// ListAccountRoles, Logout), plus `/device`, the verification page a user would open: visiting
/// it with a user code approves that code (or denies it, with the behaviour "deny").
///
/// The device flow follows RFC 8628: polls sooner than the interval get SlowDownException and
/// make the interval 5 s longer. `setBehaviour` adds pending or slow-down rounds, denial, short
/// lifetimes; `expireTokens` and `expireClients` age what was issued. Works inside
/// Tests/harness/sandbox.sh and outside it: it passes no AWS_* variable to Python.
final class SSOServer: @unchecked Sendable {
  struct Account: Codable {
    var accountId: String
    var accountName: String
    var emailAddress: String
    var roles: [String]
  }

  /// The only start URL StartDeviceAuthorization accepts, the most items a List page holds
  /// (max_result can only lower it), and the accounts and roles the user is assigned.
  struct World: Codable {
    var startUrl: String
    var pageSize: Int
    var accounts: [Account]
  }

  /// One request to the two APIs or to /device, in order. `operation` is the API's name,
  /// "DeviceVisit" for /device, "Unknown" for any other path; `error` the exception name
  /// (x-amzn-ErrorType), nil on success. No tokens or secrets are ever logged.
  struct Call: Decodable {
    var operation: String
    var error: String?
    var grantType: String?
    var accountId: String?
    var roleName: String?
    var time: Double
    var status: Int?
    /// The user code a StartDeviceAuthorization handed out, a CreateToken polled (device code
    /// grant) or a DeviceVisit carried.
    var userCode: String?
    var maxResult: Int?
    var nextToken: String?
  }

  /// A device code as the server sees it (GET /_awsenv/device-authorizations), for tests that
  /// did not see the user code: status is pending, approved, denied, issued or expired.
  struct DeviceAuthorization: Decodable {
    var userCode: String
    var status: String
    var interval: Int
    var polls: Int
    var expiresAt: Double
  }

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  static let harness = "\(Harness.root)/Tests/harness"

  /// Three accounts with two roles each, start URL https://example.awsapps.com/start, pages of 2
  /// (as sso_server.py's DEFAULT_WORLD).
  static let defaultWorld = World(
    startUrl: "https://example.awsapps.com/start",
    pageSize: 2,
    accounts: [
      Account(
        accountId: "111111111111", accountName: "Production", emailAddress: "prod@example.com",
        roles: ["AdministratorAccess", "ReadOnly"]),
      Account(
        accountId: "222222222222", accountName: "Staging", emailAddress: "staging@example.com",
        roles: ["AdministratorAccess", "Developer"]),
      Account(
        accountId: "333333333333", accountName: "Sandbox", emailAddress: "sandbox@example.com",
        roles: ["Developer", "ReadOnly"]),
    ])

  /// "http://127.0.0.1:PORT": the endpoint of both APIs (sso_region's endpoints in a test).
  let url: String
  let port: Int
  /// A private temporary directory: the world file, the server's stdout and stderr (server.log).
  let directory: String
  /// Seconds from launching Python to READY.
  let startSeconds: Double

  private let process: Process
  private let lock = NSLock()
  private var stopped = false
  private var currentStartURL: String

  /// The start URL of the current world.
  var startURL: String {
    lock.lock()
    defer { lock.unlock() }
    return currentStartURL
  }

  /// Where GetRoleCredentials gets real credentials: an STS (STSServer's `url`) and the key of
  /// a user there that may assume the world's roles.
  struct STSBackend {
    var url: String
    var accessKeyID: String
    var secretAccessKey: String
  }

  /// Starts the server with `world` (default: `defaultWorld`), which `reset()` returns to.
  /// GetRoleCredentials answers random ASIA… keys, unless `sts` is given: then it assumes
  /// arn:aws:iam::ACCOUNT:role/ROLE there (session name "awsenv-sso-user"), so the credentials
  /// work at that STS, and answers ForbiddenException when STS refuses.
  init(world: World? = nil, sts: STSBackend? = nil) throws {
    let world = world ?? Self.defaultWorld
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "awsenv-sso-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    directory = dir.path
    let worldFile = dir.appendingPathComponent("world.json")
    try JSONEncoder().encode(world).write(to: worldFile)
    let out = dir.appendingPathComponent("server.out")
    let log = dir.appendingPathComponent("server.log")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: log.path, contents: nil)

    process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", "\(Self.harness)/sso_server.py", "--port", "0", "--exit-with-parent",
      "--world", worldFile.path,
    ]
    if let sts {
      process.arguments! += [
        "--sts-url", sts.url, "--sts-key-id", sts.accessKeyID, "--sts-secret", sts.secretAccessKey,
      ]
    }
    process.environment = Self.environment
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: log)
    let launched = Date()
    try process.run()

    // READY <port> on the first line of stdout, within 20 s.
    var ready: Int?
    while ready == nil && Date().timeIntervalSince(launched) < 20 && process.isRunning {
      let text = String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self)
      if let line = text.split(separator: "\n").first, line.hasPrefix("READY ") {
        ready = Int(line.dropFirst(6))
      } else {
        Thread.sleep(forTimeInterval: 0.02)
      }
    }
    guard let ready else {
      let exited = !process.isRunning
      if !exited { process.terminate() }
      process.waitUntilExit()
      let stderr = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
      try? FileManager.default.removeItem(at: dir)
      throw Failure(
        description: (exited
          ? "sso_server.py exited (status \(process.terminationStatus)) before READY"
          : "sso_server.py printed no READY line within 20 s") + "\n\(stderr)")
    }
    port = ready
    url = "http://127.0.0.1:\(ready)"
    startSeconds = Date().timeIntervalSince(launched)
    currentStartURL = world.startUrl
  }

  deinit { stop() }

  /// Every variable but AWS_*, and no bytecode written into the source tree.
  private static let pythonVariables = ["PYTHONDONTWRITEBYTECODE": "1"]
  private static var environment: [String: String] {
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS") }
    env.merge(pythonVariables) { $1 }
    return env
  }

  /// Replaces the world (start URL, page size, assignments). Clients and tokens stay valid.
  func setWorld(_ world: World) throws {
    _ = try request("POST", "/_awsenv/world", body: JSONEncoder().encode(world))
    lock.lock()
    currentStartURL = world.startUrl
    lock.unlock()
  }

  /// Updates the given behaviour settings, keeping the others: pendingRounds (0),
  /// slowDownRounds (0), interval (1), deviceExpiresIn (600), tokenExpiresIn (28800),
  /// issueRefreshToken (true), refreshNeedsScope (false), clientSecretExpiresIn (7776000),
  /// roleCredentialsExpiresIn (3600), deny (false), autoApprove (false), errorTypeSuffix ("",
  /// appended to x-amzn-ErrorType). Throws for an unknown setting or a wrong type. See
  /// sso_server.py.
  func setBehaviour(_ settings: [String: Any]) throws {
    _ = try request(
      "POST", "/_awsenv/behaviour", body: JSONSerialization.data(withJSONObject: settings))
  }

  /// The calls so far, oldest first.
  func calls() throws -> [Call] {
    try JSONDecoder().decode([Call].self, from: request("GET", "/_awsenv/calls"))
  }

  func resetCalls() throws {
    _ = try request("POST", "/_awsenv/calls/reset")
  }

  /// Every access token issued so far is expired: the portal answers UnauthorizedException.
  /// Refresh tokens still work.
  func expireTokens() throws {
    _ = try request("POST", "/_awsenv/expire-tokens")
  }

  /// Every client registered so far is expired: InvalidClientException until it registers again.
  func expireClients() throws {
    _ = try request("POST", "/_awsenv/expire-clients")
  }

  /// Does what a visit to the verification page does for `userCode` (approves it, or denies it
  /// with the behaviour "deny"). Throws for an unknown, expired or used code.
  func approve(userCode: String) throws {
    _ = try request(
      "POST", "/_awsenv/approve",
      body: JSONSerialization.data(withJSONObject: ["userCode": userCode]))
  }

  /// GETs `url` (verificationUriComplete, say) like a browser; throws unless it answers 200
  /// (an unknown or expired code answers 404).
  func visit(_ url: String) throws {
    _ = try fetch(method: "GET", url: url, body: nil)
  }

  /// {"clients", "clientsValid", "deviceAuthorizations", "tokensIssued", "tokensValid",
  /// "loggedOut", "refreshTokensValid"}.
  func state() throws -> [String: Int] {
    try JSONDecoder().decode([String: Int].self, from: request("GET", "/_awsenv/state"))
  }

  /// Every device code handed out, oldest first.
  func deviceAuthorizations() throws -> [DeviceAuthorization] {
    try JSONDecoder().decode(
      [DeviceAuthorization].self, from: request("GET", "/_awsenv/device-authorizations"))
  }

  /// Back to the start: the world given to init, default behaviour, no clients, device codes,
  /// tokens or calls.
  func reset() throws {
    _ = try request("POST", "/_awsenv/reset")
    let world = try JSONDecoder().decode(World.self, from: request("GET", "/_awsenv/world"))
    lock.lock()
    currentStartURL = world.startUrl
    lock.unlock()
  }

  /// SIGTERM, then waits for the server; removes `directory`. Also done by deinit.
  func stop() {
    lock.lock()
    defer { lock.unlock() }
    guard !stopped else { return }
    stopped = true
    if process.isRunning {
      process.terminate()
      let deadline = Date().addingTimeInterval(5)
      while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
    process.waitUntilExit()
    try? FileManager.default.removeItem(atPath: directory)
  }

  private func request(_ method: String, _ path: String, body: Data? = nil) throws -> Data {
    try fetch(method: method, url: url + path, body: body)
  }

  private func fetch(method: String, url: String, body: Data?) throws -> Data {
    guard let target = URL(string: url) else { throw Failure(description: "bad URL \(url)") }
    var request = URLRequest(url: target, timeoutInterval: 10)
    request.httpMethod = method
    request.httpBody = body
    if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
    let reply = SSOReply()
    let done = DispatchSemaphore(value: 0)
    URLSession.shared.dataTask(with: request) { data, response, error in
      reply.set(data, (response as? HTTPURLResponse)?.statusCode, error)
      done.signal()
    }.resume()
    done.wait()
    let (data, status, error) = reply.get()
    if let error { throw Failure(description: "\(method) \(url): \(error)") }
    guard status == 200 else {
      let text = String(decoding: data ?? Data(), as: UTF8.self)
      throw Failure(description: "\(method) \(url): HTTP \(status ?? 0) \(text)")
    }
    return data ?? Data()
  }
}

/// A URLSession completion's results, handed from its queue to the waiting test.
private final class SSOReply: @unchecked Sendable {
  private let lock = NSLock()
  private var value: (Data?, Int?, Error?) = (nil, nil, nil)

  func set(_ data: Data?, _ status: Int?, _ error: Error?) {
    lock.lock()
    value = (data, status, error)
    lock.unlock()
  }

  func get() -> (Data?, Int?, Error?) {
    lock.lock()
    defer { lock.unlock() }
    return value
  }
}
