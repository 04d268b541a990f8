import Foundation
import Synchronization
import XCTest

@testable import AwsenvCore

/// The credential chain and its keyring cache, against an in-memory keyring and STS.
final class ChainRunTests: XCTestCase {
  let config = """
    [profile base]
    region = eu-west-1
    [profile mfa-base]
    mfa_serial = arn:aws:iam::123456789012:mfa/alice
    [profile admin]
    role_arn = arn:aws:iam::123456789012:role/Admin
    source_profile = base
    [profile ext]
    role_arn = arn:aws:iam::123456789012:role/Admin
    source_profile = base
    external_id = abc
    [profile deep]
    role_arn = arn:aws:iam::123456789012:role/Deep
    source_profile = mid
    [profile mid]
    role_arn = arn:aws:iam::123456789012:role/Mid
    source_profile = admin
    [profile mfa-a]
    role_arn = arn:aws:iam::123456789012:role/A
    source_profile = base
    mfa_serial = arn:aws:iam::123456789012:mfa/alice
    [profile mfa-b]
    role_arn = arn:aws:iam::123456789012:role/B
    source_profile = base
    mfa_serial = arn:aws:iam::123456789012:mfa/alice
    [profile proc]
    credential_process = /bin/sh -c 'printf %s "$AWSENV_TEST_JSON"'
    """
  let keys = Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI")

  var store = InMemorySecretStore()
  var fake = FakeSTS()
  let prompts = Counter()

  override func setUp() {
    store = InMemorySecretStore()
    fake = FakeSTS()
    prompts.reset()
  }

  func resolver(
    environment: [String: String] = [:], now: Date = Date(), text: String? = nil
  ) throws -> ProfileResolver {
    let config = try AWSConfig.parse(
      config: text ?? self.config, configPath: "config", credentials: "",
      credentialsPath: "credentials")
    let keyring = Keyring(store: store)
    try keyring.saveAccessKey(keys, profile: "base")
    try keyring.saveAccessKey(keys, profile: "mfa-base")
    let prompts = self.prompts
    // As the command line does: the baseline is decoded once, from the hook's saved state.
    return ProfileResolver(
      config: config, keyring: keyring, environment: environment,
      baseline: ShellSession.original(environment: environment), transport: fake,
      askMFACode: { _ in
        prompts.increment()
        return "123456"
      }, clock: { now }, retrySleep: { _ in }, userName: "alice")
  }

  /// A run works with what it is handed: here another profile's credentials come from the
  /// injected resolveProfile, and nothing else (STS, a lock, a sign-in, a prompt) is used.
  func testARunWorksOnlyWithTheDependenciesItIsHanded() throws {
    let config = try AWSConfig.parse(
      config: """
        [profile outer]
        credential_process = /usr/bin/awsenv credential-process inner
        """, configPath: "config", credentials: "", credentialsPath: "credentials")
    let chain = try config.resolveChain(profile: "outer", keyringFallback: true)
    final class Calls: @unchecked Sendable { var names: [String] = [] }
    let calls = Calls()
    let dependencies = ChainRun.Dependencies(
      config: config, keyring: Keyring(store: InMemorySecretStore()), environment: [:],
      baseline: SavedState(entries: []), now: Date(), sts: .failure(.other("no STS here")),
      ssoPortal: nil,
      ssoSignIn: { _ throws(AwsenvError) in throw .other("no sign-in here") },
      ssoInteraction: .none,
      lock: { _, _ in
        calls.names.append("lock")
        return nil
      },
      resolveProfile: { target, via in
        calls.names.append("\(target) via \(via)")
        return ResolvedCredentials(
          session: SessionCredentials(credentials: self.keys, identity: "Inner@123456789012"),
          fromCache: true)
      },
      askMFACode: { _ in
        calls.names.append("ask")
        return nil
      }, minimumTTL: 300, defaultSessionName: "alice")
    var run = ChainRun(
      profile: "outer", chain: chain, options: ResolveOptions(), dependencies: dependencies)
    let resolved = try run.resolve()
    XCTAssertEqual(resolved.credentials, keys)
    XCTAssertEqual(resolved.identity, "Inner@123456789012")
    XCTAssertEqual(calls.names, ["inner via outer"])
  }

  func testARoleIsAssumedOnceThenServedFromTheKeyring() throws {
    let first = try resolver().resolve(profile: "admin")
    XCTAssertFalse(first.fromCache)
    XCTAssertEqual(first.identity, "Admin@123456789012")
    XCTAssertEqual(fake.actions(), ["AssumeRole"])
    XCTAssertEqual(fake.calls[0].parameters["RoleSessionName"], "alice")
    let second = try resolver().resolve(profile: "admin")
    XCTAssertTrue(second.fromCache)
    XCTAssertEqual(second.credentials, first.credentials)
    XCTAssertEqual(second.identity, "Admin@123456789012")
    XCTAssertEqual(fake.actions(), ["AssumeRole"], "the second use makes no STS call")
    let items = try store.search(["kind": "session"])
    XCTAssertEqual(items.count, 1)
    XCTAssertEqual(items[0]["source"], "base")
    XCTAssertEqual(items[0]["identity"], "Admin@123456789012")
    XCTAssertNotNil(items[0]["expires"])
  }

  func testAwsenvCredentialProcessOfAnotherProfileResolvesThatProfile() throws {
    let text =
      config + """

        [profile sdk-admin]
        credential_process = awsenv credential-process admin
        [profile sdk-base]
        credential_process = /usr/local/bin/awsenv credential-process base
        [profile over-sdk]
        role_arn = arn:aws:iam::123456789012:role/Over
        source_profile = sdk-admin
        [profile loop-a]
        credential_process = awsenv credential-process loop-b
        [profile loop-b]
        credential_process = awsenv credential-process loop-a
        """
    let admin = try resolver(text: text).resolve(profile: "sdk-admin")
    XCTAssertEqual(admin.identity, "Admin@123456789012")
    XCTAssertEqual(try resolver(text: text).credentials(profile: "sdk-base"), keys)
    // The role's session is the one `admin` cached: no second call.
    XCTAssertEqual(
      try resolver(text: text).resolve(profile: "admin").credentials, admin.credentials)
    _ = try resolver(text: text).resolve(profile: "over-sdk")
    XCTAssertEqual(fake.actions(), ["AssumeRole", "AssumeRole"])
    XCTAssertThrowsError(try resolver(text: text).resolve(profile: "loop-a")) {
      XCTAssertTrue(
        ($0 as? AwsenvError)?.message.contains("'loop-a' → 'loop-b' → 'loop-a'") == true,
        "\($0)")
      guard case .credentialProcessLoop(let profiles)? = $0 as? AwsenvError else {
        return XCTFail("\($0)")
      }
      XCTAssertEqual(profiles, ["loop-a", "loop-b", "loop-a"])
    }
  }

  func testInsideTheRefreshWindowASessionIsReplaced() throws {
    fake = FakeSTS(expiry: Date().addingTimeInterval(200))  // less than the 5-minute TTL
    _ = try resolver().resolve(profile: "admin")
    _ = try resolver().resolve(profile: "admin")
    XCTAssertEqual(fake.actions(), ["AssumeRole", "AssumeRole"])
    XCTAssertEqual(try store.search(["kind": "session"]).count, 1, "the old session is deleted")
    // A shorter minimum TTL makes the same session good enough again.
    _ = try resolver(environment: ["AWSENV_MIN_TTL": "1m"]).resolve(profile: "admin")
    XCTAssertEqual(fake.calls.count, 2)
  }

  func testRefreshForcesANewSessionAndAFailedOneKeepsTheOld() throws {
    let first = try resolver().resolve(profile: "admin")
    fake.script([stsError(403, "AccessDenied", "no")])
    XCTAssertThrowsError(try resolver().resolve(profile: "admin", options: .init(refresh: true)))
    let kept = try resolver().resolve(profile: "admin")
    XCTAssertTrue(kept.fromCache)
    XCTAssertEqual(kept.credentials, first.credentials)
    let refreshed = try resolver().resolve(profile: "admin", options: .init(refresh: true))
    XCTAssertNotEqual(refreshed.credentials, first.credentials)
    XCTAssertEqual(fake.actions(), ["AssumeRole", "AssumeRole", "AssumeRole"])
  }

  func testAChangedExternalIDOrEndpointNeverFindsTheOldSession() throws {
    _ = try resolver().resolve(profile: "admin")
    _ = try resolver().resolve(profile: "ext")
    XCTAssertEqual(fake.calls[1].parameters["ExternalId"], "abc")
    _ = try resolver(environment: ["AWS_ENDPOINT_URL_STS": "https://sts.example"])
      .resolve(profile: "admin")
    XCTAssertEqual(fake.actions(), ["AssumeRole", "AssumeRole", "AssumeRole"])
  }

  func testNewKeysDropTheSessionsMadeFromThem() throws {
    _ = try resolver().resolve(profile: "admin")
    let storage = KeyStorage(config: try resolver().config, keyring: Keyring(store: store))
    _ = try storage.add(
      profile: "base",
      credentials: Credentials(accessKeyID: "AKIAIOSFODNN7OTHERS", secretAccessKey: "other"))
    XCTAssertEqual(try store.search(["kind": "session"]).count, 0)
  }

  func testAThreeDeepChainCachesEveryLevel() throws {
    let deep = try resolver().resolve(profile: "deep")
    XCTAssertEqual(deep.identity, "Deep@123456789012")
    XCTAssertEqual(fake.actions(), ["AssumeRole", "AssumeRole", "AssumeRole"])
    XCTAssertEqual(
      fake.calls.map { $0.parameters["RoleArn"]?.split(separator: "/").last },
      ["Admin", "Mid", "Deep"])
    // Each call is signed with the credentials of the step before.
    XCTAssertTrue(fake.calls[1].authorization?.contains("Credential=ASIATEST00000001/") ?? false)
    // `mid` is now one lookup; `admin` too.
    _ = try resolver().resolve(profile: "mid")
    _ = try resolver().resolve(profile: "admin")
    XCTAssertEqual(fake.calls.count, 3)
  }

  func testOneMFACodeServesEveryRoleOverTheSameKeys() throws {
    let a = try resolver().resolve(profile: "mfa-a")
    let b = try resolver().resolve(profile: "mfa-b")
    XCTAssertEqual(fake.actions(), ["GetSessionToken", "AssumeRole", "AssumeRole"])
    XCTAssertEqual(prompts.value, 1)
    XCTAssertEqual(fake.calls[0].parameters["SerialNumber"], "arn:aws:iam::123456789012:mfa/alice")
    XCTAssertEqual(fake.calls[0].parameters["TokenCode"], "123456")
    // The roles are assumed with the MFA session, without a code of their own.
    XCTAssertNil(fake.calls[1].parameters["TokenCode"])
    XCTAssertTrue(fake.calls[2].authorization?.contains("Credential=ASIATEST00000001/") ?? false)
    XCTAssertEqual(a.identity, "A@123456789012")
    XCTAssertEqual(b.identity, "B@123456789012")
  }

  func testMFAWithoutATerminalOrInNonInteractiveModeAsksTheUser() throws {
    XCTAssertThrowsError(
      try resolver().resolve(profile: "mfa-a", options: .init(interactive: false))
    ) { error in
      XCTAssertEqual((error as? AwsenvError)?.exitStatus, 3)
      XCTAssertTrue((error as? AwsenvError)?.message.contains("--mfa-code") ?? false)
    }
    XCTAssertEqual(fake.calls.count, 0)
    XCTAssertThrowsError(
      try resolver().resolve(profile: "mfa-a", options: .init(mfaCode: "12a456")))
    _ = try resolver().resolve(profile: "mfa-base", options: .init(mfaCode: "654321"))
    XCTAssertEqual(fake.calls[0].parameters["TokenCode"], "654321")
    XCTAssertEqual(prompts.value, 0)
  }

  func testStaticKeysWorkWhateverTheSTSSettingsSay() throws {
    let env = ["AWS_ENDPOINT_URL_STS": "http://sts.example.com", "AWS_REGION": "bad/region"]
    XCTAssertEqual(try resolver(environment: env).credentials(profile: "base"), keys)
    XCTAssertThrowsError(try resolver(environment: env).resolve(profile: "admin")) {
      XCTAssertTrue((($0 as? AwsenvError)?.message ?? "").contains("is not a region name"))
      guard case .invalidRegion("bad/region")? = $0 as? AwsenvError else {
        return XCTFail("\($0)")
      }
    }
    let plainHTTP = ["AWS_ENDPOINT_URL_STS": "http://sts.example.com"]
    XCTAssertThrowsError(try resolver(environment: plainHTTP).resolve(profile: "admin")) {
      XCTAssertTrue((($0 as? AwsenvError)?.message ?? "").contains("is not https"))
    }
    XCTAssertEqual(fake.calls.count, 0)
  }

  func testMFAProcessGivesTheCodeAndAConfigKeySetsTheMinimumTTL() throws {
    let text =
      config + """

        [profile mfa-proc]
        role_arn = arn:aws:iam::123456789012:role/A
        source_profile = base
        mfa_serial = arn:aws:iam::123456789012:mfa/alice
        mfa_process = /bin/sh -c 'echo " 246810 "'
        awsenv_min_ttl = 2h
        """
    let env = ["PATH": "/usr/bin:/bin"]
    _ = try resolver(environment: env, text: text).resolve(profile: "mfa-proc")
    XCTAssertEqual(fake.calls[0].parameters["TokenCode"], "246810")
    XCTAssertEqual(prompts.value, 0)
    // The role lasts an hour, less than the profile's 2-hour minimum: every use renews it, but
    // the MFA session (12 h) is reused.
    _ = try resolver(environment: env, text: text).resolve(profile: "mfa-proc")
    XCTAssertEqual(fake.actions(), ["GetSessionToken", "AssumeRole", "AssumeRole"])
  }

  func testCredentialProcessResultsWithAnExpiryAreCached() throws {
    let expiring = Credentials(
      accessKeyID: "ASIAPROCESSEXAMPLE", secretAccessKey: "s", sessionToken: "t",
      expiration: Date().addingTimeInterval(3600))
    let env = ["AWSENV_TEST_JSON": expiring.processJSON(), "PATH": "/usr/bin:/bin"]
    XCTAssertEqual(
      try resolver(environment: env).credentials(profile: "proc").accessKeyID,
      "ASIAPROCESSEXAMPLE")
    // Served from the keyring even when the command would now print something else.
    let other = ["AWSENV_TEST_JSON": "not json", "PATH": "/usr/bin:/bin"]
    XCTAssertEqual(
      try resolver(environment: other).credentials(profile: "proc").accessKeyID,
      "ASIAPROCESSEXAMPLE")
    XCTAssertThrowsError(
      try resolver(environment: other).credentials(profile: "proc", options: .init(refresh: true)))
  }

  func testEnvironmentSourceUsesTheShellsOwnKeysFromBeforeAwsenv() throws {
    let text =
      config + """

        [profile from-env]
        role_arn = arn:aws:iam::123456789012:role/Env
        credential_source = Environment
        """
    // The shell now holds another profile's credentials; the saved record has its own.
    let saved = SavedState(entries: [
      ("AWS_ACCESS_KEY_ID", "AKIAORIGINALKEY00001"), ("AWS_SECRET_ACCESS_KEY", "orig"),
      ("AWS_SESSION_TOKEN", nil),
    ])
    let env = [
      "AWS_ACCESS_KEY_ID": "ASIAFROMAWSENV000001", "AWS_SECRET_ACCESS_KEY": "x",
      ShellSession.savedStateEnvironment: saved.encoded,
    ]
    _ = try resolver(environment: env, text: text).resolve(profile: "from-env")
    XCTAssertTrue(
      fake.calls[0].authorization?.contains("Credential=AKIAORIGINALKEY00001/") ?? false)
    XCTAssertThrowsError(
      try resolver(text: text).resolve(profile: "from-env", options: .init(refresh: true))
    ) {
      XCTAssertTrue(
        (($0 as? AwsenvError)?.message ?? "").contains("credential_source = Environment"))
      guard case .noEnvironmentKeys(profile: "from-env")? = $0 as? AwsenvError else {
        return XCTFail("\($0)")
      }
    }
  }

  func testWebIdentityReadsTheTokenFileEachTimeAndTheEnvironmentWins() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let token = dir.appendingPathComponent("token").path
    try "header.payload.signature\n".write(toFile: token, atomically: true, encoding: .utf8)
    let text =
      config + """

        [profile web]
        role_arn = arn:aws:iam::123456789012:role/Web
        web_identity_token_file = \(token)
        """
    let web = try resolver(text: text).resolve(profile: "web")
    XCTAssertEqual(web.identity, "Web@123456789012")
    XCTAssertEqual(fake.calls[0].parameters["WebIdentityToken"], "header.payload.signature")
    XCTAssertNil(fake.calls[0].authorization, "AssumeRoleWithWebIdentity is unsigned")
    let env = ["AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/Other"]
    _ = try resolver(environment: env, text: text).resolve(profile: "web")
    XCTAssertEqual(fake.calls[1].parameters["RoleArn"], "arn:aws:iam::123456789012:role/Other")
    try FileManager.default.removeItem(atPath: token)
    XCTAssertThrowsError(
      try resolver(text: text).resolve(profile: "web", options: .init(refresh: true))
    ) { XCTAssertTrue((($0 as? AwsenvError)?.message ?? "").contains("no such file")) }
  }

  func testCommandLinesSplitLikeTheAWSCLI() throws {
    XCTAssertEqual(
      try CommandRunner.split(#"/opt/x --a 'b c' "d \"e\" $f" g\ h"#),
      ["/opt/x", "--a", "b c", #"d "e" $f"#, "g h"])
    XCTAssertThrowsError(try CommandRunner.split("x 'open"))
    XCTAssertThrowsError(try CommandRunner.split("   "))
  }

  func testSAMLAssertionsAreAcceptedAsXMLOrBase64() throws {
    let xml = "<samlp:Response><saml:Assertion>x</saml:Assertion></samlp:Response>"
    let base64 = Data(xml.utf8).base64EncodedString()
    XCTAssertEqual(try SAMLAssertion.normalize(Array(xml.utf8)), base64)
    XCTAssertEqual(try SAMLAssertion.normalize(Array((base64 + "\n").utf8)), base64)
    let urlEncoded = base64.replacingOccurrences(of: "+", with: "%2B")
      .replacingOccurrences(of: "=", with: "%3D")
    XCTAssertEqual(try SAMLAssertion.normalize(Array(("SAMLResponse=" + urlEncoded).utf8)), base64)
    XCTAssertThrowsError(try SAMLAssertion.normalize(Array("hello".utf8)))
  }
}

/// A thread-safe count, for closures the resolver calls.
final class Counter: Sendable {
  private let count = Mutex(0)
  var value: Int { count.withLock { $0 } }
  func increment() { count.withLock { $0 += 1 } }
  func reset() { count.withLock { $0 = 0 } }
}
