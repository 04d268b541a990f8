# shellcheck shell=bash
# NoPlaintextTests' workflow, sourced by bash in a sandbox (set -euo pipefail; $HOME is
# ROOT/home; $HARNESS, $SAML_FILE and $AWSENV set): through the hook, under `umask 000`, every
# command that handles a secret, then again with debug output. `step NAME COMMAND…` runs a
# command in the shell itself (so `use` changes it) with stderr in out/err/, its status in
# out/status, then prints the shell's keys and the keyring's items for the test to collect.
# ROOT/fix holds the keys, seeds and config the test made, ROOT/tools the spies and the strace
# wrapper; ROOT/out gets what the sampler (plaintext_probe.py) and strace saw.
umask 000
ROOT=$(dirname "$HOME")
FIX=$ROOT/fix OUT=$ROOT/out TOOLS=$ROOT/tools
export PATH="$TOOLS:$PATH" DISPLAY=:99
if ! command -v strace >/dev/null; then
  echo "strace is missing: scripts/deps.sh installs it" >&2
  exit 3
fi
find "$HOME" "$XDG_RUNTIME_DIR" "$TMPDIR" >"$OUT/before"
: >"$OUT/test-created"
python3 "$HARNESS/plaintext_probe.py" sample --env "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR" \
  --out "$OUT/samples.json" --ready "$OUT/sampler.ready" &
sampler=$!
for _ in $(seq 250); do [ -e "$OUT/sampler.ready" ] && break; sleep 0.02; done
IFS= read -r canary <"$FIX/canary"
sh -c 'sleep 0.3; :' canary "$canary"
eval "$("$AWSENV" init bash)"
__awsenv_bin=$TOOLS/awsenv

n=0
capture() {
  printf '@@env\t%s\t%s\t%s\n' "${AWS_ACCESS_KEY_ID-}" "${AWS_SECRET_ACCESS_KEY-}" \
    "${AWS_SESSION_TOKEN-}"
  { secret-tool search --all application awsenv 2>/dev/null || true; } |
    sed -n 's/^secret = /@@item\t/p'
}
step() {
  local name=$1 status=0 err
  shift
  n=$((n + 1))
  printf -v err '%s/err/%03d-%s' "$OUT" "$n" "$name"
  "$@" 2>"$err" || status=$?
  printf '%03d-%s %d\n' "$n" "$name" "$status" >>"$OUT/status"
  capture
}
# Keys go from fix/ to awsenv through builtins only: never an argument list.
add_stdin() {
  local id secret
  { IFS= read -r id; IFS= read -r secret; } <"$FIX/$1"
  printf '%s\n%s\n' "$id" "$secret" | awsenv add "$2" "${@:3}"
}
add_env() {
  local id secret
  { IFS= read -r id; IFS= read -r secret; } <"$FIX/$1"
  AWS_ACCESS_KEY_ID=$id AWS_SECRET_ACCESS_KEY=$secret awsenv add "$2" --env "${@:3}"
}
to() {
  local file=$1
  shift
  "$@" >"$file"
}
with_debug_env() { AWSENV_DEBUG=1 "$@"; }
totp() { python3 "$HARNESS/plaintext_probe.py" totp "$FIX/$1.seed"; }
# The AWS CLI's token cache, as `aws sso login` leaves it: a plaintext file to import.
sso_cache_file() {
  mkdir -p ~/.aws/sso/cache
  cache=~/.aws/sso/cache/$(printf corp | sha1sum | cut -d' ' -f1).json
  secret-tool lookup application awsenv kind sso-token sso-session corp >"$cache"
  printf '%s\n' ~/.aws/sso ~/.aws/sso/cache "$cache" >>"$OUT/test-created"
}
plaintext_credentials() {
  cp "$FIX/carol.ini" ~/.aws/credentials
  chmod 600 ~/.aws/credentials
  echo "$HOME/.aws/credentials" >>"$OUT/test-created"
}

step add-alice add_stdin alice alice
step add-bob add_env bob bob
step add-dave add_stdin dave dave
cat "$FIX/config" >>~/.aws/config
step add-sdk add_stdin bob sdk
plaintext_credentials
step import-remove awsenv import --remove-plaintext
step add-wrong add_stdin wrong wrong
{ IFS= read -r pre_id; IFS= read -r pre_secret; IFS= read -r pre_token; } <"$FIX/preexisting"
export AWS_ACCESS_KEY_ID=$pre_id AWS_SECRET_ACCESS_KEY=$pre_secret
export AWS_SESSION_TOKEN=$pre_token

step use-carol awsenv use carol
printf '@@saved\t%s\n' "${__awsenv_saved-}"
step use-alice awsenv use alice
step use-dev awsenv use dev
step use-admin awsenv use admin
code=$(totp alice)
printf '@@code\t%s\n' "$code"
step use-mfa-dev awsenv use mfa-dev --mfa-code "$code"
step use-mfa-strict awsenv use mfa-strict
step use-web awsenv use web
step use-saml awsenv use saml --saml-assertion "$SAML_FILE"
step use-sdk awsenv use sdk
step login timeout 60 "$TOOLS/awsenv" login prod-admin
sso_cache_file
step import-sso-cache awsenv import --sso-cache --remove-plaintext
[ -e "$cache" ] || echo "@@cache-removed"
step use-prod-admin awsenv use prod-admin
step use-prod-read awsenv use prod-read
step use-proc awsenv use proc
step use-mfa-proc awsenv use mfa-proc
step exec to "$OUT/exec-env" awsenv exec dev -- env
step export-json to "$OUT/export-admin.json" awsenv export admin --format json
step credential-process to /dev/null awsenv credential-process sdk
step whoami to /dev/null awsenv whoami
step list to /dev/null awsenv list
step sso-sync awsenv sso sync
step fail-signature awsenv use wrong-role
step fail-whoami awsenv whoami --profile wrong
step forget-dave awsenv remove dave --sessions-only
step fail-mfa awsenv use mfa-proc --mfa-code 000000
step clear awsenv clear
if [ "${AWS_SECRET_ACCESS_KEY-}" = "$pre_secret" ] &&
  [ "${AWS_SESSION_TOKEN-}" = "$pre_token" ]; then
  echo "@@cleared"
fi

# Once more, with debug output.
step debug-add add_stdin alice alice --debug
step debug-add-env add_env bob bob --debug
plaintext_credentials
step debug-import awsenv import carol --remove-plaintext --debug
step debug-use-carol awsenv use carol --debug
step debug-use-dev awsenv use dev --refresh --debug
step debug-use-admin awsenv use admin --refresh --debug
step debug-forget-alice awsenv remove alice --sessions-only --debug
code=$(totp alice)
printf '@@code\t%s\n' "$code"
step debug-use-mfa-dev awsenv use mfa-dev --mfa-code "$code" --debug
step debug-use-mfa-strict awsenv use mfa-strict --debug
step debug-use-web awsenv use web --refresh --debug
step debug-use-saml awsenv use saml --saml-assertion "$SAML_FILE" --debug
step debug-use-sdk awsenv use sdk --debug
step debug-login timeout 60 "$TOOLS/awsenv" login prod-admin --force --debug
sso_cache_file
step debug-import-sso-cache awsenv import --sso-cache --remove-plaintext --debug
[ -e "$cache" ] || echo "@@cache-removed"
step debug-use-prod-admin awsenv use prod-admin --refresh --debug
step debug-use-proc awsenv use proc --refresh --debug
step debug-use-mfa-proc awsenv use mfa-proc --debug
step debug-exec to "$OUT/exec-env-debug" awsenv exec --debug dev -- env
step debug-export-json to "$OUT/export-admin-debug.json" \
  awsenv export admin --format json --debug
step debug-credential-process to /dev/null awsenv credential-process sdk --debug
step debug-whoami to /dev/null awsenv whoami --debug
step debug-list to /dev/null awsenv list --debug
step debug-sso-sync awsenv sso sync --debug
step debug-fail-signature awsenv use wrong-role --debug
step debug-fail-whoami awsenv whoami --profile wrong --debug
step debug-forget-dave awsenv remove dave --sessions-only --debug
step debug-fail-mfa awsenv use mfa-proc --mfa-code 000000 --debug
step debug-clear awsenv clear --debug
step debug-env-use-dev with_debug_env awsenv use dev
step debug-env-list with_debug_env to /dev/null awsenv list

step logout awsenv logout
step debug-login-again timeout 60 "$TOOLS/awsenv" login prod-admin --debug
step debug-use-prod-read awsenv use prod-read --debug
step debug-logout awsenv logout --debug
step remove-carol awsenv remove carol
step remove-wrong awsenv remove wrong
step debug-remove-bob awsenv remove bob --debug
step remove-alice awsenv remove alice
step remove-dave awsenv remove dave

kill -TERM "$sampler"
wait "$sampler" || true
