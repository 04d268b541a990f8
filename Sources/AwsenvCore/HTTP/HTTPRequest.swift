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
