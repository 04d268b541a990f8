import Foundation

/// Where a service's requests go: scheme, authority and base path.
public struct ServiceEndpoint: Sendable, Equatable, CustomStringConvertible {
  public var scheme: String
  /// `host` or `host:port`, as the Host header carries it.
  public var host: String
  public var path: String

  public init(scheme: String, host: String, path: String = "/") {
    self.scheme = scheme
    self.host = host
    self.path = path.isEmpty ? "/" : path
  }

  public var description: String { scheme + "://" + host + (path == "/" ? "" : path) }

  /// Parses an endpoint URL (`https://host[:port][/path]`). Credentials go only over https,
  /// or plain http to a loopback address (a local test server).
  public static func parse(_ text: String, setting: String) throws(HTTPError) -> ServiceEndpoint {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard let schemeEnd = trimmed.range(of: "://") else {
      throw .badEndpoint(
        "\(setting) = \(trimmed) is not a URL; write it as https://HOST[:PORT]")
    }
    let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
    var rest = trimmed[schemeEnd.upperBound...]
    if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<query] }
    let slash = rest.firstIndex(of: "/") ?? rest.endIndex
    let host = String(rest[..<slash])
    let path = String(rest[slash...])
    let hostChars = host.unicodeScalars.allSatisfy {
      $0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0)
        || "-.:[]_".unicodeScalars.contains($0)
    }
    guard !host.isEmpty, hostChars, !host.contains("@"),
      path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
    else {
      throw .badEndpoint(
        "\(setting) = \(trimmed) has no valid host; write it as https://HOST[:PORT]")
    }
    switch scheme {
    case "https": break
    case "http" where isLoopback(host):
      break
    default:
      throw .badEndpoint(
        "\(setting) = \(trimmed) is not https; awsenv sends credentials only over https "
          + "(plain http only to a loopback address such as 127.0.0.1)")
    }
    return ServiceEndpoint(scheme: scheme, host: host, path: path)
  }

  /// Whether `authority` (host or host:port) names this machine.
  static func isLoopback(_ authority: String) -> Bool {
    var host = authority.lowercased()
    // An optional port: digits only.
    if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]"),
      host.hasPrefix("[") ? host[..<colon].hasSuffix("]") : true
    {
      let port = host[host.index(after: colon)...]
      guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCIIDigit) else { return false }
      host = String(host[..<colon])
    }
    if host == "[::1]" || host == "localhost" { return true }
    let parts = host.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts[0] == "127"
      && parts.allSatisfy { UInt8($0) != nil && $0.allSatisfy(\.isASCIIDigit) }
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
