import Foundation

/// The AWS query protocol that STS and IAM speak: a form-encoded POST of `Action`, `Version`
/// and the parameters, signed with SigV4, answered with an XML document.
enum QueryProtocol {
  /// The request for `action` at `endpoint`, signed for `service` in `region` with
  /// `credentials` when given (some STS calls are unsigned), at `date`.
  static func request(
    _ action: String, version: String, _ parameters: [(String, String)],
    endpoint: ServiceEndpoint, service: String, region: String,
    signedWith credentials: Credentials?,
    date: Date
  ) -> HTTPRequest {
    let body = ([("Action", action), ("Version", version)] + parameters)
      .map { formEncode($0.0) + "=" + formEncode($0.1) }
      .joined(separator: "&")
    var request = HTTPRequest(
      method: "POST", scheme: endpoint.scheme, host: endpoint.host, path: endpoint.path,
      headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
      body: Array(body.utf8))
    if let credentials {
      SigV4(credentials: credentials, region: region, service: service)
        .sign(&request, date: date)
    }
    return request
  }

  /// What an answer to `action` says, before a service turns it into its own error type.
  enum Answer {
    /// The `…Response` document of a 2xx answer.
    case document(XMLElementNode)
    /// An error document with an error code that looks like one, and its sanitised message.
    case error(code: String, message: String)
    /// Neither: a 2xx answer that is not the expected document, or an error body that is not
    /// an error document of this protocol.
    case malformed
  }

  /// Reads `response` to `action`.
  static func read(_ response: HTTPResponse, action: String) -> Answer {
    let document = XMLElementNode.parse(response.body)
    if (200..<300).contains(response.status) {
      guard let document, document.name == "\(action)Response" else { return .malformed }
      return .document(document)
    }
    guard let document, let error = queryErrorElement(in: document),
      let code = error.value("Code"), isErrorCode(code)
    else { return .malformed }
    return .error(code: code, message: sanitizeServerMessage(error.value("Message") ?? ""))
  }
}
