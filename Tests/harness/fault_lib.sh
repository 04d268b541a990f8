# shellcheck shell=bash
# Shell functions for FaultTests' scripts, sourced (bash) before each test's script; $T is
# $HOME/t, where each run leaves what it saw.
#
# - `run_in SHELL NAME ARGS...`: a new SHELL (bash, zsh or fish, no rc files) runs hook_run.sh
#   (hook_run.fish): loads the hook, evaluates $PRE, then runs `awsenv ARGS...` through the
#   hook function; `$T/NAME/` gets `before.env` and `after.env` (`env -0` around the command),
#   `err` (its stderr), and `result` ("STATUS START_NS END_NS"). The array PREFIX runs the
#   shell (`env …`, `dbus-run-session …`, `strace …`); TRAP=1 gives bash and zsh an INT trap.
# - `keyring FILE`: every awsenv item as secret-tool shows it (keyring_items.py).
# - `files FILE`: every file and directory under HOME (but $T, the shells' own, the keyring
#   daemon's files) with its mode and SHA-256.
# - `provider_pid`: the process that owns org.freedesktop.secrets on this sandbox's bus.
# - `signal NAME ARGS...`: signaller.py in the background (see there and below).
# - `sts`/`sso METHOD PATH [JSON]`: a request to the local STS / IAM Identity Center.

HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$HOME/t
mkdir -p "$T"
PREFIX=()
# fish makes its directories under HOME on its first start: not something awsenv did.
fish --no-config -c true

run_in() {
  local shell=$1 name=$2
  shift 2
  mkdir -p "$T/$name"
  local -a command
  case $shell in
  bash) command=(bash --norc --noprofile "$HARNESS/hook_run.sh") ;;
  zsh) command=(zsh -f "$HARNESS/hook_run.sh") ;;
  fish) command=(fish --no-config "$HARNESS/hook_run.fish") ;;
  esac
  OUT=$T/$name HOOK=$shell "${PREFIX[@]}" "${command[@]}" "$@" ||
    echo "the shell exited $?" >>"$T/$name/shell-status"
}

keyring() {
  stdbuf -o0 secret-tool search --all application awsenv 2>&1 | python3 "$HARNESS/keyring_items.py" >"$1"
}

files() {
  local prune=(-path ./t -o -path ./.config/fish -o -path ./.local/share/fish
    -o -path ./.local/share/keyrings)
  (
    cd "$HOME" || exit
    find . \( "${prune[@]}" \) -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum
    find . \( "${prune[@]}" \) -prune -o -printf '%M %p\n' | sort
  ) >"$1"
}

provider_pid() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets |
    sed -n 's/.*uint32 \([0-9]*\).*/\1/p'
}

# signal NAME ARGS...: signaller.py ARGS in the background, for `run_in … NAME …`; waits until
# it watches. Its report goes to $T/NAME/signal$TAG; `wait` for it after the run.
signal() {
  local name=$1 tag=${TAG-}
  shift
  mkdir -p "$T/$name"
  rm -f "$T/$name/ready$tag" "$T/$name/result"
  python3 "$HARNESS/signaller.py" --root $$ --exe "$AWSENV" --ready "$T/$name/ready$tag" \
    --until "$T/$name/result" "$@" >"$T/$name/signal$tag" 2>&1 &
  local tries=0
  until [ -e "$T/$name/ready$tag" ]; do
    ((++tries < 1000)) || { cat "$T/$name/signal$tag" >&2; return 1; }
    sleep 0.01
  done
}

sts() { curl -sS -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$STS$2"; }
sso() { curl -sS -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$SSO$2"; }
