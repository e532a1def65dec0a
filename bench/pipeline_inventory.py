"""Inventory pipeline benchmark: upload of a generated CSV (default 10,000 rows, every 50th out
of stock) to `awan serve --pipeline inventory` → every row in the table and every alert email
delivered. Goal (issue 13): < 2 s with the C++ handlers. Fresh daemon per run.
  python3 bench/pipeline_inventory.py [rows] [runs]"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
gen = os.path.join(lib.ROOT, "pipelines", "inventory", "generate.py")
csv_path = os.path.join(tempfile.mkdtemp(), "big.csv")
with open(csv_path, "w") as f:
    subprocess.run([sys.executable, gen, str(rows)], stdout=f, check=True)
want_alerts = rows // 50


def delivered(url):
    with urllib.request.urlopen(url + "/_awan/sns/messages?Protocol=email&Status=delivered") as r:
        return sum(1 for m in json.loads(r.read())["Messages"] if m["Type"] == "Notification")


times = []
for run in range(runs):
    outbox = tempfile.mkdtemp()
    awan = lib.start_awan("--pipeline", "inventory", "--outbox", outbox)
    s3 = boto3.client("s3", endpoint_url=awan.url, region_name="us-east-1", aws_access_key_id="test",
                      aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
    body = open(csv_path, "rb").read()
    t0 = time.perf_counter()
    s3.put_object(Bucket="inventory", Key="big.csv", Body=body)
    while delivered(awan.url) < want_alerts and time.perf_counter() - t0 < 60:
        time.sleep(0.01)
    elapsed = time.perf_counter() - t0
    ddb = boto3.client("dynamodb", endpoint_url=awan.url, region_name="us-east-1", aws_access_key_id="test",
                       aws_secret_access_key="test")
    count = ddb.scan(TableName="Inventory", Select="COUNT")["Count"]
    alerts = delivered(awan.url)
    awan.stop()
    times.append(elapsed)
    print(f"run {run + 1}: {rows} rows ({count} in the table), {alerts} of {want_alerts} alerts delivered in "
          f"{elapsed:.2f} s")
print(f"upload → last alert delivered: median {statistics.median(times):.2f} s over {runs} runs (goal < 2 s)")
