import ArgumentParser
import AwsenvCore

extension Awsenv {
  struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "status",
      abstract: "Show this shell's profile, the IAM Identity Center sign-ins and cached sessions.",
      discussion: """
        Reads the environment and the keyring's item attributes only: no network, no unlock,
        no secret (except, once, a sign-in stored by an awsenv older than this one). The shell
        line shows the profile, identity, region and expiry that `awsenv use` set; each sign-in
        shows when its token expires and whether it can be renewed without a browser; each
        cached session its profile, identity and expiry.
        """)

    @Flag(help: "Print one JSON object (times in RFC 3339).")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let runtime = Runtime()
      var keyring = runtime.keyring()
      keyring.index = KeyringIndex.standard(environment: runtime.environment)
      let report: StatusReport
      do {
        report = try StatusReport.gather(environment: runtime.environment, keyring: keyring)
      } catch {
        throw Failure(.keyring(error))
      }
      writeOut(json ? report.json.text + "\n" : report.text)
    }
  }
}
