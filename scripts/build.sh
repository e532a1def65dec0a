#!/usr/bin/env bash
# Configures (once) and builds Awan with the release preset (Ninja, ccache).
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET="${AWAN_PRESET:-release}"
# ccache keys on paths relative to the checkout, so that every clone (CI's included) shares it.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
if [ ! -f "build/$PRESET/build.ninja" ]; then
  cmake --preset "$PRESET" >/dev/null
fi
cmake --build --preset "$PRESET"
