import ArgumentParser
import AwsenvCore
import Foundation

extension Awsenv {
  struct SSO: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sso",
      abstract: "IAM Identity Center: write profiles for the accounts and roles you have.",
      subcommands: [Sync.self])

    struct Sync: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Write one profile per account and role of an sso-session into ~/.aws/config.",
        discussion: """
          Lists every account and role the sign-in reaches (all pages) and writes a profile for
          each inside a block of the config file marked for that sso-session. Everything outside
          the block stays byte for byte; the file is written atomically, after a backup (FILE.
          awsenv-backup), and only when it changes. A role that a profile outside the block
          already uses gets no second profile. Without --prune, profiles whose role has gone
          stay in the block.

          Names come from the template: {account_name}, {account_id}, {role_name}, {session};
          characters other than letters, digits, . _ - become -, and a clash gets the account
          id appended. A profile keeps its name on later syncs.
          """)

      @Option(
        help: ArgumentHelp(
          "The [sso-session] to sync (default: the only one in the config).", valueName: "name"),
        completion: .custom(completeSSOSessions))
      var ssoSession: String?

      @Flag(help: "Remove profiles from the block whose account or role you no longer have.")
      var prune = false

      @Option(
        help: ArgumentHelp("How to name the profiles.", valueName: "template"))
      var template = SSOSyncBlock.defaultTemplate

      @Option(help: ArgumentHelp("Write `region = REGION` into each profile.", valueName: "region"))
      var region: String?

      @OptionGroup var global: GlobalOptions

      func run() throws {
        let runtime = Runtime()
        let resolver = try runtime.resolver()
        let config = resolver.config
        var sessionName = ssoSession
        if sessionName == nil {
          let names = config.ssoSessions.keys.sorted()
          guard names.count == 1 else {
            throw Failure(
              names.isEmpty
                ? "the config has no [sso-session] section; add one (sso_start_url, sso_region) "
                  + "and run `awsenv login --sso-session NAME` first"
                : "say which sso-session to sync: --sso-session with one of "
                  + names.joined(separator: ", "))
          }
          sessionName = names[0]
        }
        if let region, !EndpointResolver.isValidRegion(region) {
          throw Failure("'\(region)' is not a region name (like eu-west-1)")
        }
        do {
          let session = try config.ssoSession(named: sessionName!)
          let signIn = try resolver.ssoSignIn(session)
          guard let token = try signIn.validToken() else {
            throw AwsenvError.needsInteraction(
              "no valid sign-in for \(session.displayName); run `\(session.loginCommand)` first")
          }
          let assignments: [SSOAssignment]
          do {
            assignments = try SSOSync.assignments(
              client: signIn.client, accessToken: token.accessToken)
          } catch {
            throw AwsenvError.sso(error, SSOError.Context(login: session.loginCommand))
          }
          let written = try SSOSync.write(
            configPath: config.configPath, session: sessionName!, assignments: assignments,
            template: template, region: region, prune: prune,
            lockDirectory: FileLock.directory(environment: runtime.environment))
          report(written, assignments: assignments.count, path: config.configPath)
        } catch let error as AwsenvError {
          throw Failure(error)
        }
      }

      private func report(_ written: SSOSync.Written, assignments: Int, path: String) {
        let result = written.result
        func names(_ list: [String]) -> String {
          list.count <= 5
            ? list.joined(separator: ", ") : list.prefix(5).joined(separator: ", ") + ", …"
        }
        var parts = ["\(assignments) role\(assignments == 1 ? "" : "s") found"]
        if !result.added.isEmpty {
          parts.append("added \(result.added.count): \(names(result.added))")
        }
        if !result.removed.isEmpty {
          parts.append("removed \(result.removed.count): \(names(result.removed))")
        }
        if !result.skipped.isEmpty {
          parts.append("already served by \(names(result.skipped))")
        }
        guard result.changed else {
          note(parts.joined(separator: "; ") + "; \(path) is up to date")
          return
        }
        note(
          parts.joined(separator: "; ") + "; wrote \(path)"
            + (written.backup.map { " (backup: \($0))" } ?? ""))
      }
    }
  }
}
