import XCTest

@testable import AwsenvCore

final class ConfigFileEditorTests: XCTestCase {
  func testRemovesOnlyTheSecretLinesOfTheChosenProfiles() {
    let text = """
      ; top comment\r
      [a]\r
      AWS_Access_Key_ID = AKIA1\r
      aws_secret_access_key=s1\r
      region = x\r
      [b]
      aws_access_key_id = AKIA2
      aws_secret_access_key = s2
      aws_session_token = long
        continued
      output = json
      [ c ]
      aws_access_key_id = AKIA3
      """
    let result = ConfigFileEditor.removingSecrets(
      from: text, profiles: ["a", "b", "c"], isConfigFile: false)
    XCTAssertEqual(result, "; top comment\r\n[a]\r\nregion = x\r\n[b]\noutput = json\n[ c ]\n")
    let onlyB = ConfigFileEditor.removingSecrets(from: text, profiles: ["b"], isConfigFile: false)
    XCTAssertTrue(onlyB.contains("aws_secret_access_key=s1") && !onlyB.contains("s2"))
  }

  func testConfigFileHeaders() {
    let text =
      "[profile p]\naws_secret_access_key = s\n[sso-session p]\nx = 1\n[default]\naws_secret_access_key = d\n"
    XCTAssertEqual(
      ConfigFileEditor.removingSecrets(from: text, profiles: ["p", "default"], isConfigFile: true),
      "[profile p]\n[sso-session p]\nx = 1\n[default]\n")
  }

  func testAppendingProfile() {
    XCTAssertEqual(ConfigFileEditor.appendingProfile("p", to: ""), "[profile p]\n")
    XCTAssertEqual(ConfigFileEditor.appendingProfile("p", to: "[a]"), "[a]\n\n[profile p]\n")
    XCTAssertEqual(ConfigFileEditor.appendingProfile("default", to: "x\n"), "x\n\n[default]\n")
  }
}
