/// The secret a client of the credential server must send as its Authorization header
/// (AWS_CONTAINER_AUTHORIZATION_TOKEN): 256 bits from getrandom, new for every server.
public struct ServerToken: Sendable {
  /// 64 lowercase hex digits.
  public let text: String
  private let bytes: [UInt8]

  init(text: String) {
    self.text = text
    self.bytes = Array(text.utf8)
  }

  /// A new token from the kernel's random source: the standard library's system generator,
  /// which on Linux is getrandom(2) (Glibc's getrandom is not imported into Swift).
  public static func random() -> ServerToken {
    var generator = SystemRandomNumberGenerator()
    let random = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    return ServerToken(text: SigV4.hex(random))
  }

  /// Whether `candidate` is this token, in time that depends only on the token's length: a
  /// client learns nothing from how long a wrong guess took.
  public func matches(_ candidate: some Collection<UInt8>) -> Bool {
    var difference = candidate.count ^ bytes.count
    var iterator = candidate.makeIterator()
    for byte in bytes {
      difference |= Int(byte ^ (iterator.next() ?? 0))
    }
    return difference == 0
  }
}
