import Foundation

/// What `awsenv status` shows: this shell's profile, every IAM Identity Center sign-in in the
/// keyring and every cached session, from the environment and the keyring's attributes only
/// (no network; a secret is read only for a sign-in stored before tokens carried the
/// `renewable` attribute).
///
/// Sessions are read as `awsenv list` reads items (``Keyring/items()``, with the
/// ``KeyringIndex`` when the keyring has one): reading each item's attributes costs ~0.6 ms on
/// gnome-keyring, so a search that read them all would grow with every key and session kept.
/// Sign-ins are few: two attribute searches by kind.
public struct StatusReport: Sendable, Equatable {
  /// The profile active in this shell, from awsenv's own variables.
  public struct ShellProfile: Sendable, Equatable {
    public var profile: String
    public var identity: String?
    public var region: String?
    public var expires: Date?
  }

  /// An IAM Identity Center sign-in the keyring holds a token for.
  public struct SignIn: Sendable, Equatable {
    /// The `[sso-session]` name, or the start URL of a legacy profile.
    public var session: String
    public var expires: Date?
    /// Whether the token can be renewed without a browser: it carries a refresh token and the
    /// client registration it was issued to has not expired.
    public var renewable: Bool
  }

  /// A cached temporary session.
  public struct Session: Sendable, Equatable {
    public var profile: String
    public var expires: Date?
  }

  public var shell: ShellProfile?
  public var signIns: [SignIn]
  public var sessions: [Session]
  public var now: Date

  /// The report for the shell whose environment is `environment`, at `now`.
  public static func gather(environment: [String: String], keyring: Keyring, now: Date = Date())
    throws(KeyringError) -> StatusReport
  {
    var shell: ShellProfile?
    if let profile = environment["AWSENV_PROFILE"], !profile.isEmpty {
      let region = [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]]
        .compactMap { $0 }.first { !$0.isEmpty }
      shell = ShellProfile(
        profile: profile,
        identity: environment["AWSENV_IDENTITY"].flatMap { $0.isEmpty ? nil : $0 },
        region: region, expires: date(environment["AWSENV_EXPIRES"]))
    }
    func search(_ kind: Keyring.Kind) throws(KeyringError) -> [[String: String]] {
      try keyring.store.search(
        ["application": Keyring.application, "kind": kind.rawValue],
        keeping: ["sso-session", "expires", "renewable"])
    }
    var clients: [String: Date] = [:]
    for item in try search(.ssoClient) {
      guard let key = item["sso-session"], let expires = date(item["expires"]) else { continue }
      clients[key] = max(clients[key] ?? expires, expires)
    }
    var signIns: [SignIn] = []
    for item in try search(.ssoToken) {
      guard let key = item["sso-session"] else { continue }
      var hasRefreshToken = item["renewable"] == "yes"
      if item["renewable"] == nil {
        // Stored by an older awsenv: only the token itself says.
        hasRefreshToken = try keyring.ssoRefreshTokenPresent(key: key)
      }
      let clientValid = clients[key].map { $0 > now } ?? false
      signIns.append(
        SignIn(
          session: key, expires: date(item["expires"]),
          renewable: hasRefreshToken && clientValid))
    }
    let sessions = try keyring.items().filter { $0.kind == Keyring.Kind.session.rawValue }.map {
      Session(profile: $0.profile, expires: $0.expires)
    }
    signIns.sort { $0.session < $1.session }
    let sorted = sessions.sorted {
      ($0.profile, $0.expires ?? .distantPast) < ($1.profile, $1.expires ?? .distantPast)
    }
    return StatusReport(shell: shell, signIns: signIns, sessions: sorted, now: now)
  }

  private static func date(_ text: String?) -> Date? {
    guard let text, let seconds = Double(text), seconds.isFinite else { return nil }
    return Date(timeIntervalSince1970: seconds)
  }

  /// The report as text: a line for the shell, then one per sign-in and per session.
  public var text: String {
    var lines: [String] = []
    if let shell {
      var line = "shell: \(shell.profile)"
      if let identity = shell.identity { line += " (\(identity))" }
      if let region = shell.region { line += " \(region)" }
      if let expires = shell.expires { line += ", " + Self.expiry(expires, now: now) }
      lines.append(line)
    } else {
      lines.append("shell: no profile")
    }
    lines.append(
      signIns.isEmpty ? "IAM Identity Center sign-ins: none" : "IAM Identity Center sign-ins:")
    for signIn in signIns {
      var line = "  \(signIn.session): token "
      line += signIn.expires.map { Self.expiry($0, now: now) } ?? "with no expiry"
      line += signIn.renewable ? ", renewable" : ", not renewable (`awsenv login` signs in again)"
      lines.append(line)
    }
    lines.append(sessions.isEmpty ? "cached sessions: none" : "cached sessions:")
    for session in sessions {
      let line =
        "  \(session.profile): "
        + (session.expires.map { Self.expiry($0, now: now) } ?? "no expiry")
      lines.append(line)
    }
    return lines.map(Self.printable).joined(separator: "\n") + "\n"
  }

  /// The report as one JSON object; times in RFC 3339.
  public var json: JSONValue {
    func time(_ date: Date?) -> JSONValue { date.map { .string(rfc3339($0)) } ?? .null }
    func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
    let shellValue: JSONValue =
      shell.map {
        .object([
          ("profile", .string($0.profile)), ("identity", text($0.identity)),
          ("region", text($0.region)), ("expires", time($0.expires)),
        ])
      } ?? .null
    return .object([
      ("shell", shellValue),
      (
        "signIns",
        .array(
          signIns.map {
            .object([
              ("session", .string($0.session)), ("expires", time($0.expires)),
              ("renewable", .bool($0.renewable)),
            ])
          })
      ),
      (
        "sessions",
        .array(
          sessions.map {
            .object([("profile", .string($0.profile)), ("expires", time($0.expires))])
          })
      ),
    ])
  }

  /// `expires in 52m (2026-01-01T10:00:00Z)` or `expired 3m ago (…)`.
  static func expiry(_ date: Date, now: Date) -> String {
    let seconds = Int(date.timeIntervalSince(now).rounded(.down))
    let when =
      seconds > 0
      ? "expires in \(SessionDuration.text(roundedToMinutes(seconds)))"
      : "expired \(SessionDuration.text(roundedToMinutes(-seconds))) ago"
    return "\(when) (\(rfc3339(date)))"
  }

  private static func roundedToMinutes(_ seconds: Int) -> Int {
    seconds >= 120 ? seconds / 60 * 60 : seconds
  }

  /// Control characters in names from the keyring or the environment shown as `?`.
  private static func printable(_ line: String) -> String {
    String(
      String.UnicodeScalarView(
        line.unicodeScalars.map {
          $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) ? "?" : $0
        }))
  }
}

extension Keyring {
  /// Whether the stored token of the sign-in keyed `key` carries a refresh token (reads it).
  func ssoRefreshTokenPresent(key: String) throws(KeyringError) -> Bool {
    let attributes = [
      "application": Self.application, "kind": Kind.ssoToken.rawValue, "sso-session": key,
      "version": Self.formatVersion,
    ]
    guard let secret = try store.lookup(attributes) else { return false }
    return SSOToken.decode(secret)?.refreshToken != nil
  }
}
