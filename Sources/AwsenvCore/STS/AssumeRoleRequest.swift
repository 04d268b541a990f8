/// The parameters of AssumeRole, named as in the config file.
public struct AssumeRoleRequest: Sendable, Equatable {
  public var roleArn: String
  public var sessionName: String
  public var externalID: String?
  public var durationSeconds: Int?
  public var mfaSerial: String?
  public var tokenCode: String?
  public var sourceIdentity: String?

  public init(
    roleArn: String, sessionName: String, externalID: String? = nil, durationSeconds: Int? = nil,
    mfaSerial: String? = nil, tokenCode: String? = nil, sourceIdentity: String? = nil
  ) {
    self.roleArn = roleArn
    self.sessionName = sessionName
    self.externalID = externalID
    self.durationSeconds = durationSeconds
    self.mfaSerial = mfaSerial
    self.tokenCode = tokenCode
    self.sourceIdentity = sourceIdentity
  }
}
