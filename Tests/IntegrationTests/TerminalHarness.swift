/// For tests that need a real terminal (an interactive shell's prompt, zsh's completion, the
/// picker): prepend `TerminalHarness.functions` to a `Harness.sandbox` script to get the tmux
/// functions of Tests/harness/terminal_lib.sh (`tm_start`, `wait_for`, `type_line`, …).
enum TerminalHarness {
  static let functions = "source \(shellQuote(LocalServer.harness + "/terminal_lib.sh"))\n"
}
