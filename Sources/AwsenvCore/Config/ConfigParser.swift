/// Which file a text came from: the two accept different section headers.
enum ConfigFileKind: Sendable {
  /// `[default]`, `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`.
  case config
  /// `[NAME]` only.
  case credentials
}

/// Sections in order of first appearance.
struct SectionTable: Sendable {
  private(set) var names: [String] = []
  private(set) var sections: [String: ProfileSection] = [:]

  /// Creates the section when it is new, so that duplicates merge into the first one's slot.
  mutating func touch(_ name: String) {
    if sections[name] == nil {
      sections[name] = ProfileSection(name: name)
      names.append(name)
    }
  }

  mutating func update(_ name: String, _ body: (inout ProfileSection) -> Void) {
    body(&sections[name]!)
  }

  /// Adds `section`, merging into an existing one of the same name; `position` places a new
  /// one in the order (the end when nil).
  mutating func merge(_ section: ProfileSection, at position: Int? = nil) {
    if sections[section.name] != nil {
      sections[section.name]!.merge(section)
      return
    }
    sections[section.name] = section
    if let position, position < names.count {
      names.insert(section.name, at: position)
    } else {
      names.append(section.name)
    }
  }
}

/// What one file contributes before the two files are merged.
struct ParsedConfigFile: Sendable {
  var profiles = SectionTable()
  var ssoSessions = SectionTable()
  var services = SectionTable()
}

/// The INI dialect of ~/.aws/config and ~/.aws/credentials, as the AWS SDKs read it.
///
/// The parser runs on every shell switch and for tab completion, so it makes one pass over the
/// UTF-8 bytes and copies out only keys, values and section names.
enum ConfigParser {
  static func parse(
    _ text: String, path: String, kind: ConfigFileKind
  ) throws(ConfigError) -> ParsedConfigFile {
    let run = { (bytes: UnsafeBufferPointer<UInt8>) -> Result<ParsedConfigFile, ConfigError> in
      var parser = LineParser(bytes: bytes, path: path, kind: kind)
      do throws(ConfigError) {
        try parser.run()
        return .success(parser.finish())
      } catch {
        return .failure(error)
      }
    }
    var text = text
    text.makeContiguousUTF8()
    // makeContiguousUTF8() guarantees the storage; the copy is a fallback never expected.
    let result =
      text.utf8.withContiguousStorageIfAvailable(run)
      ?? Array(text.utf8).withUnsafeBufferPointer(run)
    return try result.get()
  }
}

/// Whether `name` is a name the SDKs accept for a profile, sso-session or property: ASCII
/// letters and digits and `- / . % @ _ : +`. Sections with other names are ignored.
func isValidIdentifier<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
  !bytes.isEmpty && bytes.allSatisfy(isIdentifierByte)
}

private func isIdentifierByte(_ byte: UInt8) -> Bool {
  switch byte {
  case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
    UInt8(ascii: "0")...UInt8(ascii: "9"):
    return true
  case UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "%"),
    UInt8(ascii: "@"), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "+"):
    return true
  default:
    return false
  }
}

/// Keys compare case-insensitively in ASCII only, as in the SDKs.
func asciiLowercased(_ text: String) -> String {
  guard text.utf8.contains(where: isASCIIUpper) else { return text }
  return String(decoding: text.utf8.map { isASCIIUpper($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
}

private func isASCIIUpper(_ byte: UInt8) -> Bool {
  byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
}

// The SDKs treat only space and tab as whitespace for trimming and indentation.
private func isBlank(_ byte: UInt8) -> Bool {
  byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
}

private func isCommentStart(_ byte: UInt8) -> Bool {
  byte == UInt8(ascii: "#") || byte == UInt8(ascii: ";")
}

/// Whitespace before an inline comment character: any ASCII whitespace, as in the SDKs.
private func isSpace(_ byte: UInt8) -> Bool {
  byte == 0x20 || (0x09...0x0D).contains(byte)
}

/// Where the properties of the current section go.
private enum Target {
  /// Not in a section yet: a property here is an error.
  case start
  /// An ignored section (bad name, wrong file, unknown prefix): parsed for errors, then dropped.
  case discard
  case profile(String)
  /// `[default]` in the config file, kept aside: `[profile default]` anywhere in the file
  /// replaces it entirely.
  case unprefixedDefault
  case ssoSession(String)
  case service(String)
}

/// The property that indented lines continue.
private struct OpenProperty {
  var key: String
  /// False for keys that are not valid identifiers: their lines are checked, then dropped.
  var kept: Bool
  /// `key =` with nothing after it opens a block of `name = value` lines.
  var isBlock: Bool
}

private struct LineParser {
  let bytes: UnsafeBufferPointer<UInt8>
  let path: String
  let kind: ConfigFileKind
  var file = ParsedConfigFile()
  var target = Target.start
  var open: OpenProperty?
  var lineNumber = 0
  var unprefixedDefault: ProfileSection?
  var unprefixedDefaultPosition = 0
  var sawPrefixedDefault = false

  init(bytes: UnsafeBufferPointer<UInt8>, path: String, kind: ConfigFileKind) {
    self.bytes = bytes
    self.path = path
    self.kind = kind
  }

  mutating func run() throws(ConfigError) {
    var start = 0
    let end = bytes.count
    // A UTF-8 byte order mark, which some Windows editors write.
    if end >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
    while start < end {
      var stop = start
      while stop < end, bytes[stop] != UInt8(ascii: "\n") { stop += 1 }
      let next = stop + 1
      if stop > start, bytes[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
      lineNumber += 1
      try line(start..<stop)
      start = next
    }
  }

  mutating func finish() -> ParsedConfigFile {
    if let section = unprefixedDefault, !sawPrefixedDefault {
      file.profiles.merge(section, at: unprefixedDefaultPosition)
    }
    return file
  }

  private mutating func line(_ range: Range<Int>) throws(ConfigError) {
    let content = trim(range)
    if content.isEmpty { return }
    let first = bytes[range.lowerBound]
    if isCommentStart(first) { return }
    if first == UInt8(ascii: "[") {
      try header(range)
    } else if isBlank(first) {
      // The AWS CLI skips indented comment lines too; the SDK suites do not cover them.
      if isCommentStart(bytes[content.lowerBound]) { return }
      try continuation(content)
    } else {
      try property(range)
    }
  }

  // MARK: Section headers

  private mutating func header(_ range: Range<Int>) throws(ConfigError) {
    let line = stripComment(range, needsWhitespace: false)
    guard line.count >= 2, bytes[line.upperBound - 1] == UInt8(ascii: "]") else {
      throw error(
        "Profile definition must end with ']'; close the section header, e.g. `"
          + (kind == .config ? "[profile NAME]" : "[NAME]") + "`")
    }
    let inner = trim(line.lowerBound + 1..<line.upperBound - 1)
    var split = inner.lowerBound
    while split < inner.upperBound, !isBlank(bytes[split]) { split += 1 }
    let prefix: Range<Int>? = split < inner.upperBound ? inner.lowerBound..<split : nil
    let name = prefix == nil ? inner : trim(split..<inner.upperBound)
    open = nil
    target = classify(prefix: prefix, name: name)
    switch target {
    case .profile(let name): file.profiles.touch(name)
    case .ssoSession(let name): file.ssoSessions.touch(name)
    case .service(let name): file.services.touch(name)
    case .unprefixedDefault:
      if unprefixedDefault == nil {
        unprefixedDefault = ProfileSection(name: "default")
        unprefixedDefaultPosition = file.profiles.names.count
      }
    case .start, .discard: break
    }
  }

  private mutating func classify(prefix: Range<Int>?, name: Range<Int>) -> Target {
    let nameBytes = UnsafeBufferPointer(rebasing: bytes[name])
    switch kind {
    case .credentials:
      // The credentials file has no prefixes; `[profile foo]` there is ignored, as in the SDKs.
      guard prefix == nil, isValidIdentifier(nameBytes) else { return .discard }
      return .profile(string(name))
    case .config:
      guard let prefix else {
        return nameBytes.elementsEqual("default".utf8) ? .unprefixedDefault : .discard
      }
      guard isValidIdentifier(nameBytes) else { return .discard }
      let prefixBytes = UnsafeBufferPointer(rebasing: bytes[prefix])
      if prefixBytes.elementsEqual("profile".utf8) {
        let name = string(name)
        if name == "default" { sawPrefixedDefault = true }
        return .profile(name)
      }
      if prefixBytes.elementsEqual("sso-session".utf8) { return .ssoSession(string(name)) }
      if prefixBytes.elementsEqual("services".utf8) { return .service(string(name)) }
      return .discard
    }
  }

  // MARK: Properties

  private mutating func property(_ range: Range<Int>) throws(ConfigError) {
    if case .start = target {
      throw error(
        "Expected a profile definition before this line; put a section header such as `"
          + (kind == .config ? "[profile NAME]" : "[NAME]") + "` above it")
    }
    let (key, value) = try splitProperty(range, isSubProperty: false)
    let keyName = asciiLowercased(string(key))
    let kept = isValidIdentifier(UnsafeBufferPointer(rebasing: bytes[key]))
    open = OpenProperty(key: keyName, kept: kept, isBlock: value.isEmpty)
    guard kept else { return }
    let valueText = string(value)
    update { $0.set(keyName, value: valueText, subProperties: nil) }
  }

  private mutating func continuation(_ content: Range<Int>) throws(ConfigError) {
    if case .start = target {
      throw error(
        "Expected a profile definition before this indented line; put a section header such as `"
          + (kind == .config ? "[profile NAME]" : "[NAME]") + "` above it")
    }
    guard let open else {
      throw error(
        "Expected a property definition, found continuation; an indented line continues the "
          + "`name = value` line above it, so add one or remove the indentation")
    }
    var block: (key: String, value: String)?
    if open.isBlock {
      _ = try splitProperty(content, isSubProperty: true)
      // Validation strips comments, but the stored pair keeps them, as in the SDKs.
      var equals = content.lowerBound
      while bytes[equals] != UInt8(ascii: "=") { equals += 1 }
      block = (
        asciiLowercased(string(trim(content.lowerBound..<equals))),
        string(trim(equals + 1..<content.upperBound))
      )
    }
    guard open.kept else { return }
    let text = string(content)
    update { section in
      section.properties[open.key, default: ""] += "\n" + text
      if let block { section.subProperties[open.key, default: [:]][block.key] = block.value }
    }
  }

  /// `name = value` with an inline comment removed.
  private func splitProperty(
    _ range: Range<Int>, isSubProperty: Bool
  ) throws(ConfigError) -> (key: Range<Int>, value: Range<Int>) {
    let line = stripComment(range, needsWhitespace: true)
    guard let equals = line.first(where: { bytes[$0] == UInt8(ascii: "=") }) else {
      throw error(
        isSubProperty
          ? "Expected an '=' sign defining a sub-property; lines indented under `name =` "
            + "must look like `sub_name = value`"
          : "Expected an '=' sign defining a property; write it as `name = value`")
    }
    let key = trim(line.lowerBound..<equals)
    guard !key.isEmpty else {
      throw error(
        isSubProperty
          ? "Sub-property did not have a name; write it as `sub_name = value`"
          : "Property did not have a name; write it as `name = value`")
    }
    return (key, trim(equals + 1..<line.upperBound))
  }

  private mutating func update(_ body: (inout ProfileSection) -> Void) {
    switch target {
    case .profile(let name): file.profiles.update(name, body)
    case .ssoSession(let name): file.ssoSessions.update(name, body)
    case .service(let name): file.services.update(name, body)
    case .unprefixedDefault: body(&unprefixedDefault!)
    case .start, .discard: break
    }
  }

  // MARK: Bytes

  private func trim(_ range: Range<Int>) -> Range<Int> {
    var low = range.lowerBound
    var high = range.upperBound
    while low < high, isBlank(bytes[low]) { low += 1 }
    while high > low, isBlank(bytes[high - 1]) { high -= 1 }
    return low..<high
  }

  /// The trimmed line up to an inline comment. In section headers `#` and `;` start a comment
  /// anywhere; in properties only after whitespace, so `value;x` keeps its `;`.
  private func stripComment(_ range: Range<Int>, needsWhitespace: Bool) -> Range<Int> {
    let line = trim(range)
    var afterSpace = false
    for index in line {
      let byte = bytes[index]
      if isCommentStart(byte), afterSpace || !needsWhitespace {
        return trim(line.lowerBound..<index)
      }
      afterSpace = isSpace(byte)
    }
    return line
  }

  private func string(_ range: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }

  private func error(_ message: String) -> ConfigError {
    ConfigError(path: path, line: lineNumber, message: message)
  }
}
