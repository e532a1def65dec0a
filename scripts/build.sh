#!/usr/bin/env bash
# Configures (once) and builds Awan with the release preset (Ninja, ccache).
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET="${AWAN_PRESET:-release}"
if [ ! -f "build/$PRESET/build.ninja" ]; then
  cmake --preset "$PRESET" >/dev/null
fi
cmake --build --preset "$PRESET"
