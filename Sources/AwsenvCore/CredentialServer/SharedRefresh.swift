import Foundation

/// One value that many threads ask for and that takes a slow call to renew: while it is fresh
/// every caller gets it at once; when it is not, the first caller makes the call and every
/// caller that arrives meanwhile waits for that call's result (success or failure) instead of
/// making its own (single flight).
public final class SharedRefresh<Value: Sendable>: @unchecked Sendable {
  private let condition = NSCondition()
  private let fetch: @Sendable () -> Result<Value, AwsenvError>
  private let isFresh: @Sendable (Value) -> Bool
  private var value: Value?
  private var fetching = false
  /// Counts finished fetches, so a waiter knows when the one it joined has ended.
  private var generation = 0
  private var lastResult: Result<Value, AwsenvError>?

  public init(
    fetch: @escaping @Sendable () -> Result<Value, AwsenvError>,
    isFresh: @escaping @Sendable (Value) -> Bool
  ) {
    self.fetch = fetch
    self.isFresh = isFresh
  }

  /// Starts with `value` (got by the caller before serving, e.g. on a terminal).
  public func seed(_ value: Value) {
    condition.withLock { self.value = value }
  }

  /// The value: the one held while it is fresh, else the result of a fetch, shared with every
  /// caller that asks while it runs.
  public func current() -> Result<Value, AwsenvError> {
    condition.lock()
    defer { condition.unlock() }
    while true {
      if let value, isFresh(value) { return .success(value) }
      if fetching {
        let joined = generation
        while fetching && generation == joined { condition.wait() }
        if generation != joined, let lastResult { return lastResult }
        continue
      }
      fetching = true
      condition.unlock()
      let result = fetch()
      condition.lock()
      fetching = false
      generation += 1
      lastResult = result
      if case .success(let fresh) = result { value = fresh }
      condition.broadcast()
      return result
    }
  }
}
