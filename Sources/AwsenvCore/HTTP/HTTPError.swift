/// Why a request got no HTTP response. Messages name the host, never a header or a body.
public enum HTTPError: Error, Sendable, Equatable {
  /// The host name did not resolve.
  case resolve(host: String, detail: String)
  /// The connection was refused or could not be made.
  case connect(host: String, detail: String)
  /// No answer within the connect or total timeout.
  case timedOut(host: String, seconds: Double)
  /// TLS failed: an untrusted or mismatched certificate, or a handshake error.
  case tls(host: String, detail: String)
  /// The proxy from the environment failed.
  case proxy(detail: String)
  /// The response body was larger than allowed.
  case responseTooLarge(host: String, limit: Int)
  /// The endpoint URL cannot be used (not https and not loopback, or malformed).
  case badEndpoint(String)
  /// The request cannot be made from here at all: libcurl is missing, or a header is unsafe.
  case unusable(host: String, detail: String)
  /// Anything else libcurl reported.
  case other(host: String, detail: String)

  /// Whether trying again may help (the SDKs' standard retry mode retries these).
  public var isRetryable: Bool {
    switch self {
    case .connect, .timedOut, .other: return true
    case .resolve, .tls, .proxy, .responseTooLarge, .badEndpoint, .unusable: return false
    }
  }

  /// One line for the user, without the `awsenv:` prefix.
  public var message: String {
    switch self {
    case .resolve(let host, let detail):
      return "cannot resolve \(host) (\(detail)); check the network, the region and any "
        + "endpoint_url / AWS_ENDPOINT_URL_* setting"
    case .connect(let host, let detail):
      return "cannot connect to \(host) (\(detail)); check the network, a proxy "
        + "(HTTPS_PROXY / NO_PROXY) and any endpoint_url / AWS_ENDPOINT_URL_* setting"
    case .timedOut(let host, let seconds):
      return "\(host) did not answer within \(Int(seconds)) s; check the network or proxy and retry"
    case .tls(let host, let detail):
      return "TLS with \(host) failed (\(detail)); if a proxy re-signs TLS, point AWS_CA_BUNDLE "
        + "(or ca_bundle in the profile) at its CA certificate"
    case .proxy(let detail):
      return "the proxy failed (\(detail)); check HTTPS_PROXY / https_proxy and NO_PROXY"
    case .responseTooLarge(let host, let limit):
      return "\(host) sent more than \(limit) bytes; refusing to read it (is the endpoint right?)"
    case .badEndpoint(let detail):
      return detail
    case .unusable(let host, let detail):
      return "cannot send a request to \(host): \(detail)"
    case .other(let host, let detail):
      return "the request to \(host) failed (\(detail)); retry, or check the network"
    }
  }
}
