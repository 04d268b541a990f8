/// Line-level edits to ~/.aws/config and ~/.aws/credentials that keep every other byte as it
/// was: comments, spacing, ordering and unknown keys survive.
public enum ConfigFileEditor {
  /// The keys that hold secrets in a credentials or config file.
  public static let secretKeys: Set<String> = [
    "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_security_token",
  ]

  /// `text` without the secret lines (and their continuation lines) of `profiles`.
  /// `isConfigFile` selects the header form: `[profile NAME]` in config, `[NAME]` in credentials.
  public static func removingSecrets(
    from text: String, profiles: Set<String>, isConfigFile: Bool
  ) -> String {
    var out = ""
    var inTarget = false
    var dropping = false
    for line in linesKeepingTerminators(text) {
      let content = line.trimmingTrailingNewline()
      let trimmed = content.drop { $0 == " " || $0 == "\t" }
      let indented = trimmed.count != content.count
      if trimmed.hasPrefix("[") {
        inTarget =
          sectionProfile(trimmed, isConfigFile: isConfigFile).map(profiles.contains) ?? false
        dropping = false
      } else if inTarget, !indented, let equals = trimmed.firstIndex(of: "=") {
        let key = trimmed[..<equals].trimmingCharacters(in: " \t").lowercased()
        dropping = secretKeys.contains(key)
      } else if dropping, indented, !trimmed.isEmpty {
        // A continuation of a dropped value.
      } else if !indented || trimmed.isEmpty {
        dropping = false
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

  /// The profile a section header names, or nil for other sections (sso-session, services).
  static func sectionProfile(_ header: Substring, isConfigFile: Bool) -> String? {
    guard let close = header.firstIndex(of: "]") else { return nil }
    let inner = header[header.index(after: header.startIndex)..<close].trimmingCharacters(in: " \t")
    if !isConfigFile { return inner }
    if inner == "default" { return inner }
    guard inner.hasPrefix("profile"), inner.count > 7 else { return nil }
    let afterWord = inner.dropFirst(7)
    guard afterWord.first == " " || afterWord.first == "\t" else { return nil }
    return afterWord.trimmingCharacters(in: " \t")
  }
}

extension StringProtocol {
  fileprivate func trimmingCharacters(in set: String) -> String {
    let isTrimmed = { (c: Character) in set.contains(c) }
    guard let first = firstIndex(where: { !isTrimmed($0) }) else { return "" }
    let last = lastIndex(where: { !isTrimmed($0) })!
    return String(self[first...last])
  }

}

extension Substring {
  fileprivate func trimmingTrailingNewline() -> Substring {
    var end = endIndex
    while end > startIndex, ["\n", "\r", "\r\n"].contains(self[index(before: end)]) {
      end = index(before: end)
    }
    return self[startIndex..<end]
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
