#!/usr/bin/env bash
# Quick start (1): install what is missing, build, and start the simulator on port 4566 with
# the inventory pipeline deployed (upload a CSV to s3://inventory; alerts land in the outbox).
# Extra arguments go to `awan serve` (e.g. --port 0, --data-dir ./data, --smtp localhost:1025).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/${AWAN_PRESET:-release}/awan serve --pipeline inventory "$@"
