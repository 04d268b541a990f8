// libFuzzer target: ~/.aws/config and ~/.aws/credentials.
//
// Input: the config file's bytes, then (after the first NUL byte, if any) the credentials
// file's. Both are decoded as the binary reads them (UTF-8 with repair), parsed into one
// AWSConfig, and every profile goes through what `use`, `list`, `login` and completion do with
// it: chain resolution, kind, the SSO sign-in and the STS and SSO endpoints. The credentials
// text also goes through `import --remove-plaintext`'s edit.
//
// A crash, a hang or one of these broken promises aborts:
// - a parse error names a line of the file it is about;
// - profile names are unique, valid, and the same as the profiles' keys;
// - the edit removes the imported profiles' secret keys and changes nothing else: the file
//   parses to the same profiles, minus those keys.

@testable import AwsenvCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeBufferPointer(start: data, count: size)
  let split = bytes.firstIndex(of: 0) ?? size
  let configText = String(decoding: bytes[..<split], as: UTF8.self)
  let credentialsText =
    split < size ? String(decoding: bytes[(split + 1)...], as: UTF8.self) : ""
  checkEdit(credentialsText)
  let config: AWSConfig
  do {
    config = try AWSConfig.parse(
      config: configText, configPath: "config", credentials: credentialsText,
      credentialsPath: "credentials")
  } catch {
    let text = error.path == "config" ? configText : credentialsText
    expect(error.path == "config" || error.path == "credentials", "error names no file")
    expect(error.line >= 1 && error.line <= lineCount(text), "error line out of the file")
    expect(!error.message.isEmpty, "empty error message")
    return 0
  }
  expect(Set(config.profileNames).count == config.profileNames.count, "duplicate profile names")
  expect(Set(config.profileNames) == Set(config.profiles.keys), "names and profiles differ")
  for name in config.profileNames.prefix(64) {
    expect(AWSConfig.isValidProfileName(name), "invalid profile name kept")
    exercise(config, profile: name)
  }
  for name in config.ssoSessions.keys.sorted().prefix(16) {
    _ = try? config.ssoSession(named: name)
  }
  return 0
}

/// What the commands do with one profile; errors are expected, crashes are not.
private func exercise(_ config: AWSConfig, profile name: String) {
  let section = config.profile(name)
  _ = config.kind(ofProfile: name)
  do {
    let chain = try config.resolveChain(profile: name, keyringFallback: true)
    _ = config.ssoSession(base: chain.base)
  } catch {
    _ = error.description
  }
  _ = try? config.resolveChain(profile: name, keyringFallback: false)
  _ = try? config.ssoSession(profile: name)
  let region = section?["region"] ?? "us-east-1"
  _ = try? EndpointResolver.sts(region: region, profile: section, config: config, environment: [:])
  if EndpointResolver.isValidRegion(region) {
    _ = try? SSOClient.endpoints(
      region: region, profile: section, config: config, environment: [:])
  }
}

/// `import --remove-plaintext`: every profile with keys is imported when all of them are
/// valid, then their secret lines go. Read back, the file must hold the same profiles with the
/// same properties, minus the imported profiles' secret keys.
private func checkEdit(_ text: String) {
  guard
    let file = try? AWSConfig.parse(
      config: "", configPath: "config", credentials: text, credentialsPath: "credentials")
  else { return }
  let names = file.profileNames.filter { file.profile($0)?["aws_access_key_id"] != nil }
  guard !names.isEmpty else { return }
  for name in names {
    let section = file.profile(name)!
    guard let secret = section["aws_secret_access_key"] else { return }
    let credentials = Credentials(
      accessKeyID: section["aws_access_key_id"]!, secretAccessKey: secret,
      sessionToken: section["aws_session_token"])
    guard (try? credentials.validate()) != nil else { return }
  }
  let edited = ConfigFileEditor.removingSecrets(
    from: text, profiles: Set(names), isConfigFile: false)
  guard
    let after = try? AWSConfig.parse(
      config: "", configPath: "config", credentials: edited, credentialsPath: "credentials")
  else {
    fail("the credentials file no longer parses after removing the imported keys")
  }
  expect(after.profileNames == file.profileNames, "the edit changed the profiles")
  for name in file.profileNames {
    var want = file.profile(name)!
    if names.contains(name) {
      for key in ConfigFileEditor.secretKeys {
        want.properties[key] = nil
        want.subProperties[key] = nil
      }
    }
    let got = after.profile(name)
    expect(
      got == want,
      "the edit left profile \(name) as \(String(describing: got)), not \(want)")
  }
}

private func lineCount(_ text: String) -> Int {
  text.utf8.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
}

private func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
  if !condition { fail(message()) }
}

private func fail(_ message: String) -> Never {
  let line = Array("fuzz-config: \(message)\n".utf8)
  _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
  abort()
}
