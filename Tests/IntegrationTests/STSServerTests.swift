import Foundation
import XCTest

/// The local STS is faithful enough to test awsenv against: boto3, a real client, gets from it
/// what it would get from STS (identities, trust decisions, error codes, retries of faults).
final class STSServerTests: LocalServerTestCase {
  static let shared = SharedServer("the local STS") {
    let server = try STSServer()
    print(
      String(
        format: "STSServer: READY after %.2f s, world set up in %.2f s",
        server.startSeconds, server.setupSeconds))
    return server
  }

  /// Set by setUpWithError, which fails the test when the server did not start.
  private var started: STSServer?
  var server: STSServer { started! }

  override func setUpWithError() throws {
    started = try Self.shared.get()
    try server.setAuth(true)
    try server.clearFaults()
    try server.resetCalls()
  }

  /// Runs `script` with python3 after a prelude: W (the world, read from stdin), URL, sts(...)
  /// for a boto3 STS client, and code(call), which is "ok" or the error code. The script prints
  /// JSON on its last line, which is returned decoded.
  func boto3(_ script: String, file: StaticString = #filePath, line: UInt = #line) throws
    -> [String: Any]
  {
    let prelude = """
      import json, os, sys, time, base64
      import boto3
      from botocore import UNSIGNED
      from botocore.config import Config
      from botocore.exceptions import ClientError
      W = json.load(sys.stdin)
      URL = W["endpoint"]
      def sts(user=None, key=None, secret=None, token=None, attempts=1, unsigned=False):
          if user is not None:
              key, secret = W["users"][user]["access_key_id"], W["users"][user]["secret_access_key"]
          config = Config(retries={"max_attempts": attempts, "mode": "standard"},
                          signature_version=UNSIGNED if unsigned else None)
          return boto3.client("sts", endpoint_url=URL, region_name="us-east-1",
                              aws_access_key_id=key, aws_secret_access_key=secret,
                              aws_session_token=token, config=config)
      def code(call):
          try:
              call()
              return "ok"
          except ClientError as error:
              return error.response["Error"]["Code"]
      def role(name):
          return W["roles"][name]["arn"]

      """
    let run = try Harness.run(
      ["/usr/bin/env", "python3", "-c", prelude + script], stdin: server.worldJSON,
      environment: ["PYTHONDONTWRITEBYTECODE": "1"])
    XCTAssertSuccess(run, file: file, line: line)
    let last = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
    let value = try JSONSerialization.jsonObject(with: Data(last.utf8))
    return try XCTUnwrap(value as? [String: Any], run.stdout, file: file, line: line)
  }

  func testSignedCallsAreCheckedAndCounted() throws {
    let result = try boto3(
      """
      r = {}
      alice = sts("alice")
      r["alice"] = alice.get_caller_identity()["Arn"]
      r["wrong secret"] = code(
          lambda: sts(key=W["users"]["alice"]["access_key_id"], secret="x").get_caller_identity())
      r["unknown key"] = code(
          lambda: sts(key="AKIAAWSENVUNKNOWN000", secret="x").get_caller_identity())
      creds = alice.assume_role(RoleArn=role("dev"), RoleSessionName="awsenv-test")["Credentials"]
      dev = sts(key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                token=creds["SessionToken"])
      r["dev"] = dev.get_caller_identity()["Arn"]
      r["dev key"] = creds["AccessKeyId"][:4]
      r["dev wrong token"] = code(
          lambda: sts(key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                      token="forged").get_caller_identity())
      r["bob alice-only"] = code(
          lambda: sts("bob").assume_role(RoleArn=role("alice-only"), RoleSessionName="bob"))
      chained = dev.assume_role(RoleArn=role("admin"), RoleSessionName="chain")["AssumedRoleUser"]
      r["chain"] = chained["Arn"]
      r["alice admin"] = code(
          lambda: alice.assume_role(RoleArn=role("admin"), RoleSessionName="direct"))
      r["no external id"] = code(
          lambda: alice.assume_role(RoleArn=role("partner"), RoleSessionName="partner"))
      r["wrong external id"] = code(
          lambda: alice.assume_role(RoleArn=role("partner"), RoleSessionName="partner",
                                    ExternalId="other"))
      r["external id"] = code(
          lambda: alice.assume_role(RoleArn=role("partner"), RoleSessionName="partner",
                                    ExternalId="awsenv-external-id"))
      r["missing role"] = code(
          lambda: alice.assume_role(RoleArn="arn:aws:iam::123456789012:role/nope",
                                    RoleSessionName="nope"))
      print(json.dumps(r))
      """)
    let account = server.world.account
    XCTAssertEqual(result["alice"] as? String, "arn:aws:iam::\(account):user/alice")
    XCTAssertEqual(result["wrong secret"] as? String, "SignatureDoesNotMatch")
    XCTAssertEqual(result["unknown key"] as? String, "InvalidClientTokenId")
    XCTAssertEqual(result["dev"] as? String, "arn:aws:sts::\(account):assumed-role/dev/awsenv-test")
    XCTAssertEqual(result["dev key"] as? String, "ASIA")
    XCTAssertEqual(result["dev wrong token"] as? String, "InvalidClientTokenId")
    XCTAssertEqual(result["bob alice-only"] as? String, "AccessDenied")
    XCTAssertEqual(result["chain"] as? String, "arn:aws:sts::\(account):assumed-role/admin/chain")
    XCTAssertEqual(result["alice admin"] as? String, "AccessDenied")
    XCTAssertEqual(result["no external id"] as? String, "AccessDenied")
    XCTAssertEqual(result["wrong external id"] as? String, "AccessDenied")
    XCTAssertEqual(result["external id"] as? String, "ok")
    XCTAssertEqual(result["missing role"] as? String, "AccessDenied")
    // Every request is counted, refused ones included; boto3 retried none (max_attempts 1).
    XCTAssertEqual(try server.calls(), ["GetCallerIdentity": 5, "AssumeRole": 8])
    try server.resetCalls()
    XCTAssertEqual(try server.calls(), [:])
  }

  func testMFACodesAreChecked() throws {
    let alice = try server.world.user("alice")
    XCTAssertEqual(alice.mfaSerial, "arn:aws:iam::\(server.world.account):mfa/alice")
    let current = try server.mfaCode()
    let stale = try server.mfaCode(offset: -600)
    let result = try boto3(
      """
      serial = W["users"]["alice"]["mfa_serial"]
      alice = sts("alice")
      def assume(**mfa):
          return code(lambda: alice.assume_role(RoleArn=role("mfa-required"),
                                                RoleSessionName="mfa", **mfa))
      r = {"none": assume(), "stale": assume(SerialNumber=serial, TokenCode="\(stale)"),
           "current": assume(SerialNumber=serial, TokenCode="\(current)")}
      r["session stale"] = code(
          lambda: alice.get_session_token(SerialNumber=serial, TokenCode="\(stale)"))
      token = alice.get_session_token(SerialNumber=serial, TokenCode="\(current)")
      r["session key"] = token["Credentials"]["AccessKeyId"][:4]
      print(json.dumps(r))
      """)
    XCTAssertEqual(result["none"] as? String, "AccessDenied")
    XCTAssertEqual(result["stale"] as? String, "AccessDenied")
    XCTAssertEqual(result["current"] as? String, "ok")
    XCTAssertEqual(result["session stale"] as? String, "AccessDenied")
    XCTAssertEqual(result["session key"] as? String, "ASIA")
  }

  /// GetSessionToken hands out temporary credentials of the calling user that moto's checking
  /// accepts, with MFA when the call carried a valid code (as aws-vault uses them: one MFA
  /// session, then AssumeRole of roles whose trust policy asks for MFA).
  func testGetSessionTokenGivesTheUsersSessionWithItsMFA() throws {
    let current = try server.mfaCode()
    let stale = try server.mfaCode(offset: -600)
    let result = try boto3(
      """
      from datetime import datetime, timezone
      serial = W["users"]["alice"]["mfa_serial"]
      alice = sts("alice")
      def session(c, token=None):
          return sts(key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                     token=token or c["SessionToken"])
      def assume(client, name):
          return code(lambda: client.assume_role(RoleArn=role(name), RoleSessionName="via-gst"))
      r = {}
      start = datetime.now(timezone.utc)
      mfa = alice.get_session_token(SerialNumber=serial, TokenCode="\(current)")["Credentials"]
      plain = alice.get_session_token(DurationSeconds=900)["Credentials"]
      r["keys"] = [mfa["AccessKeyId"][:4], plain["AccessKeyId"][:4],
                   str(mfa["AccessKeyId"] != plain["AccessKeyId"])]
      r["lifetimes"] = [(c["Expiration"] - start).total_seconds() for c in (mfa, plain)]
      r["callers"] = [session(c).get_caller_identity()["Arn"] for c in (mfa, plain)]
      r["mfa session: mfa-required"] = assume(session(mfa), "mfa-required")
      r["plain session: mfa-required"] = assume(session(plain), "mfa-required")
      r["plain session: dev"] = assume(session(plain), "dev")
      r["bob's session: alice-only"] = assume(session(
          sts("bob").get_session_token()["Credentials"]), "alice-only")
      r["wrong token"] = code(lambda: session(mfa, token="forged").get_caller_identity())
      r["no token"] = code(lambda: sts(key=mfa["AccessKeyId"],
                                       secret=mfa["SecretAccessKey"]).get_caller_identity())
      r["from a session"] = code(lambda: session(mfa).get_session_token())
      try:
          alice.get_session_token(SerialNumber=serial, TokenCode="\(stale)")
      except ClientError as error:
          r["wrong code"] = [str(error.response["ResponseMetadata"]["HTTPStatusCode"]),
                             error.response["Error"]["Code"], error.response["Error"]["Message"]]
      unchecked = boto3.client(  # botocore itself refuses a duration under 900
          "sts", endpoint_url=URL, region_name="us-east-1",
          aws_access_key_id=W["users"]["alice"]["access_key_id"],
          aws_secret_access_key=W["users"]["alice"]["secret_access_key"],
          config=Config(parameter_validation=False, retries={"max_attempts": 1}))
      r["durations"] = [code(lambda: unchecked.get_session_token(DurationSeconds=seconds))
                        for seconds in (899, 900, 129600, 129601)]
      print(json.dumps(r))
      """)
    let alice = try server.world.user("alice").arn
    XCTAssertEqual(result["keys"] as? [String], ["ASIA", "ASIA", "True"])
    let lifetimes = try XCTUnwrap(result["lifetimes"] as? [Double])
    XCTAssertEqual(lifetimes.count, 2)
    XCTAssertEqual(lifetimes.first ?? 0, 43200, accuracy: 10, "12 hours by default")
    XCTAssertEqual(lifetimes.last ?? 0, 900, accuracy: 10)
    XCTAssertEqual(result["callers"] as? [String], [alice, alice])
    XCTAssertEqual(result["mfa session: mfa-required"] as? String, "ok")
    XCTAssertEqual(result["plain session: mfa-required"] as? String, "AccessDenied")
    XCTAssertEqual(result["plain session: dev"] as? String, "ok")
    XCTAssertEqual(result["bob's session: alice-only"] as? String, "AccessDenied")
    // What moto answers for an assumed role's credentials with a wrong or missing token.
    XCTAssertEqual(result["wrong token"] as? String, "InvalidClientTokenId")
    XCTAssertEqual(result["no token"] as? String, "InvalidClientTokenId")
    XCTAssertEqual(result["from a session"] as? String, "AccessDenied")
    let invalidCode = "MultiFactorAuthentication failed with invalid MFA one time pass code."
    XCTAssertEqual(result["wrong code"] as? [String], ["403", "AccessDenied", invalidCode])
    XCTAssertEqual(
      result["durations"] as? [String], ["ValidationError", "ok", "ok", "ValidationError"])
    XCTAssertEqual(try server.calls()["GetSessionToken"], 9)
  }

  func testInjectedFaultsAreSeenAndRetriedByBoto3() throws {
    // Each rule names its action: rules queue up, and a request takes the first that matches.
    try server.injectFaults(count: 2, status: 500, action: "GetCallerIdentity")
    try server.injectFaults(
      count: 1, status: 400, code: "Throttling", message: "Rate exceeded",
      action: "GetSessionToken")
    try server.injectFaults(
      count: 1, status: 403, code: "AccessDenied", message: "injected <denial> & more",
      action: "AssumeRole")
    try server.injectFaults(count: 1, status: 0, delay: 0.5, action: "GetAccessKeyInfo")
    let result = try boto3(
      """
      import botocore.retries.standard
      # Keep boto3's retry decisions, without its backoff sleeps.
      botocore.retries.standard.ExponentialBackoff.delay_amount = lambda self, context: 0.01
      alice = sts("alice", attempts=5)
      r = {}
      answer = alice.get_caller_identity()
      r["retried"] = answer["ResponseMetadata"]["RetryAttempts"]
      r["arn"] = answer["Arn"]
      answer = alice.get_session_token()
      r["throttled retries"] = answer["ResponseMetadata"]["RetryAttempts"]
      try:
          alice.assume_role(RoleArn=role("dev"), RoleSessionName="denied")
      except ClientError as error:
          r["denied"] = [str(error.response["ResponseMetadata"]["HTTPStatusCode"]),
                         error.response["Error"]["Code"], error.response["Error"]["Message"],
                         str(error.response["ResponseMetadata"]["RetryAttempts"])]
      start = time.monotonic()
      alice.get_access_key_info(AccessKeyId=W["users"]["alice"]["access_key_id"])
      r["delayed"] = time.monotonic() - start
      print(json.dumps(r))
      """)
    XCTAssertEqual(result["retried"] as? Int, 2)
    XCTAssertEqual(result["arn"] as? String, try server.world.user("alice").arn)
    XCTAssertEqual(result["throttled retries"] as? Int, 1)
    XCTAssertEqual(
      result["denied"] as? [String], ["403", "AccessDenied", "injected <denial> & more", "0"])
    XCTAssertGreaterThanOrEqual(try XCTUnwrap(result["delayed"] as? Double), 0.5)
    XCTAssertEqual(
      try server.calls(),
      ["GetCallerIdentity": 1, "GetSessionToken": 1, "GetAccessKeyInfo": 1, "faulted": 4])
  }

  /// Error bodies (injected, refused unsigned, moto's own) have the shape of STS's.
  func testErrorBodiesHaveTheShapeOfSTS() throws {
    try server.injectFaults(count: 1, status: 503, code: "ServiceUnavailable", message: "later")
    let result = try boto3(
      """
      import urllib.request, urllib.error
      import xml.etree.ElementTree as ET
      NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"
      def raw(body):
          request = urllib.request.Request(URL + "/", data=body.encode(), method="POST",
              headers={"Content-Type": "application/x-www-form-urlencoded"})
          try:
              urllib.request.urlopen(request)
          except urllib.error.HTTPError as error:
              root = ET.fromstring(error.read())
              return [str(error.code), error.headers["Content-Type"], root.tag,
                      root.findtext(NS + "Error/" + NS + "Type"),
                      root.findtext(NS + "Error/" + NS + "Code"),
                      root.findtext(NS + "Error/" + NS + "Message"),
                      str(bool(root.findtext(NS + "RequestId")))]
      r = {"fault": raw("Action=GetCallerIdentity&Version=2011-06-15"),
           "unsigned": raw("Action=GetCallerIdentity&Version=2011-06-15")}
      seen = []
      def keep(http_response, **kwargs):
          seen.append([str(http_response.status_code), http_response.headers["Content-Type"],
                       ET.fromstring(http_response.content).tag])
      client = sts("bob")
      client.meta.events.register("after-call.sts.AssumeRole", keep)
      code(lambda: client.assume_role(RoleArn=role("alice-only"), RoleSessionName="bob"))
      r["moto"] = seen[0]
      print(json.dumps(r))
      """)
    let root = "{https://sts.amazonaws.com/doc/2011-06-15/}ErrorResponse"
    XCTAssertEqual(
      result["fault"] as? [String],
      ["503", "text/xml", root, "Receiver", "ServiceUnavailable", "later", "True"])
    XCTAssertEqual(
      result["unsigned"] as? [String],
      [
        "403", "text/xml", root, "Sender", "MissingAuthenticationToken",
        "Request is missing Authentication Token", "True",
      ])
    XCTAssertEqual(result["moto"] as? [String], ["403", "text/xml", root])
  }

  func testSAMLAndWebIdentity() throws {
    let files = server.world.files
    XCTAssertTrue(
      try String(contentsOfFile: XCTUnwrap(files.samlAssertionXML), encoding: .utf8)
        .contains("<saml:AttributeStatement>"))
    XCTAssertEqual(
      try String(contentsOfFile: files.webIdentityToken, encoding: .utf8)
        .split(separator: ".").count, 3)
    let script = """
      unsigned = sts(unsigned=True)
      files = W["files"]
      provider = W["saml_providers"]["awsenv-idp"]
      assertion = open(files["saml_assertion_b64"]).read()
      token = open(files["web_identity_token"]).read()
      r = {}
      r["saml"] = unsigned.assume_role_with_saml(RoleArn=role("saml"), PrincipalArn=provider,
          SAMLAssertion=assertion)["AssumedRoleUser"]["Arn"]
      r["web"] = unsigned.assume_role_with_web_identity(RoleArn=role("web"),
          RoleSessionName="pod", WebIdentityToken=token)["AssumedRoleUser"]["Arn"]
      r["saml other role"] = code(lambda: unsigned.assume_role_with_saml(
          RoleArn=role("dev"), PrincipalArn=provider, SAMLAssertion=assertion))
      r["web other role"] = code(lambda: unsigned.assume_role_with_web_identity(
          RoleArn=role("dev"), RoleSessionName="pod", WebIdentityToken=token))
      r["web not a jwt"] = code(lambda: unsigned.assume_role_with_web_identity(
          RoleArn=role("web"), RoleSessionName="pod", WebIdentityToken="not-a-token"))
      print(json.dumps(r))
      """
    let account = server.world.account
    for auth in [false, true] {
      try server.setAuth(auth)
      let result = try boto3(script)
      XCTAssertEqual(
        result["saml"] as? String, "arn:aws:sts::\(account):assumed-role/saml/awsenv-saml-user")
      XCTAssertEqual(result["web"] as? String, "arn:aws:sts::\(account):assumed-role/web/pod")
      // With checking off moto checks nothing; on, the role's trust and the token are checked.
      XCTAssertEqual(result["saml other role"] as? String, auth ? "AccessDenied" : "ok")
      XCTAssertEqual(result["web other role"] as? String, auth ? "AccessDenied" : "ok")
      XCTAssertEqual(result["web not a jwt"] as? String, auth ? "InvalidIdentityToken" : "ok")
    }
    XCTAssertEqual(
      try server.calls(), ["AssumeRoleWithSAML": 4, "AssumeRoleWithWebIdentity": 6])
  }

  /// A second server, plain moto: starts and stops on its own, and still has moto's own rules
  /// that the patched server corrects (if these change, moto changed: re-check sts_server.py).
  func testPureMotoServerStartsStopsAndKeepsMotosRules() throws {
    let pure = try STSServer(pureMoto: true)
    print(
      String(
        format: "STSServer(pureMoto): READY after %.2f s, world set up in %.2f s",
        pure.startSeconds, pure.setupSeconds))
    XCTAssertTrue(pure.world.pureMoto)
    XCTAssertNotEqual(pure.port, server.port)
    let run = try Harness.run(
      [
        "/usr/bin/env", "python3", "-c",
        """
        import json, sys, boto3
        from botocore.config import Config
        from botocore.exceptions import ClientError
        W = json.load(sys.stdin)
        u = W["users"]["alice"]
        alice = boto3.client("sts", endpoint_url=W["endpoint"], region_name="us-east-1",
            aws_access_key_id=u["access_key_id"], aws_secret_access_key=u["secret_access_key"],
            config=Config(retries={"max_attempts": 1}))
        def code(**extra):
            try:
                alice.assume_role(RoleSessionName="awsenv", **extra)
                return "ok"
            except ClientError as error:
                return error.response["Error"]["Code"]
        print(json.dumps([code(RoleArn=W["roles"]["dev"]["arn"]),
                          code(RoleArn=W["roles"]["partner"]["arn"]),
                          code(RoleArn=W["roles"]["mfa-required"]["arn"]),
                          code(RoleArn="arn:aws:iam::123456789012:role/nope")]))
        """,
      ], stdin: pure.worldJSON, environment: ["PYTHONDONTWRITEBYTECODE": "1"])
    XCTAssertSuccess(run)
    // trusted: ok; no ExternalId: ok; no MFA: ok; a role that does not exist: ok.
    XCTAssertEqual(
      run.stdout.trimmingCharacters(in: .whitespacesAndNewlines), #"["ok", "ok", "ok", "ok"]"#)
    let directory = pure.directory
    pure.stop()
    XCTAssertFalse(FileManager.default.fileExists(atPath: directory))
    XCTAssertThrowsError(try pure.calls(), "the server still answers after stop()")
  }
}
