/// How a command wants a profile's credentials.
public struct ResolveOptions: Sendable {
  /// `--region`: the region exported, and the one STS is called in.
  public var regionFlag: String?
  /// `--refresh`: get new credentials for the profile even when a cached session is valid.
  public var refresh: Bool
  /// `--mfa-code`.
  public var mfaCode: String?
  /// `--saml-assertion`, already base64 (never stored).
  public var samlAssertion: String?
  /// False for the prompt hook's refresh: never ask the user anything.
  public var interactive: Bool
  /// `--duration`, in seconds: the length of the final session, over the profile's
  /// duration_seconds (see ``SessionDuration``).
  public var duration: Int?

  public init(
    regionFlag: String? = nil, refresh: Bool = false, mfaCode: String? = nil,
    samlAssertion: String? = nil, interactive: Bool = true, duration: Int? = nil
  ) {
    self.regionFlag = regionFlag
    self.refresh = refresh
    self.mfaCode = mfaCode
    self.samlAssertion = samlAssertion
    self.interactive = interactive
    self.duration = duration
  }
}
