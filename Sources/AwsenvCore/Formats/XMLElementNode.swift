/// A small read-only element tree of an AWS query-protocol response. Names are local names (any
/// namespace prefix dropped); text is the element's own character data.
///
/// The parser is ours, not Foundation's XMLParser: FoundationXML links libxml2, which brings the
/// system ICU, and loading them cost every awsenv process ~0.8 ms and ~4 MB, network call or
/// not. It reads the XML an AWS service sends and refuses the rest: a DOCTYPE (so no entity
/// declarations, internal or external), entity references beyond XML's five and character
/// references, bytes that are not UTF-8 or not XML characters, mismatched or unclosed tags.
/// The tree is bounded in depth and size, so a hostile body gives an error, not a crash.
struct XMLElementNode: Sendable, Equatable {
  var name: String
  var text: String = ""
  var children: [XMLElementNode] = []

  /// The first child called `name`.
  func child(_ name: String) -> XMLElementNode? {
    children.first { $0.name == name }
  }

  /// The element reached by following child names, e.g. `path("AssumeRoleResult",
  /// "Credentials")`.
  func path(_ names: String...) -> XMLElementNode? {
    var node: XMLElementNode? = self
    for name in names { node = node?.child(name) }
    return node
  }

  /// The trimmed text of the child reached by `names`, nil when absent or empty.
  func value(_ names: String...) -> String? {
    var node: XMLElementNode? = self
    for name in names { node = node?.child(name) }
    guard let text = node.map({ trimmed($0.text) }), !text.isEmpty else { return nil }
    return text
  }

  static let maxDepth = 32
  static let maxElements = 10_000

  /// Parses `bytes`; nil when they are not well-formed XML (of the kind above) or exceed the
  /// bounds.
  static func parse(_ bytes: [UInt8]) -> XMLElementNode? {
    guard !bytes.isEmpty, bytes.count <= 4 << 20 else { return nil }
    var reader = XMLReader(bytes: bytes)
    return reader.document()
  }
}

/// Whitespace as XML and the AWS SDKs see it, trimmed from both ends.
private func trimmed(_ text: String) -> String {
  let scalars = text.unicodeScalars
  func isSpace(_ scalar: Unicode.Scalar) -> Bool {
    scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
      || scalar.properties.isWhitespace
  }
  guard let first = scalars.firstIndex(where: { !isSpace($0) }),
    let last = scalars.lastIndex(where: { !isSpace($0) })
  else { return "" }
  return String(scalars[first...last])
}

/// A recursive-descent reader over the body's bytes.
private struct XMLReader {
  let bytes: [UInt8]
  var index = 0
  var elements = 0

  init(bytes: [UInt8]) {
    self.bytes = bytes
  }

  mutating func document() -> XMLElementNode? {
    // Every byte must be UTF-8 and an XML character (no C0 controls but tab, LF, CR).
    guard String(validating: bytes, as: UTF8.self) != nil,
      !bytes.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
    else { return nil }
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    guard skipMisc() else { return nil }
    guard peek(0) == UInt8(ascii: "<"), let root = element(depth: 1) else { return nil }
    guard skipMisc(), index == bytes.count else { return nil }
    return root
  }

  // MARK: Pieces

  private func peek(_ offset: Int) -> UInt8? {
    index + offset < bytes.count ? bytes[index + offset] : nil
  }

  private func starts(with text: StaticString) -> Bool {
    let count = text.utf8CodeUnitCount
    guard index + count <= bytes.count else { return false }
    let prefix = UnsafeBufferPointer(start: text.utf8Start, count: count)
    return bytes[index..<index + count].elementsEqual(prefix)
  }

  private static func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
  }

  private mutating func skipSpace() {
    while let byte = peek(0), Self.isSpace(byte) { index += 1 }
  }

  /// Moves past `terminator`; false when the body ends first.
  private mutating func skip(past terminator: StaticString) -> Bool {
    while index < bytes.count {
      if starts(with: terminator) {
        index += terminator.utf8CodeUnitCount
        return true
      }
      index += 1
    }
    return false
  }

  /// Whitespace, comments and processing instructions (the XML declaration among them) around
  /// the root element. A DOCTYPE is refused: an AWS response has none, and only a DOCTYPE can
  /// declare the entities of an entity-expansion attack.
  private mutating func skipMisc() -> Bool {
    while true {
      skipSpace()
      if starts(with: "<?") {
        guard skip(past: "?>") else { return false }
      } else if starts(with: "<!--") {
        guard skip(past: "-->") else { return false }
      } else {
        return index == bytes.count || peek(0) == UInt8(ascii: "<") && peek(1) != UInt8(ascii: "!")
      }
    }
  }

  /// A name (up to whitespace, `/`, `>`, `=`), as its local part after any prefix.
  private mutating func name() -> String? {
    let start = index
    while let byte = peek(0), !Self.isSpace(byte), byte != UInt8(ascii: "/"),
      byte != UInt8(ascii: ">"), byte != UInt8(ascii: "="), byte != UInt8(ascii: "<")
    {
      index += 1
    }
    guard index > start else { return nil }
    let full = bytes[start..<index]
    let local = full.lastIndex(of: UInt8(ascii: ":")).map { full[($0 + 1)...] } ?? full
    guard !local.isEmpty else { return nil }
    return String(decoding: local, as: UTF8.self)
  }

  /// `<name attr="v" …>` children and text `</name>`, or `<name …/>`; the reader is on `<`.
  private mutating func element(depth: Int) -> XMLElementNode? {
    elements += 1
    guard depth <= XMLElementNode.maxDepth, elements <= XMLElementNode.maxElements else {
      return nil
    }
    index += 1
    let start = index
    guard let local = name() else { return nil }
    let qualified = bytes[start..<index]
    var node = XMLElementNode(name: local)
    // Attributes: read past, checking their shape; no AWS response needs their values.
    while true {
      let hadSpace = peek(0).map(Self.isSpace) ?? false
      skipSpace()
      if starts(with: "/>") {
        index += 2
        return node
      }
      if peek(0) == UInt8(ascii: ">") {
        index += 1
        break
      }
      guard hadSpace, name() != nil else { return nil }
      skipSpace()
      guard peek(0) == UInt8(ascii: "=") else { return nil }
      index += 1
      skipSpace()
      guard let quote = peek(0), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
        return nil
      }
      index += 1
      while let byte = peek(0), byte != quote {
        if byte == UInt8(ascii: "<") { return nil }
        index += 1
      }
      guard peek(0) == quote else { return nil }
      index += 1
    }
    // Content.
    var text: [UInt8] = []
    while true {
      guard let byte = peek(0) else { return nil }
      if byte == UInt8(ascii: "<") {
        if starts(with: "</") {
          index += 2
          let end = index
          guard name() != nil, bytes[end..<index].elementsEqual(qualified) else { return nil }
          skipSpace()
          guard peek(0) == UInt8(ascii: ">") else { return nil }
          index += 1
          node.text = String(decoding: text, as: UTF8.self)
          return node
        } else if starts(with: "<![CDATA[") {
          index += 9
          let start = index
          guard skip(past: "]]>") else { return nil }
          text += bytes[start..<index - 3]
        } else if starts(with: "<!--") {
          guard skip(past: "-->") else { return nil }
        } else if starts(with: "<?") {
          guard skip(past: "?>") else { return nil }
        } else if peek(1) == UInt8(ascii: "!") {
          return nil
        } else {
          guard let child = element(depth: depth + 1) else { return nil }
          node.children.append(child)
        }
      } else if byte == UInt8(ascii: "&") {
        guard reference(into: &text) else { return nil }
      } else {
        if byte == UInt8(ascii: ">") && text.suffix(2).elementsEqual("]]".utf8) {
          return nil  // "]]>" may not appear in text
        }
        text.append(byte)
        index += 1
      }
    }
  }

  /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` `&#N;` `&#xH;`, appended as UTF-8; false for any
  /// other reference (undeclared: the document is not well-formed).
  private mutating func reference(into text: inout [UInt8]) -> Bool {
    index += 1
    let start = index
    while let byte = peek(0), byte != UInt8(ascii: ";"), index - start < 12 { index += 1 }
    guard peek(0) == UInt8(ascii: ";") else { return false }
    let body = Array(bytes[start..<index])
    index += 1
    switch String(decoding: body, as: UTF8.self) {
    case "lt": text.append(UInt8(ascii: "<"))
    case "gt": text.append(UInt8(ascii: ">"))
    case "amp": text.append(UInt8(ascii: "&"))
    case "quot": text.append(UInt8(ascii: "\""))
    case "apos": text.append(UInt8(ascii: "'"))
    case let reference where reference.hasPrefix("#"):
      let hex = reference.hasPrefix("#x")
      let digits = body.dropFirst(hex ? 2 : 1)
      let isDigit: (UInt8) -> Bool = { byte in
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
          || (hex
            && ((byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
              || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))))
      }
      guard !digits.isEmpty, digits.allSatisfy(isDigit),
        let value = UInt32(String(decoding: digits, as: UTF8.self), radix: hex ? 16 : 10),
        let scalar = Unicode.Scalar(value),
        value >= 0x20 || value == 0x09 || value == 0x0A || value == 0x0D,
        value != 0xFFFE, value != 0xFFFF
      else { return false }
      text += Array(String(Character(scalar)).utf8)
    default:
      return false
    }
    return true
  }
}
