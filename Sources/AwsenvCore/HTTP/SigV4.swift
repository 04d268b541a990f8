import Crypto
import Foundation

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`): signs a request in its headers
/// (``sign(_:date:)``) or in its query string (``presign(_:date:expiresIn:)``).
///
/// Written from the SigV4 documentation and checked against the SDKs' shared test suite and
/// botocore. Where SDKs differ on an input no service sends (a path ending in `..`, a tab in a
/// header value), the choice is noted beside the code. The signer keeps no state: the signing
/// key is derived on each call and dropped with it.
public struct SigV4: Sendable {
  /// How a request is put into canonical form. The defaults suit every service but S3.
  public struct Options: Sendable, Equatable {
    /// Removes `.` and `..` segments and empty ones (`//`) from the path before signing. S3
    /// signs the path as sent.
    public var normalizePath: Bool
    /// Percent-encodes the path as sent (already encoded) once more, as every service but S3
    /// expects. When false, each segment is decoded and encoded once: the form S3 expects.
    public var doubleURIEncode: Bool
    /// Sends X-Amz-Security-Token without signing it, for the few services that want that.
    public var omitSessionToken: Bool
    /// Adds and signs `X-Amz-Content-SHA256`, the body's SHA-256, when signing in headers (S3
    /// requires it).
    public var signedBodyHeader: Bool

    public init(
      normalizePath: Bool = true, doubleURIEncode: Bool = true, omitSessionToken: Bool = false,
      signedBodyHeader: Bool = false
    ) {
      self.normalizePath = normalizePath
      self.doubleURIEncode = doubleURIEncode
      self.omitSessionToken = omitSessionToken
      self.signedBodyHeader = signedBodyHeader
    }
  }

  /// Where the signature goes.
  public enum Location: Sendable, Equatable {
    /// In the Authorization header, with X-Amz-Date (and the token) as headers.
    case headers
    /// In the query string (a presigned URL), valid for this many seconds (AWS accepts up to
    /// 604,800, seven days).
    case query(expiresIn: Int)
  }

  /// One signing, step by step: the signed request and what led to its signature.
  public struct Signed: Sendable, Equatable {
    public var request: HTTPRequest
    public var canonicalRequest: String
    public var stringToSign: String
    /// Lowercase hex.
    public var signature: String
  }

  public static let algorithm = "AWS4-HMAC-SHA256"

  let credentials: Credentials
  public let region: String
  public let service: String
  public let options: Options

  public init(credentials: Credentials, region: String, service: String, options: Options = .init())
  {
    self.credentials = credentials
    self.region = region
    self.service = service
    self.options = options
  }

  /// Signs `request` in its headers: adds Host (when missing), X-Amz-Date, X-Amz-Security-Token
  /// (with temporary credentials), X-Amz-Content-SHA256 (with ``Options/signedBodyHeader``) and
  /// Authorization, replacing any of them the request already had.
  public func sign(_ request: inout HTTPRequest, date: Date) {
    request = signed(request, date: date).request
  }

  /// Signs `request` in its query string: adds Host (when missing) as a header and the
  /// X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires, -Security-Token and
  /// -Signature parameters after the query it has.
  public func presign(_ request: inout HTTPRequest, date: Date, expiresIn: Int) {
    request = signed(request, date: date, location: .query(expiresIn: expiresIn)).request
  }

  /// The canonical request that ``sign(_:date:)`` (for `.query`,
  /// ``presign(_:date:expiresIn:)``) signs for `request`, after adding its headers or parameters.
  public func canonicalRequest(
    for request: HTTPRequest, date: Date, location: Location = .headers
  ) -> String {
    signed(request, date: date, location: location).canonicalRequest
  }

  /// The string to sign for a canonical request: algorithm, time, scope and the request's hash.
  public func stringToSign(canonicalRequest: String, date: Date) -> String {
    let time = AmzTime(date)
    return Self.algorithm + "\n" + time.stamp + "\n" + scope(time) + "\n"
      + Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))
  }

  /// The signature of a string to sign, in lowercase hex.
  public func signature(stringToSign: String, date: Date) -> String {
    let code = HMAC<SHA256>.authenticationCode(
      for: Array(stringToSign.utf8), using: signingKey(day: AmzTime(date).day))
    return Self.hex(code)
  }

  /// Signs a copy of `request` and returns it with every intermediate step.
  public func signed(
    _ request: HTTPRequest, date: Date, location: Location = .headers
  ) -> Signed {
    let time = AmzTime(date)
    let scope = scope(time)
    let token = credentials.sessionToken.flatMap { $0.isEmpty ? nil : $0 }
    let payloadHash = Self.hex(SHA256.hash(data: request.body))
    var request = request
    request.removeHeaders(named: "authorization")
    if request.header("host") == nil {
      request.headers.append(HTTPHeader("Host", request.host))
    }

    let canonical: String
    var signedHeaders = ""
    var parameters: [(String, String)] = []
    switch location {
    case .headers:
      request.removeHeaders(named: "x-amz-date")
      request.headers.append(HTTPHeader("X-Amz-Date", time.stamp))
      request.removeHeaders(named: "x-amz-security-token")
      if let token, !options.omitSessionToken {
        request.headers.append(HTTPHeader("X-Amz-Security-Token", token))
      }
      if options.signedBodyHeader {
        request.removeHeaders(named: "x-amz-content-sha256")
        request.headers.append(HTTPHeader("X-Amz-Content-SHA256", payloadHash))
      }
      let headers = Self.canonicalHeaders(request.headers)
      signedHeaders = headers.signed
      canonical = canonicalRequest(
        request, query: Self.canonicalQuery(request.query), headers: headers,
        payloadHash: payloadHash)
      // Added after the canonical request so that it travels unsigned.
      if let token, options.omitSessionToken {
        request.headers.append(HTTPHeader("X-Amz-Security-Token", token))
      }
    case .query(let expiresIn):
      let headers = Self.canonicalHeaders(request.headers)
      parameters = [
        ("X-Amz-Algorithm", Self.algorithm),
        ("X-Amz-Credential", credentials.accessKeyID + "/" + scope),
        ("X-Amz-Date", time.stamp),
        ("X-Amz-SignedHeaders", headers.signed),
        ("X-Amz-Expires", String(expiresIn)),
      ]
      if let token, !options.omitSessionToken {
        parameters.append(("X-Amz-Security-Token", token))
      }
      var signedQuery = request.query
      for (name, value) in parameters {
        signedQuery += (signedQuery.isEmpty ? "" : "&") + Self.queryComponent(name, value)
      }
      canonical = canonicalRequest(
        request, query: Self.canonicalQuery(signedQuery), headers: headers,
        payloadHash: payloadHash)
      // Sent, but after the canonical request, so unsigned.
      if let token, options.omitSessionToken {
        parameters.append(("X-Amz-Security-Token", token))
      }
    }

    let stringToSign =
      Self.algorithm + "\n" + time.stamp + "\n" + scope + "\n"
      + Self.hex(SHA256.hash(data: Array(canonical.utf8)))
    let signature = Self.hex(
      HMAC<SHA256>.authenticationCode(
        for: Array(stringToSign.utf8), using: signingKey(day: time.day)))

    switch location {
    case .headers:
      let authorization =
        Self.algorithm + " Credential=" + credentials.accessKeyID + "/" + scope
        + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature
      request.headers.append(HTTPHeader("Authorization", authorization))
    case .query:
      parameters.append(("X-Amz-Signature", signature))
      for (name, value) in parameters {
        request.query += (request.query.isEmpty ? "" : "&") + Self.queryComponent(name, value)
      }
    }
    return Signed(
      request: request, canonicalRequest: canonical, stringToSign: stringToSign,
      signature: signature)
  }

  // MARK: - Pieces

  private func scope(_ time: AmzTime) -> String {
    time.day + "/" + region + "/" + service + "/aws4_request"
  }

  /// HMAC chain from the secret to the day's key for this region and service.
  private func signingKey(day: String) -> SymmetricKey {
    var key = SymmetricKey(data: Array(("AWS4" + credentials.secretAccessKey).utf8))
    for part in [day, region, service, "aws4_request"] {
      key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
    }
    return key
  }

  private func canonicalRequest(
    _ request: HTTPRequest, query: String, headers: (block: String, signed: String),
    payloadHash: String
  ) -> String {
    let uri = Self.canonicalURI(
      request.path, normalize: options.normalizePath, doubleEncode: options.doubleURIEncode)
    return request.method + "\n" + uri + "\n" + query + "\n" + headers.block + "\n"
      + headers.signed + "\n" + payloadHash
  }

  /// The path in canonical form. `path` is as sent (percent-encoded); a byte that should have
  /// been encoded (a space, UTF-8) is encoded here like any other.
  static func canonicalURI(_ path: String, normalize: Bool, doubleEncode: Bool) -> String {
    let slash = UInt8(ascii: "/")
    let bytes = Array(path.utf8)
    var segments: [ArraySlice<UInt8>]
    var trailingSlash = false
    if normalize {
      // RFC 3986 dot-segment removal, plus dropping empty segments as AWS does. A final `.` or
      // `..` leaves a trailing slash (RFC 3986; botocore drops it). Only paths no SDK sends
      // differ.
      segments = []
      var endsWithDot = false
      for segment in bytes.split(separator: slash) {
        endsWithDot =
          segment.elementsEqual([UInt8(ascii: ".")])
          || segment.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")])
        if endsWithDot {
          if segment.count == 2 { _ = segments.popLast() }
        } else {
          segments.append(segment)
        }
      }
      trailingSlash = !segments.isEmpty && (bytes.last == slash || endsWithDot)
    } else {
      segments = bytes.split(separator: slash, omittingEmptySubsequences: false)
      if bytes.first == slash { segments.removeFirst() }
    }
    var out: [UInt8] = [slash]
    out.reserveCapacity(bytes.count + 16)
    for (index, segment) in segments.enumerated() {
      if index > 0 { out.append(slash) }
      if doubleEncode {
        appendEncoded(segment, to: &out)
      } else {
        appendEncoded(percentDecoded(segment), to: &out)
      }
    }
    if trailingSlash { out.append(slash) }
    return String(decoding: out, as: UTF8.self)
  }

  /// The query in canonical form: each name and value decoded, then encoded with SigV4's
  /// unreserved set; sorted by name, then value; a name without `=` gets an empty value. A `+`
  /// is a plus sign (RFC 3986), not a space.
  static func canonicalQuery(_ query: String) -> String {
    let equals = UInt8(ascii: "=")
    var pairs: [(name: [UInt8], value: [UInt8])] = []
    for piece in query.utf8.split(separator: UInt8(ascii: "&")) {
      let bytes = Array(piece)
      let split = bytes.firstIndex(of: equals) ?? bytes.endIndex
      var name: [UInt8] = []
      var value: [UInt8] = []
      appendEncoded(percentDecoded(bytes[..<split]), to: &name)
      if split < bytes.endIndex {
        appendEncoded(percentDecoded(bytes[(split + 1)...]), to: &value)
      }
      pairs.append((name, value))
    }
    pairs.sort {
      $0.name == $1.name
        ? $0.value.lexicographicallyPrecedes($1.value)
        : $0.name.lexicographicallyPrecedes($1.name)
    }
    var out: [UInt8] = []
    for (index, pair) in pairs.enumerated() {
      if index > 0 { out.append(UInt8(ascii: "&")) }
      out += pair.name
      out.append(equals)
      out += pair.value
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The canonical header block (`name:value\n` per header name, sorted; values of a repeated
  /// name joined by commas in request order) and the signed-headers list.
  static func canonicalHeaders(_ headers: [HTTPHeader]) -> (block: String, signed: String) {
    var entries: [(name: [UInt8], value: [UInt8], order: Int)] = []
    entries.reserveCapacity(headers.count)
    for (order, header) in headers.enumerated() {
      let name = header.name.lowercased()
      if isUnsigned(name) { continue }
      entries.append((Array(name.utf8), trimmedValue(header.value), order))
    }
    entries.sort {
      $0.name == $1.name ? $0.order < $1.order : $0.name.lexicographicallyPrecedes($1.name)
    }
    var block: [UInt8] = []
    var signed: [UInt8] = []
    var previous: [UInt8]?
    for entry in entries {
      if entry.name == previous {
        block.append(UInt8(ascii: ","))
      } else {
        if previous != nil {
          block.append(UInt8(ascii: "\n"))
          signed.append(UInt8(ascii: ";"))
        }
        block += entry.name
        block.append(UInt8(ascii: ":"))
        signed += entry.name
        previous = entry.name
      }
      block += entry.value
    }
    if previous != nil { block.append(UInt8(ascii: "\n")) }
    return (String(decoding: block, as: UTF8.self), String(decoding: signed, as: UTF8.self))
  }

  /// Headers left out of the signature: the signature's own, and those a client, proxy or
  /// tracer may add or change on the way (botocore leaves out the same).
  private static func isUnsigned(_ lowercasedName: String) -> Bool {
    switch lowercasedName {
    case "authorization", "user-agent", "x-amzn-trace-id", "expect", "connection", "keep-alive",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding",
      "upgrade":
      return true
    default:
      return false
    }
  }

  /// The value without leading and trailing whitespace, each run of spaces or tabs inside it
  /// one space ("Trimall" in the SigV4 documentation; tabs as botocore treats them).
  static func trimmedValue(_ value: String) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(value.utf8.count)
    var pendingSpace = false
    for byte in value.utf8 {
      if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
        pendingSpace = !out.isEmpty
      } else {
        if pendingSpace { out.append(UInt8(ascii: " ")) }
        pendingSpace = false
        out.append(byte)
      }
    }
    return out
  }

  /// `name=value`, both encoded for a query string.
  private static func queryComponent(_ name: String, _ value: String) -> String {
    var out: [UInt8] = []
    appendEncoded(name.utf8, to: &out)
    out.append(UInt8(ascii: "="))
    appendEncoded(value.utf8, to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends `bytes` with everything but SigV4's unreserved characters (`A-Z a-z 0-9 - . _ ~`)
  /// as uppercase `%XX`.
  static func appendEncoded<Bytes: Sequence<UInt8>>(_ bytes: Bytes, to out: inout [UInt8]) {
    for byte in bytes {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "_"), UInt8(ascii: "~"):
        out.append(byte)
      default:
        out.append(UInt8(ascii: "%"))
        out.append(hexDigit(byte >> 4, uppercase: true))
        out.append(hexDigit(byte & 0x0F, uppercase: true))
      }
    }
  }

  /// `%XX` escapes decoded; a `%` not followed by two hex digits stays a `%`.
  static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
    guard bytes.contains(UInt8(ascii: "%")) else { return Array(bytes) }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var index = bytes.startIndex
    while index < bytes.endIndex {
      let byte = bytes[index]
      if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
        let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
      {
        out.append(high << 4 | low)
        index += 3
      } else {
        out.append(byte)
        index += 1
      }
    }
    return out
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    default: return nil
    }
  }

  private static func hexDigit(_ nibble: UInt8, uppercase: Bool) -> UInt8 {
    nibble < 10
      ? UInt8(ascii: "0") + nibble
      : (uppercase ? UInt8(ascii: "A") : UInt8(ascii: "a")) + nibble - 10
  }

  /// Lowercase hex, as SigV4 writes hashes and signatures.
  static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(64)
    for byte in bytes {
      out.append(hexDigit(byte >> 4, uppercase: false))
      out.append(hexDigit(byte & 0x0F, uppercase: false))
    }
    return String(decoding: out, as: UTF8.self)
  }
}

/// Shows where and for whom the signer signs, never the secret or the token.
extension SigV4: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  public var description: String {
    "SigV4(\(credentials.accessKeyID), \(region), \(service))"
  }
  public var debugDescription: String { description }
  public var customMirror: Mirror {
    Mirror(
      self,
      children: [
        "accessKeyID": credentials.accessKeyID, "region": region, "service": service,
        "options": options,
      ])
  }
}

/// A signing time in SigV4's two forms: `20150830T123600Z` and `20150830`.
struct AmzTime {
  let stamp: String
  var day: String { String(stamp.prefix(8)) }

  init(_ date: Date) {
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    var out: [UInt8] = []
    out.reserveCapacity(16)
    func append(_ value: Int32, width: Int) {
      var digits: [UInt8] = []
      var rest = value
      for _ in 0..<width {
        digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
        rest /= 10
      }
      out += digits.reversed()
    }
    append(parts.tm_year + 1900, width: 4)
    append(parts.tm_mon + 1, width: 2)
    append(parts.tm_mday, width: 2)
    out.append(UInt8(ascii: "T"))
    append(parts.tm_hour, width: 2)
    append(parts.tm_min, width: 2)
    append(parts.tm_sec, width: 2)
    out.append(UInt8(ascii: "Z"))
    stamp = String(decoding: out, as: UTF8.self)
  }
}

extension HTTPRequest {
  /// Drops every header called `lowercasedName` (any case).
  fileprivate mutating func removeHeaders(named lowercasedName: String) {
    headers.removeAll { $0.name.lowercased() == lowercasedName }
  }
}
