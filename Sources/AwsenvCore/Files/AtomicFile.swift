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
  ///
  /// Only a regular file is read (a symbolic link to one is fine): a FIFO, a device such as
  /// /dev/zero or a directory is refused at once instead of blocking or filling memory. The file
  /// is opened non-blocking and checked through its descriptor, so nothing can be swapped in
  /// between the check and the read.
  public static func read(_ path: String, limit: Int = .max) throws(Failure) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    if fd < 0 {
      if errno == ENOENT { return nil }
      throw Failure(path: path, reason: String(cString: strerror(errno)))
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      throw Failure(path: path, reason: String(cString: strerror(errno)))
    }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw Failure(path: path, reason: notRegular(info.st_mode))
    }
    if info.st_size > limit {
      throw Failure(path: path, reason: "it is larger than \(limit) bytes")
    }
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

  /// Why a file of type `mode` is not read: it is not a regular file.
  static func notRegular(_ mode: mode_t) -> String {
    let kind: String
    switch mode & S_IFMT {
    case S_IFIFO: kind = "a named pipe (FIFO)"
    case S_IFCHR, S_IFBLK: kind = "a device"
    case S_IFDIR: kind = "a directory"
    case S_IFSOCK: kind = "a socket"
    default: kind = "not a regular file"
    }
    return "it is \(kind), not a regular file; put a regular file there"
  }

  /// Replaces the content of `path` with `bytes`. A symbolic link is followed, so the file it
  /// points to changes and the link stays. A new file gets `mode`; an existing one keeps its own.
  /// Missing parent directories are created with mode 0700.
  public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(Failure)
  {
    let target = resolveLinks(path)
    var finalMode = mode
    var info = stat()
    if stat(target, &info) == 0 { finalMode = info.st_mode & 0o7777 }
    try replace(target, with: bytes, mode: finalMode, path: path)
  }

  /// Replaces one of awsenv's own files (a backup, the picker's history, a cache) with `bytes`,
  /// mode 0600. Unlike ``write(_:to:mode:)`` it never follows a symbolic link: a link planted
  /// there would make awsenv overwrite (and chmod) whatever it points to, so one is refused, as
  /// is anything else that is not a regular file. The new file is a fresh one renamed into
  /// place, so a link swapped in after the check is replaced, never written through.
  public static func writeOwn(_ bytes: [UInt8], to path: String) throws(Failure) {
    var info = stat()
    if lstat(path, &info) == 0 {
      if info.st_mode & S_IFMT == S_IFLNK {
        throw Failure(
          path: path,
          reason: "it is a symbolic link, and awsenv never writes its own files through one; "
            + "remove it (`rm \(path)`), then try again")
      }
      if info.st_mode & S_IFMT != S_IFREG {
        throw Failure(path: path, reason: notRegular(info.st_mode))
      }
    }
    try replace(path, with: bytes, mode: 0o600, path: path)
  }

  /// Writes `bytes` to a new temporary file beside `target` with `finalMode`, then renames it
  /// over `target`; `path` names the file in errors.
  private static func replace(
    _ target: String, with bytes: [UInt8], mode finalMode: mode_t, path: String
  )
    throws(Failure)
  {
    let directory = (target as NSString).deletingLastPathComponent
    try makeDirectories(directory)

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
  ///
  /// The copy keeps no key line (``ConfigFileEditor/removingEverySecret(from:)``): a backup
  /// must never be where a key that `import --remove-plaintext` took out of the file lives on.
  /// It is one of awsenv's own files, so a symbolic link planted in its place is refused, not
  /// followed (``writeOwn(_:to:)``).
  public static func rollingBackup(_ path: String) throws(Failure) -> String? {
    guard let bytes = try read(path, limit: 64 << 20) else { return nil }
    let backup = resolveLinks(path) + ".awsenv-backup"
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw Failure(path: path, reason: "it is not valid UTF-8 text; convert it (iconv)")
    }
    try writeOwn(Array(ConfigFileEditor.removingEverySecret(from: text).utf8), to: backup)
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
