extension EndpointResolver {
  /// The IAM endpoint for a profile whose region is `region`, and the region to sign for: a
  /// configured URL (AWS_ENDPOINT_URL_IAM, `iam` in `[services]`, endpoint_url) signed for the
  /// partition's IAM region, else the partition's global endpoint as the SDKs' endpoint rules
  /// give it (iam.amazonaws.com / us-east-1, iam.cn-north-1.amazonaws.com.cn / cn-north-1,
  /// iam.us-gov.amazonaws.com / us-gov-west-1, …; iam-fips.amazonaws.com with FIPS).
  public static func iam(
    region: String, profile: ProfileSection?, config: AWSConfig, environment: [String: String]
  ) throws(HTTPError) -> (endpoint: ServiceEndpoint, signingRegion: String) {
    let partition = Partition.of(region: region)
    let (host, signingRegion): (String, String)
    switch partition.id {
    case Partition.aws.id:
      let fips =
        isTrue(environment["AWS_USE_FIPS_ENDPOINT"]) || isTrue(profile?["use_fips_endpoint"])
      (host, signingRegion) = (fips ? "iam-fips.amazonaws.com" : "iam.amazonaws.com", "us-east-1")
    case Partition.china.id:
      (host, signingRegion) = ("iam.cn-north-1.amazonaws.com.cn", "cn-north-1")
    case Partition.govCloud.id:
      (host, signingRegion) = ("iam.us-gov.amazonaws.com", "us-gov-west-1")
    case Partition.iso.id:
      (host, signingRegion) = ("iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1")
    case Partition.isoB.id:
      (host, signingRegion) = ("iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1")
    default:
      // A partition without a global IAM name in the SDKs' rules: its regional host.
      (host, signingRegion) = (regionalHost("iam", region: region), region)
    }
    if let (url, setting) = configured(
      service: "IAM", profile: profile, config: config, environment: environment)
    {
      return (try ServiceEndpoint.parse(url, setting: setting), signingRegion)
    }
    return (ServiceEndpoint(scheme: "https", host: host), signingRegion)
  }
}
