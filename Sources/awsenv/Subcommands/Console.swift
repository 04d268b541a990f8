import ArgumentParser
import AwsenvCore
import Foundation

extension Awsenv {
  struct Console: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "console",
      abstract: "Open the AWS Management Console signed in as a profile.",
      discussion: """
        Trades the profile's temporary credentials (role, IAM Identity Center, web identity,
        SAML, credential_process) for a sign-in token at the AWS Sign-In federation endpoint and
        opens the console's login URL with $BROWSER, else xdg-open. Long-lived keys never go
        there: a keys profile first gets a federation token (sts:GetFederationToken, with the
        user's own rights). Without a display or $BROWSER, or with --stdout, the URL is printed
        on stdout instead; it signs anyone in for 15 minutes, so treat it as a secret.
        Examples: awsenv console prod -s s3 --region eu-west-1
                  awsenv console --destination /iam/home#/users --duration 4h
        """)

    @Argument(
      help: "A profile (default: the shell's active one, AWSENV_PROFILE).",
      completion: .custom(completeProfiles))
    var profile: String?

    @Flag(name: .customLong("stdout"), help: "Print the sign-in URL on stdout; open nothing.")
    var printOnly = false

    @Option(
      name: [.short, .long],
      help: ArgumentHelp("Open this service's page (s3, ec2, iam and so on).", valueName: "name"))
    var service: String?

    @Option(
      help: ArgumentHelp(
        "Open this page: an https URL, or a path on the console (/iam/home#/users).",
        valueName: "url"))
    var destination: String?

    @Option(help: "The console's region (default: the profile's, else the shell's).")
    var region: String?

    @Option(
      help: ArgumentHelp(
        "Open the URL in this Firefox container (needs the 'Open external links in a "
          + "container' add-on).", valueName: "name"))
    var container: String?

    @OptionGroup var credentials: CredentialOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
      if service != nil && destination != nil {
        throw ValidationError("give --service or --destination, not both")
      }
      if profile == nil && (ProcessInfo.processInfo.environment["AWSENV_PROFILE"] ?? "").isEmpty {
        throw ValidationError(
          "name a profile, or run `awsenv use PROFILE` first to make one active")
      }
    }

    func run() throws {
      let runtime = Runtime()
      guard let name = profile ?? runtime.environment["AWSENV_PROFILE"], !name.isEmpty else {
        throw Failure("name a profile, or run `awsenv use PROFILE` first to make one active")
      }
      let page: ConsolePage =
        service.map { .service($0) } ?? destination.map { .destination($0) } ?? .home
      // `--duration` is the console session's length here; the session under it is the
      // profile's usual one, so a session cached by `use` serves.
      var options = try credentials.resolveOptions(region: nil)
      options.duration = nil
      let request = ConsoleRequest(
        profile: name, page: page, region: region,
        durationSeconds: credentials.duration?.seconds, options: options)
      let resolver = try runtime.resolver()
      var url: String
      do {
        let login = try ConsoleSignIn.login(request, resolver: resolver)
        login.notes.forEach(note)
        url = login.url
        if let container { url = try ConsoleSignIn.containerURL(url, container: container) }
      } catch {
        throw Failure(error)
      }
      if printOnly {
        writeOut(url + "\n")
        return
      }
      switch BrowserLauncher(environment: runtime.environment).open(url) {
      case .opened(let program):
        note("opened the console as '\(name)' with \(program)")
      case .noBrowser:
        note("no display and no $BROWSER: open this URL (it signs in for 15 minutes):")
        writeOut(url + "\n")
      case .failed(let program, let reason):
        note("could not start \(program) (\(reason)); open this URL yourself:")
        writeOut(url + "\n")
      }
    }
  }
}
