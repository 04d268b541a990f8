import Foundation
import Synchronization

/// An ``HTTPTransport`` that logs each request (method, URL without query, header names, body
/// size) and its answer (status, size, time) when debugging, and passes it on.
public struct LoggingTransport: HTTPTransport {
  public let base: any HTTPTransport

  public init(_ base: any HTTPTransport) {
    self.base = base
  }

  public func send(_ request: HTTPRequest, options: HTTPOptions) throws(HTTPError) -> HTTPResponse {
    let url = request.url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
    let headers = request.headers.map { $0.name.lowercased() }.sorted().joined(separator: ",")
    DebugLog.log(
      "http: \(request.method) \(url) headers [\(headers)] body \(request.body.count) bytes")
    let start = Date()
    do {
      let response = try base.send(request, options: options)
      DebugLog.log(
        "http: → \(response.status), \(response.body.count) bytes "
          + "(\(milliseconds(since: start)))")
      return response
    } catch {
      DebugLog.log("http: → failed: \(error.message) (\(milliseconds(since: start)))")
      throw error
    }
  }
}
