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
    return ServiceEndpoint(
      scheme: "https", host: regionalHost("sts", region: region, fips: fips, dualStack: dualStack))
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
