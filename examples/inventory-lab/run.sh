#!/usr/bin/env bash
# The inventory lab in one command: starts a fresh daemon on a free port (state in memory, emails
# in a temporary outbox), builds the lab in it with lab.sh, shows the alert emails and stops the
# daemon. Needs aws-cli, curl, zip and python3 (the functions need boto3 in the daemon's Python).
# AWAN_BIN picks the daemon (default build/release/awan); KEEP=1 keeps the outbox afterwards.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
AWAN_BIN="${AWAN_BIN:-$ROOT/build/release/awan}"
[ -x "$AWAN_BIN" ] || { echo "run.sh: no daemon at $AWAN_BIN (build it with scripts/build.sh, or set AWAN_BIN)" >&2; exit 1; }

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_PAGER=""

TMP="$(mktemp -d -t awan-inventory-lab.XXXXXX)"
OUTBOX="$TMP/outbox"
PID=""
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "(kept $TMP)"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

"$AWAN_BIN" serve --port 0 --outbox "$OUTBOX" >"$TMP/awan.out" 2>"$TMP/awan.log" &
PID=$!
ENDPOINT=""
for _ in $(seq 1 100); do
  ENDPOINT="$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$TMP/awan.out" | head -n 1)"
  [ -n "$ENDPOINT" ] && break
  kill -0 "$PID" 2>/dev/null || { cat "$TMP/awan.log" >&2; echo "run.sh: the daemon did not start" >&2; exit 1; }
  sleep 0.1
done
[ -n "$ENDPOINT" ] || { echo "run.sh: the daemon printed no 'listening on' line" >&2; exit 1; }
echo "Awan (pid $PID) listening on $ENDPOINT, outbox $OUTBOX"

"$HERE/lab.sh" "$ENDPOINT" "$@"

echo
echo "== The alerts, as the daemon delivered them"
curl -fsS "$ENDPOINT/_awan/sns/messages?Protocol=email&Status=delivered" | python3 -c '
import json, sys
for m in json.load(sys.stdin)["Messages"]:
    if m["Type"] == "Notification":
        print("   %s" % m["Message"].split("\n\n--\n")[0])'

echo
echo "== The emails in $OUTBOX"
ls -1 "$OUTBOX"
first="$(grep -l '^Subject: Inventory Alert!' "$OUTBOX"/*.eml | head -n 1 || true)"
if [ -n "$first" ]; then
  echo
  echo "== One of them: $first"
  sed 's/\r$//' "$first"
fi
