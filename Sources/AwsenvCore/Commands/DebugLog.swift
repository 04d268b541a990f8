import Foundation
import Synchronization

/// `--debug` (or AWSENV_DEBUG=1): what awsenv does, step by step, on stderr — the config files
/// it read, each keyring call and how long it took, each cache level it tried, each HTTP
/// request and answer, each retry and lock — with every secret masked.
///
/// Masking works twice over. The log lines are written from non-secret parts only (attribute
/// names and values, URLs without query, header names, status codes, sizes, access key IDs cut
/// to their first and last four characters). And every line passes through ``redact(_:)``
/// before it is written, which replaces each secret awsenv has seen in this process (see
/// ``remember(_:)``) and any run of 32 or more characters that could be key material.
public enum DebugLog {
  private static let on = Atomic<Bool>(false)
  private static let secrets = Mutex<Set<String>>([])
  /// Text known not to be secret (directories, file paths) that the run rule must not hide.
  private static let allowed = Mutex<Set<String>>([])
  private static let start = Date()

  public static var enabled: Bool { on.load(ordering: .relaxed) }

  public static func enable() {
    on.store(true, ordering: .relaxed)
  }

  /// Stops logging and forgets every remembered secret (for tests).
  static func disable() {
    on.store(false, ordering: .relaxed)
    secrets.withLock { $0.removeAll() }
    allowed.withLock { $0.removeAll() }
  }

  /// Marks `text` (a directory, a file path) as not secret, so that a long path is shown
  /// instead of being taken for key material. A remembered secret is masked even inside it.
  public static func allow(_ text: String?) {
    guard enabled, let text, text.count >= 8 else { return }
    allowed.withLock { _ = $0.insert(text) }
  }

  /// Whether the environment asks for debug output (AWSENV_DEBUG set, not empty or 0).
  public static func requested(by environment: [String: String]) -> Bool {
    guard let value = environment["AWSENV_DEBUG"] else { return false }
    return !value.isEmpty && value != "0"
  }

  /// Writes `message` (built only when debugging) as one line on stderr.
  public static func log(_ message: @autoclosure () -> String) {
    guard enabled else { return }
    let origin = start
    let elapsed = max(0, Date().timeIntervalSince(origin) * 1000)
    let line = "awsenv[debug] \(String(format: "%7.1f", elapsed)) ms  \(redact(message()))\n"
    var bytes = Array(line.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
  }

  /// Adds `secret` to what ``redact(_:)`` masks (only while debugging: otherwise nothing is
  /// kept).
  public static func remember(_ secret: String?) {
    guard enabled, let secret, secret.count >= 4 else { return }
    secrets.withLock { _ = $0.insert(secret) }
  }

  /// Remembers the secret parts of `credentials`.
  public static func remember(_ credentials: Credentials) {
    guard enabled else { return }
    remember(credentials.secretAccessKey)
    remember(credentials.sessionToken)
  }

  /// An access key ID as the AWS CLI's `configure list` shows one: enough to tell keys apart.
  public static func mask(accessKeyID id: String) -> String {
    guard id.count > 8 else { return "****" }
    return "\(id.prefix(4))…\(id.suffix(4))"
  }

  /// `text` with every remembered secret, and every run of 32 or more characters of the
  /// alphabets keys and tokens use (letters, digits, `+/=_-`), replaced by `****`.
  public static func redact(_ text: String) -> String {
    var result = text
    for secret in secrets.withLock({ $0 }).sorted(by: { $0.count > $1.count }) {
      result = result.replacingOccurrences(of: secret, with: "****")
    }
    // Allowed text is set aside (behind a NUL, which ends any run) while runs are masked.
    let kept = allowed.withLock { $0 }.sorted { $0.count > $1.count }
    for (number, text) in kept.enumerated() where result.contains(text) {
      result = result.replacingOccurrences(of: text, with: "\u{0}\(number)\u{0}")
    }
    var output = ""
    var run = ""
    func flush() {
      output += run.count >= 32 ? "****" : run
      run = ""
    }
    for character in result {
      if character.isASCII, character.isLetter || character.isNumber || "+/=_-".contains(character)
      {
        run.append(character)
      } else {
        flush()
        output.append(character)
      }
    }
    flush()
    for (number, text) in kept.enumerated() {
      output = output.replacingOccurrences(of: "\u{0}\(number)\u{0}", with: text)
    }
    return output
  }
}

/// A ``SecretStore`` that logs each call (attributes, outcome, time; never a secret) when
/// debugging, and passes it on.
public struct LoggingSecretStore: SecretStore {
  public let base: any SecretStore

  public init(_ base: any SecretStore) {
    self.base = base
  }

  private func timed<T>(
    _ what: String, _ body: () throws(KeyringError) -> T, outcome: (T) -> String
  ) throws(KeyringError) -> T {
    let start = Date()
    do {
      let value = try body()
      DebugLog.log("keyring: \(what) → \(outcome(value)) (\(milliseconds(since: start)))")
      return value
    } catch {
      DebugLog.log("keyring: \(what) failed: \(error.message) (\(milliseconds(since: start)))")
      throw error
    }
  }

  public func store(label: String, attributes: [String: String], secret: String)
    throws(KeyringError)
  {
    DebugLog.remember(secret)
    try timed(
      "store \(describe(attributes)) (\(secret.utf8.count) bytes)",
      { () throws(KeyringError) in
        try base.store(label: label, attributes: attributes, secret: secret)
      },
      outcome: { "stored" })
  }

  public func lookup(_ attributes: [String: String]) throws(KeyringError) -> String? {
    try timed(
      "lookup \(describe(attributes))",
      { () throws(KeyringError) in
        let secret = try base.lookup(attributes)
        DebugLog.remember(secret)
        rememberParts(of: secret)
        return secret
      },
      outcome: { $0.map { "found (\($0.utf8.count) bytes)" } ?? "not found" })
  }

  public func search(_ attributes: [String: String]) throws(KeyringError) -> [[String: String]] {
    try timed(
      "search \(describe(attributes))", { () throws(KeyringError) in try base.search(attributes) },
      outcome: { "\($0.count) items" })
  }

  public func delete(_ attributes: [String: String]) throws(KeyringError) -> Int {
    try timed(
      "delete \(describe(attributes))", { () throws(KeyringError) in try base.delete(attributes) },
      outcome: { "\($0) deleted" })
  }

  public func search(_ attributes: [String: String], keeping: [String]) throws(KeyringError)
    -> [[String: String]]
  {
    try timed(
      "search \(describe(attributes))",
      { () throws(KeyringError) in try base.search(attributes, keeping: keeping) },
      outcome: { "\($0.count) items" })
  }

  public func itemPaths(_ attributes: [String: String]) throws(KeyringError) -> ItemPaths? {
    try timed(
      "item paths \(describe(attributes))",
      { () throws(KeyringError) in try base.itemPaths(attributes) },
      outcome: { $0.map { "\($0.paths.count) paths" } ?? "not supported" })
  }

  public func attributes(ofItems paths: [String], keeping: [String]) throws(KeyringError)
    -> [String: [String: String]]
  {
    try timed(
      "attributes of \(paths.count) items",
      { () throws(KeyringError) in try base.attributes(ofItems: paths, keeping: keeping) },
      outcome: { "\($0.count) read" })
  }

  /// The secrets inside a stored JSON document (a session, a token), so that a line that
  /// somehow carried one would still be masked.
  private func rememberParts(of secret: String?) {
    guard DebugLog.enabled, let secret, secret.hasPrefix("{"),
      let object = try? JSONSerialization.jsonObject(with: Data(secret.utf8)) as? [String: Any]
    else { return }
    for (key, value) in object where !["Expiration", "Version", "Identity"].contains(key) {
      if let text = value as? String { DebugLog.remember(text) }
    }
  }

  private func describe(_ attributes: [String: String]) -> String {
    "{"
      + attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
        separator: ", ") + "}"
  }
}

/// An ``HTTPTransport`` that logs each request (method, URL without query, header names, body
/// size) and its answer (status, size, time) when debugging, and passes it on.
public struct LoggingTransport: HTTPTransport {
  public let base: any HTTPTransport

  public init(_ base: any HTTPTransport) {
    self.base = base
  }

  public func send(_ request: HTTPRequest, options: HTTPOptions) throws(HTTPError) -> HTTPResponse {
    let url = request.url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
    let headers = request.headers.map { $0.name.lowercased() }.sorted().joined(separator: ",")
    DebugLog.log(
      "http: \(request.method) \(url) headers [\(headers)] body \(request.body.count) bytes")
    let start = Date()
    do {
      let response = try base.send(request, options: options)
      DebugLog.log(
        "http: → \(response.status), \(response.body.count) bytes "
          + "(\(milliseconds(since: start)))")
      return response
    } catch {
      DebugLog.log("http: → failed: \(error.message) (\(milliseconds(since: start)))")
      throw error
    }
  }
}

private func milliseconds(since start: Date) -> String {
  String(format: "%.1f ms", Date().timeIntervalSince(start) * 1000)
}
