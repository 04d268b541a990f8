import ArgumentParser
import AwsenvCore

extension Awsenv {
  struct Export: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
      case env, fish, json, process
    }

    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract:
        "Print a profile's credentials as shell variables, JSON or credential_process JSON.",
      discussion: """
        env: `export NAME=value` lines for bash and zsh; fish: `set -gx` lines;
        json: the variables as one JSON object; process: the credential_process document
        (Version 1) that every AWS SDK reads.
        """)

    @Argument(
      help: "A profile from ~/.aws/config or ~/.aws/credentials (with --role-arn: the source).",
      completion: .custom(completeProfiles))
    var profile: String?

    @Option(help: "Output format.")
    var format: Format = .env

    @Option(help: "Region to include (default: the profile's, else the shell's).")
    var region: String?

    @OptionGroup var credentials: CredentialOptions

    @OptionGroup var adHoc: AdHocRoleOptions

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let runtime = Runtime()
      let activation = try runtime.activation(
        profile, role: try adHoc.role(profile: profile, environment: runtime.environment),
        options: try credentials.resolveOptions(region: region))
      if format == .process {
        writeOut(activation.credentials.processJSON() + "\n")
        return
      }
      let variables = activation.variables.compactMap { name, value in value.map { (name, $0) } }
      switch format {
      case .env, .fish:
        let shell: Shell = format == .fish ? .fish : .bash
        do {
          writeOut(try shell.render(variables.map { .export($0.0, $0.1) }))
        } catch {
          throw Failure(.shell(error))
        }
      case .json:
        writeOut(JSONValue.object(variables.map { ($0.0, .string($0.1)) }).text + "\n")
      case .process:
        break
      }
    }
  }

  struct CredentialProcess: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "credential-process",
      abstract: "Print a profile's credentials for an SDK's credential_process.",
      discussion: """
        In ~/.aws/config:
          [profile prod]
          credential_process = awsenv credential-process prod
        gives every AWS SDK and the AWS CLI the keys that awsenv keeps in the keyring.
        """)

    @OptionGroup var target: ProfileArgument

    @Option(
      help: ArgumentHelp(
        "The session length (900, 15m, 1h, 12h), over the profile's duration_seconds; "
          + "clamped to what AWS allows.", valueName: "duration"))
    var duration: SessionLength?

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let activation = try Runtime().activation(
        target.profile, options: ResolveOptions(duration: duration?.seconds))
      writeOut(activation.credentials.processJSON() + "\n")
    }
  }
}
