import CLibSecretShim

/// What the process does about itself before it touches a secret.
public enum ProcessGuard {
  /// No core dump and no same-user ptrace or /proc access to this process's memory, as
  /// ssh-agent and gpg-agent do: a crash or a signal while a key is in memory must not write it
  /// to disk. `exec` is unaffected: execve makes the new program dumpable again.
  public static func apply() {
    _ = awsenv_process_not_dumpable()
  }
}
