/// The prompt segment: what the hooks keep in `AWSENV_PROMPT` on every prompt and what
/// `awsenv prompt` prints, computed from the variables `awsenv use` exports.
///
/// The hooks compute the same text in shell code (so a prompt costs no fork); the integration
/// tests hold the two to the same output. The rules, which the hooks follow line by line:
/// - empty when `AWSENV_PROFILE` is unset or empty;
/// - the format (`AWSENV_PROMPT_FORMAT`, else `defaultFormat`) is split at single spaces into
///   words; in a word, `%p` is the profile, `%i` the identity (`Role@account`), `%r` the region
///   (`AWS_REGION`, else `AWS_DEFAULT_REGION`), `%t` the time left, `%%` a percent sign, and any
///   other `%` stays as it is. A word with placeholders that all came out empty is left out, with
///   its space, so `(%i)` disappears for long-lived keys;
/// - control characters in the values show as `?`, so a value can never move the cursor or
///   change colours;
/// - `%t` is `2h05m`, `42m` or `59s` left; inside the refresh window (now at or after
///   `AWSENV_REFRESH_AT`) it is marked "expiring", and at or after `AWSENV_EXPIRES` it reads
///   `expired`. With colour the marks are yellow and red; without (NO_COLOR, `TERM=dumb`) the
///   expiring mark is a `!` after the time.
public struct PromptSegment: Equatable, Sendable {
  public var profile: String
  public var identity: String
  public var region: String
  /// When the credentials expire (Unix seconds); nil for long-lived keys.
  public var expires: Int?
  /// When the refresh window starts (Unix seconds); nil for long-lived keys.
  public var refreshAt: Int?

  /// What the segment shows when `AWSENV_PROMPT_FORMAT` is unset or empty.
  public static let defaultFormat = "aws:%p (%i) %r %t"

  /// How the time left looks.
  public enum Status: Equatable, Sendable {
    /// Long-lived keys: nothing to show.
    case longLived
    /// Temporary credentials with time left before the refresh window.
    case valid
    /// Inside the refresh window: the hook is about to refresh, or could not.
    case expiring
    /// Past the expiry.
    case expired
  }

  public init(
    profile: String, identity: String = "", region: String = "", expires: Int? = nil,
    refreshAt: Int? = nil
  ) {
    self.profile = profile
    self.identity = identity
    self.region = region
    self.expires = expires
    self.refreshAt = refreshAt
  }

  /// The segment for a shell's environment; nil when no profile is active.
  public init?(environment: [String: String]) {
    guard let profile = environment["AWSENV_PROFILE"], !profile.isEmpty else { return nil }
    var region = environment["AWS_REGION"] ?? ""
    if region.isEmpty { region = environment["AWS_DEFAULT_REGION"] ?? "" }
    self.init(
      profile: profile, identity: environment["AWSENV_IDENTITY"] ?? "", region: region,
      expires: environment["AWSENV_EXPIRES"].flatMap(unixSeconds),
      refreshAt: environment["AWSENV_REFRESH_AT"].flatMap(unixSeconds))
  }

  /// The format a shell asks for: `AWSENV_PROMPT_FORMAT`, else the default.
  public static func format(environment: [String: String]) -> String {
    guard let format = environment["AWSENV_PROMPT_FORMAT"], !format.isEmpty else {
      return defaultFormat
    }
    return format
  }

  /// Whether the marks may be coloured: NO_COLOR (any non-empty value) and `TERM=dumb` say no.
  public static func colorAllowed(environment: [String: String]) -> Bool {
    (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
  }

  public func status(now: Int) -> Status {
    guard let expires else { return .longLived }
    if now >= expires { return .expired }
    if let refreshAt, now >= refreshAt { return .expiring }
    return .valid
  }

  /// `%t`: the time left and its mark, or empty for long-lived keys.
  public func timeLeft(now: Int, color: Bool) -> String {
    let status = status(now: now)
    switch status {
    case .longLived:
      return ""
    case .expired:
      return color ? "\u{1B}[31mexpired\u{1B}[39m" : "expired"
    case .valid, .expiring:
      let text = Self.duration((expires ?? now) - now)
      guard status == .expiring else { return text }
      return color ? "\u{1B}[33m\(text)\u{1B}[39m" : text + "!"
    }
  }

  /// `seconds` as the prompt shows it: `2h05m`, `42m`, `59s` (rounded down).
  public static func duration(_ seconds: Int) -> String {
    if seconds >= 3600 {
      let minutes = seconds % 3600 / 60
      return "\(seconds / 3600)h\(minutes < 10 ? "0" : "")\(minutes)m"
    }
    if seconds >= 60 { return "\(seconds / 60)m" }
    return "\(max(seconds, 0))s"
  }

  /// The segment at `now`, in `format` (see the type's comment for the rules).
  public func render(format: String = defaultFormat, now: Int, color: Bool) -> String {
    let values: [Character: String] = [
      "p": Self.printable(profile), "i": Self.printable(identity), "r": Self.printable(region),
      "t": timeLeft(now: now, color: color),
    ]
    var kept: [String] = []
    for word in format.split(separator: " ", omittingEmptySubsequences: false) {
      var out = ""
      var placeholders = 0
      var filled = 0
      var characters = word.makeIterator()
      while let character = characters.next() {
        guard character == "%" else {
          out.append(character)
          continue
        }
        guard let next = characters.next() else {
          out.append("%")
          break
        }
        if next == "%" {
          out.append("%")
        } else if let value = values[next] {
          placeholders += 1
          if !value.isEmpty { filled += 1 }
          out += value
        } else {
          out.append("%")
          out.append(next)
        }
      }
      if placeholders == 0 || filled > 0 { kept.append(out) }
    }
    return kept.joined(separator: " ")
  }

  /// `value` with every control character (C0, DEL, C1) shown as `?`.
  public static func printable(_ value: String) -> String {
    var out = ""
    out.unicodeScalars.reserveCapacity(value.unicodeScalars.count)
    for scalar in value.unicodeScalars {
      let code = scalar.value
      if code < 0x20 || (0x7F...0x9F).contains(code) {
        out.unicodeScalars.append("?")
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}

/// Decimal digits only (no sign, no spaces), as the hooks accept them.
private func unixSeconds(_ text: String) -> Int? {
  guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
  else { return nil }
  return Int(text)
}
