import ArgumentParser
import AwsenvCore
import Foundation

extension Awsenv {
  struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "doctor",
      abstract: "Check the D-Bus session, the keyring, the config files and the shell hook.",
      discussion:
        "Prints one line per check, with what to do for each failure; exits 1 if any failed.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let runtime = Runtime()
      var failed = false
      func report(_ ok: Bool?, _ name: String, _ detail: String) {
        let mark = ok == nil ? "skip" : (ok! ? "ok  " : "FAIL")
        if ok == false { failed = true }
        writeOut("\(mark)  \(name): \(detail)\n")
      }

      let bus = runtime.environment["DBUS_SESSION_BUS_ADDRESS"]
      let fallbackBus = runtime.environment["XDG_RUNTIME_DIR"].map { "\($0)/bus" }
      if let bus, !bus.isEmpty {
        report(true, "D-Bus session bus", bus)
      } else if let fallbackBus, access(fallbackBus, F_OK) == 0 {
        report(true, "D-Bus session bus", "unix:path=\(fallbackBus)")
      } else {
        report(
          false, "D-Bus session bus",
          "DBUS_SESSION_BUS_ADDRESS is not set and there is no $XDG_RUNTIME_DIR/bus; log in to a "
            + "desktop session, or run `dbus-run-session -- $SHELL`")
      }

      let store = LibSecretStore(
        collection: runtime.environment["AWSENV_KEYRING_COLLECTION"].flatMap {
          $0.isEmpty ? nil : $0
        },
        timeout: runtime.environment["AWSENV_KEYRING_TIMEOUT"].flatMap(Double.init) ?? 2)
      var keyringUsable = false
      do throws(KeyringError) {
        let status = try store.status()
        report(true, "Secret Service provider", status.provider ?? "answering")
        if status.locked {
          report(
            false, "keyring collection",
            "'\(status.collection)' is locked; unlock it in your keyring app (Seahorse) or log in again"
          )
        } else {
          report(true, "keyring collection", "'\(status.collection)', unlocked")
          keyringUsable = true
        }
      } catch {
        report(false, "Secret Service provider", error.message)
      }
      if keyringUsable {
        do throws(KeyringError) {
          try Keyring(store: store).selfTest()
          report(true, "keyring write/read/delete", "a test item round-tripped")
        } catch {
          report(false, "keyring write/read/delete", error.message)
        }
      } else {
        report(nil, "keyring write/read/delete", "skipped: the keyring is not usable")
      }

      do {
        let config = try AWSConfig.load(environment: runtime.environment)
        report(
          true, "AWS config",
          "\(config.profileNames.count) profile\(config.profileNames.count == 1 ? "" : "s") in "
            + "\(config.configPath) and \(config.credentialsPath)")
      } catch {
        report(false, "AWS config", "\(error)")
      }

      if let shell = runtime.hookShell {
        report(true, "shell hook", "loaded (\(shell.rawValue))")
      } else {
        report(
          false, "shell hook",
          "not loaded in this shell; add `eval \"$(awsenv init bash)\"` to ~/.bashrc (zsh: "
            + "`eval \"$(awsenv init zsh)\"` to ~/.zshrc; fish: `awsenv init fish | source` to "
            + "~/.config/fish/config.fish)")
      }
      if failed {
        throw Failure("some checks failed: fix them in order, from the first FAIL above")
      }
    }
  }
}
