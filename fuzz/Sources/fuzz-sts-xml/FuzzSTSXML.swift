// libFuzzer target: STS responses.
//
// Input: one selector byte (the action in its low 3 bits, the HTTP status in the rest), then
// the response body. The body comes back from a canned transport to a real STSClient, so it
// goes through everything a response from the network goes through: the XML reader, the
// success/error split, credential extraction and validation, the error message with its hint,
// and the keyring encoding of the session.
//
// A crash, a hang or one of these broken promises aborts:
// - an error message is one line, with no control characters (the server's text included);
// - credentials that were accepted have the shape `validate()` requires;
// - a session reads back from its keyring encoding as it was stored (expiry to the second).

import Foundation

@testable import AwsenvCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Answers every request with the same response.
private struct CannedTransport: HTTPTransport {
  let response: HTTPResponse

  func send(_ request: HTTPRequest, options: HTTPOptions) throws(HTTPError) -> HTTPResponse {
    response
  }
}

private let statuses = [
  200, 200, 200, 200, 200, 200, 200, 200, 201, 204, 400, 403, 404, 429, 500, 503,
  200, 200, 200, 200, 200, 200, 200, 200, 302, 400, 401, 403, 413, 500, 502, 504,
]

private let keys = Credentials(
  accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

private let context = STSError.Context(
  profile: "fuzz", roleArn: "arn:aws:iam::123456789012:role/Fuzz",
  mfaSerial: "arn:aws:iam::123456789012:mfa/fuzz", durationSeconds: 3600, region: "us-east-1",
  tokenFile: "/tmp/token")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSTSXML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size >= 1 else { return 0 }
  let selector = data[0]
  let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
  let client = STSClient(
    endpoint: ServiceEndpoint(scheme: "https", host: "sts.us-east-1.amazonaws.com"),
    signingRegion: "us-east-1",
    transport: CannedTransport(
      response: HTTPResponse(status: statuses[Int(selector >> 3)], body: body)),
    retry: RetryPolicy(maxAttempts: 1, sleep: { _ in }, random: { 0 }),
    clock: { Date(timeIntervalSince1970: 1_700_000_000) })
  do throws(STSError) {
    switch selector & 7 {
    case 0:
      check(
        try client.assumeRole(
          keys,
          AssumeRoleRequest(roleArn: "arn:aws:iam::123456789012:role/Fuzz", sessionName: "fuzz")))
    case 1:
      check(SessionCredentials(credentials: try client.getSessionToken(keys)))
    case 2:
      check(
        try client.assumeRoleWithWebIdentity(
          roleArn: "arn:aws:iam::123456789012:role/Fuzz", sessionName: "fuzz", token: "token"))
    case 3:
      check(
        try client.assumeRoleWithSAML(
          roleArn: "arn:aws:iam::123456789012:role/Fuzz",
          principalArn: "arn:aws:iam::123456789012:saml-provider/Fuzz", assertion: "PHNhbWw+"))
    default:
      let identity = try client.getCallerIdentity(keys)
      expect(!identity.account.isEmpty && !identity.arn.isEmpty, "empty caller identity")
    }
  } catch {
    let message = error.message(context)
    expect(!message.isEmpty, "empty error message")
    expect(
      !message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F },
      "control character in the error message: \(message.debugDescription)")
  }
  return 0
}

/// Accepted credentials are well-formed and survive the keyring's encoding.
private func check(_ session: SessionCredentials) {
  let credentials = session.credentials
  expect((try? credentials.validate()) != nil, "accepted credentials that do not validate")
  guard let expiration = credentials.expiration else { fail("session without an expiry") }
  _ = session.identity
  guard let back = SessionCredentials.decode(session.encoded()) else {
    // Expiries outside years 0000-9999 have no 4-digit RFC 3339 form; parseRFC3339 reads 0000
    // to 9999 with an offset of up to a day, so only the edges of that range end up here.
    if representable(expiration) { fail("a session's keyring encoding does not read back") }
    return
  }
  expect(back.credentials.accessKeyID == credentials.accessKeyID, "access key id changed")
  expect(back.credentials.secretAccessKey == credentials.secretAccessKey, "secret changed")
  expect(back.credentials.sessionToken == credentials.sessionToken, "session token changed")
  expect(back.assumedRoleArn == session.assumedRoleArn, "role ARN changed")
  expect(
    back.credentials.expiration?.timeIntervalSince1970
      == expiration.timeIntervalSince1970.rounded(.down),
    "expiry changed")
}

/// Between 0000-01-01 and 9999-12-31 (UTC): what rfc3339() writes with 4 digits.
private func representable(_ date: Date) -> Bool {
  (-62_167_219_200.0...253_402_300_799.0).contains(date.timeIntervalSince1970)
}

private func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
  if !condition { fail(message()) }
}

private func fail(_ message: String) -> Never {
  let line = Array("fuzz-sts-xml: \(message)\n".utf8)
  _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
  abort()
}
