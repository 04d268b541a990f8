#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The AWS CLI's ~/.aws/config and ~/.aws/credentials, merged the way the AWS SDKs merge them.
///
/// A profile defined in both files gets the properties of both, the credentials file winning on
/// conflicts. `[profile default]` in the config file replaces `[default]` there entirely.
/// Sections with names the SDKs reject are left out, as the SDKs leave them out.
public struct AWSConfig: Sendable {
  public var configPath: String
  public var credentialsPath: String
  /// Config and credentials merged, keyed by profile name (`default`, not `profile default`).
  public var profiles: [String: ProfileSection]
  /// In order of first appearance: the config file first, then the credentials file.
  public var profileNames: [String]
  /// `[sso-session NAME]` sections of the config file.
  public var ssoSessions: [String: ProfileSection]
  /// `[services NAME]` sections of the config file (used for endpoint_url per service).
  public var services: [String: ProfileSection]

  public init(
    configPath: String = "", credentialsPath: String = "",
    profiles: [String: ProfileSection] = [:], profileNames: [String]? = nil,
    ssoSessions: [String: ProfileSection] = [:], services: [String: ProfileSection] = [:]
  ) {
    self.configPath = configPath
    self.credentialsPath = credentialsPath
    self.profiles = profiles
    self.profileNames = profileNames ?? profiles.keys.sorted()
    self.ssoSessions = ssoSessions
    self.services = services
  }

  /// Parses the text of both files; `configPath` and `credentialsPath` name them in errors.
  public static func parse(
    config: String, configPath: String, credentials: String, credentialsPath: String
  ) throws(ConfigError) -> AWSConfig {
    let configFile = try ConfigParser.parse(config, path: configPath, kind: .config)
    let credentialsFile = try ConfigParser.parse(
      credentials, path: credentialsPath, kind: .credentials)
    var profiles = configFile.profiles
    for name in credentialsFile.profiles.names {
      profiles.merge(credentialsFile.profiles.sections[name]!)
    }
    return AWSConfig(
      configPath: configPath, credentialsPath: credentialsPath,
      profiles: profiles.sections, profileNames: profiles.names,
      ssoSessions: configFile.ssoSessions.sections, services: configFile.services.sections)
  }

  /// Paths as the AWS CLI picks them: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (with `~`
  /// expanded), else $HOME/.aws/config and $HOME/.aws/credentials.
  ///
  /// An empty variable counts as unset. Without HOME, the account's home directory is used.
  public static func paths(environment: [String: String]) -> (config: String, credentials: String) {
    let home = homeDirectory(environment)
    func pick(_ variable: String, _ fallback: String) -> String {
      guard let value = environment[variable], !value.isEmpty else { return home + fallback }
      return expandTilde(value, home: home)
    }
    return (
      pick("AWS_CONFIG_FILE", "/.aws/config"),
      pick("AWS_SHARED_CREDENTIALS_FILE", "/.aws/credentials")
    )
  }

  /// Reads both files (a missing file is empty, an unreadable one is an error naming it).
  ///
  /// Throws ``ConfigError``: with line 0 when a file cannot be read, else the line that does not
  /// parse.
  public static func load(environment: [String: String]) throws -> AWSConfig {
    try loadTyped(environment: environment)
  }

  /// ``load(environment:)`` with its error type spelled out.
  public static func loadTyped(environment: [String: String]) throws(ConfigError) -> AWSConfig {
    let (configPath, credentialsPath) = paths(environment: environment)
    return try parse(
      config: readIfPresent(configPath), configPath: configPath,
      credentials: readIfPresent(credentialsPath), credentialsPath: credentialsPath)
  }

  /// The merged profile called `name` (`default` for `[default]` and `[profile default]`).
  public func profile(_ name: String) -> ProfileSection? {
    profiles[name]
  }

  /// The `[sso-session NAME]` section called `name`.
  public func ssoSession(_ name: String) -> ProfileSection? {
    ssoSessions[name]
  }

  /// Whether the AWS CLI accepts `name` as a profile name: ASCII letters and digits and
  /// `- / . % @ _ : +`. The CLI silently ignores sections with other names.
  public static func isValidProfileName(_ name: String) -> Bool {
    isValidIdentifier(name.utf8)
  }
}

private func homeDirectory(_ environment: [String: String]) -> String {
  if let home = environment["HOME"], !home.isEmpty { return trimmingTrailingSlashes(home) }
  // As Python's expanduser: the password database when HOME is unset.
  if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir {
    return trimmingTrailingSlashes(String(cString: directory))
  }
  return ""
}

private func trimmingTrailingSlashes(_ path: String) -> String {
  var path = Substring(path)
  while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
  return String(path)
}

/// `~` and `~/rest` only; `~user` is left as it is.
private func expandTilde(_ path: String, home: String) -> String {
  if path == "~" { return home }
  if path.hasPrefix("~/") { return home + path.dropFirst() }
  return path
}

/// The largest config or credentials file read: the same cap as editing one.
let maxConfigFileBytes = 64 << 20

/// The text of `path`, or "" when there is no such file (the AWS CLI treats it as empty).
///
/// Only a regular file (or a link to one) of at most 64 MiB is read: a FIFO would block every
/// command and the prompt's refresh forever, /dev/zero would fill memory. The file is opened
/// non-blocking and checked through its descriptor, so nothing is swapped in between.
private func readIfPresent(_ path: String) throws(ConfigError) -> String {
  let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
  if fd < 0 {
    let code = errno
    if code == ENOENT || code == ENOTDIR { return "" }
    throw unreadable(path, code)
  }
  defer { close(fd) }
  var info = stat()
  guard fstat(fd, &info) == 0 else { throw unreadable(path, errno) }
  if info.st_mode & S_IFMT == S_IFDIR { throw unreadable(path, EISDIR) }
  guard info.st_mode & S_IFMT == S_IFREG else {
    throw ConfigError(
      path: path, line: 0,
      message: "cannot read this file: it is not a regular file (a named pipe, a device or "
        + "a socket); put a regular file there")
  }
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 64 * 1024)
  while true {
    let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if count < 0 {
      let code = errno
      if code == EINTR { continue }
      throw unreadable(path, code)
    }
    if count == 0 { break }
    bytes.append(contentsOf: chunk[0..<count])
    if bytes.count > maxConfigFileBytes {
      throw ConfigError(
        path: path, line: 0,
        message: "cannot read this file: it is larger than 64 MiB; is it the right file?")
    }
  }
  if let text = String(validating: bytes, as: UTF8.self) { return text }
  throw notUTF8(path, bytes)
}

/// The error for a file that is not UTF-8, naming the first line that is not. Decoding it
/// anyway would turn those bytes into U+FFFD, so a value would reach the shell or STS changed;
/// the AWS CLI refuses such a file too (a UnicodeDecodeError).
private func notUTF8(_ path: String, _ bytes: [UInt8]) -> ConfigError {
  var line = 0
  // A newline byte is never part of a multi-byte UTF-8 sequence: lines can be checked alone.
  for text in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
    line += 1
    if String(validating: text, as: UTF8.self) == nil { break }
  }
  return ConfigError(
    path: path, line: line,
    message: "this line has bytes that are not UTF-8; save the file as UTF-8 (e.g. "
      + "`iconv -f latin1 -t utf-8`)")
}

private func unreadable(_ path: String, _ code: Int32) -> ConfigError {
  let reason = String(cString: strerror(code))
  let hint: String
  switch code {
  case EACCES, EPERM:
    hint = "give your user read permission (e.g. `chmod u+r \(path)`)"
  case EISDIR:
    hint = "it must be a file; move the directory away"
  default:
    hint = "check that it is a readable file"
  }
  return ConfigError(path: path, line: 0, message: "cannot read this file (\(reason)); \(hint)")
}
