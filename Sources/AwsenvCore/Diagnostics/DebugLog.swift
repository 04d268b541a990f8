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

func milliseconds(since start: Date) -> String {
  String(format: "%.1f ms", Date().timeIntervalSince(start) * 1000)
}
