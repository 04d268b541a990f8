/// Where the metadata credential providers send requests. Credentials go only over https, with
/// one exception beside loopback: plain http to the link-local addresses the instance metadata
/// service and the container credentials endpoint live at, as every AWS SDK does (those
/// addresses never leave the host or the task's network namespace, and offer no TLS).
enum MetadataEndpoint {
  /// The addresses plain http may go to: IMDS (IPv4, IPv6), ECS, EKS Pod Identity (IPv4, IPv6).
  static let linkLocalHosts: Set<String> = [
    "169.254.169.254", "[fd00:ec2::254]", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]",
  ]

  /// Parses `text` (`scheme://host[:port][/path][?query]`) into an endpoint and a query.
  static func parse(_ text: String, setting: String) throws(MetadataError) -> (
    endpoint: ServiceEndpoint, query: String
  ) {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    var query = ""
    var base = Substring(trimmed)
    if let mark = trimmed.firstIndex(of: "?") {
      query = String(trimmed[trimmed.index(after: mark)...])
      base = trimmed[..<mark]
    }
    // A link-local metadata address over http is parsed as if it were loopback, then put back.
    var probe = String(base)
    var linkLocal: String?
    if let schemeEnd = probe.range(of: "://"),
      probe[..<schemeEnd.lowerBound].lowercased() == "http"
    {
      let rest = probe[schemeEnd.upperBound...]
      let authority = rest.prefix { $0 != "/" }
      if let host = linkLocalHosts.first(where: {
        authority == $0 || authority.hasPrefix($0 + ":")
      }) {
        linkLocal = host
        probe =
          "http://127.0.0.1" + authority.dropFirst(host.count) + rest.dropFirst(authority.count)
      }
    }
    var endpoint: ServiceEndpoint
    do {
      endpoint = try ServiceEndpoint.parse(probe, setting: setting)
    } catch {
      throw .badSetting(
        "\(setting) = \(trimmed) cannot be used: awsenv sends credentials only over https, or "
          + "plain http to a loopback address or the metadata addresses (169.254.169.254, "
          + "[fd00:ec2::254], 169.254.170.2, 169.254.170.23, [fd00:ec2::23])")
    }
    if let linkLocal {
      endpoint.host = linkLocal + endpoint.host.dropFirst("127.0.0.1".count)
    }
    guard query.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "#" })
    else {
      throw .badSetting("\(setting) = \(trimmed) has a query that is not URL-encoded")
    }
    return (endpoint, query)
  }

  /// The request for `path` below `endpoint`'s base path.
  static func request(
    _ method: String, _ endpoint: ServiceEndpoint, path: String, query: String = "",
    headers: [HTTPHeader]
  ) -> HTTPRequest {
    let base = endpoint.path.hasSuffix("/") ? String(endpoint.path.dropLast()) : endpoint.path
    return HTTPRequest(
      method: method, scheme: endpoint.scheme, host: endpoint.host, path: base + path,
      query: query, headers: headers)
  }

  /// Credentials in the JSON both services answer with (AccessKeyId, SecretAccessKey, Token,
  /// Expiration): all four are required, as botocore requires them.
  static func credentials(_ body: [UInt8], service: String) throws(MetadataError) -> Credentials {
    guard let object = JSONObject.parse(body) else {
      throw .malformed(service: service, detail: "a body that is not JSON")
    }
    if let code = object.string("Code"), code != "Success" {
      throw .malformed(
        service: service, detail: "Code \(sanitizeServerMessage(code)) instead of Success")
    }
    guard let id = object.string("AccessKeyId"), let secret = object.string("SecretAccessKey"),
      let token = object.string("Token"),
      let expiration = object.string("Expiration").flatMap(parseRFC3339)
    else {
      throw .malformed(
        service: service,
        detail: "JSON without AccessKeyId, SecretAccessKey, Token and an RFC 3339 Expiration")
    }
    let credentials = Credentials(
      accessKeyID: id, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    guard (try? credentials.validate()) != nil else {
      throw .malformed(service: service, detail: "credentials of the wrong shape")
    }
    return credentials
  }
}
