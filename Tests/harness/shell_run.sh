# shellcheck shell=bash
# The tests' one shell driver, for bash and zsh (shell_run.fish is the same for fish). Run as
# `bash --norc --noprofile shell_run.sh bash IN OUT` or `zsh -f shell_run.sh zsh IN OUT`:
# exports the presets (IN/presets names them, IN/preset/NAME holds each value), loads the hook
# of that shell from another directory, evaluates $PRE (its stderr to OUT/pre-err), then runs
# every step of IN/steps in this one shell: `awsenv ARGS...` through the hook function, ARGS
# from IN/STEP/0, 1, ... (raw bytes), with IN/STEP/config and IN/STEP/credentials in place of
# ~/.aws's files during the step when given. Each step gets OUT/STEP/: before.env and after.env
# (`env -0` around the command), err (its stderr) and result ("STATUS START_NS END_NS").
# TRAP=1 adds an INT trap that writes OUT/STEP/trapped. IN and OUT are absolute paths; the
# steps run in the directory the driver started in. Written in the part of the language bash
# and zsh share. ShellRun (Tests/IntegrationTests/ShellRun.swift) writes IN and reads OUT.
SH=$1 IN=$2 OUT=$3 STEP=
[ "${TRAP-}" = 1 ] && trap 'echo interrupted >>"$OUT/$STEP/trapped"' INT
if [[ -e $IN/presets ]]; then
  while IFS= read -r n; do
    IFS= read -r -d '' a <"$IN/preset/$n" || true
    export "$n=$a"
  done <"$IN/presets"
fi
HERE=$PWD
cd / || exit
eval "$("$AWSENV" init "$SH")"
cd "$HERE" || exit
[ -z "${PRE-}" ] || eval "$PRE" 2>"$OUT/pre-err"
run_step() {
  local c=$1 i=0 a start end rc
  local -a args
  args=()
  while [[ -e $IN/$c/$i ]]; do
    IFS= read -r -d '' a <"$IN/$c/$i" || true
    args+=("$a")
    i=$((i + 1))
  done
  mkdir -p "$OUT/$c"
  [[ ! -e $IN/$c/config ]] || { cp ~/.aws/config ~/.aws/config.kept; cp "$IN/$c/config" ~/.aws/config; }
  [[ ! -e $IN/$c/credentials ]] || {
    cp ~/.aws/credentials ~/.aws/credentials.kept; cp "$IN/$c/credentials" ~/.aws/credentials; }
  env -0 >"$OUT/$c/before.env"
  start=$(date +%s%N)
  awsenv "${args[@]}" 2>"$OUT/$c/err" </dev/null
  rc=$?
  end=$(date +%s%N)
  env -0 >"$OUT/$c/after.env"
  printf '%s %s %s\n' "$rc" "$start" "$end" >"$OUT/$c/result"
  [[ ! -e $IN/$c/config ]] || mv ~/.aws/config.kept ~/.aws/config
  [[ ! -e $IN/$c/credentials ]] || mv ~/.aws/credentials.kept ~/.aws/credentials
}
while IFS= read -r STEP; do run_step "$STEP"; done <"$IN/steps"
exit 0
