import Foundation
import Synchronization
import XCTest

@testable import AwsenvCore

/// Keyring.items() with a KeyringIndex, over an in-memory store that counts its calls.
final class KeyringIndexTests: XCTestCase {
  /// Forwards to an InMemorySecretStore and counts searches and attribute reads.
  final class CountingStore: SecretStore {
    let inner = InMemorySecretStore()
    let searches = Atomic<Int>(0)
    let pathSearches = Atomic<Int>(0)
    /// How many items' attributes were read, one by one.
    let itemReads = Atomic<Int>(0)

    func store(label: String, attributes: [String: String], secret: String)
      throws(KeyringError)
    {
      try inner.store(label: label, attributes: attributes, secret: secret)
    }
    func lookup(_ attributes: [String: String]) throws(KeyringError) -> String? {
      try inner.lookup(attributes)
    }
    func search(_ attributes: [String: String]) throws(KeyringError) -> [[String: String]] {
      searches.add(1, ordering: .relaxed)
      return try inner.search(attributes)
    }
    func delete(_ attributes: [String: String]) throws(KeyringError) -> Int {
      try inner.delete(attributes)
    }
    func itemPaths(_ attributes: [String: String]) throws(KeyringError) -> ItemPaths? {
      pathSearches.add(1, ordering: .relaxed)
      return try inner.itemPaths(attributes)
    }
    func attributes(ofItems paths: [String], keeping: [String]) throws(KeyringError)
      -> [String: [String: String]]
    {
      itemReads.add(paths.count, ordering: .relaxed)
      return try inner.attributes(ofItems: paths, keeping: keeping)
    }
    var reads: Int { itemReads.load(ordering: .relaxed) }
  }

  private var dir = ""
  private var indexPath: String { dir + "/cache/awsenv/keyring-index" }

  override func setUpWithError() throws {
    dir = NSTemporaryDirectory() + "awsenv-index-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: dir)
  }

  private func keys(_ store: SecretStore, _ profile: String) throws {
    try store.store(
      label: "k", attributes: Keyring.attributes(profile: profile, kind: .accessKey), secret: "{}")
  }

  private func session(_ store: SecretStore, _ profile: String, expires: Int) throws {
    var attributes = Keyring.attributes(profile: profile, kind: .session)
    attributes["expires"] = String(expires)
    try store.store(label: "s", attributes: attributes, secret: "{}")
  }

  private func sorted(_ items: [Keyring.Item]) -> [String] {
    items.map {
      "\($0.profile)/\($0.kind)/\($0.expires.map { Int($0.timeIntervalSince1970) } ?? 0)"
    }
    .sorted()
  }

  private func modified() -> Date? {
    (try? FileManager.default.attributesOfItem(atPath: indexPath))?[.modificationDate] as? Date
  }

  func testNewPathsAreReadAndGoneOnesDropped() throws {
    let store = CountingStore()
    let keyring = Keyring(store: store, index: KeyringIndex(path: indexPath))
    try keys(store, "a")
    try keys(store, "b")
    try session(store, "b", expires: 1_900_000_000)
    XCTAssertEqual(
      sorted(try keyring.items()), ["a/access-key/0", "b/access-key/0", "b/session/1900000000"])
    XCTAssertEqual(store.reads, 3, "a cold index reads every item")
    XCTAssertEqual(store.searches.load(ordering: .relaxed), 0, "never the full search")

    try keys(store, "c")
    _ = try store.delete(["profile": "a"])
    XCTAssertEqual(
      sorted(try keyring.items()), ["b/access-key/0", "b/session/1900000000", "c/access-key/0"])
    XCTAssertEqual(store.reads, 4, "only the new item is read")

    // A session refreshed: new attributes, so a new item (and the old one deleted).
    _ = try store.delete(["profile": "b", "kind": "session"])
    try session(store, "b", expires: 1_900_003_600)
    XCTAssertEqual(
      sorted(try keyring.items()), ["b/access-key/0", "b/session/1900003600", "c/access-key/0"])
    XCTAssertEqual(store.reads, 5)

    let entries = KeyringIndex(path: indexPath).load(
      generation: try XCTUnwrap(try store.itemPaths([:])).generation)
    XCTAssertEqual(entries?.count, 3, "the gone paths are no longer in the file")
    // A fresh process reads nothing but the search.
    XCTAssertEqual(try Keyring(store: store, index: KeyringIndex(path: indexPath)).items().count, 3)
    XCTAssertEqual(store.reads, 5)
  }

  func testNoRewriteWhenUnchanged() throws {
    let store = CountingStore()
    let keyring = Keyring(store: store, index: KeyringIndex(path: indexPath))
    try keys(store, "a")
    _ = try keyring.items()
    // Mark the file, so that a rewrite (a new file renamed over it) shows.
    let before = try String(contentsOfFile: indexPath, encoding: .utf8)
    try FileManager.default.setAttributes(
      [.modificationDate: Date(timeIntervalSince1970: 1_000_000)], ofItemAtPath: indexPath)
    let inode = try XCTUnwrap(
      try FileManager.default.attributesOfItem(atPath: indexPath)[.systemFileNumber] as? Int)
    _ = try keyring.items()
    _ = try keyring.items()
    XCTAssertEqual(modified(), Date(timeIntervalSince1970: 1_000_000))
    XCTAssertEqual(
      try FileManager.default.attributesOfItem(atPath: indexPath)[.systemFileNumber] as? Int, inode)
    XCTAssertEqual(try String(contentsOfFile: indexPath, encoding: .utf8), before)
    XCTAssertEqual(store.reads, 1)
    XCTAssertEqual(store.pathSearches.load(ordering: .relaxed), 3)
  }

  func testCorruptOrForeignFileMeansAFullReadAndARewrite() throws {
    let store = CountingStore()
    let keyring = Keyring(store: store, index: KeyringIndex(path: indexPath))
    try keys(store, "a")
    try session(store, "a", expires: 1_900_000_000)
    _ = try keyring.items()
    XCTAssertEqual(store.reads, 2)
    let good = try String(contentsOfFile: indexPath, encoding: .utf8)
    for (number, bad) in [
      "garbage\u{0}\u{1}",
      String(good.dropLast()),  // cut short
      good.replacingOccurrences(of: "\t1900000000", with: "\tsoon"),
      good.replacingOccurrences(of: "awsenv-keyring-index 1", with: "awsenv-keyring-index 9"),
      good + good.split(separator: "\n").last! + "\n",  // a path twice
      "",
    ].enumerated() {
      try Data(bad.utf8).write(to: URL(fileURLWithPath: indexPath))
      XCTAssertEqual(
        sorted(try keyring.items()), ["a/access-key/0", "a/session/1900000000"], "case \(number)")
      XCTAssertEqual(store.reads, 2 + 2 * (number + 1), "case \(number): everything read again")
      XCTAssertEqual(try String(contentsOfFile: indexPath, encoding: .utf8), good, "rewritten")
    }
    // Another store (another collection or provider run) never reuses this file's entries.
    let other = CountingStore()
    try keys(other, "z")
    XCTAssertEqual(
      sorted(try Keyring(store: other, index: KeyringIndex(path: indexPath)).items()),
      ["z/access-key/0"])
    XCTAssertEqual(other.reads, 1)
  }

  func testUnwritableIndexNeverFailsTheListing() throws {
    let store = CountingStore()
    try keys(store, "a")
    // The index's directory is a file: nothing can be written or read there.
    FileManager.default.createFile(atPath: dir + "/cache", contents: Data("x".utf8))
    let keyring = Keyring(store: store, index: KeyringIndex(path: indexPath))
    XCTAssertEqual(sorted(try keyring.items()), ["a/access-key/0"])
    XCTAssertEqual(sorted(try keyring.items()), ["a/access-key/0"])
    XCTAssertEqual(store.reads, 2)
  }

  func testFileIsPrivateAndHoldsNoSecret() throws {
    let store = CountingStore()
    try store.store(
      label: "k", attributes: Keyring.attributes(profile: "a", kind: .accessKey),
      secret: "TOPSECRETVALUE")
    _ = try Keyring(store: store, index: KeyringIndex(path: indexPath)).items()
    var info = stat()
    XCTAssertEqual(stat(indexPath, &info), 0)
    XCTAssertEqual(info.st_mode & 0o7777, 0o600)
    XCTAssertEqual(stat(dir + "/cache/awsenv", &info), 0)
    XCTAssertEqual(info.st_mode & 0o7777, 0o700)
    XCTAssertFalse(try String(contentsOfFile: indexPath, encoding: .utf8).contains("TOPSECRET"))
    // A file someone made readable is private again after the next rewrite.
    chmod(indexPath, 0o644)
    try keys(store, "b")
    _ = try Keyring(store: store, index: KeyringIndex(path: indexPath)).items()
    XCTAssertEqual(stat(indexPath, &info), 0)
    XCTAssertEqual(info.st_mode & 0o7777, 0o600)
  }

  func testStandardPath() {
    XCTAssertEqual(
      KeyringIndex.standard(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"])?.path,
      "/c/awsenv/keyring-index")
    XCTAssertEqual(
      KeyringIndex.standard(environment: ["XDG_CACHE_HOME": "rel", "HOME": "/h"])?.path,
      "/h/.cache/awsenv/keyring-index")
    XCTAssertNil(KeyringIndex.standard(environment: [:]))
  }

  func testWithoutAnIndexTheStoreIsSearched() throws {
    let store = CountingStore()
    try keys(store, "a")
    XCTAssertEqual(sorted(try Keyring(store: store).items()), ["a/access-key/0"])
    XCTAssertEqual(store.searches.load(ordering: .relaxed), 1)
    XCTAssertEqual(store.pathSearches.load(ordering: .relaxed), 0)
  }
}
