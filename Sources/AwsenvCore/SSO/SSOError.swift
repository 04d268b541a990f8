/// Why an IAM Identity Center call failed. ``message(_:)`` is one line saying what to do; no
/// token, secret or request body is ever part of it.
public enum SSOError: Error, Sendable, Equatable {
  /// No HTTP response (after the retries the error allows).
  case transport(operation: SSOOperation, HTTPError)
  /// The service answered with an error.
  case service(operation: SSOOperation, status: Int, code: String, message: String)
  /// The service answered something awsenv cannot read.
  case malformed(operation: SSOOperation, detail: String)
  /// The service answered with credentials that are expired or about to be.
  case stale(operation: SSOOperation, StaleCredentials)

  /// The error code (the exception's name), when the service sent one.
  public var code: String? {
    if case .service(_, _, let code, _) = self { return code }
    return nil
  }

  /// RFC 6749 / 8628 `error` values and the exceptions botocore's sso-oidc model names for them.
  static let oauthCodes = [
    "authorization_pending": "AuthorizationPendingException",
    "slow_down": "SlowDownException",
    "expired_token": "ExpiredTokenException",
    "access_denied": "AccessDeniedException",
    "invalid_client": "InvalidClientException",
    "invalid_grant": "InvalidGrantException",
    "invalid_request": "InvalidRequestException",
    "invalid_scope": "InvalidScopeException",
    "unauthorized_client": "UnauthorizedClientException",
    "unsupported_grant_type": "UnsupportedGrantTypeException",
  ]

  /// What the call was about, for the hint.
  public struct Context: Sendable, Equatable {
    /// The command that signs in again: `awsenv login prod` or `awsenv login --sso-session corp`.
    public var login: String
    public var accountID: String?
    public var roleName: String?
    public var startURL: String?

    public init(
      login: String, accountID: String? = nil, roleName: String? = nil, startURL: String? = nil
    ) {
      self.login = login
      self.accountID = accountID
      self.roleName = roleName
      self.startURL = startURL
    }
  }

  /// One line for the user, without the `awsenv:` prefix.
  public func message(_ context: Context) -> String {
    switch self {
    case .transport(let operation, let error):
      return "IAM Identity Center \(operation.rawValue): " + error.message
    case .malformed(let operation, let detail):
      let variable = operation.isOIDC ? "AWS_ENDPOINT_URL_SSO_OIDC" : "AWS_ENDPOINT_URL_SSO"
      return "IAM Identity Center \(operation.rawValue) answered \(detail); is the endpoint "
        + "right (\(variable), sso_region)?"
    case .stale(let operation, let stale):
      return "IAM Identity Center \(operation.rawValue) answered with \(stale.detail)"
    case .service(let operation, _, let code, let serverMessage):
      var text = serverMessage
      while text.hasSuffix(".") { text.removeLast() }
      let said =
        "IAM Identity Center \(operation.rawValue) failed: \(code)"
        + (text.isEmpty ? "" : ": \(text)")
      return said + "; " + Self.hint(operation: operation, code: code, context)
    }
  }

  private static func hint(operation: SSOOperation, code: String, _ context: Context) -> String {
    switch code {
    case "UnauthorizedException",
      "ExpiredTokenException" where !operation.isOIDC:
      return "the sign-in has expired or was revoked; run `\(context.login)`"
    case "ForbiddenException", "ResourceNotFoundException":
      if let account = context.accountID, let role = context.roleName {
        return "your user has no access to role \(role) in account \(account); check "
          + "sso_account_id and sso_role_name (`awsenv sso sync` lists what you can use)"
      }
      return "your user has no access to this; ask the IAM Identity Center administrator"
    case "InvalidClientException", "UnauthorizedClientException":
      return "the client registration is no longer accepted; run `\(context.login)` again "
        + "(it registers a new one)"
    case "InvalidGrantException":
      return "the sign-in cannot be renewed; run `\(context.login)`"
    case "InvalidRequestException" where operation == .startDeviceAuthorization:
      let url = context.startURL.map { " (\($0))" } ?? ""
      return "check sso_start_url\(url) and sso_region"
    case "InvalidScopeException":
      return "check sso_registration_scopes in the [sso-session] section"
    case "AccessDeniedException":
      return "the sign-in was refused in the browser; run `\(context.login)` to try again"
    case "ExpiredTokenException":
      return "the code was not confirmed in time; run `\(context.login)` again"
    case "TooManyRequestsException", "SlowDownException":
      return "IAM Identity Center is throttling requests; wait a moment and try again"
    default:
      return "try again; if it persists, check the IAM Identity Center settings in ~/.aws/config"
    }
  }
}
