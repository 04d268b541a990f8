import Foundation
import Synchronization
import TestSupport
import XCTest

@testable import AwsenvCore

/// CurlTransport with the real libcurl against real servers on 127.0.0.1
/// (Tests/harness/http_test_server.py: HTTP, HTTPS with a self-signed certificate, and a proxy).
final class CurlTransportTests: XCTestCase {
  nonisolated(unsafe) private static var servers: LoopbackServers?
  nonisolated(unsafe) private static var savedProxyVariables: [String: String] = [:]
  private static let proxyVariables = [
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
    "no_proxy", "NO_PROXY",
  ]

  private let transport = CurlTransport()
  private var servers: LoopbackServers { Self.servers! }

  override class func setUp() {
    super.setUp()
    // A developer's own proxy settings must not route the loopback requests.
    for name in proxyVariables {
      if let value = getenv(name) {
        savedProxyVariables[name] = String(cString: value)
      }
      unsetenv(name)
    }
    servers = try? LoopbackServers()
  }

  override class func tearDown() {
    servers?.stop()
    servers = nil
    for (name, value) in savedProxyVariables {
      setenv(name, value, 1)
    }
    super.tearDown()
  }

  override func setUpWithError() throws {
    XCTAssertNotNil(Self.servers, "the loopback servers did not start")
    try XCTSkipIf(Self.servers == nil)
  }

  // MARK: Requests on the wire

  func testGetSendsExactlyTheGivenHeaders() throws {
    let request = HTTPRequest(
      method: "GET", scheme: "http", host: "127.0.0.1:\(servers.http)", path: "/echo",
      query: "Action=List&Prefix=a%2Fb%20c&Empty=",
      headers: [
        HTTPHeader("X-Amz-Date", "20240101T000000Z"),
        HTTPHeader("x-amz-security-token", "token/with+chars="),
        HTTPHeader("X-Empty", ""),
      ])
    let response = try transport.send(request, options: HTTPOptions(userAgent: "awsenv-test/1.0"))
    XCTAssertEqual(response.status, 200)
    XCTAssertEqual(response.header("x-echo"), "yes")
    let echo = try Echo(response)
    XCTAssertEqual(echo.requestLine, "GET /echo?Action=List&Prefix=a%2Fb%20c&Empty= HTTP/1.1")
    XCTAssertEqual(
      echo.headers.sorted(),
      [
        "Host: 127.0.0.1:\(servers.http)",
        "User-Agent: awsenv-test/1.0",
        "X-Amz-Date: 20240101T000000Z",
        "X-Empty:",
        "x-amz-security-token: token/with+chars=",
      ].sorted())
    XCTAssertEqual(echo.body, [])
  }

  func testPostSendsBodyAndTheCallersContentType() throws {
    let body = Array("Action=GetCallerIdentity&Version=2011-06-15".utf8)
    let request = HTTPRequest(
      method: "POST", scheme: "http", host: "127.0.0.1:\(servers.http)", path: "/echo",
      headers: [
        HTTPHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
        HTTPHeader("Authorization", "AWS4-HMAC-SHA256 Credential=x"),
      ],
      body: body)
    let echo = try Echo(transport.send(request, options: HTTPOptions(userAgent: "ua")))
    XCTAssertEqual(echo.requestLine, "POST /echo HTTP/1.1")
    XCTAssertEqual(echo.body, body)
    XCTAssertEqual(
      echo.headers.sorted(),
      [
        "Authorization: AWS4-HMAC-SHA256 Credential=x",
        "Content-Length: \(body.count)",
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8",
        "Host: 127.0.0.1:\(servers.http)",
        "User-Agent: ua",
      ])
  }

  func testLargePostGetsNoExpectAndNoDefaultContentType() throws {
    // libcurl adds `Expect: 100-continue` above 1 MiB and a form Content-Type to every POST.
    let body = [UInt8](repeating: 0x61, count: 1_500_000)
    let request = HTTPRequest(
      method: "POST", scheme: "http", host: "127.0.0.1:\(servers.http)", path: "/echo",
      body: body)
    let options = HTTPOptions(userAgent: "", maxResponseBytes: 4 << 20)
    let echo = try Echo(transport.send(request, options: options))
    XCTAssertEqual(echo.body.count, body.count)
    XCTAssertEqual(
      echo.headers.sorted(), ["Content-Length: 1500000", "Host: 127.0.0.1:\(servers.http)"])
  }

  func testOtherMethodsAndEmptyPost() throws {
    let host = "127.0.0.1:\(servers.http)"
    let put = try Echo(
      transport.send(
        HTTPRequest(method: "PUT", scheme: "http", host: host, path: "/echo", body: [1, 2, 3]),
        options: HTTPOptions()))
    XCTAssertEqual(put.requestLine, "PUT /echo HTTP/1.1")
    XCTAssertEqual(put.body, [1, 2, 3])
    let delete = try Echo(
      transport.send(
        HTTPRequest(method: "DELETE", scheme: "http", host: host, path: "/echo"),
        options: HTTPOptions()))
    XCTAssertEqual(delete.requestLine, "DELETE /echo HTTP/1.1")
    XCTAssertFalse(delete.headers.contains { $0.hasPrefix("Content-Length") })
    let post = try Echo(
      transport.send(
        HTTPRequest(method: "POST", scheme: "http", host: host, path: "/echo"),
        options: HTTPOptions()))
    XCTAssertEqual(post.requestLine, "POST /echo HTTP/1.1")
    XCTAssertTrue(post.headers.contains("Content-Length: 0"))
    let dots = try Echo(
      transport.send(
        HTTPRequest(method: "GET", scheme: "http", host: host, path: "/a/../echo"),
        options: HTTPOptions()))
    XCTAssertEqual(dots.requestLine, "GET /a/../echo HTTP/1.1", "the path is sent as signed")
  }

  func testRefusesHeadersThatWouldSplitTheRequest() {
    let host = "127.0.0.1:\(servers.http)"
    let injected = HTTPRequest(
      method: "GET", scheme: "http", host: host, path: "/echo",
      headers: [HTTPHeader("X-A", "1\r\nX-Injected: 2")])
    XCTAssertEqual(
      sendError(injected),
      .unusable(host: host, detail: "refusing to send header X-A: it has a line break"))
    let badName = HTTPRequest(
      method: "GET", scheme: "http", host: host, path: "/echo",
      headers: [HTTPHeader("X A:", "1")])
    XCTAssertEqual(
      sendError(badName), .unusable(host: host, detail: "refusing to send a malformed header name"))
  }

  // MARK: Responses

  func testErrorStatusComesBackAsAResponse() throws {
    let response = try transport.send(
      HTTPRequest(
        method: "GET", scheme: "http", host: "127.0.0.1:\(servers.http)", path: "/status",
        query: "code=403"),
      options: HTTPOptions())
    XCTAssertEqual(response.status, 403)
    XCTAssertEqual(response.header("Content-Type"), "text/xml")
    XCTAssertEqual(response.header("X-AMZN-REQUESTID"), "req-1")
    XCTAssertEqual(response.header("x-empty"), "")
    XCTAssertEqual(
      String(decoding: response.body, as: UTF8.self),
      "<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>")
  }

  func testInterimResponseHeadersAreDropped() throws {
    let response = try transport.send(
      HTTPRequest(
        method: "GET", scheme: "http", host: "127.0.0.1:\(servers.http)", path: "/interim"),
      options: HTTPOptions())
    XCTAssertEqual(response.status, 200)
    XCTAssertEqual(response.header("X-Final"), "yes")
    XCTAssertNil(response.header("X-Interim"))
    XCTAssertNil(response.header("Link"))
    XCTAssertEqual(response.body, Array("final".utf8))
  }

  func testRedirectIsNotFollowed() throws {
    let response = try transport.send(
      HTTPRequest(
        method: "GET", scheme: "http", host: "127.0.0.1:\(servers.http)", path: "/redirect"),
      options: HTTPOptions())
    XCTAssertEqual(response.status, 302)
    XCTAssertEqual(response.header("location"), "/echo")
  }

  func testResponseLargerThanTheLimitIsRefused() throws {
    let host = "127.0.0.1:\(servers.http)"
    let options = HTTPOptions(maxResponseBytes: 1 << 20)
    // With a Content-Length (refused before reading) and chunked (refused while reading).
    for query in ["bytes=2097152", "bytes=2097152&chunked=1"] {
      let request = HTTPRequest(
        method: "GET", scheme: "http", host: host, path: "/big", query: query)
      XCTAssertEqual(
        sendError(request, options: options), .responseTooLarge(host: host, limit: 1 << 20), query)
    }
    for query in ["bytes=1048576", "bytes=1048576&chunked=1"] {
      let request = HTTPRequest(
        method: "GET", scheme: "http", host: host, path: "/big", query: query)
      XCTAssertEqual(try transport.send(request, options: options).body.count, 1 << 20, query)
    }
  }

  // MARK: Failures

  func testServerClosingWhileTheBodyIsSentDoesNotKillTheProcess() {
    // With CURLOPT_NOSIGNAL libcurl does not ignore SIGPIPE itself; its writes must not raise it.
    let body = [UInt8](repeating: 0x61, count: 8 << 20)
    for (scheme, port) in [("http", servers.http), ("https", servers.https)] {
      let request = HTTPRequest(
        method: "POST", scheme: scheme, host: "127.0.0.1:\(port)", path: "/early", body: body)
      do {
        let response = try transport.send(
          request, options: HTTPOptions(caBundle: servers.certificate))
        XCTAssertEqual(response.status, 413, scheme)
      } catch {
        guard case .other = error else { return XCTFail("\(scheme): \(error)") }
      }
    }
  }

  func testRefusedConnectionIsAConnectErrorAtOnce() {
    let host = "127.0.0.1:\(servers.closed)"
    let start = ContinuousClock.now
    let error = sendError(HTTPRequest(method: "GET", scheme: "http", host: host))
    XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(500))
    guard case .connect(host, _)? = error else {
      return XCTFail("expected .connect, got \(String(describing: error))")
    }
    XCTAssertTrue(error!.isRetryable)
  }

  func testServerThatNeverAnswersTimesOut() {
    let host = "127.0.0.1:\(servers.http)"
    let start = ContinuousClock.now
    let error = sendError(
      HTTPRequest(method: "GET", scheme: "http", host: host, path: "/hang"),
      options: HTTPOptions(totalTimeout: 1))
    let elapsed = ContinuousClock.now - start
    XCTAssertEqual(error, .timedOut(host: host, seconds: 1))
    XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(950))
    XCTAssertLessThan(elapsed, .milliseconds(1800))
  }

  func testUntrustedCertificateIsATLSError() {
    let host = "127.0.0.1:\(servers.https)"
    let error = sendError(HTTPRequest(method: "GET", scheme: "https", host: host, path: "/echo"))
    guard case .tls(host, let detail)? = error else {
      return XCTFail("expected .tls, got \(String(describing: error))")
    }
    XCTAssertTrue(detail.contains("certificate"), detail)
    XCTAssertFalse(error!.isRetryable)
  }

  func testCABundleMakesTheCertificateTrusted() throws {
    let request = HTTPRequest(
      method: "POST", scheme: "https", host: "127.0.0.1:\(servers.https)", path: "/echo",
      headers: [HTTPHeader("Content-Type", "text/plain")], body: Array("hello".utf8))
    let echo = try Echo(
      transport.send(request, options: HTTPOptions(caBundle: servers.certificate)))
    XCTAssertEqual(echo.body, Array("hello".utf8))
    XCTAssertFalse(echo.headers.contains { $0.hasPrefix("Accept") || $0.hasPrefix("Expect") })
  }

  func testMissingCABundleIsATLSError() {
    let host = "127.0.0.1:\(servers.https)"
    let error = sendError(
      HTTPRequest(method: "GET", scheme: "https", host: host, path: "/echo"),
      options: HTTPOptions(caBundle: "/nonexistent/ca.pem"))
    guard case .tls(host, _)? = error else {
      return XCTFail("expected .tls, got \(String(describing: error))")
    }
  }

  func testOnlyHTTPAndHTTPSAreAllowed() {
    let error = sendError(HTTPRequest(method: "GET", scheme: "file", host: "", path: "/etc/passwd"))
    guard case .other(_, let detail)? = error else {
      return XCTFail("expected .other, got \(String(describing: error))")
    }
    XCTAssertTrue(detail.lowercased().contains("protocol"), detail)
  }

  // MARK: Proxies from the environment

  func testHTTPProxyFromTheEnvironmentAndNoProxy() throws {
    let request = HTTPRequest(
      method: "GET", scheme: "http", host: "127.0.0.1:\(servers.http)", path: "/echo")
    let proxy = "http://127.0.0.1:\(servers.proxy)"
    try withEnvironment(["http_proxy": proxy]) {
      let proxied = try Echo(transport.send(request, options: HTTPOptions()))
      XCTAssertEqual(
        proxied.requestLine, "GET http://127.0.0.1:\(servers.http)/echo HTTP/1.1",
        "the proxy sees an absolute-form request line")
    }
    for noProxy in ["NO_PROXY", "no_proxy"] {
      try withEnvironment(["http_proxy": proxy, noProxy: "127.0.0.1"]) {
        let direct = try Echo(transport.send(request, options: HTTPOptions()))
        XCTAssertEqual(direct.requestLine, "GET /echo HTTP/1.1", noProxy)
      }
    }
  }

  func testWhichProxyVariablesLibcurlReads() throws {
    let plain = HTTPRequest(
      method: "GET", scheme: "http", host: "127.0.0.1:\(servers.http)", path: "/echo")
    let proxy = "http://127.0.0.1:\(servers.proxy)"
    // HTTP_PROXY in capitals is ignored on purpose (a CGI program gets it from a request header).
    let forHTTP = ["http_proxy": true, "HTTP_PROXY": false, "all_proxy": true, "ALL_PROXY": true]
    for (name, used) in forHTTP {
      try withEnvironment([name: proxy]) {
        let echo = try Echo(transport.send(plain, options: HTTPOptions()))
        XCTAssertEqual(echo.requestLine.hasPrefix("GET http://"), used, name)
      }
    }
    // https goes through the proxy with CONNECT, and TLS still checks the server's certificate.
    let secure = HTTPRequest(
      method: "GET", scheme: "https", host: "127.0.0.1:\(servers.https)", path: "/echo")
    for name in ["https_proxy", "HTTPS_PROXY", "ALL_PROXY"] {
      let before = try proxyLog().count
      try withEnvironment([name: proxy]) {
        let echo = try Echo(
          transport.send(secure, options: HTTPOptions(caBundle: servers.certificate)))
        XCTAssertEqual(echo.requestLine, "GET /echo HTTP/1.1", name)
        XCTAssertEqual(sendError(secure)?.isTLS, true, name)
      }
      let log = try proxyLog()
      XCTAssertEqual(log.count, before + 2, name)
      XCTAssertEqual(log.last, "CONNECT 127.0.0.1:\(servers.https) HTTP/1.1", name)
    }
  }

  func testProxyThatRefusesTheTunnelIsAProxyError() {
    let host = "127.0.0.1:\(servers.closed)"
    withEnvironment(["https_proxy": "http://127.0.0.1:\(servers.proxy)"]) {
      XCTAssertEqual(
        sendError(HTTPRequest(method: "GET", scheme: "https", host: host)),
        .proxy(detail: "the proxy answered CONNECT with HTTP 403"))
    }
  }

  // MARK: Loading libcurl

  func testMissingLibcurlIsAnErrorNotACrash() {
    let host = "127.0.0.1:\(servers.http)"
    let library = "libawsenv-test-no-such-curl.so.4"
    let error = sendError(
      HTTPRequest(method: "GET", scheme: "http", host: host, path: "/echo"),
      transport: CurlTransport(library: library))
    guard case .unusable(host, let detail)? = error else {
      return XCTFail("expected .unusable, got \(String(describing: error))")
    }
    XCTAssertTrue(
      detail.hasPrefix(
        "\(library) could not be loaded (\(library): cannot open shared object file"),
      detail)
    let advice = "); install libcurl4 (Debian: apt-get install libcurl4)"
    XCTAssertTrue(detail.hasSuffix(advice), detail)
  }

  func testLibraryWithoutTheCurlFunctionsIsNotLoaded() {
    let host = "127.0.0.1:\(servers.http)"
    let error = sendError(
      HTTPRequest(method: "GET", scheme: "http", host: host, path: "/echo"),
      transport: CurlTransport(library: "libm.so.6"))
    guard case .unusable(host, let detail)? = error else {
      return XCTFail("expected .unusable, got \(String(describing: error))")
    }
    XCTAssertTrue(detail.hasPrefix("libm.so.6 could not be loaded ("), detail)
    XCTAssertTrue(detail.contains("undefined symbol: curl_global_init"), detail)
  }

  func testTheRealLibcurlHasEveryFunctionTheShimUses() throws {
    let request = HTTPRequest(
      method: "GET", scheme: "http", host: "127.0.0.1:\(servers.http)", path: "/echo")
    let response = try CurlTransport(library: "libcurl.so.4").send(request, options: HTTPOptions())
    XCTAssertEqual(response.status, 200)
  }

  // MARK: Threads

  func testConcurrentSendsFromManyThreads() {
    let host = "127.0.0.1:\(servers.http)"
    let results = Mutex<[Int: String]>([:])
    DispatchQueue.concurrentPerform(iterations: 8) { index in
      let request = HTTPRequest(
        method: "GET", scheme: "http", host: host, path: "/echo",
        headers: [HTTPHeader("X-Index", "\(index)")])
      let outcome: String
      do {
        let echo = try Echo(CurlTransport().send(request, options: HTTPOptions()))
        outcome = echo.headers.first { $0.hasPrefix("X-Index:") } ?? "missing"
      } catch {
        outcome = "\(error)"
      }
      results.withLock { $0[index] = outcome }
    }
    let expected = Dictionary(uniqueKeysWithValues: (0..<8).map { ($0, "X-Index: \($0)") })
    XCTAssertEqual(results.withLock { $0 }, expected)
  }

  // MARK: Helpers

  private func sendError(
    _ request: HTTPRequest, options: HTTPOptions = HTTPOptions(), transport: CurlTransport? = nil
  ) -> HTTPError? {
    do {
      _ = try (transport ?? self.transport).send(request, options: options)
      return nil
    } catch {
      return error
    }
  }

  /// Runs `body` with environment variables set, then restores what was there.
  private func withEnvironment(
    _ variables: [String: String], _ body: () throws -> Void
  ) rethrows {
    var saved: [String: String?] = [:]
    for (name, value) in variables {
      saved.updateValue(getenv(name).map { String(cString: $0) }, forKey: name)
      setenv(name, value, 1)
    }
    defer {
      for (name, value) in saved {
        if let value { setenv(name, value, 1) } else { unsetenv(name) }
      }
    }
    try body()
  }

  /// The request lines the proxy has seen so far.
  private func proxyLog() throws -> [String] {
    let response = try transport.send(
      HTTPRequest(method: "GET", scheme: "http", host: "127.0.0.1:\(servers.proxy)", path: "/log"),
      options: HTTPOptions())
    return try JSONDecoder().decode([String].self, from: Data(response.body))
  }
}

/// What the /echo endpoint saw.
private struct Echo {
  var requestLine: String
  var headers: [String]
  var body: [UInt8]

  init(_ response: HTTPResponse) throws {
    struct Document: Decodable {
      var requestLine: String
      var headers: [String]?
      var body: String?
    }
    let document = try JSONDecoder().decode(Document.self, from: Data(response.body))
    requestLine = document.requestLine
    // The proxy answers with the request line only.
    headers = document.headers ?? []
    body = Array(Data(base64Encoded: document.body ?? "") ?? Data())
  }
}

extension HTTPError {
  fileprivate var isTLS: Bool {
    if case .tls = self { return true }
    return false
  }
}

/// The loopback peers of these tests.
private typealias LoopbackServers = HTTPTestServer
