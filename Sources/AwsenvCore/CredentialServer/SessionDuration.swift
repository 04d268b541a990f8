/// `--duration`: how long the sessions a command gets last.
public enum SessionDuration {
  /// What STS grants: at least 15 minutes; 12 hours is the most a role allows.
  public static let range = 900...43_200

  /// Seconds from `3600`, `90s`, `15m`, `1h` or `12h`.
  public static func parse(_ text: String) throws(AwsenvError) -> Int {
    guard let seconds = parseDuration(text), seconds.rounded() == seconds, seconds < 1e9 else {
      throw .other(
        "'\(text)' is not a duration; give seconds or a number with s, m or h (like 15m, 1h, "
          + "12h)")
    }
    guard range.contains(Int(seconds)) else {
      throw .other(
        "a session lasts from 15 minutes to 12 hours (900 to 43200 seconds); '\(text)' is "
          + "outside that")
    }
    return Int(seconds)
  }
}
