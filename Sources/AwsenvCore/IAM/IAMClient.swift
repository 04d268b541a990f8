import Foundation

/// AWS IAM over the query protocol (form-encoded POST, XML answers, version 2010-05-08),
/// signed with SigV4: the access-key calls `awsenv rotate` needs.
public struct IAMClient: Sendable {
  public var endpoint: ServiceEndpoint
  /// The region requests are signed for: IAM is global, signed for its partition's region
  /// (us-east-1 in `aws`).
  public var signingRegion: String
  public var transport: any HTTPTransport
  public var options: HTTPOptions
  public var retry: RetryPolicy
  public var clock: @Sendable () -> Date

  public init(
    endpoint: ServiceEndpoint, signingRegion: String, transport: any HTTPTransport,
    options: HTTPOptions = HTTPOptions(), retry: RetryPolicy = RetryPolicy(),
    clock: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.endpoint = endpoint
    self.signingRegion = signingRegion
    self.transport = transport
    self.options = options
    self.retry = retry
    self.clock = clock
  }

  static let apiVersion = "2010-05-08"

  /// One access key of a user, as ListAccessKeys describes it (never its secret).
  public struct AccessKeyMetadata: Sendable, Equatable {
    public var accessKeyID: String
    /// `Active` or `Inactive`.
    public var status: String
  }

  /// ListAccessKeys of `userName` (the caller's own user when nil).
  public func listAccessKeys(_ credentials: Credentials, userName: String?) throws(IAMError)
    -> [AccessKeyMetadata]
  {
    let action = "ListAccessKeys"
    let document = try call(action, userName.map { [("UserName", $0)] } ?? [], credentials)
    guard let members = document.path("\(action)Result", "AccessKeyMetadata") else {
      throw .malformed(action: action, status: 200, detail: "a response without AccessKeyMetadata")
    }
    return members.children.filter { $0.name == "member" }.compactMap { member in
      member.value("AccessKeyId").map {
        AccessKeyMetadata(accessKeyID: $0, status: member.value("Status") ?? "")
      }
    }
  }

  /// CreateAccessKey for `userName` (the caller's own user when nil): new long-lived keys.
  public func createAccessKey(_ credentials: Credentials, userName: String?) throws(IAMError)
    -> Credentials
  {
    let action = "CreateAccessKey"
    // One attempt: a request whose answer was lost may have made a key, and another attempt
    // would make a second one whose secret nobody has.
    var once = self
    once.retry.maxAttempts = 1
    let document = try once.call(action, userName.map { [("UserName", $0)] } ?? [], credentials)
    guard document.children.count(where: { $0.name == "\(action)Result" }) == 1,
      let key = document.path("\(action)Result", "AccessKey"),
      ["AccessKeyId", "SecretAccessKey"].allSatisfy({ name in
        key.children.count(where: { $0.name == name }) == 1
      }),
      let id = key.value("AccessKeyId"), let secret = key.value("SecretAccessKey")
    else {
      throw .malformed(action: action, status: 200, detail: "a response without an access key")
    }
    let keys = Credentials(accessKeyID: id, secretAccessKey: secret)
    guard (try? keys.validate()) != nil else {
      throw .malformed(action: action, status: 200, detail: "an access key of the wrong shape")
    }
    return keys
  }

  /// DeleteAccessKey `accessKeyID` of `userName` (the caller's own user when nil).
  public func deleteAccessKey(_ credentials: Credentials, accessKeyID: String, userName: String?)
    throws(IAMError)
  {
    var parameters = [("AccessKeyId", accessKeyID)]
    if let userName { parameters.append(("UserName", userName)) }
    _ = try call("DeleteAccessKey", parameters, credentials)
  }

  /// The signed request for `action` at `date`.
  func request(
    _ action: String, _ parameters: [(String, String)], signedWith credentials: Credentials,
    date: Date
  ) -> HTTPRequest {
    QueryProtocol.request(
      action, version: Self.apiVersion, parameters, endpoint: endpoint, service: "iam",
      region: signingRegion, signedWith: credentials, date: date)
  }

  /// Sends `action` with retries and returns the parsed success document.
  func call(_ action: String, _ parameters: [(String, String)], _ credentials: Credentials)
    throws(IAMError) -> XMLElementNode
  {
    try retry.send(
      { request(action, parameters, signedWith: credentials, date: clock()) }, over: transport,
      options: options, parse: { Self.parse($0, action: action) }, code: \.code,
      unreachable: { .transport(action: action, $0) })
  }

  /// The `…Response` document of a 2xx response, or the error it describes.
  static func parse(_ response: HTTPResponse, action: String) -> Result<XMLElementNode, IAMError> {
    switch QueryProtocol.read(response, action: action) {
    case .document(let document): return .success(document)
    case .error(let code, let message):
      return .failure(
        .service(action: action, status: response.status, code: code, message: message))
    case .malformed:
      let detail =
        (200..<300).contains(response.status)
        ? "a body that is not IAM XML"
        : response.status >= 500 ? "a server error" : "a body that is not an IAM error"
      return .failure(.malformed(action: action, status: response.status, detail: detail))
    }
  }
}
