import Foundation

/// What `awsenv console` asks for.
public struct ConsoleRequest: Sendable {
  public var profile: String
  /// The console page: its home, a service's home, or a URL (or a path on the console host).
  public var page: ConsolePage
  /// `--region`: the console's region (else the profile's, else the shell's).
  public var region: String?
  /// `--duration` in seconds: the console session's length (clamped to what AWS allows).
  public var durationSeconds: Int?
  /// How to get the profile's credentials (`--refresh`, `--mfa-code`, …). Its `regionFlag` is
  /// not the console's region: the credentials come from the profile's own STS, so a cached
  /// session serves.
  public var options: ResolveOptions

  public init(
    profile: String, page: ConsolePage = .home, region: String? = nil,
    durationSeconds: Int? = nil, options: ResolveOptions = ResolveOptions()
  ) {
    self.profile = profile
    self.page = page
    self.region = region
    self.durationSeconds = durationSeconds
    self.options = options
  }
}

/// Which console page to open.
public enum ConsolePage: Sendable, Equatable {
  case home
  /// `--service s3`: `https://CONSOLE/s3/home?region=R`.
  case service(String)
  /// `--destination`: an https URL, or a path on the console host (`/iam/home#/users`).
  case destination(String)
}

/// The console sign-in of a profile, ready to open.
public struct ConsoleLogin: Sendable {
  /// The AWS `login` URL: it holds a sign-in token (a secret for 15 minutes).
  public var url: String
  /// What the user should know (a duration clamped to what AWS allows), one line each.
  public var notes: [String]
  /// How the session was made: a federation token from long-lived keys, or the profile's own.
  public var source: SigninError.Source
  /// The console session's length in seconds, when awsenv chose it.
  public var durationSeconds: Int?
}

/// `awsenv console`: signs the browser in to the AWS Management Console as a profile.
///
/// Temporary credentials of the profile (a role, a role chain, IAM Identity Center, web
/// identity, SAML, a credential_process session) go to the Sign-In federation endpoint as they
/// are. Long-lived keys never go there: they first make a federation token (GetFederationToken,
/// with a session policy that gives the user's own rights and no more), as aws-vault does.
public enum ConsoleSignIn {
  /// Who the console says made the link.
  public static let issuer = "awsenv"

  /// How long a console session may be, in seconds, for each kind of credentials (AWS: the
  /// federation endpoint's SessionDuration for role sessions, 1 hour for a role chain; a
  /// federation token's own DurationSeconds).
  public enum Limits {
    public static let roleSession = 900...43_200
    public static let roleChain = 900...3_600
    public static let federationToken = 900...129_600
    /// A federation token's length when --duration is not given.
    public static let federationDefault = 3_600
  }

  /// The sign-in URL for `request`, from `resolver`'s config, keyring and transport.
  public static func login(_ request: ConsoleRequest, resolver: ProfileResolver)
    throws(AwsenvError) -> ConsoleLogin
  {
    let profile = request.profile
    let section = resolver.config.profile(profile)
    let region = ShellSession.region(
      flag: request.region, profileRegion: section?["region"], environment: resolver.environment)
    if let region, !EndpointResolver.isValidRegion(region) {
      throw .other(
        "'\(region)' is not a region name (like eu-west-1); fix --region, `region` in the "
          + "profile, or AWS_REGION")
    }
    let destination = try destination(request.page, region: region)
    let endpoint: ServiceEndpoint
    do {
      endpoint = try SigninFederation.endpoint(
        region: region, profile: section, config: resolver.config,
        environment: resolver.environment)
    } catch {
      throw .http(error)
    }

    var notes: [String] = []
    let session: Credentials
    let source: SigninError.Source
    var sessionDuration: Int?
    var durationSeconds: Int?
    let (credentials, chained) = try credentials(request, resolver: resolver)
    if credentials.sessionToken == nil {
      let limits = Limits.federationToken
      let asked = request.durationSeconds ?? Limits.federationDefault
      let length = clamp(asked, to: limits, kind: "a federation token", notes: &notes)
      let sts = try resolver.stsClient(profile: profile, regionFlag: nil)
      DebugLog.log(
        "console: GetFederationToken as '\(federationName(resolver.userName))' with "
          + "\(DebugLog.mask(accessKeyID: credentials.accessKeyID)), \(length) s, at "
          + "\(sts.endpoint)")
      do {
        session = try sts.getFederationToken(
          credentials, name: federationName(resolver.userName), durationSeconds: length
        ).credentials
      } catch {
        var context = STSError.Context(profile: profile, durationSeconds: length)
        context.keysProfile = profile
        throw .sts(error, context)
      }
      source = .federationToken
      durationSeconds = length
    } else {
      session = credentials
      source = .session
      if let asked = request.durationSeconds {
        let (limits, kind) =
          chained ? (Limits.roleChain, "a role chain") : (Limits.roleSession, "a role session")
        sessionDuration = clamp(asked, to: limits, kind: kind, notes: &notes)
        durationSeconds = sessionDuration
      }
    }

    // The profile's timeouts, CA bundle and attempts, as its STS client has them.
    let settings = try? resolver.stsClient(profile: profile, regionFlag: nil)
    let federation = SigninFederation(
      endpoint: endpoint, transport: resolver.transport,
      options: settings?.options ?? HTTPOptions(userAgent: "awsenv/\(AwsenvInfo.version)"),
      retry: settings?.retry ?? RetryPolicy(sleep: resolver.retrySleep))
    DebugLog.log(
      "console: getSigninToken at \(endpoint) for "
        + "\(DebugLog.mask(accessKeyID: session.accessKeyID))"
        + (sessionDuration.map { ", SessionDuration \($0)" } ?? ""))
    let token: String
    do {
      token = try federation.signinToken(for: session, sessionDuration: sessionDuration)
    } catch {
      throw .other(error.message(profile: profile, source: source))
    }
    let url = federation.loginURL(token: token, issuer: issuer, destination: destination)
    return ConsoleLogin(
      url: url, notes: notes, source: source, durationSeconds: durationSeconds)
  }

  /// The profile's credentials for the console, and whether they come from a role chain (a
  /// role assumed with another role's session, which AWS limits to an hour). A profile that is
  /// only long-lived keys gives those keys themselves, not an MFA session made with them: the
  /// federation endpoint takes no GetSessionToken session, and GetFederationToken needs the
  /// keys (and takes no MFA code).
  static func credentials(_ request: ConsoleRequest, resolver: ProfileResolver)
    throws(AwsenvError) -> (Credentials, chained: Bool)
  {
    let config = resolver.config
    guard config.profile(request.profile) != nil else {
      return (try resolver.credentials(profile: request.profile, options: request.options), false)
    }
    let chain: ProfileChain
    do {
      chain = try config.resolveChain(profile: request.profile, keyringFallback: true)
    } catch {
      throw .resolve(error)
    }
    if chain.roles.isEmpty, case .staticKeys(let owner, let fileKeys) = chain.base {
      return (try longLivedKeys(owner: owner, fileKeys: fileKeys, resolver: resolver), false)
    }
    let credentials = try resolver.credentials(profile: request.profile, options: request.options)
    let chained: Bool
    switch chain.base {
    case .staticKeys(_, let fileKeys): chained = fileKeys?.sessionToken != nil
    case .namedSource: chained = false
    case .sso, .webIdentity, .saml, .process: chained = true
    }
    return (credentials, chain.roles.count >= 2 || (chain.roles.count == 1 && chained))
  }

  /// The keys of `owner`: the keyring's, else the files' (as a chain starting with them uses).
  static func longLivedKeys(owner: String, fileKeys: FileKeys?, resolver: ProfileResolver)
    throws(AwsenvError) -> Credentials
  {
    try resolver.keyring.longLivedKeys(owner: owner, fileKeys: fileKeys)
  }

  /// `asked` within `limits`, with a note when it had to change.
  static func clamp(
    _ asked: Int, to limits: ClosedRange<Int>, kind: String, notes: inout [String]
  ) -> Int {
    let value = min(max(asked, limits.lowerBound), limits.upperBound)
    if value != asked {
      let bound = value == limits.upperBound ? "at most" : "at least"
      notes.append(
        "a console session from \(kind) lasts \(bound) \(SessionDuration.text(value)); using "
          + "\(SessionDuration.text(value)) instead of \(SessionDuration.text(asked))")
    }
    return value
  }

  /// The federated user's name: the local user's, in the characters STS takes, at most 32
  /// (aws-vault's choice), else "awsenv".
  static func federationName(_ userName: String) -> String {
    let allowed = userName.unicodeScalars.filter {
      $0.isASCII
        && (("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
          || "_+=,.@-".unicodeScalars.contains($0))
    }
    let name = String(String.UnicodeScalarView(allowed.prefix(32)))
    return name.count >= 2 ? name : "awsenv"
  }

  /// The console URL to show after signing in.
  public static func destination(_ page: ConsolePage, region: String?) throws(AwsenvError)
    -> String
  {
    guard let hosts = ConsoleHosts(region: region) else {
      throw .other(
        "awsenv knows no AWS console for region \(region ?? "") (partition "
          + "\(Partition.of(region: region ?? "").id)); give the page with --destination URL "
          + "and the sign-in endpoint with AWS_ENDPOINT_URL_SIGNIN")
    }
    let base = "https://" + hosts.console
    let query = region.map { "?region=" + formEncode($0) } ?? ""
    switch page {
    case .home:
      return base + "/console/home" + query
    case .service(let name):
      let valid =
        (1...64).contains(name.utf8.count)
        && name.unicodeScalars.allSatisfy {
          ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
        }
      guard valid else {
        throw .other(
          "'\(name)' is not a console service name (like s3, ec2, iam, cloudformation: "
            + "lowercase letters, digits and -); for another page use --destination URL")
      }
      return base + "/\(name)/home" + query
    case .destination(let text):
      guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
        text.utf8.count <= 4096
      else {
        throw .other("--destination holds control characters or is too long; give a URL")
      }
      if text.hasPrefix("/") { return base + text }
      guard text.lowercased().hasPrefix("https://"), text.utf8.count > 8 else {
        throw .other(
          "--destination must be an https:// URL or a path on the console (starting with /)")
      }
      return text
    }
  }

  /// `url` for Firefox's container tabs: the `ext+container:` link that the "Open external
  /// links in a container" add-on opens in the container `name` (created when missing).
  public static func containerURL(_ url: String, container name: String) throws(AwsenvError)
    -> String
  {
    guard !name.isEmpty, name.utf8.count <= 256,
      !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
    else {
      throw .other("--container needs a name of 1 to 256 characters, without control characters")
    }
    return "ext+container:name=" + formEncode(name) + "&url=" + formEncode(url)
  }
}
