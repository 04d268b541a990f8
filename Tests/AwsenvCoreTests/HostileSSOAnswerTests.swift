import Foundation
import XCTest

@testable import AwsenvCore

/// What IAM Identity Center must not get through, at the unit level: account IDs, role names
/// and account names from ListAccounts and ListAccountRoles (they go into ~/.aws/config and onto
/// the terminal), and what a login says about a verification URL it will not open.
final class HostileSSOAnswerTests: XCTestCase {
  func client(_ fake: FakeSSO) -> SSOClient {
    SSOClient(
      oidcEndpoint: ServiceEndpoint(scheme: "https", host: "oidc.eu-west-1.amazonaws.com"),
      portalEndpoint: ServiceEndpoint(scheme: "https", host: "portal.sso.eu-west-1.amazonaws.com"),
      transport: fake, retry: RetryPolicy(sleep: { _ in }))
  }

  /// `text` as a JSON string literal.
  func quoted(_ text: String) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self)
      .dropFirst().dropLast().description
  }

  func assertPrintable(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(
      text.unicodeScalars.contains(where: isTerminalControl), text.debugDescription, file: file,
      line: line)
  }

  func testAccountIDsMustBeTwelveDigits() throws {
    for id in [
      "11111111111", "1111111111111", "11111111111a", "١١١١١١١١١١١١", "1111\n[x]\u{1B}[2J",
    ] {
      let fake = FakeSSO()
      fake.script(
        "/assignment/accounts",
        [json(#"{"accountList":[{"accountId":\#(quoted(id)),"accountName":"Prod"}]}"#)])
      XCTAssertThrowsError(try client(fake).accounts(accessToken: "t"), id.debugDescription) {
        guard case .malformed(.listAccounts, let detail) = $0 as? SSOError else {
          return XCTFail("\($0)")
        }
        assertPrintable(detail)
        XCTAssertTrue(detail.hasSuffix("which is not twelve digits"), detail)
      }
    }
    let fake = FakeSSO()
    fake.script(
      "/assignment/accounts",
      [json(#"{"accountList":[{"accountId":"1111\n[x]\u001b[2J\u202e"}]}"#)])
    XCTAssertThrowsError(try client(fake).accounts(accessToken: "t")) {
      XCTAssertEqual(
        $0 as? SSOError,
        .malformed(
          operation: .listAccounts,
          detail: #"the account ID "1111?[x]?[2J?", which is not twelve digits"#))
    }
  }

  func testAccountNamesArriveWithoutControlsAndNotTooLong() throws {
    let hostile = "Prod\n[profile x]\r\n\u{1B}]8;;file:///\u{07}\u{9B}2J\u{202E}\u{2066}"
    let fake = FakeSSO()
    fake.script(
      "/assignment/accounts",
      [
        json(
          #"{"accountList":[{"accountId":"111111111111","accountName":\#(quoted(hostile))},"#
            + #"{"accountId":"222222222222","accountName":"東京 é"},"#
            + #"{"accountId":"333333333333"}]}"#)
      ])
    let accounts = try client(fake).accounts(accessToken: "t")
    XCTAssertEqual(
      accounts.map(\.accountName), ["Prod?[profile x]???]8;;file:///??2J??", "東京 é", ""])

    let long = FakeSSO()
    let name = String(repeating: "n", count: 257)
    long.script(
      "/assignment/accounts",
      [json(#"{"accountList":[{"accountId":"111111111111","accountName":"\#(name)"}]}"#)])
    XCTAssertThrowsError(try client(long).accounts(accessToken: "t")) {
      XCTAssertEqual(
        $0 as? SSOError,
        .malformed(
          operation: .listAccounts, detail: "an account name longer than 256 characters"))
    }
  }

  func testRoleNamesMustBeIAMRoleNames() throws {
    for role in ["Admin+=,.@_-1", String(repeating: "R", count: 64)] {
      let fake = FakeSSO()
      fake.script(
        "/assignment/roles", [json(#"{"roleList":[{"roleName":\#(quoted(role))}]}"#)])
      XCTAssertEqual(try client(fake).roles(accessToken: "t", accountID: "111111111111"), [role])
    }
    for role in [
      "", "Admin Access", "Admin]", "[profile x]", "Admin\n[profile x]", "Admin\r", "Admin#x",
      "Admin;x", "Rôle", "Admin\u{202E}", "Admin\u{9B}", String(repeating: "R", count: 65),
    ] {
      let fake = FakeSSO()
      fake.script(
        "/assignment/roles", [json(#"{"roleList":[{"roleName":\#(quoted(role))}]}"#)])
      XCTAssertThrowsError(
        try client(fake).roles(accessToken: "t", accountID: "111111111111"), role.debugDescription
      ) {
        guard case .malformed(.listAccountRoles, let detail) = $0 as? SSOError else {
          return XCTFail("\($0)")
        }
        assertPrintable(detail)
        XCTAssertTrue(detail.hasPrefix("the role name \""), detail)
        XCTAssertTrue(detail.hasSuffix("\", which is not an IAM role name"), detail)
      }
    }
    XCTAssertTrue(SSOAccount.isRoleName("a"))
    XCTAssertFalse(SSOAccount.isRoleName(String(repeating: "a", count: 65)))
  }

  func testQuotedServerTextIsPrintableAndShort() {
    XCTAssertEqual(quotedServerText("a\u{1B}[2J\u{202E}"), #""a?[2J?""#)
    XCTAssertEqual(
      quotedServerText(String(repeating: "x", count: 70)),
      "\"" + String(repeating: "x", count: 64) + "…\"")
    XCTAssertEqual(quotedServerText(""), #""""#)
  }

  func testSyncErrorsNameTheValueWithoutItsControls() {
    let role = SSOSyncError.invalidRoleName("Admin\n[profile x]\u{1B}]52;c;AA\u{07}\u{202E}")
    assertPrintable(role.message)
    XCTAssertTrue(role.message.contains(#""Admin?[profile x]?]52;c;AA??""#), role.message)
    let id = SSOSyncError.invalidAccountID("\u{9B}31m111")
    assertPrintable(id.message)
    XCTAssertTrue(id.message.contains(#""?31m111""#), id.message)
    let long = SSOSyncError.invalidRoleName(String(repeating: "R", count: 65))
    XCTAssertTrue(long.message.contains(String(repeating: "R", count: 64) + "…\""), long.message)
  }

  func testALoginSaysWhichVerificationURLItWillNotOpen() {
    var authorization = DeviceAuthorization(
      deviceCode: "d", userCode: "ABCD-EFGH",
      verificationURI: "https://device.sso.eu-west-1.amazonaws.com/",
      verificationURIComplete: "https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH",
      expiresIn: 600, interval: 1)
    XCTAssertNil(authorization.refusal)
    authorization.verificationURIComplete = nil
    XCTAssertNil(authorization.refusal)

    authorization.verificationURIComplete = "file:///etc/passwd"
    XCTAssertEqual(authorization.browserURL, "https://device.sso.eu-west-1.amazonaws.com/")
    XCTAssertTrue(authorization.refusal?.contains("the plain one is used") ?? false)

    authorization.verificationURI = "http://evil.example/\u{9B}"
    XCTAssertNil(authorization.browserURL)
    XCTAssertEqual(authorization.shownURI, "http://evil.example/?")
    XCTAssertTrue(authorization.refusal?.contains("so it was not opened") ?? false)
    authorization.verificationURIComplete = nil
    XCTAssertTrue(authorization.refusal?.contains("so it was not opened") ?? false)

    // A safe URL with the code is used when the plain one is not: nothing to say.
    authorization.verificationURIComplete = "https://device.example/?user_code=ABCD-EFGH"
    XCTAssertEqual(authorization.browserURL, "https://device.example/?user_code=ABCD-EFGH")
    XCTAssertNil(authorization.refusal)
  }
}
