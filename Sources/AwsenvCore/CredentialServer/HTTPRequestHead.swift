import Foundation

/// The request line and headers of an HTTP/1.x request: all the credential server reads.
public struct HTTPRequestHead: Sendable, Equatable {
  public var method: String
  /// The path, without the query string.
  public var path: String
  public var headers: [(name: String, value: String)]

  public static func == (left: HTTPRequestHead, right: HTTPRequestHead) -> Bool {
    left.method == right.method && left.path == right.path
      && left.headers.elementsEqual(right.headers) { $0 == $1 }
  }

  /// The values of the header `name` (case-insensitive), in order.
  public func values(of name: String) -> [String] {
    let lowered = name.lowercased()
    return headers.filter { $0.name.lowercased() == lowered }.map(\.value)
  }

  /// Parses `bytes`, which end just before the blank line that closes the head. nil for
  /// anything that is not a well-formed HTTP/1.0 or 1.1 request head: no request line, a
  /// method or path with odd bytes, a header without a colon, obsolete line folding.
  public static func parse(_ bytes: some Collection<UInt8>) -> HTTPRequestHead? {
    var lines: [ArraySlice<UInt8>] = []
    var current: [UInt8] = []
    var previous: UInt8 = 0
    for byte in bytes {
      if byte == 0x0A {
        guard previous == 0x0D else { return nil }
        lines.append(ArraySlice(current.dropLast()))
        current = []
      } else {
        current.append(byte)
      }
      previous = byte
    }
    guard current.last != 0x0D else { return nil }
    lines.append(ArraySlice(current))
    guard let requestLine = lines.first else { return nil }
    let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
    guard parts.count == 3,
      ["HTTP/1.1", "HTTP/1.0"].contains(String(decoding: parts[2], as: UTF8.self)),
      !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte), parts[1].first == UInt8(ascii: "/"),
      parts[1].allSatisfy({ (0x21...0x7E).contains($0) })
    else { return nil }
    let target = String(decoding: parts[1], as: UTF8.self)
    let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
    var headers: [(name: String, value: String)] = []
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
        line[line.startIndex..<colon].allSatisfy(isTokenByte),
        line[line.index(after: colon)...].allSatisfy({ $0 == 0x09 || (0x20...0x7E).contains($0) })
      else { return nil }
      let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
      let value = String(decoding: line[line.index(after: colon)...], as: UTF8.self)
        .trimmingCharacters(in: [" ", "\t"])
      headers.append((name, value))
    }
    return HTTPRequestHead(
      method: String(decoding: parts[0], as: UTF8.self), path: String(path), headers: headers)
  }
}

/// The characters of an HTTP token (RFC 9110): a method or a header name.
private func isTokenByte(_ byte: UInt8) -> Bool {
  switch byte {
  case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
    UInt8(ascii: "a")...UInt8(ascii: "z"):
    return true
  default:
    return "!#$%&'*+-.^_`|~".utf8.contains(byte)
  }
}

/// An answer of the credential server. Every one closes its connection.
public struct HTTPAnswer: Sendable, Equatable {
  public var status: Int
  public var headers: [String: String]
  public var body: [UInt8]

  public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  static let reasons = [
    200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 408: "Request Timeout", 431: "Request Header Fields Too Large",
    500: "Internal Server Error", 503: "Service Unavailable",
  ]

  /// The bytes on the wire: status line, headers, body.
  public var encoded: [UInt8] {
    var head = "HTTP/1.1 \(status) \(Self.reasons[status] ?? "Status")\r\n"
    var all = headers
    all["Content-Length"] = String(body.count)
    all["Connection"] = "close"
    all["Cache-Control"] = "no-store"
    for name in all.keys.sorted() { head += "\(name): \(all[name]!)\r\n" }
    head += "\r\n"
    return Array(head.utf8) + body
  }
}
