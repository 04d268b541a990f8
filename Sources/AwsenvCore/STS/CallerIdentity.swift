/// What GetCallerIdentity says.
public struct CallerIdentity: Sendable, Equatable {
  public var account: String
  public var arn: String
  public var userID: String
}
