/// An AWS partition: a group of regions with DNS names of its own, as the SDKs' partitions.json
/// describes it. A service's default host is `SERVICE.REGION.` + the partition's DNS suffix.
public struct Partition: Sendable, Equatable {
  /// `aws`, `aws-cn`, `aws-us-gov`, …
  public var id: String
  /// The suffix of regional endpoints: `amazonaws.com`, `amazonaws.com.cn`, …
  public var dnsSuffix: String
  /// The suffix of dual-stack (IPv4 and IPv6) endpoints; the partitions without dual-stack
  /// endpoints repeat their DNS suffix here, as partitions.json does.
  public var dualStackDNSSuffix: String
  /// The start of every region name of the partition (`cn-`); empty for `aws`, which takes
  /// every region no other partition claims.
  var regionPrefix: String

  public static let aws = Partition(
    id: "aws", dnsSuffix: "amazonaws.com", dualStackDNSSuffix: "api.aws", regionPrefix: "")
  public static let china = Partition(
    id: "aws-cn", dnsSuffix: "amazonaws.com.cn",
    dualStackDNSSuffix: "api.amazonwebservices.com.cn", regionPrefix: "cn-")
  public static let govCloud = Partition(
    id: "aws-us-gov", dnsSuffix: "amazonaws.com", dualStackDNSSuffix: "api.aws",
    regionPrefix: "us-gov-")
  public static let iso = Partition(
    id: "aws-iso", dnsSuffix: "c2s.ic.gov", dualStackDNSSuffix: "c2s.ic.gov",
    regionPrefix: "us-iso-")
  public static let isoB = Partition(
    id: "aws-iso-b", dnsSuffix: "sc2s.sgov.gov", dualStackDNSSuffix: "sc2s.sgov.gov",
    regionPrefix: "us-isob-")
  public static let isoE = Partition(
    id: "aws-iso-e", dnsSuffix: "cloud.adc-e.uk", dualStackDNSSuffix: "cloud.adc-e.uk",
    regionPrefix: "eu-isoe-")
  public static let isoF = Partition(
    id: "aws-iso-f", dnsSuffix: "csp.hci.ic.gov", dualStackDNSSuffix: "csp.hci.ic.gov",
    regionPrefix: "us-isof-")
  public static let europeanSovereignCloud = Partition(
    id: "aws-eusc", dnsSuffix: "amazonaws.eu", dualStackDNSSuffix: "amazonaws.eu",
    regionPrefix: "eusc-")

  /// Every partition but `aws`, which is the fallback.
  static let others = [china, govCloud, iso, isoB, isoE, isoF, europeanSovereignCloud]

  /// The partition of `region`: the one whose region names start as it does (partitions.json's
  /// regionRegex, read as a prefix), else `aws`, as the SDKs fall back to it.
  public static func of(region: String) -> Partition {
    others.first { region.hasPrefix($0.regionPrefix) } ?? aws
  }
}
