import Foundation

/// Writes user files so that a reader sees the old content or the new, never a mix, and a crash
/// leaves the old one in place: a temporary file in the same directory, fsync, rename.
public enum AtomicFile {
  /// Why a file could not be read or written.
  public struct Failure: Error, Equatable, Sendable {
    public var path: String
    public var reason: String
    public var message: String { "cannot write \(path): \(reason); nothing was changed" }
  }

  /// The bytes of `path`, or nil when it does not exist; a file longer than `limit` is an error.
  public static func read(_ path: String, limit: Int = .max) throws(Failure) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
      if errno == ENOENT { return nil }
      throw Failure(path: path, reason: String(cString: strerror(errno)))
    }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw Failure(path: path, reason: String(cString: strerror(errno)))
      }
      if count == 0 { return bytes }
      bytes += buffer[0..<count]
      if bytes.count > limit {
        throw Failure(path: path, reason: "it is larger than \(limit) bytes")
      }
    }
  }

  /// Replaces the content of `path` with `bytes`. A symbolic link is followed, so the file it
  /// points to changes and the link stays. A new file gets `mode`; an existing one keeps its own.
  /// Missing parent directories are created with mode 0700.
  public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(Failure)
  {
    let target = resolveLinks(path)
    let directory = (target as NSString).deletingLastPathComponent
    try makeDirectories(directory)
    var finalMode = mode
    var info = stat()
    if stat(target, &info) == 0 { finalMode = info.st_mode & 0o7777 }

    var template = Array(
      "\(directory)/.\((target as NSString).lastPathComponent).awsenv-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
    let temporary = String(cString: template)
    var committed = false
    defer {
      if !committed { unlink(temporary) }
    }
    do {
      defer { close(fd) }
      guard fchmod(fd, finalMode) == 0 else {
        throw Failure(path: path, reason: String(cString: strerror(errno)))
      }
      try writeAll(fd, bytes, path: path)
      guard fsync(fd) == 0 else {
        throw Failure(path: path, reason: String(cString: strerror(errno)))
      }
    }
    guard rename(temporary, target) == 0 else {
      throw Failure(path: path, reason: String(cString: strerror(errno)))
    }
    committed = true
    let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dirFD >= 0 {
      fsync(dirFD)
      close(dirFD)
    }
  }

  /// Copies `path` to `PATH.awsenv-backup` (mode 0600), replacing the previous copy; returns its
  /// path. For routine edits (a section appended), where one step of undo is what is useful and
  /// a pile of dated copies is not.
  public static func rollingBackup(_ path: String) throws(Failure) -> String? {
    guard let bytes = try read(path) else { return nil }
    let backup = resolveLinks(path) + ".awsenv-backup"
    try write(bytes, to: backup, mode: 0o600)
    guard chmod(backup, 0o600) == 0 else {
      throw Failure(path: backup, reason: String(cString: strerror(errno)))
    }
    return backup
  }

  /// Creates `path` and its parents with mode 0700 where missing.
  public static func makeDirectories(_ path: String) throws(Failure) {
    var info = stat()
    if stat(path, &info) == 0 { return }
    let parent = (path as NSString).deletingLastPathComponent
    if !parent.isEmpty, parent != path { try makeDirectories(parent) }
    if mkdir(path, 0o700) != 0, errno != EEXIST {
      throw Failure(path: path, reason: String(cString: strerror(errno)))
    }
  }

  private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(Failure) {
    var offset = 0
    while offset < bytes.count {
      let count = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw Failure(path: path, reason: String(cString: strerror(errno)))
      }
      offset += count
    }
  }

  /// `path` with symbolic links followed (dotfile managers link ~/.aws/config into a repo).
  static func resolveLinks(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}
