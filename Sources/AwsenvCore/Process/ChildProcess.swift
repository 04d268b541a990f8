import Foundation
import Glibc

/// A command run as awsenv's child, for `exec --server`, where awsenv must stay alive to
/// serve: started with posix_spawn, waited for, and sent the SIGINT, SIGTERM and SIGHUP that
/// other processes send to awsenv.
///
/// Those signals are blocked in awsenv (``blockForwardedSignals()``, before any thread starts,
/// so every thread inherits the mask) and taken by a thread of their own; the child starts
/// with them unblocked and at their default actions. A signal from the terminal (Ctrl-C, a
/// hang-up) reaches the whole foreground process group, the child included, so it is not
/// forwarded again: the child sees each Ctrl-C once.
public enum ChildProcess {
  /// How the child ended.
  public enum Ending: Sendable, Equatable {
    case exited(Int32)
    case signalled(Int32)
  }

  static let forwarded = [SIGINT, SIGTERM, SIGHUP]

  private static func forwardedSet() -> sigset_t {
    var set = sigset_t()
    sigemptyset(&set)
    for signal in forwarded { sigaddset(&set, signal) }
    return set
  }

  /// Blocks the forwarded signals in the calling thread and in every thread it starts later.
  public static func blockForwardedSignals() {
    var set = forwardedSet()
    pthread_sigmask(SIG_BLOCK, &set, nil)
  }

  /// Starts `argv` (searched in PATH) with exactly `environment`; the error is errno.
  public static func spawn(_ argv: [String], environment: [String: String]) -> Result<
    pid_t, Errno
  > {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var defaults = forwardedSet()
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      cArgs.forEach { free($0) }
      cEnv.forEach { free($0) }
    }
    var pid: pid_t = 0
    // posix_spawnp searches the PATH of awsenv's own environment, as execvp does for `exec`.
    let status = posix_spawnp(&pid, argv[0], nil, &attributes, cArgs, cEnv)
    return status == 0 ? .success(pid) : .failure(Errno(code: status))
  }

  /// Sends the forwarded signals that other processes send to awsenv on to `child`, from a
  /// thread of their own, until the process ends.
  public static func forwardSignals(to child: pid_t) {
    let thread = Thread {
      var set = forwardedSet()
      var info = siginfo_t()
      while true {
        let signal = sigwaitinfo(&set, &info)
        guard signal > 0 else { continue }
        // SI_USER, SI_QUEUE, SI_TKILL (≤ 0): sent by a process; SI_KERNEL: by the terminal,
        // which signalled the child too.
        if info.si_code <= 0 { kill(child, signal) }
      }
    }
    thread.stackSize = 128 * 1024
    thread.start()
  }

  /// Waits for `child` to end.
  public static func wait(_ child: pid_t) -> Ending {
    var status: Int32 = 0
    while waitpid(child, &status, 0) < 0 {
      if errno != EINTR { return .exited(127) }
    }
    // WIFEXITED / WTERMSIG, which are macros.
    let signal = status & 0x7F
    return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
  }

  /// Waits until one of the forwarded signals arrives (they must be blocked); returns it.
  public static func waitForStopSignal() -> Int32 {
    var set = forwardedSet()
    while true {
      var signal: Int32 = 0
      if sigwait(&set, &signal) == 0 { return signal }
    }
  }

  /// An errno value.
  public struct Errno: Error, Sendable, Equatable {
    public var code: Int32
    public var description: String { String(cString: strerror(code)) }
  }
}
