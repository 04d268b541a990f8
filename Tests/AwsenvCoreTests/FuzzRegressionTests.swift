import XCTest

@testable import AwsenvCore

/// What the fuzz targets in fuzz/ found, kept as tests. Each input is also in the target's
/// corpus (fuzz/corpus/TARGET/regression-*), so `make fuzz` replays it too.
final class FuzzRegressionTests: XCTestCase {
  /// fuzz-shell-escape, input `$=/z`: the plain value `=/z` was exported unquoted, and zsh
  /// expands `=word` at the start of an assignment's value and after a `:` to the path of the
  /// command `word` (EQUALS): `export V==ls` set /usr/bin/ls, `export V==/z` failed with
  /// "/z not found" and left V unset.
  func testZshEqualsExpansionIsQuoted() throws {
    XCTAssertEqual(Shell.zsh.quote("=ls"), "$'=ls'")
    XCTAssertEqual(Shell.zsh.quote("a:=ls"), "$'a:=ls'")
    XCTAssertEqual(Shell.bash.quote("=/z"), "$'=/z'")
    // `=` elsewhere is not expanded: base64 padding stays readable.
    XCTAssertEqual(Shell.zsh.quote("abc=="), "abc==")
    XCTAssertEqual(Shell.zsh.quote("a=b:c"), "a=b:c")
    let values = ["=/z", "=ls", "==", "a:=ls", ":=", "x::=y", "abc==", "a=b", "=", ":"]
    for shell in Shell.allCases {
      guard let path = which(shell.rawValue) else {
        XCTFail("\(shell.rawValue) is not installed: run make test (it installs it)")
        continue
      }
      for value in values {
        let code = try shell.render([.export("AWSENV_FUZZ", value)])
        let flags = shell == .zsh ? ["-f"] : shell == .bash ? ["--norc"] : ["--no-config"]
        let output = try runCapturing(path, flags + ["-c", code + "printf '%s' \"$AWSENV_FUZZ\""])
        XCTAssertEqual(String(decoding: output, as: UTF8.self), value, "\(shell): \(code)")
      }
    }
  }

  /// fuzz-shell-escape, input `\0%self`: fish 3.6 still expands the word `%self` to its process
  /// id, so `set -gx V %self` set V to a number (a profile may be called `%self`).
  func testFishPercentSelfIsQuoted() throws {
    XCTAssertEqual(Shell.fish.quote("%self"), "'%self'")
    XCTAssertEqual(Shell.fish.quote("a%self"), "a%self")
    XCTAssertEqual(Shell.bash.quote("%self"), "%self")
    for shell in Shell.allCases {
      guard let path = which(shell.rawValue) else {
        XCTFail("\(shell.rawValue) is not installed: run make test (it installs it)")
        continue
      }
      for value in ["%self", "%", "%self/x", "%last", "%1"] {
        let code = try shell.render([.export("AWSENV_FUZZ", value)])
        let flags = shell == .zsh ? ["-f"] : shell == .bash ? ["--norc"] : ["--no-config"]
        let output = try runCapturing(path, flags + ["-c", code + "printf '%s' \"$AWSENV_FUZZ\""])
        XCTAssertEqual(String(decoding: output, as: UTF8.self), value, "\(shell): \(code)")
      }
    }
  }

  /// fuzz-config, `regression-editor-bom`: a credentials file that starts with a UTF-8 byte
  /// order mark (Windows editors write one). The parser skips it and imports `[default]`; the
  /// editor saw `\u{FEFF}[default]`, no header, and `import --remove-plaintext` left the
  /// imported keys in the file.
  func testRemovingSecretsAfterAByteOrderMark() {
    let text =
      "\u{FEFF}[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
      + "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nregion = x\n"
    XCTAssertEqual(
      ConfigFileEditor.removingSecrets(from: text, profiles: ["default"], isConfigFile: false),
      "\u{FEFF}[default]\nregion = x\n")
  }

  /// fuzz-config: the editor reads lines as the parser does. An indented `[b] = y` continues a
  /// block (it is no header: the token after it was left behind); a value goes on past blank
  /// and comment lines (its continuation was left, and then continued `tags`, which no longer
  /// parsed); a header the parser ignores (`[a]x]`) names no profile (its key was removed).
  func testRemovingSecretsClassifiesLinesAsTheParserDoes() throws {
    let text = """
      [a]
      aws_access_key_id = AKIAIOSFODNN7EXAMPLE
      aws_secret_access_key = secret
      tags =
        [b] = y
      aws_session_token = token
      aws_security_token = old

      # a comment
        continued
      region = x
      [a]x]
      aws_access_key_id = AKIDNOTIMPORTED1

      """
    let edited = ConfigFileEditor.removingSecrets(from: text, profiles: ["a"], isConfigFile: false)
    let after = try AWSConfig.parse(
      config: "", configPath: "config", credentials: edited, credentialsPath: "credentials")
    XCTAssertEqual(after.profile("a")?.properties, ["tags": "\n[b] = y", "region": "x"])
    XCTAssertTrue(edited.contains("AKIDNOTIMPORTED1"))
  }

  /// fuzz-sso-json, `regression-cache-fraction`: an AWS CLI cache file whose expiresAt has a
  /// fraction failed to import with "did not read back as written" (the keyring item keeps
  /// whole seconds); a date outside years 0000-9999 could not be written back at all.
  func testCacheImportOfAFractionalExpiry() throws {
    let directory = NSTemporaryDirectory() + "/awsenv-fuzz-regression-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let config = try AWSConfig.parse(
      config:
        "[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n",
      configPath: "config", credentials: "", credentialsPath: "credentials")
    let session = try config.ssoSession(named: "s")
    try Data(#"{"accessToken":"a","expiresAt":"2030-01-01T00:00:00.5Z"}"#.utf8).write(
      to: URL(fileURLWithPath: directory + "/" + SSOCacheImport.cacheFileName(session)))
    let keyring = Keyring(store: InMemorySecretStore())
    let outcome = try SSOCacheImport(
      config: config, keyring: keyring, directory: directory,
      now: Date(timeIntervalSince1970: 1_700_000_000)
    ).run(removePlaintext: false)
    XCTAssertEqual(outcome.imported.count, 1)
    XCTAssertEqual(
      try keyring.ssoToken(session)?.expiresAt, Date(timeIntervalSince1970: 1_893_456_000))
    XCTAssertNil(SSOCacheImport.parseCacheDate("0000-01-01T00:00:00+00:01"))
    XCTAssertNotNil(SSOCacheImport.parseCacheDate("0000-01-01T00:00:00Z"))
  }

  /// fuzz-sts-xml, `regression-json-bom`: Foundation's JSONSerialization drops a raw U+FEFF at
  /// the start of a string, so a cached session whose role ARN began with one read back
  /// without it. jsonString escapes it.
  func testJSONStringsKeepALeadingByteOrderMark() {
    XCTAssertEqual(jsonString("\u{FEFF}x"), #""\ufeffx""#)
    let session = SessionCredentials(
      credentials: Credentials(
        accessKeyID: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: "secret", sessionToken: "token",
        expiration: Date(timeIntervalSince1970: 1_700_000_000)),
      assumedRoleArn: "\u{FEFF}arn")
    XCTAssertEqual(SessionCredentials.decode(session.encoded())?.assumedRoleArn, "\u{FEFF}arn")
  }
}
