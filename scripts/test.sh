#!/usr/bin/env bash
# Quick start (2): install what is missing, build, and run every test: the GoogleTest unit
# tests (ctest) and the integration tests (pytest driving a running awan with aws-cli, boto3
# and the AWS SDK for JavaScript v3).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
PRESET="${AWAN_PRESET:-release}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
echo "== unit tests (ctest) =="
ctest --preset "$PRESET" -j2 --timeout 120
echo "== fuzz smoke (each libFuzzer target briefly, ASan+UBSan) =="
[ -f build/fuzz/build.ninja ] || cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
ctest --preset fuzz -j2 --timeout 120
echo "== integration tests (pytest) =="
AWAN_BIN="$PWD/build/$PRESET/awan" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration "$@"
