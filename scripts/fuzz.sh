#!/usr/bin/env bash
# Runs the libFuzzer targets (fuzz/*.cpp) under ASan+UBSan, each for a given time, over its seed
# corpus (fuzz/corpus/<name>, read only) and a working corpus kept in the build directory.
#   scripts/fuzz.sh [--time SECONDS] [--runs N] [--bin BUILD_DIR] [TARGET ...]
# Default: every target, 60 s each, building the `fuzz` preset first (clang). Prints one line
# per target with its executions; exits non-zero when a target finds a crash, a leak or UB (the
# reproducer is left in BUILD_DIR/fuzz-artifacts/).
set -euo pipefail
cd "$(dirname "$0")/.."
TIME=60
RUNS=""
BIN=""
TARGETS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) TIME="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    -h|--help) sed -n 2,7p "$0"; exit 0 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
if [ -z "$BIN" ]; then
  BIN=build/fuzz
  [ -f "$BIN/build.ninja" ] || cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz
fi
if [ ${#TARGETS[@]} -eq 0 ]; then
  for f in fuzz/*.cpp; do TARGETS+=("$(basename "$f" .cpp)"); done
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:allocator_may_return_null=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1}:print_stacktrace=1"
status=0
for t in "${TARGETS[@]}"; do
  exe="$BIN/fuzz_$t"
  [ -x "$exe" ] || { echo "fuzz: no target $exe" >&2; exit 2; }
  work="$BIN/fuzz-corpus/$t"
  art="$BIN/fuzz-artifacts"
  mkdir -p "$work" "$art"
  seeds=()
  [ -d "fuzz/corpus/$t" ] && seeds=("fuzz/corpus/$t")
  log="$BIN/fuzz-$t.log"
  args=(-max_total_time="$TIME" -print_final_stats=1 -artifact_prefix="$art/$t-" -rss_limit_mb=4096
        -timeout=10)
  [ -n "$RUNS" ] && args+=(-runs="$RUNS")
  if "$exe" "${args[@]}" "$work" "${seeds[@]}" >"$log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $t ok, $execs executions in ${TIME}s or less"
  else
    echo "fuzz: $t FAILED (see $log, reproducer in $art/)" >&2
    tail -40 "$log" >&2
    status=1
  fi
done
exit $status
