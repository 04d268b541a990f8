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
