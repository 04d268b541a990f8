import ArgumentParser
import AwsenvCore
import Foundation

extension Awsenv {
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List profiles: their kind, where their keys are, and cached sessions.")

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
      let runtime = Runtime()
      let storage = KeyStorage(config: try runtime.config(), keyring: runtime.keyring())
      let rows: [KeyStorage.Summary]
      do {
        let summaries = try storage.summaries()
        rows = summaries.rows
        if let missing = summaries.keyringMissing {
          note("showing the config files only: \(missing.message)")
        }
      } catch {
        throw Failure(error)
      }
      let now = Date()
      if json {
        writeOut(JSONValue.array(rows.map { $0.json(now: now) }).text + "\n")
        return
      }
      let table =
        [["PROFILE", "KIND", "KEYS", "SESSION", "REGION"]]
        + rows.map { row in
          let keys = row.keysInKeyring ? "keyring" : (row.keysInFile ? "file" : "-")
          var session = "-"
          if let expires = row.sessionExpires {
            session = expires > now ? "until \(rfc3339(expires))" : "expired"
          }
          return [row.profile, row.kind.rawValue, keys, session, row.region ?? "-"]
        }
      var widths = [Int](repeating: 0, count: 5)
      for line in table {
        for (column, cell) in line.enumerated() { widths[column] = max(widths[column], cell.count) }
      }
      var out = ""
      for line in table {
        let cells = line.enumerated().map { column, cell in
          column == line.count - 1
            ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
        }
        out += cells.joined(separator: "  ") + "\n"
      }
      writeOut(out)
    }
  }

  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Delete a profile's keys and cached sessions from the keyring.",
      discussion: "The config files are not changed.")

    @OptionGroup var target: ProfileArgument

    @Flag(help: "Delete only the cached temporary sessions, keep the keys.")
    var sessionsOnly = false

    func run() throws {
      let keyring = Runtime().keyring()
      let count: Int
      do {
        count = try keyring.remove(profile: target.profile, sessionsOnly: sessionsOnly)
      } catch {
        throw Failure(.keyring(error))
      }
      guard count > 0 else {
        throw Failure(
          "the keyring holds no \(sessionsOnly ? "sessions" : "items") for '\(target.profile)'; "
            + "`awsenv list` shows what is stored")
      }
      note("removed \(count) item\(count == 1 ? "" : "s") of '\(target.profile)' from the keyring")
    }
  }
}
