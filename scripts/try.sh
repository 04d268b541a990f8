#!/usr/bin/env bash
# `make try`: an interactive bash on a throwaway sandbox (own HOME, private D-Bus, an unlocked
# gnome-keyring), a local STS (moto on 127.0.0.1, signatures checked) with demo users and roles,
# demo profiles and the awsenv hook loaded. Everything lives in a temporary directory that is
# deleted, with the keyring daemon and the local STS, when the shell exits.
set -euo pipefail
bin=${1:?usage: try.sh PATH-TO-AWSENV}
root=$(cd "$(dirname "$0")/.." && pwd)

# shellcheck disable=SC2016 # the script runs inside the sandbox, where its variables expand.
exec "$root/Tests/harness/sandbox.sh" -- bash -c '
set -euo pipefail
bin=$1 harness=$2
mkdir -p "$HOME/.aws"

# start_local NAME SCRIPT ARGS...: a local server of Tests/harness in the background (it ends
# with the sandbox); sets `local_url` once it prints READY.
pids=
trap "kill \$pids 2>/dev/null" EXIT
start_local() {
  local name=$1 script=$2 port
  shift 2
  mkdir -p "$TMPDIR/$name"
  python3 "$harness/$script" --port 0 --exit-with-parent "$@" >"$TMPDIR/$name/out" 2>"$TMPDIR/$name/log" &
  pids="$pids $!"
  for _ in $(seq 200); do
    grep -q "^READY" "$TMPDIR/$name/out" 2>/dev/null && break
    sleep 0.05
  done
  port=$(sed -n "s/^READY //p" "$TMPDIR/$name/out")
  [ -n "$port" ] || { echo "the local $name did not start:" >&2; cat "$TMPDIR/$name/log" >&2; exit 1; }
  local_url=http://127.0.0.1:$port
}

# The local STS: moto, signatures checked.
start_local sts sts_server.py
url=$local_url
python3 "$harness/sts_setup.py" world "$url" --files "$TMPDIR/sts" --auth-on >"$TMPDIR/sts/world.json"
field() { python3 -c "import json,sys; w=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$TMPDIR/sts/world.json" "$1"; }

# The local IAM Identity Center: one account (the local STS'"'"'s) with the role dev; its role
# credentials are minted at the local STS, so they work there.
mkdir -p "$TMPDIR/sso"
cat >"$TMPDIR/sso/world.json" <<WORLD
{"startUrl": "https://demo.awsapps.com/start", "pageSize": 2,
 "accounts": [{"accountId": "$(field "w[\"account\"]")", "accountName": "Demo",
               "emailAddress": "demo@example.com", "roles": ["dev"]}]}
WORLD
start_local sso sso_server.py --world "$TMPDIR/sso/world.json" --sts-url "$url" \
  --sts-key-id "$(field "w[\"users\"][\"alice\"][\"access_key_id\"]")" \
  --sts-secret "$(field "w[\"users\"][\"alice\"][\"secret_access_key\"]")"
sso_url=$local_url

# The local stand-in of the AWS Sign-In federation endpoint, for `awsenv console`: it checks each
# session at the local STS before it hands out a sign-in token.
start_local signin signin_server.py --sts-url "$url"
signin_url=$local_url

cat >"$HOME/.aws/config" <<CONF
[default]
region = us-east-1

# Every profile sends STS calls to the local STS, the way the AWS SDKs configure endpoints.
[services local-sts]
sts =
  endpoint_url = $url
signin =
  endpoint_url = $signin_url

# And the IAM Identity Center calls to the local one.
[services local-sso]
sts =
  endpoint_url = $url
sso =
  endpoint_url = $sso_url
sso_oidc =
  endpoint_url = $sso_url
signin =
  endpoint_url = $signin_url

[sso-session demo]
sso_start_url = https://demo.awsapps.com/start
sso_region = us-east-1

[profile demo-sso]
sso_session = demo
sso_account_id = $(field "w[\"account\"]")
sso_role_name = dev
region = eu-west-1
services = local-sso

[profile demo]
region = eu-west-1
services = local-sts

[profile demo-dev]
role_arn = $(field "w[\"roles\"][\"dev\"][\"arn\"]")
source_profile = demo
region = eu-west-1
services = local-sts

[profile demo-admin]
role_arn = $(field "w[\"roles\"][\"admin\"][\"arn\"]")
source_profile = demo-dev
region = us-west-2
services = local-sts

[profile demo-partner]
role_arn = $(field "w[\"roles\"][\"partner\"][\"arn\"]")
source_profile = demo
external_id = awsenv-external-id
services = local-sts

[profile demo-denied]
role_arn = $(field "w[\"roles\"][\"alice-only\"][\"arn\"]")
source_profile = demo-bob
services = local-sts

[profile demo-bob]
services = local-sts
CONF
# Keys of the local STS users (they work there only).
printf "%s\n%s\n" "$(field "w[\"users\"][\"alice\"][\"access_key_id\"]")" \
  "$(field "w[\"users\"][\"alice\"][\"secret_access_key\"]")" | "$bin" add demo
printf "%s\n%s\n" "$(field "w[\"users\"][\"bob\"][\"access_key_id\"]")" \
  "$(field "w[\"users\"][\"bob\"][\"secret_access_key\"]")" | "$bin" add demo-bob

cat >"$HOME/.bashrc" <<RC
eval "\$("$bin" init bash)"
PS1="[awsenv try \\\${AWSENV_PROFILE:-no profile}] \\w \\\$ "
cat <<HELP

  awsenv sandbox: a private keyring (nothing here touches yours), a local STS on $url,
  and demo profiles: demo (keys), demo-dev (a role), demo-admin (a role assumed from demo-dev),
  demo-partner (a role with an external id), demo-denied (a role that refuses its caller),
  a local IAM Identity Center on $sso_url with demo-sso (a role through SSO), and a local
  Sign-In federation endpoint on $signin_url for the console.
  Try:
    awsenv list
    awsenv use demo-admin && awsenv whoami
    env | grep ^AWS
    awsenv use demo-admin        # the cached session: no STS call
    awsenv use demo-dev; awsenv use -   # back to demo-admin, as cd - does
    awsenv status
    awsenv console demo-admin --stdout  # the console sign-in URL (of the local stand-in)
    awsenv exec demo-dev --server -- env | grep CONTAINER   # a credential endpoint for long jobs
    awsenv use demo-denied       # one clear line, and the shell is unchanged
    awsenv login demo-sso        # IAM Identity Center: confirm the code at the printed URL
    awsenv use demo-sso && awsenv whoami
    awsenv logout
    awsenv clear
  Exit the shell to throw the sandbox away.

HELP
RC
cd "$HOME"
bash --rcfile "$HOME/.bashrc" -i
' try "$bin" "$root/Tests/harness"
