// The long-lived shells of fuzz-shell-escape: one bash, zsh and fish process each, fed one
// command line per input over a pipe.

import AwsenvCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A scratch directory with the shells' empty working directory (the canary) and their HOME.
final class Harness {
  let root: String
  let canary: String
  var shells: [ShellProcess] = []

  init() {
    signal(SIGPIPE, SIG_IGN)
    let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array("\(base)/awsenv-fuzz-shell.XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
      fail("mkdtemp: \(String(cString: strerror(errno)))")
    }
    root = String(cString: made)
    canary = root + "/cwd"
    for directory in [canary, root + "/home"] where mkdir(directory, 0o700) != 0 {
      fail("mkdir \(directory): \(String(cString: strerror(errno)))")
    }
    shells = Shell.allCases.map { ShellProcess($0, root: root, canary: canary) }
    // At the end of a run (not after a crash, whose files may help): the shells end when their
    // input closes, the directory goes.
    atexit { harness.map { removeTree($0.root) } }
  }

  /// Fails when anything appeared in the shells' working directory: the escaped values made a
  /// shell run something (`>file`, `touch file`).
  func checkCanary(_ script: @autoclosure () -> String) {
    guard let directory = opendir(canary) else { fail("opendir \(canary)") }
    defer { closedir(directory) }
    while let entry = readdir(directory) {
      let name = entryName(entry)
      if name != "." && name != ".." {
        fail("'\(name)' appeared in the shells' working directory; scripts:\n\(script())")
      }
    }
  }
}

/// One shell process, evaluating each line it reads (see `driverLine`).
final class ShellProcess {
  let shell: Shell
  let executable: String
  let initPath: String
  let codePath: String
  let canary: String
  let environment: [String]
  var pid: pid_t = 0
  var input: Int32 = -1
  var output: Int32 = -1
  var errors: Int32 = -1

  init(_ shell: Shell, root: String, canary: String) {
    self.shell = shell
    self.canary = canary
    guard let executable = findInPath(shell.rawValue) else {
      fail("\(shell.rawValue) is not on PATH; fuzz-shell-escape needs bash, zsh and fish")
    }
    self.executable = executable
    initPath = "\(root)/init.\(shell.rawValue)"
    codePath = "\(root)/code.\(shell.rawValue)"
    let home = root + "/home"
    environment = [
      "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=\(home)", "XDG_CONFIG_HOME=\(home)/.config",
      "XDG_DATA_HOME=\(home)/.local/share", "XDG_CACHE_HOME=\(home)/.cache",
      "XDG_RUNTIME_DIR=\(home)", "LC_ALL=C.UTF-8", "TERM=dumb",
    ]
    writeFile(initPath, Array(initScript(shell).utf8))
    start()
  }

  private func start() {
    var toShell: [Int32] = [-1, -1]
    var fromShell: [Int32] = [-1, -1]
    var errorPipe: [Int32] = [-1, -1]
    guard pipe(&toShell) == 0, pipe(&fromShell) == 0, pipe(&errorPipe) == 0 else {
      fail("pipe: \(String(cString: strerror(errno)))")
    }
    // Only the shell's own ends reach it, through the dup2s below.
    for fd in toShell + fromShell + errorPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, toShell[0], 0)
    posix_spawn_file_actions_adddup2(&actions, fromShell[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
    let flags: [String]
    switch shell {
    case .bash: flags = ["--norc", "--noprofile"]
    case .zsh: flags = ["-f"]
    case .fish: flags = ["--no-config"]
    }
    let arguments = [executable] + flags + [initPath, canary, codePath]
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup($0) } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard result == 0 else {
      fail("cannot start \(executable): \(String(cString: strerror(result)))")
    }
    close(toShell[0])
    close(fromShell[1])
    close(errorPipe[1])
    input = toShell[1]
    output = fromShell[0]
    errors = errorPipe[0]
    _ = fcntl(errors, F_SETFL, fcntl(errors, F_GETFL) | O_NONBLOCK)
  }

  /// Starts the shell again when it is gone (killed from outside between inputs); a shell that
  /// dies while evaluating an input is a finding, reported by `check`.
  private func ensureRunning() {
    var status: Int32 = 0
    guard waitpid(pid, &status, WNOHANG) == pid else { return }
    let note = Array(
      "fuzz-shell-escape: \(shell.rawValue) had exited (status \(status)); restarting\n".utf8)
    _ = note.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    close(input)
    close(output)
    close(errors)
    start()
  }

  /// What the shell was last sent: its script, and what it must print back.
  private var pending: (script: String, expected: [UInt8], records: Int)?

  /// Starts evaluating `script` (what `render(changes)` printed); `check` waits for the result,
  /// so that the three shells work at the same time.
  func send(_ script: String, _ changes: [ShellChange]) {
    ensureRunning()
    writeFile(codePath, Array(script.utf8))
    var expected: [UInt8] = Array("0".utf8) + [0]
    for change in changes {
      switch change {
      case .export(_, let value):
        expected += Array("X".utf8) + countPrefix + Array(value.utf8) + [0]
      case .shellVariable(_, let value):
        expected += Array("S".utf8) + countPrefix + Array(value.utf8) + [0]
      case .unset:
        expected += Array("U".utf8) + [0]
      }
    }
    let line = Array(driverLine(shell, changes).utf8)
    guard writeAll(input, line) else { died("while being sent an input", script) }
    pending = (script, expected, 1 + changes.count)
  }

  /// Reads what the shell printed for the input `send` gave it, and checks it.
  func check() {
    guard let (script, expected, records) = pending else { return }
    pending = nil
    var received: [UInt8] = []
    var terminators = 0
    var chunk = [UInt8](repeating: 0, count: 65536)
    while terminators < records {
      var poller = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
      let ready = poll(&poller, 1, 20_000)
      if ready == 0 { fail("\(shell.rawValue) hung on:\n\(script)") }
      if ready < 0 {
        if errno == EINTR { continue }
        fail("poll: \(String(cString: strerror(errno)))")
      }
      let count = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        fail("read: \(String(cString: strerror(errno)))")
      }
      if count == 0 { died("while evaluating", script) }
      received += chunk[0..<count]
      terminators += chunk[0..<count].reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
    }
    if received != expected {
      fail(
        "\(shell.rawValue) read back something else.\nscript:\n\(script)\nexpected: "
          + "\(printable(expected))\nreceived: \(printable(received))\nstderr: "
          + printable(drain(errors)))
    }
    let stderrText = drain(errors)
    if !stderrText.isEmpty {
      fail("\(shell.rawValue) wrote to stderr: \(printable(stderrText))\nscript:\n\(script)")
    }
  }

  /// fish prints how many elements the variable has: one, never an empty list.
  private var countPrefix: [UInt8] { shell == .fish ? Array("1:".utf8) : [] }

  private func died(_ when: String, _ script: String) -> Never {
    var status: Int32 = 0
    _ = waitpid(pid, &status, 0)
    fail(
      "\(shell.rawValue) died \(when) (wait status \(status)); stderr: "
        + "\(printable(drain(errors)))\nscript:\n\(script)")
  }
}

/// The shell code each process runs: it evaluates each line it reads. `__fuzz_apply` applies
/// the code file as the hook does; `__fuzz_show NAME` prints, NUL-terminated, `U` for unset,
/// else `X` (exported) or `S` (set) and the value (fish: the element count and `:` first).
private func initScript(_ shell: Shell) -> String {
  switch shell {
  case .bash:
    return #"""
      cd -- "$1" || exit 1
      __fuzz_code=$2
      __fuzz_apply() {
        \builtin local __awsenv_code
        __awsenv_code=$(<"$__fuzz_code") || \builtin return
        \builtin eval -- "$__awsenv_code"
      }
      __fuzz_show() {
        if [[ ! -v $1 ]]; then
          printf 'U\0'
        elif [[ ${!1@a} == *x* ]]; then
          printf 'X%s\0' "${!1}"
        else
          printf 'S%s\0' "${!1}"
        fi
      }
      while IFS= read -r __fuzz_line; do eval "$__fuzz_line"; done

      """#
  case .zsh:
    return #"""
      cd -- $1 || exit 1
      typeset -g __fuzz_code=$2
      __fuzz_apply() {
        \builtin emulate -L zsh
        \builtin local __awsenv_code
        __awsenv_code=$(<$__fuzz_code) || \builtin return
        \builtin eval "$__awsenv_code"
      }
      __fuzz_show() {
        case ${(tP)1} in
          '') print -rn -- $'U\0' ;;
          *-export*) print -rn -- "X${(P)1}"$'\0' ;;
          *) print -rn -- "S${(P)1}"$'\0' ;;
        esac
      }
      while IFS= read -r __fuzz_line; do eval "$__fuzz_line"; done

      """#
  case .fish:
    return #"""
      cd $argv[1]; or exit 1
      set -g __fuzz_code $argv[2]
      function __fuzz_apply
          read -lz __awsenv_code <$__fuzz_code
          printf '%s' $__awsenv_code | source
      end
      function __fuzz_show
          if not set -q $argv[1]
              printf 'U\0'
          else if set -qx $argv[1]
              printf 'X%d:' (count $$argv[1])
              printf '%s\0' $$argv[1]
          else
              printf 'S%d:' (count $$argv[1])
              printf '%s\0' $$argv[1]
          end
      end
      while read -l __fuzz_line
          eval $__fuzz_line
      end

      """#
  }
}

/// One input's command line: reset the variables (an `unset` target starts exported as "pre",
/// the others unset), apply the code, print the status and every variable.
private func driverLine(_ shell: Shell, _ changes: [ShellChange]) -> String {
  var parts: [String] = []
  for change in changes {
    let name = change.name
    let isUnset: Bool
    if case .unset = change { isUnset = true } else { isUnset = false }
    switch shell {
    case .bash, .zsh:
      parts.append(isUnset ? "export \(name)=pre" : "unset \(name)")
    case .fish:
      parts.append(isUnset ? "set -gx \(name) pre" : "set -q \(name); and set -e -g \(name)")
    }
  }
  parts.append("__fuzz_apply")
  parts.append(shell == .fish ? "printf '%s\\0' $status" : "printf '%s\\0' \"$?\"")
  for change in changes { parts.append("__fuzz_show \(change.name)") }
  return parts.joined(separator: "; ") + "\n"
}

private func findInPath(_ name: String) -> String? {
  let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
  for directory in path.split(separator: ":") {
    let candidate = "\(directory)/\(name)"
    if access(candidate, X_OK) == 0 { return candidate }
  }
  return nil
}

private func writeFile(_ path: String, _ bytes: [UInt8]) {
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
  guard fd >= 0, writeAll(fd, bytes), close(fd) == 0 else {
    fail("cannot write \(path): \(String(cString: strerror(errno)))")
  }
}

private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
  var offset = 0
  while offset < bytes.count {
    let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    if written < 0 {
      if errno == EINTR { continue }
      return false
    }
    offset += written
  }
  return true
}

/// Whatever is waiting on a non-blocking descriptor.
private func drain(_ fd: Int32) -> [UInt8] {
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 4096)
  while true {
    let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if count <= 0 { return bytes }
    bytes += chunk[0..<count]
  }
}

/// Bytes as a Swift string literal would show them.
private func printable(_ bytes: [UInt8]) -> String {
  String(decoding: bytes, as: UTF8.self).debugDescription
    + (String(validating: bytes, as: UTF8.self) == nil ? " (not UTF-8)" : "")
}

/// `rm -rf path`, for the scratch directory.
func removeTree(_ path: String) {
  if let directory = opendir(path) {
    while let entry = readdir(directory) {
      let name = entryName(entry)
      guard name != ".", name != ".." else { continue }
      let child = path + "/" + name
      if entry.pointee.d_type == UInt8(DT_DIR) { removeTree(child) } else { unlink(child) }
    }
    closedir(directory)
  }
  rmdir(path)
}

/// A directory entry's name.
private func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
  withUnsafeBytes(of: entry.pointee.d_name) { raw in
    String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
  }
}
