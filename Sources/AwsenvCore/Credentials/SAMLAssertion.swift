import Foundation

/// A SAML assertion for AssumeRoleWithSAML, as users get it out of a browser: the base64
/// `SAMLResponse` form value (maybe still URL-encoded), or the decoded XML. Read once, passed to
/// STS, never stored.
public enum SAMLAssertion {
  /// Reads `path` (`-` for stdin) and returns the base64 assertion STS wants.
  public static func read(_ path: String) throws(AwsenvError) -> String {
    let bytes: [UInt8]
    if path == "-" {
      bytes = Array(FileHandle.standardInput.readData(ofLength: limit + 1))
    } else {
      do throws(AtomicFile.Failure) {
        guard let read = try AtomicFile.read(path, limit: limit) else {
          throw AtomicFile.Failure(path: path, reason: "no such file")
        }
        bytes = read
      } catch {
        throw .other("cannot read the SAML assertion \(path): \(error.reason)")
      }
    }
    guard bytes.count <= limit else {
      throw .other("the SAML assertion is larger than 1 MiB; is it the right file?")
    }
    return try normalize(bytes)
  }

  static let limit = 1 << 20

  /// The base64 form of an assertion given as XML, base64 or URL-encoded base64.
  public static func normalize(_ bytes: [UInt8]) throws(AwsenvError) -> String {
    var text = String(decoding: bytes, as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    if text.hasPrefix("SAMLResponse=") { text.removeFirst("SAMLResponse=".count) }
    if text.hasPrefix("<") {
      return Data(text.utf8).base64EncodedString()
    }
    if text.contains("%"), let decoded = text.removingPercentEncoding { text = decoded }
    let compact = String(text.unicodeScalars.filter { !$0.properties.isWhitespace })
    guard let data = Data(base64Encoded: compact),
      let xml = String(data: data, encoding: .utf8),
      xml.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("<"),
      xml.contains("Assertion")
    else {
      throw .other(
        "that is not a SAML assertion: give the SAMLResponse value (base64) from the "
          + "identity provider's sign-in page, or the XML it decodes to")
    }
    return compact
  }
}
