"""Inventory pipeline benchmark: upload of a generated CSV (default 10,000 rows, every 50th out
of stock) → every row in the table and every alert email delivered, for each way of running the
lab: `cpp` (`awan serve --pipeline inventory`, the C++ handlers in process), `python` and
`bootstrap` (examples/inventory-lab/lab.sh --runtime python|bootstrap on a plain `awan serve`:
the functions in Python with boto3, or the same C++ handlers as a provided.al2023 bootstrap
calling the services over HTTP). Goal (issue 13): < 2 s with the C++ handlers. Fresh daemon per
run; the lab's own sample uploads are done (and their alerts counted) before the clock starts.
  python3 bench/pipeline_inventory.py [rows] [runs] [variants, default cpp,python,bootstrap]"""
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
variants = (sys.argv[3] if len(sys.argv) > 3 else "cpp,python,bootstrap").split(",")
LAB = os.path.join(lib.ROOT, "examples", "inventory-lab", "lab.sh")
gen = os.path.join(lib.ROOT, "pipelines", "inventory", "generate.py")
csv_path = os.path.join(tempfile.mkdtemp(), "big.csv")
with open(csv_path, "w") as f:
    subprocess.run([sys.executable, gen, str(rows)], stdout=f, check=True)
want_alerts = rows // 50


def delivered(url):
    with urllib.request.urlopen(url + "/_awan/sns/messages?Protocol=email&Status=delivered") as r:
        return sum(1 for m in json.loads(r.read())["Messages"] if m["Type"] == "Notification")


def client(url, service):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def deploy(variant):
    """A fresh daemon with the pipeline deployed; its bucket."""
    outbox = tempfile.mkdtemp()
    if variant == "cpp":
        return lib.start_awan("--pipeline", "inventory", "--outbox", outbox), "inventory"
    awan = lib.start_awan("--outbox", outbox)
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
               LAB_BOOTSTRAP=os.path.join(lib.BUILD, "inventory-bootstrap"))
    env.pop("AWS_ENDPOINT_URL", None)
    p = subprocess.run(["bash", LAB, "--runtime", variant, awan.url], env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"lab.sh --runtime {variant} failed:\n{p.stdout}{p.stderr}")
    return awan, "inventory-lab"


body = open(csv_path, "rb").read()
summary = []
for variant in variants:
    times = []
    for run in range(runs):
        awan, bucket = deploy(variant)
        before = delivered(awan.url)
        rows_before = client(awan.url, "dynamodb").scan(TableName="Inventory", Select="COUNT")["Count"]
        t0 = time.perf_counter()
        client(awan.url, "s3").put_object(Bucket=bucket, Key="big.csv", Body=body)
        while delivered(awan.url) < before + want_alerts and time.perf_counter() - t0 < 120:
            time.sleep(0.01)
        elapsed = time.perf_counter() - t0
        count = client(awan.url, "dynamodb").scan(TableName="Inventory", Select="COUNT")["Count"] - rows_before
        alerts = delivered(awan.url) - before
        awan.stop()
        times.append(elapsed)
        print(f"{variant} run {run + 1}: {rows} rows ({count} new in the table), {alerts} of {want_alerts} alerts "
              f"delivered in {elapsed:.2f} s", flush=True)
    summary.append((variant, statistics.median(times)))
for variant, median in summary:
    goal = " (goal < 2 s)" if variant == "cpp" else ""
    print(f"{variant}: upload → last alert delivered, median {median:.2f} s over {runs} runs{goal}")
