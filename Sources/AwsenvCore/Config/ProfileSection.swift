/// One section's properties.
///
/// Keys are stored lowercased (AWS keys are case-insensitive) and values trimmed. A property
/// whose value is an indented block (`s3 =` followed by `  name = value` lines) keeps the raw
/// block text in `properties`, as the SDKs do, and the parsed pairs in `subProperties`.
public struct ProfileSection: Sendable, Equatable {
  public var name: String
  public var properties: [String: String]
  public var subProperties: [String: [String: String]]

  /// Keys are lowercased here so that a section built by hand finds the same keys as a parsed
  /// one.
  public init(
    name: String, properties: [String: String] = [:],
    subProperties: [String: [String: String]] = [:]
  ) {
    self.name = name
    self.properties = Dictionary(
      properties.map { (asciiLowercased($0.key), $0.value) }, uniquingKeysWith: { _, last in last })
    self.subProperties = Dictionary(
      subProperties.map { group in
        (
          asciiLowercased(group.key),
          Dictionary(
            group.value.map { (asciiLowercased($0.key), $0.value) },
            uniquingKeysWith: { _, last in last })
        )
      },
      uniquingKeysWith: { _, last in last })
  }

  /// The value of `key`, whatever its case.
  public subscript(key: String) -> String? {
    properties[asciiLowercased(key)]
  }

  /// The value of `subKey` in the block under `key` (e.g. `s3`, `max_concurrent_requests`).
  public func subProperty(_ key: String, _ subKey: String) -> String? {
    subProperties[asciiLowercased(key)]?[asciiLowercased(subKey)]
  }

  /// Sets `key` from another file or section: a later definition replaces the earlier one,
  /// block and all.
  mutating func set(_ key: String, value: String, subProperties block: [String: String]?) {
    properties[key] = value
    subProperties[key] = block
  }

  /// Takes every property of `other`, which wins on conflicts (the credentials file over the
  /// config file).
  mutating func merge(_ other: ProfileSection) {
    for (key, value) in other.properties {
      set(key, value: value, subProperties: other.subProperties[key])
    }
  }
}
