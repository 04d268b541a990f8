import Foundation

/// A profile made ready for an environment: its credentials and the region to go with them.
public struct Activation: Sendable, Equatable {
  public var profile: String
  public var credentials: Credentials
  public var region: String?
  /// `RoleName@account` when the credentials are an assumed role's.
  public var identity: String?
  /// When the prompt hook should refresh the credentials (expiry minus the minimum TTL).
  public var refreshAt: Date?
  /// Lines for stderr about how the request was changed (a `--duration` clamped or ignored).
  public var notes: [String] = []
  /// AWS_PROFILE: the profile, except for an ad-hoc role (nil: unset), whose credentials are
  /// no profile's.
  public var awsProfile: String?
  /// The `--duration` (seconds) the session was made with, so that the prompt's refresh asks
  /// for the same length.
  public var duration: Int?

  public init(
    profile: String, credentials: Credentials, region: String?, identity: String? = nil,
    refreshAt: Date? = nil
  ) {
    self.profile = profile
    self.credentials = credentials
    self.region = region
    self.identity = identity
    self.refreshAt = refreshAt
    self.awsProfile = profile
  }

  /// The variables this activation sets (a value) or unsets (nil), in a stable order.
  public var variables: [(String, String?)] {
    [
      ("AWS_ACCESS_KEY_ID", credentials.accessKeyID),
      ("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey),
      ("AWS_SESSION_TOKEN", credentials.sessionToken),
      ("AWS_SECURITY_TOKEN", nil),
      ("AWS_CREDENTIAL_EXPIRATION", credentials.expiration.map(rfc3339)),
      ("AWS_REGION", region),
      ("AWS_DEFAULT_REGION", region),
      ("AWS_PROFILE", awsProfile),
      ("AWS_DEFAULT_PROFILE", nil),
      ("AWSENV_PROFILE", profile),
      ("AWSENV_EXPIRES", credentials.expiration.map { String(Int($0.timeIntervalSince1970)) }),
      ("AWSENV_REFRESH_AT", refreshAt.map { String(Int($0.timeIntervalSince1970)) }),
      ("AWSENV_IDENTITY", identity),
      ("AWSENV_DURATION", duration.map(String.init)),
    ]
  }
}
