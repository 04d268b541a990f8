/// The values (or absence) of variables, in a compact text form that survives a round trip
/// through a shell variable: `v1 NAME=percent-encoded-value -UNSET_NAME …`.
public struct SavedState: Sendable {
  public var entries: [(String, String?)]

  public init(entries: [(String, String?)]) {
    self.entries = entries
  }

  /// Decodes a record; nil for an empty or damaged one.
  public init?(encoded: String) {
    var words = encoded.split(separator: " ", omittingEmptySubsequences: true)[...]
    guard words.popFirst() == "v1" else { return nil }
    var entries: [(String, String?)] = []
    for word in words {
      if word.first == "-" {
        let name = String(word.dropFirst())
        guard isValidVariableName(name) else { return nil }
        entries.append((name, nil))
      } else if let equals = word.firstIndex(of: "=") {
        let name = String(word[..<equals])
        guard isValidVariableName(name),
          let value = percentDecode(word[word.index(after: equals)...])
        else { return nil }
        entries.append((name, value))
      } else {
        return nil
      }
    }
    self.entries = entries
  }

  public var encoded: String {
    (["v1"]
      + entries.map { name, value in value.map { "\(name)=\(percentEncode($0))" } ?? "-\(name)" })
      .joined(separator: " ")
  }

  public func value(of name: String) -> String? {
    entries.first { $0.0 == name }?.1 ?? nil
  }
}
