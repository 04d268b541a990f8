import Synchronization

/// Why the keyring could not answer. Each message says what to do next; none holds a secret.
public enum KeyringError: Error, Equatable, Sendable {
  /// No D-Bus session bus could be reached (no DBUS_SESSION_BUS_ADDRESS, or it is stale).
  case noSessionBus(String)
  /// The bus answered, but no program serves the Secret Service on it.
  case noProvider(String)
  /// The collection does not exist (a fresh account has no "login" keyring yet).
  case noCollection(String)
  /// The collection is locked and unlocking it failed or was dismissed.
  case locked(String)
  /// The provider did not answer before the deadline (it may be hung or waiting on a prompt).
  case timedOut(seconds: Double)
  /// The provider reported an error awsenv does not know more about.
  case failed(String)

  /// One line for the user, without the `awsenv:` prefix.
  public var message: String {
    switch self {
    case .noSessionBus(let detail):
      return "cannot reach the D-Bus session bus (\(detail)); "
        + "run awsenv inside a desktop session, or start one with `dbus-run-session -- $SHELL`"
    case .noProvider(let detail):
      return "no Secret Service provider is running on the session bus (\(detail)); "
        + "install and start gnome-keyring, KeePassXC (with Secret Service integration) or KWallet"
    case .noCollection(let name):
      return "the keyring collection '\(name)' does not exist; create it in your keyring app "
        + "(Seahorse: File > New > Password Keyring) or set AWSENV_KEYRING_COLLECTION"
    case .locked(let name):
      return "the keyring collection '\(name)' is locked and was not unlocked; "
        + "unlock it in your keyring app (or log in again) and retry"
    case .timedOut(let seconds):
      return "the keyring did not answer within \(formatSeconds(seconds)) s; its provider (or the "
        + "session bus) may be hung: restart the provider (e.g. `pkill gnome-keyring-d`) and "
        + "retry, or log in again if that does not help"
    case .failed(let detail):
      return "the keyring failed: \(detail)"
    }
  }
}

private func formatSeconds(_ seconds: Double) -> String {
  seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}
