# Run by fish (--no-config) with awsenv's arguments: the fish side of hook_run.sh (the hook,
# then `awsenv ARGS...`; $OUT gets before.env, after.env, err and result).
"$AWSENV" init fish | source
env -0 >"$OUT/before.env"
set -l start (date +%s%N)
awsenv $argv 2>"$OUT/err"
set -l rc $status
set -l end (date +%s%N)
env -0 >"$OUT/after.env"
printf '%s %s %s\n' $rc $start $end >"$OUT/result"
