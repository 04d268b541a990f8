import Foundation

/// 9999-12-31T23:59:59Z: the last second an RFC 3339 timestamp (and the keyring's `expires`
/// attribute) can show.
let maxUnixSeconds = 253_402_300_799

/// `date` as RFC 3339 in UTC with a `Z`, as AWS writes expiries (2026-11-24T06:10:52Z).
public func rfc3339(_ date: Date) -> String {
  var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
  var parts = tm()
  gmtime_r(&seconds, &parts)
  func pad(_ value: Int32, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
  }
  return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
    + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
}

/// Parses RFC 3339 timestamps as AWS and the SDKs write them (`2026-11-24T06:10:52Z`, with
/// optional fractional seconds, a lowercase `t`/`z`, or a numeric offset). By hand, not with
/// ISO8601DateFormatter: that loads ICU, which costs a cached `use` 2 ms and 7 MB.
public func parseRFC3339(_ text: String) -> Date? {
  let bytes = Array(text.utf8)
  var index = 0
  func number(_ digits: Int) -> Int? {
    guard index + digits <= bytes.count else { return nil }
    var value = 0
    for byte in bytes[index..<index + digits] {
      guard (0x30...0x39).contains(byte) else { return nil }
      value = value * 10 + Int(byte - 0x30)
    }
    index += digits
    return value
  }
  func expect(_ characters: String) -> Bool {
    guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
    index += 1
    return true
  }
  guard let year = number(4), expect("-"), let month = number(2), expect("-"),
    let day = number(2), expect("Tt "), let hour = number(2), expect(":"),
    let minute = number(2), expect(":"), let second = number(2),
    (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
  else { return nil }
  var fraction = 0.0
  if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
    index += 1
    var scale = 0.1
    let start = index
    while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
      fraction += Double(bytes[index] - 0x30) * scale
      scale /= 10
      index += 1
    }
    guard index > start else { return nil }
  }
  var offset = 0
  if expect("Zz") {
  } else if index < bytes.count,
    bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
  {
    let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
    index += 1
    guard let hours = number(2), expect(":"), let minutes = number(2), hours < 24, minutes < 60
    else { return nil }
    offset = sign * (hours * 3600 + minutes * 60)
  } else {
    return nil
  }
  guard index == bytes.count else { return nil }
  var parts = tm()
  parts.tm_year = Int32(year - 1900)
  parts.tm_mon = Int32(month - 1)
  parts.tm_mday = Int32(day)
  parts.tm_hour = Int32(hour)
  parts.tm_min = Int32(minute)
  parts.tm_sec = Int32(second)
  let seconds = timegm(&parts)
  // timegm normalises 31 February into March: refuse dates that do not exist.
  guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
  return Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
}
