import Foundation
import Glibc

/// The endpoint of `awsenv exec --server` and `awsenv serve`: a profile's current session for
/// any AWS SDK through the container credentials provider (AWS_CONTAINER_CREDENTIALS_FULL_URI
/// and AWS_CONTAINER_AUTHORIZATION_TOKEN), so that a job that outlives one session gets the
/// next one without awsenv being run again.
public final class CredentialServer: Sendable {
  public let token: ServerToken
  private let http: LoopbackHTTPServer

  /// Listens on `address` (default loopback) and `port` (0: a free one); serving starts with
  /// ``start()``. `log` gets one line (without the `awsenv:` prefix) for each failure to get
  /// credentials, not repeated while the same failure goes on.
  public init(
    served: ServedCredentials, address: String = "127.0.0.1", port: Int = 0,
    limits: LoopbackHTTPServer.Limits = .init(), log: @escaping @Sendable (String) -> Void
  ) throws(AwsenvError) {
    let token = ServerToken.random()
    let failures = FailureLog(log: log)
    let handler = CredentialRequestHandler(
      token: token,
      credentials: {
        let result = served.current()
        if case .success = result { failures.succeeded() }
        return result
      },
      failed: { error in
        failures.failed(
          "cannot serve credentials for profile '\(served.profile)': \(error.message)")
      })
    self.token = token
    self.http = try LoopbackHTTPServer(
      address: address, port: port, limits: limits, handler: handler.answer)
  }

  public var port: Int { http.port }

  /// AWS_CONTAINER_CREDENTIALS_FULL_URI.
  public var url: String { "http://\(http.address):\(http.port)\(CredentialRequestHandler.path)" }

  public func start() { http.start() }

  public func stop() { http.stop() }

  /// What a client's environment needs: the endpoint and its token set, and every variable
  /// that an SDK would take before the container provider (keys, profile, another container
  /// endpoint) removed.
  public var clientVariables: [(String, String?)] {
    Self.shadowingVariables.map { ($0, nil) } + [
      ("AWS_CONTAINER_CREDENTIALS_FULL_URI", url),
      ("AWS_CONTAINER_AUTHORIZATION_TOKEN", token.text),
    ]
  }

  /// Variables that would make an SDK use other credentials than the endpoint's.
  public static let shadowingVariables = [
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWSENV_EXPIRES", "AWSENV_REFRESH_AT",
  ]

  /// Whether `address` is an IPv4 loopback address (127.0.0.0/8).
  public static func isLoopback(_ address: String) -> Bool {
    var parsed = in_addr()
    guard inet_pton(AF_INET, address, &parsed) == 1 else { return false }
    return UInt32(bigEndian: parsed.s_addr) >> 24 == 127
  }
}

/// Logs a failure once, and again only when it changes, a minute has passed, or a success came
/// between: an SDK retries a failed request several times, and each would log the same line.
final class FailureLog: @unchecked Sendable {
  private let lock = NSLock()
  private let log: @Sendable (String) -> Void
  private var last: (message: String, at: Date)?

  init(log: @escaping @Sendable (String) -> Void) {
    self.log = log
  }

  func failed(_ message: String) {
    let now = Date()
    let due = lock.withLock {
      if let last, last.message == message, now.timeIntervalSince(last.at) < 60 { return false }
      last = (message, now)
      return true
    }
    if due { log(message) }
  }

  func succeeded() {
    lock.withLock { last = nil }
  }
}
