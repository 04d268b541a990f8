#!/usr/bin/env bash
# Scenario 6: one credential request to `awsenv exec --server` on loopback with a cached
# session, as an SDK's container provider makes it (a new connection, GET with the token, the
# JSON read to the end). Runs in a throwaway sandbox (Tests/harness/sandbox.sh); the profile's
# session comes from a credential_process with a far expiry, so no STS is needed.
#
#   bench/server.sh AWSENV [REQUESTS]      prints "median_ms p90_ms" of REQUESTS (default 2000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "$1")
requests=${2:-2000}
# shellcheck disable=SC2016 # the script is expanded by the inner bash, with its arguments
exec "$root/Tests/harness/sandbox.sh" -- bash -c '
  set -euo pipefail
  bin=$1 requests=$2 root=$3
  mkdir -p ~/.aws
  cat >~/.aws/config <<CONF
[profile bench]
credential_process = printf "{\"Version\":1,\"AccessKeyId\":\"ASIAAWSENVBENCH00001\",\"SecretAccessKey\":\"benchSecretbenchSecretbenchSecret0001\",\"SessionToken\":\"benchToken\",\"Expiration\":\"2099-01-01T00:00:00Z\"}"
CONF
  "$bin" exec bench --server -- python3 "$root/bench/server_request.py" "$requests"
' bench "$bin" "$requests" "$root"
