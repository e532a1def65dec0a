#!/usr/bin/env python3
"""DynamoDB global tables benchmark, over loopback with keep-alive awsJson clients and wrk:

1. Write throughput with zero, one and two replicas, in the same run: wrk PutItem (a new item
   per request, as in bench/dynamodb.py) on a table in us-east-1 without replicas, with a
   replica in us-west-2, and with replicas in us-west-2 and eu-west-1; then how long the
   replicas take to catch up once the load stops (drain).
2. Replication lag: a probe PutItem in us-east-1 every 10 ms, then GetItem in us-west-2 in a
   tight loop until the item is there; lag = acknowledgement of the put → item readable in the
   other region. Idle, and under the wrk PutItem load on the same table.

Usage: AWAN_BUILD=build/<release-dir> bench/dynamodb_global.py [duration_s=5] [connections=16]"""
import http.client
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import lib

DURATION = int(sys.argv[1]) if len(sys.argv) > 1 else 5
CONNECTIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 16
DATA = "x" * 100


def auth(region):
    return (f"AWS4-HMAC-SHA256 Credential=test/20260101/{region}/dynamodb/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=0")


def headers(op, region="us-east-1"):
    return {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op,
            "Authorization": auth(region), "X-Amz-Date": "20260101T000000Z"}


class Client:
    def __init__(self, port, region="us-east-1"):
        self.region = region
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, op, body):
        self.conn.request("POST", "/", json.dumps(body), headers(op, self.region))
        r = self.conn.getresponse()
        data = json.loads(r.read() or b"{}")
        if r.status != 200:
            raise RuntimeError(f"{op}: {r.status} {data}")
        return data


def wait(check, timeout=30, what=""):
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise RuntimeError("timed out " + what() if what else "timed out")
        time.sleep(0.01)


def global_table(c, name, regions):
    c.call("CreateTable", {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}})
    for r in regions:
        c.call("UpdateTable", {"TableName": name, "ReplicaUpdates": [{"Create": {"RegionName": r}}]})
        wait(lambda: c.call("DescribeTable", {"TableName": name})["Table"]["TableStatus"] == "ACTIVE")


def put_script(table):
    esc = lambda s: s.replace("\\", "\\\\").replace('"', '\\"')
    lines = ['wrk.method = "POST"']
    for k, v in headers("PutItem").items():
        lines.append(f'wrk.headers["{k}"] = "{esc(v)}"')
    prefix = esc('{"TableName":"' + table + '","Item":{"pk":{"S":"put"},"data":{"S":"' + DATA + '"},"n":{"N":"1"},"sk":{"N":"')
    lines += ["counter = 0", "request = function()", "  counter = counter + 1",
              f'  return wrk.format(nil, nil, nil, "{prefix}" .. counter .. "\\"}}}}}}")', "end"]
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write("\n".join(lines) + "\n")
    f.close()
    return f.name


def item_count(port, region, table):
    return Client(port, region).call("DescribeTable", {"TableName": table})["Table"]["ItemCount"]


def probe_lag(port, table, rounds, stop=None):
    east, west = Client(port), Client(port, "us-west-2")
    lags = []
    i = 0
    while (stop is None and i < rounds) or (stop is not None and not stop.is_set()):
        i += 1
        key = {"pk": {"S": "probe"}, "sk": {"N": str(i)}}
        east.call("PutItem", {"TableName": table, "Item": {**key, "data": {"S": DATA}}})
        acked = time.perf_counter()
        while "Item" not in west.call("GetItem", {"TableName": table, "Key": key}):
            pass
        lags.append((time.perf_counter() - acked) * 1000)
        time.sleep(0.01)
    return lags


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def main():
    server = lib.start_awan()
    try:
        c = Client(server.port)
        tables = {0: ("Global0", []), 1: ("Global1", ["us-west-2"]), 2: ("Global2", ["us-west-2", "eu-west-1"])}
        for n, (name, regions) in tables.items():
            global_table(c, name, regions)
        print(f"wrk -t1 -c{CONNECTIONS} -d{DURATION}s PutItem (new item each), us-east-1")
        print("| Replicas | PutItem req/s | vs none | p50 / p99 ms | replicas caught up after |")
        print("|---|---|---|---|---|")
        base = None
        for n, (name, regions) in tables.items():
            r = lib.wrk(server.url + "/", put_script(name), duration=DURATION, connections=CONNECTIONS)
            stopped = time.monotonic()
            # (requests wrk left in flight may still land: compare with the source's count now)
            source = lambda: item_count(server.port, "us-east-1", name)
            for region in regions:
                wait(lambda: item_count(server.port, region, name) == source(), timeout=20,
                     what=lambda: f"{region}: {item_count(server.port, region, name)} of {source()}")
            drain = time.monotonic() - stopped
            total = source()
            base = base or r["rps"]
            print(f"| {n} | {r['rps']:,.0f} | {100 * r['rps'] / base:.0f}% | {r['p50_ms']:.2f} / {r['p99_ms']:.2f} | "
                  f"{'-' if not regions else f'{drain * 1000:.0f} ms'} ({total:,} items) |")
        idle = probe_lag(server.port, "Global1", 300)
        # Under load: wrk writes to the same table while the probe measures.
        stop = threading.Event()
        result = {}
        t = threading.Thread(target=lambda: result.update(lags=probe_lag(server.port, "Global1", 0, stop)))
        load = subprocess.Popen(["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}s", "-s", put_script("Global1"),
                                 server.url + "/"], stdout=subprocess.PIPE, text=True)
        time.sleep(0.2)
        t.start()
        load.wait()
        stop.set()
        t.join()
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", load.stdout.read()).group(1))
        loaded = result["lags"]
        print()
        print("| Replication lag us-east-1 → us-west-2 (put acknowledged → readable) | p50 ms | p99 ms | probes |")
        print("|---|---|---|---|")
        print(f"| idle | {statistics.median(idle):.2f} | {pct(idle, 0.99):.2f} | {len(idle)} |")
        print(f"| under {rps:,.0f} PutItem/s on the same table | {statistics.median(loaded):.2f} | "
              f"{pct(loaded, 0.99):.2f} | {len(loaded)} |")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
