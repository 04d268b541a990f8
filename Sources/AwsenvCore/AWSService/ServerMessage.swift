/// Whether a server's error code looks like one (`AccessDenied`, `ExpiredTokenException`,
/// `com.amazon.coral#Throttling`): at most 128 letters, digits and `._:#/-`. Anything else is
/// not an error document awsenv can read, and is never repeated to the user.
func isErrorCode(_ code: String) -> Bool {
  !code.isEmpty && code.utf8.count <= 128
    && code.utf8.allSatisfy { byte in
      switch byte {
      case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: ":"), UInt8(ascii: "#"), UInt8(ascii: "/"), UInt8(ascii: "-"):
        return true
      default: return false
      }
    }
}

/// A server message made safe for one line: no control characters (see
/// ``isTerminalControl(_:)``), at most 300 characters.
func sanitizeServerMessage(_ text: String) -> String {
  var out = ""
  for scalar in text.unicodeScalars {
    if out.unicodeScalars.count >= 300 {
      out += "…"
      break
    }
    out.unicodeScalars.append(isTerminalControl(scalar) ? " " : scalar)
  }
  return out
}

/// Whether `scalar` must not reach a terminal as a server sent it, in any locale: C0 controls
/// and DEL, C1 controls (U+0080–U+009F: U+009B is CSI on xterm, U+009D starts an OSC), and the
/// bidirectional controls that make a terminal show text in another order than it is
/// (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069).
public func isTerminalControl(_ scalar: Unicode.Scalar) -> Bool {
  switch scalar.value {
  case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
    return true
  default:
    return false
  }
}

/// Text from a server (an ARN, a name, a URL) as it may be printed: every character for which
/// ``isTerminalControl(_:)`` holds replaced by `?`. The one sanitiser for server-sourced
/// strings on their way to a terminal.
public func printableServerText(_ text: String) -> String {
  var out = String.UnicodeScalarView()
  for scalar in text.unicodeScalars {
    out.append(isTerminalControl(scalar) ? "?" : scalar)
  }
  return String(out)
}

/// Server text quoted for a message: `"…"` around ``printableServerText(_:)`` of its first 64
/// characters (`…` marks a cut), so that a value a server should not have sent can be named
/// without letting it take over the line.
func quotedServerText(_ text: String) -> String {
  let head = String(String.UnicodeScalarView(text.unicodeScalars.prefix(64)))
  return "\"" + printableServerText(head)
    + (head.unicodeScalars.count < text.unicodeScalars.count ? "…" : "")
    + "\""
}

/// Whether `arn` has the shape of an IAM or STS ARN as the services send it: `arn:`, then
/// ASCII letters, digits and IAM's name characters `+=,.@_-` with `:` and `/` as separators, at
/// most 2048 characters. Nothing a terminal or shell would read as a command fits.
func isPlausibleARN(_ arn: String) -> Bool {
  arn.hasPrefix("arn:") && arn.utf8.count <= 2048 && isIAMText(arn, extra: ":/")
}

/// Whether `text` is non-empty and only ASCII letters, digits, IAM's `+=,.@_-` and `extra`.
func isIAMText(_ text: String, extra: String) -> Bool {
  let allowed = Array("+=,.@_-".utf8) + Array(extra.utf8)
  return !text.isEmpty
    && text.utf8.allSatisfy { byte in
      switch byte {
      case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
      default: return allowed.contains(byte)
      }
    }
}
