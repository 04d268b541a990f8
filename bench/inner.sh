#!/usr/bin/env bash
# Scenarios 1, 2, 3 and 5 of the benchmark, inside a sandbox (Tests/harness/sandbox.sh): the
# local STS, demo profiles, the keyring items they need, then hyperfine side by side.
#
#   bench/inner.sh AWSENV-BINARY WORK-DIR RUNS
#
# Writes WORK-DIR/results/*.json (hyperfine exports) and WORK-DIR/results/facts-switch.tsv (one
# `name<TAB>value` per line: memory, forks, per-prompt times).
set -euo pipefail
bin=$1 work=$2 runs=$3
root=$(cd "$(dirname "$0")/.." && pwd)
harness=$root/Tests/harness
results=$work/results
venv=$work/venv
mkdir -p "$results" "$HOME/.aws" "$TMPDIR/sts"
facts=$results/facts-switch.tsv
fact() { printf '%s\t%s\n' "$1" "$2" >>"$facts"; }

# --- the local STS (moto), as scripts/try.sh starts it -----------------------------------------
python3 "$harness/sts_server.py" --port 0 --exit-with-parent >"$TMPDIR/sts/out" 2>"$TMPDIR/sts/log" &
sts_pid=$!
trap 'kill "$sts_pid" 2>/dev/null || true' EXIT
for _ in $(seq 200); do
  grep -q "^READY" "$TMPDIR/sts/out" 2>/dev/null && break
  sleep 0.05
done
port=$(sed -n "s/^READY //p" "$TMPDIR/sts/out")
[ -n "$port" ] || { echo "the local STS did not start:" >&2; cat "$TMPDIR/sts/log" >&2; exit 1; }
url=http://127.0.0.1:$port
python3 "$harness/sts_setup.py" world "$url" --auth-on >"$TMPDIR/sts/world.json"
field() { python3 -c "import json,sys; w=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$TMPDIR/sts/world.json" "$1"; }
key_id=$(field 'w["users"]["alice"]["access_key_id"]')
secret=$(field 'w["users"]["alice"]["secret_access_key"]')
role_arn=$(field 'w["roles"]["dev"]["arn"]')

# bench-keys: keys in the keyring (awsenv); bench-role: a role over them. The -file twins hold
# the same keys in ~/.aws/credentials, for the peers, which do not read the keyring.
cat >"$HOME/.aws/config" <<CONF
[default]
region = us-east-1

[services local-sts]
sts =
  endpoint_url = $url

[profile bench-keys]
region = eu-west-1
services = local-sts

[profile bench-role]
role_arn = $role_arn
source_profile = bench-keys
role_session_name = bench
region = eu-west-1
services = local-sts

[profile bench-file]
region = eu-west-1

[profile bench-role-file]
role_arn = $role_arn
source_profile = bench-file
role_session_name = bench
region = eu-west-1
CONF
cat >"$HOME/.aws/credentials" <<CREDS
[bench-file]
aws_access_key_id = $key_id
aws_secret_access_key = $secret
CREDS
chmod 600 "$HOME/.aws/credentials"
printf '%s\n%s\n' "$key_id" "$secret" | "$bin" add bench-keys >/dev/null 2>&1

# The hook, loaded by every `bash -c` hyperfine starts (BASH_ENV): hyperfine subtracts the cost
# of starting that shell, so what remains is the function itself (command substitution, the
# binary, eval).
"$bin" init bash >"$work/hook.bash"
export BASH_ENV=$work/hook.bash
bash -c 'awsenv use bench-role' # caches the role session
bash -c 'awsenv use bench-role && [ -n "$AWS_SESSION_TOKEN" ]' ||
  { echo "bench: awsenv use bench-role failed" >&2; exit 1; }

# The peers: awsume from PyPI (in WORK/venv), the AWS CLI v2 from Debian.
export PATH=$venv/bin:$PATH AWS_ENDPOINT_URL_STS=$url
mkdir -p "$HOME/.awsume"
awsume=()
if [ -x "$venv/bin/awsume" ]; then
  # awsume's own first run writes its config; do it outside the measurement.
  bash -c '. awsume bench-file >/dev/null 2>&1' || true
  awsume=(-n awsume '. awsume bench-file')
fi
aws=()
if [ -x /usr/bin/aws ]; then
  aws=(-n 'aws configure export-credentials'
    '/usr/bin/aws configure export-credentials --profile bench-file --format env >/dev/null')
else
  echo "bench: /usr/bin/aws (Debian's awscli, v2) is absent: the AWS CLI column is skipped" >&2
fi

hf() { hyperfine --style basic --warmup 3 --runs "$runs" "$@"; }

# --- 1. a cached `use` against the floor and the peers ------------------------------------------
lookup='secret-tool lookup application awsenv profile bench-keys kind access-key version 1'
hf -S bash --export-json "$results/use-cached.json" \
  -n 'secret-tool lookup' "$lookup >/dev/null" \
  -n 'awsenv use (keys)' 'awsenv use bench-keys' \
  -n 'awsenv use (role, cached)' 'awsenv use bench-role' \
  "${awsume[@]}" "${aws[@]}"

# Start-up only, no keyring: what a process costs before any work.
hf -N --export-json "$results/startup.json" \
  -n 'awsenv --version' "$bin --version" -n '/bin/true' /bin/true

# --- 2. one AssumeRole ----------------------------------------------------------------------------
# The ARN URL-encoded, as SigV4 servers canonicalise a form body.
arn_encoded=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$role_arn")
form="Action=AssumeRole&Version=2011-06-15&RoleArn=$arn_encoded&RoleSessionName=bench"
curl_cmd="curl -sS -o /dev/null --fail --aws-sigv4 aws:amz:us-east-1:sts --user $key_id:$secret -d '$form' $url/"
awsume_refresh=()
[ ${#awsume[@]} -eq 0 ] || awsume_refresh=(-n 'awsume --refresh (role)' '. awsume bench-role-file --refresh')
hf -S bash --export-json "$results/use-cold.json" \
  -n 'curl --aws-sigv4 AssumeRole' "$curl_cmd" \
  -n 'awsenv use --refresh (role)' 'awsenv use bench-role --refresh' \
  "${awsume_refresh[@]}"

# --- 3. the prompt hook ---------------------------------------------------------------------------
# An active role session (as after `awsenv use bench-role`), 1,000 prompts run as the shells
# run them (bash: PROMPT_COMMAND; zsh: precmd_functions; fish: the fish_prompt event), against
# the same loop without the hook. "changed": the segment recomputed on every prompt (as once a
# minute, when the time left changes); "unchanged": the usual prompt.
"$bin" init zsh >"$work/hook.zsh"
"$bin" init fish >"$work/hook.fish"
AWSENV_SHELL=bash "$bin" use bench-role >"$work/active.sh"
AWSENV_SHELL=fish "$bin" use bench-role >"$work/active.fish"
cat >"$work/prompts.bash" <<'SH'
. "$1"; . "$2"
for ((i = 0; i < 1000; i++)); do eval "$PROMPT_COMMAND"; [ "$3" = changed ] && __awsenv_segment_for=; done
exit 0
SH
cat >"$work/prompts-none.bash" <<'SH'
. "$1"; PROMPT_COMMAND=:
for ((i = 0; i < 1000; i++)); do eval "$PROMPT_COMMAND"; [ "$3" = changed ] && __awsenv_segment_for=; done
exit 0
SH
cat >"$work/prompts.zsh" <<'SH'
. "$1"; . "$2"
for ((i = 0; i < 1000; i++)); do for f in $precmd_functions; do $f; done; [[ $3 == changed ]] && __awsenv_segment_for=; done
exit 0
SH
cat >"$work/prompts-none.zsh" <<'SH'
. "$1"; precmd_functions=()
for ((i = 0; i < 1000; i++)); do for f in $precmd_functions; do $f; done; [[ $3 == changed ]] && __awsenv_segment_for=; done
exit 0
SH
cat >"$work/prompts.fish" <<'SH'
source $argv[1]; source $argv[2]
for i in (seq 1000); emit fish_prompt; test "$argv[3]" = changed; and set -g __awsenv_segment_for ""; end
exit 0
SH
cat >"$work/prompts-none.fish" <<'SH'
source $argv[1]
for i in (seq 1000); emit fish_prompt; test "$argv[3]" = changed; and set -g __awsenv_segment_for ""; end
exit 0
SH
unset BASH_ENV
for shell in bash zsh fish; do
  active_file=$work/active.sh
  [ "$shell" != fish ] || active_file=$work/active.fish
  for mode in unchanged changed; do
    hf -N --export-json "$results/prompt-$shell-$mode.json" \
      -n "$shell none" "$shell $work/prompts-none.$shell $active_file x $mode" \
      -n "$shell hook" "$shell $work/prompts.$shell $active_file $work/hook.$shell $mode"
  done
  # Processes started during the 1,000 prompts: clone/fork/vfork/execve seen by strace -f,
  # hooked minus unhooked (the shell's own start-up is the same in both).
  count() {
    strace -f -qq -e trace=fork,vfork,clone,clone3,execve -o "$TMPDIR/strace.$shell" "$@" >/dev/null 2>&1
    grep -cE '(fork|clone3?)\(' "$TMPDIR/strace.$shell" || true
  }
  with=$(count "$shell" "$work/prompts.$shell" "$active_file" "$work/hook.$shell" changed)
  without=$(count "$shell" "$work/prompts-none.$shell" "$active_file" x changed)
  fact "forks-1000-prompts-$shell" "$((with - without))"
done

# --- the floor: the keyring work alone, inside one C process (bench/floor.c) -------------------
# Medians over RUNS fresh processes: what any client pays the Secret Service for one lookup (DH
# session included) and one store, without the cost of starting a process.
floor_median() { # floor_median NAME ARGS...: the median of NAME's values over RUNS runs
  local name=$1
  shift
  for _ in $(seq "$runs"); do "$work/floor" "$@"; done | awk -v n="$name" '$1 == n {print $2}' |
    sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
for part in connect service session search secret total; do
  fact "floor-lookup-$part" "$(floor_median "lookup-$part" lookup bench-keys)"
done
fact "floor-store" "$(floor_median store store)"
fact "floor-curl-load" "$(floor_median curl-load curl)"
fact "floor-curl-rss-kib" "$(floor_median curl-rss-kib curl)"

# --- 5. peak memory (max RSS, GNU time) of each awsenv command ------------------------------------
peak() { # peak NAME COMMAND...: the largest max RSS of 5 runs, in KiB
  local name=$1 most=0 kib
  shift
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f '%M' -o "$TMPDIR/rss" "$@" >/dev/null 2>&1 || true
    kib=$(tail -1 "$TMPDIR/rss")
    [ "$kib" -le "$most" ] || most=$kib
  done
  fact "rss-$name" "$most"
}
export AWSENV_SHELL=bash
peak 'awsenv --version' "$bin" --version
peak 'awsenv use (keys)' "$bin" use bench-keys
peak 'awsenv use (role, cached)' "$bin" use bench-role
peak 'awsenv use --refresh (role)' "$bin" use bench-role --refresh
peak 'awsenv list' "$bin" list
peak 'awsenv prompt' "$bin" prompt
peak 'secret-tool lookup' secret-tool lookup application awsenv profile bench-keys kind access-key version 1
unset AWSENV_SHELL
