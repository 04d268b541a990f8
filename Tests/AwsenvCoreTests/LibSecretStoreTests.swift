import AwsenvCore
import Foundation
import Synchronization
import XCTest

/// LibSecretStore against a real gnome-keyring, in the private session of
/// Tests/harness/sandbox.sh (never a developer's own keyring).
///
/// Faults that need a bus of their own (no bus, no provider, no login collection, a locked
/// collection, a hung provider) re-run this test binary in a nested sandbox, selecting
/// `testFaultChild` with AWSENV_KEYRING_FAULT naming the fault.
final class LibSecretStoreTests: XCTestCase {
  private static let environment = ProcessInfo.processInfo.environment
  private static let skipReason = "run through make test (needs the private keyring sandbox)"

  private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789+/")

  /// A value unique to this test, on every item it stores, so tests never see each other's.
  private var tag = ""
  private var store = LibSecretStore()

  override func setUpWithError() throws {
    tag = "test-\(UUID().uuidString)"
  }

  override func tearDown() {
    if Self.environment["AWSENV_SANDBOX"] == "1", Self.environment["AWSENV_KEYRING_FAULT"] == nil {
      _ = try? store.delete(["cache-key": tag])
    }
  }

  private func attributes(_ profile: String, kind: String = "access-key") -> [String: String] {
    ["application": "awsenv-test", "profile": profile, "kind": kind, "cache-key": tag]
  }

  // MARK: Against the sandbox's unlocked login collection

  func testRoundTripsSecretsOfEveryShape() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    let secrets = [
      "ascii": "AKIAIOSFODNN7EXAMPLE",
      "utf8": "päss wörd ✓ 日本語 🔑",
      "big": String((0..<4096).map { Self.alphabet[$0 % Self.alphabet.count] }),
      "quotes": "it's \"quoted\" \\ $HOME `x`\nsecond line\r\n\ttab",
      "json": #"{"Version":1,"AccessKeyId":"AKIA","SecretAccessKey":"a\"b\\c"}"#,
      "empty": "",
    ]
    for (profile, secret) in secrets {
      try store.store(
        label: "awsenv test \(profile)", attributes: attributes(profile), secret: secret)
    }
    for (profile, secret) in secrets {
      XCTAssertEqual(try store.lookup(attributes(profile)), secret, profile)
    }
    XCTAssertEqual(try store.lookup(attributes("big"))?.utf8.count, 4096)
  }

  func testStoreReplacesTheItemWithTheSameAttributes() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    try store.store(label: "first", attributes: attributes("p"), secret: "one")
    try store.store(label: "second", attributes: attributes("p"), secret: "two")
    XCTAssertEqual(try store.lookup(attributes("p")), "two")
    XCTAssertEqual(try store.search(["cache-key": tag]).count, 1)
    // Replacing needs the exact attribute set: one more attribute is another item.
    var more = attributes("p")
    more["expires"] = "1900000000"
    try store.store(label: "third", attributes: more, secret: "three")
    XCTAssertEqual(try store.search(["cache-key": tag]).count, 2)
    XCTAssertEqual(try store.lookup(more), "three")
  }

  func testSearchReturnsTheAttributesOfEveryMatchAndNoSecret() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    let stored = [attributes("a"), attributes("b"), attributes("c", kind: "session")]
    for item in stored {
      try store.store(
        label: "awsenv test", attributes: item, secret: "secret-of-\(item["profile"]!)")
    }
    let found = try store.search(["cache-key": tag])
    XCTAssertEqual(Set(found), Set(stored), "exactly the stored attributes, no xdg:schema")
    XCTAssertFalse("\(found)".contains("secret-of"))
    XCTAssertEqual(try store.search(["cache-key": tag, "kind": "access-key"]).count, 2)
    XCTAssertEqual(try store.search(["cache-key": tag, "profile": "zzz"]), [])
  }

  func testDeleteCountsWhatItDeleted() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    for profile in ["a", "b", "c"] {
      try store.store(label: "awsenv test", attributes: attributes(profile), secret: profile)
    }
    XCTAssertEqual(try store.delete(attributes("a")), 1)
    XCTAssertNil(try store.lookup(attributes("a")))
    XCTAssertEqual(try store.delete(["cache-key": tag]), 2)
    XCTAssertEqual(try store.delete(["cache-key": tag]), 0)
    XCTAssertEqual(try store.search(["cache-key": tag]), [])
  }

  func testLookupOfAMissingItemIsNil() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    XCTAssertNil(try store.lookup(attributes("nobody")))
  }

  func testItemsStayInTheirCollection() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    let session = LibSecretStore(collection: "session")
    defer { _ = try? session.delete(["cache-key": tag]) }
    try session.store(label: "awsenv test", attributes: attributes("s"), secret: "in session")
    XCTAssertEqual(try session.lookup(attributes("s")), "in session")
    XCTAssertNil(try store.lookup(attributes("s")), "the login collection does not see it")
    XCTAssertEqual(try store.search(["cache-key": tag]), [])
    XCTAssertEqual(try store.delete(["cache-key": tag]), 0)
    XCTAssertEqual(try session.search(["cache-key": tag]).count, 1)
  }

  func testSearchesAndDeletesManyItems() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    // More items than dbus-daemon lets one connection wait on at once (128 on this bus): the
    // calls must be windowed. The session collection keeps them in memory, which is faster.
    let session = LibSecretStore(collection: "session")
    defer { _ = try? session.delete(["cache-key": tag]) }
    for index in 0..<300 {
      try session.store(label: "awsenv test", attributes: attributes("p\(index)"), secret: "s")
    }
    let found = try session.search(["cache-key": tag])
    XCTAssertEqual(Set(found.compactMap { $0["profile"] }).count, 300)
    XCTAssertEqual(try session.delete(["cache-key": tag]), 300)
  }

  func testCallsFromManyThreadsAtOnce() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    for index in 0..<8 {
      try store.store(label: "awsenv test", attributes: attributes("t\(index)"), secret: "\(index)")
    }
    let store = self.store
    let tag = self.tag
    let results = Mutex<[String?]>(Array(repeating: nil, count: 8))
    DispatchQueue.concurrentPerform(iterations: 8) { index in
      let attributes = [
        "application": "awsenv-test", "profile": "t\(index)", "kind": "access-key",
        "cache-key": tag,
      ]
      let secret = try? store.lookup(attributes)
      _ = try? store.search(["cache-key": tag])
      results.withLock { $0[index] = secret }
    }
    let values = results.withLock { $0 }
    for index in 0..<8 { XCTAssertEqual(values[index], "\(index)") }
  }

  func testStatusReportsTheLoginCollection() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    XCTAssertEqual(
      try store.status(),
      KeyringStatus(collection: "Login", locked: false, provider: "gnome-keyring-daemon"))
  }

  func testAMissingCollectionIsReported() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    for name in ["awsenv-no-such-alias", "/org/freedesktop/secrets/collection/awsenv_none"] {
      let missing = LibSecretStore(collection: name)
      XCTAssertThrowsError(try missing.lookup(attributes("p"))) {
        XCTAssertEqual($0 as? KeyringError, .noCollection(name))
      }
      XCTAssertThrowsError(try missing.store(label: "x", attributes: attributes("p"), secret: "s"))
      {
        XCTAssertEqual($0 as? KeyringError, .noCollection(name))
      }
      XCTAssertThrowsError(try missing.status()) {
        XCTAssertEqual($0 as? KeyringError, .noCollection(name))
      }
    }
  }

  func testAnAttributeOutsideTheSchemaIsRefused() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    XCTAssertThrowsError(try store.store(label: "x", attributes: ["colour": "red"], secret: "s")) {
      guard case .failed(let message) = $0 as? KeyringError else {
        return XCTFail("\($0)")
      }
      XCTAssertTrue(message.contains("colour"))
    }
  }

  // MARK: Faults, each in a nested sandbox of its own

  func testNoSessionBus() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent(tag)
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: empty) }
    try runFaultChild("no-bus", sandbox: nil, environment: ["XDG_RUNTIME_DIR": empty.path])
  }

  func testStaleSessionBusAddress() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    try runFaultChild(
      "no-bus", sandbox: nil,
      environment: ["DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/awsenv/bus"])
  }

  func testNoProvider() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    try runFaultChild("no-provider", sandbox: ["--no-keyring"])
  }

  func testNoLoginCollection() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    try runFaultChild("no-collection", sandbox: ["--no-keyring"])
  }

  func testLockedCollection() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    try runFaultChild("locked", sandbox: ["--locked"])
  }

  func testHungProvider() throws {
    try XCTSkipUnless(Self.environment["AWSENV_SANDBOX"] == "1", Self.skipReason)
    try runFaultChild("hung", sandbox: [])
  }

  /// Runs in the child only: meets the fault named by AWSENV_KEYRING_FAULT and prints
  /// "FAULT-OK <fault> <ms>", the time the faulty calls took.
  func testFaultChild() throws {
    let fault = Self.environment["AWSENV_KEYRING_FAULT"] ?? ""
    try XCTSkipIf(fault.isEmpty, "run only by the fault tests, in a sandbox of its own")
    let item = attributes("fault")
    let started = Date()
    switch fault {
    case "no-bus":
      for call in Self.calls(store, item) {
        XCTAssertThrows(try call(), { if case .noSessionBus = $0 { true } else { false } })
      }
    case "no-provider":
      for call in Self.calls(store, item) {
        XCTAssertThrows(try call(), { if case .noProvider = $0 { true } else { false } })
      }
    case "no-collection":
      // gnome-keyring started on a bus with no login keyring yet (a fresh account): the
      // "default" alias points at a collection that does not exist.
      try Self.run("/bin/sh", ["-c", "gnome-keyring-daemon --start --components=secrets"])
      try Self.waitForProvider()
      let begin = Date()
      for call in Self.calls(store, item) {
        XCTAssertThrows(try call(), { $0 == .noCollection("default") })
      }
      return print("FAULT-OK \(fault) \(Self.milliseconds(since: begin))")
    case "locked":
      // No prompter runs in the sandbox, so the one unlock attempt fails at once.
      for call in Self.calls(store, item, status: false) {
        XCTAssertThrows(try call(), { $0 == .locked("default") })
      }
      XCTAssertEqual(try store.status().locked, true, "nothing unlocked it")
    case "hung":
      try store.store(label: "awsenv test", attributes: item, secret: "before")
      let pid = try Self.providerPID()
      kill(pid, SIGSTOP)
      let begin = Date()
      XCTAssertThrows(try store.lookup(item), { $0 == .timedOut(seconds: 2) })
      let elapsed = Self.milliseconds(since: begin)
      kill(pid, SIGCONT)
      // The same process recovers once the provider answers again.
      XCTAssertEqual(try store.lookup(item), "before")
      _ = try store.delete(item)
      return print("FAULT-OK \(fault) \(elapsed)")
    default:
      XCTFail("unknown fault \(fault)")
    }
    print("FAULT-OK \(fault) \(Self.milliseconds(since: started))")
  }

  // MARK: Helpers

  /// One closure per SecretStore method (and status), each expected to throw the same way.
  private static func calls(
    _ store: LibSecretStore, _ item: [String: String], status: Bool = true
  ) -> [() throws -> Void] {
    let calls: [() throws -> Void] = [
      { _ = try store.lookup(item) },
      { try store.store(label: "awsenv test", attributes: item, secret: "s") },
      { _ = try store.search(item) },
      { _ = try store.delete(item) },
      // attributes(ofItems:) is left out: it only follows a successful itemPaths.
      { _ = try store.itemPaths(item) },
    ]
    return status ? calls + [{ _ = try store.status() }] : calls
  }

  /// Re-runs this test binary, in a nested sandbox when `sandbox` is given, selecting
  /// testFaultChild; checks it passed and that the fault surfaced within 3 s.
  private func runFaultChild(
    _ fault: String, sandbox: [String]?, environment extra: [String: String] = [:],
    file: StaticString = #filePath, line: UInt = #line
  ) throws {
    var environment = Self.environment
    environment["AWSENV_KEYRING_FAULT"] = fault
    if sandbox == nil {
      // Outside any sandbox: only the bus variables change.
      environment["DBUS_SESSION_BUS_ADDRESS"] = nil
      environment["DISPLAY"] = nil
    }
    environment.merge(extra) { $1 }
    let binary = try Self.testBinary()
    let filter = "AwsenvCoreTests.LibSecretStoreTests/testFaultChild"
    let command =
      sandbox.map { [Self.sandboxScript] + $0 + ["--", binary, filter] } ?? [binary, filter]
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(tag).log")
    defer { try? FileManager.default.removeItem(at: output) }
    let status = try Self.run(command[0], Array(command.dropFirst()), environment, output)
    let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    XCTAssertEqual(status, 0, "child failed:\n\(log)", file: file, line: line)
    guard
      let report = log.split(separator: "\n").first(where: { $0.hasPrefix("FAULT-OK \(fault) ") }),
      let milliseconds = Int(report.split(separator: " ").last ?? "")
    else {
      return XCTFail("the child did not run the fault test:\n\(log)", file: file, line: line)
    }
    XCTAssertLessThan(
      milliseconds, 3000, "the fault took too long to surface", file: file, line: line)
  }

  /// The xctest bundle this test runs from (an executable on Linux).
  private static func testBinary() throws -> String {
    let argument = CommandLine.arguments[0]
    if argument.hasSuffix(".xctest") { return argument }
    return try XCTUnwrap(
      Bundle.allBundles.map(\.bundlePath).first { $0.hasSuffix(".xctest") }, "no .xctest bundle")
  }

  private static let sandboxScript = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("harness/sandbox.sh").path

  /// Runs a program to completion and returns its exit status; after 60 s kills its process
  /// group (a 50 s libsecret hang fails the test rather than stalling the suite).
  ///
  /// posix_spawn rather than Foundation's Process: Process did not notice its children exit
  /// while this thread polled, and a test that waits for a nested sandbox must not hang.
  @discardableResult
  private static func run(
    _ executable: String, _ arguments: [String], _ environment: [String: String]? = nil,
    _ output: URL? = nil
  ) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // A file, not a pipe: daemons started in the child may hold a pipe open after it exits.
    posix_spawn_file_actions_addopen(
      &actions, 1, output?.path ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // A process group of its own, so that a timeout can kill the whole nested sandbox.
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let variables = (environment ?? Self.environment).map { strdup("\($0.key)=\($0.value)") }
    let envp = variables + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard spawned == 0 else {
      throw XCTSkip("cannot run \(executable): \(String(cString: strerror(spawned)))")
    }
    let deadline = Date().addingTimeInterval(60)
    var status: Int32 = 0
    while waitpid(pid, &status, WNOHANG) == 0 {
      if Date() > deadline {
        kill(-pid, SIGKILL)
        waitpid(pid, &status, 0)
        XCTFail("\(executable) did not finish within 60 s")
        return -1
      }
      usleep(5_000)
    }
    // WIFEXITED/WEXITSTATUS are macros Swift cannot import.
    return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
  }

  /// The pid of the process that owns org.freedesktop.secrets on this bus (not any other
  /// sandbox's gnome-keyring).
  private static func providerPID() throws -> pid_t {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("pid-\(getpid())")
    defer { try? FileManager.default.removeItem(at: output) }
    try run(
      "/usr/bin/dbus-send",
      [
        "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
        "org.freedesktop.DBus.GetConnectionUnixProcessID", "string:org.freedesktop.secrets",
      ], nil, output)
    let text = try String(contentsOf: output, encoding: .utf8)
    let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
    guard let index = words.firstIndex(of: "uint32"), index + 1 < words.count,
      let pid = pid_t(words[index + 1])
    else { throw XCTSkip("no provider pid in: \(text)") }
    return pid
  }

  /// Waits (at most ~5 s) until something owns org.freedesktop.secrets.
  private static func waitForProvider() throws {
    for _ in 0..<100 {
      if (try? providerPID()) != nil { return }
      usleep(50_000)
    }
    XCTFail("gnome-keyring-daemon did not claim its bus name")
  }

  private static func milliseconds(since start: Date) -> Int {
    Int(Date().timeIntervalSince(start) * 1000)
  }
}

/// Asserts that `expression` throws a KeyringError that `matches`.
private func XCTAssertThrows<T>(
  _ expression: @autoclosure () throws -> T, _ matches: (KeyringError) -> Bool,
  file: StaticString = #filePath, line: UInt = #line
) {
  do {
    let value = try expression()
    XCTFail("no error, got \(value)", file: file, line: line)
  } catch let error as KeyringError {
    XCTAssertTrue(matches(error), "unexpected \(error)", file: file, line: line)
  } catch {
    XCTFail("not a KeyringError: \(error)", file: file, line: line)
  }
}
