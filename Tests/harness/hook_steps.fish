# Run by fish, from HOME: hook_steps.sh for fish (the presets, the hook, every step of
# in/steps in this one shell; writes out/fish/STEP.before, .after, .err and .status).
set -g OUT out/fish
mkdir -p $OUT
if test -e in/presets
  while read -l n
    set -gx $n (string collect -N -a <in/preset/$n)
  end <in/presets
end
cd /
"$AWSENV" init fish | source
cd ~
function run_step -a c
  set -l args
  set -l i 0
  while test -e in/$c/$i
    set -a args (string collect -N -a <in/$c/$i)
    set i (math $i + 1)
  end
  if test -e in/$c/config
    cp ~/.aws/config ~/.aws/config.kept; cp in/$c/config ~/.aws/config
  end
  if test -e in/$c/credentials
    cp ~/.aws/credentials ~/.aws/credentials.kept; cp in/$c/credentials ~/.aws/credentials
  end
  env -0 >$OUT/$c.before
  awsenv $args 2>$OUT/$c.err </dev/null
  echo $status >$OUT/$c.status
  env -0 >$OUT/$c.after
  test -e in/$c/config; and mv ~/.aws/config.kept ~/.aws/config
  test -e in/$c/credentials; and mv ~/.aws/credentials.kept ~/.aws/credentials
end
while read -l step
  run_step $step
end <in/steps
exit 0
