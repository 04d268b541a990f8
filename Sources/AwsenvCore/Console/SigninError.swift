/// Why the AWS Sign-In federation endpoint gave no sign-in token. Messages name the host and
/// the HTTP status, never the session or the token (nor the server's body, which awsenv does
/// not repeat).
public enum SigninError: Error, Sendable, Equatable {
  /// Long-lived keys: the endpoint takes temporary credentials only (awsenv makes a federation
  /// token first, so this is an internal error).
  case longLivedKeys
  /// No HTTP response (after the retries the error allows).
  case transport(HTTPError)
  /// A 4xx answer: the endpoint did not accept the session (expired, revoked, not allowed).
  case refused(host: String, status: Int)
  /// A 5xx answer, after the retries.
  case serverError(host: String, status: Int)
  /// An answer that is not a sign-in token.
  case malformed(host: String, status: Int)

  /// How the credentials were made, for the hint.
  public enum Source: Sendable {
    /// A role, IAM Identity Center, web identity, SAML or credential_process session, possibly
    /// from the keyring's cache.
    case session
    /// A federation token made just now from the profile's long-lived keys.
    case federationToken
  }

  /// One line for the user, without the `awsenv:` prefix.
  public func message(profile: String, source: Source) -> String {
    switch self {
    case .longLivedKeys:
      return "internal error: long-lived keys of '\(profile)' were about to go to the AWS "
        + "sign-in endpoint; nothing was sent"
    case .transport(let error):
      return "AWS sign-in endpoint: " + error.message
    case .refused(let host, let status):
      switch source {
      case .session:
        return "the AWS sign-in endpoint (\(host)) refused the session of '\(profile)' "
          + "(HTTP \(status)): it has expired or was revoked, or its role cannot sign in to "
          + "the console; get a new one with `awsenv console \(profile) --refresh`"
      case .federationToken:
        return "the AWS sign-in endpoint (\(host)) refused the federation token made for "
          + "'\(profile)' (HTTP \(status)); check that the keys are current (`awsenv add "
          + "\(profile)`) and that the user may sign in to the console"
      }
    case .serverError(let host, let status):
      return "the AWS sign-in endpoint (\(host)) failed with HTTP \(status); try again in a "
        + "moment"
    case .malformed(let host, let status):
      return "the AWS sign-in endpoint (\(host)) answered HTTP \(status) without a sign-in "
        + "token; is the endpoint right (AWS_ENDPOINT_URL_SIGNIN, `signin` endpoint_url in "
        + "[services])?"
    }
  }
}
