import ArgumentParser
import AwsenvCore

extension Awsenv {
  struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rotate",
      abstract:
        "Replace a profile's access key: a new one in IAM and the keyring, the old deleted.",
      discussion: """
        Creates a new access key for the IAM user (through an MFA session when the profile has
        mfa_serial), checks that it works, stores it in the keyring, drops the sessions cached
        from the old key and deletes the old key in IAM. A role profile rotates the keys it
        starts from. A user who already has two keys (IAM's limit) is refused, and nothing
        changes. Keys that are only in the credentials file are not rotated: `awsenv import`
        them first.
        """)

    @OptionGroup var profileArgument: ProfileArgument

    @Option(
      help: ArgumentHelp("The current code of the MFA device (six digits).", valueName: "code"))
    var mfaCode: String?

    @Option(help: "Call STS in this region (IAM is called in its partition's global endpoint).")
    var region: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let resolver = try Runtime().resolver()
      let outcome: KeyRotation.Outcome
      do {
        outcome = try resolver.keyRotation(
          profile: profileArgument.profile, regionFlag: region, mfaCode: mfaCode
        ).run()
      } catch {
        var failure = Failure(error.message)
        failure.status = error.exitStatus
        throw failure
      }
      note(
        "rotated the access key of '\(outcome.profile)' (\(outcome.identity)): "
          + "\(outcome.oldAccessKeyID) deleted, \(outcome.newAccessKeyID) in the keyring; "
          + "\(outcome.sessionsDropped) cached session\(outcome.sessionsDropped == 1 ? "" : "s") "
          + "dropped")
    }
  }
}
