/// Why `awsenv rotate` stopped. Each message says which key exists where (in IAM, in the
/// keyring) and what to do next; none holds a secret.
public enum RotateError: Error, Sendable {
  /// Before anything changed: reading the keyring, the MFA code, the first STS calls.
  case before(AwsenvError)
  /// The keyring holds no keys for the profile, nor does the credentials file.
  case noKeyringKeys(profile: String)
  /// The profile's keys are in the credentials file only.
  case keysOnlyInFile(profile: String)
  /// The profile gets its credentials from something other than long-lived keys.
  case notKeys(profile: String, kind: String)
  /// The keys belong to something other than an IAM user or the root user.
  case notAUser(profile: String, arn: String)
  /// The user already has IAM's limit of two keys.
  case twoKeys(profile: String, user: String, keys: [String])
  /// ListAccessKeys or CreateAccessKey failed; `what` says what that left.
  case iam(IAMError, profile: String, what: String)
  /// The new key did not work (`why`); `deletion` is nil when it was deleted again.
  case newKeyUnusable(
    profile: String, oldKey: String, newKey: String, _ why: String, deletion: IAMError?)
  /// The keyring did not take the new key; `deletion` is nil when it was deleted at IAM.
  case notStored(
    profile: String, oldKey: String, newKey: String, KeyringError, deletion: IAMError?)
  /// The new key is stored, but the old sessions could not be dropped (the old key remains).
  case sessionsNotDropped(profile: String, oldKey: String, newKey: String, KeyringError)
  /// The new key is stored and in use; deleting the old one at IAM failed.
  case oldKeyNotDeleted(
    profile: String, oldKey: String, newKey: String, user: String?, IAMError)

  /// The exit status: 3 when only the user can go on (an MFA code), else 1.
  public var exitStatus: Int32 {
    if case .before(let error) = self { return error.exitStatus }
    return 1
  }

  /// One line for the user, without the `awsenv:` prefix.
  public var message: String {
    switch self {
    case .before(let error):
      return error.message + "; nothing was changed"
    case .noKeyringKeys(let profile):
      return "the keyring holds no access key for '\(profile)'; store it with `awsenv add "
        + "\(profile)`, then rotate"
    case .keysOnlyInFile(let profile):
      return "the keys of '\(profile)' are in the credentials file, not the keyring; awsenv "
        + "rotates only keys it keeps: run `awsenv import \(profile) --remove-plaintext`, then "
        + "rotate; nothing was changed"
    case .notKeys(let profile, let kind):
      return "profile '\(profile)' gets its credentials from \(kind), not from long-lived "
        + "access keys; rotate the profile whose keys it starts from"
    case .notAUser(let profile, let arn):
      return "the keys of '\(profile)' belong to \(arn), which is not an IAM user; only a "
        + "user's access keys can be rotated; nothing was changed"
    case .twoKeys(let profile, let user, let keys):
      return "\(user) already has two access keys (\(keys.joined(separator: ", "))), the most "
        + "IAM allows; delete the one '\(profile)' does not use (`aws iam delete-access-key "
        + "--access-key-id ID`), then rotate; nothing was changed"
    case .iam(let error, _, let what):
      return error.message + "; " + what
    case .newKeyUnusable(let profile, let oldKey, let newKey, let why, let deletion):
      return "the new access key \(newKey) does not work (\(why)); "
        + deleted(newKey, deletion) + "; the old key \(oldKey) is still in the keyring for '"
        + "\(profile)' and in use"
    case .notStored(let profile, let oldKey, let newKey, let error, let deletion):
      return "the keyring did not take the new access key \(newKey) (\(error.message)); "
        + deleted(newKey, deletion) + "; the old key \(oldKey) is still in the keyring for '"
        + "\(profile)' and in use"
    case .sessionsNotDropped(let profile, let oldKey, let newKey, let error):
      return "the new access key \(newKey) is in the keyring for '\(profile)', but its old "
        + "sessions could not be dropped (\(error.message)); the old key \(oldKey) still "
        + "exists: run `awsenv remove \(profile) --sessions-only`, then delete it with `aws iam "
        + "delete-access-key --access-key-id \(oldKey)`"
    case .oldKeyNotDeleted(let profile, let oldKey, let newKey, let user, let error):
      return "the new access key \(newKey) is in the keyring for '\(profile)' and in use, but "
        + "deleting the old key failed (\(error.message)); \(oldKey) still exists at IAM: "
        + "delete it with `aws iam delete-access-key --access-key-id \(oldKey)"
        + (user.map { " --user-name \($0)" } ?? "") + "`"
    }
  }

  private func deleted(_ key: String, _ deletion: IAMError?) -> String {
    guard let deletion else { return "it was deleted again" }
    return "deleting it failed too (\(deletion.message)), so it still exists at IAM, unused and "
      + "stored nowhere: delete it with `aws iam delete-access-key --access-key-id \(key)`"
  }
}
