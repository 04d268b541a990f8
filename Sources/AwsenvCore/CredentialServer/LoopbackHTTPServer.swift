import Foundation
import Glibc

/// A small HTTP/1.1 server for the credential endpoint: one IPv4 address, a thread that
/// accepts, a thread per connection, one request per connection (`Connection: close`).
///
/// Hostile clients cost bounded memory and time and never stop it: a request head is at most
/// ``Limits/headBytes`` (431 past that), a client has ``Limits/readSeconds`` to send it (then
/// the connection is dropped), garbage gets a 400, and past ``Limits/connections`` open
/// connections new ones are closed at once.
public final class LoopbackHTTPServer: @unchecked Sendable {
  public struct Limits: Sendable {
    public var headBytes = 16 * 1024
    public var readSeconds = 5.0
    public var connections = 64

    public init(headBytes: Int = 16 * 1024, readSeconds: Double = 5, connections: Int = 64) {
      self.headBytes = headBytes
      self.readSeconds = readSeconds
      self.connections = connections
    }
  }

  /// The address and port it listens on (the port the kernel chose, when asked for 0).
  public let address: String
  public let port: Int
  private let limits: Limits
  private let handler: @Sendable (HTTPRequestHead) -> HTTPAnswer
  private let listener: Int32
  /// Written to by ``stop()`` to wake the accepting thread.
  private let wake: (read: Int32, write: Int32)
  private let state = NSLock()
  private var open = 0
  private var stopped = false

  /// Binds `address` (dotted IPv4) and `port` (0: any free one) and listens; serving starts
  /// with ``start()``.
  public init(
    address: String, port: Int, limits: Limits = Limits(),
    handler: @escaping @Sendable (HTTPRequestHead) -> HTTPAnswer
  ) throws(AwsenvError) {
    var socketAddress = sockaddr_in()
    socketAddress.sin_family = sa_family_t(AF_INET)
    socketAddress.sin_port = in_port_t(UInt16(clamping: port)).bigEndian
    guard (0...65535).contains(port), inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1
    else {
      throw .other("'\(address):\(port)' is not an IPv4 address and port to listen on")
    }
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw .other("cannot open a socket: \(String(cString: strerror(errno)))") }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    let bound = withUnsafePointer(to: &socketAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(fd, 128) == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw .other(
        "cannot listen on \(address):\(port) (\(reason)); choose another port, or stop what "
          + "uses it")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &socketAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
    }
    var pipeFDs: [Int32] = [0, 0]
    // (pipe2 and accept4 are not imported into Swift: the flags are set just after.)
    guard pipe(&pipeFDs) == 0 else {
      close(fd)
      throw .other("cannot make a pipe: \(String(cString: strerror(errno)))")
    }
    for end in pipeFDs {
      _ = fcntl(end, F_SETFD, FD_CLOEXEC)
      _ = fcntl(end, F_SETFL, O_NONBLOCK)
    }
    self.address = address
    self.port = Int(UInt16(bigEndian: socketAddress.sin_port))
    self.limits = limits
    self.handler = handler
    self.listener = fd
    self.wake = (pipeFDs[0], pipeFDs[1])
  }

  deinit {
    close(listener)
    close(wake.read)
    close(wake.write)
  }

  /// Starts accepting on a thread of its own.
  public func start() {
    let thread = Thread { [self] in acceptLoop() }
    thread.stackSize = 256 * 1024
    thread.start()
  }

  /// Stops accepting; connections being answered finish. The port closes when the server is
  /// released (or the process ends).
  public func stop() {
    state.withLock { stopped = true }
    var byte: UInt8 = 1
    _ = write(wake.write, &byte, 1)
  }

  private func acceptLoop() {
    var fds = [
      pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
      pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0),
    ]
    while true {
      if state.withLock({ stopped }) { break }
      let ready = poll(&fds, 2, -1)
      if ready < 0 {
        if errno == EINTR { continue }
        break
      }
      if fds[1].revents != 0 { break }
      guard fds[0].revents & Int16(POLLIN) != 0 else { continue }
      let client = accept(listener, nil, nil)
      guard client >= 0 else {
        // EMFILE and the like: back off instead of spinning, and keep serving.
        if errno != EINTR && errno != EAGAIN && errno != ECONNABORTED { usleep(10_000) }
        continue
      }
      _ = fcntl(client, F_SETFD, FD_CLOEXEC)
      let admitted = state.withLock {
        guard open < limits.connections else { return false }
        open += 1
        return true
      }
      guard admitted else {
        close(client)
        continue
      }
      let thread = Thread { [self] in
        serve(client)
        close(client)
        state.withLock { open -= 1 }
      }
      thread.stackSize = 256 * 1024
      thread.start()
    }
    shutdown(listener, Int32(SHUT_RDWR))
  }

  /// Reads one request head within the deadline and answers it.
  private func serve(_ client: Int32) {
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let deadline = Date().addingTimeInterval(limits.readSeconds)
    var buffer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    var searchFrom = 0
    while true {
      if let end = headEnd(buffer, from: searchFrom) {
        let answer =
          HTTPRequestHead.parse(buffer[..<end]).map(handler)
          ?? HTTPAnswer.error(400, "BadRequest", "not an HTTP/1.1 request")
        send(answer, to: client)
        return
      }
      if buffer.count > limits.headBytes {
        send(.error(431, "HeadTooLarge", "the request head is too long"), to: client)
        return
      }
      searchFrom = max(0, buffer.count - 3)
      let remaining = deadline.timeIntervalSinceNow
      guard remaining > 0 else { return }
      var waiting = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
      let ready = poll(&waiting, 1, Int32(remaining * 1000) + 1)
      if ready < 0 && errno == EINTR { continue }
      guard ready > 0 else { return }
      let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return }
      buffer.append(contentsOf: chunk[0..<count])
    }
  }

  /// The index where the blank line that ends a request head starts, if it has arrived.
  private func headEnd(_ buffer: [UInt8], from start: Int) -> Int? {
    guard buffer.count >= 4 else { return nil }
    var index = start
    while index + 3 < buffer.count {
      if buffer[index] == 0x0D && buffer[index + 1] == 0x0A && buffer[index + 2] == 0x0D
        && buffer[index + 3] == 0x0A
      {
        return index
      }
      index += 1
    }
    return nil
  }

  private func send(_ answer: HTTPAnswer, to client: Int32) {
    let bytes = answer.encoded
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes {
        Glibc.send(client, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
      }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { return }
      offset += written
    }
    shutdown(client, Int32(SHUT_WR))
  }
}

extension HTTPAnswer {
  /// An error answer in the shape the SDKs' container providers report: `{"code", "message"}`.
  public static func error(_ status: Int, _ code: String, _ message: String) -> HTTPAnswer {
    let body = JSONValue.object([("code", .string(code)), ("message", .string(message))]).text
    return HTTPAnswer(
      status: status, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
  }
}
