import AwsenvCore
import XCTest

final class ProfileChainTests: XCTestCase {
  private func config(
    _ profiles: [String: [String: String]], sessions: [String: [String: String]] = [:]
  ) -> AWSConfig {
    AWSConfig(
      profiles: profiles.reduce(into: [:]) {
        $0[$1.key] = ProfileSection(name: $1.key, properties: $1.value)
      },
      ssoSessions: sessions.reduce(into: [:]) {
        $0[$1.key] = ProfileSection(name: $1.key, properties: $1.value)
      })
  }

  private func resolve(
    _ profiles: [String: [String: String]], _ name: String = "a",
    sessions: [String: [String: String]] = [:], keyring: Bool = false
  ) throws(ResolveError) -> ProfileChain {
    try config(profiles, sessions: sessions).resolveChain(profile: name, keyringFallback: keyring)
  }

  private func failure(
    _ profiles: [String: [String: String]], _ name: String = "a",
    sessions: [String: [String: String]] = [:], keyring: Bool = false
  ) -> ResolveError? {
    do {
      _ = try resolve(profiles, name, sessions: sessions, keyring: keyring)
      return nil
    } catch {
      return error
    }
  }

  // MARK: End to end

  func testResolvesFromParsedFiles() throws {
    let parsed = try ConfigFixture.config(
      config: ConfigFixture.text("sso-config.ini"),
      credentials: ConfigFixture.text("credentials.ini"))
    XCTAssertEqual(
      try parsed.resolveChain(profile: "prod-admin", keyringFallback: false),
      ProfileChain(
        base: .sso(
          profile: "prod-readonly", sessionName: "corp",
          startURL: "https://corp.awsapps.com/start", region: "us-east-1",
          accountID: "222222222222", roleName: "ReadOnly"),
        roles: [
          RoleStep(
            profile: "prod-admin", roleArn: "arn:aws:iam::222222222222:role/Admin",
            sessionName: "me@corp.example", durationSeconds: 3600)
        ]))
    XCTAssertEqual(
      try parsed.resolveChain(profile: "legacy", keyringFallback: false).base,
      .sso(
        profile: "legacy", sessionName: nil, startURL: "https://legacy.awsapps.com/start",
        region: "eu-central-1", accountID: "333333333333", roleName: "Admin"))
    XCTAssertEqual(
      try parsed.resolveChain(profile: "ci", keyringFallback: false).base,
      .staticKeys(
        profile: "ci",
        fileKeys: FileKeys(
          accessKeyID: "AKIDCI", secretAccessKey: "secretci2", sessionToken: "tokenci")))
  }

  // MARK: Roles

  func testRoleStepCarriesEveryAssumeRoleSetting() throws {
    let chain = try resolve([
      "a": [
        "role_arn": "arn:aws:iam::1:role/A", "source_profile": "b", "external_id": "ext",
        "role_session_name": "me", "duration_seconds": "43200",
        "mfa_serial": "arn:aws:iam::1:mfa/me", "source_identity": "alice",
      ],
      "b": ["role_arn": "arn:aws:iam::1:role/B", "source_profile": "c"],
      "c": ["aws_access_key_id": "AKID", "aws_secret_access_key": "s"],
    ])
    XCTAssertEqual(
      chain.base,
      .staticKeys(profile: "c", fileKeys: FileKeys(accessKeyID: "AKID", secretAccessKey: "s")))
    XCTAssertEqual(
      chain.roles,
      [
        RoleStep(profile: "b", roleArn: "arn:aws:iam::1:role/B"),
        RoleStep(
          profile: "a", roleArn: "arn:aws:iam::1:role/A", externalID: "ext", sessionName: "me",
          durationSeconds: 43200, mfaSerial: "arn:aws:iam::1:mfa/me", sourceIdentity: "alice"),
      ])
  }

  func testBadDurationIsAnError() {
    let error = failure([
      "a": ["role_arn": "r", "source_profile": "b", "duration_seconds": "1h"],
      "b": ["aws_access_key_id": "k", "aws_secret_access_key": "s"],
    ])
    XCTAssertEqual(error, .invalidDurationSeconds(profile: "a", value: "1h"))
    XCTAssertEqual(error?.message.contains("duration_seconds = 3600"), true)
  }

  func testCredentialSourceMustBeKnown() throws {
    XCTAssertEqual(
      try resolve(["a": ["role_arn": "r", "credential_source": "EcsContainer"]]).base,
      .namedSource(profile: "a", name: "EcsContainer"))
    XCTAssertEqual(
      failure(["a": ["role_arn": "r", "credential_source": "ec2instancemetadata"]]),
      .unknownCredentialSource(profile: "a", name: "ec2instancemetadata"))
  }

  // MARK: Keyring fallback

  func testKeyringFallbackStandsInForMissingKeys() throws {
    XCTAssertEqual(
      try resolve(["a": ["region": "us-east-1"]], keyring: true),
      ProfileChain(base: .staticKeys(profile: "a", fileKeys: nil)))
    let chain = try resolve(
      ["a": ["role_arn": "r", "source_profile": "b"], "b": [:]], keyring: true)
    XCTAssertEqual(chain.base, .staticKeys(profile: "b", fileKeys: nil))
    XCTAssertEqual(chain.roles.map(\.profile), ["a"])
    // A self-referencing role profile assumes its role with its own (keyring) keys.
    XCTAssertEqual(
      try resolve(["a": ["role_arn": "r", "source_profile": "a"]], keyring: true),
      ProfileChain(
        base: .staticKeys(profile: "a", fileKeys: nil),
        roles: [RoleStep(profile: "a", roleArn: "r")]))
  }

  func testKeyringFallbackDoesNotHideMistakes() {
    XCTAssertEqual(
      failure(["a": ["aws_access_key_id": "k"]], keyring: true),
      .partialKeys(profile: "a", missing: "aws_secret_access_key"))
    XCTAssertEqual(
      failure(["a": ["role_arn": "r"]], keyring: true), .missingSourceProfile(profile: "a"))
    XCTAssertEqual(failure(["b": [:]], keyring: true), .profileNotFound(profile: "a"))
  }

  func testWithoutFallbackAnEmptyProfileIsAnError() {
    let error = failure(["a": ["region": "x"]])
    XCTAssertEqual(error, .noCredentials(profile: "a"))
    XCTAssertEqual(error?.message.contains("`awsenv add a`"), true)
  }

  // MARK: Other base providers

  func testSamlIsABaseProvider() throws {
    let saml = [
      "role_arn": "arn:aws:iam::1:role/S", "saml_provider_arn": "arn:aws:iam::1:saml-provider/Okta",
    ]
    XCTAssertEqual(
      try resolve(["a": saml.merging(["role_session_name": "me"]) { $1 }]).base,
      .saml(
        profile: "a", roleArn: "arn:aws:iam::1:role/S",
        providerArn: "arn:aws:iam::1:saml-provider/Okta", sessionName: "me"))
    let chained = try resolve([
      "a": ["role_arn": "arn:aws:iam::2:role/X", "source_profile": "s"], "s": saml,
    ])
    XCTAssertEqual(chained.roles.map(\.roleArn), ["arn:aws:iam::2:role/X"])
    XCTAssertEqual(
      failure(["a": ["saml_provider_arn": "p"]]),
      .missingRoleArn(profile: "a", key: "saml_provider_arn"))
  }

  func testCredentialProcess() throws {
    XCTAssertEqual(
      try resolve(["a": ["credential_process": "awsenv credential-process a"]]).base,
      .process(profile: "a", command: "awsenv credential-process a"))
  }

  // MARK: SSO

  func testSsoSessionValuesComeFromTheSession() throws {
    let sessions = ["s": ["sso_start_url": "https://x/start", "sso_region": "eu-west-1"]]
    XCTAssertEqual(
      try resolve(
        ["a": ["sso_session": "s", "sso_account_id": "1", "sso_role_name": "R"]],
        sessions: sessions
      ).base,
      .sso(
        profile: "a", sessionName: "s", startURL: "https://x/start", region: "eu-west-1",
        accountID: "1", roleName: "R"))
    // The AWS CLI accepts a profile that repeats the session's value.
    XCTAssertNotEqual(
      (try? resolve(["a": ["sso_session": "s", "sso_region": "eu-west-1"]], sessions: sessions)),
      nil)
    XCTAssertEqual(
      failure(["a": ["sso_session": "s", "sso_start_url": "https://other"]], sessions: sessions),
      .ssoKeyOutsideSession(profile: "a", key: "sso_start_url", session: "s"))
  }

  func testSsoMissingValues() {
    XCTAssertEqual(
      failure(["a": ["sso_session": "s"]], sessions: ["s": ["sso_start_url": "u"]]),
      .ssoMissingKey(profile: "a", key: "sso_region", session: "s"))
    let legacy = failure(["a": ["sso_region": "r", "sso_account_id": "1", "sso_role_name": "R"]])
    XCTAssertEqual(legacy, .ssoMissingKey(profile: "a", key: "sso_start_url", session: nil))
    XCTAssertEqual(legacy?.message.contains("[profile a]"), true)
  }

  // MARK: Errors

  func testMissingProfiles() {
    XCTAssertEqual(failure([:]), .noProfilesDefined)
    XCTAssertEqual(failure(["b": [:]]), .profileNotFound(profile: "a"))
    let error = failure(["a": ["role_arn": "r", "source_profile": "gone"]])
    XCTAssertEqual(error, .sourceProfileNotFound(profile: "gone", referencedFrom: "a"))
    XCTAssertEqual(error?.message.contains("add a [profile gone] section"), true)
  }

  func testMessagesSayWhatToChange() {
    let missing = failure(["default": ["role_arn": "r"]], "default")
    XCTAssertTrue(
      missing?.message.contains("add `source_profile = NAME`") == true
        && missing?.message.contains("to [default] in ~/.aws/config") == true)
    let loop = failure([
      "a": ["role_arn": "r", "source_profile": "b"], "b": ["role_arn": "r", "source_profile": "a"],
    ])
    XCTAssertEqual(loop, .credentialLoop(profiles: ["a", "b"], next: "a"))
    XCTAssertEqual(loop?.message.contains("a -> b -> a"), true)
    XCTAssertEqual(loop?.description, loop?.message)
  }

  // MARK: Kinds

  func testKindsForAwsenvList() throws {
    let parsed = config([
      "keys": ["aws_access_key_id": "k", "aws_secret_access_key": "s"],
      "role": ["role_arn": "r", "source_profile": "keys", "aws_access_key_id": "k"],
      "ec2": ["role_arn": "r", "credential_source": "Ec2InstanceMetadata"],
      "web": ["role_arn": "r", "web_identity_token_file": "/t", "source_profile": "keys"],
      "saml": ["role_arn": "r", "saml_provider_arn": "p"],
      "sso": ["sso_session": "s"],
      "process": ["credential_process": "cmd"],
      "bare-role": ["role_arn": "r"],
      "empty": ["region": "x"],
    ])
    let kinds = Dictionary(
      uniqueKeysWithValues: parsed.profiles.keys.map { ($0, parsed.kind(ofProfile: $0)) })
    XCTAssertEqual(
      kinds,
      [
        "keys": .keys, "role": .role, "ec2": .role, "web": .webIdentity, "saml": .saml,
        "sso": .sso, "process": .process, "bare-role": .none, "empty": .none,
      ])
    XCTAssertEqual(parsed.kind(ofProfile: "missing"), ProfileKind.none)
    XCTAssertEqual(ProfileKind.webIdentity.rawValue, "web-identity")
  }
}
