import Foundation
import XCTest

/// `awsenv rotate` against moto's IAM and STS (Tests/harness/sts_server.py) with SigV4 checking
/// on, and a real keyring: the old key is gone from IAM, the new one works, old sessions are
/// dropped; two keys are refused; a failure between create and delete loses nothing.
final class RotateTests: LocalServerTestCase {

  static let keysPolicy = """
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sts:*",
      "iam:ListAccessKeys", "iam:CreateAccessKey", "iam:DeleteAccessKey"], "Resource": "*"}]}
    """
  static let spec = """
    {"users": [{"name": "carol", "mfa": true, "policy": \(keysPolicy)},
               {"name": "dave", "policy": \(keysPolicy)},
               {"name": "erin", "policy": \(keysPolicy)},
               {"name": "frank", "policy": \(keysPolicy)},
               {"name": "bob"}],
     "roles": [{"name": "dev", "trust": {"users": ["carol", "dave", "erin"]}}]}
    """

  static let server = SharedServer("the local STS") { try STSServer(auth: true, spec: spec) }

  var server: STSServer { get throws { try Self.server.get() } }

  override func setUp() async throws {
    try server.setAuth(true)
    try server.resetCalls()
    try server.clearFaults()
  }

  /// The config, `user`'s keys in the keyring, `works KEY SECRET` (GetCallerIdentity with those
  /// keys through boto3: the ARN or the error code), `keys KEY SECRET` (the user's keys at IAM)
  /// and `new_id` / `new_secret` (the keys the keyring holds for the user, read with
  /// secret-tool).
  func sandbox(_ user: String, _ script: String, extra: String = "") throws -> RunResult {
    let world = try server.world
    let keys = try world.user(user)
    let setup = """
      mkdir -p ~/.aws
      cat >~/.aws/config <<'CONF'
      [default]
      region = us-east-1
      [profile \(user)]
      \(keys.mfaSerial.map { "mfa_serial = \($0)" } ?? "")
      [profile \(user)-dev]
      role_arn = \(try world.role("dev"))
      source_profile = \(user)
      \(extra)
      CONF
      OLD_ID=\(keys.accessKeyID)
      OLD_SECRET=\(shellQuote(keys.secretAccessKey))
      printf '%s\\n%s\\n' "$OLD_ID" "$OLD_SECRET" | "$AWSENV" add \(user) 2>/dev/null
      works() {
        AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2 python3 -c '
      import boto3, botocore.exceptions
      try:
          print(boto3.client("sts").get_caller_identity()["Arn"])
      except botocore.exceptions.ClientError as e:
          print(e.response["Error"]["Code"])'
      }
      keys() {
        AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2 python3 -c '
      import boto3
      iam = boto3.client("iam")
      print(" ".join(sorted(k["AccessKeyId"] for k in iam.list_access_keys(UserName="\(user)")["AccessKeyMetadata"])))'
      }
      stored() { secret-tool lookup application awsenv profile \(user) kind access-key \\
        | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
      new_id() { stored AccessKeyId; }
      new_secret() { stored SecretAccessKey; }

      """
    let url = try server.url
    return try Harness.sandbox(
      script: setup + script,
      environment: [
        "AWS_ENDPOINT_URL_STS": url, "AWS_ENDPOINT_URL_IAM": url, "AWS_REGION": "us-east-1",
      ])
  }

  func testRotateReplacesTheKeyEverywhereAndDropsOldSessions() throws {
    let dave = try server.world.user("dave")
    let run = try sandbox(
      "dave",
      """
      "$AWSENV" export dave-dev --format json >/dev/null
      "$AWSENV" rotate dave 2>err || { cat err; exit 9; }
      cat err
      echo "old: $(works "$OLD_ID" "$OLD_SECRET")"
      NEW_ID=$(new_id)
      echo "new: $NEW_ID $(works "$NEW_ID" "$(new_secret)")"
      echo "iam: $(keys "$NEW_ID" "$(new_secret)")"
      "$AWSENV" export dave-dev --format json >/dev/null
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertTrue(
      lines[0].hasPrefix(
        "awsenv: rotated the access key of 'dave' (\(dave.arn)): "
          + "\(dave.accessKeyID) deleted, AKIA"), lines[0])
    XCTAssertTrue(lines[0].hasSuffix("in the keyring; 1 cached session dropped"), lines[0])
    XCTAssertEqual(lines[1], "old: InvalidClientTokenId")
    let new = lines[2].split(separator: " ").map(String.init)
    XCTAssertEqual(new.count, 3, lines[2])
    XCTAssertNotEqual(new[1], dave.accessKeyID)
    XCTAssertEqual(new[2], dave.arn)
    XCTAssertEqual(lines[3], "iam: \(new[1])", "only the new key is left at IAM")
    let calls = try server.calls()
    XCTAssertEqual(calls["AssumeRole"], 2, "the role session of the old key was dropped")
    XCTAssertEqual(calls["iam:ListAccessKeys"], 2)
    XCTAssertEqual(calls["iam:CreateAccessKey"], 1)
    XCTAssertEqual(calls["iam:DeleteAccessKey"], 1)
    XCTAssertFalse(run.stdout.contains(dave.secretAccessKey))
  }

  func testRotateThroughAnMFASession() throws {
    let carol = try server.world.user("carol")
    let code = try server.mfaCode(for: "carol")
    let run = try sandbox(
      "carol",
      """
      "$AWSENV" rotate carol --mfa-code \(code)
      echo "old: $(works "$OLD_ID" "$OLD_SECRET")"
      echo "new: $(works "$(new_id)" "$(new_secret)")"
      """)
    XCTAssertSuccess(run)
    XCTAssertTrue(run.stderr.contains("rotated the access key of 'carol'"), run.stderr)
    let lines = padded(run.stdout)
    XCTAssertEqual(lines[0], "old: InvalidClientTokenId")
    XCTAssertEqual(lines[1], "new: \(carol.arn)")
    let calls = try server.calls()
    XCTAssertEqual(calls["GetSessionToken"], 1, "one MFA session signs every IAM call")
  }

  func testAUserWithTwoKeysIsRefusedAndNothingChanges() throws {
    let run = try sandbox(
      "frank",
      """
      AWS_ACCESS_KEY_ID=$OLD_ID AWS_SECRET_ACCESS_KEY=$OLD_SECRET python3 -c '
      import boto3; boto3.client("iam").create_access_key(UserName="frank")'
      if "$AWSENV" rotate frank 2>err; then exit 9; else echo "status=$?"; fi
      cat err
      echo "same: $([ "$(new_id)" = "$OLD_ID" ] && echo yes)"
      keys "$OLD_ID" "$OLD_SECRET" | wc -w
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertEqual(lines[0], "status=1")
    XCTAssertTrue(
      lines[1].hasPrefix(
        "awsenv: IAM user frank already has two access keys ("), lines[1])
    XCTAssertTrue(lines[1].hasSuffix("then rotate; nothing was changed"), lines[1])
    XCTAssertEqual(lines[2], "same: yes")
    XCTAssertEqual(lines[3], "2")
    XCTAssertEqual(try server.calls()["iam:CreateAccessKey"], 1, "the test's own, not awsenv's")
  }

  func testAFailedDeleteKeepsTheNewKeyAndSaysWhereTheOldOneIs() throws {
    try server.injectFaults(
      count: 3, status: 500, code: "ServiceFailure", action: "DeleteAccessKey", service: "iam")
    let erin = try server.world.user("erin")
    let run = try sandbox(
      "erin",
      """
      if "$AWSENV" rotate erin 2>err; then exit 9; else echo "status=$?"; fi
      cat err
      NEW_ID=$(new_id)
      echo "new: $(works "$NEW_ID" "$(new_secret)")"
      echo "old: $(works "$OLD_ID" "$OLD_SECRET")"
      echo "iam: $(keys "$NEW_ID" "$(new_secret)")"
      echo "$NEW_ID"
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertEqual(lines[0], "status=1")
    let newID = lines[5]
    XCTAssertTrue(newID.hasPrefix("AKIA") && newID != erin.accessKeyID, newID)
    XCTAssertEqual(
      lines[1],
      "awsenv: the new access key \(newID) is in the keyring for 'erin' and in use, but "
        + "deleting the old key failed (IAM DeleteAccessKey failed: ServiceFailure: injected by "
        + "the test; IAM had a server error; retry in a moment); \(erin.accessKeyID) still "
        + "exists at IAM: delete it with `aws iam delete-access-key --access-key-id "
        + "\(erin.accessKeyID) --user-name erin`")
    XCTAssertEqual(lines[2], "new: \(erin.arn)")
    XCTAssertEqual(lines[3], "old: \(erin.arn)", "the old key still exists, as the message says")
    XCTAssertEqual(lines[4], "iam: \([erin.accessKeyID, newID].sorted().joined(separator: " "))")
  }

  func testKeysOnlyInTheFileAndAccessDeniedChangeNothing() throws {
    let bob = try server.world.user("bob")
    let run = try sandbox(
      "bob",
      """
      cat >~/.aws/credentials <<CREDS
      [filekeys]
      aws_access_key_id = $OLD_ID
      aws_secret_access_key = $OLD_SECRET
      CREDS
      if "$AWSENV" rotate filekeys 2>err; then exit 9; else echo "status=$?"; fi
      cat err
      if "$AWSENV" rotate bob 2>err; then exit 9; else echo "status=$?"; fi
      cat err
      echo "same: $([ "$(new_id)" = "$OLD_ID" ] && echo yes)"
      """)
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertEqual(lines[0], "status=1")
    XCTAssertEqual(
      lines[1],
      "awsenv: the keys of 'filekeys' are in the credentials file, not the keyring; awsenv "
        + "rotates only keys it keeps: run `awsenv import filekeys --remove-plaintext`, then "
        + "rotate; nothing was changed")
    XCTAssertEqual(lines[2], "status=1")
    // moto answers IAM's AccessDenied as <ErrorResponse><Errors><Error>: read as botocore does.
    XCTAssertTrue(
      lines[3].hasPrefix("awsenv: IAM ListAccessKeys failed: AccessDenied: User: \(bob.arn) "),
      lines[3])
    XCTAssertTrue(lines[3].hasSuffix("; nothing was changed"), lines[3])
    XCTAssertEqual(lines[4], "same: yes")
  }
}
