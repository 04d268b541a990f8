import Foundation

/// A JSON object from a response, read with typed accessors (a wrong type reads as missing).
struct JSONObject: @unchecked Sendable {
  let values: [String: Any]

  init(_ values: [String: Any]) { self.values = values }

  /// The object in `bytes`, which must be UTF-8 as RFC 8259 requires of JSON on the wire
  /// (JSONSerialization would also guess UTF-16 and UTF-32; a NUL byte is never in JSON).
  static func parse(_ bytes: [UInt8]) -> JSONObject? {
    guard !bytes.isEmpty, !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil,
      let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
    else { return nil }
    return JSONObject(object)
  }

  func string(_ key: String) -> String? { values[key] as? String }

  /// A member that is a whole number, nil for any other type or a number no Int holds.
  /// JSONSerialization gives NSNumber for numbers and for `true`/`false` alike; booleans
  /// (objCType "c") are not numbers here.
  func integer(_ key: String) -> Int? {
    guard let number = values[key] as? NSNumber, String(cString: number.objCType) != "c" else {
      return nil
    }
    return Int(exactly: number.doubleValue)
  }

  /// Whether `key` is present and not null (null counts as absent, as in botocore).
  func has(_ key: String) -> Bool {
    values[key].map { !($0 is NSNull) } ?? false
  }

  /// A member in seconds (`expiresIn`, `interval`): a whole number in 0...Int32.max, `default`
  /// when absent or null, nil when present in any other form.
  func seconds(_ key: String, default value: Int) -> Int? {
    guard has(key) else { return value }
    guard let seconds = integer(key), (0...Int(Int32.max)).contains(seconds) else { return nil }
    return seconds
  }

  func object(_ key: String) -> JSONObject? {
    (values[key] as? [String: Any]).map(JSONObject.init)
  }

  /// An array of objects; nil when it is not one, or when any element is not an object.
  func array(_ key: String) -> [JSONObject]? {
    guard let list = values[key] as? [Any] else { return nil }
    var objects: [JSONObject] = []
    for element in list {
      guard let object = element as? [String: Any] else { return nil }
      objects.append(JSONObject(object))
    }
    return objects
  }
}
