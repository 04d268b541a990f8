import ArgumentParser
import AwsenvCore

extension Awsenv {
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Move long-lived keys from ~/.aws/credentials into the keyring.",
      discussion: """
        Without profile names, imports every profile of the credentials file that has keys.
        The file is left as it is unless you pass --remove-plaintext: then, once every key has
        been written to the keyring and read back, the file is rewritten without the key lines
        (everything else stays), after a mode-0600 backup whose path is printed.
        """)

    @Argument(
      help: "Profiles to import (default: all with keys).", completion: .custom(completeProfiles))
    var profiles: [String] = []

    @Flag(help: "Remove the imported key lines from the credentials file.")
    var removePlaintext = false

    func run() throws {
      let runtime = Runtime()
      let storage = KeyStorage(config: try runtime.config(), keyring: runtime.keyring())
      let imported: KeyStorage.Imported
      do {
        imported = try storage.importKeys(profiles: profiles, removePlaintext: removePlaintext)
      } catch {
        throw Failure(error)
      }
      note("imported \(imported.profiles.joined(separator: ", ")) into the keyring")
      if let edit = imported.credentialsEdit {
        note(
          "removed their keys from \(edit.path); backup (holds the old keys, delete it once you "
            + "are sure): \(edit.backup ?? "none")")
      } else {
        note(
          "the credentials file still holds the keys; run again with --remove-plaintext to remove them"
        )
      }
    }
  }
}
