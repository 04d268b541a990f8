import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A server script of Tests/harness (python3 from PATH) on a free loopback port: started with
/// `--port 0 --exit-with-parent`, ready when its first line of stdout is `READY <port>`, stopped
/// with SIGTERM (then SIGKILL) and its temporary directory removed. The environment it gets has
/// no AWS_* variable, so it works inside Tests/harness/sandbox.sh and outside it. STSServer and
/// SSOServer are built on it.
final class LocalServer: @unchecked Sendable {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  static let harness = "\(Harness.root)/Tests/harness"
  /// No bytecode written into the source tree.
  static let pythonVariables = ["PYTHONDONTWRITEBYTECODE": "1"]
  static var environment: [String: String] {
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS") }
    env.merge(pythonVariables) { $1 }
    return env
  }

  /// "http://127.0.0.1:PORT".
  let url: String
  let port: Int
  /// A private temporary directory: the server's stdout (server.out) and stderr (server.log),
  /// and whatever the caller puts there.
  let directory: String
  /// Seconds from launching Python to READY.
  let startSeconds: Double

  private let process: Process
  private let lock = NSLock()
  private var stopped = false

  /// Starts `script` (a file of Tests/harness) with the options `arguments` returns for the
  /// server's directory; `needs` says what python3 must have, for the error when it fails.
  init(script: String, needs: String, arguments: (String) throws -> [String] = { _ in [] })
    throws
  {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "awsenv-\(script.prefix { $0 != "." })-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    directory = dir.path
    let out = dir.appendingPathComponent("server.out")
    let log = dir.appendingPathComponent("server.log")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: log.path, contents: nil)

    process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments =
      ["python3", "\(Self.harness)/\(script)", "--port", "0", "--exit-with-parent"]
      + (try arguments(dir.path))
    process.environment = Self.environment
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: log)
    let launched = Date()
    try process.run()

    // READY <port> on the first line of stdout, within 20 s.
    var ready: Int?
    while ready == nil && Date().timeIntervalSince(launched) < 20 && process.isRunning {
      let text = String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self)
      if let line = text.split(separator: "\n").first, line.hasPrefix("READY ") {
        ready = Int(line.dropFirst(6))
      } else {
        Thread.sleep(forTimeInterval: 0.02)
      }
    }
    guard let ready else {
      let exited = !process.isRunning
      if !exited { process.terminate() }
      process.waitUntilExit()
      let stderr = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
      try? FileManager.default.removeItem(at: dir)
      throw Failure(
        description: (exited
          ? "\(script) exited (status \(process.terminationStatus)) before READY"
          : "\(script) printed no READY line within 20 s") + " (\(needs))\n\(stderr)")
    }
    port = ready
    url = "http://127.0.0.1:\(ready)"
    startSeconds = Date().timeIntervalSince(launched)
  }

  deinit { stop() }

  /// SIGTERM, then waits for the server; removes `directory`. Also done by deinit.
  func stop() {
    lock.lock()
    defer { lock.unlock() }
    guard !stopped else { return }
    stopped = true
    if process.isRunning {
      process.terminate()
      let deadline = Date().addingTimeInterval(5)
      while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
    process.waitUntilExit()
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// A request to the server's own `path`; the body of a 200 answer, else an error.
  func request(
    _ method: String, _ path: String, body: Data? = nil, contentType: String = "application/json"
  ) throws -> Data {
    try fetch(method: method, url: url + path, body: body, contentType: contentType)
  }

  /// A request to any `url` (a verification page, say); the body of a 200 answer, else an error.
  func fetch(
    method: String, url: String, body: Data?, contentType: String = "application/json"
  ) throws -> Data {
    guard let target = URL(string: url) else { throw Failure(description: "bad URL \(url)") }
    var request = URLRequest(url: target, timeoutInterval: 10)
    request.httpMethod = method
    request.httpBody = body
    if body != nil { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
    let reply = Reply()
    let done = DispatchSemaphore(value: 0)
    URLSession.shared.dataTask(with: request) { data, response, error in
      reply.set(data, (response as? HTTPURLResponse)?.statusCode, error)
      done.signal()
    }.resume()
    done.wait()
    let (data, status, error) = reply.get()
    if let error { throw Failure(description: "\(method) \(url): \(error)") }
    guard status == 200 else {
      let text = String(decoding: data ?? Data(), as: UTF8.self)
      throw Failure(description: "\(method) \(url): HTTP \(status ?? 0) \(text)")
    }
    return data ?? Data()
  }
}

/// A URLSession completion's results, handed from its queue to the waiting test.
private final class Reply: @unchecked Sendable {
  private let lock = NSLock()
  private var value: (Data?, Int?, Error?) = (nil, nil, nil)

  func set(_ data: Data?, _ status: Int?, _ error: Error?) {
    lock.lock()
    value = (data, status, error)
    lock.unlock()
  }

  func get() -> (Data?, Int?, Error?) {
    lock.lock()
    defer { lock.unlock() }
    return value
  }
}
