/// The transport of a resolver that must not make network calls (unit tests of other parts).
public struct UnavailableTransport: HTTPTransport {
  public init() {}
  public func send(_ request: HTTPRequest, options: HTTPOptions) throws(HTTPError) -> HTTPResponse {
    throw .other(host: request.host, detail: "no network in this context")
  }
}
