import AwsenvCore
import Foundation

/// The real world a command runs in: the environment, the config files, the keyring.
struct Runtime {
  var environment: [String: String]
  /// The shell's AWS variables from before awsenv changed them, decoded once from the hook's
  /// saved state (or read from the environment on the first `use`).
  var baseline: SavedState

  init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.environment = environment
    self.baseline = ShellSession.original(environment: environment)
  }

  /// The shell the hook says it runs in, when awsenv was called through the hook.
  var hookShell: Shell? { environment["AWSENV_SHELL"].flatMap(Shell.init(rawValue:)) }

  func config() throws(Failure) -> AWSConfig {
    do {
      let config = try AWSConfig.load(environment: environment)
      for name in ["HOME", "XDG_RUNTIME_DIR", "TMPDIR"] { DebugLog.allow(environment[name]) }
      DebugLog.allow(config.configPath)
      DebugLog.allow(config.credentialsPath)
      DebugLog.log(
        "config: \(config.configPath), \(config.credentialsPath): "
          + "\(config.profileNames.count) profiles")
      return config
    } catch let error as ConfigError {
      throw Failure(.config(error))
    } catch let error as AtomicFile.Failure {
      throw Failure(.file(error))
    } catch {
      throw Failure("cannot read the AWS config files: \(error)")
    }
  }

  /// The keyring: the collection from AWSENV_KEYRING_COLLECTION, else the default one, and a
  /// deadline (AWSENV_KEYRING_TIMEOUT seconds, default 2) on every call.
  func keyring() -> Keyring {
    let timeout = environment["AWSENV_KEYRING_TIMEOUT"].flatMap(Double.init) ?? 2
    let collection = environment["AWSENV_KEYRING_COLLECTION"].flatMap { $0.isEmpty ? nil : $0 }
    let store = LibSecretStore(collection: collection, timeout: timeout)
    return Keyring(store: DebugLog.enabled ? LoggingSecretStore(store) : store)
  }

  /// The resolver commands use. A sign-in it needs is offered on the terminal, and shown by a
  /// ``LoginPresenter`` (which opens the browser unless `openBrowser` is false).
  func resolver(openBrowser: Bool = true) throws(Failure) -> ProfileResolver {
    let presenter = LoginPresenter(openBrowser: openBrowser, environment: environment)
    let interaction = SSOInteraction(
      confirm: { question in
        guard let answer = askOnTerminal(question) else { return false }
        return ["", "y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
      },
      progress: presenter.show)
    return ProfileResolver(
      config: try config(), keyring: keyring(), environment: environment, baseline: baseline,
      transport: DebugLog.enabled ? LoggingTransport(CurlTransport()) : CurlTransport(),
      askMFACode: askOnTerminal, retrySleep: LoginInterrupt.sleep,
      userName: userName(), ssoInteraction: interaction)
  }

  /// The credentials and region of `profile`, for `use`, `exec` and `export`.
  func activation(_ profile: String, options: ResolveOptions) throws(Failure) -> Activation {
    let resolver = try resolver()
    do {
      let activation = try resolver.activation(profile: profile, options: options)
      activation.notes.forEach(note)
      return activation
    } catch {
      throw Failure(error)
    }
  }

  /// The credentials and region of an ad-hoc `role` (`--role-arn`), for `use`, `exec` and
  /// `export`.
  func activation(role: AdHocRole, options: ResolveOptions) throws(Failure) -> Activation {
    let resolver = try resolver()
    do {
      let activation = try resolver.activation(role: role, options: options)
      activation.notes.forEach(note)
      return activation
    } catch {
      throw Failure(error)
    }
  }

  /// The credentials for `use`, `exec` and `export`: of the ad-hoc `role` when there is one,
  /// else of `profile`.
  func activation(_ profile: String?, role: AdHocRole?, options: ResolveOptions)
    throws(Failure) -> Activation
  {
    if let role { return try activation(role: role, options: options) }
    guard let profile else { throw Failure("name a profile, or a role with --role-arn") }
    return try activation(profile, options: options)
  }

  /// The local user's name: $USER, else the password database's.
  func userName() -> String {
    if let name = environment["USER"], !name.isEmpty { return name }
    guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "" }
    return String(cString: name)
  }
}

/// Asks one question on the controlling terminal (not stdin/stdout, which the hook or a pipe
/// may hold) and returns the answer, or nil when there is no terminal.
@Sendable func askOnTerminal(_ question: String) -> String? {
  let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
  guard fd >= 0 else { return nil }
  defer { close(fd) }
  _ = question.withCString { write(fd, $0, strlen($0)) }
  var line: [UInt8] = []
  var byte: UInt8 = 0
  while line.count < 256 {
    let count = read(fd, &byte, 1)
    if count < 0 && errno == EINTR { continue }
    if count <= 0 { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
    if byte == UInt8(ascii: "\n") { break }
    line.append(byte)
  }
  return String(decoding: line, as: UTF8.self)
}

/// Writes to stdout in one piece, so that a hook never evaluates half a script.
func writeOut(_ text: String) {
  var bytes = Array(text.utf8)
  var offset = 0
  while offset < bytes.count {
    let written = bytes.withUnsafeMutableBytes { buffer in
      write(1, buffer.baseAddress! + offset, buffer.count - offset)
    }
    if written < 0 {
      if errno == EINTR { continue }
      return
    }
    offset += written
  }
}

/// One line on stderr, prefixed `awsenv:`. Control characters (a newline in a profile name, an
/// escape sequence in a config value, a bidirectional override) are shown escaped, so it stays
/// one harmless line that reads in the order it is written.
func note(_ message: String) {
  var line = "awsenv: "
  for scalar in message.unicodeScalars {
    switch scalar {
    case "\n": line += "\\n"
    case "\t": line += "\\t"
    case _
    where scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value):
      line += "\\x" + String(scalar.value, radix: 16)
    case _ where isTerminalControl(scalar):
      line += "\\u{" + String(scalar.value, radix: 16) + "}"
    default: line.unicodeScalars.append(scalar)
    }
  }
  FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Profile names for completion, read from the config files only (no keyring, no network).
func completeProfiles(_ arguments: [String]) -> [String] {
  (try? AWSConfig.load(environment: ProcessInfo.processInfo.environment).profileNames) ?? []
}

/// `[sso-session NAME]` names for completion (for `login`), read like `completeProfiles`.
func completeSSOSessions(_ arguments: [String]) -> [String] {
  (try? AWSConfig.load(environment: ProcessInfo.processInfo.environment).ssoSessions.keys.sorted())
    ?? []
}
