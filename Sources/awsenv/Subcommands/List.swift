import ArgumentParser
import AwsenvCore
import Foundation

extension Awsenv {
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: "List profiles: their kind, where their keys are, and cached sessions.")

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let runtime = Runtime()
      var keyring = runtime.keyring()
      // Only `list` reads every item; see KeyringIndex.
      keyring.index = KeyringIndex.standard(environment: runtime.environment)
      let storage = KeyStorage(
        config: try runtime.config(), keyring: keyring,
        lockDirectory: FileLock.directory(environment: runtime.environment))
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
      // Two passes over the rows (widths, then lines), written in pieces: with thousands of
      // profiles a whole table of cells plus its text would be megabytes held at once.
      let header = ["PROFILE", "KIND", "KEYS", "SESSION", "REGION"]
      func cells(_ row: KeyStorage.Summary) -> [String] {
        let keys = row.keysInKeyring ? "keyring" : (row.keysInFile ? "file" : "-")
        var session = "-"
        if let expires = row.sessionExpires {
          session = expires > now ? "until \(rfc3339(expires))" : "expired"
        }
        return [row.profile, row.kind.rawValue, keys, session, row.region ?? "-"]
      }
      var widths = header.map(\.count)
      for row in rows {
        for (column, cell) in cells(row).enumerated() {
          widths[column] = max(widths[column], cell.count)
        }
      }
      var out = ""
      func append(_ line: [String]) {
        for (column, cell) in line.enumerated() {
          out += cell
          if column < line.count - 1 {
            out += String(repeating: " ", count: widths[column] - cell.count + 2)
          }
        }
        out += "\n"
        if out.utf8.count >= 1 << 16 {
          writeOut(out)
          out = ""
        }
      }
      append(header)
      for row in rows { append(cells(row)) }
      writeOut(out)
    }
  }

  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "remove",
      abstract: "Delete a profile's keys and cached sessions from the keyring.",
      discussion: "The config files are not changed.")

    @OptionGroup var target: ProfileArgument

    @Flag(help: "Delete only the cached temporary sessions, keep the keys.")
    var sessionsOnly = false

    @OptionGroup var global: GlobalOptions

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
