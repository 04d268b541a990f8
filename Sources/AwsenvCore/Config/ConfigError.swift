/// A parse error: names the file and line.
///
/// `line` is 1-based; it is 0 when the problem is the file as a whole (it could not be read).
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
  public var path: String
  public var line: Int
  /// What is wrong and how to fix it.
  public var message: String

  public init(path: String, line: Int, message: String) {
    self.path = path
    self.line = line
    self.message = message
  }

  /// `PATH:LINE: message`, or `PATH: message` for a whole-file problem.
  public var description: String {
    line > 0 ? "\(path):\(line): \(message)" : "\(path): \(message)"
  }
}
