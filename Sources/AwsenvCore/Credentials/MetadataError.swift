/// Why the instance metadata service or the container credentials endpoint gave no
/// credentials. Messages name the setting to check; none holds a secret.
public enum MetadataError: Error, Sendable, Equatable {
  /// AWS_EC2_METADATA_DISABLED is true.
  case imdsDisabled(profile: String)
  /// An endpoint, mode or number setting that cannot be used.
  case badSetting(String)
  /// credential_source = EcsContainer without either container variable.
  case noContainerURI(profile: String)
  /// The authorization token file could not be read, or the token cannot be a header.
  case badAuthorizationToken(String)
  /// No HTTP answer from `service` (after the attempts allowed).
  case unreachable(service: String, HTTPError)
  /// `service` answered `status` at `what`.
  case refused(service: String, what: String, status: Int)
  /// The answer holds no usable credentials.
  case malformed(service: String, detail: String)

  static let imds = "the EC2 instance metadata service"
  static let container = "the container credentials endpoint"

  /// One line for the user, without the `awsenv:` prefix.
  public var message: String {
    switch self {
    case .imdsDisabled(let profile):
      return "profile '\(profile)' takes its source credentials from the EC2 instance metadata "
        + "service (credential_source = Ec2InstanceMetadata), but AWS_EC2_METADATA_DISABLED is "
        + "true; unset it, or use another source"
    case .badSetting(let detail):
      return detail
    case .noContainerURI(let profile):
      return "profile '\(profile)' takes its source credentials from the container "
        + "(credential_source = EcsContainer), but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
        + "nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set; run it inside ECS/EKS, or use another "
        + "source"
    case .badAuthorizationToken(let detail):
      return detail
    case .unreachable(let service, let error):
      return "\(service) did not answer: \(error.message)"
    case .refused(let service, let what, let status):
      return "\(service) answered HTTP \(status) for \(what); "
        + (status == 401 || status == 403
          ? "the authorization token (AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]) or IMDS token "
            + "was refused"
          : status == 404
            ? "is an instance profile (a role) attached to this instance or task?"
            : "retry in a moment")
    case .malformed(let service, let detail):
      return "\(service) answered with \(detail); is the endpoint right?"
    }
  }
}
