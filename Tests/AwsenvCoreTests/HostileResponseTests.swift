import Foundation
import XCTest

@testable import AwsenvCore

/// Answers every request with the same response and counts the requests.
final class CannedTransport: HTTPTransport, @unchecked Sendable {
  let response: HTTPResponse
  private let lock = NSLock()
  private var sent = 0

  init(_ response: HTTPResponse) { self.response = response }

  var requests: Int { lock.withLock { sent } }

  func send(_ request: HTTPRequest, options: HTTPOptions) throws(HTTPError) -> HTTPResponse {
    lock.withLock { sent += 1 }
    return response
  }
}

/// What a hostile, broken or truncated STS or IAM Identity Center answer does, and what
/// malformed config files do: an error with a clear one-line message (naming file and line for
/// config files), never a crash, a hang, a half-read credential or a secret from the body
/// repeated beyond the 300 characters of a server's own message.
final class HostileResponseTests: XCTestCase {
  /// In every body below; no error message may contain it.
  static let secret = "SECRETxBODYxSECRETxBODYxSECRET0000000001"
  static let keys = Credentials(
    accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG")
  static let expiration = "2031-01-02T03:04:05Z"
  static let token = "IQoJb3JpZ2luX2VjEOz////////////wEaCXVzLWVhc3QtMSJHMEUCIDoKK3JH9uGQE1z0sI+/="
  static let role = "arn:aws:iam::123456789012:role/Admin"

  /// STS's AssumeRole answer as the documentation shows it, with every part awsenv reads.
  static func stsBody(
    credentials: String? = nil, result: String = "AssumeRoleResult",
    root: String = "AssumeRoleResponse"
  ) -> String {
    let block =
      credentials ?? """
        <Credentials>
              <AccessKeyId>ASIAJEXAMPLEXEG2JICEA</AccessKeyId>
              <SecretAccessKey>\(secret)</SecretAccessKey>
              <SessionToken>\(token)</SessionToken>
              <Expiration>\(expiration)</Expiration>
            </Credentials>
        """
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <\(root) xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
        <\(result)>
          <SourceIdentity>alice</SourceIdentity>
          <AssumedRoleUser>
            <AssumedRoleId>AROA3XFRBF535PLBIFPI4:alice</AssumedRoleId>
            <Arn>arn:aws:sts::123456789012:assumed-role/Admin/alice</Arn>
          </AssumedRoleUser>
          \(block)
          <PackedPolicySize>6</PackedPolicySize>
        </\(result)>
        <ResponseMetadata>
          <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
        </ResponseMetadata>
      </\(root)>
      """
  }

  /// The Credentials block with `members` in place of the usual four.
  static func credentialsBlock(_ members: String) -> String {
    "<Credentials>\(members)</Credentials>"
  }

  static let members = [
    "AccessKeyId": "<AccessKeyId>ASIAJEXAMPLEXEG2JICEA</AccessKeyId>",
    "SecretAccessKey": "<SecretAccessKey>\(secret)</SecretAccessKey>",
    "SessionToken": "<SessionToken>\(token)</SessionToken>",
    "Expiration": "<Expiration>\(expiration)</Expiration>",
  ]
  static let memberOrder = ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"]

  static func errorBody(code: String, message: String) -> String {
    """
    <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>\
    <Code>\(code)</Code><Message>\(message)</Message></Error>\
    <RequestId>4b8e3b4c-0000-0000-0000-000000000000</RequestId></ErrorResponse>
    """
  }

  // MARK: Helpers

  /// AssumeRole answered with `body`, through the real client (signing, retries without
  /// sleeping); fails the test when it takes 2 s or more.
  func assumeRole(
    _ body: [UInt8], status: Int = 200, file: StaticString = #filePath, line: UInt = #line
  ) -> Result<SessionCredentials, STSError> {
    let client = STSClient(
      endpoint: ServiceEndpoint(scheme: "https", host: "sts.eu-west-1.amazonaws.com"),
      signingRegion: "eu-west-1",
      transport: CannedTransport(HTTPResponse(status: status, body: body)),
      retry: RetryPolicy(sleep: { _ in }, random: { 0 }))
    let start = Date()
    defer {
      XCTAssertLessThan(
        Date().timeIntervalSince(start), 2, "a body of \(body.count) bytes", file: file, line: line)
    }
    do {
      return .success(
        try client.assumeRole(
          Self.keys, AssumeRoleRequest(roleArn: Self.role, sessionName: "alice")))
    } catch {
      return .failure(error)
    }
  }

  func assumeRole(
    _ body: String, status: Int = 200, file: StaticString = #filePath, line: UInt = #line
  ) -> Result<SessionCredentials, STSError> {
    assumeRole(Array(body.utf8), status: status, file: file, line: line)
  }

  /// Checks that `result` is an error whose message is one clean line without the secret;
  /// returns the message.
  @discardableResult
  func assertSTSError(
    _ result: Result<SessionCredentials, STSError>, _ what: String,
    file: StaticString = #filePath, line: UInt = #line
  ) -> String {
    switch result {
    case .success:
      XCTFail("accepted: \(what)", file: file, line: line)
      return ""
    case .failure(let error):
      let message = error.message(STSError.Context(profile: "prod", roleArn: Self.role))
      assertOneCleanLine(message, what, file: file, line: line)
      return message
    }
  }

  func assertOneCleanLine(
    _ message: String, _ what: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertFalse(
      message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F },
      "\(what): \(message)",
      file: file, line: line)
    XCTAssertFalse(message.contains(Self.secret), "\(what): \(message)", file: file, line: line)
    XCTAssertLessThan(message.utf8.count, 1000, "\(what): \(message)", file: file, line: line)
  }

  /// Checks that `result` is the documented response's credentials, exactly.
  func assertDocumentedCredentials(
    _ result: Result<SessionCredentials, STSError>, _ what: String,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    switch result {
    case .failure(let error):
      XCTFail("\(what): \(error.message())", file: file, line: line)
    case .success(let session):
      XCTAssertEqual(
        session.credentials.accessKeyID, "ASIAJEXAMPLEXEG2JICEA", what, file: file, line: line)
      XCTAssertEqual(session.credentials.secretAccessKey, Self.secret, what, file: file, line: line)
      XCTAssertEqual(session.credentials.sessionToken, Self.token, what, file: file, line: line)
      XCTAssertEqual(
        session.credentials.expiration, parseRFC3339(Self.expiration), what, file: file, line: line)
    }
  }

  // MARK: STS

  func testTheDocumentedResponseReads() {
    assertDocumentedCredentials(assumeRole(Self.stsBody()), "the documented response")
    guard case .success(let session) = assumeRole(Self.stsBody()) else { return }
    XCTAssertEqual(session.identity, "Admin@123456789012")
  }

  /// Every prefix of a success response (a connection cut at any byte) and of an error
  /// response is an error, never a credential read from half a document.
  func testSTSBodiesTruncatedAtEveryByte() {
    let body = Array(Self.stsBody().utf8)
    var malformed = 0
    for count in 0..<body.count {
      let result = assumeRole(Array(body.prefix(count)))
      guard case .failure(let error) = result else {
        XCTFail("a body cut after \(count) of \(body.count) bytes was accepted")
        continue
      }
      if case .malformed = error { malformed += 1 }
      if count % 97 == 0 { assertSTSError(result, "cut at \(count)") }
    }
    XCTAssertEqual(malformed, body.count, "every prefix reads as not-STS")
    assertDocumentedCredentials(assumeRole(body), "the whole body")

    let error = Array(
      Self.errorBody(code: "AccessDenied", message: "not authorized " + Self.secret).utf8)
    for count in 0..<error.count {
      let result = assumeRole(Array(error.prefix(count)), status: 403)
      guard case .failure(let failure) = result else {
        XCTFail("an error body cut after \(count) bytes was accepted")
        continue
      }
      if case .service = failure { XCTFail("a cut error body read as STS's error: \(count)") }
    }
    guard case .failure(.service(_, 403, "AccessDenied", _)) = assumeRole(error, status: 403) else {
      return XCTFail("the whole error body reads as AccessDenied")
    }
    print("STS truncation: \(body.count) success prefixes, \(error.count) error prefixes")
  }

  /// Bodies of a megabyte and more: refused (over the reader's bounds) or read exactly; a
  /// token too long for any environment variable is then refused by the shell code.
  func testSTSHugeBodies() throws {
    let mebibyte = 1 << 20
    let wide =
      "<AssumeRoleResponse>" + String(repeating: "<a/>", count: mebibyte / 4)
      + "</AssumeRoleResponse>"
    assertSTSError(assumeRole(wide), "1 MiB of elements")
    assertSTSError(
      assumeRole([UInt8](repeating: UInt8(ascii: "A"), count: 5 * mebibyte)), "5 MiB of text")
    assertSTSError(
      assumeRole(String(repeating: " ", count: 2 * mebibyte) + "<x/>"), "2 MiB of spaces")
    let comment =
      Self.stsBody().replacingOccurrences(
        of: "<PackedPolicySize>",
        with: "<!--" + String(repeating: "-x", count: mebibyte / 2) + "--><PackedPolicySize>")
    assertDocumentedCredentials(assumeRole(comment), "a 1 MiB comment")
    let references = Self.stsBody().replacingOccurrences(
      of: "<PackedPolicySize>6",
      with: "<PackedPolicySize>" + String(repeating: "&amp;", count: mebibyte / 5))
    assertDocumentedCredentials(assumeRole(references), "1 MiB of references")

    let longToken = String(repeating: "T", count: mebibyte)
    let long = Self.stsBody().replacingOccurrences(of: Self.token, with: longToken)
    switch assumeRole(long) {
    case .failure(let error): assertOneCleanLine(error.message(), "a 1 MiB token")
    case .success(let session):
      XCTAssertEqual(session.credentials.sessionToken, longToken, "read exactly or refused")
      XCTAssertThrowsError(
        try Shell.bash.render([.export("AWS_SESSION_TOKEN", longToken)]),
        "no environment can carry it: refused before it reaches the shell")
    }
  }

  /// Nesting 100,000 deep, entity expansion and external entities: refused before any work
  /// grows with them; nothing of the referenced files appears in the message.
  func testSTSDeepNestingAndEntityAttacks() {
    let deep = 100_000
    let nested =
      "<AssumeRoleResponse>" + String(repeating: "<a>", count: deep)
      + String(repeating: "</a>", count: deep) + "</AssumeRoleResponse>"
    assertSTSError(assumeRole(nested), "100,000 levels")
    let inside = Self.stsBody(
      credentials: "<Credentials>" + String(repeating: "<x>", count: deep)
        + String(repeating: "</x>", count: deep) + "</Credentials>")
    assertSTSError(assumeRole(inside), "100,000 levels in Credentials")
    let unclosed = String(repeating: "<AssumeRoleResponse>", count: deep)
    assertSTSError(assumeRole(unclosed), "100,000 unclosed")

    var laughs = "<!DOCTYPE AssumeRoleResponse [<!ENTITY l0 \"\(Self.secret)\">"
    for level in 1...10 {
      laughs += "<!ENTITY l\(level) \"" + String(repeating: "&l\(level - 1);", count: 10) + "\">"
    }
    laughs += "]>"
    let attacks = [
      ("billion laughs", laughs + Self.stsBody(credentials: "<Credentials>&l10;</Credentials>")),
      (
        "external entity",
        "<!DOCTYPE AssumeRoleResponse [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
          + Self.stsBody().replacingOccurrences(of: Self.token, with: "&e;")
      ),
      (
        "parameter entity",
        "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/x.dtd\"> %p;]>" + Self.stsBody()
      ),
      (
        "public DTD",
        "<!DOCTYPE r PUBLIC \"-//x//EN\" \"http://127.0.0.1:9/x.dtd\">" + Self.stsBody()
      ),
      (
        "entity without DOCTYPE",
        Self.stsBody().replacingOccurrences(of: Self.token, with: "&passwd;")
      ),
      (
        "declaration in content",
        Self.stsBody().replacingOccurrences(
          of: "<PackedPolicySize>", with: "<!ENTITY x \"y\"><PackedPolicySize>")
      ),
      (
        "character reference to NUL",
        Self.stsBody().replacingOccurrences(of: Self.token, with: "tok&#0;en")
      ),
      (
        "character reference past Unicode",
        Self.stsBody().replacingOccurrences(of: Self.token, with: "&#99999999999;")
      ),
      (
        "XInclude",
        Self.stsBody().replacingOccurrences(
          of: Self.token,
          with: "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"/etc/passwd\"/>")
      ),
    ]
    for (name, body) in attacks {
      let message = assertSTSError(assumeRole(body), name)
      XCTAssertFalse(message.contains("root:"), "\(name): \(message)")
    }
  }

  /// Documents that are STS-like but wrong: missing, repeated or mistyped members are errors;
  /// what XML allows (attributes, CDATA, comments, prefixes, a BOM, references, whitespace)
  /// reads to exactly the same credentials; other encodings and non-XML are errors.
  func testSTSWrongShapes() {
    func with(_ replacements: [String: String?]) -> String {
      var members = ""
      for name in Self.memberOrder {
        let replacement = replacements[name]
        if let replacement {
          members += replacement ?? ""
        } else {
          members += Self.members[name]!
        }
      }
      for (name, replacement) in replacements where !Self.memberOrder.contains(name) {
        members += replacement ?? ""
      }
      return Self.stsBody(credentials: Self.credentialsBlock(members))
    }
    var refused: [(String, String)] = []
    for name in Self.memberOrder {
      let element = Self.members[name]!
      refused.append(("missing \(name)", with([name: String?.none])))
      refused.append(("empty \(name)", with([name: "<\(name)></\(name)>"])))
      refused.append(("self-closed \(name)", with([name: "<\(name)/>"])))
      refused.append(("\(name) twice", with([name: element + element])))
      let other = element.replacingOccurrences(of: "<\(name)>", with: "<\(name)>X")
      refused.append(("\(name) twice, differently", with([name: other + element])))
      refused.append(("\(name) holding an element", with([name: "<\(name)><v>x</v></\(name)>"])))
    }
    for bad in [
      "tomorrow", "1924992000", "2031-13-01T00:00:00Z", "2031-02-30T00:00:00Z",
      "2031-01-02 03:04:05", "2031-01-02T03:04:05", "-2031-01-02T03:04:05Z", "２031-01-02T03:04:05Z",
      String(repeating: "9", count: 10_000),
    ] {
      refused.append(
        ("Expiration \(bad.prefix(30))", with(["Expiration": "<Expiration>\(bad)</Expiration>"])))
    }
    for (name, value) in [
      ("AccessKeyId", "ASIA EXAMPLE 000001"), ("AccessKeyId", "$(touch pwned)ASIAEXAMPLE"),
      ("AccessKeyId", "ASIA"), ("AccessKeyId", String(repeating: "A", count: 129)),
      ("SecretAccessKey", "with space"), ("SecretAccessKey", "line&#10;break"),
      ("SecretAccessKey", "tab&#9;x"), ("SecretAccessKey", "é-non-ascii"),
      ("SessionToken", "tok en"), ("SessionToken", "\u{1B}[31mred"),
    ] {
      refused.append(("\(name) = \(value)", with([name: "<\(name)>\(value)</\(name)>"])))
    }
    refused += [
      ("no Credentials", Self.stsBody(credentials: "")),
      (
        "Credentials twice",
        Self.stsBody(
          credentials: String(
            repeating: Self.credentialsBlock(Self.members.values.joined()), count: 2))
      ),
      ("the wrong Result", Self.stsBody(result: "GetSessionTokenResult")),
      ("the wrong root", Self.stsBody(root: "GetSessionTokenResponse")),
      (
        "Result twice",
        Self.stsBody().replacingOccurrences(
          of: "<ResponseMetadata>",
          with: "<AssumeRoleResult><Credentials/></AssumeRoleResult><ResponseMetadata>")
      ),
      ("an error document with 200", Self.errorBody(code: "AccessDenied", message: "no")),
      ("JSON", #"{"AssumeRoleResponse":{"AccessKeyId":"ASIAJEXAMPLEXEG2JICEA"}}"#),
      ("text", "OK"), ("null", "null"), ("HTML", "<html><body><h1>Sign in</h1></body></html>"),
      ("HTML page", "<!DOCTYPE html><html><head><title>502</title></head><body>x</body></html>"),
      ("two roots", Self.stsBody() + "<AssumeRoleResponse/>"),
      ("text after the root", Self.stsBody() + "trailing"),
      (
        "mismatched end tag",
        Self.stsBody().replacingOccurrences(
          of: "</AssumeRoleResult>", with: "</AssumeRoleResul>")
      ),
      (
        "unquoted attribute",
        Self.stsBody().replacingOccurrences(
          of: "<Credentials>", with: "<Credentials a=b>")
      ),
    ]
    for (name, body) in refused {
      assertSTSError(assumeRole(body), name)
    }
    print("STS wrong shapes: \(refused.count) refused documents")

    let same: [(String, String)] = [
      (
        "attributes",
        with([
          "AccessKeyId":
            "<AccessKeyId xsi:type=\"string\" a='>'>ASIAJEXAMPLEXEG2JICEA</AccessKeyId>"
        ])
      ),
      (
        "CDATA",
        with(["SecretAccessKey": "<SecretAccessKey><![CDATA[\(Self.secret)]]></SecretAccessKey>"])
      ),
      (
        "a comment inside a value",
        with([
          "SessionToken":
            "<SessionToken>\(Self.token.prefix(10))<!-- c -->\(Self.token.dropFirst(10))</SessionToken>"
        ])
      ),
      (
        "prefixes",
        Self.stsBody()
          .replacingOccurrences(of: "<AssumeRole", with: "<sts:AssumeRole")
          .replacingOccurrences(of: "</AssumeRole", with: "</sts:AssumeRole")
          .replacingOccurrences(of: "xmlns=", with: "xmlns:sts=")
      ),
      ("a BOM", "\u{FEFF}" + Self.stsBody()),
      (
        "references",
        with(["AccessKeyId": "<AccessKeyId>&#x41;SIAJEXAMPLEXEG2JIC&#69;A</AccessKeyId>"])
      ),
      (
        "whitespace around values",
        with(["Expiration": "<Expiration>\n\t \(Self.expiration) \r\n</Expiration>"])
      ),
      ("an unknown member", with(["Extra": "<Extra>$(touch pwned)</Extra>"])),
      (
        "members in another order",
        Self.stsBody(
          credentials: Self.credentialsBlock(
            Self.memberOrder.reversed().map { Self.members[$0]! }.joined()))
      ),
    ]
    for (name, body) in same {
      assertDocumentedCredentials(assumeRole(body), name)
    }

    // UTF-16 (with and without a BOM), Latin-1 and binary.
    let text = Self.stsBody().replacingOccurrences(of: "UTF-8", with: "UTF-16")
    let low: [UInt8] = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    let high: [UInt8] = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    let utf16LE = [0xFF, 0xFE] + low
    let utf16BE = [0xFE, 0xFF] + high
    var generator = SplitMix(seed: 7)
    var garbage: [(String, [UInt8])] = [
      ("UTF-16LE", utf16LE), ("UTF-16BE", utf16BE),
      ("UTF-16 without BOM", Array(utf16LE.dropFirst(2))),
      ("Latin-1", Array(Self.stsBody().utf8).map { $0 == UInt8(ascii: "a") ? 0xE9 : $0 }),
      ("NUL bytes", [UInt8](repeating: 0, count: 1000)),
    ]
    for index in 0..<200 {
      garbage.append(("random \(index)", (0..<(index * 37 % 3000)).map { _ in generator.byte() }))
    }
    for (name, body) in garbage {
      for status in [200, 403, 500] {
        assertSTSError(assumeRole(body, status: status), "\(name), HTTP \(status)")
      }
    }
    // HTML error pages, as proxies and load balancers send them.
    for status in [200, 400, 403, 404, 500, 502, 503, 504] {
      let message = assertSTSError(
        assumeRole(
          "<html><head><title>\(status)</title></head><body><h1>Error</h1>\(Self.secret)</body></html>",
          status: status),
        "HTML \(status)")
      XCTAssertTrue(message.contains("HTTP \(status)"), message)
    }
  }

  /// Error documents with codes that are not codes, messages of a megabyte or full of
  /// control characters: one line, the code never echoed unless it looks like one, the message
  /// cut at 300 characters.
  func testSTSErrorDocumentsAreBounded() {
    let padding = String(repeating: "p", count: 400)
    for code in [
      "$(touch pwned)", "Access Denied", "a\nb", "a&#10;b", String(repeating: "C", count: 200),
      "\u{1B}[31mAccessDenied", "AccessDenied;rm", "",
    ] {
      let message = assertSTSError(
        assumeRole(Self.errorBody(code: code, message: "m"), status: 403), "code \(code.prefix(20))"
      )
      XCTAssertFalse(message.contains("touch") || message.contains("CCCC"), message)
      XCTAssertTrue(message.contains("HTTP 403"), message)
    }
    let cases = [
      "\(padding)\(Self.secret)", "a&#10;b&#13;c&#9;d\u{7F}e",
      String(repeating: "x", count: 1 << 20) + Self.secret,
      "<![CDATA[\n\u{7F}\(padding)\(Self.secret)]]>",
    ]
    for text in cases {
      let message = assertSTSError(
        assumeRole(Self.errorBody(code: "AccessDenied", message: text), status: 403),
        "message \(text.prefix(20))")
      XCTAssertTrue(message.contains("AccessDenied"), message)
    }
    // The code of a real one, with a hint.
    let message = assertSTSError(
      assumeRole(
        Self.errorBody(code: "com.amazon.coral.service#ExpiredTokenException", message: "x"),
        status: 400),
      "a qualified code")
    XCTAssertTrue(message.contains("ExpiredTokenException"), message)
  }

  /// What no shell variable can hold (a NUL byte) or no environment can carry (more than
  /// 128 KiB in one `NAME=value`) is refused by every dialect, with a line that says what to do.
  func testShellCodeRefusesWhatNoShellCanHold() throws {
    for shell in Shell.allCases {
      XCTAssertThrowsError(try shell.render([.export("AWS_REGION", "eu\u{0}west-1")])) { error in
        XCTAssertEqual(error as? ShellError, .nulInValue("AWS_REGION"))
        XCTAssertTrue((error as? ShellError)?.message.contains("`region`") ?? false)
      }
      let limit = String(repeating: "x", count: Shell.maxValueBytes)
      XCTAssertNoThrow(try shell.render([.export("AWS_SESSION_TOKEN", limit)]))
      XCTAssertThrowsError(try shell.render([.export("AWS_SESSION_TOKEN", limit + "x")])) {
        error in
        XCTAssertEqual(
          error as? ShellError, .valueTooLong("AWS_SESSION_TOKEN", bytes: Shell.maxValueBytes + 1))
      }
      XCTAssertThrowsError(
        try shell.render([.shellVariable(ShellSession.savedStateVariable, limit + "x")])
      ) { error in
        XCTAssertTrue(
          (error as? ShellError)?.message.contains("unset the longest of them first") ?? false)
      }
      XCTAssertNoThrow(try shell.render([.unset("AWS_REGION")]))
    }
    // A saved record over the limit: 100 KB of quotes the shell had, three times that encoded.
    let changes = ShellSession.use(
      Activation(
        profile: "p",
        credentials: Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "s"),
        region: nil),
      environment: ["AWS_SESSION_TOKEN": String(repeating: "\"", count: 100_000)])
    XCTAssertThrowsError(try Shell.zsh.render(changes))
  }

  // MARK: IAM Identity Center

  static let registration = SSOClientRegistration(
    clientID: "cid", clientSecret: "csecret", expiresAt: Date().addingTimeInterval(86_400),
    scopes: [])
  static let expirationMilliseconds = 1_924_992_000_000

  func ssoClient(_ response: HTTPResponse) -> (SSOClient, CannedTransport) {
    let transport = CannedTransport(response)
    let client = SSOClient(
      oidcEndpoint: ServiceEndpoint(scheme: "https", host: "oidc.eu-west-1.amazonaws.com"),
      portalEndpoint: ServiceEndpoint(scheme: "https", host: "portal.sso.eu-west-1.amazonaws.com"),
      transport: transport, retry: RetryPolicy(sleep: { _ in }, random: { 0 }))
    return (client, transport)
  }

  /// Runs `operation` with the client answering `body`; the result or the error's message, in
  /// under 2 s.
  func sso<T>(
    _ body: [UInt8], status: Int = 200, headers: [HTTPHeader] = [],
    file: StaticString = #filePath, line: UInt = #line,
    _ operation: (SSOClient) throws(SSOError) -> T
  ) -> Result<T, SSOError> {
    let (client, _) = ssoClient(HTTPResponse(status: status, headers: headers, body: body))
    let start = Date()
    defer {
      XCTAssertLessThan(
        Date().timeIntervalSince(start), 2, "a body of \(body.count) bytes", file: file, line: line)
    }
    do {
      return .success(try operation(client))
    } catch {
      return .failure(error)
    }
  }

  @discardableResult
  func assertSSOError<T>(
    _ result: Result<T, SSOError>, _ what: String, file: StaticString = #filePath,
    line: UInt = #line
  ) -> String {
    switch result {
    case .success(let value):
      XCTFail("accepted: \(what): \(value)", file: file, line: line)
      return ""
    case .failure(let error):
      let message = error.message(
        SSOError.Context(login: "awsenv login --sso-session corp", accountID: "1", roleName: "r"))
      assertOneCleanLine(message, what, file: file, line: line)
      return message
    }
  }

  func roleCredentials(
    _ body: [UInt8], status: Int = 200, file: StaticString = #filePath, line: UInt = #line
  ) -> Result<Credentials, SSOError> {
    sso(body, status: status, file: file, line: line) { (client) throws(SSOError) in
      try client.roleCredentials(accessToken: "tok", accountID: "111111111111", roleName: "Admin")
    }
  }

  func createToken(
    _ body: [UInt8], status: Int = 200, file: StaticString = #filePath, line: UInt = #line
  ) -> Result<SSOTokenGrant, SSOError> {
    sso(body, status: status, file: file, line: line) { (client) throws(SSOError) in
      try client.createToken(Self.registration, deviceCode: "dev")
    }
  }

  /// A GetRoleCredentials answer with `members` (raw JSON values) in place of the usual ones.
  static func roleBody(_ members: [String: String] = [:]) -> String {
    var fields = [
      ("accessKeyId", #""ASIAFAKESSO000000001""#), ("secretAccessKey", "\"\(secret)\""),
      ("sessionToken", #""tok/+=""#), ("expiration", String(expirationMilliseconds)),
    ]
    fields = fields.map { ($0.0, members[$0.0] ?? $0.1) }.filter { $0.1 != "-" }
    return #"{"roleCredentials":{"#
      + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}}"
  }

  static func tokenBody(_ members: [String: String] = [:]) -> String {
    var fields = [
      ("accessToken", "\"at-\(secret)\""), ("tokenType", #""Bearer""#), ("expiresIn", "28800"),
      ("refreshToken", #""rt-1""#),
    ]
    fields = fields.map { ($0.0, members[$0.0] ?? $0.1) }.filter { $0.1 != "-" }
    return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
  }

  func testSSOBodiesTruncatedAtEveryByte() {
    let role = Array(Self.roleBody().utf8)
    for count in 0..<role.count {
      assertSSOError(
        roleCredentials(Array(role.prefix(count))), "GetRoleCredentials cut at \(count)")
    }
    guard case .success(let credentials) = roleCredentials(role) else {
      return XCTFail("the whole GetRoleCredentials answer")
    }
    XCTAssertEqual(credentials.secretAccessKey, Self.secret)
    XCTAssertEqual(
      credentials.expiration?.timeIntervalSince1970, Double(Self.expirationMilliseconds) / 1000)

    let token = Array(Self.tokenBody().utf8)
    for count in 0..<token.count {
      assertSSOError(createToken(Array(token.prefix(count))), "CreateToken cut at \(count)")
    }
    XCTAssertEqual(try createToken(token).get().accessToken, "at-\(Self.secret)")

    let error = Array(#"{"error":"authorization_pending","error_description":"pending"}"#.utf8)
    for count in 0..<error.count {
      let result = createToken(Array(error.prefix(count)), status: 400)
      assertSSOError(result, "an OAuth error cut at \(count)")
    }
    print("SSO truncation: \(role.count) + \(token.count) + \(error.count) prefixes")
  }

  /// Every member of the answers awsenv reads, replaced by every other JSON type and by
  /// numbers no date or duration can be: an error, except where the member is optional (a
  /// wrong type reads as missing) or the value is still right.
  func testSSOWrongTypesForEveryMember() {
    let others = [
      #""3600""#, "3600", "-1", "0", "1.5", "1e300", "-1e300", "123456789012345678901234567890",
      "true", "false", "null", "[]", "{}", "[1]", #"["x"]"#, #"{"a":1}"#, #""""#,
    ]
    // Values of another type than string (or an empty string, which no key or token is).
    let notStrings = others.filter { !$0.hasPrefix("\"") }
    var tried = 0
    // GetRoleCredentials: four required members.
    for member in ["accessKeyId", "secretAccessKey", "sessionToken", "expiration"] {
      for value in (member == "expiration" ? others : notStrings + [#""""#]) + ["-"] {
        tried += 1
        assertSSOError(
          roleCredentials(Array(Self.roleBody([member: value]).utf8)), "\(member) = \(value)")
      }
    }
    for (value, accepted) in [
      ("1924992000", false), ("1924992000000", true), ("1924992000000000", false),
      ("1924992000000.5", false), ("99999999999", false), ("253402300799000", true),
      ("253402300800000", false), (#""1924992000000""#, false), ("1.924992e12", true),
    ] {
      tried += 1
      let result = roleCredentials(Array(Self.roleBody(["expiration": value]).utf8))
      if accepted {
        XCTAssertNoThrow(try result.get(), "expiration \(value)")
      } else {
        let message = assertSSOError(result, "expiration \(value)")
        XCTAssertTrue(message.contains("epoch milliseconds"), message)
      }
    }
    for (value, what) in [
      ("null", "null roleCredentials"), ("[]", "array"), (#""x""#, "string"), ("1", "number"),
    ] {
      tried += 1
      assertSSOError(roleCredentials(Array(#"{"roleCredentials":\#(value)}"#.utf8)), what)
    }

    // CreateToken: accessToken and expiresIn required, refreshToken optional.
    for member in ["accessToken", "expiresIn"] {
      for value in (member == "accessToken" ? notStrings : others) + ["-"] where value != "3600" {
        tried += 1
        assertSSOError(
          createToken(Array(Self.tokenBody([member: value]).utf8)), "\(member) = \(value)")
      }
    }
    XCTAssertEqual(
      try createToken(Array(Self.tokenBody(["expiresIn": "3600"]).utf8)).get().expiresIn, 3600)
    for value in notStrings {
      tried += 1
      let grant = try? createToken(Array(Self.tokenBody(["refreshToken": value]).utf8)).get()
      XCTAssertNotNil(grant, "refreshToken \(value)")
      XCTAssertNil(
        grant?.refreshToken, "a refreshToken that is not a string reads as none: \(value)")
    }

    // StartDeviceAuthorization: three strings required, expiresIn and interval optional.
    func device(_ members: [String: String]) -> Result<DeviceAuthorization, SSOError> {
      var fields = [
        ("deviceCode", #""dev""#), ("userCode", #""ABCD-EFGH""#),
        ("verificationUri", #""https://device.example""#), ("expiresIn", "600"), ("interval", "1"),
      ]
      fields = fields.map { ($0.0, members[$0.0] ?? $0.1) }.filter { $0.1 != "-" }
      let body = "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
      return sso(Array(body.utf8)) { (client) throws(SSOError) in
        try client.startDeviceAuthorization(Self.registration, startURL: "https://x/start")
      }
    }
    for member in ["deviceCode", "userCode", "verificationUri"] {
      for value in notStrings + ["-"] {
        tried += 1
        assertSSOError(device([member: value]), "\(member) = \(value)")
      }
    }
    for member in ["expiresIn", "interval"] {
      for value in others + ["-"] {
        tried += 1
        let result = device([member: value])
        switch value {
        case "3600", "0", "null", "-":
          let authorization = try? result.get()
          XCTAssertNotNil(authorization, "\(member) = \(value)")
          XCTAssertGreaterThanOrEqual(authorization?.interval ?? 0, 1)
        default:
          assertSSOError(result, "\(member) = \(value)")
        }
      }
    }

    // RegisterClient: clientSecretExpiresAt optional, but a time when present.
    for value in others + ["-"] {
      tried += 1
      let body = #"{"clientId":"cid","clientSecret":"cs","clientSecretExpiresAt":\#(value)}"#
      let result = sso(
        Array((value == "-" ? #"{"clientId":"cid","clientSecret":"cs"}"# : body).utf8)
      ) {
        (client) throws(SSOError) in
        try client.registerClient(name: "awsenv", scopes: [], now: Date())
      }
      switch value {
      case "3600", "0", "null", "-": XCTAssertNoThrow(try result.get(), value)
      default: assertSSOError(result, "clientSecretExpiresAt = \(value)")
      }
    }

    // ListAccounts: a list of objects, each with an accountId string.
    for value in others {
      tried += 1
      let result = sso(Array(#"{"accountList":\#(value)}"#.utf8)) { (client) throws(SSOError) in
        try client.accounts(accessToken: "tok")
      }
      if value == "[]" {
        XCTAssertEqual(try result.get().count, 0)
      } else {
        assertSSOError(result, "accountList = \(value)")
      }
    }
    for value in notStrings {
      tried += 1
      let entry = sso(Array(#"{"accountList":[{"accountId":\#(value)}]}"#.utf8)) {
        (client) throws(SSOError) in
        try client.accounts(accessToken: "tok")
      }
      assertSSOError(entry, "accountId = \(value)")
    }
    print("SSO wrong types: \(tried) member/value pairs")
  }

  func testSSODeepNestingHugeNumbersDuplicatesAndEncodings() {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    assertSSOError(roleCredentials(Array(deep.utf8)), "100,000 arrays")
    let deepObject =
      String(repeating: #"{"roleCredentials":"#, count: 100_000) + "1"
      + String(repeating: "}", count: 100_000)
    assertSSOError(roleCredentials(Array(deepObject.utf8)), "100,000 objects")
    assertSSOError(
      roleCredentials(Array(Self.roleBody(["expiration": "1e400"]).utf8)), "a number past Double")
    assertSSOError(
      roleCredentials(
        Array(Self.roleBody(["expiration": String(repeating: "9", count: 100_000)]).utf8)),
      "100,000 digits")
    assertSSOError(createToken(Array(Self.tokenBody(["expiresIn": "NaN"]).utf8)), "NaN")
    assertSSOError(createToken(Array(Self.tokenBody(["expiresIn": "Infinity"]).utf8)), "Infinity")

    // Duplicate keys: the last one, as Python's json (and so botocore) reads them.
    let duplicated = #"{"accessToken":"first","accessToken":"last","expiresIn":60,"expiresIn":120}"#
    let grant = try? createToken(Array(duplicated.utf8)).get()
    XCTAssertEqual(grant?.accessToken, "last")
    XCTAssertEqual(grant?.expiresIn, 120)

    let utf16: [UInt8] = Self.tokenBody().utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    let invalid: [UInt8] =
      Array(#"{"accessToken":"a"#.utf8) + [0xFF, 0xFE] + Array(#"","expiresIn":60}"#.utf8)
    let bodies: [(String, [UInt8])] = [
      (
        "invalid UTF-8",
        invalid
      ),
      ("unpaired high surrogate", Array(#"{"accessToken":"a\ud800","expiresIn":60}"#.utf8)),
      ("unpaired low surrogate", Array(#"{"accessToken":"\udc00a","expiresIn":60}"#.utf8)),
      ("raw control character", Array("{\"accessToken\":\"a\u{1}b\",\"expiresIn\":60}".utf8)),
      ("UTF-16", utf16),
      ("trailing garbage", Array((Self.tokenBody() + "x").utf8)),
      ("two objects", Array((Self.tokenBody() + Self.tokenBody()).utf8)),
      ("a top-level string", Array(#""accessToken""#.utf8)),
      ("a top-level array", Array("[\(Self.tokenBody())]".utf8)),
      ("single quotes", Array("{'accessToken':'a','expiresIn':60}".utf8)),
      ("comments", Array("{/*x*/\"accessToken\":\"a\",\"expiresIn\":60}".utf8)),
      ("HTML", Array("<html><body>\(Self.secret)</body></html>".utf8)),
    ]
    for (name, bytes) in bodies {
      assertSSOError(createToken(bytes), name)
    }
    // A surrogate pair is one character, and fine.
    XCTAssertEqual(
      try createToken(Array(#"{"accessToken":"a\ud83d\ude00","expiresIn":60}"#.utf8)).get()
        .accessToken, "a😀")
  }

  func testSSOBigBodies() {
    let mebibyte = 1 << 20
    let bigToken = String(repeating: "t", count: mebibyte)
    XCTAssertEqual(
      try createToken(Array(Self.tokenBody(["accessToken": "\"\(bigToken)\""]).utf8)).get()
        .accessToken.count, mebibyte, "a long bearer token is still a token")
    assertSSOError(
      roleCredentials(
        Array(
          Self.roleBody([
            "sessionToken": "\"" + String(repeating: "a b", count: mebibyte / 3) + "\""
          ]).utf8)),
      "a token with spaces")
    let many =
      "{\"accountList\":["
      + Array(repeating: #"{"accountId":"111111111111","accountName":"x"}"#, count: 50_000)
      .joined(separator: ",") + "]}"
    let result = sso(Array(many.utf8)) { (client) throws(SSOError) in
      try client.accounts(accessToken: "tok")
    }
    XCTAssertEqual((try? result.get())?.count, 50_000)
    assertSSOError(
      roleCredentials(Array(String(repeating: " ", count: 2 * mebibyte).utf8)), "2 MiB of spaces")
    assertSSOError(
      roleCredentials([UInt8](repeating: UInt8(ascii: "{"), count: 2 * mebibyte)), "2 MiB of {")
  }

  /// Error answers whose code is not a code: never echoed; messages cut at 300 characters.
  func testSSOErrorsWithHostileCodesAndMessages() {
    let header = { (value: String) in [HTTPHeader("x-amzn-ErrorType", value)] }
    for (headers, body) in [
      (header("$(touch pwned):http://internal.amazon.com/"), #"{"message":"m"}"#),
      (header("Unauthorized Exception"), "{}"),
      ([], #"{"__type":"com.amazon#$(touch pwned)","message":"m"}"#),
      ([], #"{"__type":"\#(String(repeating: "C", count: 300))"}"#),
      ([], #"{"code":"a\nb"}"#),
      ([], #"{"error":"$(touch pwned)"}"#),
      ([], #"{"error":1,"__type":[],"code":{}}"#),
    ] {
      let result = sso(Array(body.utf8), status: 400, headers: headers) {
        (client) throws(SSOError) in
        try client.roleCredentials(accessToken: "tok", accountID: "1", roleName: "r")
      }
      let message = assertSSOError(result, "\(headers) \(body)")
      XCTAssertFalse(message.contains("touch") || message.contains("CCCC"), message)
    }
    let long = String(repeating: "m", count: 400) + Self.secret
    for field in ["message", "Message", "error_description"] {
      let message = assertSSOError(
        sso(
          Array(#"{"\#(field)":"\#(long)\u001b[2J\n"}"#.utf8), status: 401,
          headers: header("UnauthorizedException:")
        ) { (client) throws(SSOError) in
          try client.roleCredentials(accessToken: "tok", accountID: "1", roleName: "r")
        }, field)
      XCTAssertTrue(message.contains("UnauthorizedException"), message)
    }
  }

  // MARK: Config files

  func parse(_ config: String, credentials: String = "") throws(ConfigError) -> AWSConfig {
    try AWSConfig.parse(
      config: config, configPath: "/home/u/.aws/config", credentials: credentials,
      credentialsPath: "/home/u/.aws/credentials")
  }

  /// `text` must fail at `line` of the config file, with one line saying so.
  func assertConfigError(
    _ text: String, line expected: Int, credentials: Bool = false,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    do {
      _ = try credentials ? parse("", credentials: text) : parse(text)
      XCTFail("accepted: \(text.prefix(60).debugDescription)", file: file, line: line)
    } catch {
      let path = credentials ? "/home/u/.aws/credentials" : "/home/u/.aws/config"
      XCTAssertEqual(error.line, expected, error.description, file: file, line: line)
      XCTAssertTrue(
        error.description.hasPrefix("\(path):\(expected): "), error.description, file: file,
        line: line)
      XCTAssertFalse(error.description.contains("\n"), file: file, line: line)
    }
  }

  func testMalformedConfigFilesNameTheLine() {
    assertConfigError("[profile a]\nregion = x\n[profile unterminated\n", line: 3)
    assertConfigError("[", line: 1)
    assertConfigError("[profile a]\n]\n", line: 2)
    assertConfigError("  region = x\n", line: 1)
    assertConfigError("region = x\n[profile a]\n", line: 1)
    assertConfigError("[profile a]\n  continued\n", line: 2)
    assertConfigError("[profile a]\n# c\n\n   x = y\n", line: 4)
    assertConfigError("[profile a]\n= value\n", line: 2)
    assertConfigError("[profile a]\nno equals sign\n", line: 2)
    assertConfigError("[profile a]\n\u{0}\n", line: 2)
    assertConfigError("[profile a]\ns3 =\n  no-equals\n", line: 3)
    assertConfigError("[profile a]\ns3 =\n  = v\n", line: 3)
    // Classic Mac line endings: one line to this parser (and to the SDKs that split on \n).
    assertConfigError("[profile a]\rregion = x\r", line: 1)
    assertConfigError("[a]\naws_access_key_id\n", line: 2, credentials: true)
  }

  /// What the AWS CLI accepts is accepted the same way: a BOM, CRLF, tabs, NUL bytes inside
  /// values (kept, to be refused where a shell would get them), names the SDKs ignore.
  func testOddButValidConfigFiles() throws {
    let bom = try parse("\u{FEFF}[profile a]\r\nregion = eu-west-1\r\n")
    XCTAssertEqual(bom.profile("a")?["region"], "eu-west-1")
    let tabs = try parse("[profile\ta]\t\nregion\t=\teu-west-1\t\nx =\n\tsub\t=\tv\n")
    XCTAssertEqual(tabs.profile("a")?["region"], "eu-west-1")
    XCTAssertEqual(tabs.profile("a")?.subProperty("x", "sub"), "v")
    let nul = try parse("[profile a]\nregion = eu\u{0}west-1\n[profile b\u{0}c]\nregion = x\n")
    XCTAssertEqual(nul.profile("a")?["region"], "eu\u{0}west-1")
    XCTAssertEqual(nul.profileNames, ["a"], "a name with a NUL is not a profile name")
    let hostileNames = try parse(
      "[profile $(touch pwned)]\nregion = x\n[profile a b]\n[profile `id`]\n[profile 'q']\n"
        + "[profile a|b]\n[profile ok]\n")
    XCTAssertEqual(hostileNames.profileNames, ["ok"])
    let midBOM = try parse("[profile a]\n\u{FEFF}region = x\n")
    XCTAssertNil(midBOM.profile("a")?["region"], "a BOM inside the file is part of the key")
    let values = try parse(
      "[profile a]\nregion = $(touch pwned) `id` 'q' \"d\" \\ %s%n \u{1B}[31m\ncontinued = a\n  $(b)\n"
    )
    XCTAssertEqual(
      values.profile("a")?["region"], "$(touch pwned) `id` 'q' \"d\" \\ %s%n \u{1B}[31m")
    XCTAssertEqual(values.profile("a")?["continued"], "a\n$(b)")
    let longName = String(repeating: "n", count: 10_000)
    XCTAssertEqual(try parse("[profile \(longName)]\n").profileNames, [longName])
  }

  func testConfigFilesThatAreNotUTF8NameTheLine() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "awsenv-hostile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let config = dir.appendingPathComponent("config").path
    let credentials = dir.appendingPathComponent("credentials").path
    let environment = ["AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials]
    func write(_ path: String, _ bytes: [UInt8]) throws {
      try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
    let cases: [(String, [UInt8], Int)] = [
      ("a value", Array("[profile a]\nregion = eu".utf8) + [0xFF, 0xFE] + Array("\n".utf8), 2),
      ("a name", Array("[profile ok]\n\n[profile ".utf8) + [0xC3] + Array("]\n".utf8), 3),
      ("a comment", Array("# caf".utf8) + [0xE9] + Array("\n[profile a]\n".utf8), 1),
      (
        "a truncated sequence at the end", Array("[profile a]\nregion = x\n".utf8) + [0xE2, 0x82], 3
      ),
      ("an overlong encoding", Array("[profile a]\nregion = ".utf8) + [0xC0, 0xAF], 2),
      ("a surrogate", Array("[profile a]\nregion = ".utf8) + [0xED, 0xA0, 0x80], 2),
    ]
    for (name, bytes, line) in cases {
      try write(config, bytes)
      try write(credentials, [])
      XCTAssertThrowsError(try AWSConfig.load(environment: environment), name) { error in
        let error = error as? ConfigError
        XCTAssertEqual(error?.path, config, name)
        XCTAssertEqual(error?.line, line, name)
        XCTAssertTrue(
          error?.message.contains("UTF-8") ?? false, "\(name): \(String(describing: error))")
      }
    }
    try write(config, Array("[profile a]\n".utf8))
    try write(credentials, Array("[a]\naws_secret_access_key = ".utf8) + [0x80] + [0x0A])
    XCTAssertThrowsError(try AWSConfig.load(environment: environment)) { error in
      XCTAssertEqual((error as? ConfigError)?.path, credentials)
      XCTAssertEqual((error as? ConfigError)?.line, 2)
    }
    try write(credentials, Array("[a]\nx = é✓🙂\n".utf8))
    XCTAssertEqual(try AWSConfig.load(environment: environment).profile("a")?["x"], "é✓🙂")
  }

  /// Big files: 10 MB with 100,000 sections, 100,000 continuation lines, a 1 MB line. Linear,
  /// not a hang (the bound is loose: this is a debug build on a busy machine).
  func testHugeConfigFiles() throws {
    func timed<T>(_ what: String, _ body: () throws -> T) rethrows -> T {
      let start = Date()
      let result = try body()
      let seconds = Date().timeIntervalSince(start)
      XCTAssertLessThan(seconds, 15, what)
      print("\(what): \(String(format: "%.2f", seconds)) s")
      return result
    }
    var big = ""
    big.reserveCapacity(10_500_000)
    for index in 0..<100_000 {
      big +=
        "[profile p\(index)]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/r\(index)\n"
      big += "# \(String(repeating: "c", count: 10))\n"
    }
    while big.utf8.count < 10_000_000 { big += "# padding padding padding padding padding\n" }
    let config = try timed("10 MB, 100,000 sections") { try parse(big) }
    XCTAssertEqual(config.profileNames.count, 100_000)
    XCTAssertEqual(config.profile("p99999")?["role_arn"], "arn:aws:iam::123456789012:role/r99999")

    let same = try timed("100,000 headers of one section") {
      try parse(String(repeating: "[profile a]\nregion = x\n", count: 100_000))
    }
    XCTAssertEqual(same.profileNames, ["a"])

    let continued = try timed("100,000 continuation lines") {
      try parse("[profile a]\nkey = first\n" + String(repeating: "  more\n", count: 100_000))
    }
    XCTAssertEqual(continued.profile("a")?["key"]?.utf8.count, 5 + 100_000 * 5)

    let block = try timed("100,000 sub-properties") {
      try parse(
        "[profile a]\ns3 =\n" + (0..<100_000).map { "  k\($0) = v\n" }.joined())
    }
    XCTAssertEqual(block.profile("a")?.subProperties["s3"]?.count, 100_000)

    let line = try timed("a 1 MB line") {
      try parse("[profile a]\nregion = " + String(repeating: "r", count: 1_000_000) + "\n")
    }
    XCTAssertEqual(line.profile("a")?["region"]?.count, 1_000_000)

    let brackets = try timed("1 MB of brackets") {
      try? parse("[profile " + String(repeating: "[", count: 1_000_000) + "]\n")
    }
    XCTAssertEqual(brackets?.profileNames ?? [], [])
  }
}

/// A small deterministic generator for the garbage bodies (SplitMix64).
private struct SplitMix {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func byte() -> UInt8 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return UInt8(truncatingIfNeeded: z ^ (z >> 31))
  }
}
