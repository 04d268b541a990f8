#!/usr/bin/env bash
# `make try`: an interactive bash on a throwaway sandbox (own HOME, private D-Bus, an unlocked
# gnome-keyring), with demo profiles and the awsenv hook loaded. Everything lives in a temporary
# directory that is deleted, with the keyring daemon, when the shell exits.
set -euo pipefail
bin=${1:?usage: try.sh PATH-TO-AWSENV}
root=$(cd "$(dirname "$0")/.." && pwd)

# shellcheck disable=SC2016 # the script runs inside the sandbox, where its variables expand.
exec "$root/Tests/harness/sandbox.sh" -- bash -c '
set -euo pipefail
bin=$1
mkdir -p "$HOME/.aws"
cat >"$HOME/.aws/config" <<CONF
[default]
region = us-east-1

[profile demo-dev]
region = eu-west-1

[profile demo-prod]
region = us-west-2
CONF
# Demo keys: the shape of AWS keys, not real ones.
printf "AKIADEMODEV000000001\ndemoDevSecretKey/ForTryingAwsenvOnly0001\n" | "$bin" add demo-dev
printf "AKIADEMOPROD00000001\ndemoProdSecretKey/ForTryingAwsenvOnly001\n" | "$bin" add demo-prod
cat >"$HOME/.bashrc" <<RC
eval "\$("$bin" init bash)"
PS1="[awsenv try \\\${AWSENV_PROFILE:-no profile}] \\w \\\$ "
cat <<HELP

  awsenv sandbox: a private keyring (nothing here touches yours), demo profiles demo-dev and
  demo-prod. Try:
    awsenv list
    awsenv use demo-dev && env | grep ^AWS_
    awsenv clear
  Exit the shell to throw the sandbox away.

HELP
RC
exec bash --rcfile "$HOME/.bashrc" -i
' try "$bin"
