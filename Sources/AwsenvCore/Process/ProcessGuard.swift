import CLibSecretShim
import Glibc

/// What the process does about itself before it touches a secret.
public enum ProcessGuard {
  /// The signals of a crash.
  static let crashSignals = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS]

  /// No core dump and no same-user ptrace or /proc access to this process's memory, as
  /// ssh-agent and gpg-agent do: a crash or a signal while a key is in memory must not write it
  /// to disk. And no crash report either: the Swift runtime's backtracer prints, for every
  /// register, the 16 bytes it points at, which may be those of a key; a crash ends the process
  /// with the signal's default action instead. `exec` is unaffected: execve makes the new
  /// program dumpable again and resets handlers.
  public static func apply() {
    _ = awsenv_process_not_dumpable()
    for number in crashSignals {
      signal(number, SIG_DFL)
    }
  }
}
