/// Why shell code could not be produced.
public enum ShellError: Error, Equatable, Sendable {
  /// A variable name outside `[A-Za-z_][A-Za-z0-9_]*`: such names are refused, never escaped.
  case invalidVariableName(String)
  /// A value holds a NUL byte, which no shell variable can hold.
  case nulInValue(String)
  /// A value longer than ``Shell/maxValueBytes``, which no environment can carry.
  case valueTooLong(String, bytes: Int)

  public var message: String {
    switch self {
    case .invalidVariableName(let name):
      return "refusing the variable name \(Shell.bash.quote(name)): names must match "
        + "[A-Za-z_][A-Za-z0-9_]*"
    case .nulInValue(let name):
      return "the value for \(name) contains a NUL byte, which a shell variable cannot hold; "
        + Self.fix(name)
    case .valueTooLong(let name, let bytes):
      if name == ShellSession.savedStateVariable {
        return "the AWS variables this shell had before are too long to keep for `awsenv "
          + "clear` (\(bytes) bytes encoded, at most \(Shell.maxValueBytes)); unset the longest "
          + "of them first"
      }
      return "the value for \(name) is \(bytes) bytes, more than an environment variable can "
        + "carry (at most \(Shell.maxValueBytes)); " + Self.fix(name)
    }
  }

  /// Where the value of `name` came from, and so what to fix.
  private static func fix(_ name: String) -> String {
    switch name {
    case "AWS_REGION", "AWS_DEFAULT_REGION":
      return "fix `region` in the profile, or the --region value"
    case "AWS_PROFILE", "AWSENV_PROFILE":
      return "use another profile name"
    case ShellSession.savedStateVariable:
      return "unset the AWS variables of this shell that hold one first"
    case _ where ShellSession.managedVariables.contains(name):
      return "store the profile's keys again (`awsenv add PROFILE`)"
    default:
      return "check the profile's settings and the endpoint it calls"
    }
  }
}
