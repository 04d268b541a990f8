#!/usr/bin/env bash
# Installs awsenv into a throwaway PREFIX (`make install`) and checks that what is installed works
# as installed: a stripped binary with no debug sections, and hook scripts under
# share/awsenv/shell/ that give a working `awsenv` function when sourced in bash, zsh and fish.
#
#   scripts/check-install.sh [PREFIX]    (default: a new temporary directory, removed afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=${1-}
work=$(mktemp -d "${TMPDIR:-/tmp}/awsenv-install-check.XXXXXX")
owned=$work
if [ -z "$prefix" ]; then
  prefix=$work/prefix
fi
# shellcheck disable=SC2317 # called by the EXIT trap.
cleanup() { rm -rf "$owned"; }
trap cleanup EXIT
make --no-print-directory install PREFIX="$prefix" >/dev/null

fail() {
  echo "check-install: $*" >&2
  exit 1
}

bin=$prefix/bin/awsenv
[ -x "$bin" ] || fail "$bin is missing"
if readelf -S --wide "$bin" | grep -qE '\.debug_|\.symtab'; then
  fail "$bin still has debug sections or a symbol table (install -s)"
fi
size=$(stat -c %s "$bin")
echo "check-install: $bin: $((size / 1024 / 1024)) MB, no debug sections"

for file in share/awsenv/shell/awsenv.bash share/awsenv/shell/awsenv.zsh \
  share/awsenv/shell/awsenv.fish share/bash-completion/completions/awsenv \
  share/zsh/site-functions/_awsenv share/fish/vendor_completions.d/awsenv.fish \
  share/man/man1/awsenv.1; do
  [ -s "$prefix/$file" ] || fail "$prefix/$file is missing"
done
if grep -l '@AWSENV_BIN@' "$prefix"/share/awsenv/shell/*; then
  fail "an installed hook still carries the @AWSENV_BIN@ placeholder"
fi

# Each installed hook, sourced in its shell with no rc files, switches to a profile whose keys are
# in the credentials file and gives the shell back on `clear`. The sandbox gives the binary its
# own HOME and keyring; the script below runs inside it.
cat >"$work/check.sh" <<'CHECK'
set -euo pipefail
prefix=$1
mkdir -p "$HOME/.aws"
printf '[profile installed]\nregion = eu-west-3\n' >"$HOME/.aws/config"
printf '[installed]\naws_access_key_id = AKIAINSTALLCHECK0001\naws_secret_access_key = installed-check-secret\n' \
  >"$HOME/.aws/credentials"
cd /
bash --norc --noprofile -c '
  set -e
  source "$1/share/awsenv/shell/awsenv.bash"
  awsenv use installed
  [ "$AWS_ACCESS_KEY_ID" = AKIAINSTALLCHECK0001 ] && [ "$AWS_REGION" = eu-west-3 ]
  awsenv clear
  [ -z "${AWS_ACCESS_KEY_ID+set}" ]
  awsenv --version >/dev/null
' bash "$prefix" || { echo "check-install: the bash hook does not work" >&2; exit 1; }
zsh -f -c '
  set -e
  source "$1/share/awsenv/shell/awsenv.zsh"
  awsenv use installed
  [[ $AWS_ACCESS_KEY_ID == AKIAINSTALLCHECK0001 && $AWS_REGION == eu-west-3 ]]
  awsenv clear
  [[ -z ${AWS_ACCESS_KEY_ID+set} ]]
' zsh "$prefix" || { echo "check-install: the zsh hook does not work" >&2; exit 1; }
fish --no-config -c '
  source $argv[1]/share/awsenv/shell/awsenv.fish
  and awsenv use installed
  and test "$AWS_ACCESS_KEY_ID" = AKIAINSTALLCHECK0001
  and test "$AWS_REGION" = eu-west-3
  and awsenv clear
  and not set -q AWS_ACCESS_KEY_ID
' "$prefix" || { echo "check-install: the fish hook does not work" >&2; exit 1; }
echo "check-install: the installed hooks work in bash, zsh and fish"
CHECK
Tests/harness/sandbox.sh -- bash "$work/check.sh" "$prefix"
