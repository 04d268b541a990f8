#!/usr/bin/env bash
# Runs a command inside a throwaway desktop session: its own HOME, XDG_RUNTIME_DIR (0700) and
# TMPDIR, a private D-Bus session bus, and gnome-keyring-daemon serving the Secret Service with
# an unlocked "login" collection. Nothing outlives the command: the daemon exits with the bus.
#
#   Tests/harness/sandbox.sh [--no-keyring] [--locked] [--dir DIR] -- COMMAND [ARGS...]
#
# --no-keyring  start the bus but no Secret Service provider
# --locked      create the login collection, then lock it
# --dir DIR     use DIR (must exist) instead of a new temporary directory, and keep it
set -euo pipefail

keyring=unlocked
dir=
while [ $# -gt 0 ]; do
  case "$1" in
    --no-keyring) keyring=none; shift ;;
    --locked) keyring=locked; shift ;;
    --dir) dir=$2; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: sandbox.sh [--no-keyring|--locked] [--dir DIR] -- COMMAND..." >&2; exit 2; }

keep=1
if [ -z "$dir" ]; then
  dir=$(mktemp -d "${TMPDIR:-/tmp}/awsenv-sandbox.XXXXXX")
  keep=0
fi
# shellcheck disable=SC2317 # called by the EXIT trap.
cleanup() { [ "$keep" = 1 ] || rm -rf "$dir"; }
trap cleanup EXIT

mkdir -p "$dir/home" "$dir/run" "$dir/tmp"
chmod 0700 "$dir" "$dir/home" "$dir/run" "$dir/tmp"

export HOME="$dir/home" XDG_RUNTIME_DIR="$dir/run" TMPDIR="$dir/tmp"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK DISPLAY WAYLAND_DISPLAY
export AWSENV_SANDBOX_KEYRING=$keyring

# A bus of our own: no service files, so nothing is started on demand (with --no-keyring the
# Secret Service name stays unowned, and no prompter can pop up), and the daemon's chatter goes
# to a log file instead of the caller's stderr.
cat >"$dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$dir/run</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
cat >"$dir/dbus-daemon" <<WRAP
#!/bin/sh
exec dbus-daemon "\$@" 2>>"$dir/bus.log"
WRAP
chmod 0700 "$dir/dbus-daemon"

# The inner script starts the keyring (when asked) on the private bus, then runs the command.
# shellcheck disable=SC2016 # expands inside the session, not here.
inner='
set -e
case "$AWSENV_SANDBOX_KEYRING" in
  unlocked|locked)
    eval "$(printf sandbox | gnome-keyring-daemon --unlock --components=secrets 2>>"$AWSENV_SANDBOX_DIR/keyring.log")"
    export GNOME_KEYRING_CONTROL
    # The daemon claims its bus name after --unlock returns: wait for it (at most ~5 s).
    for _ in $(seq 100); do
      dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q "boolean true" && break
      sleep 0.05
    done
    ;;
esac
if [ "$AWSENV_SANDBOX_KEYRING" = locked ]; then
  # Locking goes through the D-Bus API: gnome-keyring has no command for it.
  dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
fi
unset AWSENV_SANDBOX_KEYRING AWSENV_SANDBOX_DIR
export AWSENV_SANDBOX=1
exec "$@"
'
set +e
AWSENV_SANDBOX_DIR=$dir dbus-run-session --config-file="$dir/bus.conf" --dbus-daemon="$dir/dbus-daemon" \
  -- bash -c "$inner" sandbox "$@"
status=$?
exit "$status"
