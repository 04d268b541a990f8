extension ProfileResolver {
  /// Who the credentials are (STS GetCallerIdentity): those of `profile`, else the ones in the
  /// environment (this shell's), called in `regionFlag` or the profile's region.
  public func callerIdentity(profile: String?, regionFlag: String?) throws(AwsenvError)
    -> CallerIdentity
  {
    let credentials: Credentials
    let client: STSClient
    if let profile {
      credentials = try self.credentials(
        profile: profile, options: ResolveOptions(regionFlag: regionFlag))
      client = try stsClient(profile: profile, regionFlag: regionFlag)
    } else {
      guard let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty,
        let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
      else { throw .noShellCredentials }
      credentials = Credentials(
        accessKeyID: id, secretAccessKey: secret,
        sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
      client = try stsClient(
        profile: environment["AWS_PROFILE"] ?? "default", regionFlag: regionFlag)
    }
    do {
      return try client.getCallerIdentity(credentials)
    } catch {
      throw .sts(error, STSError.Context(profile: profile))
    }
  }
}
