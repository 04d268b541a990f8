/// One account and role a user can sign in to through an IAM Identity Center session.
public struct SSOAssignment: Sendable, Equatable, Hashable {
  /// Twelve digits.
  public var accountID: String
  /// The account's display name; only used to name the profile.
  public var accountName: String
  /// The permission set name, as `sso_role_name` wants it.
  public var roleName: String

  public init(accountID: String, accountName: String, roleName: String) {
    self.accountID = accountID
    self.accountName = accountName
    self.roleName = roleName
  }
}

/// The new config file and what changed in the session's block.
///
/// The name lists are in block order (`removed` in the old block's order, `skipped` in the
/// sorted order of the assignments).
public struct SSOSyncResult: Sendable, Equatable {
  /// The whole new config file.
  public var text: String
  /// Profile names that were not in the block before.
  public var added: [String]
  /// Profile names that were in the block and are not any more: pruned, or (with or without
  /// prune) a name that is now also defined outside the block, or a section that no longer
  /// names an account and a role.
  public var removed: [String]
  /// Profile names that were in the block before and still are.
  public var unchanged: [String]
  /// For each assignment already served by a profile outside the block: that profile's name.
  public var skipped: [String]
  /// Whether `text` differs from the input, byte for byte.
  public var changed: Bool

  public init(
    text: String, added: [String] = [], removed: [String] = [], unchanged: [String] = [],
    skipped: [String] = [], changed: Bool
  ) {
    self.text = text
    self.added = added
    self.removed = removed
    self.unchanged = unchanged
    self.skipped = skipped
    self.changed = changed
  }
}

/// Why the block could not be written; nothing is written then.
public enum SSOSyncError: Error, Equatable, Sendable {
  /// The sso-session name cannot appear in a section header or a marker line.
  case invalidSession(String)
  /// The name template uses a `{placeholder}` awsenv does not know (the text includes braces).
  case unknownPlaceholder(String)
  /// The name template has a `{` without its `}`.
  case unclosedPlaceholder(template: String)
  /// The name template leaves nothing of a profile name once it is sanitised.
  case emptyName(template: String, accountID: String, roleName: String)
  /// A region that is not lowercase letters, digits and `-`.
  case invalidRegion(String)
  /// An account ID that is not twelve digits.
  case invalidAccountID(String)
  /// A role name IAM does not allow (outside `[A-Za-z0-9+=,.@_-]{1,64}`).
  case invalidRoleName(String)
  /// The begin marker on `line` has no end marker after it.
  case unterminatedBlock(session: String, line: Int)
  /// The end marker on `line` has no begin marker before it.
  case unopenedBlock(session: String, line: Int)
  /// A second begin or end marker for the session, on `line`.
  case duplicateBlock(session: String, line: Int)
  /// `line` names the session's marker but is not exactly the marker.
  case malformedMarker(session: String, line: Int)
  /// The session's block and the block of the session `other` overlap; `line` is the other
  /// block's marker.
  case nestedBlock(session: String, other: String, line: Int)
  /// The config file does not parse; the error's path is empty, its line is the file's.
  case config(ConfigError)

  /// One sentence: what is wrong and what to do.
  public var message: String {
    switch self {
    case .invalidSession(let name):
      return "the sso-session name \(name.debugDescription) cannot be written to the config "
        + "file; use letters, digits and - / . % @ _ : +"
    case .unknownPlaceholder(let placeholder):
      return "the name template uses the unknown placeholder \(placeholder.debugDescription); "
        + "use {account_name}, {account_id}, {role_name} or {session}"
    case .unclosedPlaceholder(let template):
      return "the name template \(template.debugDescription) opens a placeholder with '{' but "
        + "never closes it; add the '}'"
    case .emptyName(let template, let accountID, let roleName):
      return "the name template \(template.debugDescription) gives an empty profile name for "
        + "account \(accountID) and role \(roleName); include {account_name} or {account_id} "
        + "and {role_name}"
    case .invalidRegion(let region):
      return "\(region.debugDescription) is not an AWS region; give one such as eu-west-1"
    case .invalidAccountID(let id):
      return "IAM Identity Center returned the account ID \(quotedServerText(id)), which is "
        + "not twelve digits; nothing was written, try again later"
    case .invalidRoleName(let role):
      return "IAM Identity Center returned the role name \(quotedServerText(role)), which is "
        + "not an IAM role name; nothing was written, try again later"
    case .unterminatedBlock(let session, let line):
      return "the awsenv block for sso-session \(session) that begins on line \(line) has no "
        + "end marker; add `\(SSOSyncBlock.endMarker(session))` after its last profile, or delete the block"
    case .unopenedBlock(let session, let line):
      return "line \(line) ends an awsenv block for sso-session \(session) that never began; "
        + "add `\(SSOSyncBlock.beginMarker(session))` above its first profile, or delete the marker"
    case .duplicateBlock(let session, let line):
      return "line \(line) starts or ends a second awsenv block for sso-session \(session); "
        + "delete all but one of the blocks"
    case .malformedMarker(let session, let line):
      return "line \(line) looks like a marker of the awsenv block for sso-session \(session) "
        + "but is not exactly `\(SSOSyncBlock.beginMarker(session))` or `\(SSOSyncBlock.endMarker(session))`; restore it "
        + "or delete the block"
    case .nestedBlock(let session, let other, let line):
      return "the awsenv block for sso-session \(session) overlaps the block for sso-session "
        + "\(other) (line \(line)); move one block out of the other"
    case .config(let error):
      return "line \(error.line) of the config file: \(error.message)"
    }
  }
}

/// The block of ~/.aws/config that `awsenv sso sync` owns for one sso-session: one profile per
/// account and role, between two marker lines.
///
/// Only the block changes; every byte outside it is kept, so that the user's own profiles,
/// comments and line endings survive. Profile names stay stable from one sync to the next: a
/// profile already in the block keeps its name, whatever the template or a new clash would
/// give now, because scripts and shells refer to it by name.
public enum SSOSyncBlock {
  public static let defaultTemplate = "{account_name}-{role_name}"

  /// The config file `text` with the block for `session` written, in place if it exists, else
  /// appended after a blank line.
  ///
  /// Profiles are sorted by account name (case-insensitively), account ID and role name; the
  /// ones no longer assigned follow, in their old order, unless `prune` drops them. An
  /// assignment that a profile outside the block serves already (same `sso_session`,
  /// `sso_account_id` and `sso_role_name`) gets no profile. With `region` nil, a profile keeps
  /// the region it had in the block, and a new one gets none.
  public static func render(
    config text: String, session: String, assignments: [SSOAssignment],
    template: String = defaultTemplate, region: String? = nil, prune: Bool = false
  ) throws(SSOSyncError) -> SSOSyncResult {
    guard isValidIdentifier(session.utf8) else { throw .invalidSession(session) }
    let pieces = try parseTemplate(template)
    if let region, !EndpointResolver.isValidRegion(region) { throw .invalidRegion(region) }
    let wanted = try sortedAssignments(assignments)
    // Every name is computed up front, so that a bad template fails whatever the file holds.
    var candidates: [String] = []
    for assignment in wanted {
      let name = profileName(pieces, assignment, session: session)
      guard !name.isEmpty else {
        throw .emptyName(
          template: template, accountID: assignment.accountID, roleName: assignment.roleName)
      }
      candidates.append(name)
    }

    let bytes = Array(text.utf8)
    let lines = splitLines(bytes)
    let block = try locateBlock(session: session, bytes: bytes, lines: lines)
    let outside = try parseOutside(bytes: bytes, lines: lines, block: block)
    var old = OldBlock()
    if let block { old = try parseBlock(bytes: bytes, lines: lines, block: block) }

    // `default` is never generated: `[profile default]` would change the default profile.
    var taken = Set(outside.profiles.names)
    taken.insert("default")
    var servedBy: [AssignmentKey: String] = [:]
    for name in outside.profiles.names {
      let section = outside.profiles.sections[name]!
      guard section["sso_session"] == session, let account = section["sso_account_id"],
        let role = section["sso_role_name"]
      else { continue }
      let key = AssignmentKey(accountID: account, roleName: role)
      if servedBy[key] == nil { servedBy[key] = name }
    }
    var oldIndexByKey: [AssignmentKey: Int] = [:]
    for (index, profile) in old.profiles.enumerated() where oldIndexByKey[profile.key] == nil {
      oldIndexByKey[profile.key] = index
    }

    var entries: [BlockProfile] = []
    var unnamed: [(entry: Int, candidate: String, accountID: String)] = []
    var reused = Set<Int>()
    var skipped: [String] = []
    for (assignment, candidate) in zip(wanted, candidates) {
      let key = AssignmentKey(accountID: assignment.accountID, roleName: assignment.roleName)
      if let name = servedBy[key] {
        skipped.append(name)
        continue
      }
      // A block name that is now also defined outside would merge two profiles into one.
      if let index = oldIndexByKey[key], !taken.contains(old.profiles[index].name) {
        reused.insert(index)
        var profile = old.profiles[index]
        profile.region = region ?? profile.region
        entries.append(profile)
        continue
      }
      unnamed.append((entries.count, candidate, assignment.accountID))
      entries.append(
        BlockProfile(
          name: "", accountID: assignment.accountID, roleName: assignment.roleName, region: region)
      )
    }
    for (index, profile) in old.profiles.enumerated() where !reused.contains(index) {
      if prune || taken.contains(profile.name) { continue }
      entries.append(profile)
    }
    // Names that leave the block stay reserved for this run, so that a name never moves to
    // another account within one sync.
    var reserved = taken.union(old.names)
    for entry in entries where !entry.name.isEmpty { reserved.insert(entry.name) }
    for (entry, candidate, accountID) in unnamed {
      var name = candidate
      if reserved.contains(name) {
        let base = candidate + "-" + accountID
        name = base
        var counter = 2
        while reserved.contains(name) {
          name = base + "-" + String(counter)
          counter += 1
        }
      }
      reserved.insert(name)
      entries[entry].name = name
    }

    let oldNames = Set(old.names)
    let newNames = Set(entries.map(\.name))
    let added = entries.map(\.name).filter { !oldNames.contains($0) }
    let unchanged = entries.map(\.name).filter { oldNames.contains($0) }
    let removed = old.names.filter { !newNames.contains($0) }

    var output: [UInt8]
    if let block {
      output = Array(bytes[..<lines[block.lowerBound].start])
      output += renderBlock(session: session, profiles: entries).utf8
      // The end marker's line ending belongs to the text after it.
      output += bytes[lines[block.upperBound].contentEnd...]
    } else if entries.isEmpty {
      // No block yet and nothing to put in one: the file stays as it is.
      output = bytes
    } else {
      output = bytes
      if !output.isEmpty {
        if output.last != UInt8(ascii: "\n") { output.append(UInt8(ascii: "\n")) }
        let last = lines[lines.count - 1]
        if !trimmed(bytes[last.start..<last.contentEnd]).isEmpty {
          output.append(UInt8(ascii: "\n"))
        }
      }
      output += renderBlock(session: session, profiles: entries).utf8
      output.append(UInt8(ascii: "\n"))
    }
    return SSOSyncResult(
      text: String(decoding: output, as: UTF8.self), added: added, removed: removed,
      unchanged: unchanged, skipped: skipped, changed: output != bytes)
  }

  /// The line that opens the block for `session`.
  public static func beginMarker(_ session: String) -> String {
    "# >>> awsenv sso sync: \(session) >>>"
  }

  /// The line that closes the block for `session`.
  public static func endMarker(_ session: String) -> String {
    "# <<< awsenv sso sync: \(session) <<<"
  }
}

// MARK: - Names

private enum TemplatePiece {
  case literal(String)
  case accountName, accountID, roleName, session
}

private func parseTemplate(_ template: String) throws(SSOSyncError) -> [TemplatePiece] {
  var pieces: [TemplatePiece] = []
  var rest = Substring(template)
  while let open = rest.firstIndex(of: "{") {
    if open > rest.startIndex { pieces.append(.literal(String(rest[..<open]))) }
    guard let close = rest[open...].firstIndex(of: "}") else {
      throw .unclosedPlaceholder(template: template)
    }
    switch rest[rest.index(after: open)..<close] {
    case "account_name": pieces.append(.accountName)
    case "account_id": pieces.append(.accountID)
    case "role_name": pieces.append(.roleName)
    case "session": pieces.append(.session)
    default: throw .unknownPlaceholder(String(rest[open...close]))
    }
    rest = rest[rest.index(after: close)...]
  }
  if !rest.isEmpty { pieces.append(.literal(String(rest))) }
  return pieces
}

/// The template filled in and sanitised. An account name with nothing usable in it counts as
/// empty, and the account ID stands in for it.
private func profileName(
  _ pieces: [TemplatePiece], _ assignment: SSOAssignment, session: String
) -> String {
  var raw = ""
  for piece in pieces {
    switch piece {
    case .literal(let text): raw += text
    case .accountName:
      raw +=
        sanitized(assignment.accountName).isEmpty
        ? assignment.accountID : assignment.accountName
    case .accountID: raw += assignment.accountID
    case .roleName: raw += assignment.roleName
    case .session: raw += session
    }
  }
  return sanitized(raw)
}

/// `raw` with every character outside `A-Za-z0-9._-` turned into `-`, runs of `-` collapsed,
/// and `-` and `.` trimmed from both ends.
private func sanitized(_ raw: String) -> String {
  let dash = UInt8(ascii: "-")
  var bytes: [UInt8] = []
  for scalar in raw.unicodeScalars {
    let byte = isNameScalar(scalar) ? UInt8(scalar.value) : dash
    if byte == dash, bytes.last == dash { continue }
    bytes.append(byte)
  }
  let isTrimmed = { (byte: UInt8) in byte == dash || byte == UInt8(ascii: ".") }
  guard let first = bytes.firstIndex(where: { !isTrimmed($0) }) else { return "" }
  let last = bytes.lastIndex(where: { !isTrimmed($0) })!
  return String(decoding: bytes[first...last], as: UTF8.self)
}

private func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
  switch scalar {
  case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": return true
  default: return false
  }
}

// MARK: - Assignments

private struct AssignmentKey: Hashable {
  var accountID: String
  var roleName: String
}

/// Checked, deduplicated (by account and role) and in block order.
private func sortedAssignments(
  _ assignments: [SSOAssignment]
) throws(SSOSyncError) -> [SSOAssignment] {
  for assignment in assignments {
    guard isAccountID(assignment.accountID) else {
      throw .invalidAccountID(assignment.accountID)
    }
    guard isRoleName(assignment.roleName) else { throw .invalidRoleName(assignment.roleName) }
  }
  let sorted = assignments.map { ($0.accountName.lowercased(), $0) }.sorted { a, b in
    if a.0 != b.0 { return a.0 < b.0 }
    if a.1.accountID != b.1.accountID { return a.1.accountID < b.1.accountID }
    if a.1.roleName != b.1.roleName { return a.1.roleName < b.1.roleName }
    return a.1.accountName < b.1.accountName
  }
  var seen = Set<AssignmentKey>()
  return sorted.map(\.1).filter {
    seen.insert(AssignmentKey(accountID: $0.accountID, roleName: $0.roleName)).inserted
  }
}

private func isAccountID(_ text: String) -> Bool { SSOAccount.isAccountID(text) }

private func isRoleName(_ text: String) -> Bool { SSOAccount.isRoleName(text) }

// MARK: - The block

/// A profile as the block writes it.
private struct BlockProfile {
  var name: String
  var accountID: String
  var roleName: String
  var region: String?

  var key: AssignmentKey { AssignmentKey(accountID: accountID, roleName: roleName) }
}

/// What the existing block holds.
private struct OldBlock {
  /// Every profile section in the block, in order.
  var names: [String] = []
  /// The sections that still name an account and a role; the others cannot be written again.
  var profiles: [BlockProfile] = []
}

/// The block from its begin marker to its end marker, without a final line ending.
private func renderBlock(session: String, profiles: [BlockProfile]) -> String {
  var text = SSOSyncBlock.beginMarker(session) + "\n"
  text += "# Generated by `awsenv sso sync --sso-session \(session)`: "
  text += "edits inside this block are replaced.\n"
  for (index, profile) in profiles.enumerated() {
    if index > 0 { text += "\n" }
    text += "[profile \(profile.name)]\n"
    text += "sso_session = \(session)\n"
    text += "sso_account_id = \(profile.accountID)\n"
    text += "sso_role_name = \(profile.roleName)\n"
    if let region = profile.region { text += "region = \(region)\n" }
  }
  return text + SSOSyncBlock.endMarker(session)
}

/// One line of the file: `start..<contentEnd` is its text, `contentEnd..<end` its `\n` or
/// `\r\n` (empty on a last line without one).
private struct Line {
  var start: Int
  var contentEnd: Int
  var end: Int
}

/// Lines split at `\n`, as ConfigParser splits them, so that line numbers agree.
private func splitLines(_ bytes: [UInt8]) -> [Line] {
  var lines: [Line] = []
  var start = 0
  while start < bytes.count {
    var stop = start
    while stop < bytes.count, bytes[stop] != UInt8(ascii: "\n") { stop += 1 }
    let end = stop < bytes.count ? stop + 1 : stop
    if stop < bytes.count, stop > start, bytes[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
    lines.append(Line(start: start, contentEnd: stop, end: end))
    start = end
  }
  return lines
}

private func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
  let isSpace = { (byte: UInt8) in byte == 0x20 || (0x09...0x0D).contains(byte) }
  guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return [] }
  return bytes[first...bytes.lastIndex(where: { !isSpace($0) })!]
}

/// A marker line of any session's block.
private struct Marker {
  var session: String
  var isBegin: Bool
  /// 0-based.
  var line: Int
}

/// The block's first and last line (0-based, the marker lines), or nil when there is none.
private func locateBlock(
  session: String, bytes: [UInt8], lines: [Line]
) throws(SSOSyncError) -> ClosedRange<Int>? {
  let begin = Array(SSOSyncBlock.beginMarker(session).utf8)
  let end = Array(SSOSyncBlock.endMarker(session).utf8)
  var ours: [Marker] = []
  var others: [Marker] = []
  for (index, line) in lines.enumerated() {
    let content = trimmed(bytes[line.start..<line.contentEnd])
    if content.elementsEqual(begin) || content.elementsEqual(end) {
      ours.append(Marker(session: session, isBegin: content.elementsEqual(begin), line: index))
    } else if let marker = anyMarker(content, line: index) {
      others.append(marker)
    } else if mentionedSession(content) == session {
      throw .malformedMarker(session: session, line: index + 1)
    }
  }
  let begins = ours.filter(\.isBegin).map(\.line)
  let ends = ours.filter { !$0.isBegin }.map(\.line)
  if begins.isEmpty && ends.isEmpty { return nil }
  if begins.count > 1 || ends.count > 1 {
    let second = [begins.dropFirst().first, ends.dropFirst().first].compactMap { $0 }.min()!
    throw .duplicateBlock(session: session, line: second + 1)
  }
  guard let first = begins.first else { throw .unopenedBlock(session: session, line: ends[0] + 1) }
  guard let last = ends.first else { throw .unterminatedBlock(session: session, line: first + 1) }
  guard first < last else { throw .unopenedBlock(session: session, line: last + 1) }
  // Another session's marker inside ours, or ours inside another session's block: syncing
  // either session would then rewrite the other's profiles.
  for marker in others {
    if marker.line > first && marker.line < last {
      throw .nestedBlock(session: session, other: marker.session, line: marker.line + 1)
    }
    if marker.isBegin, marker.line < first,
      let close = others.first(where: {
        $0.session == marker.session && !$0.isBegin && $0.line > marker.line
      }), close.line > last
    {
      throw .nestedBlock(session: session, other: marker.session, line: marker.line + 1)
    }
  }
  return first...last
}

private let markerWords = Array("awsenv sso sync:".utf8)

/// `content` as a well-formed marker of some session's block.
private func anyMarker(_ content: ArraySlice<UInt8>, line: Int) -> Marker? {
  for isBegin in [true, false] {
    let head = Array((isBegin ? "# >>> " : "# <<< ").utf8) + markerWords + [UInt8(ascii: " ")]
    let tail = Array((isBegin ? " >>>" : " <<<").utf8)
    guard content.count > head.count + tail.count, content.starts(with: head),
      content.reversed().starts(with: tail.reversed())
    else { continue }
    let name = content.dropFirst(head.count).dropLast(tail.count)
    guard isValidIdentifier(name) else { continue }
    return Marker(session: String(decoding: name, as: UTF8.self), isBegin: isBegin, line: line)
  }
  return nil
}

/// The session a line names after `awsenv sso sync:`, if it does: a line that does but is no
/// marker is a marker someone edited.
private func mentionedSession(_ content: ArraySlice<UInt8>) -> String? {
  guard content.count >= markerWords.count else { return nil }
  var start = content.startIndex
  while start + markerWords.count <= content.endIndex {
    if content[start..<start + markerWords.count].elementsEqual(markerWords) {
      var index = start + markerWords.count
      while index < content.endIndex, content[index] == 0x20 || content[index] == 0x09 {
        index += 1
      }
      var stop = index
      while stop < content.endIndex, isValidIdentifier(CollectionOfOne(content[stop])) {
        stop += 1
      }
      return String(decoding: content[index..<stop], as: UTF8.self)
    }
    start += 1
  }
  return nil
}

/// Line numbers stay those of the file because masked lines become empty lines.
private func parseMasked(_ bytes: [UInt8]) throws(SSOSyncError) -> ParsedConfigFile {
  do {
    return try ConfigParser.parse(String(decoding: bytes, as: UTF8.self), path: "", kind: .config)
  } catch {
    throw .config(error)
  }
}

/// The file without the block. The block becomes a section the parser ignores, so that lines
/// after the end marker that would continue the block's last profile are dropped too.
private func parseOutside(
  bytes: [UInt8], lines: [Line], block: ClosedRange<Int>?
) throws(SSOSyncError) -> ParsedConfigFile {
  guard let block else { return try parseMasked(bytes) }
  var masked = Array(bytes[..<lines[block.lowerBound].start])
  masked += "[awsenv-sso-sync-block]\n".utf8
  masked += repeatElement(UInt8(ascii: "\n"), count: block.count - 1)
  masked += bytes[lines[block.upperBound].end...]
  return try parseMasked(masked)
}

private func parseBlock(
  bytes: [UInt8], lines: [Line], block: ClosedRange<Int>
) throws(SSOSyncError) -> OldBlock {
  var masked = [UInt8](repeating: UInt8(ascii: "\n"), count: block.lowerBound + 1)
  masked += bytes[lines[block.lowerBound + 1].start..<lines[block.upperBound].start]
  let file = try parseMasked(masked)
  var old = OldBlock(names: file.profiles.names)
  for name in file.profiles.names where name != "default" {
    let section = file.profiles.sections[name]!
    guard let account = section["sso_account_id"], isAccountID(account),
      let role = section["sso_role_name"], isRoleName(role)
    else { continue }
    let region = section["region"].flatMap { EndpointResolver.isValidRegion($0) ? $0 : nil }
    old.profiles.append(
      BlockProfile(name: name, accountID: account, roleName: role, region: region))
  }
  return old
}
