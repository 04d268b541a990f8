import AwsenvCore
import XCTest

@testable import awsenv

/// The hook's fast reading of `use` (``HookUseArguments``) against swift-argument-parser: for
/// every line, the fast path either declines it (and the parser handles it) or means exactly
/// what the parser makes of it.
final class HookUseArgumentsTests: XCTestCase {
  /// Lines the hook sends, and lines it must leave to the parser; `accepted` is what the fast
  /// path is expected to do with each.
  let table: [(arguments: [String], accepted: Bool)] = [
    (["use", "prod"], true),
    (["use", "prod", "--refresh"], true),
    (["use", "--refresh", "prod"], true),
    (["use", "prod", "--non-interactive"], true),
    (["use", "prod", "--region", "eu-west-1"], true),
    (["use", "--region", "eu-west-1", "prod"], true),
    (["use", "prod", "--region", "eu-west-1", "--refresh", "--non-interactive"], true),
    (["use", "--non-interactive", "--refresh", "--region", "us-east-1", "prod"], true),
    (["use", "prod", "--duration", "15m"], true),
    (["use", "prod", "--duration", "3600"], true),
    (["use", "--duration", "1h30m", "prod", "--non-interactive"], true),
    (
      [
        "use", "prod", "--region", "eu-west-1", "--refresh", "--non-interactive", "--duration",
        "1h",
      ],
      true
    ),
    (["use", "team/prod@corp"], true),
    (["use", "my profile"], true),
    (["use"], false),
    (["use", "--refresh"], false),
    (["use", "--region", "eu-west-1"], false),
    (["use", "prod", "--region"], false),
    (["use", "prod", "--region", "-x"], false),
    (["use", "prod", "--region=eu-west-1"], false),
    (["use", "prod", "--region", "a", "--region", "b"], false),
    (["use", "prod", "--refresh", "--refresh"], false),
    (["use", "prod", "--non-interactive", "--non-interactive"], false),
    (["use", "prod", "other"], false),
    (["use", "prod", "--duration"], false),
    (["use", "prod", "--duration", "soon"], false),
    (["use", "prod", "--duration", "-1h"], false),
    (["use", "prod", "--duration", "1h", "--duration", "2h"], false),
    (["use", "prod", "--duration=1h"], false),
    (["use", "-"], false),
    (["use", "--role-arn", "arn:aws:iam::123456789012:role/x"], false),
    (["use", "prod", "--mfa-code", "123456"], false),
    (["use", "prod", "--saml-assertion", "-"], false),
    (["use", "prod", "--debug"], false),
    (["use", "--", "prod"], false),
    (["use", "-prod"], false),
    (["use", "--help"], false),
    (["use", "-h"], false),
    (["use", "prod", "--region", "eu-west-1", "--refresh", "--non-interactive", "x"], false),
    (["clear"], false),
    (["exec", "prod"], false),
    ([], false),
  ]

  func testTheFastPathDeclinesOrAgreesWithTheParser() throws {
    for (arguments, accepted) in table {
      let fast = HookUseArguments(arguments)
      XCTAssertEqual(fast != nil, accepted, "\(arguments)")
      guard let fast else { continue }
      // What the parser makes of the same words after `use`.
      let parsed: Awsenv.Use
      do {
        parsed = try Awsenv.Use.parse(Array(arguments.dropFirst()))
      } catch {
        XCTFail("the fast path accepts \(arguments), the parser does not: \(error)")
        continue
      }
      let options = try parsed.credentials.resolveOptions(
        region: parsed.region, interactive: !parsed.nonInteractive)
      XCTAssertEqual(parsed.profile, fast.profile, "\(arguments)")
      XCTAssertEqual(options.regionFlag, fast.options.regionFlag, "\(arguments)")
      XCTAssertEqual(options.refresh, fast.options.refresh, "\(arguments)")
      XCTAssertEqual(options.interactive, fast.options.interactive, "\(arguments)")
      XCTAssertEqual(options.mfaCode, fast.options.mfaCode, "\(arguments)")
      XCTAssertEqual(options.samlAssertion, fast.options.samlAssertion, "\(arguments)")
      XCTAssertEqual(options.duration, fast.options.duration, "\(arguments)")
    }
  }

  /// The declined lines that are valid still parse: declining sends them to the parser, which
  /// must not turn a good line into an error.
  func testDeclinedValidLinesParse() throws {
    for arguments in [
      ["use", "prod", "--mfa-code", "123456"], ["use", "prod", "--region=eu-west-1"],
      ["use", "--", "prod"], ["use", "prod", "--duration=1h"],
    ] {
      XCTAssertNil(HookUseArguments(arguments))
      XCTAssertNoThrow(try Awsenv.Use.parse(Array(arguments.dropFirst())), "\(arguments)")
    }
  }
}
