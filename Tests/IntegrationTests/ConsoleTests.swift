import Foundation
import XCTest

/// `awsenv console` against a real STS (moto with SigV4 checking, sts_server.py) and the local
/// stand-in of the AWS Sign-In federation endpoint (signin_server.py), which checks each session
/// at that STS before it hands out a sign-in token: the URL opens (through a recording $BROWSER)
/// or prints, long-lived keys arrive only as a federation token, and failures are one line.
final class ConsoleTests: LocalServerTestCase {
  static let sts = SharedServer("the local STS") { try STSServer(auth: true, spec: spec) }
  static let signin = SharedServer("the sign-in stand-in") {
    try SigninServer(stsURL: try sts.get().url)
  }

  static let spec = """
    {"users": [{"name": "alice"}, {"name": "bob"}],
     "roles": [{"name": "dev", "trust": {"users": ["alice", "bob"]}},
               {"name": "admin", "trust": {"roles": ["dev"]}}]}
    """

  var sts: STSServer { get throws { try Self.sts.get() } }
  var signin: SigninServer { get throws { try Self.signin.get() } }

  override func setUp() async throws {
    try sts.setAuth(true)
    try sts.resetCalls()
    try signin.resetCalls()
  }

  /// Config, keys in the keyring, a $BROWSER that records its arguments (one per line, in
  /// ~/browser-argv) and, as a browser does, visits the URL (the stand-in's answer in
  /// ~/browser-visit); `waitBrowser` waits for it, as it runs detached.
  func setup() throws -> String {
    let world = try sts.world
    let alice = try world.user("alice")
    return """
      mkdir -p ~/.aws ~/bin
      cat >~/.aws/config <<'CONF'
      [profile alice]
      [profile dev]
      role_arn = \(try world.role("dev"))
      source_profile = alice
      [profile admin]
      role_arn = \(try world.role("admin"))
      source_profile = dev
      CONF
      # A session STS never made: the stand-in's check at STS refuses it.
      cat >~/bogus-session.json <<'JSON'
      {"Version": 1, "AccessKeyId": "ASIABOGUS00000000001", "SecretAccessKey": "bogus-secret",
       "SessionToken": "bogus-token", "Expiration": "2099-01-01T00:00:00Z"}
      JSON
      printf '[profile bogus]\ncredential_process = cat %s/bogus-session.json\n' "$HOME" \
        >>~/.aws/config
      printf '%s\\n%s\\n' \(alice.accessKeyID) \(shellQuote(alice.secretAccessKey)) \\
        | "$AWSENV" add alice 2>/dev/null
      cat >~/bin/record-browser <<'BROWSER'
      #!/bin/sh
      for arg in "$@"; do printf '%s\\n' "$arg"; done >"$HOME/browser-argv.tmp"
      mv "$HOME/browser-argv.tmp" "$HOME/browser-argv"
      python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \\
        "$1" >"$HOME/browser-visit.tmp" 2>&1
      mv "$HOME/browser-visit.tmp" "$HOME/browser-visit"
      BROWSER
      chmod +x ~/bin/record-browser
      waitBrowser() {
        for _ in $(seq 1 200); do [ -e ~/browser-visit ] && return 0; sleep 0.05; done
        echo "the browser was not started" >&2; return 1
      }

      """
  }

  func sandbox(_ script: String, environment: [String: String] = [:]) throws -> RunResult {
    var env = [
      "AWS_ENDPOINT_URL_STS": try sts.url, "AWS_ENDPOINT_URL_SIGNIN": try signin.url,
      "AWS_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "2",
    ]
    env.merge(environment) { $1 }
    return try Harness.sandbox(script: try setup() + script, environment: env)
  }

  /// The value of `name` in a URL's query (percent-decoded).
  func parameter(_ name: String, in url: String) -> String? {
    URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
  }

  func testARoleProfileOpensInTheBrowserSignedInAsTheRole() throws {
    let account = try sts.world.account
    let run = try sandbox(
      """
      BROWSER="$HOME/bin/record-browser" "$AWSENV" console dev -s s3
      waitBrowser
      echo "argv:"; cat ~/browser-argv
      echo "visit:"; cat ~/browser-visit
      """)
    XCTAssertSuccess(run)
    XCTAssertTrue(run.stderr.contains("awsenv: opened the console as 'dev' with "), run.stderr)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    let argv = Array(lines.drop { $0 != "argv:" }.dropFirst().prefix { $0 != "visit:" })
    XCTAssertEqual(argv.count, 1, "the browser gets one argument, the URL: \(argv)")
    let url = try XCTUnwrap(argv.first)
    XCTAssertTrue(url.hasPrefix(try signin.url + "/federation?Action=login&Issuer=awsenv&"), url)
    XCTAssertEqual(
      parameter("Destination", in: url),
      "https://console.aws.amazon.com/s3/home?region=us-east-1")
    let visit = try XCTUnwrap(lines.last)
    XCTAssertTrue(visit.contains("arn:aws:sts::\(account):assumed-role/dev/"), visit)

    let calls = try signin.calls()
    XCTAssertEqual(calls.map(\.action), ["getSigninToken", "login"])
    XCTAssertEqual(calls[0].status, 200)
    XCTAssertEqual(calls[0].method, "POST")
    XCTAssertEqual(calls[0].hasSessionToken, true)
    XCTAssertNil(calls[0].sessionDuration)
    XCTAssertTrue(calls[0].accessKeyId?.hasPrefix("ASIA") == true)
  }

  /// A keys profile: STS makes a federation token with the keys, and only that reaches the
  /// sign-in endpoint; the keys never do.
  func testAKeysProfileArrivesAsAFederationTokenNeverAsTheKeys() throws {
    let world = try sts.world
    let alice = try world.user("alice")
    let run = try sandbox(
      """
      USER=alice.smith "$AWSENV" console alice --stdout --duration 2h
      """)
    XCTAssertSuccess(run)
    let url = run.stdout.trimmingCharacters(in: .newlines)
    XCTAssertFalse(url.contains("\n"), url)
    XCTAssertEqual(try sts.calls()["GetFederationToken"], 1)
    let calls = try signin.calls()
    XCTAssertEqual(calls.count, 1)
    let call = try XCTUnwrap(calls.first)
    XCTAssertEqual(call.status, 200, "\(call)")
    XCTAssertNotEqual(call.accessKeyId, alice.accessKeyID)
    XCTAssertTrue(call.accessKeyId?.hasPrefix("ASIA") == true, "\(call)")
    XCTAssertEqual(call.arn, "arn:aws:sts::\(world.account):federated-user/alice.smith")
    // A federation token's length is its own: no SessionDuration.
    XCTAssertNil(call.sessionDuration)
    XCTAssertFalse(run.stdout.contains(alice.secretAccessKey))
    XCTAssertEqual(try signin.visit(url)["arn"], call.arn)
  }

  func testAnSSOProfileSignsInWithItsRoleCredentials() throws {
    let sts = try self.sts
    let alice = try sts.world.user("alice")
    let account = sts.world.account
    let sso = try SSOServer(
      world: SSOServer.World(
        startUrl: "https://moto.awsapps.com/start", pageSize: 2,
        accounts: [
          SSOServer.Account(
            accountId: account, accountName: "moto", emailAddress: "moto@example.com",
            roles: ["dev"])
        ]),
      sts: SSOServer.STSBackend(
        url: sts.url, accessKeyID: alice.accessKeyID, secretAccessKey: alice.secretAccessKey))
    defer { sso.stop() }
    try sso.setBehaviour(["autoApprove": true])
    let run = try sandbox(
      """
      cat >>~/.aws/config <<'CONF'
      [sso-session moto]
      sso_start_url = https://moto.awsapps.com/start
      sso_region = us-east-1
      [profile moto-dev]
      sso_session = moto
      sso_account_id = \(account)
      sso_role_name = dev
      CONF
      "$AWSENV" login moto-dev --no-browser 2>/dev/null
      "$AWSENV" console moto-dev --stdout --duration 20h --region eu-west-1
      """,
      environment: ["AWS_ENDPOINT_URL_SSO": sso.url, "AWS_ENDPOINT_URL_SSO_OIDC": sso.url])
    XCTAssertSuccess(run)
    XCTAssertTrue(
      run.stderr.contains(
        "awsenv: a console session from a role session lasts at most 12h; using 12h instead "
          + "of 20h"), run.stderr)
    let url = run.stdout.trimmingCharacters(in: .newlines)
    XCTAssertEqual(
      parameter("Destination", in: url),
      "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1")
    let call = try XCTUnwrap(try signin.calls().first)
    XCTAssertEqual(call.status, 200, "\(call)")
    XCTAssertEqual(call.sessionDuration, "43200")
    XCTAssertTrue(call.arn?.hasPrefix("arn:aws:sts::\(account):assumed-role/dev/") == true)
    XCTAssertTrue(try signin.visit(url)["arn"]?.contains(":assumed-role/dev/") == true)
  }

  /// A role assumed with a role's session: AWS allows its console session an hour at most.
  func testARoleChainGetsAtMostAnHour() throws {
    let run = try sandbox(#""$AWSENV" console admin --stdout --duration 12h"#)
    XCTAssertSuccess(run)
    XCTAssertEqual(
      run.stderr,
      "awsenv: a console session from a role chain lasts at most 1h; using 1h instead of 12h\n")
    let call = try XCTUnwrap(try signin.calls().first)
    XCTAssertEqual(call.status, 200, "\(call)")
    XCTAssertEqual(call.sessionDuration, "3600")
    XCTAssertTrue(call.arn?.contains(":assumed-role/admin/") == true, "\(call)")
  }

  /// --stdout prints the URL and opens nothing, even with a browser and a display; with neither,
  /// the URL is printed too; the active profile is the default.
  func testStdoutAndNoDisplayPrintTheURLAndOpenNothing() throws {
    let run = try sandbox(
      """
      cat >~/bin/xdg-open <<'OPEN'
      #!/bin/sh
      echo "$@" >"$HOME/xdg-opened"
      OPEN
      chmod +x ~/bin/xdg-open
      export PATH="$HOME/bin:$PATH"
      eval "$("$AWSENV" init bash)"
      awsenv use dev
      DISPLAY=:99 BROWSER="$HOME/bin/record-browser" "$AWSENV" console --stdout >~/out1
      unset DISPLAY WAYLAND_DISPLAY BROWSER
      "$AWSENV" console dev >~/out2
      sleep 0.3
      wc -l <~/out1; wc -l <~/out2
      [ ! -e ~/browser-argv ] && [ ! -e ~/xdg-opened ] && echo "nothing opened"
      head -c 60 ~/out1; echo
      """)
    XCTAssertSuccess(run)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(Array(lines.prefix(3)), ["1", "1", "nothing opened"], run.stdout)
    XCTAssertTrue(lines.last?.hasPrefix(try signin.url + "/federation?Action=login") == true)
    XCTAssertTrue(run.stderr.contains("awsenv: no display and no $BROWSER"), run.stderr)
    XCTAssertEqual(try signin.calls().filter { $0.status == 200 }.count, 2)
  }

  func testWithoutAProfileItIsAUsageError() throws {
    let run = try sandbox(#"unset AWSENV_PROFILE; "$AWSENV" console --stdout || echo "status $?""#)
    XCTAssertTrue(run.stdout.contains("status 64"), run.stdout + run.stderr)
    XCTAssertTrue(run.stderr.hasPrefix("awsenv: name a profile"), run.stderr)
    XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
  }

  /// A session STS does not accept (the stand-in checks it there) and a server error: one
  /// `awsenv:` line each, saying what to do, nothing on stdout, nothing opened.
  func testARefusedSessionAndAServerErrorAreOneClearLine() throws {
    let refused = try sandbox(
      #"BROWSER="$HOME/bin/record-browser" "$AWSENV" console bogus || echo "status $?""#)
    XCTAssertEqual(refused.stdout, "status 1\n")
    XCTAssertEqual(
      refused.stderr,
      "awsenv: the AWS sign-in endpoint (\(try signin.url.dropFirst(7))) refused the session "
        + "of 'bogus' (HTTP 400): it has expired or was revoked, or its role cannot sign in to "
        + "the console; get a new one with `awsenv console bogus --refresh`\n")
    XCTAssertEqual(try signin.calls().first?.reason, "STS refused the session")

    try signin.injectFaults(count: 2, status: 503)
    let failed = try sandbox(#""$AWSENV" console dev --stdout || echo "status $?""#)
    XCTAssertEqual(failed.stdout, "status 1\n")
    XCTAssertTrue(failed.stderr.hasSuffix("failed with HTTP 503; try again in a moment\n"))
    XCTAssertEqual(failed.stderr.split(separator: "\n").count, 1, failed.stderr)
  }

  /// A sign-in token that has expired before the browser used it is refused at `login`.
  func testAnExpiredSigninTokenIsRefusedAtLogin() throws {
    let run = try sandbox(#""$AWSENV" console dev --stdout"#)
    XCTAssertSuccess(run)
    try signin.expireTokens()
    XCTAssertThrowsError(try signin.visit(run.stdout.trimmingCharacters(in: .newlines))) {
      XCTAssertTrue("\($0)".contains("HTTP 400"), "\($0)")
    }
  }

  /// A destination with shell syntax reaches the browser as one argument, percent-encoded, and
  /// arrives at the endpoint exactly as given; no shell ever runs it.
  func testAHostileDestinationIsEncodedAndNeverRunByAShell() throws {
    let hostile =
      "https://console.aws.amazon.com/$(touch /tmp/x)'\"; touch pwned; `touch pwned2`&a=b c#x"
    let run = try sandbox(
      """
      cd ~
      BROWSER="$HOME/bin/record-browser %s" "$AWSENV" console dev --destination \(shellQuote(hostile)) --container 'work & play'
      waitBrowser
      [ ! -e ~/pwned ] && [ ! -e ~/pwned2 ] && echo "no shell ran"
      cat ~/browser-argv
      """)
    XCTAssertSuccess(run)
    let lines = run.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.first, "no shell ran")
    XCTAssertEqual(lines.count, 2, "one argument: \(lines)")
    let argument = lines[1]
    XCTAssertTrue(
      argument.hasPrefix("ext+container:name=work%20%26%20play&url=http%3A%2F%2F127.0.0.1"))
    XCTAssertFalse(argument.contains(" ") || argument.contains("'") || argument.contains("$("))
    let login = try XCTUnwrap(argument.split(separator: "&url=").last?.removingPercentEncoding)
    XCTAssertEqual(parameter("Destination", in: login), hostile)
    let calls = try signin.calls()
    XCTAssertEqual(
      calls.count, 1, "the browser's visit went to the container URL, not the endpoint")
  }

  /// The sign-in token is masked in --debug output and is written to no file.
  func testTheSigninTokenIsMaskedAndNeverWritten() throws {
    let run = try sandbox(
      """
      url=$("$AWSENV" console dev --stdout --debug 2>~/../debug.log)
      token=$(python3 -c 'import sys, urllib.parse as u; print(u.parse_qs(u.urlsplit(sys.argv[1]).query)["SigninToken"][0])' "$url")
      [ ${#token} -gt 100 ] && echo "token seen"
      grep -c "awsenv\\[debug\\]" ~/../debug.log >/dev/null && echo "debug written"
      grep -qF "$token" ~/../debug.log && echo "token in debug log"
      grep -qF "$(python3 -c 'import sys, urllib.parse as u; print(u.quote(sys.argv[1], safe=""))' "$token")" ~/../debug.log && echo "encoded token in debug log"
      grep -rqF "$token" ~ "$TMPDIR" "$XDG_RUNTIME_DIR" 2>/dev/null && echo "token in a file"
      true
      """)
    XCTAssertSuccess(run)
    XCTAssertEqual(run.stdout, "token seen\ndebug written\n")
  }
}
