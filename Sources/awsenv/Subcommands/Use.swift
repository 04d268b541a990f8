import ArgumentParser
import AwsenvCore

extension Awsenv {
  struct Use: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "use",
      abstract: "Switch this shell to a profile's credentials.",
      discussion: """
        Sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (temporary credentials
        only), AWS_CREDENTIAL_EXPIRATION, AWS_REGION, AWS_DEFAULT_REGION and AWS_PROFILE, and
        unsets AWS_SECURITY_TOKEN and AWS_DEFAULT_PROFILE. `awsenv clear` undoes it.
        Runs through the shell function that `awsenv init` defines. Without a profile, on a
        terminal, a picker lists the profiles (recently used first): type to filter, arrows to
        move, Enter to switch, Esc to cancel. `awsenv use -` switches back to the profile this
        shell used before the current one (again: back and forth, like `cd -`).

        Roles, MFA sessions, web identity, SAML and credential_process results are cached in
        the keyring and reused until 5 minutes before they expire (AWSENV_MIN_TTL, e.g. 10m).
        """)

    @Argument(
      help: ArgumentHelp(
        "A profile from ~/.aws/config or ~/.aws/credentials (none: choose one on the terminal; "
          + "-: the one this shell used before)."),
      completion: .custom(completeProfiles))
    var profile: String?

    @Option(help: "Set AWS_REGION and AWS_DEFAULT_REGION to this region (and call STS there).")
    var region: String?

    @OptionGroup var credentials: CredentialOptions

    @OptionGroup var adHoc: AdHocRoleOptions

    @Flag(
      help: ArgumentHelp(
        "Never ask anything (the prompt hook's refresh): exit 3 if an MFA code, a SAML "
          + "assertion or a login is needed."))
    var nonInteractive = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let runtime = Runtime()
      guard runtime.hookShell != nil else { throw Failure(hookMissing("use")) }
      let options = try credentials.resolveOptions(region: region, interactive: !nonInteractive)
      if let role = try adHoc.role(profile: profile, environment: runtime.environment) {
        try Self.switchShell(to: role.sourceProfile, role: role, options: options, runtime: runtime)
        return
      }
      let profile: String
      if self.profile == "-" {
        guard let previous = ShellSession.previousProfile(environment: runtime.environment) else {
          throw Failure(
            "this shell has no previous profile to go back to: `awsenv use -` switches back "
              + "after a second `awsenv use PROFILE` (or a `clear`) in the same shell")
        }
        profile = previous
      } else if let given = self.profile {
        profile = given
      } else if nonInteractive {
        throw ValidationError("missing the profile: --non-interactive never opens the picker")
      } else {
        // Usage error (64) without a terminal, ExitCode(130) when cancelled.
        profile = try profileFromPicker(runtime)
      }
      try Self.switchShell(to: profile, options: options, runtime: runtime)
    }

    /// Prints the shell code that switches the hook's shell to `profile` (to the ad-hoc `role`
    /// assumed with its credentials, when given), and remembers it for the picker.
    static func switchShell(
      to profile: String, role: AdHocRole? = nil, options: ResolveOptions, runtime: Runtime
    ) throws {
      guard let shell = runtime.hookShell else { throw Failure(hookMissing("use")) }
      // `--refresh` always calls STS, and the prompt's refresh (--non-interactive) almost
      // always: load libcurl meanwhile, while the keyring finds the source credentials.
      if options.refresh || !options.interactive { CurlTransport.preload() }
      // Every use reads a secret: open the keyring's encrypted session while the config is read.
      LibSecretStore.prefetch(
        timeout: runtime.environment["AWSENV_KEYRING_TIMEOUT"].flatMap(Double.init) ?? 2)
      let activation = try runtime.activation(profile, role: role, options: options)
      let changes =
        ShellSession.use(activation, baseline: runtime.baseline)
        + ShellSession.recordPrevious(leaving: runtime.environment, for: activation.profile)
      do {
        writeOut(try shell.render(changes))
      } catch {
        throw Failure(.shell(error))
      }
      rememberProfile(profile, environment: runtime.environment)
    }

    /// Runs the hook's own calls (``HookUseArguments``) without swift-argument-parser, whose
    /// command tree costs more than the rest of a cached `use`. False for any other line, or
    /// without the hook: the parser handles those.
    static func runFromHook(_ arguments: [String]) throws -> Bool {
      guard let call = HookUseArguments(arguments) else { return false }
      let runtime = Runtime()
      guard runtime.hookShell != nil else { return false }
      logCommandLine()
      try switchShell(to: call.profile, options: call.options, runtime: runtime)
      return true
    }
  }

  struct Clear: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "clear",
      abstract: "Give this shell back the AWS variables it had before the first `awsenv use`.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let runtime = Runtime()
      guard let shell = runtime.hookShell else { throw Failure(hookMissing("clear")) }
      do {
        writeOut(try shell.render(ShellSession.clear(environment: runtime.environment)))
      } catch {
        throw Failure(.shell(error))
      }
    }
  }
}

/// The error for `use`/`clear` run without the hook: they must change the calling shell, which
/// only a shell function can do.
func hookMissing(_ subcommand: String) -> String {
  "`awsenv \(subcommand)` changes the current shell, so it runs through the shell hook: add "
    + "`eval \"$(awsenv init bash)\"` to ~/.bashrc (zsh: `eval \"$(awsenv init zsh)\"` in ~/.zshrc, "
    + "fish: `awsenv init fish | source` in config.fish), or use `awsenv exec PROFILE -- COMMAND`"
}
