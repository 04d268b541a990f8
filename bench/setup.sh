#!/usr/bin/env bash
# Installs what `make bench` needs when it is missing, on top of scripts/deps.sh (what the tests
# need): hyperfine, GNU time, python3-gi (the keyring filler), the AWS CLI v2 from Debian where
# the distribution has it, and awsume from PyPI in a throwaway venv under WORK-DIR.
#
#   bench/setup.sh WORK-DIR
set -euo pipefail
work=${1:?usage: setup.sh WORK-DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"

debs=()
[ -x /usr/bin/hyperfine ] || debs+=(hyperfine)
[ -x /usr/bin/time ] || debs+=(time)
[ -x /usr/bin/curl ] || debs+=(curl)
# A C compiler for bench/floor.c (the Swift toolchain's clang does too).
command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1 ||
  debs+=(gcc libc6-dev)
/usr/bin/python3 -c 'from gi.repository import Gio' >/dev/null 2>&1 || debs+=(python3-gi)
/usr/bin/python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || debs+=(python3-venv)
if [ ! -x /usr/bin/aws ] && apt-cache show awscli 2>/dev/null | grep -q '^Version: 2\.'; then
  debs+=(awscli)
fi
if [ ${#debs[@]} -gt 0 ]; then
  sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "bench: installing ${debs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${debs[@]}" >/dev/null
fi

mkdir -p "$work"
if [ ! -x "$work/venv/bin/awsume" ]; then
  echo "bench: installing awsume from PyPI into $work/venv" >&2
  /usr/bin/python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q awsume
fi
