// libFuzzer target: the shell escapers, checked by the real shells.
//
// Input: one selector byte, then up to four values separated by 0xFF bytes (a byte that never
// occurs in UTF-8). Two bits of the selector per value pick the change: export, a shell
// variable, or unset. Each value is decoded as awsenv decodes every byte string it is given
// (UTF-8 with repair: a String cannot hold invalid UTF-8, so that is the only way such bytes
// reach the escaper), rendered by `Shell.render` for bash, zsh and fish, and evaluated by one
// long-lived process of each shell the way the hook evaluates it (read the code into a
// variable, then `eval` / `| source` inside a function). Each shell then prints, with
// builtins only, the evaluation's status and every variable: set or not, exported or not,
// and its bytes.
//
// It aborts when:
// - a shell reads back anything but exactly the value's bytes, a variable is (un)set or
//   (un)exported other than asked, or the status is not 0;
// - a shell writes anything to stderr, dies, hangs, or a file appears in its (empty) working
//   directory: all signs of a command that the escaped text made it run;
// - `render` accepts a value holding NUL (no shell variable can hold one: bash and zsh would
//   cut the value there), refuses a valid value, or disagrees with the variable-name rule.

import AwsenvCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Created on the first input: a scratch directory, and the three shells.
nonisolated(unsafe) var harness: Harness?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShellEscape(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size >= 1 else { return 0 }
  let selector = data[0]
  let rest = UnsafeBufferPointer(start: data + 1, count: size - 1)
  let values = rest.split(separator: 0xFF, maxSplits: 3, omittingEmptySubsequences: false)
    .map { String(decoding: $0, as: UTF8.self) }
  var changes: [ShellChange] = []
  for (index, value) in values.enumerated() {
    let name = "AWSENV_FUZZ_\(index)"
    switch (selector >> (2 * index)) & 3 {
    case 1: changes.append(.shellVariable(name, value))
    case 2: changes.append(.unset(name))
    default: changes.append(.export(name, value))
    }
  }
  checkNames(values[0])
  if harness == nil { harness = Harness() }
  for shell in harness!.shells {
    let script: String
    do {
      script = try shell.shell.render(changes)
    } catch {
      let hasNUL = changes.contains { change in
        if case .export(_, let value) = change { return value.utf8.contains(0) }
        if case .shellVariable(_, let value) = change { return value.utf8.contains(0) }
        return false
      }
      guard hasNUL, case .nulInValue = error else {
        fail("\(shell.shell) refused \(changes): \(error.message)")
      }
      continue
    }
    for change in changes {
      switch change {
      case .export(_, let value), .shellVariable(_, let value):
        if value.utf8.contains(0) { fail("\(shell.shell) rendered a value holding NUL") }
      case .unset: break
      }
    }
    shell.send(script, changes)
  }
  for shell in harness!.shells { shell.check() }
  harness!.checkCanary((try? Shell.bash.render(changes)) ?? "\(changes)")
  return 0
}

/// `isValidVariableName` and `render` follow `^[A-Za-z_][A-Za-z0-9_]*$`.
private func checkNames(_ name: String) {
  let bytes = Array(name.utf8)
  let valid =
    !bytes.isEmpty
    && bytes.enumerated().allSatisfy { index, byte in
      (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "_")
        || (index > 0 && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte))
    }
  if isValidVariableName(name) != valid { fail("isValidVariableName(\(name.debugDescription))") }
  for shell in Shell.allCases {
    do {
      _ = try shell.render([.unset(name)])
      if !valid { fail("\(shell) accepted the variable name \(name.debugDescription)") }
    } catch {
      if valid || error != .invalidVariableName(name) {
        fail("\(shell) refused the variable name \(name.debugDescription): \(error)")
      }
    }
  }
}

func fail(_ message: String) -> Never {
  let line = Array("fuzz-shell-escape: \(message)\n".utf8)
  _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
  abort()
}
