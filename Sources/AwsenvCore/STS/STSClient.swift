import Foundation

/// AWS STS over the query protocol (form-encoded POST, XML answers), signed with SigV4.
public struct STSClient: Sendable {
  public var endpoint: ServiceEndpoint
  /// The region requests are signed for.
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

  static let apiVersion = "2011-06-15"

  /// GetSessionToken; with `mfaSerial` and `tokenCode` the session carries MFA.
  public func getSessionToken(
    _ credentials: Credentials, durationSeconds: Int? = nil, mfaSerial: String? = nil,
    tokenCode: String? = nil
  ) throws(STSError) -> Credentials {
    var parameters: [(String, String)] = []
    if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
    if let mfaSerial { parameters.append(("SerialNumber", mfaSerial)) }
    if let tokenCode { parameters.append(("TokenCode", tokenCode)) }
    return try credentialsCall("GetSessionToken", parameters, signedWith: credentials).credentials
  }

  /// AssumeRole with `credentials`.
  public func assumeRole(_ credentials: Credentials, _ request: AssumeRoleRequest)
    throws(STSError) -> SessionCredentials
  {
    var parameters = [("RoleArn", request.roleArn), ("RoleSessionName", request.sessionName)]
    if let value = request.externalID { parameters.append(("ExternalId", value)) }
    if let value = request.durationSeconds { parameters.append(("DurationSeconds", String(value))) }
    if let value = request.mfaSerial { parameters.append(("SerialNumber", value)) }
    if let value = request.tokenCode { parameters.append(("TokenCode", value)) }
    if let value = request.sourceIdentity { parameters.append(("SourceIdentity", value)) }
    return try credentialsCall("AssumeRole", parameters, signedWith: credentials)
  }

  /// AssumeRoleWithWebIdentity: unsigned; the token is the proof.
  public func assumeRoleWithWebIdentity(
    roleArn: String, sessionName: String, token: String, durationSeconds: Int? = nil
  ) throws(STSError) -> SessionCredentials {
    var parameters = [
      ("RoleArn", roleArn), ("RoleSessionName", sessionName), ("WebIdentityToken", token),
    ]
    if let value = durationSeconds { parameters.append(("DurationSeconds", String(value))) }
    return try credentialsCall("AssumeRoleWithWebIdentity", parameters, signedWith: nil)
  }

  /// AssumeRoleWithSAML: unsigned; the base64 assertion is the proof.
  public func assumeRoleWithSAML(
    roleArn: String, principalArn: String, assertion: String, durationSeconds: Int? = nil
  ) throws(STSError) -> SessionCredentials {
    var parameters = [
      ("RoleArn", roleArn), ("PrincipalArn", principalArn), ("SAMLAssertion", assertion),
    ]
    if let value = durationSeconds { parameters.append(("DurationSeconds", String(value))) }
    return try credentialsCall("AssumeRoleWithSAML", parameters, signedWith: nil)
  }

  /// GetCallerIdentity: who `credentials` are.
  public func getCallerIdentity(_ credentials: Credentials) throws(STSError) -> CallerIdentity {
    let document = try call("GetCallerIdentity", [], signedWith: credentials)
    guard let result = document.child("GetCallerIdentityResult"),
      let account = result.value("Account"), let arn = result.value("Arn")
    else {
      throw .malformed(
        action: "GetCallerIdentity", status: 200, detail: "a response without Account and Arn")
    }
    let userID = result.value("UserId") ?? ""
    // Validated where they enter: whoami prints them and the prompt shows the ARN.
    guard account.utf8.count == 12, account.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
      isPlausibleARN(arn),
      userID.isEmpty || (userID.utf8.count <= 256 && isIAMText(userID, extra: ":"))
    else {
      throw .malformed(
        action: "GetCallerIdentity", status: 200,
        detail: "an identity that is not an AWS account, ARN and user ID")
    }
    return CallerIdentity(account: account, arn: arn, userID: userID)
  }

  /// The request for `action`, signed when `credentials` are given, at `date`.
  func request(
    _ action: String, _ parameters: [(String, String)], signedWith credentials: Credentials?,
    date: Date
  )
    -> HTTPRequest
  {
    QueryProtocol.request(
      action, version: Self.apiVersion, parameters, endpoint: endpoint, service: "sts",
      region: signingRegion, signedWith: credentials, date: date)
  }

  /// Sends `action` with retries and returns the parsed success document.
  func call(
    _ action: String, _ parameters: [(String, String)], signedWith credentials: Credentials?
  ) throws(STSError) -> XMLElementNode {
    try retry.send(
      { request(action, parameters, signedWith: credentials, date: clock()) }, over: transport,
      options: options, parse: { Self.parse($0, action: action) }, code: \.code,
      unreachable: { .transport(action: action, $0) })
  }

  /// Sends `action`, one that returns temporary credentials, with retries: its credentials,
  /// refused when they arrive expired or about to expire (``StaleCredentials``).
  func credentialsCall(
    _ action: String, _ parameters: [(String, String)], signedWith credentials: Credentials?
  ) throws(STSError) -> SessionCredentials {
    try retry.send(
      { request(action, parameters, signedWith: credentials, date: clock()) }, over: transport,
      options: options,
      parse: { response in
        Self.parse(response, action: action).flatMap { document in
          Result { () throws(STSError) -> SessionCredentials in
            let session = try Self.credentials(in: document, action: action)
            if let stale = StaleCredentials.check(
              session.credentials.expiration, now: clock(), response: response)
            {
              throw .stale(action: action, stale)
            }
            return session
          }
        }
      }, code: \.code, unreachable: { .transport(action: action, $0) })
  }

  /// The `…Result` document of a 2xx response, or the error it describes.
  static func parse(_ response: HTTPResponse, action: String) -> Result<XMLElementNode, STSError> {
    switch QueryProtocol.read(response, action: action) {
    case .document(let document): return .success(document)
    case .error(let code, let message):
      return .failure(
        .service(action: action, status: response.status, code: code, message: message))
    case .malformed:
      let detail =
        (200..<300).contains(response.status)
        ? "a body that is not STS XML"
        : response.status >= 500 ? "a server error" : "a body that is not an STS error"
      return .failure(.malformed(action: action, status: response.status, detail: detail))
    }
  }

  static func credentials(in document: XMLElementNode, action: String) throws(STSError)
    -> SessionCredentials
  {
    // A member given twice is ambiguous (which key is the real one?): not STS's answer.
    let members = ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"]
    guard document.children.count(where: { $0.name == "\(action)Result" }) == 1,
      let result = document.child("\(action)Result"),
      result.children.count(where: { $0.name == "Credentials" }) == 1,
      let block = result.child("Credentials"),
      members.allSatisfy({ name in block.children.count(where: { $0.name == name }) == 1 }),
      let id = block.value("AccessKeyId"), let secret = block.value("SecretAccessKey"),
      let token = block.value("SessionToken"),
      let expiration = block.value("Expiration").flatMap(parseRFC3339)
    else {
      throw .malformed(action: action, status: 200, detail: "a response without credentials")
    }
    let credentials = Credentials(
      accessKeyID: id, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    guard (try? credentials.validate()) != nil else {
      throw .malformed(action: action, status: 200, detail: "credentials of the wrong shape")
    }
    let assumedRoleArn = result.value("AssumedRoleUser", "Arn")
    if let assumedRoleArn, !isPlausibleARN(assumedRoleArn) {
      throw .malformed(action: action, status: 200, detail: "an AssumedRoleUser that is not an ARN")
    }
    return SessionCredentials(credentials: credentials, assumedRoleArn: assumedRoleArn)
  }
}
