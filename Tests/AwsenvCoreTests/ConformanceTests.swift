import AwsenvCore
import Foundation
import XCTest

/// The AWS SDKs' shared suites, vendored unchanged under Conformance/ (its README.md says from
/// where and at which commit). Every case passes as written; a case awsenv ever answers
/// differently must be listed, with its reason, in DECISIONS.md.
final class ConformanceTests: XCTestCase {
  func testSuitesLoadCompletely() throws {
    // A missing or truncated file would otherwise leave the loops below with no cases.
    XCTAssertEqual(try ConformanceSuite.loadParserCases().count, 65)
    XCTAssertEqual(try ConformanceSuite.loadAssumeRoleCases().count, 28)
  }

  /// Every case of profile-parser-tests.json; each message names its case.
  func testProfileParser() throws {
    for testCase in try ConformanceSuite.loadParserCases() {
      checkParser(testCase)
    }
  }

  /// Every case of assume-role-tests.json; each message names its case.
  func testAssumeRoleResolution() throws {
    for testCase in try ConformanceSuite.loadAssumeRoleCases() {
      checkAssumeRole(testCase)
    }
  }

  private func checkParser(_ testCase: ParserCase) {
    let result = Result { () throws(ConfigError) in
      try AWSConfig.parse(
        config: testCase.configFile, configPath: "config", credentials: testCase.credentialsFile,
        credentialsPath: "credentials")
    }
    switch (testCase.expected, result) {
    case (.error(let text), .failure(let error)):
      XCTAssertTrue(error.message.contains(text), "\(testCase.name): \(error)")
      XCTAssertGreaterThanOrEqual(error.line, 1, "\(testCase.name): errors name a line")
    case (.config(let profiles, let ssoSessions), .success(let config)):
      XCTAssertEqual(config.profiles.mapValues(\.properties), profiles, "\(testCase.name)")
      XCTAssertEqual(Set(config.profileNames), Set(profiles.keys), "\(testCase.name)")
      if let ssoSessions {
        XCTAssertEqual(
          config.ssoSessions.mapValues(\.properties), ssoSessions, "\(testCase.name)")
      }
    case (.error(let text), .success(let config)):
      XCTFail("\(testCase.name): expected an error containing \(text), got \(config.profiles)")
    case (.config, .failure(let error)):
      XCTFail("\(testCase.name): unexpected error \(error)")
    }
  }

  private func checkAssumeRole(_ testCase: AssumeRoleCase) {
    let config = AWSConfig(
      profiles: Dictionary(
        uniqueKeysWithValues: testCase.profiles.map {
          ($0.key, ProfileSection(name: $0.key, properties: $0.value))
        }),
      ssoSessions: Dictionary(
        uniqueKeysWithValues: testCase.ssoSessions.map {
          ($0.key, ProfileSection(name: $0.key, properties: $0.value))
        }))
    let result = Result { () throws(ResolveError) in
      try config.resolveChain(profile: testCase.selectedProfile, keyringFallback: false)
    }
    switch (testCase.expected, result) {
    case (.error(let text), .failure(let error)):
      XCTAssertTrue(error.message.contains(text), "\(testCase.name): \(error.message)")
    case (.chain(let steps), .success(let chain)):
      XCTAssertEqual(ConformanceSuite.steps(of: chain), steps, "\(testCase.name)")
    case (.error(let text), .success(let chain)):
      XCTFail("\(testCase.name): expected an error containing \(text), got \(chain)")
    case (.chain, .failure(let error)):
      XCTFail("\(testCase.name): unexpected error \(error.message)")
    }
  }
}

/// One case of profile-parser-tests.json.
struct ParserCase: Sendable {
  enum Expected: Sendable {
    /// Profiles' properties by name; sso-sessions only when the case states them.
    case config(profiles: [String: [String: String]], ssoSessions: [String: [String: String]]?)
    case error(String)
  }

  var name: String
  var configFile: String
  var credentialsFile: String
  var expected: Expected
}

/// One case of assume-role-tests.json.
struct AssumeRoleCase: Sendable {
  enum Expected: Sendable {
    case chain([ConformanceSuite.Step])
    case error(String)
  }

  var name: String
  var profiles: [String: [String: String]]
  var ssoSessions: [String: [String: String]]
  var selectedProfile: String
  var expected: Expected
}

enum ConformanceSuite {
  /// One provider of the suite's `ProfileChain` output: its kind and its fields, absent fields
  /// left out, so that comparing two steps also catches fields that should not be there.
  struct Step: Sendable, Equatable, CustomStringConvertible {
    var kind: String
    var fields: [String: String]
    var description: String { "\(kind)\(fields.sorted { $0.key < $1.key })" }
  }

  struct FormatError: Error, CustomStringConvertible {
    var description: String
  }

  /// Conformance/ beside this file, in the repository (Tests/AwsenvCoreTests/Conformance).
  static let directory: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().appendingPathComponent("Conformance")

  static func loadParserCases() throws -> [ParserCase] {
    let root = try json("profile-parser-tests.json")
    guard let tests = (root as? [String: Any])?["tests"] as? [[String: Any]] else {
      throw FormatError(description: "profile-parser-tests.json: no `tests` array")
    }
    return try tests.map { test in
      guard let name = test["name"] as? String, let input = test["input"] as? [String: Any],
        let output = test["output"] as? [String: Any]
      else { throw FormatError(description: "parser case without name/input/output: \(test)") }
      let expected: ParserCase.Expected
      if let text = output["errorContaining"] as? String {
        expected = .error(text)
      } else if let config = output["config"] as? [String: Any],
        let profiles = try sections(config["profiles"])
      {
        expected = .config(profiles: profiles, ssoSessions: try sections(config["sso_sessions"]))
      } else {
        throw FormatError(description: "\(name): output is neither config nor errorContaining")
      }
      return ParserCase(
        name: name, configFile: input["configFile"] as? String ?? "",
        credentialsFile: input["credentialsFile"] as? String ?? "", expected: expected)
    }
  }

  static func loadAssumeRoleCases() throws -> [AssumeRoleCase] {
    guard let tests = try json("assume-role-tests.json") as? [[String: Any]] else {
      throw FormatError(description: "assume-role-tests.json: not an array of cases")
    }
    return try tests.map { test in
      guard let name = test["docs"] as? String, let input = test["input"] as? [String: Any],
        let output = test["output"] as? [String: Any],
        let selected = input["selected_profile"] as? String,
        let profiles = try sections(input["profiles"])
      else { throw FormatError(description: "assume-role case without docs/input/output") }
      let expected: AssumeRoleCase.Expected
      if let text = output["Error"] as? String {
        expected = .error(text)
      } else if let chain = output["ProfileChain"] as? [[String: Any]] {
        expected = .chain(try chain.map(step))
      } else {
        throw FormatError(description: "\(name): output is neither ProfileChain nor Error")
      }
      return AssumeRoleCase(
        name: name, profiles: profiles, ssoSessions: try sections(input["sso_sessions"]) ?? [:],
        selectedProfile: selected, expected: expected)
    }
  }

  /// The suite's view of a chain: base provider first, then each AssumeRole.
  static func steps(of chain: ProfileChain) -> [Step] {
    func step(_ kind: String, _ fields: [String: String?]) -> Step {
      Step(kind: kind, fields: fields.compactMapValues { $0 })
    }
    var steps: [Step] = []
    switch chain.base {
    case .staticKeys(_, let keys):
      steps.append(
        step(
          "AccessKey",
          [
            "access_key_id": keys?.accessKeyID, "secret_access_key": keys?.secretAccessKey,
            "session_token": keys?.sessionToken, "account_id": keys?.accountID,
          ]))
    case .namedSource(_, let name):
      steps.append(step("NamedSource", ["": name]))
    case .webIdentity(_, let roleArn, let tokenFile, let sessionName):
      steps.append(
        step(
          "WebIdentityToken",
          [
            "role_arn": roleArn, "web_identity_token_file": tokenFile,
            "role_session_name": sessionName,
          ]))
    case .sso(_, let sessionName, let startURL, let region, let accountID, let roleName):
      steps.append(
        step(
          "Sso",
          [
            "sso_session": sessionName, "sso_start_url": startURL, "sso_region": region,
            "sso_account_id": accountID, "sso_role_name": roleName,
          ]))
    case .process(_, let command):
      steps.append(step("CredentialProcess", ["": command]))
    case .saml(_, let roleArn, let providerArn, let sessionName):
      // awsenv's own; the suite has no SAML provider.
      steps.append(
        step(
          "Saml",
          ["role_arn": roleArn, "saml_provider_arn": providerArn, "role_session_name": sessionName]
        ))
    }
    for role in chain.roles {
      steps.append(
        step(
          "AssumeRole",
          [
            "role_arn": role.roleArn, "external_id": role.externalID,
            "role_session_name": role.sessionName,
          ]))
    }
    return steps
  }

  /// `{"Kind": {fields}}` or `{"Kind": "value"}` (NamedSource, CredentialProcess).
  private static func step(_ object: [String: Any]) throws -> Step {
    guard object.count == 1, let (kind, value) = object.first else {
      throw FormatError(description: "a chain step has exactly one key: \(object)")
    }
    if let text = value as? String { return Step(kind: kind, fields: ["": text]) }
    guard let fields = value as? [String: String] else {
      throw FormatError(description: "\(kind): fields are not strings: \(value)")
    }
    return Step(kind: kind, fields: fields)
  }

  private static func sections(_ value: Any?) throws -> [String: [String: String]]? {
    guard let value else { return nil }
    guard let sections = value as? [String: [String: String]] else {
      throw FormatError(description: "sections are not objects of strings: \(value)")
    }
    return sections
  }

  private static func json(_ file: String) throws -> Any {
    let url = directory.appendingPathComponent(file)
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw FormatError(
        description:
          "cannot read \(url.path): \(error); the vendored suite is part of the repository")
    }
    return try JSONSerialization.jsonObject(with: data)
  }
}
