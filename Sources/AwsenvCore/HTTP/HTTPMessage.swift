/// One header line. Names keep the case they were given; comparisons ignore it.
public struct HTTPHeader: Sendable, Equatable {
  public var name: String
  public var value: String

  public init(_ name: String, _ value: String) {
    self.name = name
    self.value = value
  }
}

/// An HTTP request as it goes on the wire: what the signer signs and the transport sends.
public struct HTTPRequest: Sendable, Equatable {
  public var method: String
  /// "https", or "http" for a loopback test endpoint.
  public var scheme: String
  /// The authority as the Host header carries it: `host` or `host:port` (IPv6 in brackets).
  public var host: String
  /// The path as sent, already percent-encoded (e.g. "/").
  public var path: String
  /// The query string as sent, without "?", already percent-encoded; "" when none.
  public var query: String
  public var headers: [HTTPHeader]
  public var body: [UInt8]

  public init(
    method: String, scheme: String, host: String, path: String = "/", query: String = "",
    headers: [HTTPHeader] = [], body: [UInt8] = []
  ) {
    self.method = method
    self.scheme = scheme
    self.host = host
    self.path = path
    self.query = query
    self.headers = headers
    self.body = body
  }

  /// The full URL: scheme://host/path?query.
  public var url: String {
    scheme + "://" + host + path + (query.isEmpty ? "" : "?" + query)
  }

  /// The first header called `name` (any case).
  public func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }
}

/// What came back.
public struct HTTPResponse: Sendable, Equatable {
  public var status: Int
  public var headers: [HTTPHeader]
  public var body: [UInt8]

  public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  public func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }
}

/// How one request is sent.
public struct HTTPOptions: Sendable, Equatable {
  /// Seconds to establish the connection (TCP and TLS).
  public var connectTimeout: Double
  /// Seconds for the whole request.
  public var totalTimeout: Double
  /// A PEM file of CA certificates to trust instead of the system's (AWS_CA_BUNDLE, ca_bundle).
  public var caBundle: String?
  public var userAgent: String
  /// Largest response body accepted, in bytes; a longer one is an error.
  public var maxResponseBytes: Int

  public init(
    connectTimeout: Double = 5, totalTimeout: Double = 30, caBundle: String? = nil,
    userAgent: String = "awsenv", maxResponseBytes: Int = 1 << 20
  ) {
    self.connectTimeout = connectTimeout
    self.totalTimeout = totalTimeout
    self.caBundle = caBundle
    self.userAgent = userAgent
    self.maxResponseBytes = maxResponseBytes
  }
}

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

/// Sends requests. The binary uses libcurl (``CurlTransport``); unit tests use a closure.
public protocol HTTPTransport: Sendable {
  func send(_ request: HTTPRequest, options: HTTPOptions) throws(HTTPError) -> HTTPResponse
}
