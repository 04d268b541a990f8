import Foundation
import XCTest

/// A server of Tests/harness that a test class starts once and stops when its tests are done:
/// LocalServer and the STSServer and SSOServer built on it.
protocol StoppableServer: AnyObject, Sendable {
  func stop()
}

extension LocalServer: StoppableServer {}
extension STSServer: StoppableServer {}
extension SSOServer: StoppableServer {}
extension SigninServer: StoppableServer {}

/// One server shared by the tests of a class: started by the first test that asks for it
/// (`get()`), stopped by LocalServerTestCase's class tearDown. A start that failed is not
/// tried again in the same class: every test then fails with its error.
///
///     static let sts = SharedServer("the local STS") { try STSServer(auth: true, spec: spec) }
///     var sts: STSServer { get throws { try Self.sts.get() } }
final class SharedServer<Server: StoppableServer>: @unchecked Sendable {
  /// What the server is, for messages ("the local STS").
  let name: String
  private let start: () throws -> Server
  private let lock = NSLock()
  private var state: Result<Server, Error>?

  init(_ name: String, start: @escaping () throws -> Server) {
    self.name = name
    self.start = start
  }

  /// The running server, started now if no test of this class asked before; the start's error
  /// (named after the server) when it did not start.
  func get() throws -> Server {
    lock.lock()
    defer { lock.unlock() }
    if state == nil {
      do {
        state = .success(try start())
        SharedServers.started(self)
      } catch {
        state = .failure(LocalServer.Failure(description: "\(name) did not start: \(error)"))
      }
    }
    return try state!.get()
  }

  /// The server when it is running, without starting it.
  var running: Server? {
    lock.lock()
    defer { lock.unlock() }
    return try? state?.get()
  }

  /// Stops the server; the next `get()` starts a new one.
  func stop() {
    lock.lock()
    let server = try? state?.get()
    state = nil
    lock.unlock()
    server?.stop()
  }
}

/// The SharedServers started since the last class tearDown. XCTest runs one class at a time, so
/// these are the current class's.
enum SharedServers {
  nonisolated(unsafe) private static var list: [() -> Void] = []
  private static let lock = NSLock()

  static func started<Server>(_ server: SharedServer<Server>) {
    lock.lock()
    list.append { server.stop() }
    lock.unlock()
  }

  /// Stops them all, in the reverse order of their start.
  static func stopAll() {
    lock.lock()
    let stops = list
    list = []
    lock.unlock()
    for stop in stops.reversed() { stop() }
  }
}

/// The base of test classes that use local servers (SharedServer): stops them after the class's
/// last test. A subclass that overrides `class func tearDown` calls `super.tearDown()`.
class LocalServerTestCase: XCTestCase {
  override class func tearDown() {
    SharedServers.stopAll()
    super.tearDown()
  }
}
