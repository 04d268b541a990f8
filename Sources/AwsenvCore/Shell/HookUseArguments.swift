/// The hook's own calls of `use`, read without swift-argument-parser: `use PROFILE` with any of
/// `--refresh`, `--non-interactive`, `--region REGION` and `--duration D`, each at most once. Building the
/// parser's command tree costs more than the rest of a cached `use` (~1.5 ms: its reflection
/// and casts scan every protocol conformance in the binary). Any other shape (help, other
/// options, `--`, a value that starts with `-`) is declined, for the parser to handle; a table
/// test (HookUseArgumentsTests) checks that an accepted line means what the parser makes of it.
public struct HookUseArguments: Sendable {
  public var profile: String
  public var options: ResolveOptions

  /// The call in `arguments` (the words after the program name), or nil for any other shape.
  public init?(_ arguments: [String]) {
    guard arguments.count >= 2, arguments.count <= 8, arguments[0] == "use" else { return nil }
    var profile: String?
    var options = ResolveOptions()
    var index = 1
    while index < arguments.count {
      let argument = arguments[index]
      switch argument {
      case "--refresh" where !options.refresh:
        options.refresh = true
      case "--non-interactive" where options.interactive:
        options.interactive = false
      case "--region" where options.regionFlag == nil && index + 1 < arguments.count:
        let value = arguments[index + 1]
        guard !value.hasPrefix("-") else { return nil }
        options.regionFlag = value
        index += 1
      case "--duration" where options.duration == nil && index + 1 < arguments.count:
        // A value the parser would refuse is declined, so the parser says what is wrong.
        guard let seconds = SessionDuration.parse(arguments[index + 1]) else { return nil }
        options.duration = seconds
        index += 1
      default:
        guard profile == nil, !argument.hasPrefix("-") else { return nil }
        profile = argument
      }
      index += 1
    }
    guard let profile else { return nil }
    self.profile = profile
    self.options = options
  }
}
