import Foundation

/// The profiles used most recently, newest first: `$XDG_STATE_HOME/awsenv/recent` (default
/// `~/.local/state/awsenv/recent`), one name a line. Not secret, but kept 0600 in a 0700
/// directory like the rest of awsenv's files, and written atomically.
public struct RecentProfiles: Sendable {
  /// How many names the file keeps.
  public static let limit = 20

  public var path: String

  public init(path: String) {
    self.path = path
  }

  /// The file for this environment; nil when neither XDG_STATE_HOME nor HOME is usable.
  public init?(environment: [String: String]) {
    if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
      self.init(path: state + "/awsenv/recent")
    } else if let home = environment["HOME"], home.hasPrefix("/") {
      self.init(path: home + "/.local/state/awsenv/recent")
    } else {
      return nil
    }
  }

  /// The names, newest first; empty when the file is missing or unreadable (a picker without a
  /// history still works).
  public func load() -> [String] {
    guard let bytes = try? AtomicFile.read(path) else { return [] }
    var names: [String] = []
    for line in bytes.split(separator: UInt8(ascii: "\n")) {
      let name = String(decoding: line, as: UTF8.self)
      if Self.isStorable(name), !names.contains(name) { names.append(name) }
      if names.count == Self.limit { break }
    }
    return names
  }

  /// Puts `profile` first. Writes nothing when it already is first, so refreshing the same
  /// profile from the prompt never touches the disk.
  public func record(_ profile: String) throws(AtomicFile.Failure) {
    guard Self.isStorable(profile) else { return }
    let names = load()
    if names.first == profile { return }
    let updated = ([profile] + names.filter { $0 != profile }).prefix(Self.limit)
    try AtomicFile.writeOwn(Array((updated.joined(separator: "\n") + "\n").utf8), to: path)
  }

  /// A name that fits on one line of the file.
  private static func isStorable(_ name: String) -> Bool {
    !name.isEmpty && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
  }
}
