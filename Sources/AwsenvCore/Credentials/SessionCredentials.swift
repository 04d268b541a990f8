import Crypto
import Foundation

/// Temporary credentials (from STS, a credential_process, or the keyring's session cache) and,
/// for a role, whose they are.
public struct SessionCredentials: Sendable, Equatable {
  public var credentials: Credentials
  /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` for a role.
  public var assumedRoleArn: String?
  /// `ROLE@ACCOUNT` when the credentials came with no ARN to read it from (IAM Identity Center).
  public var givenIdentity: String?

  public init(credentials: Credentials, assumedRoleArn: String? = nil, identity: String? = nil) {
    self.credentials = credentials
    self.assumedRoleArn = assumedRoleArn
    self.givenIdentity = identity
  }

  /// `ROLE@ACCOUNT`, for the prompt: the given one, else from the assumed-role ARN.
  public var identity: String? {
    if let givenIdentity { return givenIdentity }
    guard let arn = assumedRoleArn else { return nil }
    let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
    guard parts.count == 6, parts[2] == "sts" else { return nil }
    let resource = parts[5].split(separator: "/")
    guard resource.count >= 2, resource[0] == "assumed-role" else { return nil }
    return "\(resource[1])@\(parts[4])"
  }

  /// The secret of the keyring item: the credential_process document, plus the role ARN.
  func encoded() -> String {
    let credentials = self.credentials
    var fields: [(String, JSONValue)] = [
      ("Version", .number(1)),
      ("AccessKeyId", .string(credentials.accessKeyID)),
      ("SecretAccessKey", .string(credentials.secretAccessKey)),
    ]
    if let token = credentials.sessionToken { fields.append(("SessionToken", .string(token))) }
    if let expiration = credentials.expiration {
      fields.append(("Expiration", .string(rfc3339(expiration))))
    }
    if let assumedRoleArn { fields.append(("AssumedRoleArn", .string(assumedRoleArn))) }
    if let givenIdentity { fields.append(("Identity", .string(givenIdentity))) }
    return JSONValue.object(fields).text
  }

  static func decode(_ text: String) -> SessionCredentials? {
    guard let credentials = Credentials.fromProcessJSON(text), credentials.expiration != nil
    else { return nil }
    let object =
      (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    return SessionCredentials(
      credentials: credentials, assumedRoleArn: object?["AssumedRoleArn"] as? String,
      identity: object?["Identity"] as? String)
  }
}
