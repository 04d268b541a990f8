import Crypto
import Foundation
import Synchronization

/// Advisory locks (flock) that make concurrent awsenv processes take turns where a second one
/// would otherwise repeat or undo the first one's work: one STS or IAM Identity Center call per
/// expired profile when many shells refresh at once, one refresh of a sign-in's token, one
/// editor of a config file at a time.
///
/// The lock files live in `$XDG_RUNTIME_DIR/awsenv` (a tmpfs the system empties at logout), or,
/// without one, in `/tmp/awsenv-UID`, which must be a directory of ours, mode 0700, not a link.
/// They hold only the holder's process ID. The kernel releases a lock when its holder exits, so
/// a crash or Ctrl-C never leaves one behind.
public final class FileLock: Sendable {
  private let descriptor: Int32

  private init(descriptor: Int32) {
    self.descriptor = descriptor
  }

  deinit {
    close(descriptor)
  }

  /// Where lock files go for this environment; nil when no safe directory exists.
  public static func directory(environment: [String: String]) -> String? {
    if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
      var info = stat()
      if stat(runtime, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid(),
        let directory = privateDirectory("\(runtime)/awsenv")
      {
        return directory
      }
    }
    if let directory = privateDirectory("/tmp/awsenv-\(getuid())") { return directory }
    warnUnlocked(
      "/tmp/awsenv-\(getuid())",
      "it is not a directory of yours closed to others, and $XDG_RUNTIME_DIR/awsenv is not "
        + "usable either; remove it")
    return nil
  }

  /// `path`, created 0700 if missing; nil unless it is a real directory owned by this user and
  /// closed to everyone else.
  private static func privateDirectory(_ path: String) -> String? {
    if mkdir(path, 0o700) != 0, errno != EEXIST { return nil }
    var info = stat()
    guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid()
    else { return nil }
    if info.st_mode & 0o077 != 0, chmod(path, 0o700) != 0 { return nil }
    return path
  }

  /// How taking a lock went.
  public enum Outcome: Sendable {
    /// Taken at once.
    case acquired(FileLock)
    /// Taken after another process let it go: what it guarded may have changed meanwhile.
    case acquiredAfterWaiting(FileLock)

    public var lock: FileLock {
      switch self {
      case .acquired(let lock), .acquiredAfterWaiting(let lock): return lock
      }
    }

    public var waited: Bool {
      if case .acquiredAfterWaiting = self { return true }
      return false
    }
  }

  /// Why a lock was not taken within its time.
  public struct Busy: Error, Sendable, Equatable {
    /// The process that held it, when it wrote its ID.
    public var holder: Int32?
    public var seconds: Double
  }

  /// Takes the exclusive lock named `kind` + `key` in `directory`, waiting up to `timeout`
  /// seconds for another holder to let go. nil when the lock file cannot be opened at all (a
  /// read-only or full runtime directory): the caller goes on unlocked, as before locks existed.
  public static func acquire(
    _ kind: String, key: String, in directory: String, timeout: Double
  ) throws(Busy) -> Outcome? {
    let digest = SHA256.hash(data: Array(key.utf8))
    let name = "\(kind)-\(SigV4.hex(Array(digest.prefix(12)))).lock"
    let path = "\(directory)/\(name)"
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
    guard fd >= 0 else {
      let code = errno
      warnUnlocked(
        path, code == ELOOP ? "it is a symbolic link; remove it" : String(cString: strerror(code)))
      return nil
    }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      close(fd)
      warnUnlocked(path, "it is not a regular file; remove it")
      return nil
    }
    if flock(fd, LOCK_EX | LOCK_NB) == 0 {
      return .acquired(FileLock(descriptor: fd).stamped())
    }
    guard errno == EWOULDBLOCK else {
      let code = errno
      close(fd)
      warnUnlocked(path, String(cString: strerror(code)))
      return nil
    }
    let start = Date()
    var pause: useconds_t = 2_000
    while Date().timeIntervalSince(start) < timeout {
      usleep(pause)
      pause = min(pause * 2, 50_000)
      if flock(fd, LOCK_EX | LOCK_NB) == 0 {
        return .acquiredAfterWaiting(FileLock(descriptor: fd).stamped())
      }
    }
    let holder = readHolder(fd)
    close(fd)
    throw Busy(holder: holder, seconds: timeout)
  }

  private static let warned = Atomic<Bool>(false)

  /// Says once per process, on stderr, that awsenv goes on without the lock at `path`: a
  /// planted link or a read-only runtime directory must not make concurrent runs collide
  /// silently, nor stop awsenv from working.
  static func warnUnlocked(_ path: String, _ reason: String) {
    guard !warned.exchange(true, ordering: .relaxed) else { return }
    let line =
      "awsenv: cannot take the lock \(path) (\(reason)); going on without it, so another "
      + "awsenv running at the same time may repeat or undo this one's work\n"
    var bytes = Array(line.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
  }

  /// Writes this process's ID into the lock file, for the message of one that waits too long.
  private func stamped() -> FileLock {
    let text = Array("\(getpid())\n".utf8)
    if ftruncate(descriptor, 0) == 0 {
      _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }
    return self
  }

  private static func readHolder(_ fd: Int32) -> Int32? {
    var buffer = [UInt8](repeating: 0, count: 16)
    let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { return nil }
    let text = String(decoding: buffer[0..<count], as: UTF8.self)
    return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }
}

extension FileLock {
  /// ``acquire(_:key:in:timeout:)`` for a command: nil without a lock directory, and a lock
  /// held past `timeout` is one line naming its holder and what it was `doing`.
  static func take(
    _ kind: String, key: String, in directory: String?, timeout: Double, doing: String,
    nothingChanged: Bool = false
  ) throws(AwsenvError) -> Outcome? {
    guard let directory else { return nil }
    do {
      return try acquire(kind, key: key, in: directory, timeout: timeout)
    } catch {
      throw .lockBusy(
        holder: error.holder, doing: doing, seconds: Int(timeout), nothingChanged: nothingChanged)
    }
  }

  /// Runs `body`, a read-modify-write of the user file `path`, holding that file's lock in
  /// `directory` (if any), so two awsenv processes editing it at once apply their changes one
  /// after the other instead of the second overwriting the first.
  static func editing<T>(
    _ path: String, lockDirectory directory: String?, _ body: () throws(AwsenvError) -> T
  ) throws(AwsenvError) -> T {
    let outcome = try take(
      "file", key: AtomicFile.resolveLinks(path), in: directory, timeout: 30,
      doing: "editing \(path)", nothingChanged: true)
    defer { withExtendedLifetime(outcome) {} }
    return try body()
  }
}

extension AtomicFile {
  /// The text of a user file that awsenv is about to rewrite; nil when it does not exist. A
  /// file that is not UTF-8 is refused, since decoding it would replace bytes it keeps outside
  /// the edit.
  static func readForEditing(_ path: String) throws(AwsenvError) -> String? {
    let bytes: [UInt8]?
    do {
      bytes = try read(path, limit: 64 << 20)
    } catch {
      throw .file(error)
    }
    guard let bytes else { return nil }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw .file(
        Failure(
          path: path,
          reason: "it is not valid UTF-8 text, and rewriting it could change bytes awsenv "
            + "does not own; convert it to UTF-8 (iconv), then try again"))
    }
    return text
  }
}
