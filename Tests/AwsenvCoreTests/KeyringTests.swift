import XCTest

@testable import AwsenvCore

final class KeyringTests: XCTestCase {
  func testAccessKeysRoundTripWithAttributes() throws {
    let store = InMemorySecretStore()
    let keyring = Keyring(store: store)
    let keys = Credentials(
      accessKeyID: "AKIAAWSENVTEST000001", secretAccessKey: "a\"b\\c", sessionToken: "t")
    try keyring.saveAccessKey(keys, profile: "p")
    XCTAssertEqual(try keyring.accessKey(profile: "p"), keys)
    XCTAssertNil(try keyring.accessKey(profile: "q"))
    XCTAssertEqual(
      try keyring.items(), [Keyring.Item(profile: "p", kind: "access-key", expires: nil)])
    let attributes = try store.search(["profile": "p"])
    XCTAssertEqual(attributes.first?["application"], "awsenv")
    XCTAssertFalse(attributes.description.contains("a\"b"), "attributes never hold the secret")
  }

  func testRemoveSessionsOnly() throws {
    let store = InMemorySecretStore()
    let keyring = Keyring(store: store)
    try keyring.saveAccessKey(
      Credentials(accessKeyID: "AKIAAWSENVTEST000001", secretAccessKey: "s"), profile: "p")
    var session = Keyring.attributes(profile: "p", kind: .session)
    session["expires"] = "1900000000"
    try store.store(label: "s", attributes: session, secret: "{}")
    XCTAssertEqual(try keyring.items().count, 2)
    XCTAssertEqual(
      try keyring.items().first { $0.kind == "session" }?.expires?.timeIntervalSince1970,
      1_900_000_000)
    XCTAssertEqual(try keyring.remove(profile: "p", sessionsOnly: true), 1)
    XCTAssertEqual(try keyring.remove(profile: "p", sessionsOnly: false), 1)
    XCTAssertEqual(try keyring.remove(profile: "p", sessionsOnly: false), 0)
  }

  func testForeignItemIsAClearError() throws {
    let store = InMemorySecretStore()
    try store.store(
      label: "x", attributes: Keyring.attributes(profile: "p", kind: .accessKey), secret: "not json"
    )
    XCTAssertThrowsError(try Keyring(store: store).accessKey(profile: "p")) { error in
      XCTAssertTrue((error as? KeyringError)?.message.contains("awsenv add p") ?? false)
    }
  }

  func testSelfTest() throws {
    let store = InMemorySecretStore()
    try Keyring(store: store).selfTest()
    XCTAssertEqual(try store.search([:]).count, 0, "the probe is deleted")
  }

  func testCredentialsValidation() {
    let good = Credentials(accessKeyID: "AKIAAWSENVTEST000001", secretAccessKey: "abc/DEF+ghi")
    XCTAssertNoThrow(try good.validate())
    for bad in [
      Credentials(accessKeyID: "short", secretAccessKey: "s"),
      Credentials(accessKeyID: "AKIA AWSENVTEST00001", secretAccessKey: "s"),
      Credentials(accessKeyID: "AKIAAWSENVTEST000001", secretAccessKey: ""),
      Credentials(accessKeyID: "AKIAAWSENVTEST000001", secretAccessKey: "with space"),
      Credentials(accessKeyID: "AKIAAWSENVTEST000001", secretAccessKey: "s", sessionToken: "a\nb"),
    ] {
      XCTAssertThrowsError(try bad.validate(), "\(bad.accessKeyID)")
    }
  }

  func testProcessJSON() {
    let expiry = Date(timeIntervalSince1970: 1_800_000_000)
    let keys = Credentials(
      accessKeyID: "ASIAX", secretAccessKey: "s\"", sessionToken: "t", expiration: expiry)
    XCTAssertEqual(
      keys.processJSON(),
      #"{"Version":1,"AccessKeyId":"ASIAX","SecretAccessKey":"s\"","SessionToken":"t","Expiration":"2027-01-15T08:00:00Z"}"#
    )
    XCTAssertEqual(Credentials.fromProcessJSON(keys.processJSON()), keys)
  }
}
