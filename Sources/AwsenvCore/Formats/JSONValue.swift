import Foundation

/// A JSON document to print, with keys in the order given (stable, diff-friendly output).
public indirect enum JSONValue: Sendable, Equatable {
  case string(String)
  case number(Int)
  case bool(Bool)
  case null
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.text == rhs.text }

  /// Compact JSON text.
  public var text: String {
    switch self {
    case .string(let value): return jsonString(value)
    case .number(let value): return String(value)
    case .bool(let value): return value ? "true" : "false"
    case .null: return "null"
    case .array(let values): return "[" + values.map(\.text).joined(separator: ",") + "]"
    case .object(let pairs):
      return "{" + pairs.map { jsonString($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
    }
  }
}

/// `text` as a JSON string literal.
func jsonString(_ text: String) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    // Foundation's JSONSerialization drops a raw U+FEFF at the start of a string (it reads it
    // as a byte order mark); escaped, it survives.
    case "\u{FEFF}": out += "\\ufeff"
    case _ where scalar.value < 0x20:
      let hex = String(scalar.value, radix: 16)
      out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}
