import ArgumentParser
import AwsenvCore
import Foundation

extension Awsenv {
  /// The picker alone: prints the chosen name. Hidden; `awsenv use` without a profile is the way
  /// users meet the picker, and this lets scripts and tests reach it without switching.
  struct Pick: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "pick",
      abstract: "Choose a profile on the terminal and print its name.")

    func run() throws {
      writeOut(try profileFromPicker(Runtime()) + "\n")
    }
  }
}

/// The profile `awsenv use` switches to when it was given none: chosen in the picker, recently
/// used profiles first. Throws a usage error without a terminal, and `ExitCode(130)` when the
/// user cancels (Esc, Ctrl-C), so the hook evaluates nothing and the shell stays as it was.
func profileFromPicker(_ runtime: Runtime) throws -> String {
  let names = try runtime.config().profileNames
  let recent = RecentProfiles(environment: runtime.environment)?.load() ?? []
  guard let name = try pickProfile(names: names, recent: recent) else { throw ExitCode(130) }
  return name
}

/// After a successful `use`: puts the profile first in the picker's list. A failure to write
/// the list never fails the switch.
func rememberProfile(_ profile: String, environment: [String: String]) {
  try? RecentProfiles(environment: environment)?.record(profile)
}

/// Lets the user choose one of `names` on the terminal: type to filter (substring, then fuzzy),
/// Up/Down (or Ctrl-P/Ctrl-N, Tab/Shift-Tab) to move, Enter to choose, Esc or Ctrl-C to cancel
/// (nil). Reads and draws on /dev/tty, never on stdout (the hook captures stdout), in raw mode;
/// the terminal settings are restored on every way out, a signal included.
func pickProfile(names: [String], recent: [String]) throws -> String? {
  let usage = ValidationError(
    "missing the profile: `awsenv use PROFILE`, or run it on a terminal to choose one")
  guard isatty(0) == 1 else { throw usage }
  let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
  guard fd >= 0 else { throw usage }
  defer { close(fd) }
  guard !names.isEmpty else {
    throw Failure(
      "there are no profiles to choose from: ~/.aws/config and ~/.aws/credentials define none "
        + "(`awsenv add NAME` stores keys for a new one)")
  }
  let terminal = try RawTerminal(fd: fd)
  defer { terminal.restore() }
  var picker = PickerScreen(candidates: ProfilePicker.order(names: names, recent: recent))
  while true {
    terminal.write(picker.render(size: terminal.size()))
    switch terminal.readKey() {
    case .text(let text): picker.type(text)
    case .backspace: picker.deleteCharacter()
    case .clearQuery: picker.query = ""
    case .deleteWord: picker.deleteWord()
    case .up: picker.move(by: -1)
    case .down: picker.move(by: 1)
    case .enter:
      if let chosen = picker.selection { return chosen }
    case .cancel: return nil
    case .endOfInput: if picker.query.isEmpty { return nil }
    case .other: break
    }
  }
}

/// What the picker shows, and how keys change it.
struct PickerScreen {
  let candidates: [String]
  private(set) var matches: [String]
  private(set) var selected = 0
  private var offset = 0
  var query = "" {
    didSet {
      matches = ProfilePicker.filter(candidates, query: query)
      selected = 0
      offset = 0
    }
  }

  init(candidates: [String]) {
    self.candidates = candidates
    self.matches = candidates
  }

  var selection: String? { matches.isEmpty ? nil : matches[selected] }

  mutating func type(_ text: String) { query += text }

  mutating func deleteCharacter() {
    if !query.isEmpty { query.removeLast() }
  }

  mutating func deleteWord() {
    var text = query
    while text.last == " " { text.removeLast() }
    while let last = text.last, last != " " { text.removeLast() }
    query = text
  }

  mutating func move(by step: Int) {
    guard !matches.isEmpty else { return }
    selected = (selected + step + matches.count) % matches.count
  }

  /// One frame: the list below the prompt line, then the prompt line itself, so the cursor ends
  /// after the query. Relative moves only, so a terminal that scrolled keeps the frame intact.
  mutating func render(size: (rows: Int, columns: Int)) -> String {
    let height = max(1, min(10, size.rows - 1))
    if selected < offset { offset = selected }
    if selected >= offset + height { offset = selected - height + 1 }
    let width = max(size.columns - 3, 8)
    var out = "\r\u{1B}[J"
    var lines = 0
    for index in offset..<min(offset + height, matches.count) {
      let name = String(PromptSegment.printable(matches[index]).prefix(width))
      out +=
        index == selected ? "\r\n\u{1B}[7m> \(name)\u{1B}[27m" : "\r\n  \(name)"
      lines += 1
    }
    if matches.isEmpty {
      out += "\r\n  (no profile matches)"
      lines += 1
    }
    out += "\u{1B}[\(lines)A\r"
    let count = "\(matches.count)/\(candidates.count)"
    out += "profile (\(count))> " + PromptSegment.printable(query)
    return out
  }
}

/// A key as the picker understands it.
enum PickerKey: Equatable {
  case text(String), backspace, clearQuery, deleteWord, up, down, enter, cancel, endOfInput, other
}

// The signal handler restores the terminal from these: it can call only async-signal-safe
// functions, so everything it needs is set up before it is installed.
nonisolated(unsafe) private var rawTerminalFD: Int32 = -1
nonisolated(unsafe) private var rawTerminalSaved = termios()
nonisolated(unsafe) private var rawTerminalErase: UnsafeMutablePointer<CChar>? = nil
private let restoredSignals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

/// The terminal in raw mode (no echo, no line editing, no signals from keys, no autowrap) for
/// as long as the picker runs.
final class RawTerminal {
  let fd: Int32
  private var saved = termios()
  private var previousHandlers: [Int32: sighandler_t?] = [:]
  private var restored = false

  init(fd: Int32) throws {
    self.fd = fd
    guard tcgetattr(fd, &saved) == 0 else {
      throw Failure("cannot use the terminal: \(String(cString: strerror(errno)))")
    }
    rawTerminalSaved = saved
    rawTerminalFD = fd
    // Erase the frame, turn autowrap back on.
    rawTerminalErase = strdup("\r\u{1B}[J\u{1B}[?7h")
    for signal in restoredSignals {
      previousHandlers[signal] = Glibc.signal(signal, restoreTerminalAndDie)
    }
    var raw = saved
    raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INLCR | IGNCR | ISTRIP | IXON)
    raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
    withUnsafeMutableBytes(of: &raw.c_cc) { bytes in
      bytes[Int(VMIN)] = 1
      bytes[Int(VTIME)] = 0
    }
    guard tcsetattr(fd, TCSANOW, &raw) == 0 else {
      let reason = String(cString: strerror(errno))
      restore()
      throw Failure("cannot use the terminal: \(reason)")
    }
    write("\u{1B}[?7l")
  }

  deinit { restore() }

  /// Erases the picker and gives the terminal its settings back. Safe to call twice.
  func restore() {
    if restored { return }
    restored = true
    write("\r\u{1B}[J\u{1B}[?7h")
    tcsetattr(fd, TCSANOW, &saved)
    for (signal, handler) in previousHandlers { Glibc.signal(signal, handler) }
    rawTerminalFD = -1
    free(rawTerminalErase)
    rawTerminalErase = nil
  }

  func size() -> (rows: Int, columns: Int) {
    var window = winsize()
    guard ioctl(fd, UInt(TIOCGWINSZ), &window) == 0, window.ws_row > 0, window.ws_col > 0 else {
      return (24, 80)
    }
    return (Int(window.ws_row), Int(window.ws_col))
  }

  func write(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let count = bytes.withUnsafeMutableBytes {
        Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset)
      }
      if count < 0 && errno == EINTR { continue }
      if count <= 0 { return }
      offset += count
    }
  }

  /// The next byte, or nil at the end of input (the terminal went away).
  private func readByte(timeout milliseconds: Int32? = nil) -> UInt8? {
    if let milliseconds {
      var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&poller, 1, milliseconds) > 0 else { return nil }
    }
    var byte: UInt8 = 0
    while true {
      let count = Glibc.read(fd, &byte, 1)
      if count == 1 { return byte }
      if count < 0 && errno == EINTR { continue }
      return nil
    }
  }

  func readKey() -> PickerKey {
    guard let byte = readByte() else { return .cancel }
    switch byte {
    case 0x0D, 0x0A: return .enter
    case 0x03, 0x07: return .cancel  // Ctrl-C, Ctrl-G
    case 0x04: return .endOfInput  // Ctrl-D
    case 0x7F, 0x08: return .backspace
    case 0x15: return .clearQuery  // Ctrl-U
    case 0x17: return .deleteWord  // Ctrl-W
    case 0x10: return .up  // Ctrl-P
    case 0x0E, 0x09: return .down  // Ctrl-N, Tab
    case 0x1B: return readEscape()
    case 0x00..<0x20: return .other
    default: return .text(readCharacter(startingWith: byte))
    }
  }

  /// Esc [ or Esc O starts a key sequence (arrows, Shift-Tab); Esc alone cancels, and so does
  /// Esc followed by anything else (a key typed right after Esc, not an Alt combination).
  private func readEscape() -> PickerKey {
    guard let introducer = readByte(timeout: 50),
      introducer == UInt8(ascii: "[") || introducer == UInt8(ascii: "O")
    else { return .cancel }
    var final: UInt8 = 0
    // Parameters and intermediates (0x20-0x3F) until the final byte (0x40-0x7E).
    while let next = readByte(timeout: 50) {
      final = next
      if (0x40...0x7E).contains(next) { break }
    }
    switch final {
    case UInt8(ascii: "A"): return .up
    case UInt8(ascii: "B"): return .down
    case UInt8(ascii: "Z"): return .up  // Shift-Tab
    default: return .other
    }
  }

  /// A typed character: the rest of a UTF-8 sequence arrives with its first byte.
  private func readCharacter(startingWith first: UInt8) -> String {
    var bytes = [first]
    let expected =
      first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1
    while bytes.count < expected, let next = readByte(timeout: 50) { bytes.append(next) }
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// For SIGINT, SIGTERM, SIGHUP and SIGQUIT while the picker runs: the terminal gets its settings
/// back, then the signal does what it would have done.
private func restoreTerminalAndDie(_ signal: Int32) {
  if rawTerminalFD >= 0 {
    if let erase = rawTerminalErase { _ = Glibc.write(rawTerminalFD, erase, strlen(erase)) }
    tcsetattr(rawTerminalFD, TCSANOW, &rawTerminalSaved)
  }
  Glibc.signal(signal, SIG_DFL)
  raise(signal)
}
