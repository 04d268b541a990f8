import Foundation

/// When to try a call again: the AWS SDKs' "standard" retry mode.
public struct RetryPolicy: Sendable {
  /// Attempts in all, the first included (AWS_MAX_ATTEMPTS / max_attempts; default 3).
  public var maxAttempts: Int
  /// Waits `seconds` before a retry; the binary sleeps, unit tests record.
  public var sleep: @Sendable (Double) -> Void
  /// A number in 0..<1 for the jitter.
  public var random: @Sendable () -> Double
  /// The most seconds one call may take with all its attempts and the waits between them
  /// (AWSENV_HTTP_TIMEOUT); nil: only each attempt's own timeout. Each attempt gets what is
  /// left of it, and no retry starts that could not finish within it.
  public var budget: Double?

  public init(
    maxAttempts: Int = 3, budget: Double? = nil,
    sleep: @escaping @Sendable (Double) -> Void = { seconds in
      if seconds > 0 { usleep(useconds_t(seconds * 1_000_000)) }
    },
    random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
  ) {
    self.maxAttempts = max(1, maxAttempts)
    self.budget = budget
    self.sleep = sleep
    self.random = random
  }

  /// The wait before retry number `retry` (1 for the first retry): full jitter on an
  /// exponential base of one second, at most 20 s.
  public func delay(beforeRetry retry: Int) -> Double {
    min(random() * Double(1 << min(retry - 1, 10)), 20)
  }

  static let throttlingCodes: Set<String> = [
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
  ]
  static let transientCodes: Set<String> = [
    "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure",
    "ServiceUnavailable", "IDPCommunicationError",
  ]

  /// Whether a response with this status and error code is worth another attempt.
  public static func isRetryable(status: Int, code: String?) -> Bool {
    if let code, throttlingCodes.contains(code) || transientCodes.contains(code) { return true }
    return [500, 502, 503, 504].contains(status) || status == 429
  }
}

extension RetryPolicy {
  /// Sends a request until it succeeds, fails for good, or the attempts run out: the one retry
  /// loop of the STS and IAM Identity Center clients. `request` is called before each attempt
  /// (a signed request carries its time); `parse` turns a response into the value or the
  /// service's error, whose `code`, with the HTTP status, says whether another attempt may do
  /// better; `unreachable` turns a transport failure into the service's error.
  func send<Value, Failure: Error>(
    _ request: () -> HTTPRequest, over transport: any HTTPTransport, options: HTTPOptions,
    parse: (HTTPResponse) -> Result<Value, Failure>, code: (Failure) -> String?,
    unreachable: (HTTPError) -> Failure
  ) throws(Failure) -> Value {
    var attempt = 1
    let start = Date()
    func left() -> Double { (budget ?? .infinity) - Date().timeIntervalSince(start) }
    while true {
      let outcome: Result<Value, Failure>
      let retryable: Bool
      var attemptOptions = options
      if budget != nil {
        let seconds = max(left(), 0.001)
        attemptOptions.totalTimeout = min(options.totalTimeout, seconds)
        attemptOptions.connectTimeout = min(options.connectTimeout, seconds)
      }
      do {
        let response = try transport.send(request(), options: attemptOptions)
        outcome = parse(response)
        if case .failure(let error) = outcome {
          retryable = Self.isRetryable(status: response.status, code: code(error))
        } else {
          retryable = false
        }
      } catch {
        outcome = .failure(unreachable(error))
        retryable = error.isRetryable
      }
      switch outcome {
      case .success(let value): return value
      case .failure(let error):
        guard retryable, attempt < maxAttempts else { throw error }
        let pause = delay(beforeRetry: attempt)
        // A retry needs time for at least a connection and a short answer.
        guard left() - pause >= 1 else { throw error }
        sleep(pause)
        attempt += 1
      }
    }
  }
}
