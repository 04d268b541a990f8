import Foundation

/// How the AWS SDKs find a service's endpoint: the service-specific environment variable, the
/// global one, the profile's `[services]` section, the profile's endpoint_url, then the
/// regional default. `ignore_configured_endpoint_urls` (or AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)
/// skips every configured URL.
public enum EndpointResolver {
  /// The configured endpoint URL for `service` (its identifier as in AWS_ENDPOINT_URL_<ID>, e.g.
  /// "STS", "SSO", "SSO_OIDC", and its key in a `[services]` block, e.g. "sts", "sso_oidc"),
  /// with the setting it came from, or nil.
  public static func configured(
    service: String, profile: ProfileSection?, config: AWSConfig, environment: [String: String]
  ) -> (url: String, setting: String)? {
    if isTrue(environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"])
      || isTrue(profile?["ignore_configured_endpoint_urls"])
    {
      return nil
    }
    let envName = "AWS_ENDPOINT_URL_" + service.uppercased()
    if let value = environment[envName], !value.isEmpty { return (value, envName) }
    if let value = environment["AWS_ENDPOINT_URL"], !value.isEmpty {
      return (value, "AWS_ENDPOINT_URL")
    }
    if let profile, let servicesName = profile["services"],
      let block = config.services[servicesName],
      let value = block.subProperty(service.lowercased(), "endpoint_url"), !value.isEmpty
    {
      return (value, "endpoint_url for \(service.lowercased()) in [services \(servicesName)]")
    }
    if let profile, let value = profile["endpoint_url"], !value.isEmpty {
      return (value, "endpoint_url in [profile \(profile.name)]")
    }
    return nil
  }

  /// The STS endpoint for `region`, or the configured one.
  public static func sts(
    region: String, profile: ProfileSection?, config: AWSConfig, environment: [String: String]
  ) throws(HTTPError) -> ServiceEndpoint {
    if let (url, setting) = configured(
      service: "STS", profile: profile, config: config, environment: environment)
    {
      return try ServiceEndpoint.parse(url, setting: setting)
    }
    let fips =
      isTrue(environment["AWS_USE_FIPS_ENDPOINT"]) || isTrue(profile?["use_fips_endpoint"])
    let dualStack =
      isTrue(environment["AWS_USE_DUALSTACK_ENDPOINT"])
      || isTrue(profile?["use_dualstack_endpoint"])
    if !fips, !dualStack,
      usesLegacyGlobalSTS(region: region, profile: profile, environment: environment)
    {
      return ServiceEndpoint(scheme: "https", host: globalSTSHost)
    }
    return ServiceEndpoint(
      scheme: "https", host: regionalHost("sts", region: region, fips: fips, dualStack: dualStack))
  }

  /// STS's global endpoint, signed for us-east-1.
  public static let globalSTSHost = "sts.amazonaws.com"

  /// The regions botocore sends to the global STS endpoint when sts_regional_endpoints is
  /// `legacy` (every other region keeps its regional endpoint).
  static let legacyGlobalSTSRegions: Set<String> = [
    "aws-global", "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
    "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3",
    "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
  ]

  /// Whether AWS_STS_REGIONAL_ENDPOINTS (else the profile's sts_regional_endpoints) is `legacy`
  /// and `region` is one botocore then calls the global endpoint for. `regional`, the default,
  /// keeps every region regional.
  public static func usesLegacyGlobalSTS(
    region: String, profile: ProfileSection?, environment: [String: String]
  ) -> Bool {
    let setting = environment["AWS_STS_REGIONAL_ENDPOINTS"] ?? profile?["sts_regional_endpoints"]
    return setting?.trimmingCharacters(in: .whitespaces).lowercased() == "legacy"
      && legacyGlobalSTSRegions.contains(region)
  }

  /// `sts.eu-west-1.amazonaws.com`, with the partition's DNS suffix and the FIPS / dual-stack
  /// variants.
  public static func regionalHost(
    _ service: String, region: String, fips: Bool = false, dualStack: Bool = false
  ) -> String {
    let name = fips ? service + "-fips" : service
    let partition = Partition.of(region: region)
    let suffix = dualStack ? partition.dualStackDNSSuffix : partition.dnsSuffix
    return "\(name).\(region).\(suffix)"
  }

  /// Whether a region name is safe to put in a host name.
  public static func isValidRegion(_ region: String) -> Bool {
    !region.isEmpty && region.count <= 64
      && region.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
      }
  }
}

func isTrue(_ value: String?) -> Bool {
  guard let value else { return false }
  return value.trimmingCharacters(in: .whitespaces).lowercased() == "true"
}
