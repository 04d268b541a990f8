/// A shell awsenv can drive: the hook defines a function in it, and `use`/`clear` print code in
/// its syntax for that function to evaluate.
public enum Shell: String, CaseIterable, Sendable {
  case bash, zsh, fish

  /// The longest value awsenv sets, in bytes. Linux caps each `NAME=value` string handed to a
  /// new process at 128 KiB (MAX_ARG_STRLEN): one exported variable past that makes every later
  /// command of the shell fail with "Argument list too long". The saved state counts too, since
  /// the hook hands it to the binary as AWSENV_SAVED. 128 bytes are left for the name.
  public static let maxValueBytes = 128 * 1024 - 128

  /// Renders `changes` as one script; every value goes through this shell's escaper. A value
  /// no shell variable can hold (a NUL byte) or no environment can carry (over
  /// ``maxValueBytes``) is refused, so the shell is never left half-switched or unable to run
  /// commands.
  public func render(_ changes: [ShellChange]) throws(ShellError) -> String {
    var script = ""
    for change in changes {
      guard isValidVariableName(change.name) else { throw .invalidVariableName(change.name) }
      if let value = change.value {
        guard !value.utf8.contains(0) else { throw .nulInValue(change.name) }
        guard value.utf8.count <= Self.maxValueBytes else {
          throw .valueTooLong(change.name, bytes: value.utf8.count)
        }
      }
      script += line(for: change)
      script += "\n"
    }
    return script
  }

  /// `value` as one word this shell reads back byte for byte.
  public func quote(_ value: String) -> String {
    switch self {
    case .bash, .zsh: return bashQuote(value)
    case .fish: return fishQuote(value)
    }
  }

  private func line(for change: ShellChange) -> String {
    switch (self, change) {
    case (.bash, .export(let name, let value)), (.zsh, .export(let name, let value)):
      return "export \(name)=\(quote(value))"
    case (.bash, .unset(let name)), (.zsh, .unset(let name)):
      return "unset \(name)"
    case (.bash, .shellVariable(let name, let value)):
      return "\(name)=\(quote(value))"
    case (.zsh, .shellVariable(let name, let value)):
      // typeset -g: a plain assignment inside the hook function warns under WARN_CREATE_GLOBAL.
      return "typeset -g \(name)=\(quote(value))"
    case (.fish, .export(let name, let value)):
      return "set -gx \(name) \(quote(value))"
    case (.fish, .unset(let name)):
      // `set -e` of a missing variable fails; the guard keeps the script's status clean.
      return "set -q \(name); and set -e -g \(name)"
    case (.fish, .shellVariable(let name, let value)):
      return "set -g \(name) \(quote(value))"
    }
  }
}

/// Whether `name` is a portable shell variable name.
public func isValidVariableName(_ name: String) -> Bool {
  var bytes = name.utf8.makeIterator()
  guard let first = bytes.next(), isNameStart(first) else { return false }
  while let byte = bytes.next() {
    guard isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) else { return false }
  }
  return true
}

private func isNameStart(_ byte: UInt8) -> Bool {
  (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
}

/// Bytes that need no quoting in any of the three shells.
private func isPlain(_ byte: UInt8) -> Bool {
  switch byte {
  case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
  case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"),
    UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "+"),
    UInt8(ascii: ","), UInt8(ascii: "="):
    return true
  default: return false
  }
}

private let hexDigits = Array("0123456789abcdef".utf8)

/// bash and zsh: ANSI-C quoting, `$'…'`. Printable ASCII stays readable, `'` and `\` get a
/// backslash, and every other byte becomes `\xHH`, so control characters and any UTF-8 come back
/// exactly and nothing inside is ever expanded.
func bashQuote(_ value: String) -> String {
  if value.isEmpty { return "''" }
  if value.utf8.allSatisfy(isPlain), !hasZshEqualsExpansion(value) { return value }
  var out: [UInt8] = Array("$'".utf8)
  out.reserveCapacity(value.utf8.count + 8)
  for byte in value.utf8 {
    switch byte {
    case UInt8(ascii: "'"), UInt8(ascii: "\\"):
      out.append(UInt8(ascii: "\\"))
      out.append(byte)
    case 0x20...0x7E:
      out.append(byte)
    default:
      out += [
        UInt8(ascii: "\\"), UInt8(ascii: "x"), hexDigits[Int(byte >> 4)],
        hexDigits[Int(byte & 0xF)],
      ]
    }
  }
  out.append(UInt8(ascii: "'"))
  return String(decoding: out, as: UTF8.self)
}

/// Whether zsh would expand a plain `value` in an assignment: `=cmd` at its start or after a
/// `:` becomes the path of `cmd` (EQUALS, on by default), so `export X==ls` sets /usr/bin/ls
/// and `X==nope` fails with "nope not found". Such values are quoted; bash would not expand
/// them, but the two shells share the escaper.
private func hasZshEqualsExpansion(_ value: String) -> Bool {
  var previous = UInt8(ascii: ":")
  for byte in value.utf8 {
    if byte == UInt8(ascii: "="), previous == UInt8(ascii: ":") { return true }
    previous = byte
  }
  return false
}

/// fish: single quotes, where only `\'` and `\\` are escapes; control characters go between
/// quoted runs as `\xHH`, which fish reads outside quotes. Text (including UTF-8) stays inside
/// the quotes as it is.
func fishQuote(_ value: String) -> String {
  if value.isEmpty { return "''" }
  // fish (3.6 too) expands the word `%self` to its process id: a leading `%` is quoted.
  if value.utf8.allSatisfy(isPlain), value.utf8.first != UInt8(ascii: "%") { return value }
  var out = ""
  var open = false
  for scalar in value.unicodeScalars {
    if scalar.value < 0x20 || scalar.value == 0x7F {
      if open {
        out += "'"
        open = false
      }
      let byte = UInt8(scalar.value)
      out +=
        "\\x"
        + String(decoding: [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]], as: UTF8.self)
      continue
    }
    if !open {
      out += "'"
      open = true
    }
    if scalar == "'" || scalar == "\\" { out += "\\" }
    out.unicodeScalars.append(scalar)
  }
  if open { out += "'" }
  return out
}
