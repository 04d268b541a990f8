import ArgumentParser
import AwsenvCore

extension Awsenv {
  struct Whoami: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "whoami",
      abstract: "Show the account and identity of the credentials in this shell (or a profile).",
      discussion: """
        Calls STS GetCallerIdentity with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
        AWS_SESSION_TOKEN from the environment, or with a profile's credentials (--profile).
        """)

    @Option(
      help: ArgumentHelp("Use this profile's credentials instead of the environment's."),
      completion: .custom(completeProfiles))
    var profile: String?

    @Option(help: "Call STS in this region.")
    var region: String?

    @Flag(help: "Print JSON, as `aws sts get-caller-identity` does.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let runtime = Runtime()
      let resolver = try runtime.resolver()
      let identity: CallerIdentity
      do {
        identity = try resolver.callerIdentity(profile: profile, regionFlag: region)
      } catch {
        throw Failure(error)
      }
      if json {
        writeOut(
          JSONValue.object([
            ("UserId", .string(identity.userID)), ("Account", .string(identity.account)),
            ("Arn", .string(identity.arn)),
          ]).text + "\n")
      } else {
        let (account, arn, user) = (
          printableServerText(identity.account), printableServerText(identity.arn),
          printableServerText(identity.userID)
        )
        writeOut("Account  \(account)\nArn      \(arn)\nUserId   \(user)\n")
      }
    }
  }
}
