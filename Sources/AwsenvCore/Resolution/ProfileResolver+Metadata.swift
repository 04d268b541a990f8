extension ProfileResolver {
  /// The base credentials of credential_source = Ec2InstanceMetadata or EcsContainer in
  /// `profile`.
  ///
  /// They are not cached in the keyring: the instance metadata service and the container
  /// endpoint are local, answer in milliseconds, and renew the credentials themselves (they are
  /// the cache); a copy in the keyring would outlive their rotation and put a machine's role
  /// credentials into a user's keyring. The role assumed with them is cached as any role is.
  func metadataCredentials(source: String, profile: String) throws(AwsenvError) -> Credentials {
    do throws(MetadataError) {
      switch source {
      case "Ec2InstanceMetadata":
        return try InstanceMetadataProvider.configured(
          profile: profile, section: config.profile(profile), environment: environment,
          transport: transport
        ).credentials()
      case "EcsContainer":
        return try ContainerCredentialsProvider.configured(
          profile: profile, environment: environment, transport: transport, sleep: retrySleep
        ).credentials()
      default:
        throw .badSetting(
          "credential_source = \(source) in profile '\(profile)' is not one awsenv knows")
      }
    } catch {
      throw .other(error.message)
    }
  }
}
