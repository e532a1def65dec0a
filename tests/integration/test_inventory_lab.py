"""examples/inventory-lab/lab.sh end to end, once with the Python functions (boto3, python3.11),
once with the pipeline's C++ handlers built as a `bootstrap` (provided.al2023, calling the services
over HTTP) and once with those handlers bound in process (Handler awan:<name>): on a plain `awan serve` every expected alert arrives exactly once as a delivered email
and every sample row is in the table; a second run on the same daemon succeeds without a duplicate
alert; a malformed CSV writes its good rows only; switching a lab from one runtime to the other
updates the functions in place; a daemon running the C++ pipeline is refused with a clear
message."""
import csv
import glob
import json
import os
import subprocess
import sys
import time

import pytest

from conftest import AWAN_BIN, AWS_CLI, CLIENT_ENV, Daemon, make_boto3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(ROOT, "examples", "inventory-lab", "lab.sh")
SAMPLES = sorted(glob.glob(os.path.join(ROOT, "pipelines", "inventory", "samples", "*.csv")))
BUCKET = "inventory-lab"
EMAIL = "store-manager@example.com"
# Built beside the daemon by scripts/build.sh (target inventory-bootstrap).
BOOTSTRAP = os.path.join(os.path.dirname(AWAN_BIN), "inventory-bootstrap")
# What each runtime's functions are, and how Load-Inventory logs a skipped row.
RUNTIMES = {
    "python": {"Runtime": "python3.11", "Handler": "load_inventory.handler", "skip": "skipped ("},
    "bootstrap": {"Runtime": "provided.al2023", "Handler": "Load-Inventory", "skip": ": skipped line "},
    "inprocess": {"Runtime": "provided.al2023", "Handler": "awan:Load-Inventory", "skip": ": skipped line "},
}


def sample_rows():
    rows = []
    for path in SAMPLES:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows += [(r["store"], r["item"], int(r["count"])) for r in csv.DictReader(f)]
    return rows


def expected_alerts():
    return sorted(f"{store} is out of stock of {item}" for store, item, count in sample_rows() if count == 0)


def run_lab(d, *args):
    env = dict(os.environ)
    env.update(CLIENT_ENV)
    env.update({"AWS_CLI": AWS_CLI, "LAB_TIMEOUT": "30", "LAB_BOOTSTRAP": BOOTSTRAP})
    env.pop("AWS_ENDPOINT_URL", None)
    return subprocess.run(["bash", LAB, *args, d.endpoint], capture_output=True, text=True, env=env, timeout=120)


def alerts(d):
    status, _, body = d.request("GET", "/_awan/sns/messages?Protocol=email")
    assert status == 200
    return [m for m in json.loads(body)["Messages"] if m["Type"] == "Notification"]


def text(m):
    return m["Message"].split("\n\n--\n")[0]


def log_lines(d, group, needle):
    status, _, body = d.request("GET", f"/_awan/logs/events?logGroupName={group}")
    if status != 200:
        return []
    return [e["message"] for e in json.loads(body)["events"] if needle in e["message"]]


def wait_for(predicate, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


@pytest.fixture(scope="module", params=sorted(RUNTIMES))
def lab(request, tmp_path_factory):
    runtime = request.param
    if runtime == "bootstrap":
        assert os.access(BOOTSTRAP, os.X_OK), f"no {BOOTSTRAP}: build the inventory-bootstrap target"
    outbox = tmp_path_factory.mktemp("lab") / "outbox"
    d = Daemon("--outbox", str(outbox))
    d.runtime = runtime
    p = run_lab(d, "--runtime", runtime)
    yield d, outbox, p
    d.stop()


def test_the_lab_alerts_every_item_out_of_stock_once(lab):
    d, outbox, p = lab
    assert p.returncode == 0, p.stdout + p.stderr
    want = expected_alerts()
    assert len(want) >= len(SAMPLES)
    got = alerts(d)
    assert sorted(text(m) for m in got) == want
    assert all(m["Status"] == "delivered" and m["Subject"] == "Inventory Alert!" and m["Endpoint"] == EMAIL
               for m in got)
    emls = [open(m["OutboxPath"], encoding="utf-8", newline="").read() for m in got]
    assert all("Subject: Inventory Alert!" in e and f"To: {EMAIL}" in e for e in emls)
    assert sum("Subject: Inventory Alert!" in open(os.path.join(outbox, f), encoding="utf-8").read()
               for f in os.listdir(outbox)) == len(want)
    for line in want:
        assert line in p.stdout  # the script shows the alerts

    # The subscription was confirmed through the link in the confirmation email.
    sns = make_boto3(d.endpoint, "sns")
    [sub] = sns.list_subscriptions()["Subscriptions"]
    assert sub["Endpoint"] == EMAIL and sub["SubscriptionArn"].startswith("arn:aws:sns:")
    status, _, body = d.request("GET", "/_awan/sns/messages?Protocol=email")
    assert [m["Type"] for m in json.loads(body)["Messages"] if m["Type"] != "Notification"] == \
        ["SubscriptionConfirmation"]

    # The resources are the lab's: functions of the runtime asked for, the table with its stream.
    lam = make_boto3(d.endpoint, "lambda")
    fns = {f["FunctionName"]: f for f in lam.list_functions()["Functions"]}
    assert sorted(fns) == ["Check-Stock", "Load-Inventory"]
    assert fns["Load-Inventory"]["Handler"] == RUNTIMES[d.runtime]["Handler"]
    assert fns["Check-Stock"]["Runtime"] == RUNTIMES[d.runtime]["Runtime"]
    ddb = make_boto3(d.endpoint, "dynamodb")
    table = ddb.describe_table(TableName="Inventory")["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}

    # Every sample row is in the table, the count as a number.
    items = ddb.scan(TableName="Inventory")["Items"]
    assert sorted((i["Store"]["S"], i["Item"]["S"], int(i["Count"]["N"])) for i in items) == sorted(sample_rows())


def test_a_second_run_creates_nothing_twice_and_alerts_nobody(lab):
    d, _, first = lab
    assert first.returncode == 0
    before = alerts(d)
    loads = len(log_lines(d, "/aws/lambda/Load-Inventory", "rows to Inventory"))
    assert loads == len(SAMPLES)
    p = run_lab(d, "--runtime", d.runtime)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "already there" in p.stdout
    # Every re-uploaded file was loaded again (unchanged rows make no stream record)...
    assert wait_for(lambda: len(log_lines(d, "/aws/lambda/Load-Inventory", "rows to Inventory")) == 2 * loads)
    time.sleep(1.0)
    # ... and nobody was alerted twice.
    after = alerts(d)
    assert sorted(m["MessageId"] for m in after) == sorted(m["MessageId"] for m in before)
    assert len(make_boto3(d.endpoint, "lambda").list_event_source_mappings()["EventSourceMappings"]) == 1
    assert len(make_boto3(d.endpoint, "sns").list_subscriptions()["Subscriptions"]) == 1


def test_a_malformed_csv_writes_its_good_rows(lab):
    d, _, first = lab
    assert first.returncode == 0
    s3 = make_boto3(d.endpoint, "s3")
    body = ("\ufeffCount,STORE, Item \r\n"
            "0,Oslo,\"Skis, cross-country\"\r\n"
            "\r\n"
            ",Oslo,Poles\r\n"
            "many,Oslo,Boots\r\n"
            "1,,Wax\r\n"
            "3,Oslo,Gloves\r\n").encode("utf-8")
    s3.put_object(Bucket=BUCKET, Key="new stores/oslo 1.csv", Body=body)  # a key S3 has to encode
    s3.put_object(Bucket=BUCKET, Key="junk.csv", Body=b"\x00\xff not a csv at all")
    want = "Oslo is out of stock of Skis, cross-country"
    assert wait_for(lambda: [m for m in alerts(d) if text(m) == want and m["Status"] == "delivered"])
    assert wait_for(lambda: log_lines(d, "/aws/lambda/Load-Inventory", "junk.csv"))
    time.sleep(0.5)
    assert [text(m) for m in alerts(d)].count(want) == 1
    ddb = make_boto3(d.endpoint, "dynamodb")
    oslo = ddb.query(TableName="Inventory", KeyConditionExpression="#s = :s",
                     ExpressionAttributeNames={"#s": "Store"}, ExpressionAttributeValues={":s": {"S": "Oslo"}})["Items"]
    assert sorted((i["Item"]["S"], i["Count"]["N"]) for i in oslo) == [("Gloves", "3"), ("Skis, cross-country", "0")]
    skipped = log_lines(d, "/aws/lambda/Load-Inventory", RUNTIMES[d.runtime]["skip"])
    assert len([s for s in skipped if "oslo 1.csv" in s]) == 3

    # The function's answer, invoked directly with the event S3 sent.
    lam = make_boto3(d.endpoint, "lambda")
    event = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                          "s3": {"bucket": {"name": BUCKET}, "object": {"key": "new+stores/oslo+1.csv"}}}]}
    out = lam.invoke(FunctionName="Load-Inventory", Payload=json.dumps(event).encode())
    assert "FunctionError" not in out
    assert json.loads(out["Payload"].read()) == {"rows": 2, "skipped": 3}
    record = {"eventName": "MODIFY", "dynamodb": {"NewImage": {
        "Store": {"S": "Oslo"}, "Item": {"S": "Gloves"}, "Count": {"N": "3"}}}}
    out = lam.invoke(FunctionName="Check-Stock", Payload=json.dumps({"Records": [record]}).encode())
    assert json.loads(out["Payload"].read()) == {"alerts": 0}


def test_ten_thousand_rows(lab, tmp_path):
    d, _, first = lab
    assert first.returncode == 0
    big = tmp_path / "big.csv"
    with open(big, "w") as f:
        subprocess.run([sys.executable, os.path.join(ROOT, "pipelines", "inventory", "generate.py"), "10000"],
                       stdout=f, check=True)
    ddb = make_boto3(d.endpoint, "dynamodb")
    rows_before = ddb.scan(TableName="Inventory", Select="COUNT")["Count"]
    generated = lambda: [m for m in alerts(d) if text(m).startswith("Store ")]  # noqa: E731
    t0 = time.time()
    make_boto3(d.endpoint, "s3").upload_file(str(big), BUCKET, "big.csv")
    got = wait_for(lambda: len(generated()) >= 200 and all(m["Status"] == "delivered" for m in generated()),
                   timeout=60)
    elapsed = time.time() - t0
    assert got, f"{len(generated())} of 200 alerts after {elapsed:.1f} s"
    time.sleep(0.5)
    texts = [text(m) for m in generated()]
    assert len(texts) == 200 and len(set(texts)) == 200  # each out-of-stock row alerted once
    assert ddb.scan(TableName="Inventory", Select="COUNT")["Count"] == rows_before + 10000
    print(f"{d.runtime}: 10,000 rows → 200 alerts in {elapsed:.2f} s")


def test_the_other_runtime_replaces_the_functions_in_place(lab):
    d, _, first = lab
    assert first.returncode == 0
    other = {"bootstrap": "python", "python": "inprocess", "inprocess": "bootstrap"}[d.runtime]
    p = run_lab(d, "--runtime", other)
    assert p.returncode == 0, p.stdout + p.stderr
    lam = make_boto3(d.endpoint, "lambda")
    fns = {f["FunctionName"]: f for f in lam.list_functions()["Functions"]}
    assert fns["Load-Inventory"]["Handler"] == RUNTIMES[other]["Handler"]
    assert fns["Check-Stock"]["Runtime"] == RUNTIMES[other]["Runtime"]
    # The switched functions work: a new file's alert arrives once.
    want = f"Lima ({other}) is out of stock of Umbrellas"
    make_boto3(d.endpoint, "s3").put_object(Bucket=BUCKET, Key=f"lima-{other}.csv",
                                            Body=f"store,item,count\nLima ({other}),Umbrellas,0\n".encode())
    assert wait_for(lambda: [m for m in alerts(d) if text(m) == want and m["Status"] == "delivered"])
    time.sleep(0.5)
    assert [text(m) for m in alerts(d)].count(want) == 1


def test_a_daemon_running_the_cpp_pipeline_is_refused(tmp_path):
    d = Daemon("--pipeline", "inventory", "--outbox", str(tmp_path / "outbox"))
    try:
        p = run_lab(d)
        assert p.returncode != 0
        assert "--pipeline" in p.stderr and "awan serve" in p.stderr
        # Nothing of the lab's was created.
        assert BUCKET not in [b["Name"] for b in make_boto3(d.endpoint, "s3").list_buckets()["Buckets"]]
    finally:
        d.stop()
