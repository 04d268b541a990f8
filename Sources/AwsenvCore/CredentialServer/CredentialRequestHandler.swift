import Foundation

/// Answers the credential server's requests: the container credentials provider's JSON for a
/// `GET` of ``path`` that carries the token, and no secret to anything else.
///
/// The token is checked first, so a client without it learns nothing about paths or methods:
/// none → 401, a wrong one → 403; then another path → 404, another method → 405.
public struct CredentialRequestHandler: Sendable {
  /// The one path that serves credentials.
  public static let path = "/credentials"

  public let token: ServerToken
  public let credentials: @Sendable () -> Result<Credentials, AwsenvError>
  /// Told of every failure to get credentials, with the message for the user.
  public let failed: @Sendable (AwsenvError) -> Void

  public init(
    token: ServerToken, credentials: @escaping @Sendable () -> Result<Credentials, AwsenvError>,
    failed: @escaping @Sendable (AwsenvError) -> Void = { _ in }
  ) {
    self.token = token
    self.credentials = credentials
    self.failed = failed
  }

  public func answer(_ request: HTTPRequestHead) -> HTTPAnswer {
    let authorization = request.values(of: "Authorization")
    guard !authorization.isEmpty else {
      return .error(401, "Unauthorized", "send the token of AWS_CONTAINER_AUTHORIZATION_TOKEN")
    }
    guard authorization.count == 1, token.matches(authorization[0].utf8) else {
      return .error(403, "Forbidden", "wrong authorization token")
    }
    guard request.path == Self.path else {
      return .error(404, "NotFound", "credentials are served at \(Self.path)")
    }
    guard request.method == "GET" else {
      var answer = HTTPAnswer.error(405, "MethodNotAllowed", "only GET is served")
      answer.headers["Allow"] = "GET"
      return answer
    }
    switch credentials() {
    case .success(let credentials):
      return HTTPAnswer(
        status: 200, headers: ["Content-Type": "application/json"],
        body: Array(Self.document(credentials).utf8))
    case .failure(let error):
      failed(error)
      let code = error.exitStatus == 3 ? "CredentialsNeedUser" : "CredentialsUnavailable"
      return .error(500, code, "awsenv: " + error.message)
    }
  }

  /// The container credentials provider's document.
  static func document(_ credentials: Credentials) -> String {
    var fields: [(String, JSONValue)] = [
      ("AccessKeyId", .string(credentials.accessKeyID)),
      ("SecretAccessKey", .string(credentials.secretAccessKey)),
    ]
    if let token = credentials.sessionToken { fields.append(("Token", .string(token))) }
    if let expiration = credentials.expiration {
      fields.append(("Expiration", .string(rfc3339(expiration))))
    }
    return JSONValue.object(fields).text
  }
}
