import Foundation
import XCTest

/// Issue 7, hardening: after every workflow (add, import --remove-plaintext, use on keys, role,
/// MFA, web identity, SAML, credential_process, SSO login and use, exec, export,
/// credential-process, whoami, list, sso sync, failures, clear, logout, remove), run once plainly
/// and once more with `--debug`, no secret is anywhere it should not be: not in a file under
/// HOME, TMPDIR or XDG_RUNTIME_DIR (gnome-keyring's encrypted store included), not in the
/// argument list of any process of the sandbox, not in the arguments or environment of a
/// program awsenv starts (xdg-open, credential_process, mfa_process; only `exec`'s command gets
/// them), not on stderr, raw or encoded. Every file and directory awsenv creates is private
/// (0600/0700, under `umask 000`), and every user file is replaced by renaming a temporary file
/// from the same directory (strace).
///
/// One sandbox runs the whole workflow once (the first test that needs it starts it); each test
/// checks one side of it. What the test itself handles stays out of the scanned trees: secrets
/// reach the sandbox in files beside HOME (`fix/`), outputs go to `out/` and `spy/` there, and
/// the secrets to look for come from the sandbox's stdout (the shell's variables and the keyring's
/// items, printed with builtins and secret-tool) and from the IAM Identity Center's record of
/// what it issued (Tests/harness/sso_secrets_server.py).
final class NoPlaintextTests: XCTestCase {
  static let spec = """
    {"users": [{"name": "alice", "mfa": true}, {"name": "bob"}, {"name": "carol"},
               {"name": "dave", "mfa": true}],
     "saml_providers": [{"name": "awsenv-idp"}],
     "oidc_providers": [{"url": "https://oidc.awsenv.test", "client_ids": ["awsenv"]}],
     "roles": [
       {"name": "dev", "trust": {"users": ["alice", "bob", "carol", "dave"]}},
       {"name": "admin", "trust": {"roles": ["dev"]}},
       {"name": "mfa-required", "trust": {"users": ["alice"], "mfa": true}},
       {"name": "saml", "trust": {"saml": "awsenv-idp"}},
       {"name": "web", "trust": {"oidc": "oidc.awsenv.test"}}]}
    """

  nonisolated(unsafe) static var sts: STSServer?
  nonisolated(unsafe) static var sso: LocalServer?
  nonisolated(unsafe) static var startFailure: String?
  nonisolated(unsafe) private static var outcome: Result<Workflow, Error>?

  override class func setUp() {
    super.setUp()
    do {
      sts = try STSServer(auth: true, spec: spec)
      sso = try LocalServer(
        script: "sso_secrets_server.py", needs: "python3 from PATH, standard library only")
    } catch {
      startFailure = "\(error)"
    }
  }

  override class func tearDown() {
    sts?.stop()
    sso?.stop()
    sts = nil
    sso = nil
    if case .success(let workflow)? = outcome {
      if ProcessInfo.processInfo.environment["AWSENV_KEEP_NOPLAINTEXT"] != nil {
        print("NoPlaintextTests: kept \(workflow.root)")
      } else {
        try? FileManager.default.removeItem(atPath: workflow.root)
      }
    }
    outcome = nil
    super.tearDown()
  }

  /// The workflow's results, run on first use.
  private func workflow() throws -> Workflow {
    if let outcome = Self.outcome { return try outcome.get() }
    if let failure = Self.startFailure { throw LocalServer.Failure(description: failure) }
    let sts = try XCTUnwrap(Self.sts, "the local STS did not start")
    let sso = try XCTUnwrap(Self.sso, "the local IAM Identity Center did not start")
    let result = Result { try Workflow.run(sts: sts, sso: sso) }
    Self.outcome = result
    return try result.get()
  }

  // MARK: - 1. Files

  /// Every regular file under HOME, TMPDIR, XDG_RUNTIME_DIR, the sandbox's logs and /dev/shm:
  /// no secret, raw, percent-, JSON-, base64- or hex-encoded, nor a 16-character piece of one.
  /// Not even the keys `import --remove-plaintext` took out of ~/.aws/credentials: the previous
  /// file is kept in the keyring, not beside it (DECISIONS.md, "Files").
  func testNoSecretInAnyFileAfterTheWorkflows() throws {
    let workflow = try workflow()
    XCTAssertGreaterThan(workflow.secrets.count, 30, "the workflow's secrets were collected")
    let imported = workflow.secrets.filter { $0.name.hasPrefix("carol ") }.map(\.value)
    var files = try [workflow.home, workflow.runtime, workflow.temporary].flatMap {
      try regularFiles(under: $0)
    }
    // /dev/shm is the machine's: what changed there while the workflow ran.
    if access("/dev/shm", W_OK) == 0 {
      files += try entries(under: "/dev/shm").filter {
        $0.1.st_mode & S_IFMT == S_IFREG && $0.1.st_mtim.tv_sec >= workflow.started
      }.map(\.0)
    }
    files += ["bus.log", "keyring.log"].map { "\(workflow.root)/\($0)" }
      .filter { FileManager.default.fileExists(atPath: $0) }
    var bytes = 0
    for path in files {
      guard let data = readBytes(path, limit: 16 << 20) else { continue }
      bytes += data.count
      for hit in workflow.index.hits(in: data) {
        XCTFail("\(hit.description) in \(relative(path, workflow.root))")
      }
    }
    // The scan does find the imported keys where they were: it would see a copy left behind.
    for key in imported {
      XCTAssertFalse(workflow.index.hits(in: Array("[carol]\nkey = \(key)\n".utf8)).isEmpty)
    }
    XCTAssertFalse(
      files.contains { $0.contains(".awsenv-backup-") }, "no dated plaintext backup: \(files)")
    XCTAssertEqual(
      workflow.cacheFilesRemoved, 2, "import --sso-cache --remove-plaintext deleted the token files"
    )
    XCTAssertTrue(
      files.contains { $0.hasSuffix("/.local/share/keyrings/login.keyring") },
      "gnome-keyring's store was scanned")
    let kinds = Dictionary(
      grouping: workflow.secrets.map {
        $0.name.split(separator: "#")[0].trimmingCharacters(in: .whitespaces)
      }, by: { $0 }
    ).mapValues(\.count).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
    let index = workflow.index
    print(
      "NoPlaintextTests: \(workflow.secrets.count) secrets [\(kinds.joined(separator: ", "))] "
        + "(\(index.needleCount) encoded forms, \(index.windowCount) 16-byte pieces); scanned "
        + "\(files.count) files, \(bytes) bytes")
  }

  // MARK: - 2. Processes

  /// The programs awsenv starts (xdg-open, credential_process, mfa_process), run while the shell
  /// holds another profile's keys and its saved state (AWSENV_SAVED holds the shell's own keys
  /// from before awsenv): no secret in their arguments or environment, and none of
  /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_SECURITY_TOKEN,
  /// AWSENV_SAVED. `exec`'s command, the one that should get them, got them. And no process of
  /// the sandbox had a secret in its argument list while the workflow ran (sampled from /proc,
  /// with STS slowed down so that awsenv's own calls are seen).
  func testChildProcessesAndArgumentListsCarryNoSecret() throws {
    let workflow = try workflow()
    let spyDirectory = workflow.root + "/spy"
    let records = try FileManager.default.contentsOfDirectory(atPath: spyDirectory).sorted()
    var spied: [String: Int] = [:]
    for name in records where name.hasSuffix(".environ") {
      let base = String(name.dropLast(".environ".count))
      let spy = String(base.prefix { $0 != "." })
      spied[spy, default: 0] += 1
      let environ = readBytes("\(spyDirectory)/\(name)") ?? []
      let cmdline = readBytes("\(spyDirectory)/\(base).cmdline") ?? []
      for hit in workflow.index.hits(in: cmdline) {
        XCTFail("\(hit.description) in the arguments of \(spy) (\(base))")
      }
      for hit in workflow.index.hits(in: environ) {
        XCTFail("\(hit.description) in the environment of \(spy) (\(base))")
      }
      let names = Set(
        environ.split(separator: 0).map { String(decoding: $0.prefix { $0 != 61 }, as: UTF8.self) })
      for variable in [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
        "AWSENV_SAVED",
      ] where names.contains(variable) {
        XCTFail("\(spy) (\(base)) inherited \(variable)")
      }
    }
    // Two logins with the browser (one more with --debug), credential_process twice,
    // mfa_process twice.
    XCTAssertGreaterThanOrEqual(spied["xdg-open"] ?? 0, 2, "xdg-open ran: \(records)")
    XCTAssertGreaterThanOrEqual(spied["cred-spy"] ?? 0, 2, "credential_process ran: \(records)")
    XCTAssertGreaterThanOrEqual(spied["mfa-spy"] ?? 0, 1, "mfa_process ran: \(records)")

    // What the spies would have inherited before: the hook's saved state carries the shell's
    // own keys percent-encoded, and the index recognises them in that form.
    let savedHits = workflow.index.hits(in: Array(workflow.savedState.utf8))
    XCTAssertTrue(
      savedHits.contains { $0.secret.name == "the shell's own secret key" && $0.form != "raw" },
      "the saved state holds the shell's keys encoded: \(savedHits.map(\.description))")

    // exec's command is the one process that gets the keys.
    let execEnvironment = Harness.parseEnv(
      Data(
        (readBytes(workflow.root + "/out/exec-env") ?? []).map { $0 == 10 ? 0 : $0 }))
    let execSecret = try XCTUnwrap(execEnvironment["AWS_SECRET_ACCESS_KEY"], "exec ran env")
    XCTAssertTrue(
      workflow.secrets.contains { $0.value == execSecret },
      "the secret exec handed over is one the test tracks")

    // Every argument list of the sandbox's processes while the workflow ran.
    let samples = try workflow.samples()
    var pids = Set<Int>()
    var sawSlowUse = false
    var canaries = 0
    var sawBrowser = false
    for process in samples.processes {
      pids.insert(process.pid)
      let words = process.cmdline.split(separator: 0).map {
        String(decoding: $0, as: UTF8.self)
      }
      if process.comm == "awsenv" && words.contains("use") && words.contains("dev") {
        sawSlowUse = true
      }
      // The spy, then the python3 it becomes, carry the verification URL.
      if words.contains(where: { $0.contains("/device?user_code=") }) { sawBrowser = true }
      for hit in workflow.index.hits(in: process.cmdline) {
        if hit.secret.name == Workflow.canary {
          canaries += 1
        } else {
          XCTFail("\(hit.description) in the arguments of pid \(process.pid) (\(process.comm))")
        }
      }
    }
    XCTAssertTrue(sawSlowUse, "the sampler saw `awsenv use dev` during its slow AssumeRole")
    XCTAssertTrue(sawBrowser, "the sampler saw the browser")
    XCTAssertGreaterThanOrEqual(canaries, 1, "the sampler caught the test's own canary argument")
    print(
      "NoPlaintextTests: spied \(spied.values.reduce(0, +)) child processes \(spied); "
        + "sampled /proc \(samples.iterations) times: \(pids.count) processes, "
        + "\(samples.processes.count) distinct argument lists")
  }

  // MARK: - 3. stderr and --debug

  /// Every command's stderr, plain and with `--debug` (and AWSENV_DEBUG=1): no secret, raw,
  /// encoded or a 16-character piece of one (a mask may keep a few characters, not more). The
  /// debug runs say something; the failures (a wrong secret: SignatureDoesNotMatch; a wrong MFA
  /// code) say what failed without echoing what was sent.
  func testStderrAndDebugOutputNeverShowASecret() throws {
    let workflow = try workflow()
    var debugRuns = 0
    for step in workflow.steps {
      let label = "step \(step.label) (exit \(step.status))"
      if step.isFailure {
        XCTAssertNotEqual(step.status, 0, "\(label) should fail")
      } else {
        XCTAssertEqual(
          step.status, 0, "\(label) failed: \(String(decoding: step.stderr, as: UTF8.self))")
      }
      for hit in workflow.index.hits(in: step.stderr) {
        XCTFail("\(hit.description) on the stderr of \(label)")
      }
      if step.isDebug {
        debugRuns += 1
        XCTAssertFalse(step.stderr.isEmpty, "\(label) printed no debug output")
      }
      let text = String(decoding: step.stderr, as: UTF8.self)
      if step.name.hasSuffix("fail-signature") || step.name.hasSuffix("fail-whoami") {
        XCTAssertTrue(text.contains("SignatureDoesNotMatch"), "\(label): \(text)")
      }
      if step.name.hasSuffix("fail-mfa") {
        XCTAssertTrue(text.contains("MFA code was not accepted"), "\(label): \(text)")
      }
    }
    let debugText = workflow.steps.filter(\.isDebug).map {
      String(decoding: $0.stderr, as: UTF8.self)
    }
    .joined()
    XCTAssertTrue(debugText.contains("****"), "the debug output shows masks")
    for code in workflow.mfaCodes {
      for step in workflow.steps where step.name.contains("mfa") {
        XCTAssertFalse(
          String(decoding: step.stderr, as: UTF8.self).contains("mfa-code \(code)"),
          "step \(step.label) shows the MFA code")
      }
    }
    for hit in workflow.index.hits(in: Array(workflow.run.stderr.utf8)) {
      XCTFail("\(hit.description) on the sandbox's stderr")
    }
    XCTAssertTrue(workflow.cleared, "clear gave the shell its own keys back")
    XCTAssertGreaterThanOrEqual(debugRuns, 30)
    print(
      "NoPlaintextTests: checked the stderr of \(workflow.steps.count) commands, "
        + "\(debugRuns) of them with --debug or AWSENV_DEBUG=1")
  }

  // MARK: - 4. Modes and atomic writes

  /// Under `umask 000`: every file awsenv created under HOME, TMPDIR and XDG_RUNTIME_DIR is
  /// 0600 and every directory 0700 (what existed before and what the test wrote are left out).
  /// Every awsenv process ran under strace: each user file it wrote was a temporary file
  /// (`.NAME.awsenv-XXXXXX`, created O_EXCL) renamed over the file in the same directory; none
  /// was opened for writing in place, backups included. Lock files under
  /// $XDG_RUNTIME_DIR/awsenv are not user files.
  func testFilesArePrivateAndReplacedAtomically() throws {
    let workflow = try workflow()
    let before = Set(lines(workflow.root + "/out/before"))
    let testCreated = Set(lines(workflow.root + "/out/test-created"))
    var checked: [String] = []
    for root in [workflow.home, workflow.runtime, workflow.temporary] {
      for (path, info) in try entries(under: root) {
        guard !before.contains(path), !testCreated.contains(path) else { continue }
        let kind = info.st_mode & S_IFMT
        let permissions = info.st_mode & 0o7777
        let shown = relative(path, workflow.root)
        if (path as NSString).lastPathComponent.range(
          of: #"^\..+\.awsenv-[A-Za-z0-9]{6}$"#, options: .regularExpression) != nil
        {
          XCTFail("a temporary file was left behind: \(shown)")
        }
        if kind == S_IFDIR {
          XCTAssertEqual(
            permissions, 0o700, "directory \(shown) is \(String(permissions, radix: 8))")
        } else if kind == S_IFREG {
          XCTAssertEqual(permissions, 0o600, "file \(shown) is \(String(permissions, radix: 8))")
        } else {
          XCTFail("awsenv left \(shown), neither a file nor a directory")
        }
        checked.append(shown)
      }
    }
    for expected in [
      "home/.aws", "home/.aws/config", "home/.aws/config.awsenv-backup",
      "home/.cache/awsenv/keyring-index", "home/.local/state/awsenv/recent",
    ] {
      XCTAssertTrue(checked.contains(expected), "\(expected) was created and checked: \(checked)")
    }

    let trace = try StraceLog(
      directory: workflow.root + "/out/strace",
      trees: [workflow.home, workflow.runtime, workflow.temporary],
      locks: workflow.runtime + "/awsenv/")
    XCTAssertGreaterThan(trace.files, 50, "every awsenv process was traced")
    for violation in trace.violations {
      XCTFail(violation.replacingOccurrences(of: workflow.root + "/", with: ""))
    }
    for target in [
      "/.aws/config", "/.aws/credentials", "/.aws/config.awsenv-backup",
      "/.cache/awsenv/keyring-index", "/.local/state/awsenv/recent",
    ] {
      XCTAssertTrue(
        trace.replaced.contains(workflow.home + target), "~\(target) was replaced by a rename")
    }
    print(
      "NoPlaintextTests: modes of \(checked.count) created paths checked: \(checked); "
        + "strace: \(trace.files) traced tasks, \(trace.replaced.count) files replaced by "
        + "rename (\(trace.renames) renames), \(trace.locks.count) lock files")
  }
}

// MARK: - The workflow

/// A secret the workflow used or received. `keyMaterial`: a key, token or code whose pieces are
/// secret too (a SAML assertion or a token's claims are not).
private struct TrackedSecret: Hashable {
  var name: String
  var value: String
  var keyMaterial: Bool
}

/// One step of the workflow's script: its name (`debug-…` for the runs with debug output,
/// `…fail-…` for those that must fail), exit status and stderr.
private struct WorkflowStep {
  var label: String
  var name: String
  var status: Int32
  var stderr: [UInt8]

  var isDebug: Bool { name.hasPrefix("debug-") }
  var isFailure: Bool { name.contains("fail-") }
}

/// What the sandbox's /proc sampler saw (Tests/harness/plaintext_probe.py sample).
private struct ProcessSamples {
  struct Process {
    var pid: Int
    var comm: String
    var cmdline: [UInt8]
  }

  var iterations: Int
  var processes: [Process]
}

private struct Workflow {
  /// The kept sandbox directory: home/, run/, tmp/ (scanned) and fix/, tools/, out/, spy/ (the
  /// test's own, not scanned).
  var root: String
  var run: RunResult
  var secrets: [TrackedSecret]
  var index: SecretIndex
  var steps: [WorkflowStep]
  /// `clear` restored the keys the shell had before the first `use`.
  var cleared: Bool
  /// When the sandbox started (Unix seconds).
  var started: Int
  /// The hook's saved state (`__awsenv_saved`) after the first `use`.
  var savedState: String
  /// The MFA codes given with --mfa-code.
  var mfaCodes: [String]
  /// How many of the AWS CLI's token files `import --sso-cache --remove-plaintext` deleted.
  var cacheFilesRemoved: Int

  /// The name of a made-up secret the script puts in an argument list on purpose, so that the
  /// sampler is seen to catch one.
  static let canary = "the test's canary"

  var home: String { root + "/home" }
  var runtime: String { root + "/run" }
  var temporary: String { root + "/tmp" }

  func samples() throws -> ProcessSamples {
    let data = try Data(contentsOf: URL(fileURLWithPath: root + "/out/samples.json"))
    let object = try XCTUnwrap(
      JSONSerialization.jsonObject(with: data) as? [String: Any], "samples.json")
    let list = object["processes"] as? [[String: Any]] ?? []
    return ProcessSamples(
      iterations: object["iterations"] as? Int ?? 0,
      processes: list.map {
        ProcessSamples.Process(
          pid: $0["pid"] as? Int ?? 0, comm: $0["comm"] as? String ?? "",
          cmdline: [UInt8](Data(base64Encoded: $0["cmdline"] as? String ?? "") ?? Data()))
      })
  }

  /// Writes the fixtures, runs the script in a kept sandbox, collects the secrets.
  static func run(sts: STSServer, sso: LocalServer) throws -> Workflow {
    let root = try Harness.makeDirectory()
    for name in ["fix", "tools", "out", "out/err", "out/strace", "spy"] {
      try FileManager.default.createDirectory(
        atPath: "\(root)/\(name)", withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
    }
    let world = sts.world
    var secrets: [TrackedSecret] = []
    func track(_ name: String, _ value: String?, keyMaterial: Bool = true) {
      guard let value, value.count >= 8, !secrets.contains(where: { $0.value == value }) else {
        return
      }
      secrets.append(TrackedSecret(name: name, value: value, keyMaterial: keyMaterial))
    }
    func fixture(_ name: String, _ text: String) throws {
      let path = "\(root)/fix/\(name)"
      try Data(text.utf8).write(to: URL(fileURLWithPath: path))
      chmod(path, 0o600)
    }

    for name in ["alice", "bob", "carol", "dave"] {
      let user = try world.user(name)
      track("\(name) secret access key", user.secretAccessKey)
      try fixture(name, "\(user.accessKeyID)\n\(user.secretAccessKey)\n")
    }
    let carol = try world.user("carol")
    try fixture(
      "carol.ini",
      "[carol]\naws_access_key_id = \(carol.accessKeyID)\n"
        + "aws_secret_access_key = \(carol.secretAccessKey)\n")
    let wrong = "wrong/" + randomText(30) + "+0="
    track("the wrong secret", wrong)
    try fixture("wrong", "\(carol.accessKeyID)\n\(wrong)\n")
    for name in ["alice", "dave"] {
      try fixture("\(name).seed", try XCTUnwrap(world.user(name).mfaSeed) + "\n")
    }
    // The shell's own keys from before awsenv: kept, percent-encoded, in the hook's saved state.
    let preSecret = "pre/" + randomText(30) + "+=x"
    let preToken = "preToken/" + randomText(60) + "=="
    track("the shell's own secret key", preSecret)
    track("the shell's own session token", preToken)
    try fixture("preexisting", "AKIAPREEXISTING00001\n\(preSecret)\n\(preToken)\n")
    let canary = "canary/" + randomText(32)
    track(Workflow.canary, canary)
    try fixture("canary", canary + "\n")
    // credential_process's answer.
    let processSecret = "proc/" + randomText(35)
    let processToken = "procToken+" + randomText(80)
    track("credential_process secret key", processSecret)
    track("credential_process session token", processToken)
    let expiration = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
    try fixture(
      "process.json",
      #"{"Version": 1, "AccessKeyId": "ASIAPROCESS000000001", "SecretAccessKey": ""#
        + processSecret + #"", "SessionToken": ""# + processToken + #"", "Expiration": ""#
        + expiration + "\"}\n")
    // What the federated calls send: never stored.
    let webToken = try String(contentsOfFile: world.files.webIdentityToken, encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    track("the web identity token", webToken, keyMaterial: false)
    track(
      "the web identity token's signature", webToken.split(separator: ".").last.map(String.init))
    let samlFile = try XCTUnwrap(world.files.samlAssertionBase64)
    track(
      "the SAML assertion",
      try String(contentsOfFile: samlFile, encoding: .utf8)
        .trimmingCharacters(in: .whitespacesAndNewlines), keyMaterial: false)
    if let xml = world.files.samlAssertionXML {
      track(
        "the SAML assertion's XML", try? String(contentsOfFile: xml, encoding: .utf8),
        keyMaterial: false)
    }

    try writeTools(root: root)
    try sts.setAuth(true)
    try sts.resetCalls()
    try sts.clearFaults()
    // Slow calls, so that the sampler sees awsenv (and its children) at work.
    try sts.injectFaults(count: 1, status: 0, delay: 1.5, action: "AssumeRole")
    try sts.injectFaults(count: 1, status: 0, delay: 1.0, action: "GetSessionToken")
    _ = try sso.request("POST", "/_awsenv/reset")

    let started = Int(Date().timeIntervalSince1970) - 1
    let run = try Harness.sandbox(
      script: try script(root: root, world: world, sso: sso),
      environment: [
        "AWS_ENDPOINT_URL_STS": sts.url, "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_SSO": sso.url, "AWS_ENDPOINT_URL_SSO_OIDC": sso.url,
        "HARNESS": LocalServer.harness, "SAML_FILE": samlFile, "PYTHONDONTWRITEBYTECODE": "1",
      ], keep: root)
    try sts.clearFaults()

    // The shell's variables after each step, and every keyring item at each step.
    var cleared = false
    var cacheFilesRemoved = 0
    var savedState = ""
    var mfaCodes: [String] = []
    var sessions = 0
    for line in run.stdout.split(separator: "\n") {
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      switch fields.first {
      case "@@env" where fields.count == 4:
        sessions += 1
        track("exported secret key #\(sessions)", fields[2])
        track("exported session token #\(sessions)", fields[3])
      case "@@item" where fields.count >= 2:
        let json = fields.dropFirst().joined(separator: "\t")
        guard
          let object = try? JSONSerialization.jsonObject(with: Data(json.utf8))
            as? [String: Any]
        else { continue }
        for key in [
          "SecretAccessKey", "SessionToken", "accessToken", "refreshToken", "clientSecret",
        ] {
          track("keyring \(key) #\(secrets.count)", object[key] as? String)
        }
      case "@@cleared":
        cleared = true
      case "@@cache-removed":
        cacheFilesRemoved += 1
      case "@@saved" where fields.count == 2:
        savedState = fields[1]
      case "@@code" where fields.count == 2:
        mfaCodes.append(fields[1])
      default:
        break
      }
    }
    // What the IAM Identity Center issued, whether or not it reached the keyring.
    let issued = try JSONSerialization.jsonObject(with: sso.request("GET", "/_awsenv/secrets"))
    for (kind, values) in (issued as? [String: [String]]) ?? [:] {
      for (number, value) in values.enumerated() { track("SSO \(kind) #\(number + 1)", value) }
    }

    var steps: [WorkflowStep] = []
    for line in lines(root + "/out/status") {
      let parts = line.split(separator: " ")
      guard parts.count == 2, let status = Int32(parts[1]) else { continue }
      let label = String(parts[0])
      steps.append(
        WorkflowStep(
          label: label, name: String(label.drop { $0 != "-" }.dropFirst()), status: status,
          stderr: readBytes("\(root)/out/err/\(label)") ?? []))
    }
    guard run.status == 0, !steps.isEmpty else {
      throw LocalServer.Failure(
        description: "the workflow script failed (exit \(run.status), \(steps.count) steps)\n"
          + "stderr:\n\(run.stderr)\nlast steps: \(steps.suffix(3).map(\.label))")
    }
    return Workflow(
      root: root, run: run, secrets: secrets, index: SecretIndex(secrets), steps: steps,
      cleared: cleared, started: started, savedState: savedState, mfaCodes: mfaCodes,
      cacheFilesRemoved: cacheFilesRemoved)
  }

  /// The spies (xdg-open, a credential_process and an mfa_process that record their own
  /// arguments and environment in spy/) and the strace wrapper every awsenv run goes through.
  static func writeTools(root: String) throws {
    let record = """
      #!/bin/sh
      # Records this process's arguments and environment (outside the scanned trees).
      cat /proc/$$/cmdline >"\(root)/spy/$(basename "$0").$$.cmdline"
      cat /proc/$$/environ >"\(root)/spy/$(basename "$0").$$.environ"

      """
    let tools = [
      "xdg-open": record
        + """
        exec python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' \\
          "$1"

        """,
      "cred-spy": record + "cat \"\(root)/fix/process.json\"\n",
      "mfa-spy": record
        + "exec python3 \"\(LocalServer.harness)/plaintext_probe.py\" totp "
        + "\"\(root)/fix/dave.seed\"\n",
      "awsenv": """
      #!/bin/sh
      # awsenv under strace: every file operation of it and its children, one file per process.
      trace=$(mktemp "\(root)/out/strace/run.XXXXXX") || exit 70
      calls=openat,?open,?creat,rename,renameat,renameat2,link,linkat,mkdir,mkdirat
      calls=$calls,write,truncate,ftruncate,unlink,unlinkat
      exec strace -ff -qq -y -s 0 --seccomp-bpf -e trace="$calls" -o "$trace" \\
        \(shellQuote(Harness.binary)) "$@"

      """,
    ]
    for (name, text) in tools {
      let path = "\(root)/tools/\(name)"
      try Data(text.utf8).write(to: URL(fileURLWithPath: path))
      chmod(path, 0o700)
    }
  }

  /// The workflow (Tests/harness/no_plaintext_workflow.sh), in bash through the hook, under
  /// `umask 000`, with the profiles this writes to fix/config.
  static func script(root: String, world: STSServer.World, sso: LocalServer) throws -> String {
    let alice = try world.user("alice")
    let dave = try world.user("dave")
    let tools = "\(root)/tools"
    let config = """
      [profile carol]
      region = eu-west-1
      [profile dev]
      role_arn = \(try world.role("dev"))
      source_profile = alice
      [profile admin]
      role_arn = \(try world.role("admin"))
      source_profile = dev
      [profile mfa-dev]
      role_arn = \(try world.role("dev"))
      source_profile = alice
      mfa_serial = \(alice.mfaSerial ?? "")
      [profile mfa-strict]
      role_arn = \(try world.role("mfa-required"))
      source_profile = alice
      mfa_serial = \(alice.mfaSerial ?? "")
      [profile mfa-proc]
      role_arn = \(try world.role("dev"))
      source_profile = dave
      mfa_serial = \(dave.mfaSerial ?? "")
      mfa_process = \(tools)/mfa-spy --code
      [profile web]
      role_arn = \(try world.role("web"))
      web_identity_token_file = \(world.files.webIdentityToken)
      [profile saml]
      role_arn = \(try world.role("saml"))
      saml_provider_arn = \(world.samlProviders["awsenv-idp"] ?? "")
      [profile proc]
      credential_process = \(tools)/cred-spy --profile proc 'an argument'
      [profile sdk]
      credential_process = awsenv credential-process sdk
      [profile wrong-role]
      role_arn = \(try world.role("dev"))
      source_profile = wrong
      [sso-session corp]
      sso_start_url = https://example.awsapps.com/start
      sso_region = us-east-1
      sso_registration_scopes = sso:account:access
      [profile prod-admin]
      sso_session = corp
      sso_account_id = 111111111111
      sso_role_name = AdministratorAccess
      [profile prod-read]
      sso_session = corp
      sso_account_id = 111111111111
      sso_role_name = ReadOnly
      """
    try Data((config + "\n").utf8).write(to: URL(fileURLWithPath: "\(root)/fix/config"))
    return "source \(shellQuote(LocalServer.harness + "/no_plaintext_workflow.sh"))\n"
  }
}

// MARK: - Looking for secrets

/// Every secret in every form it could be written in, and its 16-byte pieces.
private struct SecretIndex {
  struct Hit {
    var secret: TrackedSecret
    var form: String
    var description: String { "\(secret.name) (\(form))" }
  }

  static let window = 16

  private var needles: [(secret: TrackedSecret, form: String, bytes: [UInt8])] = []
  /// 16-byte pieces of key material, found in exactly one secret; keyed by their first 8 bytes.
  private var pieces: [UInt64: [(bytes: [UInt8], secret: TrackedSecret)]] = [:]
  private(set) var windowCount = 0

  var needleCount: Int { needles.count }

  init(_ secrets: [TrackedSecret]) {
    for secret in secrets {
      for (form, bytes) in Self.forms(of: secret.value) where bytes.count >= 8 {
        needles.append((secret, form, bytes))
      }
    }
    // Pieces shared by two secrets are structure (a token format's prefix), not secret.
    var owners: [[UInt8]: Set<String>] = [:]
    for secret in secrets where secret.keyMaterial {
      let bytes = Array(secret.value.utf8)
      guard bytes.count >= Self.window else { continue }
      for start in 0...(bytes.count - Self.window) {
        owners[Array(bytes[start..<start + Self.window]), default: []].insert(secret.value)
      }
    }
    let byValue = Dictionary(secrets.map { ($0.value, $0) }) { first, _ in first }
    for (piece, values) in owners where values.count == 1 {
      guard let secret = byValue[values.first!] else { continue }
      pieces[Self.prefix(piece, 0), default: []].append((piece, secret))
      windowCount += 1
    }
  }

  /// The secrets `data` holds, in any form; a piece only when the whole is not there.
  func hits(in data: [UInt8]) -> [Hit] {
    var found: [Hit] = []
    var whole = Set<String>()
    for needle in needles where contains(data, needle.bytes) {
      if whole.insert(needle.secret.value + "\u{0}" + needle.form).inserted {
        found.append(Hit(secret: needle.secret, form: needle.form))
      }
    }
    let named = Set(found.map(\.secret.value))
    guard data.count >= Self.window else { return found }
    var partial = Set<String>()
    for start in 0...(data.count - Self.window) {
      guard let candidates = pieces[Self.prefix(data, start)] else { continue }
      let piece = data[start..<start + Self.window]
      for candidate in candidates where candidate.bytes.elementsEqual(piece) {
        let value = candidate.secret.value
        if !named.contains(value), partial.insert(value).inserted {
          found.append(
            Hit(
              secret: candidate.secret,
              form: "a \(Self.window)-character piece of it, at byte \(start)"))
        }
      }
    }
    return found
  }

  private static func prefix(_ bytes: [UInt8], _ start: Int) -> UInt64 {
    var value: UInt64 = 0
    for offset in 0..<8 { value = value << 8 | UInt64(bytes[start + offset]) }
    return value
  }

  /// The value raw, percent-encoded (upper and lower case hex, as SavedState and URLs write
  /// it), JSON-escaped (`\/`), hex, and base64 / base64url at each of the three alignments a
  /// value can have inside a longer encoded text.
  static func forms(of value: String) -> [(String, [UInt8])] {
    let raw = Array(value.utf8)
    var forms: [(String, [UInt8])] = [("raw", raw)]
    func add(_ name: String, _ text: String) {
      let bytes = Array(text.utf8)
      if !forms.contains(where: { $0.1 == bytes }) { forms.append((name, bytes)) }
    }
    let unreserved = Set(
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".utf8)
    func percent(_ digits: [Character]) -> String {
      String(
        raw.flatMap { byte -> [Character] in
          unreserved.contains(byte)
            ? [Character(UnicodeScalar(byte))]
            : ["%", digits[Int(byte >> 4)], digits[Int(byte & 15)]]
        })
    }
    add("percent-encoded", percent(Array("0123456789ABCDEF")))
    add("percent-encoded, lower case", percent(Array("0123456789abcdef")))
    add(
      "JSON-escaped",
      value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
        of: "\"", with: "\\\""
      )
      .replacingOccurrences(of: "/", with: "\\/"))
    let hex = Array("0123456789abcdef")
    add("hex", String(raw.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] }))
    for shift in 0..<3 {
      let encoded = Array(Data(Array(repeating: 0, count: shift) + raw).base64EncodedString().utf8)
      // Only the groups made of the value's bytes alone.
      let first = shift == 0 ? 0 : 1
      let last = (shift + raw.count) / 3
      guard last > first else { continue }
      let core = String(decoding: encoded[(first * 4)..<(last * 4)], as: UTF8.self)
      add("base64", core)
      add(
        "base64url",
        core.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
    }
    return forms
  }
}

/// Whether `needle` occurs in `haystack`: memchr for its first byte, memcmp for the rest.
private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
  guard !needle.isEmpty, haystack.count >= needle.count else { return false }
  return haystack.withUnsafeBytes { hay in
    needle.withUnsafeBytes { pin in
      guard let base = hay.baseAddress, let pattern = pin.baseAddress else { return false }
      let lastStart = hay.count - pin.count
      var offset = 0
      while offset <= lastStart {
        guard let found = memchr(base + offset, Int32(needle[0]), lastStart - offset + 1) else {
          return false
        }
        let position = base.distance(to: UnsafeRawPointer(found))
        if memcmp(base + position, pattern, pin.count) == 0 { return true }
        offset = position + 1
      }
      return false
    }
  }
}

// MARK: - strace

/// The file operations of every awsenv process (strace -ff -y, one file per thread), judged:
/// in the scanned trees a file is written only as a temporary `.NAME.awsenv-XXXXXX` created
/// O_EXCL and renamed (or linked) to NAME in the same directory; lock files (under `locks`) are
/// exempt.
private struct StraceLog {
  /// One traced call on a path: opened (with its flags), moved (rename/link), or written.
  enum Event {
    case open(path: String, flags: String)
    case move(call: String, source: String, target: String)
    case write(call: String, path: String)
  }

  var files = 0
  var renames = 0
  var replaced = Set<String>()
  var locks = Set<String>()
  var violations: [String] = []

  init(directory: String, trees: [String], locks lockDirectory: String) throws {
    func inTrees(_ path: String) -> Bool { trees.contains { path.hasPrefix($0 + "/") } }
    let temporary = try NSRegularExpression(pattern: #"^\..+\.awsenv-[A-Za-z0-9]{6}$"#)
    func isTemporary(_ path: String, flags: String) -> Bool {
      let name = (path as NSString).lastPathComponent
      return flags.contains("O_CREAT") && flags.contains("O_EXCL")
        && temporary.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
      .filter { $0.split(separator: ".").count == 3 }.sorted()
    let parser = try Parser()
    let traces = names.map { name in
      (
        name,
        parser.events(
          (try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)) ?? "")
      )
    }
    files = traces.count
    // Temporary files, from every thread: one may create it and another rename it.
    var temporaries = Set<String>()
    for (_, events) in traces {
      for case .open(let path, let flags) in events where isTemporary(path, flags: flags) {
        temporaries.insert(path)
      }
    }
    for (name, events) in traces {
      for event in events {
        switch event {
        case .open(let path, let flags):
          let writes = ["O_WRONLY", "O_RDWR", "O_TRUNC", "O_APPEND", "O_CREAT"].contains {
            flags.contains($0)
          }
          guard writes, inTrees(path), !temporaries.contains(path) else { continue }
          if path.hasPrefix(lockDirectory) {
            locks.insert(path)
          } else if path.contains(".awsenv-backup") {
            violations.append(
              "the backup \(path) was written in place (\(flags)), not renamed from a "
                + "temporary file [\(name)]")
          } else {
            violations.append("\(path) was opened for writing in place (\(flags)) [\(name)]")
          }
        case .move(let call, let source, let target):
          guard inTrees(target) || inTrees(source) else { continue }
          if call.hasPrefix("rename") { renames += 1 }
          let sameDirectory =
            (source as NSString).deletingLastPathComponent
            == (target as NSString).deletingLastPathComponent
          // A rename replaces; a link (a backup made without replacing anything) adds.
          if temporaries.contains(source), sameDirectory {
            replaced.insert(target)
          } else {
            violations.append(
              "\(call) \(source) -> \(target) is not a temporary file's rename [\(name)]")
          }
        case .write(let call, let path):
          // Opening the file for writing was reported already; this catches inherited fds.
          if inTrees(path), !temporaries.contains(path), !path.hasPrefix(lockDirectory),
            !path.contains(".awsenv-backup")
          {
            violations.append("\(call) on \(path) in place [\(name)]")
          }
        }
      }
    }
  }

  /// Reads strace's lines (with -y: file descriptors and AT_FDCWD carry their paths).
  struct Parser {
    let open: NSRegularExpression
    let move: NSRegularExpression
    let write: NSRegularExpression

    init() throws {
      open = try NSRegularExpression(
        pattern:
          #"^(?:openat\((?:AT_FDCWD|\d+)(?:<[^>]*>)?, |open\(|creat\()"((?:[^"\\]|\\.)*)", ?([A-Z_|]*)[^)]*\) = (\d+)(?:<([^>]*)>)?"#
      )
      move = try NSRegularExpression(
        pattern:
          #"^(rename|renameat2?|link|linkat)\((?:(?:AT_FDCWD|\d+)(?:<([^>]*)>)?, )?"((?:[^"\\]|\\.)*)", (?:(?:AT_FDCWD|\d+)(?:<([^>]*)>)?, )?"((?:[^"\\]|\\.)*)"[^)]*\) = 0"#
      )
      write = try NSRegularExpression(
        pattern: #"^(write|truncate|ftruncate)\((?:\d+<([^>]*)>|"((?:[^"\\]|\\.)*)")"#)
    }

    func events(_ text: String) -> [Event] {
      var events: [Event] = []
      for line in text.split(separator: "\n").map(String.init) {
        let range = NSRange(line.startIndex..., in: line)
        func group(_ match: NSTextCheckingResult, _ index: Int) -> String? {
          Range(match.range(at: index), in: line).map { String(line[$0]) }
        }
        func absolute(_ path: String, base: String?) -> String {
          path.hasPrefix("/") ? path : "\(base ?? "")/\(path)"
        }
        if let match = open.firstMatch(in: line, range: range) {
          let flags =
            line.hasPrefix("creat(") ? "O_CREAT|O_WRONLY|O_TRUNC" : group(match, 2) ?? ""
          events.append(.open(path: group(match, 4) ?? group(match, 1) ?? "", flags: flags))
        } else if let match = move.firstMatch(in: line, range: range) {
          events.append(
            .move(
              call: group(match, 1) ?? "",
              source: absolute(group(match, 3) ?? "", base: group(match, 2)),
              target: absolute(group(match, 5) ?? "", base: group(match, 4))))
        } else if let match = write.firstMatch(in: line, range: range) {
          events.append(
            .write(call: group(match, 1) ?? "", path: group(match, 2) ?? group(match, 3) ?? ""))
        }
      }
      return events
    }
  }
}

// MARK: - Helpers

private func randomText(_ count: Int) -> String {
  let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
  return String((0..<count).map { _ in alphabet.randomElement()! })
}

private func readBytes(_ path: String, limit: Int = .max) -> [UInt8]? {
  guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
  defer { try? handle.close() }
  return (try? handle.read(upToCount: limit)).map { [UInt8]($0) }
}

private func lines(_ path: String) -> [String] {
  ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
    .map(String.init)
}

private func relative(_ path: String, _ root: String) -> String {
  path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
}

private func mode(of path: String) throws -> mode_t {
  var info = stat()
  guard lstat(path, &info) == 0 else {
    throw LocalServer.Failure(description: "cannot stat \(path)")
  }
  return info.st_mode & 0o7777
}

/// Every path under `root` (not following links), with its lstat.
private func entries(under root: String) throws -> [(String, stat)] {
  var result: [(String, stat)] = []
  var pending = [root]
  while let directory = pending.popLast() {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for name in names.sorted() {
      let path = "\(directory)/\(name)"
      var info = stat()
      guard lstat(path, &info) == 0 else { continue }
      result.append((path, info))
      if info.st_mode & S_IFMT == S_IFDIR { pending.append(path) }
    }
  }
  return result
}

private func regularFiles(under root: String) throws -> [String] {
  try entries(under: root).filter { $0.1.st_mode & S_IFMT == S_IFREG }.map(\.0)
}
