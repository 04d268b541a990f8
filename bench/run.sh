#!/usr/bin/env bash
# `make bench`: builds awsenv as released (release, Swift runtime linked statically), then
# measures it side by side with the keyring's own floor (secret-tool, and bench/floor.c in
# process), curl and the peers (awsume, the AWS CLI v2), each in a throwaway sandbox
# (Tests/harness/sandbox.sh) with the local STS, and writes bench/RESULTS.md.
#
#   bench/run.sh [--runs N] [--scales "50 500 5000"] [--no-build] [--bin AWSENV] [--out FILE]
#                [--part all|switch|scale]
#
# --bin measures another awsenv binary (e.g. an older build, for a before/after) and --out
# writes its table elsewhere than bench/RESULTS.md. --part reruns scenarios 1-3 and 5 (switch)
# or 4 (scale) only, keeping the other part's results from the last run.
#
# AWSENV_BENCH_WORK (default /tmp/awsenv-bench) keeps what is slow to make between runs: the
# awsume venv and the filled keyrings (gnome-keyring rewrites its whole file on every new item,
# so 5,000 items take ~15 minutes to store the first time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${AWSENV_BENCH_WORK:-/tmp/awsenv-bench}
runs=30 scales="50 500 5000" build=1 bin='' out=$root/bench/RESULTS.md part=all
usage='usage: bench/run.sh [--runs N] [--scales "50 500 5000"] [--no-build] [--bin AWSENV] [--out FILE] [--part all|switch|scale]'
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --scales) scales=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --bin) bin=$2 build=0; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --part) part=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done

"$root/bench/setup.sh" "$work"
cd "$root"
scratch=$root/.build-bench
if [ "$build" = 1 ]; then
  swift build -c release --static-swift-stdlib --scratch-path "$scratch"
fi
[ -n "$bin" ] || bin=$scratch/release/awsenv
[ -x "$bin" ] || { echo "bench: no $bin (run without --no-build)" >&2; exit 1; }

results=$work/results
mkdir -p "$results"
case $part in
  all) rm -f "$results/"* ;;
  switch) rm -f "$results/"{use-cached,startup,use-cold}.json "$results/"prompt-*.json "$results/facts-switch.tsv" "$results/facts-server.tsv" ;;
  scale) rm -f "$results/"scale-*.json "$results/facts-scale.tsv" ;;
  *) echo "$usage" >&2; exit 2 ;;
esac

# The in-process floor of the keyring work (bench/floor.c), run by inner.sh and scale.sh.
cc=${CC:-$(command -v cc || command -v gcc || command -v clang)}
# shellcheck disable=SC2046 # pkg-config prints several words on purpose.
"$cc" -O2 -o "$work/floor" "$root/bench/floor.c" $(pkg-config --cflags --libs libsecret-1)

if [ "$part" != scale ]; then
  echo "bench: switching, refreshing, prompting (runs: $runs)" >&2
  "$root/Tests/harness/sandbox.sh" -- "$root/bench/inner.sh" "$bin" "$work" "$runs"
  echo "bench: one credential request to exec --server (2,000 requests)" >&2
  read -r median p90 < <("$root/bench/server.sh" "$bin" 2000 | tail -n 1)
  printf 'server-request-median-ms\t%s\nserver-request-p90-ms\t%s\n' "$median" "$p90" \
    >"$results/facts-server.tsv"
fi

[ "$part" != switch ] || scales=''
for count in $scales; do
  kept=$work/keyrings/$count
  if [ ! -f "$kept/login.keyring" ]; then
    echo "bench: storing $count items in a keyring (once; kept in $kept)" >&2
    rm -rf "$work/fill-$count"
    mkdir -p "$work/fill-$count"
    "$root/Tests/harness/sandbox.sh" --dir "$work/fill-$count" -- \
      /usr/bin/python3 "$root/bench/fill_keyring.py" "$count"
    mkdir -p "$kept"
    cp "$work/fill-$count/home/.local/share/keyrings/"* "$kept/"
    rm -rf "$work/fill-$count"
  fi
  echo "bench: $count profiles and items" >&2
  sandbox=$work/sandbox-$count
  rm -rf "$sandbox"
  mkdir -p "$sandbox/home/.local/share/keyrings"
  cp "$kept/"* "$sandbox/home/.local/share/keyrings/"
  "$root/Tests/harness/sandbox.sh" --dir "$sandbox" -- \
    "$root/bench/scale.sh" "$bin" "$work" "$count" "$runs"
  rm -rf "$sandbox"
done

python3 "$root/bench/report.py" "$results" "$bin" >"$out"
echo "bench: wrote $out" >&2
