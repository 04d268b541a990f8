import Foundation

extension ProfileResolver {
  /// The rotation of the keys `profile` starts from: its own keys, or those of the profile its
  /// role chain starts with (as aws-vault rotates a role profile's source keys). Only keys in
  /// the keyring are rotated: keys written in the credentials file must be imported first, as
  /// a rotation that rewrote the file would leave the new secret in plaintext.
  public func keyRotation(profile: String, regionFlag: String?, mfaCode: String?)
    throws(RotateError) -> KeyRotation
  {
    var owner = profile
    var mfaSerial: String?
    var inFile = false
    if config.profile(profile) != nil {
      let chain: ProfileChain
      do {
        chain = try config.resolveChain(profile: profile, keyringFallback: true)
      } catch {
        throw .before(.resolve(error))
      }
      guard case .staticKeys(let keysOwner, let fileKeys) = chain.base else {
        throw .notKeys(profile: profile, kind: Self.describe(chain.base))
      }
      owner = keysOwner
      inFile = fileKeys != nil
      mfaSerial = config.profile(owner)?["mfa_serial"] ?? chain.roles.first?.mfaSerial
    }
    if inFile {
      let stored: Credentials?
      do {
        stored = try keyringKeys(owner)
      } catch {
        throw .before(error)
      }
      if stored == nil { throw .keysOnlyInFile(profile: owner) }
    }
    let sts: STSClient
    let iam: IAMClient
    do {
      sts = try stsClient(profile: owner, regionFlag: regionFlag)
      iam = try iamClient(profile: owner, region: sts.signingRegion)
    } catch {
      throw .before(error)
    }
    let section = config.profile(owner)
    let environment = environment
    let ask = askMFACode
    return KeyRotation(
      profile: owner, keyring: keyring, sts: sts, iam: iam, mfaSerial: mfaSerial,
      mfaCode: { serial throws(AwsenvError) in
        try Self.mfaCode(
          serial: serial, given: mfaCode, process: section?["mfa_process"], owner: owner,
          environment: environment, ask: ask)
      },
      sleep: retrySleep)
  }

  /// An IAM client for calls on behalf of `profile` made from `region`'s partition.
  public func iamClient(profile: String, region: String) throws(AwsenvError) -> IAMClient {
    let section = config.profile(profile)
    let resolved: (endpoint: ServiceEndpoint, signingRegion: String)
    do {
      resolved = try EndpointResolver.iam(
        region: region, profile: section, config: config, environment: environment)
    } catch {
      throw .http(error)
    }
    let (options, retry) = httpSettings(section, quick: false)
    return IAMClient(
      endpoint: resolved.endpoint, signingRegion: resolved.signingRegion, transport: transport,
      options: options, retry: retry, clock: clock)
  }

  /// --mfa-code, else the profile's mfa_process, else the terminal.
  static func mfaCode(
    serial: String, given: String?, process: String?, owner: String,
    environment: [String: String], ask: (String) -> String?
  ) throws(AwsenvError) -> String {
    var code = given
    if code == nil, let process {
      do {
        let output = try CommandRunner.run(process, environment: environment, limit: 4096)
        code = String(decoding: output, as: UTF8.self)
      } catch {
        throw .command(profile: owner, key: "mfa_process", error)
      }
    }
    if code == nil {
      code = ask("MFA code for \(serial): ")
      if code == nil {
        throw .needsInteraction(
          "rotating the keys of '\(owner)' needs an MFA code for \(serial) and there is no "
            + "terminal to ask on; pass --mfa-code CODE or set mfa_process in the profile")
      }
    }
    let trimmed = (code ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    guard trimmed.count == 6, trimmed.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) })
    else { throw .invalidMFACode }
    return trimmed
  }

  static func describe(_ base: BaseCredentials) -> String {
    switch base {
    case .staticKeys: return "access keys"
    case .namedSource(_, let name): return "credential_source = \(name)"
    case .webIdentity: return "a web identity token"
    case .saml: return "SAML"
    case .sso: return "IAM Identity Center"
    case .process: return "credential_process"
    }
  }
}
