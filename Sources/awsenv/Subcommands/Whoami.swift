import ArgumentParser
import AwsenvCore

extension Awsenv {
  struct Whoami: ParsableCommand {
    static let configuration = CommandConfiguration(
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
        let credentials: Credentials
        let client: STSClient
        if let profile {
          credentials = try resolver.credentials(
            profile: profile, options: ResolveOptions(regionFlag: region))
          client = try resolver.stsClient(profile: profile, regionFlag: region)
        } else {
          guard let id = runtime.environment["AWS_ACCESS_KEY_ID"], !id.isEmpty,
            let secret = runtime.environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
          else {
            throw Failure(
              "this shell has no AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); "
                + "run `awsenv use PROFILE` first, or `awsenv whoami --profile PROFILE`")
          }
          credentials = Credentials(
            accessKeyID: id, secretAccessKey: secret,
            sessionToken: runtime.environment["AWS_SESSION_TOKEN"].flatMap {
              $0.isEmpty ? nil : $0
            })
          client = try resolver.stsClient(
            profile: runtime.environment["AWS_PROFILE"] ?? "default", regionFlag: region)
        }
        do {
          identity = try client.getCallerIdentity(credentials)
        } catch {
          throw AwsenvError.sts(error, STSError.Context(profile: profile))
        }
      } catch let error as AwsenvError {
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
