#!/usr/bin/env python3
"""DynamoDB Streams / TTL / PITR benchmark, over loopback with keep-alive awsJson clients:

1. write → record visible: PutItem, then GetRecords on the shard's iterator until the record
   is in hand; p50/p99 of the whole round (put sent → record received) and of the GetRecords
   call alone (record already committed when the put was acknowledged, so one call suffices).
2. TTL sweep throughput: N expired items, one POST /_awan/dynamodb/expire, items deleted/s
   (each deletion also writes its REMOVE stream record).
3. PITR restore: a table of N items with PITR enabled, then M changes (updates and deletes);
   RestoreTableToPointInTime to before the changes (current rows + M changes undone) and to
   the latest time.

Usage: AWAN_BUILD=build/<release-dir> bench/dynamodb_streams.py [items=100000] [changes=10000]"""
import http.client
import json
import statistics
import sys
import time

import lib

ITEMS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
CHANGES = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{svc}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0")
DATA = "x" * 100


class Client:
    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def call(self, op, body, streams=False):
        target = ("DynamoDBStreams_20120810." if streams else "DynamoDB_20120810.") + op
        h = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target,
             "Authorization": AUTH.format(svc="dynamodb"), "X-Amz-Date": "20260101T000000Z"}
        self.conn.request("POST", "/", json.dumps(body), h)
        r = self.conn.getresponse()
        data = json.loads(r.read() or b"{}")
        if r.status != 200:
            raise RuntimeError(f"{op}: {r.status} {data}")
        return data

    def post(self, path):
        self.conn.request("POST", path, b"", {"Content-Type": "application/json"})
        r = self.conn.getresponse()
        return json.loads(r.read())


def create_table(c, name, stream=None):
    body = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]}
    if stream:
        body["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    return c.call("CreateTable", body)["TableDescription"]


def item(i, **extra):
    it = {"pk": {"S": f"p{i % 1000}"}, "sk": {"N": str(i)}, "d": {"S": DATA}}
    it.update(extra)
    return it


def fill(c, table, n, **extra):
    for start in range(0, n, 25):
        reqs = [{"PutRequest": {"Item": item(i, **extra)}} for i in range(start, min(n, start + 25))]
        c.call("BatchWriteItem", {"RequestItems": {table: reqs}})


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


awan = lib.start_awan("--ttl-interval", "3600")
try:
    c = Client(awan.port)

    # 1. write → record visible
    arn = create_table(c, "Visible", "NEW_AND_OLD_IMAGES")["LatestStreamArn"]
    shard = c.call("DescribeStream", {"StreamArn": arn}, True)["StreamDescription"]["Shards"][0]["ShardId"]
    it = c.call("GetShardIterator", {"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "LATEST"},
                True)["ShardIterator"]
    rounds, reads = [], []
    for i in range(3000):
        t0 = time.perf_counter()
        c.call("PutItem", {"TableName": "Visible", "Item": item(i)})
        t1 = time.perf_counter()
        polls = 0
        while True:
            out = c.call("GetRecords", {"ShardIterator": it}, True)
            polls += 1
            it = out["NextShardIterator"]
            if out["Records"]:
                break
        t2 = time.perf_counter()
        assert polls == 1, "record not visible on the first GetRecords after the acknowledged write"
        if i >= 200:  # warm-up
            rounds.append((t2 - t0) * 1000)
            reads.append((t2 - t1) * 1000)
    print("DynamoDB Streams / TTL / PITR")
    print(f"  write → record visible (PutItem + GetRecords), {len(rounds)} rounds: "
          f"p50 {statistics.median(rounds):.3f} ms, p99 {pct(rounds, 0.99):.3f} ms")
    print(f"  GetRecords returning the new record: p50 {statistics.median(reads):.3f} ms, "
          f"p99 {pct(reads, 0.99):.3f} ms (visible on the first call in every round)")

    # 2. TTL sweep throughput
    create_table(c, "Expiring", "NEW_AND_OLD_IMAGES")
    c.call("UpdateTimeToLive", {"TableName": "Expiring",
                                "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "exp"}})
    past = str(int(time.time()) - 60)
    fill(c, "Expiring", ITEMS, exp={"N": past})
    t0 = time.perf_counter()
    deleted = c.post("/_awan/dynamodb/expire")["deleted"]
    dt = time.perf_counter() - t0
    assert deleted == ITEMS, deleted
    print(f"  TTL sweep: {deleted} expired items deleted in {dt * 1000:.0f} ms "
          f"({deleted / dt:,.0f} items/s, each with its REMOVE stream record)")

    # 3. PITR restore of an N-item table with M changes
    create_table(c, "Big")
    fill(c, "Big", ITEMS)
    c.call("UpdateContinuousBackups", {"TableName": "Big",
                                       "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}})
    time.sleep(1.1)
    before = int(time.time())
    time.sleep(1.1)
    for i in range(CHANGES):
        k = (i * 7919) % ITEMS
        if i % 10 == 0:
            c.call("DeleteItem", {"TableName": "Big", "Key": {"pk": item(k)["pk"], "sk": item(k)["sk"]}})
        else:
            c.call("UpdateItem", {"TableName": "Big", "Key": {"pk": item(k)["pk"], "sk": item(k)["sk"]},
                                  "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"N": str(i)}}})
    t0 = time.perf_counter()
    c.call("RestoreTableToPointInTime", {"SourceTableName": "Big", "TargetTableName": "BigBefore",
                                         "RestoreDateTime": before})
    t_before = time.perf_counter() - t0
    count = c.call("DescribeTable", {"TableName": "BigBefore"})["Table"]["ItemCount"]
    assert count == ITEMS, count
    t0 = time.perf_counter()
    c.call("RestoreTableToPointInTime", {"SourceTableName": "Big", "TargetTableName": "BigLatest",
                                         "UseLatestRestorableTime": True})
    t_latest = time.perf_counter() - t0
    print(f"  PITR restore, {ITEMS} items with {CHANGES} later changes: to before the changes "
          f"{t_before * 1000:.0f} ms, to the latest time {t_latest * 1000:.0f} ms")
    t0 = time.perf_counter()
    b = c.call("CreateBackup", {"TableName": "Big", "BackupName": "bench"})["BackupDetails"]["BackupArn"]
    t_backup = time.perf_counter() - t0
    t0 = time.perf_counter()
    c.call("RestoreTableFromBackup", {"TargetTableName": "BigCopy", "BackupArn": b})
    t_from = time.perf_counter() - t0
    print(f"  on-demand backup of {ITEMS} items {t_backup * 1000:.0f} ms, restore from it {t_from * 1000:.0f} ms")
    print(f"  RSS {awan.rss_kb() / 1024:.0f} MiB")
finally:
    awan.stop()
