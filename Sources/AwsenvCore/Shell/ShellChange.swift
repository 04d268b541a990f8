/// One change to a shell's variables.
public enum ShellChange: Equatable, Sendable {
  /// Set and export to child processes.
  case export(String, String)
  /// Remove the variable.
  case unset(String)
  /// Set a variable of the shell only, not exported (awsenv's saved state lives there, so that
  /// no child process inherits it).
  case shellVariable(String, String)

  public var name: String {
    switch self {
    case .export(let name, _), .unset(let name), .shellVariable(let name, _): return name
    }
  }

  /// The value set, nil for `.unset`.
  public var value: String? {
    switch self {
    case .export(_, let value), .shellVariable(_, let value): return value
    case .unset: return nil
    }
  }
}
