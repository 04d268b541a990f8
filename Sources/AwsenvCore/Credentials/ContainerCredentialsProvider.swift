import Foundation

/// The task or pod role credentials of a container, as botocore's ContainerProvider gets them:
/// GET http://169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (ECS), else
/// AWS_CONTAINER_CREDENTIALS_FULL_URI (https anywhere; plain http only to loopback or the
/// ECS / EKS Pod Identity addresses), with the `Authorization` header from
/// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read at each call: EKS rotates it) or
/// AWS_CONTAINER_AUTHORIZATION_TOKEN. Each request gets 2 s and 3 attempts, 1 s apart.
public struct ContainerCredentialsProvider: Sendable {
  public var endpoint: ServiceEndpoint
  public var path: String
  public var query: String
  /// The Authorization header's value, if any.
  public var authorization: String?
  public var transport: any HTTPTransport
  public var sleep: @Sendable (Double) -> Void

  static let ecsHost = "169.254.170.2"
  static let attempts = 3

  /// The provider the container variables of `environment` describe.
  public static func configured(
    profile: String, environment: [String: String], transport: any HTTPTransport,
    sleep: @escaping @Sendable (Double) -> Void
  ) throws(MetadataError) -> ContainerCredentialsProvider {
    let parsed: (endpoint: ServiceEndpoint, query: String)
    if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
      let path = relative.hasPrefix("/") ? relative : "/" + relative
      parsed = try MetadataEndpoint.parse(
        "http://\(ecsHost)\(path)", setting: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
      parsed = try MetadataEndpoint.parse(full, setting: "AWS_CONTAINER_CREDENTIALS_FULL_URI")
    } else {
      throw .noContainerURI(profile: profile)
    }
    var token: String?
    if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty {
      do throws(AtomicFile.Failure) {
        guard let bytes = try AtomicFile.read(file, limit: 1 << 16) else {
          throw AtomicFile.Failure(path: file, reason: "no such file")
        }
        token = String(decoding: bytes, as: UTF8.self)
          .trimmingCharacters(in: .whitespacesAndNewlines)
      } catch {
        throw .badAuthorizationToken(
          "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file) (\(error.reason))")
      }
    } else if let value = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !value.isEmpty {
      token = value
    }
    if let token,
      token.isEmpty
        || !token.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
    {
      throw .badAuthorizationToken(
        "the container authorization token is empty or has control characters (a header "
          + "cannot carry them); check AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]")
    }
    return ContainerCredentialsProvider(
      endpoint: ServiceEndpoint(scheme: parsed.endpoint.scheme, host: parsed.endpoint.host),
      path: parsed.endpoint.path, query: parsed.query, authorization: token,
      transport: transport, sleep: sleep)
  }

  /// The container role's credentials (temporary).
  public func credentials() throws(MetadataError) -> Credentials {
    let service = MetadataError.container
    var headers = [HTTPHeader("Accept", "application/json")]
    if let authorization { headers.append(HTTPHeader("Authorization", authorization)) }
    let request = MetadataEndpoint.request(
      "GET", endpoint, path: path, query: query, headers: headers)
    let options = HTTPOptions(
      connectTimeout: 2, totalTimeout: 2, userAgent: "awsenv/\(AwsenvInfo.version)")
    var attempt = 1
    while true {
      do {
        let response = try transport.send(request, options: options)
        if response.status == 200 {
          return try MetadataEndpoint.credentials(response.body, service: service)
        }
        // A refused token will not be accepted on the next attempt.
        if attempt >= Self.attempts || [400, 401, 403, 404].contains(response.status) {
          throw MetadataError.refused(
            service: service, what: "GET \(path)", status: response.status)
        }
      } catch let error as MetadataError {
        throw error
      } catch let error as HTTPError {
        if attempt >= Self.attempts { throw .unreachable(service: service, error) }
      } catch {
        throw .malformed(service: service, detail: "\(error)")
      }
      sleep(1)
      attempt += 1
    }
  }
}
