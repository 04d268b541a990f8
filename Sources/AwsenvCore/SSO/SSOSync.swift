import Foundation

/// `awsenv sso sync`: every account and role the sign-in reaches, written as profiles into the
/// config file's block for that sso-session (``SSOSyncBlock``).
public enum SSOSync {
  /// ListAccounts, then ListAccountRoles of each account, every page of both.
  public static func assignments(client: SSOClient, accessToken: String) throws(SSOError)
    -> [SSOAssignment]
  {
    var result: [SSOAssignment] = []
    for account in try client.accounts(accessToken: accessToken) {
      for role in try client.roles(accessToken: accessToken, accountID: account.accountID) {
        result.append(
          SSOAssignment(
            accountID: account.accountID, accountName: account.accountName, roleName: role))
      }
    }
    return result
  }

  /// What a sync wrote, and where the previous file was kept.
  public struct Written: Sendable, Equatable {
    public var result: SSOSyncResult
    /// The rolling backup of the previous file (nil when nothing was written, or the file is
    /// new).
    public var backup: String?
  }

  /// Renders the block of `session` into the config file and, when that changes the file,
  /// writes it atomically after a backup. Everything outside the block stays byte for byte; a
  /// file that would not change is not touched.
  public static func write(
    configPath: String, session: String, assignments: [SSOAssignment], template: String,
    region: String?, prune: Bool, lockDirectory: String? = nil
  ) throws(AwsenvError) -> Written {
    try FileLock.editing(configPath, lockDirectory: lockDirectory) { () throws(AwsenvError) in
      let old = try AtomicFile.readForEditing(configPath)
      let result: SSOSyncResult
      do throws(SSOSyncError) {
        result = try SSOSyncBlock.render(
          config: old ?? "", session: session, assignments: assignments, template: template,
          region: region, prune: prune)
      } catch {
        throw .other(error.message)
      }
      guard result.changed || old == nil else { return Written(result: result, backup: nil) }
      do throws(AtomicFile.Failure) {
        let backup = old == nil ? nil : try AtomicFile.rollingBackup(configPath)
        try AtomicFile.makeDirectories((configPath as NSString).deletingLastPathComponent)
        try AtomicFile.write(Array(result.text.utf8), to: configPath)
        return Written(result: result, backup: backup)
      } catch {
        throw .file(error)
      }
    }
  }
}
