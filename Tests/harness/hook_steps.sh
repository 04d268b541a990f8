# shellcheck shell=bash
# Run by bash or zsh, from HOME, as `SHELL hook_steps.sh SHELL`: exports the presets
# (in/presets names them, in/preset/NAME holds each value), loads the hook of SHELL from
# another directory, then runs every step of in/steps in this one shell: `awsenv ARGS...`
# through the hook function, ARGS from in/STEP/0, 1, ... (with in/STEP/config and
# in/STEP/credentials in place of ~/.aws's files during the step, when given), dumping
# `env -0` before and after it. Writes out/SHELL/STEP.before, .after, .err and .status.
# HostileInputTests' driver; hook_steps.fish is the same for fish. Written in the part of the
# language bash and zsh share.
SH=$1
OUT=out/$SH
mkdir -p "$OUT"
if [[ -e in/presets ]]; then
  while IFS= read -r n; do
    IFS= read -r -d '' a <"in/preset/$n" || true
    export "$n=$a"
  done <in/presets
fi
cd /
eval "$("$AWSENV" init "$SH")"
cd ~ || exit
run_step() {
  local c=$1 i=0 a
  local -a args
  args=()
  while [[ -e in/$c/$i ]]; do
    IFS= read -r -d '' a <"in/$c/$i" || true
    args+=("$a")
    i=$((i + 1))
  done
  [[ ! -e in/$c/config ]] || { cp ~/.aws/config ~/.aws/config.kept; cp "in/$c/config" ~/.aws/config; }
  [[ ! -e in/$c/credentials ]] || {
    cp ~/.aws/credentials ~/.aws/credentials.kept; cp "in/$c/credentials" ~/.aws/credentials; }
  env -0 >"$OUT/$c.before"
  awsenv "${args[@]}" 2>"$OUT/$c.err" </dev/null
  echo $? >"$OUT/$c.status"
  env -0 >"$OUT/$c.after"
  [[ ! -e in/$c/config ]] || mv ~/.aws/config.kept ~/.aws/config
  [[ ! -e in/$c/credentials ]] || mv ~/.aws/credentials.kept ~/.aws/credentials
}
while IFS= read -r step; do run_step "$step"; done <in/steps
exit 0
