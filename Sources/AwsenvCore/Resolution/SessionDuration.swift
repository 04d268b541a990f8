/// The length of a session asked for with `--duration`, and the limits AWS puts on it.
public enum SessionDuration {
  /// Seconds from `900`, `90s`, `15m`, `1h`, `12h` or a sum of them (`1h30m`); nil for anything
  /// else (no sign, no fraction, no unit other than s, m, h, nothing over 10 years).
  /// The one parser of a `--duration` value: `use`, `exec`, `export` and `credential-process`
  /// and the hook's fast path all read it here.
  public static func parse(_ text: String) -> Int? {
    let bytes = Array(text.lowercased().utf8)
    guard !bytes.isEmpty else { return nil }
    var total = 0
    var number: Int?
    var lastUnit = Int.max
    for byte in bytes {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        let digit = Int(byte - UInt8(ascii: "0"))
        number = (number ?? 0) * 10 + digit
        guard number! <= 315_360_000 else { return nil }
      case UInt8(ascii: "h"), UInt8(ascii: "m"), UInt8(ascii: "s"):
        let unit = byte == UInt8(ascii: "h") ? 3600 : byte == UInt8(ascii: "m") ? 60 : 1
        // Each unit once, largest first: `1h30m`, not `30m1h` or `1m1m`.
        guard let value = number, unit < lastUnit else { return nil }
        total += value * unit
        lastUnit = unit
        number = nil
      default:
        return nil
      }
    }
    if let number {
      // A bare number is seconds, and only on its own.
      guard lastUnit == Int.max else { return nil }
      total = number
    }
    guard total <= 315_360_000 else { return nil }
    return total
  }

  /// `2h`, `1h30m`, `15m`, `90s`: how a message shows a number of seconds.
  public static func text(_ seconds: Int) -> String {
    let (hours, minutes, rest) = (seconds / 3600, seconds % 3600 / 60, seconds % 60)
    var out = ""
    if hours > 0 { out += "\(hours)h" }
    if minutes > 0 { out += "\(minutes)m" }
    if rest > 0 || out.isEmpty { out += "\(rest)s" }
    return out
  }

  /// The kind of session a duration is asked of, which sets what AWS allows.
  public enum Kind: Sendable, Equatable {
    /// GetSessionToken (an MFA session of long-lived keys): 15 minutes to 36 hours.
    case sessionToken
    /// AssumeRole (and with web identity or SAML): 15 minutes to the role's maximum, which
    /// is not known here; 12 hours is the largest any role allows.
    case role
    /// AssumeRole with another role's credentials (role chaining): at most 1 hour.
    case chainedRole

    /// What AWS accepts for this kind of session, in seconds.
    public var limits: ClosedRange<Int> {
      switch self {
      case .sessionToken: 900...129_600
      case .role: 900...43_200
      case .chainedRole: 900...3_600
      }
    }

    var name: String {
      switch self {
      case .sessionToken: "an MFA session (GetSessionToken)"
      case .role: "a role session"
      case .chainedRole: "a role assumed with another role's credentials (role chaining)"
      }
    }
  }

  /// `seconds` within what AWS allows for `kind`, and the note that says why when it had to be
  /// changed.
  public static func clamp(_ seconds: Int, kind: Kind) -> (seconds: Int, note: String?) {
    let limits = kind.limits
    let clamped = min(max(seconds, limits.lowerBound), limits.upperBound)
    guard clamped != seconds else { return (seconds, nil) }
    let bound = clamped < seconds ? "at most" : "at least"
    return (
      clamped,
      "--duration \(text(seconds)): \(kind.name) lasts \(bound) \(text(clamped)); "
        + "asking for \(text(clamped))"
    )
  }
}

extension SessionDuration {
  /// What becomes of `--duration` `seconds` for the final session of `profile`'s `chain`:
  /// the seconds to ask STS for (nil when the final session's length is not awsenv's to
  /// choose) and the note that says what was changed, if anything.
  static func request(_ seconds: Int, profile: String, chain: ProfileChain, config: AWSConfig)
    -> (seconds: Int?, note: String?)
  {
    let asked = "--duration \(text(seconds))"
    let kind: Kind
    if chain.roles.count >= 2 {
      kind = .chainedRole
    } else if chain.roles.count == 1 {
      switch chain.base {
      // The source is itself a role's session (IAM Identity Center roles are roles too).
      case .sso, .webIdentity, .saml: kind = .chainedRole
      default: kind = .role
      }
    } else {
      switch chain.base {
      case .webIdentity, .saml:
        kind = .role
      case .staticKeys(let owner, _) where config.profile(owner)?["mfa_serial"] != nil:
        kind = .sessionToken
      case .staticKeys, .namedSource:
        return (
          nil,
          "\(asked) is ignored: profile '\(profile)' uses long-lived keys, which "
            + "have no session length (add mfa_serial for an MFA session, or use a role)"
        )
      case .sso:
        return (
          nil,
          "\(asked) is ignored: IAM Identity Center sets the session length of "
            + "profile '\(profile)' (the permission set's session duration)"
        )
      case .process:
        return (
          nil,
          "\(asked) is ignored: the credential_process of profile '\(profile)' "
            + "sets its session length"
        )
      }
    }
    return clamp(seconds, kind: kind)
  }
}
