import XCTest

@testable import AwsenvCore

final class ShellSessionTests: XCTestCase {
  let keys = Credentials(accessKeyID: "AKIAAWSENVTEST000001", secretAccessKey: "s/e+c")

  func testFirstUseSavesTheOriginalState() throws {
    let env = ["AWS_REGION": "eu-north-1", "AWS_PROFILE": "old", "HOME": "/h"]
    let changes = ShellSession.use(
      Activation(profile: "p", credentials: keys, region: "us-east-2"), environment: env)
    XCTAssertTrue(changes.contains(.export("AWS_ACCESS_KEY_ID", keys.accessKeyID)))
    XCTAssertTrue(changes.contains(.unset("AWS_SESSION_TOKEN")))
    XCTAssertTrue(changes.contains(.export("AWS_PROFILE", "p")))
    XCTAssertTrue(changes.contains(.export("AWSENV_PROFILE", "p")))
    guard case .shellVariable(ShellSession.savedStateVariable, let text)? = changes.last,
      let saved = SavedState(encoded: text)
    else { return XCTFail("the last change saves the state") }
    XCTAssertEqual(saved.value(of: "AWS_REGION"), "eu-north-1")
    XCTAssertEqual(saved.value(of: "AWS_PROFILE"), "old")
    XCTAssertNil(saved.value(of: "AWS_ACCESS_KEY_ID"))
    XCTAssertEqual(saved.entries.count, ShellSession.managedVariables.count)
  }

  func testLaterUseKeepsTheFirstSavedStateAndClearRestoresIt() throws {
    let first = SavedState(entries: [("AWS_REGION", "x y\n"), ("AWS_PROFILE", nil)])
    let env = [
      "AWS_REGION": "us-east-2", "AWS_PROFILE": "p",
      ShellSession.savedStateEnvironment: first.encoded,
    ]
    let changes = ShellSession.use(
      Activation(profile: "q", credentials: keys, region: nil), environment: env)
    XCTAssertEqual(changes.last, .shellVariable(ShellSession.savedStateVariable, first.encoded))
    let cleared = ShellSession.clear(environment: env)
    XCTAssertEqual(
      cleared,
      [
        .export("AWS_REGION", "x y\n"), .unset("AWS_PROFILE"), .unset("AWSENV_PROFILE"),
        .unset("AWSENV_EXPIRES"), .unset("AWSENV_REFRESH_AT"), .unset("AWSENV_IDENTITY"),
        .unset("AWSENV_DURATION"),
        .shellVariable(ShellSession.savedStateVariable, ""),
      ])
  }

  func testClearWithoutSavedStateUnsetsTheAWSVariables() {
    let cleared = ShellSession.clear(environment: ["AWSENV_PROFILE": "inherited"])
    for name in ShellSession.managedVariables { XCTAssertTrue(cleared.contains(.unset(name))) }
  }

  func testClearWithNothingActiveChangesNothing() {
    XCTAssertEqual(ShellSession.clear(environment: ["AWS_PROFILE": "mine", "AWS_REGION": "x"]), [])
    XCTAssertEqual(ShellSession.clear(environment: [ShellSession.savedStateEnvironment: ""]), [])
  }

  func testSavedStateRoundTripsAnyValue() {
    let values = ["", " ", "a=b", "%41", "-x", "é\n\t\u{1}", "v1 -A B=c"]
    let state = SavedState(
      entries: values.enumerated().map { ("V\($0.offset)", $0.element) } + [("U", nil)])
    let decoded = SavedState(encoded: state.encoded)
    XCTAssertEqual(decoded?.entries.map(\.0), state.entries.map(\.0))
    XCTAssertEqual(decoded?.entries.map(\.1), state.entries.map(\.1))
    XCTAssertFalse(state.encoded.contains("\n"))
    for damaged in ["", "v2 A=b", "v1 A=%zz", "v1 1A=b", "v1 -B;C", "v1 novalue"] {
      XCTAssertNil(SavedState(encoded: damaged), damaged)
    }
  }

  func testRegionPrecedence() {
    let saved = SavedState(entries: [("AWS_REGION", "orig")]).encoded
    let env = [ShellSession.savedStateEnvironment: saved, "AWS_REGION": "from-last-use"]
    XCTAssertEqual(ShellSession.region(flag: "f", profileRegion: "p", environment: env), "f")
    XCTAssertEqual(ShellSession.region(flag: nil, profileRegion: "p", environment: env), "p")
    XCTAssertEqual(ShellSession.region(flag: nil, profileRegion: nil, environment: env), "orig")
    XCTAssertNil(ShellSession.region(flag: nil, profileRegion: nil, environment: [:]))
  }
}
