#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (with AddressSanitizer) and runs each for a bounded
# time, starting from the committed corpus in fuzz/corpus/TARGET. New inputs go to a scratch
# corpus under the build directory, never into fuzz/corpus. Prints, per target, the executions,
# exec/s and coverage; exits 1 when any target crashed, hung, leaked or ran out of memory, and
# leaves the reproducer in fuzz/artifacts/TARGET/.
#
#   scripts/fuzz.sh [--seconds N] [--scratch DIR] [TARGET...] [-- LIBFUZZER-FLAG...]
#
# --seconds: per target (default: $FUZZ_SECONDS, else 60). TARGET: fuzz-config, fuzz-sts-xml,
# fuzz-sso-json, fuzz-shell-escape (default: all). Replay one reproducer with
#   .build-fuzz/release/TARGET fuzz/artifacts/TARGET/crash-…
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
scratch=$root/.build-fuzz
targets=()
extra=()
all=(fuzz-config fuzz-sts-xml fuzz-sso-json fuzz-shell-escape)

while [ $# -gt 0 ]; do
  case $1 in
  --seconds)
    seconds=${2:?--seconds needs a number}
    shift 2
    ;;
  --seconds=*)
    seconds=${1#--seconds=}
    shift
    ;;
  --scratch)
    scratch=${2:?--scratch needs a directory}
    shift 2
    ;;
  --)
    shift
    extra=("$@")
    break
    ;;
  -h | --help)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  fuzz-*)
    targets+=("$1")
    shift
    ;;
  *)
    echo "fuzz.sh: unknown argument '$1' (see --help)" >&2
    exit 2
    ;;
  esac
done
case $seconds in '' | *[!0-9]*)
  echo "fuzz.sh: --seconds wants a whole number, not '$seconds'" >&2
  exit 2
  ;;
esac
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

swift=${SWIFT:-swift}
echo "fuzz: building fuzz/ into $scratch (release, -sanitize=fuzzer,address)" >&2
"$swift" build --package-path "$root/fuzz" --scratch-path "$scratch" -c release \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing
bin=$("$swift" build --package-path "$root/fuzz" --scratch-path "$scratch" -c release \
  --show-bin-path)

# The Swift runtime's own crash reporter would hold the fuzzer's output pipe open and add
# nothing to AddressSanitizer's report.
export SWIFT_BACKTRACE=enable=no

failed=()
summary=()
for target in "${targets[@]}"; do
  [ -x "$bin/$target" ] || {
    echo "fuzz.sh: no target $target in fuzz/" >&2
    exit 2
  }
  work=$scratch/fuzz-work/$target
  artifacts=$root/fuzz/artifacts/$target
  mkdir -p "$work/corpus" "$artifacts"
  log=$work/log
  echo "fuzz: $target for ${seconds}s (log: $log)" >&2
  status=0
  started=$SECONDS
  # The scratch corpus comes first: libFuzzer adds new inputs to the first directory only.
  "$bin/$target" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 \
    -timeout=30 -max_len=4096 -dict="$root/fuzz/dict/$target.dict" \
    -artifact_prefix="$artifacts/" ${extra[@]+"${extra[@]}"} \
    "$work/corpus" "$root/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  took=$((SECONDS - started))
  coverage=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -n 1 || true)
  line="$target: ${runs:-?} executions in $took s (${rate:-?}/s), ${coverage:-no coverage line}"
  if [ "$status" -ne 0 ]; then
    reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    grep -E '^(fuzz-[a-z-]+:|==[0-9]+==ERROR|SUMMARY:)' "$log" | head -n 20 >&2 || true
    line="$line; FAILED (exit $status), reproducer: ${reproducer:-none written, see $log}"
    failed+=("$target")
  fi
  echo "fuzz: $line" >&2
  summary+=("$line")
done

printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
