// libFuzzer target: IAM Identity Center JSON.
//
// Input: a selector byte, a status byte, then the JSON. The selector picks where the JSON goes:
// - 0-7: a reply of one of SSOClient's calls (RegisterClient, StartDeviceAuthorization,
//   CreateToken for a device code or a refresh token, GetRoleCredentials, ListAccounts,
//   ListAccountRoles, Logout), served by a canned transport to a real SSOClient, with the
//   status from the status byte; when its top bit is set, the first line of the rest is an
//   `x-amzn-ErrorType` header and the JSON follows it;
// - 8, 9: a keyring item's secret: an access token (SSOToken) or a client registration;
// - 10: a file of the AWS CLI's ~/.aws/sso/cache, imported by `import --sso-cache`.
// What each call returns then goes where the binary sends it: into the keyring (in memory).
//
// A crash, a hang or one of these broken promises aborts:
// - an error message is one line, with no control characters (the server's text included);
// - accepted credentials have the shape `validate()` requires;
// - what is stored in the keyring reads back as it was stored (expiries to the second);
// - an import either imports, or fails with a message about the file; never a keyring
//   read-back failure.

import Foundation

@testable import AwsenvCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Answers the first request with the fuzzed response, later ones (the next page of a list)
/// with an empty last page.
private final class CannedTransport: HTTPTransport, @unchecked Sendable {
  let response: HTTPResponse
  var calls = 0

  init(_ response: HTTPResponse) { self.response = response }

  func send(_ request: HTTPRequest, options: HTTPOptions) throws(HTTPError) -> HTTPResponse {
    calls += 1
    if calls == 1 { return response }
    return HTTPResponse(status: 200, body: Array(#"{"accountList":[],"roleList":[]}"#.utf8))
  }
}

private let statuses = [
  200, 200, 200, 200, 200, 200, 200, 200, 202, 204, 400, 401, 403, 404, 429, 500, 503,
]

private let now = Date(timeIntervalSince1970: 1_700_000_000)

private let session = SSOSession(
  name: "fuzz", startURL: "https://d-1234567890.awsapps.com/start", region: "us-east-1",
  scopes: SSOSession.defaultScopes, profile: "fuzz")

private let registration = SSOClientRegistration(
  clientID: "client-id", clientSecret: "client-secret",
  expiresAt: Date(timeIntervalSince1970: 1_800_000_000), scopes: SSOSession.defaultScopes)

/// The cache directory for selector 10: one per process, the file rewritten for each input.
nonisolated(unsafe) private var cacheDirectory: String?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSOJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size >= 2 else { return 0 }
  let selector = Int(data[0]) % 11
  let statusByte = data[1]
  var body = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))
  switch selector {
  case 8:
    tokenItem(String(decoding: body, as: UTF8.self))
  case 9:
    clientItem(String(decoding: body, as: UTF8.self))
  case 10:
    cacheFile(body)
  default:
    var headers: [HTTPHeader] = []
    if statusByte & 0x80 != 0 {
      let line = body.firstIndex(of: UInt8(ascii: "\n")) ?? body.count
      headers.append(HTTPHeader("x-amzn-ErrorType", String(decoding: body[..<line], as: UTF8.self)))
      body = Array(body[min(line + 1, body.count)...])
    }
    let status = statuses[Int(statusByte & 0x7F) % statuses.count]
    call(selector, HTTPResponse(status: status, headers: headers, body: body))
  }
  return 0
}

/// One SSOClient call, and what the binary does with its result.
private func call(_ selector: Int, _ response: HTTPResponse) {
  let endpoint = ServiceEndpoint(scheme: "https", host: "oidc.us-east-1.amazonaws.com")
  let client = SSOClient(
    oidcEndpoint: endpoint, portalEndpoint: endpoint, transport: CannedTransport(response),
    retry: RetryPolicy(maxAttempts: 1, sleep: { _ in }, random: { 0 }))
  let keyring = Keyring(store: InMemorySecretStore())
  do throws(SSOError) {
    switch selector {
    case 0:
      let client = try client.registerClient(
        name: "awsenv", scopes: SSOSession.defaultScopes, now: now)
      saved { () throws(KeyringError) in try keyring.saveSSOClient(client, for: session) }
      expect(
        (try? keyring.ssoClient(session)) == truncated(client), "registration did not read back")
    case 1:
      let authorization = try client.startDeviceAuthorization(registration, startURL: "u")
      expect(authorization.interval >= 1, "polling interval below one second")
      _ = now.addingTimeInterval(Double(authorization.expiresIn))
    case 2, 3:
      let grant =
        selector == 2
        ? try client.createToken(registration, deviceCode: "device")
        : try client.refreshToken(registration, refreshToken: "refresh")
      // As SSOSignIn.makeToken: whole seconds from now.
      let token = SSOToken(
        accessToken: grant.accessToken,
        expiresAt: Date(
          timeIntervalSince1970: (now.timeIntervalSince1970 + Double(grant.expiresIn))
            .rounded(.down)),
        refreshToken: grant.refreshToken, startURL: session.startURL, region: session.region)
      saved { () throws(KeyringError) in try keyring.saveSSOToken(token, for: session) }
    case 4:
      let credentials = try client.roleCredentials(
        accessToken: "token", accountID: "123456789012", roleName: "Fuzz")
      expect((try? credentials.validate()) != nil, "accepted credentials that do not validate")
      let stored = SessionCredentials(credentials: credentials, identity: "Fuzz@123456789012")
      expect(
        SessionCredentials.decode(stored.encoded()).map(\.credentials)
          == truncated(credentials), "role credentials did not read back")
    case 5:
      _ = try client.accounts(accessToken: "token")
    case 6:
      _ = try client.roles(accessToken: "token", accountID: "123456789012")
    default:
      try client.logout(accessToken: "token")
    }
  } catch {
    let message = error.message(
      SSOError.Context(
        login: session.loginCommand, accountID: "123456789012", roleName: "Fuzz",
        startURL: session.startURL))
    expect(!message.isEmpty, "empty error message")
    expect(
      !message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F },
      "control character in the error message: \(message.debugDescription)")
  }
}

/// A token item of the keyring, as `use` reads it. Its fields (any text) must survive being
/// stored again; saveSSOToken reads the item back and fails unless it matches.
private func tokenItem(_ text: String) {
  guard let token = SSOToken.decode(text), representable(token.expiresAt) else { return }
  let keyring = Keyring(store: InMemorySecretStore())
  saved { () throws(KeyringError) in try keyring.saveSSOToken(truncated(token), for: session) }
}

/// A client registration item, as `login` reads it before reusing it.
private func clientItem(_ text: String) {
  guard let client = SSOClientRegistration.decode(text), representable(client.expiresAt) else {
    return
  }
  let keyring = Keyring(store: InMemorySecretStore())
  saved { () throws(KeyringError) in try keyring.saveSSOClient(client, for: session) }
  expect((try? keyring.ssoClient(session)) == truncated(client), "registration did not read back")
}

/// `import --sso-cache` of one cache file, for the config's one sso-session.
private func cacheFile(_ bytes: [UInt8]) {
  let directory: String
  if let cacheDirectory {
    directory = cacheDirectory
  } else {
    var template = Array("/tmp/awsenv-fuzz-sso.XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fail("mkdtemp: \(errno)") }
    directory = String(cString: made)
    cacheDirectory = directory
    // At the end of a run; after a crash the file stays, for a look.
    atexit {
      guard let directory = cacheDirectory else { return }
      unlink(directory + "/" + SSOCacheImport.cacheFileName(session))
      rmdir(directory)
    }
  }
  guard
    let config = try? AWSConfig.parse(
      config: """
        [profile fuzz]
        sso_session = fuzz
        sso_account_id = 123456789012
        sso_role_name = Fuzz
        [sso-session fuzz]
        sso_start_url = \(session.startURL)
        sso_region = us-east-1
        """, configPath: "config", credentials: "", credentialsPath: "credentials")
  else { fail("the fixed config does not parse") }
  let path = directory + "/" + SSOCacheImport.cacheFileName(session)
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
  guard fd >= 0, write(fd, bytes, bytes.count) == bytes.count, close(fd) == 0 else {
    fail("cannot write \(path): \(errno)")
  }
  let keyring = Keyring(store: InMemorySecretStore())
  let importer = SSOCacheImport(config: config, keyring: keyring, directory: directory, now: now)
  do {
    let outcome = try importer.run(removePlaintext: false)
    expect(outcome.imported.count + outcome.expired.count == 1, "the file was skipped")
  } catch {
    if case .keyring = error { fail("import failed in the keyring: \(error.message)") }
    expect(!error.message.contains("\n"), "multi-line error message")
  }
}

/// The keyring read-back of a save must not fail: what is stored is what was decoded.
private func saved(_ body: () throws(KeyringError) -> Void) {
  do {
    try body()
  } catch {
    fail("keyring save failed: \(error.message)")
  }
}

/// Between 0000-01-01 and 9999-12-31 (UTC): dates with a 4-digit RFC 3339 form. Items are
/// written by awsenv, so their dates come from rfc3339(); parseRFC3339 reads years 0000-9999
/// with an offset of up to a day, so a hand-made item can land just outside.
private func representable(_ date: Date) -> Bool {
  (-62_167_219_200.0...253_402_300_799.0).contains(date.timeIntervalSince1970)
}

/// Dates as the keyring keeps them: RFC 3339 to the second.
private func truncated(_ date: Date) -> Date {
  Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
}

private func truncated(_ token: SSOToken) -> SSOToken {
  var token = token
  token.expiresAt = truncated(token.expiresAt)
  return token
}

private func truncated(_ client: SSOClientRegistration) -> SSOClientRegistration {
  var client = client
  client.expiresAt = truncated(client.expiresAt)
  return client
}

private func truncated(_ credentials: Credentials) -> Credentials {
  var credentials = credentials
  credentials.expiration = credentials.expiration.map(truncated)
  return credentials
}

private func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
  if !condition { fail(message()) }
}

private func fail(_ message: String) -> Never {
  let line = Array("fuzz-sso-json: \(message)\n".utf8)
  _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
  abort()
}
