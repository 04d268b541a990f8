#!/usr/bin/env bash
# Scenario 4 of the benchmark, inside a sandbox whose keyring already holds COUNT awsenv items
# (bench/fill_keyring.py): a config with COUNT profiles, then profile completion and `awsenv
# list` under hyperfine, and their peak memory.
#
#   bench/scale.sh AWSENV-BINARY WORK-DIR COUNT RUNS
set -euo pipefail
bin=$1 work=$2 count=$3 runs=$4
results=$work/results
# A listing of 5,000 takes seconds: 10 runs are enough to see it.
[ "$count" -lt 5000 ] || [ "$runs" -le 10 ] || runs=10
mkdir -p "$results" "$HOME/.aws"

# COUNT profiles named as the keyring's items: even ones have keys (in the keyring), odd ones
# are roles over the one before, as a large organisation's config looks.
python3 - "$count" >"$HOME/.aws/config" <<'PY'
import sys
out = ["[default]", "region = us-east-1", ""]
for i in range(int(sys.argv[1])):
    out.append(f"[profile bench-{i}]")
    if i % 2:
        out.append(f"role_arn = arn:aws:iam::123456789012:role/bench-role-{i}")
        out.append(f"source_profile = bench-{i - 1}")
        out.append(f"role_session_name = bench")
    out.append("region = eu-west-1")
    out.append("")
print("\n".join(out))
PY

index=${XDG_CACHE_HOME:-$HOME/.cache}/awsenv/keyring-index
items=$("$work/floor" list | awk '$1 == "list-items" {print $2}')
printf 'items-%s\t%s\n' "$count" "$items" >>"$results/facts-scale.tsv"
lines=$("$bin" list | wc -l)
[ "$lines" -gt "$count" ] || { echo "bench: awsenv list printed $lines lines for $count profiles" >&2; exit 1; }

# secret-tool search --all (libsecret's own listing, secrets included) loads every item at once
# and fails beyond ~300 items on a bus that caps pending replies at 128 ("No such secret item"):
# it is measured only below that.
search=()
[ "$count" -gt 300 ] ||
  search=(-n "secret-tool search --all $count" "secret-tool search --all application awsenv")
hyperfine --style basic --warmup 2 --runs "$runs" -N --export-json "$results/scale-$count.json" \
  -n "completion $count" "$bin ---completion use -- positional@0 awsenv use ''" \
  -n "awsenv list $count" "$bin list" "${search[@]}"

# `list` keeps an index of item paths (Sources/AwsenvCore/Keyring/KeyringIndex.swift): the runs
# above find it warm (every item known, one SearchItems). Cold: the index deleted before each
# run, so every item's attributes are read and the index written (the first `list` ever, or
# after the provider restarted). At 5,000 that takes seconds: 5 runs.
cold=$runs
[ "$count" -lt 5000 ] || cold=5
hyperfine --style basic --runs "$cold" -N --prepare "rm -f $index" \
  --export-json "$results/scale-cold-$count.json" -n "awsenv list cold $count" "$bin list"
"$bin" list >/dev/null

# The floor of a listing: the fastest client's SearchItems + one Properties.Get per item
# (bench/floor.c), median of 3.
for part in total us-per-item search; do
  value=$(for _ in 1 2 3; do "$work/floor" list; done | awk -v n="list-$part" '$1 == n {print $2}' |
    sort -g | sed -n 2p)
  printf 'floor-list-%s-%s\t%s\n' "$part" "$count" "$value" >>"$results/facts-scale.tsv"
done

for name in completion list list-cold; do
  most=0
  for _ in 1 2 3; do
    if [ "$name" = list-cold ]; then
      rm -f "$index"
      /usr/bin/time -f '%M' -o "$TMPDIR/rss" "$bin" list >/dev/null 2>&1 || true
    elif [ "$name" = list ]; then
      /usr/bin/time -f '%M' -o "$TMPDIR/rss" "$bin" list >/dev/null 2>&1 || true
    else
      /usr/bin/time -f '%M' -o "$TMPDIR/rss" "$bin" ---completion use -- positional@0 awsenv use '' >/dev/null 2>&1 || true
    fi
    kib=$(tail -1 "$TMPDIR/rss")
    [ "$kib" -le "$most" ] || most=$kib
  done
  printf 'rss-awsenv %s %s\t%s\n' "$name" "$count" "$most" >>"$results/facts-scale.tsv"
done
