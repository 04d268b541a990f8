/// How one request is sent.
public struct HTTPOptions: Sendable, Equatable {
  /// Seconds to establish the connection (TCP and TLS).
  public var connectTimeout: Double
  /// Seconds for the whole request.
  public var totalTimeout: Double
  /// A PEM file of CA certificates to trust instead of the system's (AWS_CA_BUNDLE, ca_bundle).
  public var caBundle: String?
  public var userAgent: String
  /// Largest response body accepted, in bytes; a longer one is an error.
  public var maxResponseBytes: Int

  public init(
    connectTimeout: Double = 5, totalTimeout: Double = 30, caBundle: String? = nil,
    userAgent: String = "awsenv", maxResponseBytes: Int = 1 << 20
  ) {
    self.connectTimeout = connectTimeout
    self.totalTimeout = totalTimeout
    self.caBundle = caBundle
    self.userAgent = userAgent
    self.maxResponseBytes = maxResponseBytes
  }
}
