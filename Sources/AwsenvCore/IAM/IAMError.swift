/// Why an IAM call failed. ``message`` is one line; none holds a secret (the server's own
/// message is kept, request bodies and headers never are).
public enum IAMError: Error, Sendable, Equatable {
  /// No HTTP response (after the retries the error allows).
  case transport(action: String, HTTPError)
  /// IAM answered with an error document.
  case service(action: String, status: Int, code: String, message: String)
  /// IAM answered something that is not a response awsenv can read.
  case malformed(action: String, status: Int, detail: String)

  /// The IAM error code, when IAM sent one.
  public var code: String? {
    if case .service(_, _, let code, _) = self { return code }
    return nil
  }

  /// One line for the user, without the `awsenv:` prefix.
  public var message: String {
    switch self {
    case .transport(let action, let error):
      return "IAM \(action): " + error.message
    case .malformed(let action, let status, let detail):
      return "IAM \(action) answered HTTP \(status) with \(detail); is the IAM endpoint right "
        + "(AWS_ENDPOINT_URL_IAM, endpoint_url)?"
    case .service(let action, let status, let code, let serverMessage):
      var text = serverMessage
      while text.hasSuffix(".") { text.removeLast() }
      return "IAM \(action) failed: \(code)" + (text.isEmpty ? "" : ": \(text)") + "; "
        + Self.hint(action: action, status: status, code: code)
    }
  }

  private static func hint(action: String, status: Int, code: String) -> String {
    switch code {
    case "AccessDenied", "AccessDeniedException":
      return "the user's policy does not allow iam:\(action) on itself (IAM refuses calls "
        + "made with a GetSessionToken session that has no MFA: set mfa_serial in the profile)"
    case "LimitExceeded", "LimitExceededException":
      return "the user already has the two access keys IAM allows; delete the unused one"
    case "NoSuchEntity":
      return "IAM does not know this user or key (deleted meanwhile?)"
    case "InvalidClientTokenId", "SignatureDoesNotMatch":
      return "IAM does not accept these keys; check them with `awsenv whoami --profile PROFILE`"
    case "Throttling", "ThrottlingException":
      return "IAM is throttling requests; wait a moment and retry"
    default:
      return status >= 500 ? "IAM had a server error; retry in a moment" : "see the message"
    }
  }
}
