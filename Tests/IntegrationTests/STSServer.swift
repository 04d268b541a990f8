import Foundation
import XCTest

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The local STS of the integration tests: moto's server (Tests/harness/sts_server.py, python3
/// from PATH) on a free loopback port, with the IAM world of Tests/harness/sts_setup.py in it
/// (users with keys, roles with trust policies, an MFA device, SAML and OIDC providers), SigV4
/// checking on by default. Works inside Tests/harness/sandbox.sh and outside it: it reads no
/// ~/.aws and passes no AWS_* variable to Python.
///
/// Unless `pureMoto`, the server patches moto where it is not faithful to STS (trust policies,
/// ExternalId and MFA conditions, TOTP codes, GetSessionToken sessions that work and carry MFA,
/// unsigned SAML and web identity calls, STS-shaped error bodies): see sts_server.py.
final class STSServer: @unchecked Sendable {
  struct User: Decodable {
    var arn: String
    var accessKeyID: String
    var secretAccessKey: String
    /// The virtual MFA device's serial (an ARN) and base32 seed, for users created with one.
    var mfaSerial: String?
    var mfaSeed: String?

    enum CodingKeys: String, CodingKey {
      case arn
      case accessKeyID = "access_key_id"
      case secretAccessKey = "secret_access_key"
      case mfaSerial = "mfa_serial"
      case mfaSeed = "mfa_seed"
    }
  }

  struct Role: Decodable {
    var arn: String
  }

  /// Files written into `directory` for the default SAML role and for web identity.
  struct Files: Decodable {
    var samlAssertionXML: String?
    var samlAssertionBase64: String?
    var webIdentityToken: String

    enum CodingKeys: String, CodingKey {
      case samlAssertionXML = "saml_assertion_xml"
      case samlAssertionBase64 = "saml_assertion_b64"
      case webIdentityToken = "web_identity_token"
    }
  }

  /// What sts_setup.py created, keyed by name (OIDC providers by host).
  struct World: Decodable {
    var account: String
    var region: String
    var users: [String: User]
    var roles: [String: Role]
    var samlProviders: [String: String]
    var oidcProviders: [String: String]
    var files: Files
    var pureMoto: Bool

    enum CodingKeys: String, CodingKey {
      case account, region, users, roles, files
      case samlProviders = "saml_providers"
      case oidcProviders = "oidc_providers"
      case pureMoto = "pure_moto"
    }

    func user(_ name: String) throws -> User {
      try XCTUnwrap(users[name], "no user \(name) in the STS world")
    }

    func role(_ name: String) throws -> String {
      try XCTUnwrap(roles[name]?.arn, "no role \(name) in the STS world")
    }
  }

  typealias Failure = LocalServer.Failure

  static let harness = LocalServer.harness

  /// "http://127.0.0.1:PORT".
  var url: String { server.url }
  var port: Int { server.port }
  let world: World
  /// The world as sts_setup.py printed it (JSON), e.g. to hand to a Python script on stdin.
  let worldJSON: String
  /// A private temporary directory: the SAML and token files, the server's stderr (server.log).
  var directory: String { server.directory }
  /// Seconds from launching Python to READY, and for sts_setup.py.
  var startSeconds: Double { server.startSeconds }
  let setupSeconds: Double

  private let server: LocalServer

  /// Starts the server and builds the world: `spec` (JSON, see sts_setup.py) or the default one
  /// (users alice with MFA and bob; roles dev, admin (trusts dev), alice-only, partner
  /// (ExternalId awsenv-external-id), mfa-required, saml, web; provider awsenv-idp;
  /// OIDC oidc.awsenv.test with client id awsenv). `auth` switches SigV4 checking on afterwards.
  init(auth: Bool = true, pureMoto: Bool = false, spec: String? = nil) throws {
    server = try LocalServer(
      script: "sts_server.py", needs: "python3 from PATH needs moto[server] and boto3",
      arguments: { _ in pureMoto ? ["--pure-moto"] : [] })
    let url = server.url, dir = server.directory
    do {
      var arguments = [
        "/usr/bin/env", "python3", "\(Self.harness)/sts_setup.py", "world", url,
        "--files", dir,
      ]
      if spec != nil { arguments += ["--spec", "-"] }
      if auth { arguments.append("--auth-on") }
      let setup = try Harness.run(
        arguments, stdin: spec, environment: LocalServer.pythonVariables)
      guard setup.status == 0 else {
        throw Failure(description: "sts_setup.py failed (\(setup.status)):\n\(setup.stderr)")
      }
      setupSeconds = setup.seconds
      worldJSON = setup.stdout
      world = try JSONDecoder().decode(World.self, from: Data(setup.stdout.utf8))
    } catch {
      server.stop()
      throw error
    }
  }

  /// STS requests by Action so far (all answers, moto's errors included), and under "faulted"
  /// those answered by an injected fault instead.
  func calls() throws -> [String: Int] {
    try JSONDecoder().decode([String: Int].self, from: request("GET", "/_awsenv/calls"))
  }

  func resetCalls() throws {
    _ = try request("POST", "/_awsenv/calls/reset")
  }

  /// SigV4 checking on or off (moto's /moto-api/reset-auth). With it off nothing is checked: any
  /// key, any trust policy, any MFA code, any SAML assertion or token that moto can parse.
  func setAuth(_ on: Bool) throws {
    _ = try request("POST", "/moto-api/reset-auth", body: Data((on ? "0" : "inf").utf8))
  }

  /// The next `count` STS requests (of `action` only, when given) are answered with `status` and
  /// an STS ErrorResponse carrying `code` and `message`, after `delay` seconds. `status` 0 only
  /// delays them, then moto answers. Rules queue up in order. `service` "iam" aims the rule at
  /// IAM requests instead (counted in ``calls()`` as "iam:ACTION").
  func injectFaults(
    count: Int = 1, status: Int = 500, code: String = "InternalFailure",
    message: String = "injected by the test", delay: Double = 0, action: String? = nil,
    service: String? = nil
  ) throws {
    var rule: [String: Any] = [
      "count": count, "status": status, "code": code, "message": message, "delay": delay,
    ]
    if let action { rule["action"] = action }
    if let service { rule["service"] = service }
    _ = try request("POST", "/_awsenv/faults", body: JSONSerialization.data(withJSONObject: rule))
  }

  func clearFaults() throws {
    _ = try request("DELETE", "/_awsenv/faults")
  }

  /// The current TOTP code of a user's virtual MFA device (`offset` seconds from now), which the
  /// server checks when a call carries SerialNumber and TokenCode.
  func mfaCode(for user: String = "alice", offset: Double = 0) throws -> String {
    let seed = try XCTUnwrap(world.user(user).mfaSeed, "\(user) has no MFA device")
    return try python(["totp", seed, "--offset", String(offset)])
  }

  /// A base64 SAML Response for AssumeRoleWithSAML of `role` through `provider` (ARNs).
  func samlAssertion(role: String, provider: String, session: String = "awsenv-saml-user") throws
    -> String
  {
    try python(["saml", "--role", role, "--provider", provider, "--session", session])
  }

  /// SIGTERM, then waits for the server; removes `directory`. Also done when it is released.
  func stop() { server.stop() }

  private func python(_ arguments: [String]) throws -> String {
    let run = try Harness.run(
      ["/usr/bin/env", "python3", "\(Self.harness)/sts_setup.py"] + arguments,
      environment: LocalServer.pythonVariables)
    guard run.status == 0 else {
      throw Failure(description: "sts_setup.py \(arguments[0]) failed:\n\(run.stderr)")
    }
    return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  private func request(_ method: String, _ path: String, body: Data? = nil) throws -> Data {
    try server.request(
      method, path, body: body,
      contentType: path.hasPrefix("/moto-api") ? "text/plain" : "application/json")
  }
}
