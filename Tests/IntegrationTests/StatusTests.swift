import Foundation
import XCTest

/// `awsenv status` against a real keyring (gnome-keyring in the sandbox): the shell's profile
/// from the environment, sign-ins and sessions from item attributes, no secret read except for
/// a sign-in stored before tokens carried `renewable`, and fast.
final class StatusTests: XCTestCase {
  /// Items as awsenv writes them, stored with secret-tool: two sessions, three sign-ins (one
  /// renewable, one whose client registration has expired, one from before the `renewable`
  /// attribute whose token has a refresh token), and a profile's keys.
  static let setup = """
    store() { local label=$1; shift
      secret-tool store --label "$label" xdg:schema org.awsenv.Credential application awsenv \\
        version 1 "$@"; }
    # Keys first: `add` drops the sessions made from a profile's old keys.
    printf '%s\\n%s\\n' AKIAAWSENVPROD000001 prodSecretKey/ForTestsOnly+000000000001 \\
      | "$AWSENV" add prod 2>/dev/null
    now=$(date +%s)
    printf '{}' | store s1 kind session profile prod expires $((now + 3030)) \\
      identity admin@123456789012 cache-key a1
    printf '{}' | store s2 kind session profile dev expires $((now - 600)) cache-key b2
    printf '{}' | store t1 kind sso-token sso-session corp expires $((now + 7200)) renewable yes
    printf '{}' | store c1 kind sso-client sso-session corp expires $((now + 86400))
    printf '{}' | store t2 kind sso-token sso-session lapsed expires $((now - 60)) renewable yes
    printf '{}' | store c2 kind sso-client sso-session lapsed expires $((now - 1))
    printf '{"accessToken":"x","expiresAt":"2030-01-01T00:00:00Z","refreshToken":"r","startUrl":"https://old.awsapps.com/start","region":"us-east-1"}' \\
      | store t3 kind sso-token sso-session https://old.awsapps.com/start expires $((now + 60))
    printf '{}' | store c3 kind sso-client sso-session https://old.awsapps.com/start \\
      expires $((now + 86400))

    """

  func testTextAndJSONFromAttributesOnly() throws {
    let run = try Harness.sandbox(
      script: Self.setup + """
        "$AWSENV" status
        AWSENV_PROFILE=prod AWSENV_IDENTITY=admin@123456789012 AWS_REGION=eu-west-1 \\
          AWSENV_EXPIRES=$((now + 3000)) "$AWSENV" status --json --debug 2>debug.log
        echo
        grep -c 'keyring: lookup' debug.log || true
        start=$(date +%s%N)
        for i in 1 2 3 4 5 6 7 8 9 10; do "$AWSENV" status >/dev/null; done
        echo "ms=$(( ($(date +%s%N) - start) / 10000000 ))"
        """)
    XCTAssertSuccess(run)
    let parts = run.stdout.components(separatedBy: "\n")
    let text = parts.prefix { !$0.hasPrefix("{") }.joined(separator: "\n")
    XCTAssertTrue(text.hasPrefix("shell: no profile\nIAM Identity Center sign-ins:\n"), text)
    XCTAssertTrue(
      text.contains("  corp: token expires in 1h59m (") && text.contains("), renewable"), text)
    XCTAssertTrue(text.contains("  lapsed: token expired 1m"), text)
    XCTAssertTrue(text.contains("not renewable (`awsenv login` signs in again)"), text)
    XCTAssertTrue(text.contains("  https://old.awsapps.com/start: token expires in "), text)
    XCTAssertTrue(text.contains("cached sessions:\n  dev: expired 10m ago ("), text)
    XCTAssertTrue(text.contains("  prod: expires in 50m ("), text)
    XCTAssertFalse(text.contains("prodSecretKey"), text)

    let jsonLine = try XCTUnwrap(parts.first { $0.hasPrefix("{") })
    let object = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(jsonLine.utf8)) as? [String: Any])
    let shell = try XCTUnwrap(object["shell"] as? [String: Any])
    XCTAssertEqual(shell["profile"] as? String, "prod")
    XCTAssertEqual(shell["identity"] as? String, "admin@123456789012")
    XCTAssertEqual(shell["region"] as? String, "eu-west-1")
    XCTAssertNotNil(shell["expires"] as? String)
    let signIns = try XCTUnwrap(object["signIns"] as? [[String: Any]])
    XCTAssertEqual(
      signIns.map { "\($0["session"] as! String)=\($0["renewable"] as! Bool)" },
      ["corp=true", "https://old.awsapps.com/start=true", "lapsed=false"])
    let sessions = try XCTUnwrap(object["sessions"] as? [[String: Any]])
    XCTAssertEqual(sessions.map { $0["profile"] as! String }, ["dev", "prod"])
    // Only the old-style token is read (to see its refresh token); nothing else is decrypted.
    let lines = padded(run.stdout)
    let lookups = lines[lines.firstIndex { $0.hasPrefix("{") }! + 1]
    XCTAssertEqual(lookups, "1", "one secret read: the token without the renewable attribute")
    let ms = try XCTUnwrap(lines.first { $0.hasPrefix("ms=") }.flatMap { Int($0.dropFirst(3)) })
    XCTAssertLessThan(ms, 100, "status takes \(ms) ms a run")
    print("awsenv status: \(ms) ms a run")
  }
}
