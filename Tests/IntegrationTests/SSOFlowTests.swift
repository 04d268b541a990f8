import Foundation
import XCTest

/// awsenv against a local IAM Identity Center (Tests/harness/sso_server.py, which follows
/// botocore's sso and sso-oidc models and is itself checked with boto3 in SSOServerTests),
/// through the bash hook, with a real keyring. The "browser" is an xdg-open on PATH that fetches
/// the verification URL, as a person confirming the code would.
final class SSOFlowTests: LocalServerTestCase {
  static let server = SharedServer("the local IAM Identity Center") { try SSOServer() }

  var server: SSOServer {
    get throws { try Self.server.get() }
  }

  override func setUp() async throws {
    try server.reset()
  }

  /// Config, the browser, the hook: the start of every test's script.
  func setup() throws -> String {
    let url = try server.startURL
    return """
      mkdir -p ~/.aws ~/bin
      cat >~/.aws/config <<'CONF'
      [default]
      region = us-east-1
      [sso-session corp]
      sso_start_url = \(url)
      sso_region = us-east-1
      sso_registration_scopes = sso:account:access
      [profile prod-admin]
      sso_session = corp
      sso_account_id = 111111111111
      sso_role_name = AdministratorAccess
      region = eu-west-1
      [profile prod-read]
      sso_session = corp
      sso_account_id = 111111111111
      sso_role_name = ReadOnly
      [profile forbidden]
      sso_session = corp
      sso_account_id = 999999999999
      sso_role_name = AdministratorAccess
      CONF
      cat >~/bin/xdg-open <<'BROWSER'
      #!/bin/sh
      printf '%s\\n' "$1" >>"$HOME/opened"
      exec python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' "$1"
      BROWSER
      chmod +x ~/bin/xdg-open
      export PATH="$HOME/bin:$PATH" DISPLAY=:99
      eval "$("$AWSENV" init bash)"
      show() { printf '%s|%s|%s|%s|%s\\n' "${AWS_ACCESS_KEY_ID-}" "${AWS_SESSION_TOKEN:+token}" \\
        "${AWS_CREDENTIAL_EXPIRATION:+expires}" "${AWSENV_IDENTITY-}" "${AWS_PROFILE-}"; }
      token() { secret-tool lookup application awsenv kind sso-token sso-session corp; }
      items() { secret-tool search --all application awsenv 2>&1 | grep -c '^attribute.kind = ' || true; }

      """
  }

  func sandbox(_ script: String, environment: [String: String] = [:]) throws -> RunResult {
    var env = [
      "AWS_ENDPOINT_URL_SSO": try server.url, "AWS_ENDPOINT_URL_SSO_OIDC": try server.url,
    ]
    env.merge(environment) { $1 }
    return try Harness.sandbox(script: try setup() + script, environment: env)
  }

  func operations(_ name: String, error: String? = nil) throws -> Int {
    try server.calls().filter { $0.operation == name && $0.error == error }.count
  }

  func testDeviceLoginWaitsForTheBrowserAndKeepsTheTokenOnlyInTheKeyring() throws {
    try server.setBehaviour(["slowDownRounds": 1, "pendingRounds": 1, "interval": 1])
    let run = try sandbox(
      """
      timeout 60 awsenv login prod-admin
      cat ~/opened
      token | python3 -c 'import json,sys; t=json.load(sys.stdin); print("token", bool(t["accessToken"]), bool(t.get("refreshToken")))'
      secret=$(token | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
      found=$( (grep -rlF -- "$secret" "$HOME" "$TMPDIR" "$XDG_RUNTIME_DIR" 2>/dev/null || true) | wc -l)
      echo "plaintext files: $found"
      test ! -e ~/.aws/sso && echo "no sso cache"
      """)
    XCTAssertSuccess(run)
    XCTAssertTrue(run.stderr.contains("to sign in, open http://127.0.0.1:"), run.stderr)
    XCTAssertTrue(run.stderr.contains("opened it in your browser"), run.stderr)
    XCTAssertTrue(run.stderr.contains("signed in to sso-session corp"), run.stderr)
    XCTAssertTrue(run.stdout.contains("/device?user_code="), run.stdout)
    XCTAssertTrue(run.stdout.contains("token True True"), run.stdout)
    XCTAssertTrue(run.stdout.contains("plaintext files: 0"), run.stdout)
    XCTAssertTrue(run.stdout.contains("no sso cache"), run.stdout)
    XCTAssertEqual(try operations("RegisterClient"), 1)
    XCTAssertEqual(try operations("StartDeviceAuthorization"), 1)
    // One slow_down (scripted), one pending round, then the token: no extra slow_down, so the
    // polls kept to the interval and its 5 s increase.
    XCTAssertEqual(try operations("CreateToken", error: "SlowDownException"), 1)
    XCTAssertEqual(try operations("CreateToken", error: "AuthorizationPendingException"), 1)
    XCTAssertEqual(try operations("CreateToken"), 1)
  }

  func testUseOnTwoRolesCachesEachAndRenewsTheTokenWithoutABrowser() throws {
    try server.setBehaviour(["autoApprove": true, "tokenExpiresIn": 130])
    let run = try sandbox(
      """
      awsenv login --sso-session corp --no-browser
      awsenv use prod-admin
      show
      echo "region $AWS_REGION"
      awsenv use prod-read
      show
      awsenv use prod-admin
      show
      sleep 11
      awsenv use prod-read --refresh
      show
      test ! -e ~/opened && echo "no browser"
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertTrue(lines[0].hasPrefix("ASIA"), lines[0])
    XCTAssertTrue(
      lines[0].hasSuffix("|token|expires|AdministratorAccess@111111111111|prod-admin"), lines[0])
    XCTAssertEqual(lines[1], "region eu-west-1")
    XCTAssertTrue(lines[2].hasSuffix("|ReadOnly@111111111111|prod-read"), lines[2])
    XCTAssertEqual(lines[3], lines[0], "the second use of prod-admin comes from the cache")
    XCTAssertTrue(lines[4].hasSuffix("|ReadOnly@111111111111|prod-read"), lines[4])
    XCTAssertNotEqual(lines[4], lines[2])
    XCTAssertEqual(lines[5], "no browser")
    XCTAssertEqual(try operations("GetRoleCredentials"), 3)
    // The token (130 s) came within the 120 s margin after 11 s: renewed with the refresh
    // token, not a new device login.
    XCTAssertEqual(try operations("StartDeviceAuthorization"), 1)
    let refreshes = try server.calls().filter {
      $0.operation == "CreateToken" && $0.grantType == "refresh_token" && $0.error == nil
    }
    XCTAssertEqual(refreshes.count, 1)
  }

  func testAnEndedSignInLeavesTheShellAsItWasAndSaysWhatToRun() throws {
    try server.setBehaviour(["autoApprove": true, "issueRefreshToken": false])
    let run = try sandbox(
      """
      export AWS_ACCESS_KEY_ID=before
      env | sort >before.txt
      set +e
      awsenv use prod-admin
      echo "no token: $?"
      awsenv login --no-browser 2>/dev/null
      awsenv use forbidden
      echo "forbidden: $?"
      python3 -c 'import urllib.request,sys; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_awsenv/expire-tokens", method="POST")).read()' "$SERVER"
      awsenv use prod-admin
      echo "revoked: $?"
      env | sort >after.txt
      cmp before.txt after.txt && echo "env unchanged"
      """, environment: ["SERVER": try server.url])
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertTrue(run.stdout.contains("no token: 3"), run.stdout)
    XCTAssertTrue(run.stdout.contains("revoked: 3"), run.stdout)
    XCTAssertTrue(run.stdout.contains("forbidden: 1"), run.stdout)
    XCTAssertTrue(run.stdout.contains("env unchanged"), run.stdout)
    let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("awsenv: ") }
    XCTAssertEqual(lines.count, 3, run.stderr)
    XCTAssertTrue(
      lines.allSatisfy { !$0.contains("\n") }, "one line each: \(lines)")
    XCTAssertTrue(
      lines[0].contains("has ended; run `awsenv login --sso-session corp`"), String(lines[0]))
    XCTAssertTrue(
      lines[1].contains("no access to role AdministratorAccess in account 999999999999"),
      String(lines[1]))
    XCTAssertTrue(
      lines[2].contains("has ended; run `awsenv login --sso-session corp`"), String(lines[2]))
  }

  func testLogoutEndsTheSignInAndDeletesTheTokenAndItsRoleSessions() throws {
    try server.setBehaviour(["autoApprove": true])
    let run = try sandbox(
      """
      awsenv login --no-browser 2>/dev/null
      awsenv use prod-admin
      awsenv use prod-read
      echo "items before: $(items)"
      awsenv logout
      echo "items after: $(items)"
      set +e
      awsenv use prod-read --refresh
      echo "after logout: $?"
      awsenv logout
      echo "second logout: $?"
      """)
    XCTAssertEqual(run.status, 0, run.stderr)
    // Token + client registration + 2 role sessions; the registration stays.
    XCTAssertTrue(run.stdout.contains("items before: 4"), run.stdout)
    XCTAssertTrue(run.stdout.contains("items after: 1"), run.stdout)
    XCTAssertTrue(run.stdout.contains("after logout: 3"), run.stdout)
    XCTAssertTrue(run.stdout.contains("second logout: 1"), run.stdout)
    XCTAssertTrue(
      run.stderr.contains(
        "signed out of sso-session corp: deleted the token and 2 role sessions"), run.stderr)
    XCTAssertEqual(try operations("Logout"), 1)
    XCTAssertEqual(try server.state()["loggedOut"], 1)
  }

  func testImportMovesAnAWSCLICacheFileIntoTheKeyring() throws {
    try server.setBehaviour(["autoApprove": true])
    // A token the AWS CLI would have written: signed in with boto3, saved in its cache format
    // (expiresAt in the older "…UTC" form of the knowledge-center article).
    let run = try sandbox(
      """
      mkdir -p ~/.aws/sso/cache
      file=~/.aws/sso/cache/$(printf %s corp | sha1sum | cut -d' ' -f1).json
      python3 - "$file" <<'PY'
      import boto3, datetime, json, os, sys
      from botocore import UNSIGNED
      from botocore.config import Config
      oidc = boto3.client("sso-oidc", region_name="us-east-1", endpoint_url=os.environ["SERVER"],
                          config=Config(signature_version=UNSIGNED))
      client = oidc.register_client(clientName="aws-cli", clientType="public",
                                    scopes=["sso:account:access"])
      secret = dict(clientId=client["clientId"], clientSecret=client["clientSecret"])
      start = oidc.start_device_authorization(startUrl=os.environ["START_URL"], **secret)
      token = oidc.create_token(grantType="urn:ietf:params:oauth:grant-type:device_code",
                                deviceCode=start["deviceCode"], **secret)
      expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
          seconds=token["expiresIn"])
      with open(sys.argv[1], "w") as out:
          json.dump({"startUrl": os.environ["START_URL"], "region": "us-east-1",
                     "accessToken": token["accessToken"],
                     "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SUTC")}, out)
      PY
      awsenv import --sso-cache --remove-plaintext
      test ! -e "$file" && echo "file removed"
      awsenv use prod-admin
      show
      """, environment: ["SERVER": try server.url, "START_URL": try server.startURL])
    XCTAssertSuccess(run)
    XCTAssertTrue(run.stdout.contains("file removed"), run.stdout)
    XCTAssertTrue(run.stdout.contains("|AdministratorAccess@111111111111|prod-admin"), run.stdout)
    XCTAssertTrue(
      run.stderr.contains("imported the token of sso-session corp from"), run.stderr)
    XCTAssertEqual(try operations("StartDeviceAuthorization"), 1, "only boto3's login")
  }

  func testSyncWritesEveryAccountAndRoleIntoItsBlockAndASecondRunChangesNothing() throws {
    try server.setBehaviour(["autoApprove": true])
    let run = try sandbox(
      """
      printf '# my own comment\\n[profile mine]\\nregion = eu-west-3' >>~/.aws/config
      cp ~/.aws/config original
      awsenv login --no-browser 2>/dev/null
      awsenv sso sync
      cp ~/.aws/config first
      awsenv sso sync
      cmp first ~/.aws/config && echo "second sync: unchanged"
      head -c "$(wc -c <original)" first | cmp - original && echo "outside the block: unchanged"
      grep -c '^\\[profile ' first
      grep '^\\[profile ' first | sed -n '5,$p'
      awsenv use Staging-Developer
      show
      """)
    XCTAssertSuccess(run)
    XCTAssertTrue(run.stdout.contains("second sync: unchanged"), run.stdout)
    XCTAssertTrue(run.stdout.contains("outside the block: unchanged"), run.stdout)
    // 4 profiles before (prod-admin, prod-read, forbidden, mine) + 6 − the 2 that prod-admin
    // and prod-read already serve.
    XCTAssertTrue(run.stdout.contains("\n8\n"), run.stdout)
    XCTAssertTrue(run.stdout.contains("[profile Staging-Developer]"), run.stdout)
    XCTAssertTrue(run.stdout.contains("|Developer@222222222222|Staging-Developer"), run.stdout)
    XCTAssertTrue(run.stderr.contains("6 roles found; added 4"), run.stderr)
    XCTAssertTrue(run.stderr.contains("is up to date"), run.stderr)
    // 3 accounts in pages of 2, then each account's roles: per sync.
    XCTAssertEqual(try operations("ListAccounts"), 4)
    XCTAssertEqual(try operations("ListAccountRoles"), 6)
  }

  func testOnATerminalUseOffersTheSignInAndCtrlCStopsALoginCleanly() throws {
    let run = try sandbox(
      TerminalHarness.functions + """
        tm_start 'bash --norc --noprofile'
        type_line 'eval "$("$AWSENV" init bash)"; PS1="$ "'
        type_line 'awsenv use prod-admin; echo "status=$? id=$AWSENV_IDENTITY"'
        wait_text 'Sign in now? [Y/n]'
        type_line 'y'
        wait_text 'status=0 id=AdministratorAccess@111111111111' 30
        screen >offered.txt
        type_line 'clear; awsenv login --force --no-browser'
        wait_text 'Ctrl-C stops'
        tm send-keys C-c
        wait_text 'login interrupted; nothing was stored'
        type_line 'echo "login=$?"'
        wait_text 'login=130'
        cat offered.txt
        echo "authorizations: $(python3 -c 'import json,sys,urllib.request; print(len(json.load(urllib.request.urlopen(sys.argv[1] + "/_awsenv/device-authorizations"))))' "$SERVER")"
        """, environment: ["SERVER": try server.url])
    XCTAssertSuccess(run)
    XCTAssertTrue(run.stdout.contains("to sign in, open http://127.0.0.1:"), run.stdout)
    XCTAssertTrue(run.stdout.contains("opened it in your browser"), run.stdout)
    XCTAssertTrue(run.stdout.contains("authorizations: 2"), run.stdout)
    // The interrupted login stored nothing: the token of the first sign-in is the only one.
    XCTAssertEqual(try server.state()["tokensIssued"], 1)
  }

  /// Role credentials minted at the local STS (moto, signatures checked): what `use` exports
  /// works for `whoami` and for boto3.
  func testSSORoleCredentialsWorkAtSTSForWhoamiAndBoto3() throws {
    let sts = try STSServer()
    defer { sts.stop() }
    let alice = try sts.world.user("alice")
    let account = try sts.world.account
    let sso = try SSOServer(
      world: SSOServer.World(
        startUrl: "https://moto.awsapps.com/start", pageSize: 2,
        accounts: [
          SSOServer.Account(
            accountId: account, accountName: "moto", emailAddress: "moto@example.com",
            roles: ["dev"])
        ]),
      sts: SSOServer.STSBackend(
        url: try sts.url, accessKeyID: alice.accessKeyID,
        secretAccessKey: alice.secretAccessKey))
    defer { sso.stop() }
    try sso.setBehaviour(["autoApprove": true])
    let run = try Harness.sandbox(
      script: """
        mkdir -p ~/.aws
        cat >~/.aws/config <<'CONF'
        [sso-session moto]
        sso_start_url = https://moto.awsapps.com/start
        sso_region = us-east-1
        [profile moto-dev]
        sso_session = moto
        sso_account_id = \(account)
        sso_role_name = dev
        CONF
        eval "$("$AWSENV" init bash)"
        awsenv login --no-browser 2>/dev/null
        awsenv use moto-dev
        awsenv whoami --json
        python3 -c 'import boto3; print("boto3", boto3.client("sts").get_caller_identity()["Arn"])'
        """,
      environment: [
        "AWS_ENDPOINT_URL_SSO": sso.url, "AWS_ENDPOINT_URL_SSO_OIDC": sso.url,
        "AWS_ENDPOINT_URL_STS": try sts.url, "AWS_REGION": "us-east-1",
      ])
    XCTAssertSuccess(run)
    let arn = "arn:aws:sts::\(account):assumed-role/dev/"
    XCTAssertTrue(run.stdout.contains("\"Arn\":\"\(arn)"), run.stdout)
    XCTAssertTrue(run.stdout.contains("boto3 \(arn)"), run.stdout)
  }
}
