import Foundation

/// A profile's credentials, and what the prompt shows about them.
public struct ResolvedCredentials: Sendable, Equatable {
  public var credentials: Credentials
  /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` when they are a role's.
  public var assumedRoleArn: String?
  /// Whether they came from the keyring's session cache without an STS call.
  public var fromCache: Bool
  /// `ROLE@ACCOUNT` when they are a role's.
  public var identity: String?
  /// Lines for stderr about how the request was changed (a `--duration` clamped or ignored).
  public var notes: [String] = []
  /// The `--duration` (seconds) the final session was asked for, when it applied to it.
  public var duration: Int?

  init(session: SessionCredentials, fromCache: Bool) {
    self.credentials = session.credentials
    self.assumedRoleArn = session.assumedRoleArn
    self.fromCache = fromCache
    self.identity = session.identity
  }
}
