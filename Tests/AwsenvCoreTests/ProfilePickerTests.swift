import Foundation
import XCTest

@testable import AwsenvCore

final class ProfilePickerTests: XCTestCase {
  func testRecentFirstThenConfigOrder() {
    let names = ["alpha", "beta", "prod", "dev"]
    XCTAssertEqual(
      ProfilePicker.order(names: names, recent: ["dev", "gone", "alpha", "dev"]),
      ["dev", "alpha", "beta", "prod"])
    XCTAssertEqual(ProfilePicker.order(names: names, recent: []), names)
  }

  func testSubstringMatchesFirstThenFuzzy() {
    let candidates = ["dev", "prod-admin", "prod", "staging-readonly", "Prod-EU", "sandbox"]
    XCTAssertEqual(ProfilePicker.filter(candidates, query: ""), candidates)
    XCTAssertEqual(
      ProfilePicker.filter(candidates, query: "prod"), ["prod-admin", "prod", "Prod-EU"])
    XCTAssertEqual(ProfilePicker.filter(candidates, query: "pda"), ["prod-admin"])
    // "ad" is in prod-admin and staging-readonly (earlier first); sandbox has a...d.
    XCTAssertEqual(
      ProfilePicker.filter(candidates, query: "ad"),
      ["prod-admin", "staging-readonly", "sandbox"])
    // Earlier substring matches rank first.
    XCTAssertEqual(
      ProfilePicker.filter(["xxdev", "dev", "xdev"], query: "dev"), ["dev", "xdev", "xxdev"])
    XCTAssertEqual(ProfilePicker.filter(candidates, query: "zz"), [])
    XCTAssertEqual(ProfilePicker.filter(["Été", "ete"], query: "ÉT"), ["Été"])
  }

  func testRecentListFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "awsenv-recent-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let recent = try XCTUnwrap(RecentProfiles(environment: ["XDG_STATE_HOME": dir.path]))
    XCTAssertEqual(recent.path, dir.path + "/awsenv/recent")
    XCTAssertEqual(recent.load(), [], "no file yet: an empty history")

    try recent.record("dev")
    try recent.record("prod")
    try recent.record("dev")
    XCTAssertEqual(recent.load(), ["dev", "prod"])
    let attributes = try FileManager.default.attributesOfItem(atPath: recent.path)
    XCTAssertEqual((attributes[.posixPermissions] as? Int), 0o600)
    let dirAttributes = try FileManager.default.attributesOfItem(atPath: dir.path + "/awsenv")
    XCTAssertEqual((dirAttributes[.posixPermissions] as? Int), 0o700)

    // Recording the first name again writes nothing (the prompt's refresh does that hourly).
    let before = try XCTUnwrap(attributes[.modificationDate] as? Date)
    let inode = try XCTUnwrap(attributes[.systemFileNumber] as? Int)
    try recent.record("dev")
    let after = try FileManager.default.attributesOfItem(atPath: recent.path)
    XCTAssertEqual(after[.systemFileNumber] as? Int, inode, "not rewritten")
    XCTAssertEqual(after[.modificationDate] as? Date, before)

    // Names that cannot be one line are not stored; the list is bounded.
    try recent.record("bad\nname")
    try recent.record("")
    for index in 0..<30 { try recent.record("p\(index)") }
    let names = recent.load()
    XCTAssertEqual(names.count, RecentProfiles.limit)
    XCTAssertEqual(names.first, "p29")
    XCTAssertFalse(names.contains { $0.contains("\n") || $0.isEmpty })
  }

  func testRecentListLocation() {
    XCTAssertEqual(
      RecentProfiles(environment: ["HOME": "/home/u"])?.path, "/home/u/.local/state/awsenv/recent")
    XCTAssertEqual(
      RecentProfiles(environment: ["HOME": "/home/u", "XDG_STATE_HOME": "relative"])?.path,
      "/home/u/.local/state/awsenv/recent", "a relative XDG_STATE_HOME is ignored, as the spec says"
    )
    XCTAssertNil(RecentProfiles(environment: [:]))
  }

  func testDamagedRecentFileIsTolerated() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "awsenv-recent-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let recent = RecentProfiles(path: dir.path + "/recent")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try Data("a\n\nb\r\na\n\u{1B}x\n".utf8).write(to: URL(fileURLWithPath: recent.path))
    XCTAssertEqual(recent.load(), ["a"])
  }
}
