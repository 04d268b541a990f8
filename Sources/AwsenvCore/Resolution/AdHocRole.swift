/// A role no profile names, assumed on the spot (`--role-arn`), with a profile's credentials.
public struct AdHocRole: Sendable, Equatable {
  public var roleArn: String
  /// The profile whose credentials assume the role (`--source-profile`, else the shell's).
  public var sourceProfile: String
  public var externalID: String?
  public var sessionName: String?

  public init(
    roleArn: String, sourceProfile: String, externalID: String? = nil, sessionName: String? = nil
  ) {
    self.roleArn = roleArn
    self.sourceProfile = sourceProfile
    self.externalID = externalID
    self.sessionName = sessionName
  }

  /// What the keyring files the role's cached session under (its `profile` attribute): the
  /// ARN and the source, so that each source has its own session of the role, and none
  /// replaces a session of a real profile.
  public var cacheName: String { "\(roleArn) from \(sourceProfile)" }

  /// Whether `text` is an IAM role ARN: `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`, with a
  /// 12-digit account, a name of 1 to 64 of `A-Za-z0-9+=,.@_-` and a path of printable ASCII.
  public static func isRoleArn(_ text: String) -> Bool {
    let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
    guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[3].isEmpty,
      ([Partition.aws] + Partition.others).contains(where: { $0.id == parts[1] }),
      parts[4].count == 12, parts[4].allSatisfy({ ("0"..."9").contains($0) }),
      parts[5].hasPrefix("role/")
    else { return false }
    let resource = parts[5].dropFirst("role/".count)
    let segments = resource.split(separator: "/", omittingEmptySubsequences: false)
    guard let name = segments.last, (1...64).contains(name.count),
      name.unicodeScalars.allSatisfy({
        $0.isASCII
          && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
            || "+=,.@_-".unicodeScalars.contains($0))
      }),
      resource.count <= 512,
      resource.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) })
    else { return false }
    // A path is `/`-separated non-empty segments.
    return segments.dropLast().allSatisfy { !$0.isEmpty }
  }
}
