extension ProfileResolver {
  /// The credentials of `role`, assumed with its source profile's credentials (resolved as
  /// `use` resolves that profile, cached sessions and MFA included), for `use`, `exec` and
  /// `export --role-arn`. The role's session is cached like a profile's role, under
  /// ``AdHocRole/cacheName``.
  ///
  /// The activation names the source profile (AWSENV_PROFILE, the prompt's profile) and the
  /// role as the identity (`ROLE@ACCOUNT`); AWS_PROFILE is unset, since the credentials are no
  /// profile's and a tool that prefers AWS_PROFILE to the keys would get the source's. It
  /// carries no refresh time: the prompt's refresh knows only profiles, so the session is
  /// renewed by running the command again.
  public func activation(role: AdHocRole, options: ResolveOptions = ResolveOptions())
    throws(AwsenvError) -> Activation
  {
    guard AdHocRole.isRoleArn(role.roleArn) else { throw .invalidRoleArn(role.roleArn) }
    let source = role.sourceProfile
    var chain: ProfileChain
    if config.profile(source) == nil {
      // A profile that lives only in the keyring, as `use` accepts.
      guard try keyringKeys(source) != nil else {
        throw .unknownProfile(source, configPath: config.configPath)
      }
      chain = ProfileChain(base: .staticKeys(profile: source, fileKeys: nil))
    } else {
      do {
        chain = try config.resolveChain(profile: source, keyringFallback: true)
      } catch {
        throw .resolve(error)
      }
    }
    chain.roles.append(
      RoleStep(
        profile: role.cacheName, roleArn: role.roleArn, externalID: role.externalID,
        sessionName: role.sessionName))
    let resolved = try run(chain, named: role.cacheName, settingsOf: source, options: options)
    let region = ShellSession.region(
      flag: options.regionFlag, profileRegion: region(profile: source), baseline: baseline)
    var activation = Activation(
      profile: source, credentials: resolved.credentials, region: region,
      identity: resolved.identity)
    activation.awsProfile = nil
    activation.notes = resolved.notes
    activation.duration = resolved.duration
    return activation
  }
}
