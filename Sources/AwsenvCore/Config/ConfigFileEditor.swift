/// Line-level edits to ~/.aws/config and ~/.aws/credentials that keep every other byte as it
/// was: comments, spacing, ordering and unknown keys survive.
public enum ConfigFileEditor {
  /// The keys that hold secrets in a credentials or config file.
  public static let secretKeys: Set<String> = [
    "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_security_token",
  ]

  /// `text` without the secret lines (and their continuation lines) of `profiles`.
  /// `isConfigFile` selects the header form: `[profile NAME]` in config, `[NAME]` in credentials.
  ///
  /// Lines are classified exactly as ConfigParser reads them, on their UTF-8 bytes: a byte order
  /// mark starts the file, a header is a line that starts with `[`, blank and comment lines are
  /// skipped (a value's continuation goes on past them), an indented line continues the
  /// property above it. Anything else would let the two disagree about which profile a key
  /// belongs to, and `import --remove-plaintext` would leave an imported key in the file or
  /// remove one that was not imported.
  public static func removingSecrets(
    from text: String, profiles: Set<String>, isConfigFile: Bool
  ) -> String {
    removingSecretLines(from: text) { header in
      sectionProfile(header, isConfigFile: isConfigFile).map(profiles.contains) ?? false
    }
  }

  /// `text` without any key line, in every section: what a backup that awsenv writes keeps.
  ///
  /// A key line is a property line (and its continuation lines) whose name, trimmed and in any
  /// case, is one of ``secretKeys``: `aws_access_key_id`, `aws_secret_access_key`,
  /// `aws_session_token` and its old name `aws_security_token`. Lines are classified as in
  /// ``removingSecrets(from:profiles:isConfigFile:)``; a key line before the first header
  /// goes too.
  public static func removingEverySecret(from text: String) -> String {
    removingSecretLines(from: text, startsInTarget: true) { _ in true }
  }

  /// The loop behind both: drops the key lines of the sections for which `isTarget(header)`.
  private static func removingSecretLines(
    from text: String, startsInTarget: Bool = false, isTarget: (ArraySlice<UInt8>) -> Bool
  ) -> String {
    var out = ""
    var inTarget = startsInTarget
    var dropping = false
    let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
    for (number, line) in linesKeepingTerminators(text).enumerated() {
      var bytes = Array(line.utf8)[...]
      if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
      if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
      if number == 0, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
      let content = bytes.drop(while: isBlank)
      let indented = content.count != bytes.count
      if content.isEmpty || content.first == UInt8(ascii: "#") || content.first == UInt8(ascii: ";")
      {
        // Skipped by the parser, and kept; a value's continuation lines go on after it.
        out += line
        continue
      } else if !indented, content.first == UInt8(ascii: "[") {
        inTarget = isTarget(content)
        dropping = false
      } else if !indented {
        // `name = value`: the name is what precedes the first `=`, trimmed.
        let key = content.prefix { $0 != UInt8(ascii: "=") }.reversed().drop(while: isBlank)
        let name = asciiLowercased(String(decoding: key.reversed(), as: UTF8.self))
        dropping = inTarget && secretKeys.contains(name)
      }
      if !dropping { out += line }
    }
    return out
  }

  /// `text` with an empty section for `profile` appended (`[default]` or `[profile NAME]`).
  public static func appendingProfile(_ profile: String, to text: String) -> String {
    var out = text
    if !out.isEmpty, !out.hasSuffix("\n") { out += "\n" }
    if !out.isEmpty { out += "\n" }
    out += profile == "default" ? "[default]\n" : "[profile \(profile)]\n"
    return out
  }

  /// The profile a section header line names, as ConfigParser reads it; nil for other sections
  /// (sso-session, services) and for those the parser ignores.
  static func sectionProfile(_ header: ArraySlice<UInt8>, isConfigFile: Bool) -> String? {
    let text = String(decoding: header, as: UTF8.self)
    guard
      let parsed = try? AWSConfig.parse(
        config: isConfigFile ? text : "", configPath: "", credentials: isConfigFile ? "" : text,
        credentialsPath: "")
    else { return nil }
    return parsed.profileNames.first
  }
}

/// Lines with their terminators, so that joining them gives `text` back exactly.
private func linesKeepingTerminators(_ text: String) -> [Substring] {
  var lines: [Substring] = []
  var start = text.startIndex
  var index = text.startIndex
  while index < text.endIndex {
    let next = text.index(after: index)
    if text[index] == "\n" || text[index] == "\r\n" {
      lines.append(text[start..<next])
      start = next
    }
    index = next
  }
  if start < text.endIndex { lines.append(text[start...]) }
  return lines
}
