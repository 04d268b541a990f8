# shellcheck shell=bash
# Run by bash (--norc --noprofile) or zsh (-f) with awsenv's arguments: loads the hook of $HOOK
# (bash or zsh), evaluates $PRE, then runs `awsenv ARGS...` through the hook function. $OUT gets
# before.env and after.env (`env -0` around the command), err (its stderr) and result
# ("STATUS START_NS END_NS"); TRAP=1 adds an INT trap that writes $OUT/trapped. Used by
# fault_lib.sh's run_in; written in the part of the language bash and zsh share.
[ "${TRAP-}" = 1 ] && trap 'echo interrupted >>"$OUT/trapped"' INT
eval "$("$AWSENV" init "$HOOK")"
[ -z "${PRE-}" ] || eval "$PRE" 2>"$OUT/pre-err"
env -0 >"$OUT/before.env"
start=$(date +%s%N)
awsenv "$@" 2>"$OUT/err"
rc=$?
end=$(date +%s%N)
env -0 >"$OUT/after.env"
printf '%s %s %s\n' "$rc" "$start" "$end" >"$OUT/result"
