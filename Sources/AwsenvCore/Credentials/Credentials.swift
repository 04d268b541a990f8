import Foundation

/// A set of AWS credentials: long-lived keys, or temporary ones with a token and an expiry.
public struct Credentials: Sendable, Equatable {
  public var accessKeyID: String
  public var secretAccessKey: String
  public var sessionToken: String?
  /// When temporary credentials stop working; nil for long-lived keys.
  public var expiration: Date?

  public init(
    accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil,
    expiration: Date? = nil
  ) {
    self.accessKeyID = accessKeyID
    self.secretAccessKey = secretAccessKey
    self.sessionToken = sessionToken
    self.expiration = expiration
    DebugLog.remember(secretAccessKey)
    DebugLog.remember(sessionToken)
  }

  /// Why a pair of keys is refused before it reaches the keyring.
  public enum ValidationError: Error, Equatable, Sendable {
    /// The access key id is not 16–128 letters and digits.
    case badAccessKeyID
    /// The secret is empty, longer than 1,024 bytes, or holds whitespace or control characters.
    case badSecret
    /// The session token is longer than 64 KiB or holds whitespace or control characters.
    case badSessionToken

    public var message: String {
      switch self {
      case .badAccessKeyID:
        return "that access key id is not valid: it is 16 to 128 letters and digits (e.g. AKIA…)"
      case .badSecret:
        return "that secret access key is not valid: it is 1 to 1,024 characters, without spaces "
          + "or control characters"
      case .badSessionToken:
        return "that session token is not valid: it is at most 64 KiB, without spaces or control "
          + "characters"
      }
    }
  }

  static let maxSecretBytes = 1024
  static let maxTokenBytes = 65_536

  /// Checks the shape of the keys (not whether AWS accepts them), so that a paste with a stray
  /// space or a swapped pair is caught before it is stored.
  public func validate() throws(ValidationError) {
    let id = accessKeyID.utf8
    guard (16...128).contains(id.count),
      id.allSatisfy({ isASCIIAlphanumeric($0) || $0 == UInt8(ascii: "_") })
    else { throw .badAccessKeyID }
    // Real secrets are 40 characters and session tokens a few KiB; the caps keep what a shell
    // variable can hold (128 KiB) out of the keyring too, not only out of the shell.
    guard (1...Self.maxSecretBytes).contains(secretAccessKey.utf8.count),
      secretAccessKey.utf8.allSatisfy(isTokenByte)
    else {
      throw .badSecret
    }
    if let token = sessionToken,
      token.isEmpty || token.utf8.count > Self.maxTokenBytes || !token.utf8.allSatisfy(isTokenByte)
    {
      throw .badSessionToken
    }
  }

  /// The credential_process document (Version 1) that every AWS SDK reads.
  public func processJSON() -> String {
    var fields: [(String, JSONValue)] = [
      ("Version", .number(1)),
      ("AccessKeyId", .string(accessKeyID)),
      ("SecretAccessKey", .string(secretAccessKey)),
    ]
    if let token = sessionToken { fields.append(("SessionToken", .string(token))) }
    if let expiration { fields.append(("Expiration", .string(rfc3339(expiration)))) }
    return JSONValue.object(fields).text
  }

  /// Reads a credential_process document (Version 1).
  public static func fromProcessJSON(_ text: String) -> Credentials? {
    guard let data = text.data(using: .utf8),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      object["Version"] as? Int == 1,
      let id = object["AccessKeyId"] as? String,
      let secret = object["SecretAccessKey"] as? String
    else { return nil }
    var expiration: Date?
    if let text = object["Expiration"] as? String {
      guard let date = parseRFC3339(text) else { return nil }
      expiration = date
    }
    return Credentials(
      accessKeyID: id, secretAccessKey: secret, sessionToken: object["SessionToken"] as? String,
      expiration: expiration)
  }
}

private func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
  (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
}

/// Printable, non-space ASCII: what AWS secrets and tokens are made of.
private func isTokenByte(_ byte: UInt8) -> Bool { (0x21...0x7E).contains(byte) }

/// `text` as a JSON string literal.
func jsonString(_ text: String) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    // Foundation's JSONSerialization drops a raw U+FEFF at the start of a string (it reads it
    // as a byte order mark); escaped, it survives.
    case "\u{FEFF}": out += "\\ufeff"
    case _ where scalar.value < 0x20:
      let hex = String(scalar.value, radix: 16)
      out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}

/// `date` as RFC 3339 in UTC with a `Z`, as AWS writes expiries (2026-11-24T06:10:52Z).
public func rfc3339(_ date: Date) -> String {
  var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
  var parts = tm()
  gmtime_r(&seconds, &parts)
  func pad(_ value: Int32, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
  }
  return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
    + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
}

/// Parses RFC 3339 timestamps as AWS and the SDKs write them (`2026-11-24T06:10:52Z`, with
/// optional fractional seconds, a lowercase `t`/`z`, or a numeric offset). By hand, not with
/// ISO8601DateFormatter: that loads ICU, which costs a cached `use` 2 ms and 7 MB.
public func parseRFC3339(_ text: String) -> Date? {
  let bytes = Array(text.utf8)
  var index = 0
  func number(_ digits: Int) -> Int? {
    guard index + digits <= bytes.count else { return nil }
    var value = 0
    for byte in bytes[index..<index + digits] {
      guard (0x30...0x39).contains(byte) else { return nil }
      value = value * 10 + Int(byte - 0x30)
    }
    index += digits
    return value
  }
  func expect(_ characters: String) -> Bool {
    guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
    index += 1
    return true
  }
  guard let year = number(4), expect("-"), let month = number(2), expect("-"),
    let day = number(2), expect("Tt "), let hour = number(2), expect(":"),
    let minute = number(2), expect(":"), let second = number(2),
    (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
  else { return nil }
  var fraction = 0.0
  if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
    index += 1
    var scale = 0.1
    let start = index
    while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
      fraction += Double(bytes[index] - 0x30) * scale
      scale /= 10
      index += 1
    }
    guard index > start else { return nil }
  }
  var offset = 0
  if expect("Zz") {
  } else if index < bytes.count,
    bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
  {
    let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
    index += 1
    guard let hours = number(2), expect(":"), let minutes = number(2), hours < 24, minutes < 60
    else { return nil }
    offset = sign * (hours * 3600 + minutes * 60)
  } else {
    return nil
  }
  guard index == bytes.count else { return nil }
  var parts = tm()
  parts.tm_year = Int32(year - 1900)
  parts.tm_mon = Int32(month - 1)
  parts.tm_mday = Int32(day)
  parts.tm_hour = Int32(hour)
  parts.tm_min = Int32(minute)
  parts.tm_sec = Int32(second)
  let seconds = timegm(&parts)
  // timegm normalises 31 February into March: refuse dates that do not exist.
  guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
  return Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
}

/// Printing, dumping or interpolating credentials never shows the secret or the token: a
/// stray `print`, a test failure message or a debugger dump stays safe to paste.
extension Credentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  public var description: String {
    "Credentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>, sessionToken: "
      + (sessionToken == nil ? "nil" : "<redacted>") + ", expiration: "
      + (expiration.map(rfc3339) ?? "nil") + ")"
  }

  public var debugDescription: String { description }

  public var customMirror: Mirror {
    Mirror(
      self,
      children: [
        "accessKeyID": accessKeyID, "secretAccessKey": "<redacted>",
        "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
        "expiration": expiration as Any,
      ], displayStyle: .struct)
  }
}
