import ArgumentParser
import AwsenvCore

extension Awsenv {
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import",
      abstract: "Move long-lived keys, or IAM Identity Center tokens, into the keyring.",
      discussion: """
        Without profile names, imports every profile of the credentials file that has keys.
        The file is left as it is unless you pass --remove-plaintext: then, once every key has
        been written to the keyring and read back, the file is rewritten without the key lines
        (everything else stays). The previous file, which holds the keys, is kept in the
        keyring (never beside the file); the command that restores it is printed.

        With --sso-cache, imports the tokens `aws sso login` left in ~/.aws/sso/cache for the
        sign-ins of the config (still valid, or renewable); --remove-plaintext then deletes
        each imported file once its token reads back from the keyring.
        """)

    @Argument(
      help: "Profiles to import (default: all with keys).", completion: .custom(completeProfiles))
    var profiles: [String] = []

    @Flag(help: "Remove the imported key lines from the credentials file (or the token files).")
    var removePlaintext = false

    @Flag(help: "Import IAM Identity Center tokens from ~/.aws/sso/cache instead of keys.")
    var ssoCache = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
      if ssoCache && !profiles.isEmpty {
        throw ValidationError("--sso-cache imports the tokens of every sign-in; give no profile")
      }
    }

    func run() throws {
      if ssoCache { return try importSSOCache() }
      let runtime = Runtime()
      let storage = KeyStorage(
        config: try runtime.config(), keyring: runtime.keyring(),
        lockDirectory: FileLock.directory(environment: runtime.environment))
      let imported: KeyStorage.Imported
      do {
        imported = try storage.importKeys(profiles: profiles, removePlaintext: removePlaintext)
      } catch {
        throw Failure(error)
      }
      note("imported \(imported.profiles.joined(separator: ", ")) into the keyring")
      let edits = [imported.credentialsEdit, imported.configEdit].compactMap { $0 }
      for edit in edits {
        let restore = (edit.keyringBackup ?? [:]).sorted { $0.key < $1.key }.map {
          "\($0.key) \(Shell.bash.quote($0.value))"
        }.joined(separator: " ")
        note(
          "removed their keys from \(edit.path); the previous file is kept in the keyring "
            + "(restore it with `secret-tool lookup \(restore) >FILE`)")
      }
      if edits.isEmpty {
        note(
          "the credentials file still holds the keys; run again with --remove-plaintext to remove them"
        )
      }
    }

    private func importSSOCache() throws {
      let runtime = Runtime()
      let importer = SSOCacheImport(
        config: try runtime.config(), keyring: runtime.keyring(),
        directory: SSOCacheImport.defaultDirectory(environment: runtime.environment))
      let outcome: SSOCacheImport.Outcome
      do {
        outcome = try importer.run(removePlaintext: removePlaintext)
      } catch {
        throw Failure(error)
      }
      for file in outcome.expired {
        note("skipped \(file): its token has expired and cannot be renewed")
      }
      guard !outcome.imported.isEmpty else {
        throw Failure(
          "no valid IAM Identity Center token in \(importer.directory) for the sign-ins of the "
            + "config; sign in with `awsenv login` instead")
      }
      for item in outcome.imported {
        note("imported the token of \(item.session) from \(item.file) into the keyring")
      }
      if outcome.removed.isEmpty {
        note("the token files are still there; run again with --remove-plaintext to delete them")
      } else {
        note("deleted \(outcome.removed.count) token file\(outcome.removed.count == 1 ? "" : "s")")
      }
    }
  }
}
