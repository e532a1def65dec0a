"""Lambda benchmark: Invoke throughput and latency (wrk) for an in-process C++ handler, a warm
Python function and warm `bootstrap` (provided.al2023) runtimes — a compiled one
(bench/echo_bootstrap.cpp, awan::run_bootstrap) and a Python script; cold starts of both
bootstraps, a Python and a Node.js function; DynamoDB stream write → handler latency for a warm
Python function. Beside the bare Beast ceiling measured in the same run.
Goals (issue 12): bootstrap cold start < 20 ms; warm Python invoke p50 < 2 ms; stream write →
handler p99 < 100 ms.
  python3 bench/lambda.py [duration_s] [connections]"""
import json
import os
import statistics
import sys
import time


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

duration = int(sys.argv[1]) if len(sys.argv) > 1 else 5
connections = int(sys.argv[2]) if len(sys.argv) > 2 else 8
AUTH = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0"
ROLE = "arn:aws:iam::000000000000:role/bench"

PY = "def handler(event, context):\n    return {'ok': True}\n"
NODE = "export const handler = async (event) => ({ ok: true });\n"
# A bootstrap speaking the Runtime API over one kept-alive connection (Python, no SDK).
BOOTSTRAP = """#!/usr/bin/env python3
import http.client, os
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
c = http.client.HTTPConnection(host, int(port))
while True:
    c.request("GET", "/2018-06-01/runtime/invocation/next")
    r = c.getresponse()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    r.read()
    c.request("POST", f"/2018-06-01/runtime/invocation/{rid}/response", body=b'{"ok": true}')
    c.getresponse().read()
"""
STREAM = """
import boto3, json, time
q = boto3.client("sqs")
url = None
def handler(event, context):
    global url
    url = url or q.get_queue_url(QueueName="latency")["QueueUrl"]
    now = time.time()
    lat = [now - float(r["dynamodb"]["NewImage"]["t"]["N"]) for r in event["Records"] if "NewImage" in r["dynamodb"]]
    q.send_message(QueueUrl=url, MessageBody=json.dumps(lat))
"""


def invoke_lua(name):
    return lib.lua_script("POST", "{}", {"Authorization": AUTH, "Content-Type": "application/json"}), \
        f"/2015-03-31/functions/{name}/invocations"


def create(lam, name, runtime, handler, files):
    # An in-process handler needs no code, but older botocore insists on a package.
    code = {"ZipFile": lib.zip_of(files or {"README": "in-process handler"})}
    lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler, Role=ROLE, Timeout=30, Code=code)


def cold_start(lam, name):
    t0 = time.perf_counter()
    lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()
    return (time.perf_counter() - t0) * 1000


bare = lib.start_bare()
ceiling = lib.wrk(bare.url + "/", duration=duration, connections=connections)
bare.stop()

awan = lib.start_awan()
iam = lib.client(awan.url, "iam")
iam.create_role(RoleName="bench", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
lam = lib.client(awan.url, "lambda")
create(lam, "inproc", "provided.al2023", "awan:Check-Stock", None)
create(lam, "py", "python3.11", "app.handler", {"app.py": PY})
create(lam, "boot", "provided.al2023", "bench", {"bootstrap": BOOTSTRAP})
with open(os.path.join(lib.BUILD, "bench", "echo_bootstrap"), "rb") as f:
    create(lam, "cboot", "provided.al2023", "bench", {"bootstrap": f.read()})
create(lam, "node", "nodejs20.x", "index.handler", {"index.mjs": NODE})

colds = {name: cold_start(lam, name) for name in ("cboot", "boot", "py", "node")}

rows = []
for label, name in [("Invoke in-process C++ handler", "inproc"), ("Invoke warm Python", "py"),
                    ("Invoke warm compiled bootstrap", "cboot"), ("Invoke warm bootstrap (Python script)", "boot")]:
    script, path = invoke_lua(name)
    rows.append((label, lib.wrk(awan.url + path, script, duration=duration, connections=connections)))
# Single-connection latency of a warm Python invoke (the p50 goal is per request, not under load).
script, path = invoke_lua("py")
rows.append(("Invoke warm Python, 1 connection", lib.wrk(awan.url + path, script, duration=duration, connections=1)))

# Stream write → handler latency.
ddb, sqs = lib.client(awan.url, "dynamodb"), lib.client(awan.url, "sqs")
q = sqs.create_queue(QueueName="latency")["QueueUrl"]
t = ddb.create_table(TableName="Lat", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
create(lam, "stream", "python3.11", "app.handler", {"app.py": STREAM})
lam.create_event_source_mapping(EventSourceArn=t["TableDescription"]["LatestStreamArn"], FunctionName="stream",
                                StartingPosition="LATEST", BatchSize=100)
# Warm: the goal is the stream's latency, not the function's cold start (import boto3 alone
# takes longer than the goal).
lam.invoke(FunctionName="stream", Payload=json.dumps({"Records": []}).encode())
time.sleep(0.5)
for i in range(200):
    ddb.put_item(TableName="Lat", Item={"k": {"S": str(i)}, "t": {"N": repr(time.time())}})
    time.sleep(0.01)
lat = []
deadline = time.time() + 20
while len(lat) < 200 and time.time() < deadline:
    for m in sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
        lat += [x * 1000 for x in json.loads(m["Body"])]
        sqs.delete_message(QueueUrl=q, ReceiptHandle=m["ReceiptHandle"])
awan.stop()

print(f"bare Beast ceiling: {ceiling['rps']:.0f} req/s")
lib.report(rows, ceiling["rps"])
print()
print("cold start (create → first answer, client side):", ", ".join(f"{k} {v:.1f} ms" for k, v in colds.items()))
if lat:
    lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]  # noqa: E731
    print(f"stream write → handler: {len(lat)} records, p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max {lat[-1]:.1f} ms")
else:
    print("stream write → handler: no records arrived")
