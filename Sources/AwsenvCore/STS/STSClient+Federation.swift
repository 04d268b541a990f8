/// What GetFederationToken gives: temporary credentials and the federated user they act as.
public struct FederationToken: Sendable, Equatable {
  public var credentials: Credentials
  /// `arn:aws:sts::ACCOUNT:federated-user/NAME`, when STS said so.
  public var federatedUserArn: String?
}

extension STSClient {
  /// A session policy that allows everything: a federation token's rights are the intersection
  /// of the IAM user's policies and the session policy, so this one gives the user's own rights
  /// and never more (without a session policy the token would have none).
  public static let userRightsPolicy =
    #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#

  /// GetFederationToken with an IAM user's long-lived keys: temporary credentials for the
  /// federated user `name` (2 to 32 of `A-Za-z0-9_+=,.@-`), limited by `policy`.
  public func getFederationToken(
    _ credentials: Credentials, name: String, policy: String = userRightsPolicy,
    durationSeconds: Int? = nil
  ) throws(STSError) -> FederationToken {
    var parameters = [("Name", name), ("Policy", policy)]
    if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
    let document = try call("GetFederationToken", parameters, signedWith: credentials)
    let session = try Self.credentials(in: document, action: "GetFederationToken")
    return FederationToken(
      credentials: session.credentials,
      federatedUserArn: document.child("GetFederationTokenResult")?.value("FederatedUser", "Arn"))
  }
}
