import Foundation
import XCTest

/// credential_source = Ec2InstanceMetadata and EcsContainer: a local IMDSv2 and container
/// credentials endpoint (Tests/harness/metadata_server.py) hand out a real session of the local
/// STS (bob's GetSessionToken, sts_server.py with SigV4 checking on), and awsenv assumes a role
/// with it there.
final class MetadataSourceTests: LocalServerTestCase {
  static let spec = """
    {"users": [{"name": "bob"}], "roles": [{"name": "dev", "trust": {"users": ["bob"]}}]}
    """
  static let sts = SharedServer("the local STS") { try STSServer(auth: true, spec: spec) }
  static let metadata = SharedServer("metadata_server.py") {
    try LocalServer(script: "metadata_server.py", needs: "python3 needs boto3")
  }

  func servers() throws -> (STSServer, LocalServer) {
    (try Self.sts.get(), try Self.metadata.get())
  }

  /// Hands bob's session out, with `authorization` required by the container endpoint.
  func serve(authorization: String?) throws {
    let (sts, metadata) = try servers()
    let bob = try sts.world.user("bob")
    var control: [String: Any] = [
      "sts": sts.url, "access_key_id": bob.accessKeyID,
      "secret_access_key": bob.secretAccessKey, "role": "awsenv-instance-role",
    ]
    if let authorization { control["authorization"] = authorization }
    _ = try metadata.request(
      "POST", "/_awsenv/credentials", body: JSONSerialization.data(withJSONObject: control))
  }

  func calls() throws -> [String: Int] {
    try JSONDecoder().decode(
      [String: Int].self, from: try servers().1.request("GET", "/_awsenv/calls"))
  }

  func sandbox(_ script: String, environment: [String: String] = [:]) throws -> RunResult {
    let (sts, _) = try servers()
    let role = try sts.world.role("dev")
    let setup = """
      mkdir -p ~/.aws
      cat >~/.aws/config <<'CONF'
      [profile ec2]
      role_arn = \(role)
      credential_source = Ec2InstanceMetadata
      [profile ecs]
      role_arn = \(role)
      credential_source = EcsContainer
      CONF

      """
    var env = ["AWS_ENDPOINT_URL_STS": sts.url, "AWS_REGION": "us-east-1"]
    env.merge(environment) { $1 }
    return try Harness.sandbox(script: setup + script, environment: env)
  }

  func testEc2InstanceMetadataIsTheBaseOfARole() throws {
    try serve(authorization: nil)
    let before = try calls()
    let run = try sandbox(
      """
      "$AWSENV" exec ec2 -- python3 -c \\
        'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'
      AWS_EC2_METADATA_DISABLED=true "$AWSENV" exec --refresh ec2 -- true 2>err || echo "status=$?"
      cat err
      """,
      environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": try servers().1.url])
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertTrue(lines[0].hasPrefix("arn:aws:sts::123456789012:assumed-role/dev/"), lines[0])
    XCTAssertEqual(lines[1], "status=1")
    XCTAssertTrue(lines[2].contains("AWS_EC2_METADATA_DISABLED is true"), lines[2])
    let after = try calls()
    XCTAssertEqual((after["token"] ?? 0) - (before["token"] ?? 0), 1, "one IMDSv2 token")
    XCTAssertEqual((after["credentials"] ?? 0) - (before["credentials"] ?? 0), 1)
    XCTAssertEqual(after["unauthorized"] ?? 0, before["unauthorized"] ?? 0, "every GET had it")
  }

  func testEcsContainerSendsTheAuthorizationToken() throws {
    try serve(authorization: "awsenv-container-token")
    let url = try servers().1.url
    let run = try sandbox(
      """
      printf 'awsenv-container-token' >token
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$PWD/token "$AWSENV" exec ecs -- python3 -c \\
        'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'
      AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong "$AWSENV" exec --refresh ecs -- true 2>err \\
        || echo "status=$?"
      cat err
      AWS_CONTAINER_CREDENTIALS_FULL_URI=http://example.com/creds "$AWSENV" exec --refresh ecs \\
        -- true 2>err || echo "status=$?"
      cat err
      """,
      environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url + "/v2/credentials/task"])
    XCTAssertSuccess(run)
    let lines = padded(run.stdout)
    XCTAssertTrue(lines[0].hasPrefix("arn:aws:sts::123456789012:assumed-role/dev/"), lines[0])
    XCTAssertEqual(lines[1], "status=1")
    XCTAssertEqual(
      lines[2],
      "awsenv: the container credentials endpoint answered HTTP 401 for GET "
        + "/v2/credentials/task; the authorization token (AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE])"
        + " or IMDS token was refused")
    XCTAssertEqual(lines[3], "status=1")
    XCTAssertTrue(
      lines[4].hasPrefix(
        "awsenv: AWS_CONTAINER_CREDENTIALS_FULL_URI = http://example.com/creds cannot be used"),
      lines[4])
  }
}
