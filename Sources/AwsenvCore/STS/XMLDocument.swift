import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// A small read-only element tree of an AWS query-protocol response, built with Foundation's
/// XMLParser. Names are local names (any namespace prefix dropped); text is the element's own
/// character data. Entities are not resolved beyond XML's five, external ones never, and the
/// tree is bounded in depth and size, so a hostile body gives an error, not a crash.
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
    guard let text = node?.text.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
    else { return nil }
    return text
  }

  static let maxDepth = 32
  static let maxElements = 10_000

  /// Parses `bytes`; nil when they are not well-formed XML or exceed the bounds.
  static func parse(_ bytes: [UInt8]) -> XMLElementNode? {
    guard !bytes.isEmpty, bytes.count <= 4 << 20 else { return nil }
    let parser = XMLParser(data: Data(bytes))
    parser.shouldProcessNamespaces = false
    parser.shouldReportNamespacePrefixes = false
    parser.shouldResolveExternalEntities = false
    let builder = TreeBuilder()
    parser.delegate = builder
    guard parser.parse(), !builder.failed, let root = builder.root else { return nil }
    return root
  }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
  var stack: [XMLElementNode] = []
  var root: XMLElementNode?
  var failed = false
  var count = 0

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName: String?, attributes: [String: String] = [:]
  ) {
    count += 1
    guard stack.count < XMLElementNode.maxDepth, count <= XMLElementNode.maxElements, root == nil
    else {
      failed = true
      parser.abortParsing()
      return
    }
    let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
    stack.append(XMLElementNode(name: local))
  }

  func parser(
    _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
    qualifiedName: String?
  ) {
    guard let node = stack.popLast() else {
      failed = true
      parser.abortParsing()
      return
    }
    if stack.isEmpty {
      root = node
    } else {
      stack[stack.count - 1].children.append(node)
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    guard !stack.isEmpty else { return }
    stack[stack.count - 1].text += string
  }

  func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
    guard !stack.isEmpty else { return }
    stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
  }

  func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?)
    -> Data?
  {
    nil
  }

  func parser(
    _ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?
  ) {
    // A DOCTYPE that declares entities has no place in an STS response (billion laughs).
    failed = true
    parser.abortParsing()
  }

  func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
    failed = true
  }
}
