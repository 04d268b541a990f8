import Foundation

/// An OIDC client registration (RegisterClient): what device logins and token refreshes
/// present. Kept in the keyring until it expires, as the AWS CLI keeps it in its cache.
public struct SSOClientRegistration: Sendable, Equatable {
  public var clientID: String
  public var clientSecret: String
  public var expiresAt: Date
  /// The scopes it was registered for (sso_registration_scopes).
  public var scopes: [String]

  public init(clientID: String, clientSecret: String, expiresAt: Date, scopes: [String]) {
    self.clientID = clientID
    self.clientSecret = clientSecret
    self.expiresAt = expiresAt
    self.scopes = scopes
  }
}

/// StartDeviceAuthorization's answer: what the user confirms in a browser, and how to poll.
public struct DeviceAuthorization: Sendable, Equatable {
  public var deviceCode: String
  public var userCode: String
  public var verificationURI: String
  /// The URL with the code in it (nil when the service sent none).
  public var verificationURIComplete: String?
  public var expiresIn: Int
  /// Seconds between CreateToken polls (RFC 8628 default 5).
  public var interval: Int

  /// The URL that may be handed to a browser: the one with the code when it is safe, else the
  /// plain one when it is; nil when neither is (then only the code and ``shownURI`` are
  /// printed). The server chooses these URLs, and a browser opens `file:` and other schemes.
  public var browserURL: String? {
    [verificationURIComplete, verificationURI].compactMap { $0 }.first(where: Self.isSafeToOpen)
  }

  /// What to print for the user to open by hand: ``browserURL``, else the plain verification
  /// URI with every control character replaced.
  public var shownURI: String {
    browserURL ?? printableServerText(verificationURI)
  }

  /// What to tell the user when the server sent a URL that is not opened: the one with the
  /// code (then the plain one is, and the code must be typed), or the plain one too (then
  /// nothing is opened). nil when every URL that matters is safe.
  public var refusal: String? {
    if browserURL == nil {
      return "the verification URL from IAM Identity Center is not an https URL of printable "
        + "characters, so it was not opened; check it before you open it yourself"
    }
    if let complete = verificationURIComplete, !Self.isSafeToOpen(complete) {
      return "the verification URL with the code from IAM Identity Center is not an https URL "
        + "of printable characters, so the plain one is used; type the code there"
    }
    return nil
  }

  /// Whether `url` is one to open in a browser: `https://` with a host, or `http://` to a
  /// loopback address (a local test server), at most 2048 characters of printable ASCII: no
  /// control character, space, quote or backslash that a terminal, shell or `xdg-open` could
  /// read as something else.
  public static func isSafeToOpen(_ url: String) -> Bool {
    guard url.utf8.count <= 2048,
      url.utf8.allSatisfy({ (0x21...0x7E).contains($0) && !Array(#""'\`<>"#.utf8).contains($0) })
    else { return false }
    let lowered = url.lowercased()
    let rest: Substring
    if lowered.hasPrefix("https://") {
      rest = lowered.dropFirst(8)
    } else if lowered.hasPrefix("http://") {
      rest = lowered.dropFirst(7)
    } else {
      return false
    }
    let authority = rest.prefix { !"/?#".contains($0) }
    guard !authority.isEmpty, !authority.contains("@") else { return false }
    if lowered.hasPrefix("https://") { return true }
    var host = authority
    if host.hasPrefix("["), let end = host.firstIndex(of: "]") {
      host = host[host.index(after: host.startIndex)..<end]
    } else if let colon = host.lastIndex(of: ":") {
      host = host[..<colon]
    }
    let octets = host.split(separator: ".", omittingEmptySubsequences: false)
    let loopbackIPv4 =
      octets.count == 4 && octets.first == "127"
      && octets.allSatisfy { UInt8($0) != nil && $0.allSatisfy(\.isASCII) }
    return host == "localhost" || host == "::1" || loopbackIPv4
  }
}

/// CreateToken's answer.
public struct SSOTokenGrant: Sendable, Equatable {
  public var accessToken: String
  public var expiresIn: Int
  public var refreshToken: String?
}

/// An account the user can reach through IAM Identity Center.
public struct SSOAccount: Sendable, Equatable {
  /// Twelve digits.
  public var accountID: String
  /// The display name, at most 256 characters, every terminal control replaced by `?`
  /// (``printableServerText(_:)``): it names profiles and may be printed, never more.
  public var accountName: String

  /// The longest account name accepted; AWS Organizations allows 50.
  static let maxNameLength = 256

  /// Whether `text` is an AWS account ID: twelve ASCII digits.
  public static func isAccountID(_ text: String) -> Bool {
    text.utf8.count == 12 && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
  }

  /// Whether `text` is an IAM role name (`[A-Za-z0-9+=,.@_-]{1,64}`), as a permission set's
  /// role is: nothing that could end a config line or open a section.
  public static func isRoleName(_ text: String) -> Bool {
    text.utf8.count <= 64 && isIAMText(text, extra: "")
  }
}

/// IAM Identity Center over its two REST-JSON APIs (as botocore's `sso-oidc` and `sso`
/// service models define them): the OIDC service for device logins and tokens, and the portal
/// for accounts, roles and role credentials. Neither is SigV4-signed: the OIDC calls carry the
/// client registration in their body, the portal calls the access token in the
/// `x-amz-sso_bearer_token` header.
public struct SSOClient: Sendable {
  public var oidcEndpoint: ServiceEndpoint
  public var portalEndpoint: ServiceEndpoint
  public var transport: any HTTPTransport
  public var options: HTTPOptions
  public var retry: RetryPolicy
  /// This machine's time, against which role credentials' expiry is checked.
  public var clock: @Sendable () -> Date

  public init(
    oidcEndpoint: ServiceEndpoint, portalEndpoint: ServiceEndpoint, transport: any HTTPTransport,
    options: HTTPOptions = HTTPOptions(), retry: RetryPolicy = RetryPolicy(),
    clock: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.oidcEndpoint = oidcEndpoint
    self.portalEndpoint = portalEndpoint
    self.transport = transport
    self.options = options
    self.retry = retry
    self.clock = clock
  }

  /// The endpoints for `region`, or the configured ones (AWS_ENDPOINT_URL_SSO_OIDC /
  /// AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL, the profile's `[services]` block or endpoint_url).
  public static func endpoints(
    region: String, profile: ProfileSection?, config: AWSConfig, environment: [String: String]
  ) throws(HTTPError) -> (oidc: ServiceEndpoint, portal: ServiceEndpoint) {
    func endpoint(_ service: String, _ host: String) throws(HTTPError) -> ServiceEndpoint {
      if let (url, setting) = EndpointResolver.configured(
        service: service, profile: profile, config: config, environment: environment)
      {
        return try ServiceEndpoint.parse(url, setting: setting)
      }
      return ServiceEndpoint(scheme: "https", host: host)
    }
    let suffix = Partition.of(region: region).dnsSuffix
    return (
      try endpoint("SSO_OIDC", "oidc.\(region).\(suffix)"),
      try endpoint("SSO", "portal.sso.\(region).\(suffix)")
    )
  }

  // MARK: OIDC

  /// RegisterClient: a public client for device logins.
  public func registerClient(name: String, scopes: [String], now: Date) throws(SSOError)
    -> SSOClientRegistration
  {
    var body: [(String, JSONValue)] = [
      ("clientName", .string(name)), ("clientType", .string("public")),
    ]
    if !scopes.isEmpty { body.append(("scopes", .array(scopes.map { .string($0) }))) }
    let reply = try call(.registerClient, body: body)
    guard let id = reply.string("clientId"), let secret = reply.string("clientSecret") else {
      throw .malformed(operation: .registerClient, detail: "no clientId or clientSecret")
    }
    // clientSecretExpiresAt is in Unix seconds; a registration without one lasts 90 days.
    let expires: Date
    if !reply.has("clientSecretExpiresAt") {
      expires = now.addingTimeInterval(90 * 86_400)
    } else {
      guard let seconds = reply.integer("clientSecretExpiresAt"),
        (0...maxUnixSeconds).contains(seconds)
      else {
        throw .malformed(
          operation: .registerClient, detail: "a clientSecretExpiresAt that is not a time")
      }
      expires = Date(timeIntervalSince1970: Double(seconds))
    }
    return SSOClientRegistration(
      clientID: id, clientSecret: secret, expiresAt: expires, scopes: scopes)
  }

  /// StartDeviceAuthorization for `startURL`.
  public func startDeviceAuthorization(_ client: SSOClientRegistration, startURL: String)
    throws(SSOError) -> DeviceAuthorization
  {
    let reply = try call(
      .startDeviceAuthorization,
      body: [
        ("clientId", .string(client.clientID)), ("clientSecret", .string(client.clientSecret)),
        ("startUrl", .string(startURL)),
      ])
    guard let device = reply.string("deviceCode"), let user = reply.string("userCode"),
      let uri = reply.string("verificationUri")
    else {
      throw .malformed(
        operation: .startDeviceAuthorization, detail: "no deviceCode, userCode or verificationUri")
    }
    guard let expiresIn = reply.seconds("expiresIn", default: 600),
      let interval = reply.seconds("interval", default: 5)
    else {
      throw .malformed(
        operation: .startDeviceAuthorization,
        detail: "an expiresIn or interval that is not a number of seconds")
    }
    return DeviceAuthorization(
      deviceCode: device, userCode: user, verificationURI: uri,
      verificationURIComplete: reply.string("verificationUriComplete"),
      expiresIn: expiresIn, interval: max(interval, 1))
  }

  /// CreateToken for a device code. Until the user confirms it throws
  /// `.service(code: "AuthorizationPendingException")` (or SlowDown, ExpiredToken, AccessDenied).
  public func createToken(_ client: SSOClientRegistration, deviceCode: String) throws(SSOError)
    -> SSOTokenGrant
  {
    try token(
      client,
      [
        ("grantType", .string("urn:ietf:params:oauth:grant-type:device_code")),
        ("deviceCode", .string(deviceCode)),
      ])
  }

  /// CreateToken with a refresh token.
  public func refreshToken(_ client: SSOClientRegistration, refreshToken: String)
    throws(SSOError) -> SSOTokenGrant
  {
    try token(
      client, [("grantType", .string("refresh_token")), ("refreshToken", .string(refreshToken))])
  }

  private func token(_ client: SSOClientRegistration, _ grant: [(String, JSONValue)])
    throws(SSOError) -> SSOTokenGrant
  {
    let reply = try call(
      .createToken,
      body: [
        ("clientId", .string(client.clientID)), ("clientSecret", .string(client.clientSecret)),
      ] + grant)
    guard let token = reply.string("accessToken"), reply.has("expiresIn") else {
      throw .malformed(operation: .createToken, detail: "no accessToken or expiresIn")
    }
    guard let expiresIn = reply.seconds("expiresIn", default: 0), expiresIn > 0 else {
      throw .malformed(
        operation: .createToken, detail: "an expiresIn that is not a positive number of seconds")
    }
    return SSOTokenGrant(
      accessToken: token, expiresIn: expiresIn, refreshToken: reply.string("refreshToken"))
  }

  // MARK: Portal

  /// GetRoleCredentials: the role's temporary credentials (expiration in epoch milliseconds).
  public func roleCredentials(accessToken: String, accountID: String, roleName: String)
    throws(SSOError) -> Credentials
  {
    let (reply, response) = try callKeepingResponse(
      .getRoleCredentials, token: accessToken,
      query: [("account_id", accountID), ("role_name", roleName)])
    guard let block = reply.object("roleCredentials"), let id = block.string("accessKeyId"),
      let secret = block.string("secretAccessKey"), let session = block.string("sessionToken"),
      block.has("expiration")
    else {
      throw .malformed(operation: .getRoleCredentials, detail: "no roleCredentials")
    }
    // Epoch milliseconds. A value in seconds would read as a date in early 1970, so anything
    // before 1973 (10^11 ms) is refused rather than exported as long expired.
    guard let milliseconds = block.integer("expiration"),
      (100_000_000_000...maxUnixSeconds * 1000).contains(milliseconds)
    else {
      throw .malformed(
        operation: .getRoleCredentials,
        detail: "an expiration that is not a time in epoch milliseconds")
    }
    let credentials = Credentials(
      accessKeyID: id, secretAccessKey: secret, sessionToken: session,
      expiration: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    guard (try? credentials.validate()) != nil else {
      throw .malformed(operation: .getRoleCredentials, detail: "credentials of the wrong shape")
    }
    if let stale = StaleCredentials.check(credentials.expiration, now: clock(), response: response)
    {
      throw .stale(operation: .getRoleCredentials, stale)
    }
    return credentials
  }

  /// ListAccounts, every page. Account IDs are checked and names made printable here, where
  /// they enter: they go into ~/.aws/config and onto the terminal.
  public func accounts(accessToken: String) throws(SSOError) -> [SSOAccount] {
    var accounts: [SSOAccount] = []
    try paginate(.listAccounts, token: accessToken, query: []) { (page) throws(SSOError) in
      guard let list = page.array("accountList") else {
        throw .malformed(operation: .listAccounts, detail: "no accountList")
      }
      for entry in list {
        guard let id = entry.string("accountId") else {
          throw .malformed(operation: .listAccounts, detail: "an account without accountId")
        }
        guard SSOAccount.isAccountID(id) else {
          throw .malformed(
            operation: .listAccounts,
            detail: "the account ID \(quotedServerText(id)), which is not twelve digits")
        }
        let name = entry.string("accountName") ?? ""
        guard name.unicodeScalars.count <= SSOAccount.maxNameLength else {
          throw .malformed(
            operation: .listAccounts,
            detail: "an account name longer than \(SSOAccount.maxNameLength) characters")
        }
        accounts.append(SSOAccount(accountID: id, accountName: printableServerText(name)))
      }
    }
    return accounts
  }

  /// ListAccountRoles of `accountID`, every page: the role names, each checked to be an IAM
  /// role name (it becomes a config line, `sso_role_name = NAME`).
  public func roles(accessToken: String, accountID: String) throws(SSOError) -> [String] {
    var roles: [String] = []
    try paginate(.listAccountRoles, token: accessToken, query: [("account_id", accountID)]) {
      (page) throws(SSOError) in
      guard let list = page.array("roleList") else {
        throw .malformed(operation: .listAccountRoles, detail: "no roleList")
      }
      for entry in list {
        guard let name = entry.string("roleName") else {
          throw .malformed(operation: .listAccountRoles, detail: "a role without roleName")
        }
        guard SSOAccount.isRoleName(name) else {
          throw .malformed(
            operation: .listAccountRoles,
            detail: "the role name \(quotedServerText(name)), which is not an IAM role name")
        }
        roles.append(name)
      }
    }
    return roles
  }

  /// Logout: the portal forgets the token.
  public func logout(accessToken: String) throws(SSOError) {
    _ = try call(.logout, token: accessToken)
  }

  /// Pages through a list call: `next_token` until the reply has no nextToken (at most 1,000
  /// pages, against a server that never stops).
  private func paginate(
    _ operation: SSOOperation, token: String, query: [(String, String)],
    _ page: (JSONObject) throws(SSOError) -> Void
  ) throws(SSOError) {
    var next: String?
    for _ in 0..<1000 {
      var parameters = query + [("max_result", "100")]
      if let next { parameters.append(("next_token", next)) }
      let reply = try call(operation, token: token, query: parameters)
      try page(reply)
      guard let following = reply.string("nextToken"), !following.isEmpty else { return }
      next = following
    }
    throw .malformed(operation: operation, detail: "more than 1,000 pages")
  }

  // MARK: Wire

  /// Sends one call, with the standard retries, and returns the JSON object it answered.
  func call(
    _ operation: SSOOperation, body: [(String, JSONValue)]? = nil, token: String? = nil,
    query: [(String, String)] = [], received: (HTTPResponse) -> Void = { _ in }
  ) throws(SSOError) -> JSONObject {
    let endpoint = operation.isOIDC ? oidcEndpoint : portalEndpoint
    let base = endpoint.path.hasSuffix("/") ? String(endpoint.path.dropLast()) : endpoint.path
    var request = HTTPRequest(
      method: operation.method, scheme: endpoint.scheme, host: endpoint.host,
      path: base + operation.path,
      query: query.map { formEncode($0.0) + "=" + formEncode($0.1) }.joined(separator: "&"))
    if let body {
      request.headers.append(HTTPHeader("Content-Type", "application/json"))
      request.body = Array(JSONValue.object(body).text.utf8)
    }
    if let token { request.headers.append(HTTPHeader("x-amz-sso_bearer_token", token)) }
    return try retry.send(
      { request }, over: transport, options: options,
      parse: { (response: HTTPResponse) -> Result<JSONObject, SSOError> in
        received(response)
        return Self.parse(response, operation: operation)
      }, code: { (error: SSOError) in error.code },
      unreachable: { SSOError.transport(operation: operation, $0) })
  }

  /// ``call(_:body:token:query:received:)`` that also returns the response (for its `Date` header).
  func callKeepingResponse(
    _ operation: SSOOperation, token: String? = nil, query: [(String, String)] = []
  ) throws(SSOError) -> (JSONObject, HTTPResponse) {
    var kept: HTTPResponse?
    let reply = try call(operation, token: token, query: query) { kept = $0 }
    return (reply, kept ?? HTTPResponse(status: 200))
  }

  /// The JSON object of a 2xx response, or the error it describes: the code from the
  /// `x-amzn-ErrorType` header, else the body's `__type` or `code`, else (OIDC) its OAuth
  /// `error` member, as botocore's rest-json parser reads them.
  static func parse(_ response: HTTPResponse, operation: SSOOperation) -> Result<
    JSONObject, SSOError
  > {
    let object = JSONObject.parse(response.body)
    if (200..<300).contains(response.status) {
      if response.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D }) {
        return .success(JSONObject([:]))
      }
      guard let object else {
        return .failure(.malformed(operation: operation, detail: "a body that is not JSON"))
      }
      return .success(object)
    }
    // A code that does not look like one (control characters, a page of text) is not used,
    // and never repeated to the user.
    var code = response.header("x-amzn-ErrorType").map {
      String($0.prefix { $0 != ":" })
    }.flatMap { isErrorCode($0) ? $0 : nil }
    if code == nil {
      code = (object?.string("__type") ?? object?.string("code")).map {
        String($0.split(separator: "#").last ?? "")
      }.flatMap { isErrorCode($0) ? $0 : nil }
    }
    if code == nil, let oauth = object?.string("error") {
      code = SSOError.oauthCodes[oauth]
    }
    guard let code, !code.isEmpty else {
      return .failure(
        .malformed(
          operation: operation,
          detail: "HTTP \(response.status)"
            + (response.status >= 500 ? " (a server error)" : " without an error code")))
    }
    let message =
      object?.string("message") ?? object?.string("Message") ?? object?.string("error_description")
      ?? ""
    return .failure(
      .service(
        operation: operation, status: response.status, code: code,
        message: sanitizeServerMessage(message)))
  }
}
