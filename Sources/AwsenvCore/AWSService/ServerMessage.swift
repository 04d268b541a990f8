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

/// A server message made safe for one line: no control characters, at most 300 characters.
func sanitizeServerMessage(_ text: String) -> String {
  var out = ""
  for scalar in text.unicodeScalars {
    if out.unicodeScalars.count >= 300 {
      out += "…"
      break
    }
    out.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar)
  }
  return out
}
