import Foundation

/// What `awsenv list` knows of awsenv's keyring items between runs: object path → profile,
/// kind and expiry, so that a listing reads only the attributes of items it has not seen.
///
/// gnome-keyring answers one Properties.Get per item and finds each item by a linear search,
/// so reading the attributes of 5,000 items takes ~2 s, while one SearchItems (the live paths)
/// takes ~12 ms. ``Keyring/items()`` searches, takes the known paths from here, reads only the
/// new ones, and forgets the paths that are gone.
///
/// Why a path's entry stays true: awsenv never changes the attributes of an item. Storing
/// replaces only an item whose attributes are exactly the new ones (the Secret Service's
/// CreateItem with `replace`; measured on gnome-keyring: storing twice with the same attributes
/// keeps the item and its path), so new attributes (a session with another `expires`) make a
/// new item with a new path (measured: .../login/1 → .../login/2; awsenv then deletes the old
/// one). A path could name another item only after a restart of the provider or the collection
/// being made again, which the ``ItemPaths/generation`` the index is keyed by tells apart. Not
/// covered: another program editing an awsenv item's attributes in place (Seahorse cannot;
/// awsenv never does), or a keyring file swapped under a running gnome-keyring. Deleting the
/// file is always safe: the next `list` reads every item and writes it again.
///
/// Nothing here is secret: profile names are those of ~/.aws/config (or the keyring's own
/// attributes, which any same-user process can list without unlocking), kinds and expiry times
/// say nothing of a key. The file is still private (0600 in a 0700 directory). A missing,
/// unreadable, corrupt or other-generation file just means a full read and a rewrite; no
/// failure of the index ever fails a listing.
public struct KeyringIndex: Sendable {
  /// The index file.
  public let path: String

  static let header = "awsenv-keyring-index 1"
  /// An index larger than this is not ours (5,000 items take ~400 KB).
  static let limit = 64 << 20

  public init(path: String) {
    self.path = path
  }

  /// `$XDG_CACHE_HOME/awsenv/keyring-index`, with `~/.cache` when XDG_CACHE_HOME is unset or
  /// relative (as the XDG spec says); nil without a HOME.
  public static func standard(environment: [String: String]) -> KeyringIndex? {
    var cache = environment["XDG_CACHE_HOME"] ?? ""
    if !cache.hasPrefix("/") {
      guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
      cache = home + "/.cache"
    }
    return KeyringIndex(path: cache + "/awsenv/keyring-index")
  }

  /// The entries of `generation`; nil when the file is missing, unreadable, malformed or of
  /// another generation.
  public func load(generation: String) -> [String: Keyring.Item]? {
    guard let bytes = try? AtomicFile.read(path, limit: Self.limit) else { return nil }
    var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    // The text ends with a newline: the last piece is empty. Anything else was cut short.
    guard lines.count >= 3, lines.removeLast().isEmpty,
      String(decoding: lines[0], as: UTF8.self) == Self.header,
      String(decoding: lines[1], as: UTF8.self) == generation
    else { return nil }
    var entries: [String: Keyring.Item] = [:]
    entries.reserveCapacity(lines.count - 2)
    for line in lines.dropFirst(2) {
      let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
      guard fields.count == 4, !fields[0].isEmpty, !fields[1].isEmpty, !fields[2].isEmpty
      else { return nil }
      var expires: Date?
      if !fields[3].isEmpty {
        guard let seconds = Double(String(decoding: fields[3], as: UTF8.self)) else { return nil }
        expires = Date(timeIntervalSince1970: seconds)
      }
      let path = String(decoding: fields[0], as: UTF8.self)
      guard entries[path] == nil else { return nil }
      entries[path] = Keyring.Item(
        profile: String(decoding: fields[1], as: UTF8.self),
        kind: String(decoding: fields[2], as: UTF8.self), expires: expires)
    }
    return entries
  }

  /// Replaces the file with `entries` of `generation` (atomically, 0600); gives up silently.
  /// An entry that cannot be written as a line (a tab or newline in a field) is left out: it
  /// is read again next time.
  public func save(generation: String, entries: [(path: String, item: Keyring.Item)]) {
    guard Self.isField(generation) else { return }
    var text = Self.header + "\n" + generation + "\n"
    text.reserveCapacity(entries.count * 80)
    for (path, item) in entries where Self.isEntry(path, item) {
      text += path + "\t" + item.profile + "\t" + item.kind + "\t"
      if let expires = item.expires { text += String(expires.timeIntervalSince1970) }
      text += "\n"
    }
    // Never through a planted link, always 0600 (AtomicFile.writeOwn).
    try? AtomicFile.writeOwn(Array(text.utf8), to: path)
  }

  static func isEntry(_ path: String, _ item: Keyring.Item) -> Bool {
    !path.isEmpty && !item.profile.isEmpty && !item.kind.isEmpty && isField(path)
      && isField(item.profile) && isField(item.kind)
  }

  private static func isField(_ text: String) -> Bool {
    !text.utf8.contains { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\t") }
  }
}
