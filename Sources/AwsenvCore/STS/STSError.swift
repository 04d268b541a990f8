/// Why an STS call failed. ``message`` is one line saying what to do; none holds a secret (the
/// server's own message is kept, but request bodies and headers never are).
public enum STSError: Error, Sendable, Equatable {
  /// No HTTP response (after the retries the error allows).
  case transport(action: String, HTTPError)
  /// STS answered with an error document.
  case service(action: String, status: Int, code: String, message: String)
  /// STS answered something that is not a response awsenv can read.
  case malformed(action: String, status: Int, detail: String)
  /// STS answered with credentials that are expired or about to be.
  case stale(action: String, StaleCredentials)

  /// The STS error code, when STS sent one.
  public var code: String? {
    if case .service(_, _, let code, _) = self { return code }
    return nil
  }

  /// What the call was about, for the hint: the role, the MFA device, the profile.
  public struct Context: Sendable, Equatable {
    public var profile: String?
    public var roleArn: String?
    public var mfaSerial: String?
    public var durationSeconds: Int?
    public var region: String?
    public var tokenFile: String?
    /// The profile whose long-lived keys the call was signed with (or derived from).
    public var keysProfile: String?
    /// Whether ``durationSeconds`` came from `--duration` rather than duration_seconds.
    public var durationFromFlag = false

    public init(
      profile: String? = nil, roleArn: String? = nil, mfaSerial: String? = nil,
      durationSeconds: Int? = nil, region: String? = nil, tokenFile: String? = nil
    ) {
      self.profile = profile
      self.roleArn = roleArn
      self.mfaSerial = mfaSerial
      self.durationSeconds = durationSeconds
      self.region = region
      self.tokenFile = tokenFile
    }
  }

  /// One line for the user, without the `awsenv:` prefix.
  public func message(_ context: Context = Context()) -> String {
    switch self {
    case .transport(let action, let error):
      return "STS \(action): " + error.message
    case .malformed(let action, let status, let detail):
      return "STS \(action) answered HTTP \(status) with \(detail); is the STS endpoint right "
        + "(AWS_ENDPOINT_URL_STS, endpoint_url)?"
    case .stale(let action, let stale):
      return "STS \(action) answered with \(stale.detail)"
    case .service(let action, let status, let code, let serverMessage):
      var text = serverMessage
      while text.hasSuffix(".") { text.removeLast() }
      let said = "STS \(action) failed: \(code)" + (text.isEmpty ? "" : ": \(text)")
      return said + "; "
        + Self.hint(
          action: action, status: status, code: code,
          serverMessage: serverMessage, context)
    }
  }

  private static func hint(
    action: String, status: Int, code: String, serverMessage: String, _ context: Context
  ) -> String {
    let profile = context.profile.map { "'\($0)'" } ?? "the profile"
    let add =
      (context.keysProfile ?? context.profile).map { "`awsenv add \($0)`" }
      ?? "`awsenv add PROFILE`"
    let lowered = serverMessage.lowercased()
    if lowered.contains("multifactorauthentication") || lowered.contains("mfa") {
      let device = context.mfaSerial.map { " of \($0)" } ?? ""
      return "the MFA code was not accepted: enter the current code\(device) "
        + "(each code works once; wait for the next one)"
    }
    switch code {
    case "AccessDenied", "AccessDeniedException":
      if action == "AssumeRole", let role = context.roleArn {
        return "the trust policy of \(role) does not let these credentials assume it "
          + "(check its Principal and any sts:ExternalId or MFA condition, and the "
          + "source_profile of \(profile))"
      }
      return "these credentials are not allowed to call \(action); check the IAM policy"
    case "ExpiredToken", "ExpiredTokenException":
      if action == "AssumeRoleWithWebIdentity" {
        return "the web identity token\(context.tokenFile.map { " in \($0)" } ?? "") has "
          + "expired; get a fresh one and retry"
      }
      return "the credentials used to call STS have expired; run `awsenv use "
        + "\(context.profile ?? "PROFILE") --refresh`"
    case "InvalidClientTokenId":
      return "AWS does not know this access key id (deleted, deactivated, or from another "
        + "partition); store current keys with \(add)"
    case "SignatureDoesNotMatch":
      return "the secret access key does not belong to this access key id (or this machine's "
        + "clock is off); store the right keys with \(add)"
    case "IncompleteSignature", "MissingAuthenticationToken":
      return "the request was not signed as STS expects; check the keys with \(add)"
    case "RegionDisabledException":
      return "STS is not activated in \(context.region ?? "this region") for the account: "
        + "activate it in the IAM console (Account settings), or set another region"
    case "ValidationError":
      if lowered.contains("maxsessionduration") {
        let asked =
          context.durationSeconds.map {
            context.durationFromFlag
              ? "--duration \(SessionDuration.text($0))" : "duration_seconds = \($0)"
          } ?? "the duration"
        return "\(asked) is longer than the role's maximum session duration; ask for less "
          + "(--duration, or duration_seconds in \(profile)) or raise the role's maximum"
      }
      if lowered.contains("duration") {
        let asked = context.durationSeconds.map { "duration_seconds = \($0)" } ?? "the duration"
        return "\(asked) is outside what the role allows (900 s up to its maximum session "
          + "duration, at most 3600 s when a role assumes a role); change duration_seconds "
          + "in \(profile)"
      }
      return "check the values of \(profile) in the config file"
    case "InvalidIdentityToken", "IDPRejectedClaim":
      return "the identity provider's token was rejected; check web_identity_token_file"
        + "\(context.tokenFile.map { " (\($0))" } ?? "") and the role's trust policy"
    case "IDPCommunicationError":
      return "STS could not reach the identity provider; retry later"
    case "InvalidParameterValue", "MalformedInput":
      return "check the values of \(profile) (role_arn, role_session_name, external_id, "
        + "source_identity) in the config file"
    case "PackedPolicyTooLarge", "MalformedPolicyDocument":
      return "the session policy was refused; check the profile's policy settings"
    case "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException":
      return "STS is throttling requests; wait a moment and retry"
    default:
      if status >= 500 { return "STS had a server error; retry in a moment" }
      return "check the settings of \(profile)"
    }
  }
}
