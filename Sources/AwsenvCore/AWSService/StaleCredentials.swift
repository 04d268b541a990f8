import Foundation

/// Temporary credentials that a service sent already expired, or so close to it that they are
/// of no use: refused, never cached or exported.
///
/// Every source of temporary credentials (AssumeRole, GetSessionToken, web identity, SAML,
/// IAM Identity Center's GetRoleCredentials) is checked as its answer arrives. When the
/// answer's HTTP `Date` header says the server's clock is far from this machine's, the message
/// says that the local clock is the likely cause.
public struct StaleCredentials: Error, Sendable, Equatable {
  public var expiration: Date
  /// This machine's time when the answer arrived.
  public var now: Date
  /// The answer's `Date` header, when it had a readable one.
  public var serverDate: Date?

  /// The least time left that credentials must have on arrival: the margin a cached source
  /// session needs too (ChainRun.sourceMargin).
  public static let minimumLifetime: TimeInterval = 60

  /// How far apart the two clocks may be before the message blames this machine's.
  static let skewTolerance: TimeInterval = 300

  /// The error for credentials expiring at `expiration`, or nil when they have time left.
  static func check(_ expiration: Date?, now: Date, response: HTTPResponse) -> StaleCredentials? {
    guard let expiration, expiration.timeIntervalSince(now) < minimumLifetime else { return nil }
    return StaleCredentials(
      expiration: expiration, now: now, serverDate: response.header("Date").flatMap(httpDate))
  }

  /// The clock skew, when the server's clock differs from this machine's by more than the
  /// tolerance: positive when this machine is ahead.
  public var skew: TimeInterval? {
    guard let serverDate else { return nil }
    let skew = now.timeIntervalSince(serverDate)
    return abs(skew) > Self.skewTolerance ? skew : nil
  }

  /// The part of a message after "answered with ": what was wrong and what to do.
  public var detail: String {
    let when =
      expiration <= now
      ? "credentials that had already expired (at \(rfc3339(expiration)))"
      : "credentials that expire within a minute (at \(rfc3339(expiration)))"
    if let skew {
      let direction = skew > 0 ? "ahead of" : "behind"
      return when + "; this machine's clock (\(rfc3339(now))) is \(Int(abs(skew))) s "
        + "\(direction) the server's: set it right (e.g. `timedatectl set-ntp true`), then try "
        + "again"
    }
    return when + "; nothing was stored. Check this machine's clock (`timedatectl`) and the "
      + "DurationSeconds or session duration asked for, then try again"
  }

  /// An HTTP-date (RFC 9110: `Sun, 06 Nov 1994 08:49:37 GMT`).
  static func httpDate(_ text: String) -> Date? {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE',' dd MMM yyyy HH':'mm':'ss 'GMT'"
    return formatter.date(from: text.trimmingCharacters(in: .whitespaces))
  }
}
