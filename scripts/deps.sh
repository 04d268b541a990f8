#!/usr/bin/env bash
# Installs what building and testing awsenv needs, when it is missing: Debian packages through
# apt-get (as root, or with sudo) and Python packages through pip. Quiet when all is there.
set -euo pipefail

debs=()
need() { # need COMMAND-OR-PKGCONFIG DEBIAN-PACKAGE
  case "$1" in
    pc:*) pkg-config --exists "${1#pc:}" 2>/dev/null || debs+=("$2") ;;
    *) command -v "$1" >/dev/null 2>&1 || debs+=("$2") ;;
  esac
}
need pkg-config pkg-config
need pc:libsecret-1 libsecret-1-dev
need pc:libcurl libcurl4-openssl-dev
need gnome-keyring-daemon gnome-keyring
need secret-tool libsecret-tools
need dbus-run-session dbus
need dbus-send dbus-bin
need zsh zsh
need fish fish
need shellcheck shellcheck
need tmux tmux
need script bsdutils
need pgrep procps
need cmp diffutils
need strace strace
need python3 python3

if [ ${#debs[@]} -gt 0 ]; then
  sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "deps: installing ${debs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${debs[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import boto3, moto' >/dev/null 2>&1; then
  echo "deps: installing boto3 and moto[server] with pip" >&2
  "$python" -m pip install -q boto3 'moto[server]'
fi
