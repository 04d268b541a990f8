import Foundation
import XCTest

/// The local stand-in of the AWS Sign-In federation endpoint (Tests/harness/signin_server.py,
/// python3 from PATH with boto3) on a free loopback port: it checks every session it is given
/// with GetCallerIdentity at `stsURL` (an STSServer) before handing out a sign-in token, and its
/// `login` action checks the token. It records what it received, never a secret.
final class SigninServer: @unchecked Sendable {
  /// One federation request, in order (see signin_server.py).
  struct Call: Decodable {
    var action: String
    var status: Int?
    var method: String?
    var accessKeyId: String?
    var hasSessionToken: Bool?
    var arn: String?
    var sessionDuration: String?
    var destination: String?
    var issuer: String?
    var reason: String?
  }

  typealias Failure = LocalServer.Failure

  /// "http://127.0.0.1:PORT" (AWS_ENDPOINT_URL_SIGNIN in a test).
  var url: String { server.url }

  private let server: LocalServer

  init(stsURL: String) throws {
    server = try LocalServer(
      script: "signin_server.py", needs: "python3 from PATH needs boto3",
      arguments: { _ in ["--sts-url", stsURL] })
  }

  func calls() throws -> [Call] {
    try JSONDecoder().decode([Call].self, from: server.request("GET", "/_awsenv/calls"))
  }

  func resetCalls() throws {
    _ = try server.request("POST", "/_awsenv/calls/reset")
  }

  /// The next `count` getSigninToken requests get `status`, unchecked.
  func injectFaults(count: Int = 1, status: Int) throws {
    _ = try server.request(
      "POST", "/_awsenv/faults",
      body: JSONSerialization.data(withJSONObject: ["count": count, "status": status]))
  }

  /// Every sign-in token issued so far is expired.
  func expireTokens() throws {
    _ = try server.request("POST", "/_awsenv/expire-tokens")
  }

  /// GETs a `login` URL as the browser would; the stand-in's JSON answer (arn, destination,
  /// issuer), or an error for a refused token.
  func visit(_ loginURL: String) throws -> [String: String] {
    let data = try server.fetch(method: "GET", url: loginURL, body: nil)
    return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: String])
  }

  func stop() { server.stop() }
}
