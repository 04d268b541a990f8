# shellcheck shell=bash
# Functions for tests that need a real terminal (an interactive shell's prompt, zsh's
# completion, the picker): a tmux server on a socket in the sandbox's TMPDIR, killed when the
# script exits. Sourced by a Harness.sandbox script through TerminalHarness.functions.
export TMUX_SOCKET="$TMPDIR/tmux.sock"
tm() { tmux -S "$TMUX_SOCKET" "$@"; }
# tm_start COMMAND: a detached 100x30 terminal running COMMAND (a shell command line).
tm_start() {
  tmux -S "$TMUX_SOCKET" -f /dev/null new-session -d -x 100 -y 30 "$1"
  trap 'tm kill-server 2>/dev/null || true' EXIT
}
screen() { tm capture-pane -p -J; }
# wait_until WHAT SECONDS TEST...: runs TEST until it succeeds, else fails showing the screen.
wait_until() {
  local what=$1 deadline=$((SECONDS + $2))
  shift 2
  until "$@"; do
    if ((SECONDS >= deadline)); then
      printf 'timed out waiting for %s; the screen:\n' "$what" >&2
      screen >&2
      return 1
    fi
    sleep 0.05
  done
}
shows() { screen | grep -q "$@"; }
hides() { ! screen | grep -Fq -- "$1"; }
# wait_for REGEX [SECONDS]: until the screen matches (extended regex).
wait_for() { wait_until "/$1/" "${2:-15}" shows -E -- "$1"; }
# wait_text TEXT [SECONDS]: until the screen shows TEXT (a fixed string).
wait_text() { wait_until "'$1'" "${2:-15}" shows -F -- "$1"; }
# wait_gone TEXT [SECONDS]: until the screen no longer shows TEXT.
wait_gone() { wait_until "'$1' to go" "${2:-15}" hides "$1"; }
# last_line: the last non-empty line of the screen, without trailing spaces.
last_line() { screen | sed 's/ *$//' | grep -v '^$' | tail -n 1; }
# type_line TEXT: types TEXT literally, then Enter.
type_line() { tm send-keys -l -- "$1"; tm send-keys Enter; }
# wait_file PATH [SECONDS]: until PATH exists.
wait_file() { wait_until "$1" "${2:-15}" test -e "$1"; }
