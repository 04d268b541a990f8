# The tests' one shell driver, for fish: shell_run.sh (see there) in fish's syntax. Run as
# `fish --no-config shell_run.fish IN OUT`. $PRE and TRAP are for bash and zsh only.
set -g IN $argv[1]
set -g OUT $argv[2]
if test -e $IN/presets
  while read -l n
    set -gx $n (string collect -N -a <$IN/preset/$n)
  end <$IN/presets
end
set -l here $PWD
cd /
"$AWSENV" init fish | source
cd $here
function run_step -a c
  set -l args
  set -l i 0
  while test -e $IN/$c/$i
    set -a args (string collect -N -a <$IN/$c/$i)
    set i (math $i + 1)
  end
  mkdir -p $OUT/$c
  if test -e $IN/$c/config
    cp ~/.aws/config ~/.aws/config.kept; cp $IN/$c/config ~/.aws/config
  end
  if test -e $IN/$c/credentials
    cp ~/.aws/credentials ~/.aws/credentials.kept; cp $IN/$c/credentials ~/.aws/credentials
  end
  env -0 >$OUT/$c/before.env
  set -l start (date +%s%N)
  awsenv $args 2>$OUT/$c/err </dev/null
  set -l rc $status
  set -l end (date +%s%N)
  env -0 >$OUT/$c/after.env
  printf '%s %s %s\n' $rc $start $end >$OUT/$c/result
  test -e $IN/$c/config; and mv ~/.aws/config.kept ~/.aws/config
  test -e $IN/$c/credentials; and mv ~/.aws/credentials.kept ~/.aws/credentials
end
while read -l step
  run_step $step
end <$IN/steps
exit 0
