/// How one request is sent.
public struct HTTPOptions: Sendable, Equatable {
  /// Seconds to establish the connection (TCP and TLS).
  public var connectTimeout: Double
  /// Seconds for the whole request: connecting, sending and receiving the whole answer.
  public var totalTimeout: Double
  /// An answer slower than `lowSpeedBytes` a second for `lowSpeedSeconds` is given up on (a
  /// server that trickles a byte at a time); 0 turns the check off.
  public var lowSpeedBytes: Int
  public var lowSpeedSeconds: Int
  /// A PEM file of CA certificates to trust instead of the system's (AWS_CA_BUNDLE, ca_bundle).
  public var caBundle: String?
  public var userAgent: String
  /// Largest response body accepted, in bytes; a longer one is an error.
  public var maxResponseBytes: Int

  public init(
    connectTimeout: Double = 5, totalTimeout: Double = 30, caBundle: String? = nil,
    userAgent: String = "awsenv", maxResponseBytes: Int = 1 << 20, lowSpeedBytes: Int = 64,
    lowSpeedSeconds: Int = 5
  ) {
    self.lowSpeedBytes = lowSpeedBytes
    self.lowSpeedSeconds = lowSpeedSeconds
    self.connectTimeout = connectTimeout
    self.totalTimeout = totalTimeout
    self.caBundle = caBundle
    self.userAgent = userAgent
    self.maxResponseBytes = maxResponseBytes
  }
}
