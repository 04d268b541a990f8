import Foundation
import XCTest

@testable import AwsenvCore

/// The credential server's parts: request heads, the token, durations, the shared refresh, the
/// handler's answers, and the HTTP server against hostile clients on loopback.
final class CredentialServerUnitTests: XCTestCase {
  func testRequestHeadParsing() {
    let head = HTTPRequestHead.parse(
      Array("GET /credentials?x=1 HTTP/1.1\r\nHost: a\r\nAuthorization:  tok \r\nX: 1".utf8))
    XCTAssertEqual(head?.method, "GET")
    XCTAssertEqual(head?.path, "/credentials")
    XCTAssertEqual(head?.values(of: "authorization"), ["tok"])
    for bad in [
      "", "GET /credentials", "GET credentials HTTP/1.1", "GET /c HTTP/2", "GET  /c HTTP/1.1",
      "GET /c HTTP/1.1\nHost: a", "GET /c HTTP/1.1\r\nNoColon", "GET /c HTTP/1.1\r\n folded",
      "G\u{1}T /c HTTP/1.1", "GET /c\u{7F} HTTP/1.1", "GET /c HTTP/1.1\r\nA: \u{1}",
    ] {
      XCTAssertNil(HTTPRequestHead.parse(Array(bad.utf8)), "accepted: \(bad.debugDescription)")
    }
  }

  func testTokenIsRandomAndComparedWhole() {
    let token = ServerToken.random()
    XCTAssertEqual(token.text.count, 64)
    XCTAssertNotEqual(token.text, ServerToken.random().text)
    XCTAssertTrue(token.matches(Array(token.text.utf8)))
    XCTAssertFalse(token.matches(Array(token.text.dropLast().utf8)))
    XCTAssertFalse(token.matches(Array((token.text + "0").utf8)))
    XCTAssertFalse(token.matches([UInt8]()))
    var changed = Array(token.text.utf8)
    changed[0] = changed[0] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
    XCTAssertFalse(token.matches(changed))
    // A candidate 256 bytes longer must not wrap around to "same length".
    XCTAssertFalse(token.matches(Array(token.text.utf8) + [UInt8](repeating: 0, count: 256)))
  }

  /// `--duration` is read by the one parser; a served session must be 15 min to 12 h.
  func testSessionDurations() throws {
    for (text, seconds) in [
      ("900", 900), ("15m", 900), ("1h", 3600), ("12h", 43200), ("90m", 5400),
    ] {
      let parsed = try XCTUnwrap(SessionDuration.parse(text), text)
      XCTAssertEqual(try ServedCredentials.checkedDuration(parsed), seconds, text)
    }
    for bad in ["", "1x", "-1h", "1.5s", "h", "nan"] {
      XCTAssertNil(SessionDuration.parse(bad), bad)
    }
    for outside in ["10m", "13h"] {
      let parsed = try XCTUnwrap(SessionDuration.parse(outside), outside)
      XCTAssertThrowsError(try ServedCredentials.checkedDuration(parsed), outside)
    }
  }

  /// 32 callers of a stale value while a slow fetch runs: one fetch, one value for all.
  func testConcurrentCallersShareOneFetch() {
    final class Counter: @unchecked Sendable {
      let lock = NSLock()
      var count = 0
    }
    let counter = Counter()
    let shared = SharedRefresh<Int>(
      fetch: {
        let n = counter.lock.withLock {
          counter.count += 1
          return counter.count
        }
        usleep(200_000)
        return .success(n)
      },
      isFresh: { $0 > 0 })
    shared.seed(0)
    final class Results: @unchecked Sendable {
      let lock = NSLock()
      var values: [Int] = []
    }
    let results = Results()
    DispatchQueue.concurrentPerform(iterations: 32) { _ in
      let value = (try? shared.current().get()) ?? -1
      results.lock.withLock { results.values.append(value) }
    }
    XCTAssertEqual(counter.count, 1)
    XCTAssertEqual(results.values.count, 32)
    XCTAssertEqual(Set(results.values), [1])
    XCTAssertEqual(try shared.current().get(), 1, "fresh now: no new fetch")
    XCTAssertEqual(counter.count, 1)
  }

  /// A failed fetch is every waiter's answer; the next caller tries again.
  func testAFailureIsSharedThenRetried() {
    final class Box: @unchecked Sendable { var calls = 0 }
    let box = Box()
    let shared = SharedRefresh<Int>(
      fetch: {
        box.calls += 1
        return box.calls == 1 ? .failure(.other("no")) : .success(5)
      },
      isFresh: { _ in true })
    XCTAssertThrowsError(try shared.current().get())
    XCTAssertEqual(try shared.current().get(), 5)
  }

  func testHandlerAnswers() throws {
    let token = ServerToken.random()
    let credentials = Credentials(
      accessKeyID: "ASIAAWSENVSERVER0001", secretAccessKey: "secret/value+1",
      sessionToken: "token", expiration: Date(timeIntervalSince1970: 1_900_000_000))
    let handler = CredentialRequestHandler(token: token, credentials: { .success(credentials) })
    func answer(_ method: String, _ path: String, _ auth: String?) -> HTTPAnswer {
      handler.answer(
        HTTPRequestHead(
          method: method, path: path, headers: auth.map { [("Authorization", $0)] } ?? []))
    }
    func answer(_ auth: String?) -> HTTPAnswer { answer("GET", "/credentials", auth) }
    let ok = answer(token.text)
    XCTAssertEqual(ok.status, 200)
    let document = try JSONSerialization.jsonObject(with: Data(ok.body)) as? [String: String]
    XCTAssertEqual(
      document,
      [
        "AccessKeyId": "ASIAAWSENVSERVER0001", "SecretAccessKey": "secret/value+1",
        "Token": "token", "Expiration": "2030-03-17T17:46:40Z",
      ])
    for (got, status) in [
      (answer(nil), 401), (answer("wrong"), 403), (answer(token.text + " "), 403),
      (answer("GET", "/", token.text), 404), (answer("POST", "/credentials", token.text), 405),
      (answer("GET", "/credentials/", token.text), 404),
    ] {
      XCTAssertEqual(got.status, status)
      XCTAssertFalse(String(decoding: got.body, as: UTF8.self).contains("secret"))
    }
    let twice = handler.answer(
      HTTPRequestHead(
        method: "GET", path: "/credentials",
        headers: [("Authorization", token.text), ("authorization", token.text)]))
    XCTAssertEqual(twice.status, 403)
  }

  func testHandlerFailureIsErrorJSON() throws {
    let token = ServerToken.random()
    let handler = CredentialRequestHandler(
      token: token, credentials: { .failure(.needsInteraction("run `awsenv login x`")) })
    let answer = handler.answer(
      HTTPRequestHead(method: "GET", path: "/credentials", headers: [("Authorization", token.text)])
    )
    XCTAssertEqual(answer.status, 500)
    let document = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: String]
    XCTAssertEqual(document?["code"], "CredentialsNeedUser")
    XCTAssertEqual(document?["message"], "awsenv: run `awsenv login x`")
  }

  // MARK: The HTTP server against hostile clients

  private func startServer(_ limits: LoopbackHTTPServer.Limits) throws -> LoopbackHTTPServer {
    let server = try LoopbackHTTPServer(address: "127.0.0.1", port: 0, limits: limits) { head in
      HTTPAnswer(status: 200, body: Array("ok \(head.path)".utf8))
    }
    server.start()
    return server
  }

  /// A connected socket to `port`.
  private func connectTo(_ port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port)).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
    return fd
  }

  /// Sends `bytes` and reads the whole answer (the server closes every connection).
  private func exchange(_ port: Int, _ bytes: [UInt8]) throws -> String {
    let fd = try connectTo(port)
    defer { close(fd) }
    var offset = 0
    while offset < bytes.count {
      let sent = bytes.withUnsafeBytes {
        send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
      }
      if sent <= 0 { break }
      offset += sent
    }
    return readAll(fd)
  }

  private func readAll(_ fd: Int32) -> String {
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var answer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if count <= 0 { break }
      answer += chunk[0..<count]
    }
    return String(decoding: answer, as: UTF8.self)
  }

  func testHostileClientsGetBoundedAnswersAndTheServerGoesOn() throws {
    let server = try startServer(.init(headBytes: 16 * 1024, readSeconds: 1, connections: 8))
    defer { server.stop() }
    let port = server.port
    let good = Array("GET /x HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
    XCTAssertTrue(try exchange(port, good).hasPrefix("HTTP/1.1 200 OK\r\n"))
    XCTAssertTrue(try exchange(port, Array("\u{0}\u{1}garbage\r\n\r\n".utf8)).contains(" 400 "))
    // A head past 16 KiB: refused without reading on forever.
    let huge = Array("GET /x HTTP/1.1\r\nX: ".utf8) + [UInt8](repeating: 0x61, count: 1 << 20)
    XCTAssertTrue(try exchange(port, huge).hasPrefix("HTTP/1.1 431 "))
    // A slow client that never finishes its head is dropped after the read deadline.
    let slow = try connectTo(port)
    _ = send(slow, "GET /x HT", 9, Int32(MSG_NOSIGNAL))
    let start = Date()
    XCTAssertEqual(readAll(slow), "")
    XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    close(slow)
    // More idle connections than the cap: the extra ones are closed at once, and once the
    // idle ones time out the server answers again.
    let idle = try (0..<8).map { _ in try connectTo(port) }
    usleep(100_000)
    let extra = try connectTo(port)
    XCTAssertEqual(readAll(extra), "")
    close(extra)
    idle.forEach { close($0) }
    usleep(1_500_000)
    XCTAssertTrue(try exchange(port, good).hasPrefix("HTTP/1.1 200 OK\r\n"))
  }

  func testStopClosesThePort() throws {
    var server: LoopbackHTTPServer? = try startServer(.init())
    let port = try XCTUnwrap(server?.port)
    XCTAssertNoThrow(try exchange(port, Array("GET / HTTP/1.1\r\n\r\n".utf8)))
    server?.stop()
    usleep(100_000)
    server = nil
    usleep(100_000)
    XCTAssertThrowsError(try connectTo(port))
  }
}
