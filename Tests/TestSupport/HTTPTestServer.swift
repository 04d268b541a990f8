import Foundation

/// Tests/harness/http_test_server.py, running until ``stop()``: loopback peers for transport
/// tests (HTTP with /hang and friends, HTTPS with a self-signed certificate, a proxy, and a port
/// nothing listens on). Shared by the unit tests of the transport and the fault tests of the
/// built binary.
public final class HTTPTestServer: @unchecked Sendable {
  public let http: Int
  public let https: Int
  public let proxy: Int
  public let closed: Int
  /// The self-signed certificate the HTTPS port presents (PEM file).
  public let certificate: String
  private let process = Process()
  private let input = Pipe()
  private let directory: URL

  private struct Ports: Decodable {
    var http: Int
    var https: Int
    var proxy: Int
    var closed: Int
    var cert: String
  }

  /// The harness folder of this repository (Tests/harness).
  public static let harness = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("harness").path

  /// Starts the server with its files in a new directory under `parent` (default: the
  /// temporary directory), in `environment` (default: this process's).
  public init(parent: URL? = nil, environment: [String: String]? = nil) throws {
    directory = (parent ?? FileManager.default.temporaryDirectory)
      .appendingPathComponent("awsenv-http-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let output = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "\(Self.harness)/http_test_server.py", directory.path]
    if let environment { process.environment = environment }
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    // The server's first line is a JSON object of its ports.
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
      let chunk = output.fileHandleForReading.availableData
      guard !chunk.isEmpty else { break }
      line.append(chunk)
    }
    let ports = try JSONDecoder().decode(Ports.self, from: line)
    (http, https, proxy, closed, certificate) =
      (ports.http, ports.https, ports.proxy, ports.closed, ports.cert)
  }

  /// Closes the server's stdin (it exits then), waits for it and removes its files.
  public func stop() {
    try? input.fileHandleForWriting.close()
    process.waitUntilExit()
    try? FileManager.default.removeItem(at: directory)
  }
}
