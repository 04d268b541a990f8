import Foundation

/// The AWS Sign-In federation endpoint (`https://signin.aws.amazon.com/federation`): it trades
/// a temporary session for a sign-in token (`getSigninToken`), and its `login` URL turns the
/// token into a console session in the browser.
///
/// The session goes in a POST body, never in a URL (which proxies and logs keep); only the
/// sign-in token, good for 15 minutes, travels in the `login` URL, as AWS designed it.
public struct SigninFederation: Sendable {
  /// The federation endpoint, path included (`/federation`).
  public var endpoint: ServiceEndpoint
  public var transport: any HTTPTransport
  public var options: HTTPOptions
  public var retry: RetryPolicy

  public init(
    endpoint: ServiceEndpoint, transport: any HTTPTransport, options: HTTPOptions = HTTPOptions(),
    retry: RetryPolicy = RetryPolicy()
  ) {
    self.endpoint = endpoint
    self.transport = transport
    self.options = options
    self.retry = retry
  }

  /// Real sign-in tokens are about 1 KB; anything much longer is not one.
  static let maxTokenBytes = 16_384

  /// A sign-in token for `session` (temporary credentials: a session token is required).
  /// `sessionDuration` (seconds) is the console session's length; AWS accepts it only for role
  /// sessions, not for federation tokens.
  public func signinToken(for session: Credentials, sessionDuration: Int?) throws(SigninError)
    -> String
  {
    guard let token = session.sessionToken else { throw .longLivedKeys }
    let document = JSONValue.object([
      ("sessionId", .string(session.accessKeyID)),
      ("sessionKey", .string(session.secretAccessKey)),
      ("sessionToken", .string(token)),
    ]).text
    var parameters = [("Action", "getSigninToken")]
    if let sessionDuration { parameters.append(("SessionDuration", String(sessionDuration))) }
    parameters.append(("Session", document))
    let body = parameters.map { formEncode($0.0) + "=" + formEncode($0.1) }
      .joined(separator: "&")
    let request = HTTPRequest(
      method: "POST", scheme: endpoint.scheme, host: endpoint.host, path: endpoint.path,
      headers: [
        HTTPHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
        HTTPHeader("Accept", "application/json"),
      ],
      body: Array(body.utf8))
    let host = endpoint.host
    let signinToken = try retry.send(
      { request }, over: transport, options: options,
      parse: { Self.parse($0, host: host) }, code: { _ in nil },
      unreachable: { .transport($0) })
    // Masked in --debug output, in the form it has in a URL too.
    DebugLog.remember(signinToken)
    DebugLog.remember(formEncode(signinToken))
    return signinToken
  }

  /// The URL that signs the browser in with `token` and then shows `destination`; `issuer`
  /// names who made it (AWS links back to it when the console session ends).
  public func loginURL(token: String, issuer: String, destination: String) -> String {
    let query = [
      ("Action", "login"), ("Issuer", issuer), ("Destination", destination),
      ("SigninToken", token),
    ].map { formEncode($0.0) + "=" + formEncode($0.1) }.joined(separator: "&")
    return endpoint.scheme + "://" + endpoint.host + endpoint.path + "?" + query
  }

  /// The token in a 200 answer (`{"SigninToken": "…"}`), or why there is none.
  static func parse(_ response: HTTPResponse, host: String) -> Result<String, SigninError> {
    switch response.status {
    case 200..<300:
      guard let object = JSONObject.parse(response.body), let token = object.string("SigninToken"),
        (1...maxTokenBytes).contains(token.utf8.count),
        token.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
      else {
        return .failure(.malformed(host: host, status: response.status))
      }
      return .success(token)
    case 400..<500:
      return .failure(.refused(host: host, status: response.status))
    case 500..<600:
      return .failure(.serverError(host: host, status: response.status))
    default:
      return .failure(.malformed(host: host, status: response.status))
    }
  }

  /// The federation endpoint for a console in `region` (nil: the global one): the configured
  /// one (AWS_ENDPOINT_URL_SIGNIN, `signin` in the profile's `[services]`, AWS_ENDPOINT_URL, the
  /// profile's endpoint_url, as for STS) with `/federation` added to its path, else the
  /// partition's.
  public static func endpoint(
    region: String?, profile: ProfileSection?, config: AWSConfig, environment: [String: String]
  ) throws(HTTPError) -> ServiceEndpoint {
    if let (url, setting) = EndpointResolver.configured(
      service: "SIGNIN", profile: profile, config: config, environment: environment)
    {
      var endpoint = try ServiceEndpoint.parse(url, setting: setting)
      endpoint.path =
        (endpoint.path.hasSuffix("/") ? endpoint.path : endpoint.path + "/")
        + "federation"
      return endpoint
    }
    guard let host = ConsoleHosts(region: region) else {
      throw .badEndpoint(
        "awsenv knows no AWS Sign-In endpoint for region \(region ?? "") (partition "
          + "\(Partition.of(region: region ?? "").id)); set AWS_ENDPOINT_URL_SIGNIN to it")
    }
    return ServiceEndpoint(scheme: "https", host: host.signin, path: "/federation")
  }
}

/// The sign-in and console hosts of a region: global for no region and us-east-1, regional for
/// the other regions of the `aws` partition, and the China and GovCloud partitions' own.
public struct ConsoleHosts: Sendable, Equatable {
  public var signin: String
  public var console: String

  /// nil for the partitions without a public console (aws-iso*, aws-eusc).
  public init?(region: String?) {
    guard let region, !region.isEmpty else {
      (signin, console) = ("signin.aws.amazon.com", "console.aws.amazon.com")
      return
    }
    switch Partition.of(region: region).id {
    case Partition.aws.id:
      if region == "us-east-1" {
        (signin, console) = ("signin.aws.amazon.com", "console.aws.amazon.com")
      } else {
        (signin, console) = ("\(region).signin.aws.amazon.com", "\(region).console.aws.amazon.com")
      }
    case Partition.china.id:
      (signin, console) = ("signin.amazonaws.cn", "console.amazonaws.cn")
    case Partition.govCloud.id:
      (signin, console) = ("signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com")
    default:
      return nil
    }
  }
}
