"""The inventory pipeline end to end, as `awan serve --pipeline inventory` deploys it: every
sample store uploaded at once gives each expected alert exactly once (and nothing else), as an
email in the outbox; re-uploading an unchanged file alerts nobody; an item going from 5 to 0
alerts once; malformed files write their good rows only; a 10,000-row file lands whole."""
import csv
import glob
import io
import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import Daemon, make_boto3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = sorted(glob.glob(os.path.join(ROOT, "pipelines", "inventory", "samples", "*.csv")))


@pytest.fixture
def pipeline(tmp_path):
    d = Daemon("--pipeline", "inventory", "--outbox", str(tmp_path / "outbox"))
    yield d, tmp_path / "outbox"
    d.stop()


def alerts(d):
    status, _, body = d.request("GET", "/_awan/sns/messages?Protocol=email")
    assert status == 200
    return [m for m in json.loads(body)["Messages"] if m["Type"] == "Notification"]


def settle(d, want=None, timeout=20):
    """Waits until `want` alerts were delivered (or, without `want`, until the count stops moving)."""
    deadline, last, still = time.time() + timeout, -1, 0
    while time.time() < deadline:
        got = alerts(d)
        done = [a for a in got if a["Status"] == "delivered"]
        if want is not None and len(done) >= want and len(done) == len(got):
            time.sleep(0.5)  # nothing more must come
            return alerts(d)
        if want is None:
            still = still + 1 if len(got) == last else 0
            if still >= 10:
                return got
            last = len(got)
        time.sleep(0.1)
    return alerts(d)


def expected_alerts(paths):
    out = []
    for p in paths:
        for row in csv.DictReader(open(p, encoding="utf-8")):
            if int(row["count"]) == 0:
                out.append(f"{row['store']} is out of stock of {row['item']}")
    return sorted(out)


def test_resources_are_deployed_idempotently(pipeline, tmp_path):
    d, _ = pipeline
    lam = make_boto3(d.endpoint, "lambda")
    names = sorted(f["FunctionName"] for f in lam.list_functions()["Functions"])
    assert names == ["Check-Stock", "Load-Inventory"]
    ddb = make_boto3(d.endpoint, "dynamodb")
    table = ddb.describe_table(TableName="Inventory")["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    sns = make_boto3(d.endpoint, "sns")
    [topic] = sns.list_topics()["Topics"]
    [sub] = sns.list_subscriptions_by_topic(TopicArn=topic["TopicArn"])["Subscriptions"]
    assert sub["Protocol"] == "email" and sub["SubscriptionArn"] != "PendingConfirmation"
    # A second daemon on the same data directory redeploys nothing twice.
    data = tmp_path / "data"
    for _ in range(2):
        p = Daemon("--pipeline", "inventory", "--data-dir", str(data), "--outbox", str(tmp_path / "o2"))
        assert len(make_boto3(p.endpoint, "lambda").list_event_source_mappings()["EventSourceMappings"]) == 1
        assert len(make_boto3(p.endpoint, "sns").list_subscriptions()["Subscriptions"]) == 1
        p.stop()


def test_every_sample_store_alerts_exactly_once(pipeline):
    d, outbox = pipeline
    s3 = make_boto3(d.endpoint, "s3")
    for path in SAMPLES:
        s3.upload_file(path, "inventory", os.path.basename(path))
    want = expected_alerts(SAMPLES)
    assert len(SAMPLES) >= 6 and len(want) >= len(SAMPLES)
    got = settle(d, len(want))
    assert sorted(a["Message"].split("\n\n--\n")[0] for a in got) == want
    assert all(a["Subject"] == "Inventory Alert!" and a["Status"] == "delivered" for a in got)
    emls = [open(os.path.join(outbox, f), encoding="utf-8", newline="").read() for f in os.listdir(outbox)]
    assert sum("Subject: Inventory Alert!" in e for e in emls) == len(want)
    # Every row is in the table.
    ddb = make_boto3(d.endpoint, "dynamodb")
    rows = sum(1 for p in SAMPLES for _ in csv.DictReader(open(p, encoding="utf-8")))
    assert ddb.scan(TableName="Inventory", Select="COUNT")["Count"] == rows

    # The same file again changes nothing: no stream record, no alert.
    s3.upload_file(SAMPLES[0], "inventory", os.path.basename(SAMPLES[0]))
    time.sleep(1.5)
    assert len(alerts(d)) == len(want)


def test_an_item_going_to_zero_alerts_once(pipeline):
    d, _ = pipeline
    s3 = make_boto3(d.endpoint, "s3")
    s3.put_object(Bucket="inventory", Key="a.csv", Body=b"store,item,count\nLyon,Bread,5\nLyon,Cheese,2\n")
    time.sleep(1)
    assert alerts(d) == []
    s3.put_object(Bucket="inventory", Key="b.csv", Body=b"store,item,count\nLyon,Bread,0\nLyon,Cheese,2\n")
    got = settle(d, 1)
    assert [a["Message"].split("\n\n--\n")[0] for a in got] == ["Lyon is out of stock of Bread"]


def test_malformed_files_write_their_good_rows(pipeline):
    d, _ = pipeline
    s3 = make_boto3(d.endpoint, "s3")
    body = ("\ufeffCount,Store,Item\r\n"
            "0,Oslo,\"Skis, cross-country\"\r\n"
            "\r\n"
            ",Oslo,Poles\r\n"
            "many,Oslo,Boots\r\n"
            "1,,Wax\r\n"
            "3,Oslo,Gloves\r\n").encode("utf-8")
    s3.put_object(Bucket="inventory", Key="oslo.csv", Body=body)
    s3.put_object(Bucket="inventory", Key="junk.csv", Body=b"\x00\xff not a csv at all")
    got = settle(d, 1)
    assert [a["Message"].split("\n\n--\n")[0] for a in got] == ["Oslo is out of stock of Skis, cross-country"]
    ddb = make_boto3(d.endpoint, "dynamodb")
    items = ddb.scan(TableName="Inventory")["Items"]
    assert sorted(i["Item"]["S"] for i in items) == ["Gloves", "Skis, cross-country"]


def test_ten_thousand_rows(pipeline, tmp_path):
    d, _ = pipeline
    big = tmp_path / "big.csv"
    with open(big, "w") as f:
        subprocess.run([sys.executable, os.path.join(ROOT, "pipelines", "inventory", "generate.py"), "10000"],
                       stdout=f, check=True)
    s3 = make_boto3(d.endpoint, "s3")
    t0 = time.time()
    s3.upload_file(str(big), "inventory", "big.csv")
    got = settle(d, 200, timeout=60)
    elapsed = time.time() - t0
    assert len(got) == 200 and all(a["Status"] == "delivered" for a in got)
    ddb = make_boto3(d.endpoint, "dynamodb")
    assert ddb.scan(TableName="Inventory", Select="COUNT")["Count"] == 10000
    print(f"10,000 rows → 200 alerts in {elapsed:.2f} s")
