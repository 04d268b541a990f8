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

  typealias Failure = LocalServer.Failure

  static let harness = LocalServer.harness

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
  var url: String { server.url }
  var port: Int { server.port }
  /// A private temporary directory: the world file, the server's stdout and stderr (server.log).
  var directory: String { server.directory }
  /// Seconds from launching Python to READY.
  var startSeconds: Double { server.startSeconds }

  private let server: LocalServer
  private let lock = NSLock()
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
    server = try LocalServer(
      script: "sso_server.py", needs: "python3 from PATH; boto3 with --sts-url",
      arguments: { directory in
        let worldFile = directory + "/world.json"
        try JSONEncoder().encode(world).write(to: URL(fileURLWithPath: worldFile))
        var arguments = ["--world", worldFile]
        if let sts {
          arguments += [
            "--sts-url", sts.url, "--sts-key-id", sts.accessKeyID, "--sts-secret",
            sts.secretAccessKey,
          ]
        }
        return arguments
      })
    currentStartURL = world.startUrl
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
  /// appended to x-amzn-ErrorType), and the misbehaviours verificationUri,
  /// verificationUriComplete and userCode ("": as usual; else StartDeviceAuthorization answers
  /// that text, control characters and all, with {base} and {code} filled in). Throws for an
  /// unknown setting or a wrong type. See sso_server.py.
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
    _ = try server.fetch(method: "GET", url: url, body: nil)
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

  /// SIGTERM, then waits for the server; removes `directory`. Also done when it is released.
  func stop() { server.stop() }

  private func request(_ method: String, _ path: String, body: Data? = nil) throws -> Data {
    try server.request(method, path, body: body)
  }
}
