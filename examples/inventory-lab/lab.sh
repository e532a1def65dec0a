#!/usr/bin/env bash
# The inventory lab, built step by step with aws-cli against a running Awan:
#   S3 bucket → Load-Inventory → DynamoDB table Inventory → its stream →
#   Check-Stock → SNS topic NoStock → an email to the store manager.
#
# Usage: examples/inventory-lab/lab.sh [--fresh] [--runtime python|bootstrap|inprocess] [ENDPOINT]
#   ENDPOINT   default $AWS_ENDPOINT_URL, else http://127.0.0.1:4566
#   --fresh    POST /_awan/reset first (drops every resource in the daemon)
#   --runtime  python (default): the functions in functions/*.py with boto3, runtime python3.11;
#              bootstrap: the pipeline's C++ handlers built as one `bootstrap` executable
#              (functions/bootstrap.cpp, target inventory-bootstrap), runtime provided.al2023;
#              inprocess: the same handlers run inside the daemon (Handler awan:<name>, no code).
#              Re-running with another runtime updates the functions in place.
# Environment: LAB_EMAIL (default store-manager@example.com), LAB_BUCKET (default inventory-lab),
#   LAB_TIMEOUT (seconds to wait for the alerts, default 30), AWS_CLI (default aws),
#   LAB_BOOTSTRAP (the bootstrap executable, default build/release/inventory-bootstrap, built
#   with cmake when missing).
# Re-running it against the same daemon creates nothing twice and alerts nobody again.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SAMPLES="$ROOT/pipelines/inventory/samples"

FRESH=0
RUNTIME=python
ENDPOINT="${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}"
while [ $# -gt 0 ]; do
  case "$1" in
    --fresh) FRESH=1 ;;
    --runtime) RUNTIME="${2:-}"; shift ;;
    --runtime=*) RUNTIME="${1#--runtime=}" ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "lab.sh: unknown option $1" >&2; exit 2 ;;
    *) ENDPOINT="$1" ;;
  esac
  shift
done
case "$RUNTIME" in
  python|bootstrap|inprocess) ;;
  *) echo "lab.sh: --runtime is python, bootstrap or inprocess, not '$RUNTIME'" >&2; exit 2 ;;
esac
ENDPOINT="${ENDPOINT%/}"

EMAIL="${LAB_EMAIL:-store-manager@example.com}"
BUCKET="${LAB_BUCKET:-inventory-lab}"
TIMEOUT="${LAB_TIMEOUT:-30}"
AWS_CLI="${AWS_CLI:-aws}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-${AWS_REGION:-us-east-1}}"
export AWS_PAGER=""
REGION="$AWS_DEFAULT_REGION"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

step=0
heading() { step=$((step + 1)); printf '\n== %d. %s\n' "$step" "$*"; }
die() { printf '\nlab.sh: %s\n' "$*" >&2; exit 1; }

# aws ARGS...: aws-cli against the daemon, the command shown first (without the endpoint).
exec 3>&1  # the commands are shown on the terminal even when their output is captured
aws() {
  printf '$ aws %s\n' "$*" >&3
  command "$AWS_CLI" --endpoint-url "$ENDPOINT" "$@"
}
# quiet ARGS...: the same, not shown (lookups the lab does not need you to type).
quiet() { command "$AWS_CLI" --endpoint-url "$ENDPOINT" "$@"; }

# create ERRORCODE ARGS...: runs `aws ARGS...`; an error with ERRORCODE ("the resource is
# already there") is reported and ignored, any other error stops the lab.
create() {
  local code="$1" rc=0
  shift
  aws "$@" 2>"$WORK/stderr" || rc=$?
  if [ "$rc" -ne 0 ]; then
    if grep -q "($code)" "$WORK/stderr"; then
      echo "   (already there: $code)"
    else
      cat "$WORK/stderr" >&2
      exit "$rc"
    fi
  fi
}

# The daemon's SNS delivery log, as JSON (GET /_awan/sns/messages?Protocol=email).
email_log() { curl -fsS "$ENDPOINT/_awan/sns/messages?Protocol=email"; }

# ---------------------------------------------------------------------------------------------
heading "The daemon at $ENDPOINT"
curl -fsS "$ENDPOINT/_awan/health" >/dev/null 2>&1 ||
  die "no Awan answers at $ENDPOINT (start one with: build/release/awan serve)"
if [ "$FRESH" = 1 ]; then
  echo "$ curl -X POST -H 'Content-Type: application/json' $ENDPOINT/_awan/reset"
  curl -fsS -X POST -H 'Content-Type: application/json' "$ENDPOINT/_awan/reset" >/dev/null
  echo "   every service's state dropped"
fi
ACCOUNT="$(aws sts get-caller-identity --query Account --output text)"
echo "   account $ACCOUNT, region $REGION"

# The C++ pipeline (`awan serve --pipeline inventory`) deploys functions of the same names: the
# lab cannot build its own next to them. A function the lab made earlier gets its code updated.
# The lab's functions say so in their description; the pipeline's say "Inventory pipeline: …".
declare -A HANDLER=() DESCRIPTION=()
functions="$(quiet lambda list-functions --output text \
  --query "Functions[?FunctionName=='Load-Inventory' || FunctionName=='Check-Stock'].[FunctionName,Handler,Description]")"
while IFS=$'\t' read -r fn handler description; do
  [ -n "$fn" ] && HANDLER[$fn]="$handler" DESCRIPTION[$fn]="$description"
done <<<"$functions"
for fn in Load-Inventory Check-Stock; do
  case "${HANDLER[$fn]:-}" in
    ""|load_inventory.handler|check_stock.handler|Load-Inventory|Check-Stock) ;;
    awan:*) [[ "${DESCRIPTION[$fn]:-}" == "Inventory lab:"* ]] || die "function $fn already exists with the C++ handler ${HANDLER[$fn]}: this daemon runs
the inventory pipeline (awan serve --pipeline inventory), whose names the lab uses too. Start the
daemon without --pipeline (plain \`awan serve\`) for the lab, or run lab.sh --fresh to drop
every resource (the pipeline's too) first." ;;
    *) die "function $fn already exists with handler ${HANDLER[$fn]}, not the lab's: delete it or use --fresh" ;;
  esac
done

# ---------------------------------------------------------------------------------------------
heading "IAM roles for the two functions"
cat >"$WORK/trust.json" <<'EOF'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
EOF
cat >"$WORK/load-policy.json" <<'EOF'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow",
                "Action": ["s3:GetObject", "dynamodb:PutItem", "dynamodb:BatchWriteItem",
                           "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "*"}]}
EOF
cat >"$WORK/check-policy.json" <<'EOF'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow",
                "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                           "dynamodb:ListStreams", "sns:ListTopics", "sns:Publish",
                           "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "*"}]}
EOF
for pair in Load-Inventory:load Check-Stock:check; do
  fn="${pair%%:*}" policy="${pair##*:}"
  create EntityAlreadyExists iam create-role --role-name "Lambda-$fn-Role" \
    --assume-role-policy-document "file://$WORK/trust.json" --query Role.Arn --output text
  aws iam put-role-policy --role-name "Lambda-$fn-Role" --policy-name "$fn-Policy" \
    --policy-document "file://$WORK/$policy-policy.json"
done

# ---------------------------------------------------------------------------------------------
heading "DynamoDB table Inventory, with a stream of new and old images"
create ResourceInUseException dynamodb create-table --table-name Inventory \
  --attribute-definitions AttributeName=Store,AttributeType=S AttributeName=Item,AttributeType=S \
  --key-schema AttributeName=Store,KeyType=HASH AttributeName=Item,KeyType=RANGE \
  --billing-mode PAY_PER_REQUEST \
  --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES \
  --query TableDescription.TableStatus --output text
aws dynamodb wait table-exists --table-name Inventory
STREAM="$(aws dynamodb describe-table --table-name Inventory --query Table.LatestStreamArn --output text)"
if [ -z "$STREAM" ] || [ "$STREAM" = None ]; then
  die "table Inventory has no stream (was it created without one?)"
fi
echo "   stream $STREAM"

# ---------------------------------------------------------------------------------------------
heading "SNS topic NoStock and the store manager's email subscription ($EMAIL)"
TOPIC="$(aws sns create-topic --name NoStock --query TopicArn --output text)"
echo "   topic $TOPIC"
SUB="$(aws sns subscribe --topic-arn "$TOPIC" --protocol email --notification-endpoint "$EMAIL" \
  --return-subscription-arn --query SubscriptionArn --output text)"
echo "   subscription $SUB"
pending="$(quiet sns get-subscription-attributes --subscription-arn "$SUB" \
  --query Attributes.PendingConfirmation --output text)"
if [ "$pending" = true ]; then
  echo "   pending confirmation: reading the confirmation email, then following its link"
  link=""
  for _ in $(seq 1 50); do
    link="$(email_log | python3 -c '
import json, re, sys
sub = sys.argv[1]
for m in reversed(json.load(sys.stdin)["Messages"]):
    if m.get("Type") == "SubscriptionConfirmation" and m.get("SubscriptionArn") == sub \
            and m.get("Status") == "delivered":
        found = m.get("SubscribeURL") or re.search(r"https?://\S*Action=ConfirmSubscription\S*", m.get("Message", ""))
        if found:
            print(found if isinstance(found, str) else found.group(0))
            if m.get("OutboxPath"):
                print("   (the email: %s)" % m["OutboxPath"], file=sys.stderr)
            break
' "$SUB")"
    [ -n "$link" ] && break
    sleep 0.1
  done
  [ -n "$link" ] || die "no confirmation email for $SUB arrived"
  echo "\$ curl '$link'"
  curl -fsS "$link" >/dev/null
fi
listed="$(aws sns list-subscriptions-by-topic --topic-arn "$TOPIC" \
  --query "Subscriptions[?Endpoint=='$EMAIL'].[Protocol,Endpoint,SubscriptionArn]" --output text)"
echo "$listed"
case "$listed" in
  *PendingConfirmation*) die "the subscription of $EMAIL is still pending confirmation" ;;
esac

# ---------------------------------------------------------------------------------------------
if [ "$RUNTIME" = bootstrap ]; then
  heading "Lambda functions Load-Inventory and Check-Stock (provided.al2023, a C++ bootstrap)"
  BOOTSTRAP="${LAB_BOOTSTRAP:-$ROOT/build/release/inventory-bootstrap}"
  if [ ! -x "$BOOTSTRAP" ]; then
    echo "   building $BOOTSTRAP"
    [ -f "$ROOT/build/release/build.ninja" ] || die "no build at $ROOT/build/release: run scripts/build.sh first"
    cmake --build "$ROOT/build/release" --target inventory-bootstrap >/dev/null
  fi
  mkdir -p "$WORK/bootstrap"
  cp "$BOOTSTRAP" "$WORK/bootstrap/bootstrap"
  (cd "$WORK/bootstrap" && zip -q -X "$WORK/bootstrap.zip" bootstrap)
  echo "   one executable for both functions (the Handler setting picks one): $(du -h "$WORK/bootstrap.zip" | cut -f1) zipped"
fi
if [ "$RUNTIME" = inprocess ]; then
  heading "Lambda functions Load-Inventory and Check-Stock (the C++ handlers inside the daemon)"
  echo "   Handler awan:<name> binds a function to a handler the daemon registered; the zip is a note"
  echo "in-process handler: see pipelines/inventory/handlers.cpp" >"$WORK/HANDLER.txt"
  (cd "$WORK" && zip -q -X "$WORK/inprocess.zip" HANDLER.txt)
fi
[ "$RUNTIME" = python ] && heading "Lambda functions Load-Inventory and Check-Stock (python3.11)"
for pair in Load-Inventory:load_inventory Check-Stock:check_stock; do
  fn="${pair%%:*}" module="${pair##*:}"
  if [ "$RUNTIME" = bootstrap ]; then
    zipfile="$WORK/bootstrap.zip" runtime=provided.al2023 handler="$fn"
  elif [ "$RUNTIME" = inprocess ]; then
    zipfile="$WORK/inprocess.zip" runtime=provided.al2023 handler="awan:$fn"
  else
    (cd "$HERE/functions" && zip -q -X "$WORK/$module.zip" "$module.py")
    zipfile="$WORK/$module.zip" runtime=python3.11 handler="$module.handler"
  fi
  if [ -n "${HANDLER[$fn]:-}" ]; then
    echo "   $fn exists: updating its code"
    aws lambda update-function-code --function-name "$fn" --zip-file "fileb://$zipfile" \
      --query LastUpdateStatus --output text
    aws lambda wait function-updated-v2 --function-name "$fn"
    if [ "${HANDLER[$fn]}" != "$handler" ]; then
      aws lambda update-function-configuration --function-name "$fn" --runtime "$runtime" \
        --handler "$handler" --description "Inventory lab: $fn (lab.sh --runtime $RUNTIME)" \
        --query LastUpdateStatus --output text
      aws lambda wait function-updated-v2 --function-name "$fn"
    fi
  else
    aws lambda create-function --function-name "$fn" --runtime "$runtime" \
      --handler "$handler" --zip-file "fileb://$zipfile" \
      --description "Inventory lab: $fn (lab.sh --runtime $RUNTIME)" \
      --role "arn:aws:iam::$ACCOUNT:role/Lambda-$fn-Role" --timeout 60 --memory-size 256 \
      --query State --output text
    aws lambda wait function-active-v2 --function-name "$fn"
  fi
done
create ResourceConflictException lambda add-permission --function-name Load-Inventory \
  --statement-id s3-invoke-load-inventory --action lambda:InvokeFunction \
  --principal s3.amazonaws.com --source-arn "arn:aws:s3:::$BUCKET" --source-account "$ACCOUNT" \
  --query Statement --output text

# ---------------------------------------------------------------------------------------------
heading "S3 bucket $BUCKET, notifying Load-Inventory of new objects"
if [ "$REGION" = us-east-1 ]; then
  create BucketAlreadyOwnedByYou s3api create-bucket --bucket "$BUCKET" --query Location --output text
else
  create BucketAlreadyOwnedByYou s3api create-bucket --bucket "$BUCKET" \
    --create-bucket-configuration "LocationConstraint=$REGION" --query Location --output text
fi
cat >"$WORK/notification.json" <<EOF
{"LambdaFunctionConfigurations": [
  {"Id": "Load-Inventory",
   "LambdaFunctionArn": "arn:aws:lambda:$REGION:$ACCOUNT:function:Load-Inventory",
   "Events": ["s3:ObjectCreated:*"]}]}
EOF
aws s3api put-bucket-notification-configuration --bucket "$BUCKET" \
  --notification-configuration "file://$WORK/notification.json"

# ---------------------------------------------------------------------------------------------
heading "The table's stream feeds Check-Stock"
mapping="$(quiet lambda list-event-source-mappings --function-name Check-Stock \
  --event-source-arn "$STREAM" --query 'EventSourceMappings[0].[UUID,State]' --output text)"
read -r MAPPING state <<<"$mapping"
if [ -z "$MAPPING" ] || [ "$MAPPING" = None ]; then
  mapping="$(aws lambda create-event-source-mapping --function-name Check-Stock \
    --event-source-arn "$STREAM" --starting-position TRIM_HORIZON --batch-size 100 \
    --query '[UUID,State]' --output text)"
  read -r MAPPING state <<<"$mapping"
else
  echo "   the mapping exists: $MAPPING"
fi
for _ in $(seq 1 100); do
  [ "$state" = Enabled ] && break
  sleep 0.1
  state="$(quiet lambda get-event-source-mapping --uuid "$MAPPING" --query State --output text)"
done
echo "   mapping $MAPPING: $state"

# ---------------------------------------------------------------------------------------------
heading "Upload the sample inventories"
BEFORE="$(email_log | python3 -c 'import json, sys; print(max([m["Id"] for m in json.load(sys.stdin)["Messages"]] or [0]))')"
aws s3 cp "$SAMPLES/" "s3://$BUCKET/" --recursive --exclude '*' --include '*.csv' --no-progress

# ---------------------------------------------------------------------------------------------
heading "Wait for the alerts (up to ${TIMEOUT} s)"
# Every count-0 row of the samples must have been emailed (by this run or an earlier one on the
# same daemon: an unchanged file makes no stream record and so no new alert).
python3 - "$SAMPLES" >"$WORK/expected" <<'EOF'
import csv, glob, os, sys
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.csv"))):
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            if row.get("count") == "0":
                print(f"{row['store']} is out of stock of {row['item']}")
EOF
report() {
  email_log | python3 -c '
import json, sys
topic, wanted = sys.argv[1], [l.rstrip("\n") for l in open(sys.argv[2], encoding="utf-8")]
alerts = [m for m in json.load(sys.stdin)["Messages"]
          if m.get("Type") == "Notification" and m.get("TopicArn") == topic]
text = lambda m: m.get("Message", "").split("\n\n--\n")[0]
busy = [m for m in alerts if m.get("Status") in ("pending", "retrying")]
missing = [w for w in wanted if not any(text(m) == w and m.get("Status") == "delivered" for m in alerts)]
if sys.argv[3] == "check":
    sys.exit(1 if busy or missing else 0)
new = sum(1 for m in alerts if m.get("Id", 0) > int(sys.argv[5]))
print("   %d alert(s) on topic NoStock, %d of them from this upload%s:"
      % (len(alerts), new, "" if new else " (unchanged files make no stream records)"))
for m in alerts:
    where = m.get("OutboxPath") or "sent over SMTP"
    print("   [%s] %s — %s: %s" % (m.get("Status"), m.get("Subject"), text(m), m.get("Endpoint")))
    print("       %s" % where)
for w in missing:
    print("   MISSING: %s" % w)
folders = sorted({m["OutboxPath"].rsplit("/", 1)[0] for m in alerts if m.get("OutboxPath")})
if folders:
    print("\n   The emails (.eml files) are in: %s" % ", ".join(folders))
print("   Every delivery: curl %s/_awan/sns/messages?Protocol=email" % sys.argv[4])
sys.exit(1 if missing else 0)
' "$TOPIC" "$WORK/expected" "$1" "$ENDPOINT" "$BEFORE"
}
deadline=$((SECONDS + TIMEOUT))
until report check; do
  [ "$SECONDS" -lt "$deadline" ] || { report show || true; die "not every alert arrived within ${TIMEOUT} s"; }
  sleep 0.2
done
sleep 0.5  # let anything unexpected show up too
report show
echo
echo "Done. Upload another CSV with: aws --endpoint-url $ENDPOINT s3 cp FILE s3://$BUCKET/"
