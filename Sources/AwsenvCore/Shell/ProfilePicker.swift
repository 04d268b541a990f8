import Foundation

/// What the profile picker shows: the order of the profiles and what a query keeps. The
/// terminal side (raw mode, keys, drawing) lives in the executable; this part is pure, so it is
/// tested without a terminal.
public enum ProfilePicker {
  /// Recently used profiles first (most recent first, only those that still exist), then the
  /// others in the order of the config files.
  public static func order(names: [String], recent: [String]) -> [String] {
    let existing = Set(names)
    var seen = Set<String>()
    var ordered: [String] = []
    for name in recent where existing.contains(name) && seen.insert(name).inserted {
      ordered.append(name)
    }
    for name in names where seen.insert(name).inserted {
      ordered.append(name)
    }
    return ordered
  }

  /// The candidates that match `query`, case-insensitively: those containing it as a substring
  /// first (earlier matches first), then those containing its characters in order ("fuzzy":
  /// `pda` finds `prod-admin`), each group in the candidates' own order. An empty query keeps
  /// everything.
  public static func filter(_ candidates: [String], query: String) -> [String] {
    let needle = Array(query.lowercased())
    guard !needle.isEmpty else { return candidates }
    var substring: [(position: Int, index: Int)] = []
    var fuzzy: [Int] = []
    for (index, candidate) in candidates.enumerated() {
      let haystack = Array(candidate.lowercased())
      if let position = firstOccurrence(of: needle, in: haystack) {
        substring.append((position, index))
      } else if isSubsequence(needle, of: haystack) {
        fuzzy.append(index)
      }
    }
    substring.sort { ($0.position, $0.index) < ($1.position, $1.index) }
    return substring.map { candidates[$0.index] } + fuzzy.map { candidates[$0] }
  }

  private static func firstOccurrence(of needle: [Character], in haystack: [Character]) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    for start in 0...(haystack.count - needle.count)
    where haystack[start..<start + needle.count].elementsEqual(needle) {
      return start
    }
    return nil
  }

  private static func isSubsequence(_ needle: [Character], of haystack: [Character]) -> Bool {
    var wanted = needle.makeIterator()
    var next = wanted.next()
    for character in haystack where character == next {
      next = wanted.next()
      if next == nil { return true }
    }
    return next == nil
  }
}
