import Foundation

/// `awsenv rotate`: replaces the long-lived access key of a profile, in IAM and in the keyring.
///
/// The order is chosen so that at every step the keyring holds a key that works, and a
/// failure says which key exists where:
/// 1. ListAccessKeys: a user who has two keys already (IAM's limit) is refused; nothing changes.
/// 2. CreateAccessKey: the new key exists at IAM and in memory only.
/// 3. GetCallerIdentity with the new key, retried for a while (a new key takes seconds to work
///    everywhere); on failure the new key is deleted again, and the old one stays in use.
/// 4. The new key replaces the old one in the keyring (read back); on failure the new key is
///    deleted at IAM (its secret exists nowhere else and is never printed), the old one stays.
/// 5. The sessions made with the old key are dropped, then the old key is deleted at IAM; on
///    failure the new key is already stored and works, and the message says how to delete the
///    old one.
/// IAM calls go through an MFA session (GetSessionToken) when the profile has mfa_serial, as
/// IAM policies that require MFA expect; the old key's session also signs DeleteAccessKey, so
/// one MFA code is enough.
public struct KeyRotation {
  /// The profile whose keys are rotated (the keys' owner).
  public var profile: String
  public var keyring: Keyring
  public var sts: STSClient
  public var iam: IAMClient
  /// The MFA device the IAM calls go through, if any.
  public var mfaSerial: String?
  /// An MFA code for the device.
  public var mfaCode: (_ serial: String) throws(AwsenvError) -> String
  /// Waits between the checks of the new key.
  public var sleep: (Double) -> Void
  /// GetCallerIdentity attempts with the new key, `checkInterval` seconds apart.
  public var checkAttempts = 15
  public var checkInterval = 2.0

  public init(
    profile: String, keyring: Keyring, sts: STSClient, iam: IAMClient, mfaSerial: String?,
    mfaCode: @escaping (String) throws(AwsenvError) -> String,
    sleep: @escaping (Double) -> Void
  ) {
    self.profile = profile
    self.keyring = keyring
    self.sts = sts
    self.iam = iam
    self.mfaSerial = mfaSerial
    self.mfaCode = mfaCode
    self.sleep = sleep
  }

  /// What a rotation did.
  public struct Outcome: Sendable, Equatable {
    public var profile: String
    /// The IAM user's ARN.
    public var identity: String
    public var oldAccessKeyID: String
    public var newAccessKeyID: String
    /// Cached sessions made with the old key that were dropped.
    public var sessionsDropped: Int
  }

  public func run() throws(RotateError) -> Outcome {
    let stored: Credentials?
    do {
      stored = try keyring.accessKey(profile: profile)
    } catch {
      throw .before(.keyring(error))
    }
    guard let old = stored else { throw .noKeyringKeys(profile: profile) }
    let context = STSError.Context(profile: profile, mfaSerial: mfaSerial)
    // The credentials the IAM calls are signed with.
    let caller: Credentials
    if let mfaSerial {
      let code: String
      do {
        code = try mfaCode(mfaSerial)
      } catch {
        throw .before(error)
      }
      do {
        caller = try sts.getSessionToken(old, mfaSerial: mfaSerial, tokenCode: code)
      } catch {
        throw .before(.sts(error, context))
      }
    } else {
      caller = old
    }
    let identity: CallerIdentity
    do {
      identity = try sts.getCallerIdentity(caller)
    } catch {
      throw .before(.sts(error, context))
    }
    let userName = try Self.userName(identity.arn, profile: profile)

    // 1. At most one key so far.
    let before: [IAMClient.AccessKeyMetadata]
    do {
      before = try iam.listAccessKeys(caller, userName: userName)
    } catch {
      throw .iam(error, profile: profile, what: "nothing was changed")
    }
    if before.count >= 2 {
      throw .twoKeys(
        profile: profile, user: userName.map { "IAM user \($0)" } ?? identity.arn,
        keys: before.map(\.accessKeyID).sorted())
    }

    // 2. The new key, in memory only.
    let new: Credentials
    do {
      new = try iam.createAccessKey(caller, userName: userName)
    } catch {
      // A lost answer may still have made a key: say which, so it can be deleted.
      let after = (try? iam.listAccessKeys(caller, userName: userName)) ?? before
      let made = after.map(\.accessKeyID).filter { id in
        !before.contains { $0.accessKeyID == id }
      }
      throw .iam(
        error, profile: profile,
        what: made.isEmpty
          ? "nothing was changed"
          : "IAM may have made the key \(made.joined(separator: ", ")) without sending it; "
            + "delete it (`aws iam delete-access-key --access-key-id \(made[0])`); the old key "
            + "\(old.accessKeyID) is still in the keyring and in use")
    }

    // 3. The new key works, as the same user.
    if let failure = check(new, expected: identity.arn) {
      throw .newKeyUnusable(
        profile: profile, oldKey: old.accessKeyID, newKey: new.accessKeyID, failure,
        deletion: deleteResult(new.accessKeyID, caller, userName))
    }

    // 4. The new key in the keyring, read back.
    do {
      try keyring.saveAccessKey(new, profile: profile)
    } catch {
      // Whatever the keyring now holds is what a later run will use: if that is the new key
      // after all, the rotation can go on.
      if (try? keyring.accessKey(profile: profile)) != new {
        throw .notStored(
          profile: profile, oldKey: old.accessKeyID, newKey: new.accessKeyID, error,
          deletion: deleteResult(new.accessKeyID, caller, userName))
      }
    }

    // 5. Old sessions dropped, old key deleted.
    let dropped: Int
    do {
      dropped = try keyring.remove(profile: profile, sessionsOnly: true)
    } catch {
      throw .sessionsNotDropped(
        profile: profile, oldKey: old.accessKeyID, newKey: new.accessKeyID, error)
    }
    do {
      try iam.deleteAccessKey(caller, accessKeyID: old.accessKeyID, userName: userName)
    } catch {
      throw .oldKeyNotDeleted(
        profile: profile, oldKey: old.accessKeyID, newKey: new.accessKeyID, user: userName,
        error)
    }
    return Outcome(
      profile: profile, identity: identity.arn, oldAccessKeyID: old.accessKeyID,
      newAccessKeyID: new.accessKeyID, sessionsDropped: dropped)
  }

  /// The user name for the IAM calls: the `user/…` ARN's last part; nil for the account's root
  /// user (whose own keys IAM manages without a name). Any other identity has no access keys.
  static func userName(_ arn: String, profile: String) throws(RotateError) -> String? {
    let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
    guard parts.count == 6, parts[2] == "iam" else {
      throw .notAUser(profile: profile, arn: arn)
    }
    if parts[5] == "root" { return nil }
    guard parts[5].hasPrefix("user/"), let name = parts[5].split(separator: "/").last else {
      throw .notAUser(profile: profile, arn: arn)
    }
    return String(name)
  }

  /// Nil when `keys` are accepted by STS as `expected`; else why not. A key IAM has not yet
  /// spread everywhere is refused as unknown (InvalidClientTokenId) for a few seconds: those
  /// refusals are tried again, up to ``checkAttempts`` times.
  func check(_ keys: Credentials, expected: String) -> String? {
    var attempt = 1
    while true {
      do {
        let identity = try sts.getCallerIdentity(keys)
        if identity.arn == expected { return nil }
        return "STS says it belongs to \(identity.arn), not \(expected)"
      } catch {
        let settling = ["InvalidClientTokenId", "SignatureDoesNotMatch"].contains(error.code ?? "")
        guard settling, attempt < checkAttempts else {
          return error.message(STSError.Context(profile: profile))
        }
        sleep(checkInterval)
        attempt += 1
      }
    }
  }

  /// Deletes the key `id` that was just made; nil when that worked.
  private func deleteResult(_ id: String, _ caller: Credentials, _ userName: String?) -> IAMError? {
    do {
      try iam.deleteAccessKey(caller, accessKeyID: id, userName: userName)
      return nil
    } catch {
      return error
    }
  }
}
