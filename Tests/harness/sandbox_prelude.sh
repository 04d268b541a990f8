# shellcheck shell=bash
# Sourced first by every Harness.sandbox script (bash): strict mode, the binary under test
# ($AWSENV, set by Harness.sandbox) first on PATH, and HOME as the working directory.
set -euo pipefail
export AWSENV
PATH="$(dirname "$AWSENV"):$PATH"
export PATH
cd "$HOME"
