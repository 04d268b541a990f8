import Foundation

/// The role credentials of an EC2 instance, from its instance metadata service (IMDSv2), as
/// botocore's InstanceMetadataProvider gets them: PUT /latest/api/token (with
/// X-aws-ec2-metadata-token-ttl-seconds), then GET /latest/meta-data/iam/security-credentials/
/// for the role's name and GET …/ROLE for its credentials, each with the token. A service that
/// answers the PUT with 403, 404 or 405 has no IMDSv2: the GETs go without a token (IMDSv1),
/// unless AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled says not to.
public struct InstanceMetadataProvider: Sendable {
  public var endpoint: ServiceEndpoint
  /// Seconds for each request (metadata_service_timeout; default 1).
  public var timeout: Double
  /// Attempts per request (metadata_service_num_attempts; default 1).
  public var attempts: Int
  public var allowV1: Bool
  public var transport: any HTTPTransport

  static let ipv4 = ServiceEndpoint(scheme: "http", host: "169.254.169.254")
  static let ipv6 = ServiceEndpoint(scheme: "http", host: "[fd00:ec2::254]")
  static let tokenTTL = "21600"
  static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

  public init(
    endpoint: ServiceEndpoint, timeout: Double = 1, attempts: Int = 1, allowV1: Bool = true,
    transport: any HTTPTransport
  ) {
    self.endpoint = endpoint
    self.timeout = timeout
    self.attempts = max(1, attempts)
    self.allowV1 = allowV1
    self.transport = transport
  }

  /// The provider the settings of `profile` and the environment describe, as botocore reads
  /// them: AWS_EC2_METADATA_DISABLED; AWS_EC2_METADATA_SERVICE_ENDPOINT /
  /// ec2_metadata_service_endpoint; AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE /
  /// ec2_metadata_service_endpoint_mode (IPv4, IPv6); AWS_METADATA_SERVICE_TIMEOUT /
  /// metadata_service_timeout; AWS_METADATA_SERVICE_NUM_ATTEMPTS /
  /// metadata_service_num_attempts; AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled.
  public static func configured(
    profile name: String, section: ProfileSection?, environment: [String: String],
    transport: any HTTPTransport
  ) throws(MetadataError) -> InstanceMetadataProvider {
    func setting(_ variable: String, _ key: String) -> (value: String, name: String)? {
      if let value = environment[variable], !value.isEmpty { return (value, variable) }
      if let value = section?[key], !value.isEmpty { return (value, key) }
      return nil
    }
    if isTrue(environment["AWS_EC2_METADATA_DISABLED"]) { throw .imdsDisabled(profile: name) }
    var endpoint = ipv4
    if let (value, setting) = setting(
      "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint")
    {
      endpoint = try MetadataEndpoint.parse(value, setting: setting).endpoint
    } else if let (value, setting) = setting(
      "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode")
    {
      switch value.lowercased() {
      case "ipv4": endpoint = ipv4
      case "ipv6": endpoint = ipv6
      default: throw .badSetting("\(setting) = \(value) is neither IPv4 nor IPv6")
      }
    }
    var timeout = 1.0
    if let (value, setting) = setting("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout") {
      guard let seconds = Double(value), seconds > 0, seconds <= 300 else {
        throw .badSetting("\(setting) = \(value) is not a number of seconds (1 to 300)")
      }
      timeout = seconds
    }
    var attempts = 1
    if let (value, setting) = setting(
      "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts")
    {
      guard let count = Int(value), (1...10).contains(count) else {
        throw .badSetting("\(setting) = \(value) is not a number of attempts (1 to 10)")
      }
      attempts = count
    }
    let v1Disabled = setting("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")
    return InstanceMetadataProvider(
      endpoint: endpoint, timeout: timeout, attempts: attempts,
      allowV1: !isTrue(v1Disabled?.value), transport: transport)
  }

  private var options: HTTPOptions {
    HTTPOptions(
      connectTimeout: timeout, totalTimeout: timeout, userAgent: "awsenv/\(AwsenvInfo.version)")
  }

  /// The instance role's credentials (temporary: they carry a token and an expiry).
  public func credentials() throws(MetadataError) -> Credentials {
    let service = MetadataError.imds
    let token = try sessionToken()
    let headers = token.map { [HTTPHeader("X-aws-ec2-metadata-token", $0)] } ?? []
    let listing = try get(Self.credentialsPath, headers: headers)
    guard
      let role = String(decoding: listing, as: UTF8.self)
        .split(whereSeparator: \.isNewline).first
        .map({ $0.trimmingCharacters(in: .whitespaces) }),
      !role.isEmpty, role.utf8.count <= 128,
      role.unicodeScalars.allSatisfy({
        $0.isASCII
          && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
            || "+=,.@_-".unicodeScalars.contains($0))
      })
    else {
      throw .malformed(service: service, detail: "no role name at \(Self.credentialsPath)")
    }
    let body = try get(Self.credentialsPath + role, headers: headers)
    return try MetadataEndpoint.credentials(body, service: service)
  }

  /// The IMDSv2 session token; nil when the service has no IMDSv2 and IMDSv1 may be used.
  func sessionToken() throws(MetadataError) -> String? {
    let request = MetadataEndpoint.request(
      "PUT", endpoint, path: "/latest/api/token",
      headers: [HTTPHeader("X-aws-ec2-metadata-token-ttl-seconds", Self.tokenTTL)])
    let response = try send(request, what: "PUT /latest/api/token")
    switch response.status {
    case 200:
      let token = String(decoding: response.body, as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      guard !token.isEmpty, token.utf8.count <= 4096,
        token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
      else {
        throw .malformed(service: MetadataError.imds, detail: "a token that is not one")
      }
      return token
    case 403, 404, 405:
      if allowV1 { return nil }
      throw .refused(
        service: MetadataError.imds, what: "PUT /latest/api/token (IMDSv1 is disabled)",
        status: response.status)
    default:
      throw .refused(
        service: MetadataError.imds, what: "PUT /latest/api/token", status: response.status)
    }
  }

  private func get(_ path: String, headers: [HTTPHeader]) throws(MetadataError) -> [UInt8] {
    let request = MetadataEndpoint.request("GET", endpoint, path: path, headers: headers)
    let response = try send(request, what: "GET \(path)", retryUnless200: true)
    guard response.status == 200 else {
      throw .refused(service: MetadataError.imds, what: "GET \(path)", status: response.status)
    }
    return response.body
  }

  /// Sends `request` up to ``attempts`` times: again after no answer, and (for the GETs, as
  /// botocore's default retry does) after an answer other than 200 with a body.
  private func send(_ request: HTTPRequest, what: String, retryUnless200: Bool = false)
    throws(MetadataError) -> HTTPResponse
  {
    var attempt = 1
    while true {
      do {
        let response = try transport.send(request, options: options)
        let good = response.status == 200 && !response.body.isEmpty
        if !retryUnless200 || good || attempt >= attempts { return response }
      } catch {
        if attempt >= attempts { throw .unreachable(service: MetadataError.imds, error) }
      }
      attempt += 1
    }
  }
}
