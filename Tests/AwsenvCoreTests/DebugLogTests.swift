import Foundation
import XCTest

@testable import AwsenvCore

final class DebugLogTests: XCTestCase {
  override func tearDown() {
    DebugLog.disable()
    super.tearDown()
  }

  func testRedactMasksRememberedSecretsAndKeyLikeRuns() {
    DebugLog.enable()
    let keys = Credentials(
      accessKeyID: "ASIAEXAMPLE000000001", secretAccessKey: "short/secret", sessionToken: "tok:1")
    XCTAssertEqual(
      DebugLog.redact("id ASIAEXAMPLE000000001 secret short/secret token tok:1"),
      "id ASIAEXAMPLE000000001 secret **** token ****")
    // Anything that looks like key material is masked even when it was never seen.
    let unseen = String(repeating: "Ab3+/", count: 8)
    XCTAssertEqual(DebugLog.redact("x: \(unseen);"), "x: ****;")
    // ARNs, URLs and short words stay readable.
    let arn = "arn:aws:iam::123456789012:role/dev at https://sts.eu-west-1.amazonaws.com/"
    XCTAssertEqual(DebugLog.redact(arn), arn)
    XCTAssertEqual(DebugLog.mask(accessKeyID: keys.accessKeyID), "ASIA…0001")
    // A long path that was declared harmless is shown; a secret inside it is still masked.
    let home = "/tmp/awsenv-sandbox.qzEFBH/tmp/awsenv-test-12E693C8-BB56-49DB-A153-93EB51F294AD"
    XCTAssertEqual(DebugLog.redact("\(home)/.aws/config"), "/tmp/awsenv-sandbox.****.aws/config")
    DebugLog.allow(home)
    XCTAssertEqual(DebugLog.redact("config: \(home)/.aws/config"), "config: \(home)/.aws/config")
    XCTAssertEqual(DebugLog.redact("\(home)/short/secret"), "\(home)/****")
    XCTAssertEqual(DebugLog.mask(accessKeyID: "short"), "****")
  }

  func testNothingIsRememberedUnlessDebugging() {
    _ = Credentials(accessKeyID: "AKIAEXAMPLE000000001", secretAccessKey: "kept-out")
    DebugLog.enable()
    XCTAssertEqual(DebugLog.redact("kept-out"), "kept-out")
  }

  func testStoreAndLookupThroughTheLoggingStoreRememberTheSecrets() throws {
    DebugLog.enable()
    let store = LoggingSecretStore(InMemorySecretStore())
    try store.store(label: "l", attributes: ["profile": "1"], secret: "plain-secret")
    XCTAssertEqual(try store.lookup(["profile": "1"]), "plain-secret")
    XCTAssertEqual(DebugLog.redact("plain-secret"), "****")
    try store.store(
      label: "l", attributes: ["profile": "2"], secret: #"{"Version":1,"SessionToken":"in-json"}"#)
    DebugLog.disable()
    DebugLog.enable()
    _ = try store.lookup(["profile": "2"])
    XCTAssertEqual(DebugLog.redact("in-json"), "****")
  }
}

final class FileLockTests: XCTestCase {
  func testASecondHolderWaitsThenGetsTheLock() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "awsenv-lock-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let directory = try XCTUnwrap(FileLock.directory(environment: ["XDG_RUNTIME_DIR": dir.path]))
    XCTAssertEqual(directory, dir.path + "/awsenv")
    var info = stat()
    XCTAssertEqual(stat(directory, &info), 0)
    XCTAssertEqual(info.st_mode & 0o777, 0o700)

    let first = Holder(try FileLock.acquire("profile", key: "dev", in: directory, timeout: 1))
    XCTAssertEqual(first.outcome?.waited, false)
    // flock belongs to the open file: a second open in this process is a second holder.
    XCTAssertThrowsError(try FileLock.acquire("profile", key: "dev", in: directory, timeout: 0.2)) {
      XCTAssertEqual(($0 as? FileLock.Busy)?.holder, getpid())
    }
    // Another key is another lock.
    XCTAssertNotNil(try FileLock.acquire("profile", key: "prod", in: directory, timeout: 0))
    let released = DispatchQueue(label: "release")
    released.asyncAfter(deadline: .now() + 0.2) { first.release() }
    let second = try FileLock.acquire("profile", key: "dev", in: directory, timeout: 5)
    XCTAssertEqual(second?.waited, true)
    let files = try FileManager.default.contentsOfDirectory(atPath: directory)
    XCTAssertEqual(files.count, 2)
    for file in files {
      XCTAssertEqual(stat("\(directory)/\(file)", &info), 0)
      XCTAssertEqual(info.st_mode & 0o777, 0o600, file)
    }
  }

  func testARuntimeDirectoryThatIsNotOursIsNotUsed() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "awsenv-lock-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    // awsenv/ is a link elsewhere: refused, and the fallback is used instead.
    try FileManager.default.createSymbolicLink(
      atPath: dir.path + "/awsenv", withDestinationPath: "/")
    let chosen = FileLock.directory(environment: ["XDG_RUNTIME_DIR": dir.path])
    XCTAssertNotEqual(chosen, dir.path + "/awsenv")
    XCTAssertEqual(chosen, "/tmp/awsenv-\(getuid())")
  }
}

/// A lock held until another thread lets it go.
private final class Holder: @unchecked Sendable {
  private let lock = NSLock()
  private var held: FileLock.Outcome?

  init(_ outcome: FileLock.Outcome?) { held = outcome }

  var outcome: FileLock.Outcome? { lock.withLock { held } }

  func release() { lock.withLock { held = nil } }
}
