import CLibSecret
import CLibSecretShim
import Glibc
import Synchronization

/// The desktop keyring as a ``SecretStore``: a Secret Service collection reached through
/// libsecret on the D-Bus session bus.
///
/// Every call answers within `timeout` seconds or throws ``KeyringError/timedOut(seconds:)``: a
/// watchdog cancels it (a hung provider otherwise blocks libsecret for ~50 s). Two steps get
/// more: unlocking a locked collection, which may show the keyring's password prompt, gets
/// `unlockTimeout`; and a search or delete over many items restarts the deadline with each reply,
/// so it only fails when the provider stops answering. Only `lookup`, `store` and `delete`
/// unlock, once per call; `search` and `status` never do.
///
/// Items are scoped to the configured collection. libsecret's `secret_password_*` calls search
/// every collection and unlock on their own (a prompt under the short deadline), so this type
/// uses the collection's D-Bus methods for searching and deleting, and libsecret for what needs
/// its encrypted session (reading and storing secrets) and its prompts (unlocking).
///
/// `@unchecked Sendable`: the only non-Sendable state is the `SecretSchema`, which is built in
/// `init`, never changed, and only read by libsecret; the cached collection path is in a Mutex.
public final class LibSecretStore: SecretStore, @unchecked Sendable {
  /// The schema name stored as `xdg:schema` on every item.
  public static let schemaName = "org.awsenv.Credential"
  /// Every attribute awsenv stores; the schema declares them all as strings.
  public static let attributeNames = [
    "application", "profile", "kind", "expires", "cache-key", "sso-session", "version", "source",
    "identity", "path", "created", "renewable",
  ]

  /// The configured collection: an alias ("default", "login", "session") or an object path.
  public let collection: String
  /// Seconds any call may wait on the provider.
  public let timeout: Double
  /// Seconds the unlock step may wait (on a desktop, for the user to type the password).
  public let unlockTimeout: Double

  private let schema: UnsafeMutablePointer<SecretSchema>
  private let resolvedPath = Mutex<String?>(nil)

  private static let busName = "org.freedesktop.secrets"
  private static let aliasPrefix = "/org/freedesktop/secrets/aliases/"
  private static let collectionInterface = "org.freedesktop.Secret.Collection"
  private static let itemInterface = "org.freedesktop.Secret.Item"
  private static let propertiesInterface = "org.freedesktop.DBus.Properties"
  /// How many D-Bus calls a batch keeps in flight: enough to hide the round trips, and well
  /// under dbus-daemon's pending-reply limit (128 on a bus without session.conf's limits).
  private static let window = 16

  /// A store in `collection` whose calls wait at most `timeout` seconds on the provider.
  ///
  /// - Parameters:
  ///   - collection: an alias or an object path; nil means the default collection (alias
  ///     "default", the login keyring).
  ///   - timeout: seconds any call may wait on the provider.
  ///   - unlockTimeout: seconds the unlock prompt may wait; nil reads AWSENV_UNLOCK_TIMEOUT,
  ///     else 120.
  public init(collection: String? = nil, timeout: Double = 2.0, unlockTimeout: Double? = nil) {
    self.collection = collection ?? "default"
    self.timeout = timeout
    self.unlockTimeout =
      unlockTimeout ?? getenv("AWSENV_UNLOCK_TIMEOUT").flatMap { Double(String(cString: $0)) }
      ?? 120
    let names = g_hash_table_new_full({ g_str_hash($0) }, { g_str_equal($0, $1) }, g_free, nil)
    for name in Self.attributeNames {
      // The value is the attribute's type; SECRET_SCHEMA_ATTRIBUTE_STRING is 0, a NULL pointer.
      g_hash_table_insert(names, g_strdup(name), nil)
    }
    schema = secret_schema_newv(Self.schemaName, SECRET_SCHEMA_NONE, names)
    g_hash_table_unref(names)
  }

  deinit {
    secret_schema_unref(schema)
  }

  /// Starts connecting to the Secret Service and opening its encrypted session (a DH key
  /// exchange, ~3.5 ms, mostly computation on both ends) on a thread of its own, for a command
  /// that will read a secret soon: the exchange then overlaps the work before the first keyring
  /// call (reading the config files) instead of following it. Errors are left for the calls
  /// themselves to find. Main thread only; pair with ``settle()`` before the process exits.
  public static func prefetch(timeout: Double) {
    awsenv_secret_prefetch(Call.milliseconds(timeout))
  }

  /// Waits for a ``prefetch(timeout:)`` still running, so that the process never exits while
  /// libgcrypt works on the other thread. Main thread only.
  public static func settle() {
    _ = awsenv_secret_prefetch_wait()
  }

  // MARK: SecretStore

  public func store(label: String, attributes: [String: String], secret: String)
    throws(KeyringError)
  {
    try validate(attributes)
    try withCall { call throws(KeyringError) in
      let bus = try self.bus(call)
      defer { g_object_unref(UnsafeMutableRawPointer(bus)) }
      let path = try collectionPath(bus, call)
      // Unlock first: libsecret's store would otherwise prompt under the short deadline.
      if try isLocked(bus, path, call) {
        try unlock(bus, path, call)
      }
      let service = try secretService(call)
      defer { g_object_unref(service) }
      var secret = secret
      let value = secret.withUTF8 { bytes in
        bytes.withMemoryRebound(to: CChar.self) { chars in
          // An empty secret still needs a valid pointer.
          chars.isEmpty
            ? secret_value_new("", 0, "text/plain")
            : secret_value_new(chars.baseAddress, chars.count, "text/plain")
        }
      }
      defer { secret_value_unref(UnsafeMutableRawPointer(value)) }
      let table = hashTable(attributes)
      defer { g_hash_table_unref(table) }
      var error: UnsafeMutablePointer<GError>?
      // libsecret replaces the item whose attributes equal these exactly (CreateItem, replace).
      if secret_service_store_sync(
        service.assumingMemoryBound(to: SecretService.self), schema, table, path, label,
        value, call.cancellable, &error) == 0
      {
        throw keyringError(error, call, noObject: .noCollection(collection))
      }
    }
  }

  public func lookup(_ attributes: [String: String]) throws(KeyringError) -> String? {
    try validate(attributes)
    return try withCall { call throws(KeyringError) -> String? in
      let bus = try self.bus(call)
      defer { g_object_unref(UnsafeMutableRawPointer(bus)) }
      let (path, read) = try readSecretAnywhere(attributes, bus, call)
      switch read {
      case .found(let secret): return secret
      case .none:
        // A locked gnome-keyring collection loaded from disk matches nothing (its attributes
        // are hashed until unlocked), so a miss in a locked collection is not an answer.
        guard try isLocked(bus, path, call) else { return nil }
      case .locked:
        break
      }
      try unlock(bus, try collectionPath(bus, call), call)
      switch try readSecret(attributes, in: path, bus, call) {
      case .found(let secret): return secret
      case .none: return nil
      case .locked: throw .locked(collection)
      }
    }
  }

  public func search(_ attributes: [String: String]) throws(KeyringError) -> [[String: String]] {
    try search(attributes, keeping: Self.attributeNames)
  }

  public func search(_ attributes: [String: String], keeping: [String]) throws(KeyringError)
    -> [[String: String]]
  {
    try validate(attributes)
    return try withCall { call throws(KeyringError) -> [[String: String]] in
      let bus = try self.bus(call)
      defer { g_object_unref(UnsafeMutableRawPointer(bus)) }
      let path = try collectionPath(bus, call)
      let items = try searchItems(bus, path, attributes, call)
      if items.isEmpty {
        // See lookup: an empty answer from a locked collection may hide items.
        if try isLocked(bus, path, call) { throw .locked(collection) }
        return []
      }
      return try readAttributes(bus, items, keeping: keeping, call).compactMap { $0 }
    }
  }

  /// One SearchItems: cheap even for thousands of items (~12 ms for 5,000 in gnome-keyring),
  /// where reading their attributes is not (one Properties.Get each, ~2 s for 5,000).
  ///
  /// The generation is the collection's path and creation time with the provider's process
  /// (boot, pid, start time): gnome-keyring numbers new items from a watermark that only grows
  /// while it runs, but starts again from the highest path it loads, so after a restart a new
  /// item can take the path of one deleted before (measured: delete .../login/3, restart, store:
  /// the new item is .../login/3); and a collection deleted and created again starts at 1. Nil
  /// when the provider's process cannot be told (e.g. in another PID namespace).
  public func itemPaths(_ attributes: [String: String]) throws(KeyringError) -> ItemPaths? {
    try validate(attributes)
    return try withCall { call throws(KeyringError) -> ItemPaths? in
      let bus = try self.bus(call)
      defer { g_object_unref(UnsafeMutableRawPointer(bus)) }
      let path = try collectionPath(bus, call)
      let items = try searchItems(bus, path, attributes, call)
      // See lookup: an empty answer from a locked collection may hide items.
      if items.isEmpty, try isLocked(bus, path, call) { throw .locked(collection) }
      guard let run = providerRun(bus, call),
        let created = try? property(bus, path, Self.collectionInterface, "Created", call)
      else { return nil }
      defer { g_variant_unref(created) }
      let generation = "\(path) \(g_variant_get_uint64(created)) \(run)"
      return ItemPaths(generation: generation, paths: items)
    }
  }

  public func attributes(ofItems paths: [String], keeping: [String]) throws(KeyringError)
    -> [String: [String: String]]
  {
    guard !paths.isEmpty else { return [:] }
    return try withCall { call throws(KeyringError) -> [String: [String: String]] in
      let bus = try self.bus(call)
      defer { g_object_unref(UnsafeMutableRawPointer(bus)) }
      var found: [String: [String: String]] = [:]
      for (path, attributes) in zip(paths, try readAttributes(bus, paths, keeping: keeping, call)) {
        if let attributes { found[path] = attributes }
      }
      return found
    }
  }

  @discardableResult
  public func delete(_ attributes: [String: String]) throws(KeyringError) -> Int {
    try validate(attributes)
    return try withCall { call throws(KeyringError) -> Int in
      let bus = try self.bus(call)
      defer { g_object_unref(UnsafeMutableRawPointer(bus)) }
      let path = try collectionPath(bus, call)
      // Locked items cannot be deleted, and a locked collection loaded from disk matches
      // nothing: unlock first.
      if try isLocked(bus, path, call) {
        try unlock(bus, path, call)
      }
      let items = try searchItems(bus, path, attributes, call)
      var deleted = 0
      var prompts: [String] = []
      let batch = callEach(
        bus, items, Self.itemInterface, "Delete", arguments: { GV.tuple([]) }, replyType: "(o)",
        call
      ) { _, reply in
        let prompt = GV.readString(GV.child(reply, 0))
        if prompt == "/" { deleted += 1 } else { prompts.append(prompt) }
      }
      defer { batch.free() }
      for index in items.indices where !batch.answered[index] {
        if let failure = itemError(batch.takeError(index), call) { throw failure }
      }
      if !prompts.isEmpty {
        // gnome-keyring never asks; a provider that wants a confirmation per item (KeePassXC
        // can) is told no, and the user deletes those items in its window.
        for prompt in prompts {
          _ = try? dbusCall(
            bus, prompt, "org.freedesktop.Secret.Prompt", "Dismiss", GV.tuple([]), "()", call,
            noObject: .noCollection(""))
        }
        throw .failed(
          "the keyring asked to confirm deleting \(prompts.count) item(s) (\(deleted) deleted); "
            + "delete the rest in your keyring app")
      }
      return deleted
    }
  }

  /// Connects to the provider, resolves the configured collection and reports whether it is
  /// locked; unlocks nothing.
  public func status() throws(KeyringError) -> KeyringStatus {
    try withCall { call throws(KeyringError) -> KeyringStatus in
      let bus = try self.bus(call)
      defer { g_object_unref(UnsafeMutableRawPointer(bus)) }
      let path = try collectionPath(bus, call)
      let label = GV.readString(try property(bus, path, Self.collectionInterface, "Label", call))
      let locked = try isLocked(bus, path, call)
      return KeyringStatus(
        collection: label.isEmpty ? path : label, locked: locked, provider: provider(bus, call))
    }
  }

  // MARK: Steps

  private enum Read {
    case found(String)
    case none
    case locked
  }

  /// The secret of the first matching item in the collection at `path`; never unlocks.
  ///
  /// The collection's own SearchItems, then the service's GetSecrets for that one path through
  /// libsecret's encrypted session: no proxy per item (libsecret's search would make one, at
  /// three round trips and a property load each).
  private func readSecret(
    _ attributes: [String: String], in path: String, _ bus: OpaquePointer, _ call: Call
  ) throws(KeyringError) -> Read {
    guard let item = try searchItems(bus, path, attributes, call).first else { return .none }
    let service = try secretService(call)
    defer { g_object_unref(service) }
    var error: UnsafeMutablePointer<GError>?
    let value = secret_service_get_secret_for_dbus_path_sync(
      service.assumingMemoryBound(to: SecretService.self), item, call.cancellable, &error)
    if let error {
      switch awsenv_error_kind(error) {
      case AWSENV_ERROR_LOCKED:
        g_error_free(error)
        return .locked
      case AWSENV_ERROR_NO_OBJECT:
        // Deleted since the search.
        g_error_free(error)
        return .none
      default:
        throw keyringError(error, call, noObject: .noCollection(collection))
      }
    }
    // gnome-keyring leaves a locked item out of GetSecrets' answer without an error: the
    // caller asks whether the collection is locked.
    guard let value else { return .none }
    // SecretValue keeps the secret in libsecret's non-pageable memory and wipes it when the
    // last reference goes.
    defer { secret_value_unref(UnsafeMutableRawPointer(value)) }
    var length = 0
    let bytes = secret_value_get(value, &length)
    return .found(
      String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self))
  }

  /// Where to search the collection without a round trip: its resolved path once known, the
  /// configured path, or for an alias the Secret Service's alias object
  /// (`/org/freedesktop/secrets/aliases/NAME`), which saves ReadAlias. Nil: resolve the alias.
  private var knownPath: String? {
    if let path = resolvedPath.withLock({ $0 }) { return path }
    if collection.hasPrefix("/") { return collection }
    let valid =
      !collection.isEmpty
      && collection.utf8.allSatisfy { byte in
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
          || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
          || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
      }
    return valid ? Self.aliasPrefix + collection : nil
  }

  /// `readSecret` at the known path; where that is an alias object the provider does not serve
  /// (the spec has them, not every provider does), at the resolved alias instead.
  private func readSecretAnywhere(
    _ attributes: [String: String], _ bus: OpaquePointer, _ call: Call
  ) throws(KeyringError) -> (path: String, read: Read) {
    if let path = knownPath {
      do {
        return (path, try readSecret(attributes, in: path, bus, call))
      } catch {
        guard case .noCollection = error, path.hasPrefix(Self.aliasPrefix) else { throw error }
      }
    }
    let path = try collectionPath(bus, call)
    return (path, try readSecret(attributes, in: path, bus, call))
  }

  /// Unlocks the collection once, under the unlock deadline; `.locked` when it stays locked.
  private func unlock(_ bus: OpaquePointer, _ path: String, _ call: Call) throws(KeyringError) {
    call.rearm(unlockTimeout)
    defer { call.rearm(timeout) }
    let service = try secretService(call)
    defer { g_object_unref(service) }
    var error: UnsafeMutablePointer<GError>?
    // secret_service_unlock_sync only needs the object path of each proxy: a bare proxy, with no
    // properties loaded, costs no round trip.
    let flags = GDBusProxyFlags(
      G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES.rawValue
        | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS.rawValue)
    guard
      let proxy = g_dbus_proxy_new_sync(
        bus, flags, nil, Self.busName, path, Self.collectionInterface, call.cancellable, &error)
    else {
      throw keyringError(error, call, noObject: .noCollection(collection))
    }
    defer { g_object_unref(UnsafeMutableRawPointer(proxy)) }
    let objects = g_list_append(nil, UnsafeMutableRawPointer(proxy))
    defer { g_list_free(objects) }
    // Shows the provider's prompt on a desktop; fails at once where no prompter can run.
    let count = secret_service_unlock_sync(
      service.assumingMemoryBound(to: SecretService.self), objects, call.cancellable, nil, &error)
    if let error { throw keyringError(error, call, noObject: .noCollection(collection)) }
    if count < 1 { throw .locked(collection) }
  }

  /// The attributes (those in `keeping`) of the items at `paths`, pipelined; nil for an item
  /// deleted since it was found.
  private func readAttributes(
    _ bus: OpaquePointer, _ paths: [String], keeping: [String], _ call: Call
  ) throws(KeyringError) -> [[String: String]?] {
    // Each reply becomes its attributes as it arrives, and is freed: GDBus's parsed replies
    // of 5,000 items would otherwise hold ~10 MB until the last one came.
    var found: [[String: String]?] = Array(repeating: nil, count: paths.count)
    let batch = callEach(
      bus, paths, Self.propertiesInterface, "Get",
      arguments: { GV.tuple([GV.string(Self.itemInterface), GV.string("Attributes")]) },
      replyType: "(v)", call
    ) { index, reply in
      found[index] = GV.readDictionary(GV.unbox(reply), keeping: keeping)
    }
    defer { batch.free() }
    for index in paths.indices where !batch.answered[index] {
      if let failure = itemError(batch.takeError(index), call) { throw failure }
    }
    return found
  }

  /// Which run of which process serves the Secret Service: the boot, its pid and its start
  /// time (/proc/PID/stat field 22); nil when /proc does not say.
  private func providerRun(_ bus: OpaquePointer, _ call: Call) -> String? {
    guard
      let reply = try? dbusCall(
        bus, "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetConnectionUnixProcessID",
        GV.tuple([GV.string(Self.busName)]), "(u)", call, noObject: .noProvider(""),
        destination: "org.freedesktop.DBus")
    else { return nil }
    defer { g_variant_unref(reply) }
    let pidValue = GV.child(reply, 0)
    defer { g_variant_unref(pidValue) }
    let pid = g_variant_get_uint32(pidValue)
    guard let stat = Self.readSmallFile("/proc/\(pid)/stat"),
      let boot = Self.readSmallFile("/proc/sys/kernel/random/boot_id"),
      let paren = stat.lastIndex(of: UInt8(ascii: ")"))
    else { return nil }
    // After the command name (which may hold spaces): state is field 3, start time field 22.
    let fields = stat[(paren + 1)...].split(separator: UInt8(ascii: " "))
    guard fields.count > 19 else { return nil }
    let start = String(decoding: fields[19], as: UTF8.self)
    let bootID = String(decoding: boot.filter { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    return "\(bootID) \(pid) \(start)"
  }

  private static func readSmallFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    return count > 0 ? Array(buffer[..<count]) : nil
  }

  /// The object paths of the collection's items that match `attributes`.
  private func searchItems(
    _ bus: OpaquePointer, _ path: String, _ attributes: [String: String], _ call: Call
  ) throws(KeyringError) -> [String] {
    var query = attributes
    query["xdg:schema"] = Self.schemaName
    let reply = try dbusCall(
      bus, path, Self.collectionInterface, "SearchItems", GV.tuple([GV.dictionary(query)]),
      "(ao)", call, noObject: .noCollection(collection))
    defer { g_variant_unref(reply) }
    return GV.readStrings(GV.child(reply, 0))
  }

  private func isLocked(_ bus: OpaquePointer, _ path: String, _ call: Call) throws(KeyringError)
    -> Bool
  {
    GV.readBool(try property(bus, path, Self.collectionInterface, "Locked", call))
  }

  /// A property read straight from the provider: libsecret's proxies cache properties and miss
  /// the change signals between calls, so their Locked can be stale.
  private func property(
    _ bus: OpaquePointer, _ path: String, _ interface: String, _ name: String, _ call: Call
  ) throws(KeyringError) -> OpaquePointer {
    let reply = try dbusCall(
      bus, path, Self.propertiesInterface, "Get",
      GV.tuple([GV.string(interface), GV.string(name)]),
      "(v)", call, noObject: .noCollection(collection))
    defer { g_variant_unref(reply) }
    return GV.unbox(reply)
  }

  /// The collection's object path: the configured path, or what its alias points to.
  private func collectionPath(_ bus: OpaquePointer, _ call: Call) throws(KeyringError) -> String {
    if let path = resolvedPath.withLock({ $0 }) { return path }
    var path = collection
    if !collection.hasPrefix("/") {
      let reply = try dbusCall(
        bus, "/org/freedesktop/secrets", "org.freedesktop.Secret.Service", "ReadAlias",
        GV.tuple([GV.string(collection)]), "(o)", call, noObject: .noCollection(collection))
      defer { g_variant_unref(reply) }
      path = GV.readString(GV.child(reply, 0))
      // "/" is the Secret Service's way of saying the alias points nowhere.
      if path == "/" { throw .noCollection(collection) }
    }
    resolvedPath.withLock { $0 = path }
    return path
  }

  /// The shared session-bus connection (libsecret uses the same one).
  private func bus(_ call: Call) throws(KeyringError) -> OpaquePointer {
    // Without an address GLib falls back to $XDG_RUNTIME_DIR/bus, then to X11 autolaunch,
    // which can start a stray bus: report "no bus" before that.
    let address = getenv("DBUS_SESSION_BUS_ADDRESS").map { String(cString: $0) } ?? ""
    if address.isEmpty {
      let runtime = getenv("XDG_RUNTIME_DIR").map { String(cString: $0) } ?? ""
      if runtime.isEmpty || access(runtime + "/bus", F_OK) != 0 {
        throw .noSessionBus(
          "DBUS_SESSION_BUS_ADDRESS is not set and there is no $XDG_RUNTIME_DIR/bus")
      }
    }
    var error: UnsafeMutablePointer<GError>?
    guard let bus = g_bus_get_sync(G_BUS_TYPE_SESSION, call.cancellable, &error) else {
      // Any failure to connect, but the watchdog's, means there is no usable bus.
      switch keyringError(error, call, noObject: .noSessionBus("no bus")) {
      case .timedOut(let seconds): throw .timedOut(seconds: seconds)
      case .failed(let detail), .noProvider(let detail), .noSessionBus(let detail),
        .noCollection(let detail), .locked(let detail):
        throw .noSessionBus(detail)
      }
    }
    // GLib's shared connection raises SIGTERM when the bus goes away; a CLI wants an error.
    g_dbus_connection_set_exit_on_close(bus, 0)
    return bus
  }

  /// libsecret's shared SecretService (as a raw pointer, for g_object_unref).
  private func secretService(_ call: Call) throws(KeyringError) -> UnsafeMutableRawPointer {
    // A prefetch still running is opening this shared service; GDBus calls (the search) may
    // run beside it, libsecret's service not. When the prefetch's deadline passed, the provider
    // is not answering, and asking again would only double the wait.
    if awsenv_secret_prefetch_wait() { throw .timedOut(seconds: call.seconds) }
    var error: UnsafeMutablePointer<GError>?
    // No session yet: libsecret opens its encrypted session when a secret first moves.
    guard let service = secret_service_get_sync(SECRET_SERVICE_NONE, call.cancellable, &error)
    else {
      throw keyringError(error, call, noObject: .noProvider("no Secret Service object"))
    }
    return UnsafeMutableRawPointer(service)
  }

  /// The executable that owns org.freedesktop.secrets, from /proc; nil when it cannot be told.
  private func provider(_ bus: OpaquePointer, _ call: Call) -> String? {
    guard
      let reply = try? dbusCall(
        bus, "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetConnectionUnixProcessID",
        GV.tuple([GV.string(Self.busName)]), "(u)", call, noObject: .noProvider(""),
        destination: "org.freedesktop.DBus")
    else { return nil }
    defer { g_variant_unref(reply) }
    let pidValue = GV.child(reply, 0)
    defer { g_variant_unref(pidValue) }
    let pid = g_variant_get_uint32(pidValue)
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink("/proc/\(pid)/exe", &buffer, buffer.count - 1)
    guard length > 0 else { return nil }
    let target = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    // A daemon whose binary was upgraded under it shows " (deleted)".
    let path = target.hasSuffix(" (deleted)") ? String(target.dropLast(10)) : target
    return path.split(separator: "/").last.map(String.init)
  }

  // MARK: D-Bus plumbing

  /// One method call; the reply is owned by the caller (g_variant_unref).
  private func dbusCall(
    _ bus: OpaquePointer, _ path: String, _ interface: String, _ method: String,
    _ arguments: OpaquePointer?, _ replyType: String, _ call: Call, noObject: KeyringError,
    destination: String = LibSecretStore.busName
  ) throws(KeyringError) -> OpaquePointer {
    let type = g_variant_type_new(replyType)
    defer { g_variant_type_free(type) }
    var error: UnsafeMutablePointer<GError>?
    guard
      let reply = g_dbus_connection_call_sync(
        bus, destination, path, interface, method, arguments, type,
        G_DBUS_CALL_FLAGS_NONE, call.milliseconds, call.cancellable, &error)
    else {
      throw keyringError(error, call, noObject: noObject)
    }
    return reply
  }

  /// One method call per object path, at most ``window`` in flight at a time; `consume` gets
  /// each reply (on this thread) as it arrives, which is freed after. The batch keeps the errors.
  private func callEach(
    _ bus: OpaquePointer, _ paths: [String], _ interface: String, _ method: String,
    arguments: () -> OpaquePointer?, replyType: String, _ call: Call,
    consume: @escaping (Int, OpaquePointer) -> Void
  ) -> Batch {
    let batch = Batch(count: paths.count, consume: consume)
    guard !paths.isEmpty else { return batch }
    // Replies are dispatched on a context of our own, iterated only here.
    let context = g_main_context_new()
    g_main_context_push_thread_default(context)
    defer {
      g_main_context_pop_thread_default(context)
      g_main_context_unref(context)
    }
    let type = g_variant_type_new(replyType)
    defer { g_variant_type_free(type) }
    var next = 0
    while next < paths.count || batch.pending > 0 {
      while next < paths.count && batch.pending < Self.window {
        let slot = Unmanaged.passRetained(Slot(batch: batch, index: next)).toOpaque()
        g_dbus_connection_call(
          bus, Self.busName, paths[next], interface, method, arguments(), type,
          G_DBUS_CALL_FLAGS_NONE, call.milliseconds, call.cancellable,
          { source, result, data in
            let slot = Unmanaged<Slot>.fromOpaque(data!).takeRetainedValue()
            var error: UnsafeMutablePointer<GError>?
            if let reply = g_dbus_connection_call_finish(OpaquePointer(source), result, &error) {
              slot.batch.answered[slot.index] = true
              slot.batch.consume(slot.index, reply)
              g_variant_unref(reply)
            }
            slot.batch.errors[slot.index] = error
            slot.batch.pending -= 1
            slot.batch.completed += 1
          }, slot)
        batch.pending += 1
        next += 1
      }
      let completed = batch.completed
      g_main_context_iteration(context, 1)
      // The deadline bounds each wait on the provider, not the whole listing: thousands of
      // items may take longer than `timeout` while replies keep coming.
      if batch.completed != completed { call.rearm(call.seconds) }
    }
    return batch
  }

  /// What a failed call on one item means; nil when the item is gone (deleted since the
  /// search), which a listing or a deletion simply skips.
  private func itemError(_ error: UnsafeMutablePointer<GError>?, _ call: Call) -> KeyringError? {
    guard let error else { return nil }
    if awsenv_error_kind(error) == AWSENV_ERROR_NO_OBJECT {
      g_error_free(error)
      return nil
    }
    return keyringError(error, call, noObject: .failed("the item disappeared"))
  }

  private func keyringError(
    _ error: UnsafeMutablePointer<GError>?, _ call: Call, noObject: KeyringError
  ) -> KeyringError {
    guard let error else { return .failed("libsecret failed without saying why") }
    defer { g_error_free(error) }
    let kind = awsenv_error_kind(error)
    let message = String(cString: error.pointee.message)
    switch kind {
    case AWSENV_ERROR_CANCELLED, AWSENV_ERROR_TIMED_OUT: return .timedOut(seconds: call.seconds)
    case AWSENV_ERROR_NO_BUS: return .noSessionBus(message)
    case AWSENV_ERROR_NO_PROVIDER: return .noProvider(message)
    case AWSENV_ERROR_NO_OBJECT: return noObject
    case AWSENV_ERROR_LOCKED: return .locked(collection)
    default: return .failed(message)
    }
  }

  private func withCall<T>(_ body: (Call) throws(KeyringError) -> T) throws(KeyringError) -> T {
    let call = try Call(seconds: timeout)
    let result: Result<T, KeyringError>
    do throws(KeyringError) {
      result = .success(try body(call))
    } catch {
      result = .failure(error)
    }
    // A watchdog that fired turns whatever the cancelled call reported into a timeout; a call
    // that finished just as it fired keeps its result.
    if call.finish(), case .failure = result {
      throw .timedOut(seconds: call.seconds)
    }
    return try result.get()
  }

  /// Attributes outside the schema would make libsecret print a warning and fail with no error.
  private func validate(_ attributes: [String: String]) throws(KeyringError) {
    for key in attributes.keys where !Self.attributeNames.contains(key) {
      throw .failed("'\(key)' is not an attribute of awsenv's keyring items")
    }
  }

  private func hashTable(_ attributes: [String: String]) -> OpaquePointer {
    let table = g_hash_table_new_full({ g_str_hash($0) }, { g_str_equal($0, $1) }, g_free, g_free)
    for (key, value) in attributes {
      g_hash_table_insert(table, g_strdup(key), g_strdup(value))
    }
    return table!
  }
}

/// One call's cancellable and the watchdog that cancels it at the deadline.
private final class Call {
  let cancellable: UnsafeMutablePointer<GCancellable>
  private let watchdog: OpaquePointer
  /// The deadline in force, for the error message.
  private(set) var seconds: Double

  init(seconds: Double) throws(KeyringError) {
    cancellable = g_cancellable_new()
    self.seconds = seconds
    guard let watchdog = awsenv_watchdog_start(cancellable, Call.milliseconds(seconds)) else {
      g_object_unref(UnsafeMutableRawPointer(cancellable))
      throw .failed("cannot start a thread to watch the keyring call")
    }
    self.watchdog = watchdog
  }

  /// The deadline in milliseconds, for GDBus's own per-call timeout.
  var milliseconds: Int32 { Int32(clamping: Call.milliseconds(seconds)) }

  /// Moves the deadline to `seconds` from now.
  func rearm(_ seconds: Double) {
    self.seconds = seconds
    awsenv_watchdog_rearm(watchdog, Call.milliseconds(seconds))
  }

  /// Stops the watchdog; true when it fired.
  func finish() -> Bool {
    let fired = awsenv_watchdog_stop(watchdog)
    g_object_unref(UnsafeMutableRawPointer(cancellable))
    return fired
  }

  static func milliseconds(_ seconds: Double) -> UInt32 {
    guard seconds.isFinite, seconds > 0 else { return seconds > 0 ? UInt32.max : 1 }
    return UInt32(clamping: Int64(min((seconds * 1000).rounded(.up), 4e9)))
  }
}

/// Which calls of a pipelined set were answered, and the errors of the others (owned here until
/// taken).
private final class Batch {
  let consume: (Int, OpaquePointer) -> Void
  var answered: [Bool]
  var errors: [UnsafeMutablePointer<GError>?]
  var pending = 0
  var completed = 0

  init(count: Int, consume: @escaping (Int, OpaquePointer) -> Void) {
    self.consume = consume
    answered = Array(repeating: false, count: count)
    errors = Array(repeating: nil, count: count)
  }

  /// The error at `index`; the caller frees it.
  func takeError(_ index: Int) -> UnsafeMutablePointer<GError>? {
    defer { errors[index] = nil }
    return errors[index]
  }

  func free() {
    for error in errors { if let error { g_error_free(error) } }
    errors = []
  }
}

/// The batch and index one in-flight call reports to.
private final class Slot {
  let batch: Batch
  let index: Int

  init(batch: Batch, index: Int) {
    self.batch = batch
    self.index = index
  }
}

/// GVariant in and out. Constructors return floating references that the call consumes;
/// readers take ownership of the value they are given and unref it.
private enum GV {
  static func string(_ text: String) -> OpaquePointer { g_variant_new_string(text) }

  static func tuple(_ children: [OpaquePointer?]) -> OpaquePointer {
    g_variant_new_tuple(children, gsize(children.count))
  }

  static func dictionary(_ dictionary: [String: String]) -> OpaquePointer {
    let entries: [OpaquePointer?] = dictionary.map {
      g_variant_new_dict_entry(g_variant_new_string($0.key), g_variant_new_string($0.value))
    }
    let type = g_variant_type_new("{ss}")
    defer { g_variant_type_free(type) }
    return g_variant_new_array(type, entries, gsize(entries.count))
  }

  /// Child `index` of a container; owned by the caller.
  static func child(_ value: OpaquePointer, _ index: Int) -> OpaquePointer {
    g_variant_get_child_value(value, gsize(index))
  }

  /// The value inside the `v` that is child 0 of `reply` (a `(v)` reply); owned by the caller.
  static func unbox(_ reply: OpaquePointer) -> OpaquePointer {
    let boxed = child(reply, 0)
    defer { g_variant_unref(boxed) }
    return g_variant_get_variant(boxed)
  }

  static func readString(_ value: OpaquePointer) -> String {
    defer { g_variant_unref(value) }
    return String(cString: g_variant_get_string(value, nil))
  }

  static func readBool(_ value: OpaquePointer) -> Bool {
    defer { g_variant_unref(value) }
    return g_variant_get_boolean(value) != 0
  }

  static func readStrings(_ value: OpaquePointer) -> [String] {
    defer { g_variant_unref(value) }
    return (0..<Int(g_variant_n_children(value))).map { readString(child(value, $0)) }
  }

  /// The `a{ss}` in `value`, only the entries whose key is in `keys`.
  static func readDictionary(_ value: OpaquePointer, keeping keys: [String]) -> [String: String] {
    defer { g_variant_unref(value) }
    var result: [String: String] = [:]
    for index in 0..<Int(g_variant_n_children(value)) {
      let entry = child(value, index)
      let key = readString(child(entry, 0))
      if keys.contains(key) { result[key] = readString(child(entry, 1)) }
      g_variant_unref(entry)
    }
    return result
  }
}
