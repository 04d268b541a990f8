/// What `awsenv use` and `awsenv clear` do to a shell's variables.
///
/// The first `use` in a shell records the value (or absence) of every variable it is about to
/// touch; that record lives in a shell variable of the hook's, not in the environment, and the
/// hook hands it back through `AWSENV_SAVED` on each later `use` or `clear`. `clear` restores
/// exactly that record, however many profiles were used in between.
public enum ShellSession {
  /// The AWS variables `use` owns, set or unset on every switch.
  public static let managedVariables = [
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
  ]
  /// awsenv's own variables: present only while a profile is active. The prompt hook reads
  /// them without forking: the profile, when the credentials expire and when to refresh them
  /// (Unix seconds), who they are (`Role@account` for an assumed role), and the `--duration`
  /// (seconds) they were made with, which the refresh asks for again.
  public static let ownVariables = [
    "AWSENV_PROFILE", "AWSENV_EXPIRES", "AWSENV_REFRESH_AT", "AWSENV_IDENTITY", "AWSENV_DURATION",
  ]
  /// The hook's shell variable that keeps the state from before the first `use`.
  public static let savedStateVariable = "__awsenv_saved"
  /// How the hook passes that state to the binary.
  public static let savedStateEnvironment = "AWSENV_SAVED"
  /// The hook's shell variable that names the profile used before the current one (for `use
  /// -`): a shell variable, so it is this shell's own and `clear` leaves the environment
  /// exactly as it was.
  public static let previousProfileVariable = "__awsenv_previous"
  /// How the hook passes that profile to the binary.
  public static let previousProfileEnvironment = "AWSENV_PREVIOUS"

  /// The profile `awsenv use -` switches to: the one this shell used before the current one.
  public static func previousProfile(environment: [String: String]) -> String? {
    environment[previousProfileEnvironment].flatMap { $0.isEmpty ? nil : $0 }
  }

  /// The change that records the profile being left for `use -`, when a switch leaves one: a
  /// switch to the same profile (a refresh) or from none keeps the record as it is, so `use -`
  /// toggles between the last two profiles whatever the prompt refreshed meanwhile.
  public static func recordPrevious(leaving environment: [String: String], for next: String?)
    -> [ShellChange]
  {
    guard let current = environment["AWSENV_PROFILE"], !current.isEmpty, current != next else {
      return []
    }
    return [.shellVariable(previousProfileVariable, current)]
  }

  /// The state `clear` would restore: the saved record when there is one, else the shell's
  /// variables as they are now (this is the first `use`).
  public static func original(environment: [String: String]) -> SavedState {
    if let text = environment[savedStateEnvironment], let saved = SavedState(encoded: text) {
      return saved
    }
    return SavedState(entries: managedVariables.map { ($0, environment[$0]) })
  }

  /// The changes that switch a shell to `activation`.
  public static func use(_ activation: Activation, environment: [String: String]) -> [ShellChange] {
    use(activation, baseline: original(environment: environment))
      + recordPrevious(leaving: environment, for: activation.profile)
  }

  /// The changes that switch a shell to `activation`, given the state from before awsenv
  /// changed the shell (``original(environment:)``).
  public static func use(_ activation: Activation, baseline saved: SavedState) -> [ShellChange] {
    var changes = activation.variables.map { name, value in
      value.map { ShellChange.export(name, $0) } ?? .unset(name)
    }
    changes.append(.shellVariable(savedStateVariable, saved.encoded))
    return changes
  }

  /// The changes that give the shell back what it had before its first `use`. Without a saved
  /// record, a shell that inherited an active profile gets its AWS variables unset, and a shell
  /// where no profile is active is left alone.
  public static func clear(environment: [String: String]) -> [ShellChange] {
    var changes: [ShellChange]
    if let text = environment[savedStateEnvironment], let saved = SavedState(encoded: text) {
      changes = saved.entries.map { name, value in value.map { .export(name, $0) } ?? .unset(name) }
    } else if environment["AWSENV_PROFILE"] != nil {
      changes = managedVariables.map { .unset($0) }
    } else {
      return []
    }
    changes += ownVariables.map { .unset($0) }
    changes.append(.shellVariable(savedStateVariable, ""))
    // Like `cd -` after `cd`: `use -` after `clear` goes back to the profile cleared.
    return changes + recordPrevious(leaving: environment, for: nil)
  }

  /// The region for a switch: the flag, else the profile's, else the one the shell had before
  /// awsenv changed it.
  public static func region(
    flag: String?, profileRegion: String?, environment: [String: String]
  ) -> String? {
    if let flag, !flag.isEmpty { return flag }
    if let profileRegion, !profileRegion.isEmpty { return profileRegion }
    return region(flag: nil, profileRegion: nil, baseline: original(environment: environment))
  }

  /// The region for a switch, given the state from before awsenv changed the shell.
  public static func region(flag: String?, profileRegion: String?, baseline saved: SavedState)
    -> String?
  {
    if let flag, !flag.isEmpty { return flag }
    if let profileRegion, !profileRegion.isEmpty { return profileRegion }
    return saved.value(of: "AWS_REGION") ?? saved.value(of: "AWS_DEFAULT_REGION")
  }
}

private func isUnreserved(_ byte: UInt8) -> Bool {
  switch byte {
  case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
  case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"),
    UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "+"), UInt8(ascii: ","):
    return true
  default: return false
  }
}

func percentEncode(_ text: String) -> String {
  let hex = Array("0123456789ABCDEF".utf8)
  var out: [UInt8] = []
  out.reserveCapacity(text.utf8.count)
  for byte in text.utf8 {
    if isUnreserved(byte) {
      out.append(byte)
    } else {
      out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
    }
  }
  return String(decoding: out, as: UTF8.self)
}

func percentDecode(_ text: Substring) -> String? {
  var out: [UInt8] = []
  var bytes = text.utf8.makeIterator()
  while let byte = bytes.next() {
    guard byte == UInt8(ascii: "%") else {
      out.append(byte)
      continue
    }
    guard let high = bytes.next().flatMap(hexValue), let low = bytes.next().flatMap(hexValue) else {
      return nil
    }
    out.append(high << 4 | low)
  }
  return String(validating: out, as: UTF8.self)
}

private func hexValue(_ byte: UInt8) -> UInt8? {
  switch byte {
  case 0x30...0x39: return byte - 0x30
  case 0x41...0x46: return byte - 0x41 + 10
  case 0x61...0x66: return byte - 0x61 + 10
  default: return nil
  }
}
