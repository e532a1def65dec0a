#!/usr/bin/env python3
"""DynamoDB benchmark: GetItem, PutItem, UpdateItem (with a condition), Query (100 items) and
Scan (100 items) over loopback with wrk (Lua scripts posting awsJson 1.0 bodies), beside the
bare Beast ceiling measured in the same run, and beside dynalite when it is installed
(DYNALITE=/path/to/node_modules/.bin/dynalite, or bench/node_modules/.bin/dynalite). Then memory
per stored item: RSS growth over 100k items against their DynamoDB size (TableSizeBytes).

Usage: AWAN_BUILD=build/<release-dir> bench/dynamodb.py [seconds-per-scenario] [connections]"""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import lib

duration = int(sys.argv[1]) if len(sys.argv) > 1 else 5
connections = int(sys.argv[2]) if len(sys.argv) > 2 else 16
HERE = os.path.dirname(os.path.abspath(__file__))
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0")
DATA = "x" * 100  # a 100-byte attribute in every item


def headers(op):
    return {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op,
            "Authorization": AUTH, "X-Amz-Date": "20260101T000000Z"}


class Client:
    """Keep-alive awsJson client for setup and checks."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, op, body):
        self.conn.request("POST", "/", json.dumps(body), headers(op))
        r = self.conn.getresponse()
        data = json.loads(r.read() or b"{}")
        if r.status != 200:
            raise RuntimeError(f"{op}: {r.status} {data}")
        return data


def create_table(c, name):
    c.call("CreateTable", {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]})
    for _ in range(200):  # dynalite answers CREATING for a while
        if c.call("DescribeTable", {"TableName": name})["Table"]["TableStatus"] == "ACTIVE":
            return
        time.sleep(0.05)
    raise RuntimeError("table did not become ACTIVE")


def item(pk, sk):
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}, "data": {"S": DATA}, "n": {"N": "1"}}


def batch_put(c, table, items):
    for i in range(0, len(items), 25):
        out = c.call("BatchWriteItem", {"RequestItems": {table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]}})
        assert not out.get("UnprocessedItems"), out


def setup(port):
    c = Client(port)
    create_table(c, "Bench")
    create_table(c, "ScanT")
    batch_put(c, "Bench", [item("hot", 1)] + [item("q", i) for i in range(100)])
    batch_put(c, "ScanT", [item(f"p{i % 10}", i) for i in range(100)])
    # Sanity: the scenarios' requests succeed and return what they should.
    assert c.call("Query", json.loads(BODIES["Query"]))["Count"] == 100
    assert c.call("Scan", json.loads(BODIES["Scan"]))["Count"] == 100
    assert c.call("GetItem", json.loads(BODIES["GetItem"]))["Item"]["pk"] == {"S": "hot"}
    c.call("UpdateItem", json.loads(BODIES["UpdateItem"]))


BODIES = {
    "GetItem": json.dumps({"TableName": "Bench", "Key": {"pk": {"S": "hot"}, "sk": {"N": "1"}}}),
    "UpdateItem": json.dumps({"TableName": "Bench", "Key": {"pk": {"S": "hot"}, "sk": {"N": "1"}},
                              "UpdateExpression": "SET #n = #n + :one", "ConditionExpression": "attribute_exists(pk)",
                              "ExpressionAttributeNames": {"#n": "n"}, "ExpressionAttributeValues": {":one": {"N": "1"}}}),
    "Query": json.dumps({"TableName": "Bench", "KeyConditionExpression": "pk = :p",
                         "ExpressionAttributeValues": {":p": {"S": "q"}}}),
    "Scan": json.dumps({"TableName": "ScanT"}),
}


def lua(op, body=None, put=False):
    """A wrk script posting `body` (or a PutItem of a new item per request)."""
    esc = lambda s: s.replace("\\", "\\\\").replace('"', '\\"')
    lines = ['wrk.method = "POST"']
    for k, v in headers(op).items():
        lines.append(f'wrk.headers["{k}"] = "{esc(v)}"')
    if put:
        prefix = esc('{"TableName":"Bench","Item":{"pk":{"S":"put"},"data":{"S":"' + DATA + '"},"n":{"N":"1"},"sk":{"N":"')
        lines += ["counter = 0", "request = function()", "  counter = counter + 1",
                  f'  return wrk.format(nil, nil, nil, "{prefix}" .. counter .. "\\"}}}}}}")', "end"]
    else:
        lines.append(f'wrk.body = "{esc(body)}"')
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write("\n".join(lines) + "\n")
    f.close()
    return f.name


SCENARIOS = [
    ("GetItem", lambda: lua("GetItem", BODIES["GetItem"])),
    ("PutItem (new item each)", lambda: lua("PutItem", put=True)),
    ("UpdateItem (with condition)", lambda: lua("UpdateItem", BODIES["UpdateItem"])),
    ("Query (100 items)", lambda: lua("Query", BODIES["Query"])),
    ("Scan (100 items)", lambda: lua("Scan", BODIES["Scan"])),
]


def run_scenarios(server, label, conns):
    rows = []
    setup(server.port)
    for name, script in SCENARIOS:
        rows.append((f"{label} {name}", lib.wrk(server.url + "/", script(), duration=duration, connections=conns)))
    return rows


class Dynalite:
    def __init__(self, binary):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.p = subprocess.Popen(["node", binary, "--port", str(self.port)], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        self.p.stdout.readline()

    def rss_kb(self):
        return lib.Proc.rss_kb(self)

    def stop(self):
        self.p.terminate()
        self.p.wait(timeout=5)


def find_dynalite():
    for cand in (os.environ.get("DYNALITE"), os.path.join(HERE, "node_modules", ".bin", "dynalite")):
        if cand and os.path.exists(cand):
            return os.path.realpath(cand)
    return None


def memory_per_item(server, n=100_000):
    c = Client(server.port)
    create_table(c, "Mem")
    time.sleep(0.2)
    before = server.rss_kb()
    items = [{"pk": {"S": f"user-{i:08d}"}, "sk": {"N": str(i)}, "data": {"S": DATA}, "n": {"N": str(i % 1000)}}
             for i in range(n)]
    batch_put(c, "Mem", items)
    time.sleep(0.2)
    after = server.rss_kb()
    size = c.call("DescribeTable", {"TableName": "Mem"})["Table"]["TableSizeBytes"]  # 0 from dynalite
    return (after - before) * 1024 / n, size / n


rows = []
bare = lib.start_bare()
try:
    ceiling = lib.wrk(bare.url + "/", duration=duration, connections=connections)
finally:
    bare.stop()
rows.append(("bare Beast server (ceiling)", ceiling))

awan = lib.start_awan()
try:
    rows += run_scenarios(awan, "awan", connections)
finally:
    awan.stop()
awan = lib.start_awan()
try:
    lat = run_scenarios(awan, "awan 1 conn:", 1)
finally:
    awan.stop()

dynalite_bin = find_dynalite()
dyn_rows = []
if dynalite_bin:
    d = Dynalite(dynalite_bin)
    try:
        dyn_rows = run_scenarios(d, "dynalite", connections)
    finally:
        d.stop()

print(f"wrk -t1 -c{connections} -d{duration}s over loopback (1 connection for the latency rows)")
lib.report(rows + lat + dyn_rows, ceiling["rps"])

awan = lib.start_awan()
try:
    per_item, ddb_size = memory_per_item(awan)
    print(f"\nawan memory per item: {per_item:.0f} bytes RSS for {ddb_size:.0f} bytes of DynamoDB item size "
          f"({per_item / ddb_size:.2f}x) over 100k items")
finally:
    awan.stop()
if dynalite_bin:
    d = Dynalite(dynalite_bin)
    try:
        per_item, _ = memory_per_item(d)  # the same items: their DynamoDB size is awan's figure
        print(f"dynalite memory per item: {per_item:.0f} bytes RSS ({per_item / ddb_size:.2f}x)")
    finally:
        d.stop()
