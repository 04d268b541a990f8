/// Sends requests. The binary uses libcurl (``CurlTransport``); unit tests use a closure.
public protocol HTTPTransport: Sendable {
  func send(_ request: HTTPRequest, options: HTTPOptions) throws(HTTPError) -> HTTPResponse
}
