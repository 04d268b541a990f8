import AwsenvCore
import Foundation
import XCTest

/// Files under Tests/AwsenvCoreTests/Fixtures, read by path (not SwiftPM resources).
enum ConfigFixture {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  static func bytes(_ name: String) throws -> Data {
    try Data(contentsOf: directory.appendingPathComponent(name))
  }

  static func text(_ name: String) throws -> String {
    String(decoding: try bytes(name), as: UTF8.self)
  }

  static func config(
    config: String = "", credentials: String = ""
  ) throws(ConfigError) -> AWSConfig {
    try AWSConfig.parse(
      config: config, configPath: "/home/u/.aws/config", credentials: credentials,
      credentialsPath: "/home/u/.aws/credentials")
  }
}

final class ConfigParserTests: XCTestCase {
  // MARK: Real-world files

  func testSsoSessionAndProfiles() throws {
    let config = try ConfigFixture.config(config: ConfigFixture.text("sso-config.ini"))
    XCTAssertEqual(
      config.profileNames, ["default", "dev", "prod-readonly", "legacy", "prod-admin"])
    XCTAssertEqual(Array(config.ssoSessions.keys), ["corp"])
    let session = try XCTUnwrap(config.ssoSession("corp"))
    XCTAssertEqual(session.name, "corp")
    XCTAssertEqual(session["sso_start_url"], "https://corp.awsapps.com/start")
    XCTAssertEqual(session["sso_registration_scopes"], "sso:account:access")
    XCTAssertEqual(config.profile("dev")?["sso_account_id"], "111111111111")
    XCTAssertEqual(
      config.profile("default")?.properties, ["region": "eu-west-1", "output": "json"])
    XCTAssertTrue(config.services.isEmpty)
  }

  func testSubPropertiesCommentsAndSpacing() throws {
    let config = try ConfigFixture.config(config: ConfigFixture.text("s3-config.ini"))
    let main = try XCTUnwrap(config.profile("default"))
    XCTAssertEqual(main["region"], "us-west-2")
    XCTAssertEqual(
      main.subProperties["s3"],
      [
        "max_concurrent_requests": "20", "max_queue_size": "10000",
        "multipart_threshold": "64MB", "multipart_chunksize": "16MB",
      ])
    // The raw block stays in `properties`, as the SDKs expose it.
    XCTAssertEqual(
      main["s3"],
      "\nmax_concurrent_requests = 20\nmax_queue_size = 10000\nmultipart_threshold = 64MB"
        + "\nMultipart_Chunksize = 16MB")
    XCTAssertEqual(main.subProperty("S3", "MULTIPART_CHUNKSIZE"), "16MB")

    let tabbed = try XCTUnwrap(config.profile("tabbed"))
    XCTAssertEqual(tabbed["aws_access_key_id"], "AKIDTABBED")
    XCTAssertEqual(tabbed["region"], "ap-south-1")
    XCTAssertEqual(tabbed["output"], "text;not-a-comment")
    XCTAssertEqual(tabbed["OUTPUT"], "text;not-a-comment")
    XCTAssertEqual(tabbed["endpoint_url"], "https://proxy.example:8443/a=b")
    XCTAssertEqual(tabbed["cli_pager"], "")
    XCTAssertNil(tabbed.subProperties["cli_pager"])
    XCTAssertEqual(
      tabbed.subProperties["s3"], ["addressing_style": "path", "use_accelerate_endpoint": "true"])

    let local = try XCTUnwrap(config.services["local-stack"])
    XCTAssertEqual(local.subProperty("s3", "endpoint_url"), "http://localhost:4566")
    XCTAssertEqual(local.subProperty("dynamodb", "endpoint_url"), "http://localhost:8000")
    XCTAssertEqual(config.profile("uses-services")?["services"], "local-stack")
    XCTAssertEqual(config.profileNames, ["default", "tabbed", "uses-services"])
  }

  func testCrlfAndByteOrderMark() throws {
    let bytes = try ConfigFixture.bytes("crlf-bom-config.ini")
    // If git rewrote the fixture, the test would silently stop covering CRLF and the BOM.
    XCTAssertTrue(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
    XCTAssertTrue(bytes.contains(0x0D))
    let config = try ConfigFixture.config(config: String(decoding: bytes, as: UTF8.self))
    XCTAssertEqual(config.profileNames, ["default", "dev"])
    XCTAssertEqual(
      config.profile("default")?.properties,
      [
        "region": "eu-west-1", "s3": "\nmax_concurrent_requests = 20",
      ])
    XCTAssertEqual(config.profile("default")?.subProperty("s3", "max_concurrent_requests"), "20")
    XCTAssertEqual(config.profile("dev")?["source_profile"], "default")

    let lf = String(decoding: bytes.dropFirst(3).filter { $0 != 0x0D }, as: UTF8.self)
    let plain = try ConfigFixture.config(config: lf)
    XCTAssertEqual(plain.profiles, config.profiles)
  }

  func testCredentialsFileMergesWithConfig() throws {
    let config = try ConfigFixture.config(
      config: ConfigFixture.text("sso-config.ini"),
      credentials: ConfigFixture.text("credentials.ini"))
    XCTAssertEqual(
      config.profileNames, ["default", "dev", "prod-readonly", "legacy", "prod-admin", "ci"])
    XCTAssertNil(config.profile("ignored"))
    let main = try XCTUnwrap(config.profile("default"))
    XCTAssertEqual(main["region"], "eu-west-1")
    XCTAssertEqual(main["aws_access_key_id"], "AKIDDEFAULT")
    // The credentials file wins on conflicts.
    XCTAssertEqual(config.profile("dev")?["region"], "ca-central-1")
    XCTAssertEqual(config.profile("dev")?["sso_role_name"], "Developer")
    let ci = try XCTUnwrap(config.profile("ci"))
    XCTAssertEqual(
      ci.properties,
      [
        "aws_access_key_id": "AKIDCI", "aws_secret_access_key": "secretci2",
        "aws_session_token": "tokenci",
      ])
  }

  // MARK: Sections

  func testDuplicateSectionsMergeLastValueWins() throws {
    let config = try ConfigFixture.config(
      config: """
        [profile a]
        region = us-east-1
        s3 =
          max_concurrent_requests = 5
        [profile b]
        x = 1
        [profile  a ]
        REGION = eu-west-1
        s3 = off
        """)
    XCTAssertEqual(config.profileNames, ["a", "b"])
    XCTAssertEqual(config.profile("a")?.properties, ["region": "eu-west-1", "s3": "off"])
    // A later plain value replaces the earlier block entirely.
    XCTAssertEqual(config.profile("a")?.subProperties, [:])
  }

  func testCredentialsBlockReplacesConfigBlock() throws {
    let config = try ConfigFixture.config(
      config: "[profile a]\ns3 =\n  a = 1\n  b = 2\n",
      credentials: "[a]\ns3 =\n  c = 3\n")
    XCTAssertEqual(config.profile("a")?.subProperties, ["s3": ["c": "3"]])
    XCTAssertEqual(config.profile("a")?["s3"], "\nc = 3")
  }

  func testPrefixedDefaultReplacesPlainDefault() throws {
    let config = try ConfigFixture.config(
      config:
        "[default]\nregion = us-east-1\noutput = json\n[profile default]\nregion = eu-west-1\n",
      credentials: "[default]\naws_access_key_id = AKID\n")
    XCTAssertEqual(
      config.profile("default")?.properties, ["region": "eu-west-1", "aws_access_key_id": "AKID"])
    XCTAssertEqual(config.profileNames, ["default"])
  }

  func testPlainDefaultKeepsItsPlaceInTheOrder() throws {
    let config = try ConfigFixture.config(
      config: "[profile a]\n[default]\nregion = x\n[profile b]\n")
    XCTAssertEqual(config.profileNames, ["a", "default", "b"])
    XCTAssertEqual(config.profile("default")?["region"], "x")
  }

  func testIgnoredSectionsAndNames() throws {
    let config = try ConfigFixture.config(
      config: """
        [dev]
        region = a
        [Profile caps]
        [profile bad name]
        [profile ok]
        in valid = 1
        valid.key/x = 2
        [sso-session bad name]
        [plugins]
        cli_legacy_plugin_path = /x
        """,
      credentials: "[profile p]\n[sso-session s]\n[white space]\n[]\n[ spaced ]\nk = v\n")
    XCTAssertEqual(config.profileNames, ["ok", "spaced"])
    XCTAssertEqual(config.profile("ok")?.properties, ["valid.key/x": "2"])
    XCTAssertEqual(config.profile("spaced")?["k"], "v")
    XCTAssertTrue(config.ssoSessions.isEmpty)
  }

  func testValidProfileNames() {
    for name in ["default", "dev", "a-b_c.d/e%f@g:h+i", "ABC123"] {
      XCTAssertTrue(AWSConfig.isValidProfileName(name), "\(name)")
    }
    for name in ["", "a b", "a\tb", "foo!bar", "é", "a]", "[a", "a#b", "a;b", "a=b"] {
      XCTAssertFalse(AWSConfig.isValidProfileName(name), "\(name)")
    }
  }

  func testProfileSectionLookupIgnoresKeyCase() {
    let section = ProfileSection(
      name: "x", properties: ["Region": "us-east-1"], subProperties: ["S3": ["Max": "1"]])
    XCTAssertEqual(section.properties, ["region": "us-east-1"])
    XCTAssertEqual(section["REGION"], "us-east-1")
    XCTAssertEqual(section.subProperty("s3", "max"), "1")
    XCTAssertNil(section["missing"])
  }

  func testValuesKeepTheirTextAndKeysAreLowercased() throws {
    let config = try ConfigFixture.config(
      config: "[profile u]\nNäme = x\nKey = Välue ✓ = 2\nEmpty=\n# last line without newline")
    // A key with a non-ASCII letter is not a valid identifier, so the SDKs drop it.
    XCTAssertEqual(config.profile("u")?.properties, ["key": "Välue ✓ = 2", "empty": ""])
  }

  func testIndentedCommentLinesAreSkippedAsTheCLIDoes() throws {
    let config = try ConfigFixture.config(
      config: "[profile a]\nname = one\n  # not part of the value\n  two\n")
    XCTAssertEqual(config.profile("a")?["name"], "one\ntwo")
  }

  // MARK: Errors

  func testErrorsNameFileAndLine() throws {
    let text = """
      # header comment
      [default]
      region = us-east-1

      [profile broken
      region = x
      """
    let error = try requireError(ConfigError.self) { try ConfigFixture.config(config: text) }
    XCTAssertEqual(error.path, "/home/u/.aws/config")
    XCTAssertEqual(error.line, 5)
    XCTAssertTrue(
      error.description.hasPrefix("/home/u/.aws/config:5: Profile definition must end with ']'"))
    XCTAssertTrue(error.message.contains("`[profile NAME]`"))
  }

  func testErrorsInTheCredentialsFileNameIt() throws {
    let error = try requireError(ConfigError.self) {
      try ConfigFixture.config(
        config: "[profile a]\n", credentials: "aws_access_key_id = AKID\n[a]\n")
    }
    XCTAssertTrue(
      error.description.hasPrefix("/home/u/.aws/credentials:1: Expected a profile definition"))
    XCTAssertTrue(error.message.contains("`[NAME]`"))
  }

  func testErrorLines() throws {
    let cases: [(text: String, line: Int, message: String)] = [
      ("[profile a]\nregion us-east-1", 2, "Expected an '=' sign defining a property"),
      ("[profile a]\n\n\n= x", 4, "Property did not have a name"),
      ("[profile a]\ns3 =\n  a = 1\n  b", 4, "Expected an '=' sign defining a sub-property"),
      ("[profile a]\ns3 =\n  = 1", 3, "Sub-property did not have a name"),
      ("[profile a]\r\n  continued", 2, "Expected a property definition, found continuation"),
      ("  continued", 1, "Expected a profile definition"),
      // Errors in ignored sections still count, as in the SDKs.
      ("[profile bad name]\nno equals here", 2, "Expected an '=' sign defining a property"),
    ]
    for (text, line, message) in cases {
      let name = text.debugDescription
      let error = try requireError(ConfigError.self, name) {
        try ConfigFixture.config(config: text)
      }
      XCTAssertEqual(error.line, line, name)
      XCTAssertTrue(error.message.hasPrefix(message), "\(name): \(error.message)")
      XCTAssertTrue(error.message.contains("; "), "\(name): the message also says how to fix it")
    }
  }

  // MARK: Scale

  func testFiveThousandProfiles() throws {
    var config = ""
    var credentials = ""
    for index in 0..<5000 {
      config += "[profile p\(index)]\nregion = r\(index % 7)\n"
      if index % 3 == 0 {
        config += "s3 =\n  max_concurrent_requests = \(index)\n"
      }
      credentials += "[p\(index)]\naws_access_key_id = AKID\(index)\naws_secret_access_key = s\n"
    }
    credentials += "[only-in-credentials]\n"
    let parsed = try ConfigFixture.config(config: config, credentials: credentials)
    XCTAssertEqual(parsed.profiles.count, 5001)
    XCTAssertEqual(parsed.profileNames.count, 5001)
    XCTAssertEqual(parsed.profileNames.first, "p0")
    XCTAssertEqual(parsed.profileNames[4999], "p4999")
    XCTAssertEqual(parsed.profileNames.last, "only-in-credentials")
    XCTAssertEqual(parsed.profile("p4998")?["region"], "r0")
    XCTAssertEqual(parsed.profile("p4998")?.subProperty("s3", "max_concurrent_requests"), "4998")
    XCTAssertEqual(parsed.profile("p4999")?["aws_access_key_id"], "AKID4999")
  }

  // MARK: Paths and loading

  func testPathsFollowTheAWSCLI() {
    let home = AWSConfig.paths(environment: ["HOME": "/home/u/"])
    XCTAssertEqual(home.config, "/home/u/.aws/config")
    XCTAssertEqual(home.credentials, "/home/u/.aws/credentials")

    let custom = AWSConfig.paths(
      environment: [
        "HOME": "/home/u", "AWS_CONFIG_FILE": "~/cfg/aws",
        "AWS_SHARED_CREDENTIALS_FILE": "/etc/aws/creds",
      ])
    XCTAssertEqual(custom.config, "/home/u/cfg/aws")
    XCTAssertEqual(custom.credentials, "/etc/aws/creds")

    let empty = AWSConfig.paths(environment: ["HOME": "/h", "AWS_CONFIG_FILE": ""])
    XCTAssertEqual(empty.config, "/h/.aws/config")
    XCTAssertEqual(
      AWSConfig.paths(environment: ["HOME": "/h", "AWS_CONFIG_FILE": "~"]).config, "/h")
    XCTAssertEqual(
      AWSConfig.paths(environment: ["HOME": "/h", "AWS_CONFIG_FILE": "~other/x"]).config, "~other/x"
    )
  }

  func testLoadReadsBothFilesAndTreatsMissingAsEmpty() throws {
    let directory = try ScratchDirectory()
    let configPath = directory.path + "/config"
    try "[profile a]\nregion = r\n".write(toFile: configPath, atomically: true, encoding: .utf8)
    let config = try AWSConfig.load(
      environment: [
        "HOME": directory.path, "AWS_CONFIG_FILE": configPath,
        "AWS_SHARED_CREDENTIALS_FILE": directory.path + "/missing/credentials",
      ])
    XCTAssertEqual(config.profileNames, ["a"])
    XCTAssertEqual(config.configPath, configPath)
    XCTAssertEqual(config.credentialsPath, directory.path + "/missing/credentials")

    let nothing = try AWSConfig.load(environment: ["HOME": directory.path + "/nowhere"])
    XCTAssertTrue(nothing.profiles.isEmpty)
  }

  func testLoadNamesAnUnreadableFile() throws {
    let directory = try ScratchDirectory()
    // A directory is unreadable as a file even for root, unlike a chmod 000 file.
    let credentials = directory.path + "/credentials"
    try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: false)
    let error = try requireError(ConfigError.self) {
      try AWSConfig.loadTyped(
        environment: ["HOME": directory.path, "AWS_SHARED_CREDENTIALS_FILE": credentials])
    }
    XCTAssertEqual(error.path, credentials)
    XCTAssertEqual(error.line, 0)
    XCTAssertTrue(error.description.hasPrefix("\(credentials): cannot read this file"))
  }

  func testLoadReportsParseErrorsWithTheRealPath() throws {
    let directory = try ScratchDirectory()
    try FileManager.default.createDirectory(
      atPath: directory.path + "/.aws", withIntermediateDirectories: false)
    try "[default]\nregion\n".write(
      toFile: directory.path + "/.aws/config", atomically: true, encoding: .utf8)
    let error = try requireError(ConfigError.self) {
      try AWSConfig.loadTyped(environment: ["HOME": directory.path])
    }
    XCTAssertTrue(error.description.hasPrefix(directory.path + "/.aws/config:2: "))
  }
}

/// A fresh directory, removed when the test ends.
private final class ScratchDirectory {
  let path: String

  init() throws {
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("awsenv-config-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }
}

/// The error `body` throws, as `E`; fails the test (and throws) when it throws none or another.
func requireError<E: Error, R>(
  _ type: E.Type, _ message: String = "", file: StaticString = #filePath, line: UInt = #line,
  _ body: () throws -> R
) throws -> E {
  do {
    let value = try body()
    XCTFail("\(message): expected \(E.self), got \(value)", file: file, line: line)
  } catch let error as E {
    return error
  } catch {
    XCTFail("\(message): expected \(E.self), got \(error)", file: file, line: line)
  }
  throw RequiredErrorMissing()
}

/// Thrown by ``requireError(_:_:file:line:_:)`` after it has recorded its failure.
struct RequiredErrorMissing: Error {}
