/// Bash functions for tests that need a real terminal (an interactive shell's prompt, zsh's
/// completion, the picker): a tmux server on a socket in the sandbox's TMPDIR, killed when the
/// script exits. Prepend `TerminalHarness.functions` to a `Harness.sandbox` script.
enum TerminalHarness {
  static let functions = """
    export TMUX_SOCKET="$TMPDIR/tmux.sock"
    tm() { tmux -S "$TMUX_SOCKET" "$@"; }
    # tm_start COMMAND: a detached 100x30 terminal running COMMAND (a shell command line).
    tm_start() {
      tmux -S "$TMUX_SOCKET" -f /dev/null new-session -d -x 100 -y 30 "$1"
      trap 'tm kill-server 2>/dev/null || true' EXIT
    }
    screen() { tm capture-pane -p -J; }
    # wait_for REGEX [SECONDS]: until the screen matches (extended regex), else fail showing it.
    wait_for() {
      local deadline=$((SECONDS + ${2:-15}))
      until screen | grep -Eq -- "$1"; do
        if ((SECONDS >= deadline)); then
          printf 'timed out waiting for /%s/; the screen:\\n' "$1" >&2
          screen >&2
          return 1
        fi
        sleep 0.05
      done
    }
    # wait_text TEXT [SECONDS]: until the screen shows TEXT (a fixed string).
    wait_text() {
      local deadline=$((SECONDS + ${2:-15}))
      until screen | grep -Fq -- "$1"; do
        if ((SECONDS >= deadline)); then
          printf 'timed out waiting for "%s"; the screen:\\n' "$1" >&2
          screen >&2
          return 1
        fi
        sleep 0.05
      done
    }
    # wait_gone TEXT [SECONDS]: until the screen no longer shows TEXT.
    wait_gone() {
      local deadline=$((SECONDS + ${2:-15}))
      while screen | grep -Fq -- "$1"; do
        if ((SECONDS >= deadline)); then
          printf 'timed out waiting for "%s" to go; the screen:\\n' "$1" >&2
          screen >&2
          return 1
        fi
        sleep 0.05
      done
    }
    # last_line: the last non-empty line of the screen, without trailing spaces.
    last_line() { screen | sed 's/ *$//' | grep -v '^$' | tail -n 1; }
    # type_line TEXT: types TEXT literally, then Enter.
    type_line() { tm send-keys -l -- "$1"; tm send-keys Enter; }
    # wait_file PATH [SECONDS]: until PATH exists.
    wait_file() {
      local deadline=$((SECONDS + ${2:-15}))
      until [ -e "$1" ]; do
        if ((SECONDS >= deadline)); then
          printf 'timed out waiting for %s; the screen:\\n' "$1" >&2
          screen >&2
          return 1
        fi
        sleep 0.05
      done
    }

    """
}
