import AwsenvCore
import Foundation
import Testing

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

@Suite struct ConfigParserTests {
  // MARK: Real-world files

  @Test func ssoSessionAndProfiles() throws {
    let config = try ConfigFixture.config(config: ConfigFixture.text("sso-config.ini"))
    #expect(config.profileNames == ["default", "dev", "prod-readonly", "legacy", "prod-admin"])
    #expect(Array(config.ssoSessions.keys) == ["corp"])
    let session = try #require(config.ssoSession("corp"))
    #expect(session.name == "corp")
    #expect(session["sso_start_url"] == "https://corp.awsapps.com/start")
    #expect(session["sso_registration_scopes"] == "sso:account:access")
    #expect(config.profile("dev")?["sso_account_id"] == "111111111111")
    #expect(config.profile("default")?.properties == ["region": "eu-west-1", "output": "json"])
    #expect(config.services.isEmpty)
  }

  @Test func subPropertiesCommentsAndSpacing() throws {
    let config = try ConfigFixture.config(config: ConfigFixture.text("s3-config.ini"))
    let main = try #require(config.profile("default"))
    #expect(main["region"] == "us-west-2")
    #expect(
      main.subProperties["s3"] == [
        "max_concurrent_requests": "20", "max_queue_size": "10000",
        "multipart_threshold": "64MB", "multipart_chunksize": "16MB",
      ])
    // The raw block stays in `properties`, as the SDKs expose it.
    #expect(
      main["s3"]
        == "\nmax_concurrent_requests = 20\nmax_queue_size = 10000\nmultipart_threshold = 64MB"
        + "\nMultipart_Chunksize = 16MB")
    #expect(main.subProperty("S3", "MULTIPART_CHUNKSIZE") == "16MB")

    let tabbed = try #require(config.profile("tabbed"))
    #expect(tabbed["aws_access_key_id"] == "AKIDTABBED")
    #expect(tabbed["region"] == "ap-south-1")
    #expect(tabbed["output"] == "text;not-a-comment")
    #expect(tabbed["OUTPUT"] == "text;not-a-comment")
    #expect(tabbed["endpoint_url"] == "https://proxy.example:8443/a=b")
    #expect(tabbed["cli_pager"] == "")
    #expect(tabbed.subProperties["cli_pager"] == nil)
    #expect(
      tabbed.subProperties["s3"] == ["addressing_style": "path", "use_accelerate_endpoint": "true"])

    let local = try #require(config.services["local-stack"])
    #expect(local.subProperty("s3", "endpoint_url") == "http://localhost:4566")
    #expect(local.subProperty("dynamodb", "endpoint_url") == "http://localhost:8000")
    #expect(config.profile("uses-services")?["services"] == "local-stack")
    #expect(config.profileNames == ["default", "tabbed", "uses-services"])
  }

  @Test func crlfAndByteOrderMark() throws {
    let bytes = try ConfigFixture.bytes("crlf-bom-config.ini")
    // If git rewrote the fixture, the test would silently stop covering CRLF and the BOM.
    #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
    #expect(bytes.contains(0x0D))
    let config = try ConfigFixture.config(config: String(decoding: bytes, as: UTF8.self))
    #expect(config.profileNames == ["default", "dev"])
    #expect(
      config.profile("default")?.properties == [
        "region": "eu-west-1", "s3": "\nmax_concurrent_requests = 20",
      ])
    #expect(config.profile("default")?.subProperty("s3", "max_concurrent_requests") == "20")
    #expect(config.profile("dev")?["source_profile"] == "default")

    let lf = String(decoding: bytes.dropFirst(3).filter { $0 != 0x0D }, as: UTF8.self)
    let plain = try ConfigFixture.config(config: lf)
    #expect(plain.profiles == config.profiles)
  }

  @Test func credentialsFileMergesWithConfig() throws {
    let config = try ConfigFixture.config(
      config: ConfigFixture.text("sso-config.ini"),
      credentials: ConfigFixture.text("credentials.ini"))
    #expect(
      config.profileNames == ["default", "dev", "prod-readonly", "legacy", "prod-admin", "ci"])
    #expect(config.profile("ignored") == nil)
    let main = try #require(config.profile("default"))
    #expect(main["region"] == "eu-west-1")
    #expect(main["aws_access_key_id"] == "AKIDDEFAULT")
    // The credentials file wins on conflicts.
    #expect(config.profile("dev")?["region"] == "ca-central-1")
    #expect(config.profile("dev")?["sso_role_name"] == "Developer")
    let ci = try #require(config.profile("ci"))
    #expect(
      ci.properties == [
        "aws_access_key_id": "AKIDCI", "aws_secret_access_key": "secretci2",
        "aws_session_token": "tokenci",
      ])
  }

  // MARK: Sections

  @Test func duplicateSectionsMergeLastValueWins() throws {
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
    #expect(config.profileNames == ["a", "b"])
    #expect(config.profile("a")?.properties == ["region": "eu-west-1", "s3": "off"])
    // A later plain value replaces the earlier block entirely.
    #expect(config.profile("a")?.subProperties == [:])
  }

  @Test func credentialsBlockReplacesConfigBlock() throws {
    let config = try ConfigFixture.config(
      config: "[profile a]\ns3 =\n  a = 1\n  b = 2\n",
      credentials: "[a]\ns3 =\n  c = 3\n")
    #expect(config.profile("a")?.subProperties == ["s3": ["c": "3"]])
    #expect(config.profile("a")?["s3"] == "\nc = 3")
  }

  @Test func prefixedDefaultReplacesPlainDefault() throws {
    let config = try ConfigFixture.config(
      config:
        "[default]\nregion = us-east-1\noutput = json\n[profile default]\nregion = eu-west-1\n",
      credentials: "[default]\naws_access_key_id = AKID\n")
    #expect(
      config.profile("default")?.properties == ["region": "eu-west-1", "aws_access_key_id": "AKID"])
    #expect(config.profileNames == ["default"])
  }

  @Test func plainDefaultKeepsItsPlaceInTheOrder() throws {
    let config = try ConfigFixture.config(
      config: "[profile a]\n[default]\nregion = x\n[profile b]\n")
    #expect(config.profileNames == ["a", "default", "b"])
    #expect(config.profile("default")?["region"] == "x")
  }

  @Test func ignoredSectionsAndNames() throws {
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
    #expect(config.profileNames == ["ok", "spaced"])
    #expect(config.profile("ok")?.properties == ["valid.key/x": "2"])
    #expect(config.profile("spaced")?["k"] == "v")
    #expect(config.ssoSessions.isEmpty)
  }

  @Test func validProfileNames() {
    for name in ["default", "dev", "a-b_c.d/e%f@g:h+i", "ABC123"] {
      #expect(AWSConfig.isValidProfileName(name), "\(name)")
    }
    for name in ["", "a b", "a\tb", "foo!bar", "é", "a]", "[a", "a#b", "a;b", "a=b"] {
      #expect(!AWSConfig.isValidProfileName(name), "\(name)")
    }
  }

  @Test func profileSectionLookupIgnoresKeyCase() {
    let section = ProfileSection(
      name: "x", properties: ["Region": "us-east-1"], subProperties: ["S3": ["Max": "1"]])
    #expect(section.properties == ["region": "us-east-1"])
    #expect(section["REGION"] == "us-east-1")
    #expect(section.subProperty("s3", "max") == "1")
    #expect(section["missing"] == nil)
  }

  @Test func valuesKeepTheirTextAndKeysAreLowercased() throws {
    let config = try ConfigFixture.config(
      config: "[profile u]\nNäme = x\nKey = Välue ✓ = 2\nEmpty=\n# last line without newline")
    // A key with a non-ASCII letter is not a valid identifier, so the SDKs drop it.
    #expect(config.profile("u")?.properties == ["key": "Välue ✓ = 2", "empty": ""])
  }

  @Test func indentedCommentLinesAreSkippedAsTheCLIDoes() throws {
    let config = try ConfigFixture.config(
      config: "[profile a]\nname = one\n  # not part of the value\n  two\n")
    #expect(config.profile("a")?["name"] == "one\ntwo")
  }

  // MARK: Errors

  @Test func errorsNameFileAndLine() throws {
    let text = """
      # header comment
      [default]
      region = us-east-1

      [profile broken
      region = x
      """
    let error = try #require(throws: ConfigError.self) { try ConfigFixture.config(config: text) }
    #expect(error.path == "/home/u/.aws/config")
    #expect(error.line == 5)
    #expect(
      error.description.hasPrefix("/home/u/.aws/config:5: Profile definition must end with ']'"))
    #expect(error.message.contains("`[profile NAME]`"))
  }

  @Test func errorsInTheCredentialsFileNameIt() throws {
    let error = try #require(throws: ConfigError.self) {
      try ConfigFixture.config(
        config: "[profile a]\n", credentials: "aws_access_key_id = AKID\n[a]\n")
    }
    #expect(
      error.description.hasPrefix("/home/u/.aws/credentials:1: Expected a profile definition"))
    #expect(error.message.contains("`[NAME]`"))
  }

  @Test(arguments: [
    ("[profile a]\nregion us-east-1", 2, "Expected an '=' sign defining a property"),
    ("[profile a]\n\n\n= x", 4, "Property did not have a name"),
    ("[profile a]\ns3 =\n  a = 1\n  b", 4, "Expected an '=' sign defining a sub-property"),
    ("[profile a]\ns3 =\n  = 1", 3, "Sub-property did not have a name"),
    ("[profile a]\r\n  continued", 2, "Expected a property definition, found continuation"),
    ("  continued", 1, "Expected a profile definition"),
    // Errors in ignored sections still count, as in the SDKs.
    ("[profile bad name]\nno equals here", 2, "Expected an '=' sign defining a property"),
  ])
  func errorLines(text: String, line: Int, message: String) throws {
    let error = try #require(throws: ConfigError.self) { try ConfigFixture.config(config: text) }
    #expect(error.line == line)
    #expect(error.message.hasPrefix(message))
    #expect(error.message.contains("; "), "the message also says how to fix it")
  }

  // MARK: Scale

  @Test func fiveThousandProfiles() throws {
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
    #expect(parsed.profiles.count == 5001)
    #expect(parsed.profileNames.count == 5001)
    #expect(parsed.profileNames.first == "p0")
    #expect(parsed.profileNames[4999] == "p4999")
    #expect(parsed.profileNames.last == "only-in-credentials")
    #expect(parsed.profile("p4998")?["region"] == "r0")
    #expect(parsed.profile("p4998")?.subProperty("s3", "max_concurrent_requests") == "4998")
    #expect(parsed.profile("p4999")?["aws_access_key_id"] == "AKID4999")
  }

  // MARK: Paths and loading

  @Test func pathsFollowTheAWSCLI() {
    let home = AWSConfig.paths(environment: ["HOME": "/home/u/"])
    #expect(home.config == "/home/u/.aws/config")
    #expect(home.credentials == "/home/u/.aws/credentials")

    let custom = AWSConfig.paths(
      environment: [
        "HOME": "/home/u", "AWS_CONFIG_FILE": "~/cfg/aws",
        "AWS_SHARED_CREDENTIALS_FILE": "/etc/aws/creds",
      ])
    #expect(custom.config == "/home/u/cfg/aws")
    #expect(custom.credentials == "/etc/aws/creds")

    let empty = AWSConfig.paths(environment: ["HOME": "/h", "AWS_CONFIG_FILE": ""])
    #expect(empty.config == "/h/.aws/config")
    #expect(AWSConfig.paths(environment: ["HOME": "/h", "AWS_CONFIG_FILE": "~"]).config == "/h")
    #expect(
      AWSConfig.paths(environment: ["HOME": "/h", "AWS_CONFIG_FILE": "~other/x"]).config
        == "~other/x")
  }

  @Test func loadReadsBothFilesAndTreatsMissingAsEmpty() throws {
    let directory = try ScratchDirectory()
    let configPath = directory.path + "/config"
    try "[profile a]\nregion = r\n".write(toFile: configPath, atomically: true, encoding: .utf8)
    let config = try AWSConfig.load(
      environment: [
        "HOME": directory.path, "AWS_CONFIG_FILE": configPath,
        "AWS_SHARED_CREDENTIALS_FILE": directory.path + "/missing/credentials",
      ])
    #expect(config.profileNames == ["a"])
    #expect(config.configPath == configPath)
    #expect(config.credentialsPath == directory.path + "/missing/credentials")

    let nothing = try AWSConfig.load(environment: ["HOME": directory.path + "/nowhere"])
    #expect(nothing.profiles.isEmpty)
  }

  @Test func loadNamesAnUnreadableFile() throws {
    let directory = try ScratchDirectory()
    // A directory is unreadable as a file even for root, unlike a chmod 000 file.
    let credentials = directory.path + "/credentials"
    try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: false)
    let error = try #require(throws: ConfigError.self) {
      try AWSConfig.loadTyped(
        environment: ["HOME": directory.path, "AWS_SHARED_CREDENTIALS_FILE": credentials])
    }
    #expect(error.path == credentials)
    #expect(error.line == 0)
    #expect(error.description.hasPrefix("\(credentials): cannot read this file"))
  }

  @Test func loadReportsParseErrorsWithTheRealPath() throws {
    let directory = try ScratchDirectory()
    try FileManager.default.createDirectory(
      atPath: directory.path + "/.aws", withIntermediateDirectories: false)
    try "[default]\nregion\n".write(
      toFile: directory.path + "/.aws/config", atomically: true, encoding: .utf8)
    let error = try #require(throws: ConfigError.self) {
      try AWSConfig.loadTyped(environment: ["HOME": directory.path])
    }
    #expect(error.description.hasPrefix(directory.path + "/.aws/config:2: "))
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
