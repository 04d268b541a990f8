import AwsenvCore
import Foundation

/// The real world a command runs in: the environment, the config files, the keyring.
struct Runtime {
  var environment: [String: String]

  init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.environment = environment
  }

  /// The shell the hook says it runs in, when awsenv was called through the hook.
  var hookShell: Shell? { environment["AWSENV_SHELL"].flatMap(Shell.init(rawValue:)) }

  func config() throws(Failure) -> AWSConfig {
    do {
      return try AWSConfig.load(environment: environment)
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
    return Keyring(store: LibSecretStore(collection: collection, timeout: timeout))
  }

  func resolver() throws(Failure) -> ProfileResolver {
    ProfileResolver(config: try config(), keyring: keyring())
  }

  /// The credentials and region of `profile`, for `use`, `exec` and `export`.
  func activation(_ profile: String, region: String?) throws(Failure) -> Activation {
    let resolver = try resolver()
    do {
      return try resolver.activation(profile: profile, regionFlag: region, environment: environment)
    } catch {
      throw Failure(error)
    }
  }
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
/// escape sequence in a config value) are shown escaped, so it stays one harmless line.
func note(_ message: String) {
  var line = "awsenv: "
  for scalar in message.unicodeScalars {
    switch scalar {
    case "\n": line += "\\n"
    case "\t": line += "\\t"
    case _
    where scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value):
      line += "\\x" + String(scalar.value, radix: 16)
    default: line.unicodeScalars.append(scalar)
    }
  }
  FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Profile names for completion, read from the config files only (no keyring, no network).
func completeProfiles(_ arguments: [String]) -> [String] {
  (try? AWSConfig.load(environment: ProcessInfo.processInfo.environment).profileNames) ?? []
}
