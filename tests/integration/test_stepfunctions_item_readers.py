"""Distributed Map ItemReaders of Awan's S3 beyond CSV/JSON (Debian's boto3: the definitions are
plain JSON): InputType PARQUET over a Parquet object (fixture tests/data/stepfunctions, written by
parquetjs), MaxItems, a malformed object failing with States.ItemReaderFailed; InputType MANIFEST
over an S3 Inventory manifest.json naming a gzipped CSV file and a Parquet file in its
destination bucket, and its errors."""
import gzip
import json
import os
import time

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "stepfunctions")
ROLE = "arn:aws:iam::000000000000:role/sfn-role"


def fixture(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def machine(sfn, name, reader):
    d = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "End": True, "ItemReader": reader,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}}}}
    return sfn.create_state_machine(name=name, definition=json.dumps(d), roleArn=ROLE)["stateMachineArn"]


def run(sfn, arn, timeout=30):
    ex = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=ex)
        if d["status"] != "RUNNING":
            break
        time.sleep(0.05)
    failed = [e["executionFailedEventDetails"] for e in sfn.get_execution_history(executionArn=ex)["events"]
              if e["type"] == "ExecutionFailed"]
    return d, (failed[0] if failed else None)


def test_parquet_object(boto):
    s3, sfn = boto("s3"), boto("stepfunctions")
    s3.create_bucket(Bucket="tables")
    s3.put_object(Bucket="tables", Key="types.parquet", Body=fixture("types_v2_snappy.parquet"))
    s3.put_object(Bucket="tables", Key="groups.parquet", Body=fixture("row_groups.parquet"))
    arn = machine(sfn, "pq", {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "PARQUET"},
                              "Parameters": {"Bucket": "tables", "Key": "types.parquet"}})
    d, failed = run(sfn, arn)
    assert d["status"] == "SUCCEEDED", failed
    rows = json.loads(d["output"])
    assert len(rows) == 3
    assert rows[0]["s"] == "h\u00e9llo" and rows[0]["i64"] == 9007199254740993 and rows[0]["b"] is True
    assert rows[0]["day"] == "2024-02-29" and rows[0]["ts"] == "2024-01-02T03:04:05.678Z"
    assert rows[1]["opt_s"] is None and rows[1]["opt_b"] is True and rows[2]["dec"] == "100.00"

    arn = machine(sfn, "pq-max", {"Resource": "arn:aws:states:::s3:getObject",
                                  "ReaderConfig": {"InputType": "PARQUET", "MaxItems": 4},
                                  "Parameters": {"Bucket": "tables", "Key": "groups.parquet"}})
    d, failed = run(sfn, arn)
    assert d["status"] == "SUCCEEDED", failed
    assert json.loads(d["output"]) == [{"n": 0, "name": "row0"}, {"n": 1, "name": "row1"},
                                       {"n": 2, "name": "row2"}, {"n": 3, "name": None}]


def test_malformed_parquet_fails_the_reader(boto):
    s3, sfn = boto("s3"), boto("stepfunctions")
    s3.create_bucket(Bucket="tables")
    good = fixture("types_v1_gzip.parquet")
    s3.put_object(Bucket="tables", Key="cut.parquet", Body=good[: len(good) // 2] + b"PAR1")
    s3.put_object(Bucket="tables", Key="nested.parquet", Body=fixture("nested.parquet"))
    for key, cause in (("cut.parquet", "The Parquet object is not valid: "),
                       ("nested.parquet", "The Parquet object is not valid: nested column 'pos' is not supported")):
        arn = machine(sfn, "bad-" + key.split(".")[0], {
            "Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "PARQUET"},
            "Parameters": {"Bucket": "tables", "Key": key}})
        d, failed = run(sfn, arn)
        assert d["status"] == "FAILED"
        assert failed["error"] == "States.ItemReaderFailed"
        assert failed["cause"].startswith(cause), failed["cause"]


def inventory(s3, files, fmt="CSV", schema="Bucket, Key, Size, LastModifiedDate"):
    s3.create_bucket(Bucket="inv-dest")
    for key, body in files.items():
        s3.put_object(Bucket="inv-dest", Key=key, Body=body)
    manifest = {"sourceBucket": "photos", "destinationBucket": "arn:aws:s3:::inv-dest", "version": "2016-11-30",
                "creationTimestamp": "1514944800000", "fileFormat": fmt, "fileSchema": schema,
                "files": [{"key": k, "size": len(b), "MD5checksum": "0"} for k, b in files.items()]}
    # The manifest lives in another bucket than its files: they are read from destinationBucket.
    s3.create_bucket(Bucket="inv-manifests")
    s3.put_object(Bucket="inv-manifests", Key="photos/cfg/2024-05-01T00-00Z/manifest.json",
                  Body=json.dumps(manifest).encode())


MANIFEST_READER = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "MANIFEST"},
                   "Parameters": {"Bucket": "inv-manifests", "Key": "photos/cfg/2024-05-01T00-00Z/manifest.json"}}


def test_inventory_manifest_csv(boto):
    s3, sfn = boto("s3"), boto("stepfunctions")
    one = gzip.compress(b'"photos","a.jpg","3399671","2022-11-16T00:29:32.000Z"\n'
                        b'"photos","b.jpg","10","2022-11-17T00:00:00.000Z"\n')
    two = b'"photos","c.jpg","7","2022-11-18T00:00:00.000Z"\n'
    inventory(s3, {"photos/cfg/data/one.csv.gz": one, "photos/cfg/data/two.csv": two})
    d, failed = run(sfn, machine(sfn, "inv", MANIFEST_READER))
    assert d["status"] == "SUCCEEDED", failed
    assert json.loads(d["output"]) == [
        {"Bucket": "photos", "Key": "a.jpg", "Size": "3399671", "LastModifiedDate": "2022-11-16T00:29:32.000Z"},
        {"Bucket": "photos", "Key": "b.jpg", "Size": "10", "LastModifiedDate": "2022-11-17T00:00:00.000Z"},
        {"Bucket": "photos", "Key": "c.jpg", "Size": "7", "LastModifiedDate": "2022-11-18T00:00:00.000Z"}]

    limited = dict(MANIFEST_READER, ReaderConfig={"InputType": "MANIFEST", "MaxItems": 2})
    d, failed = run(sfn, machine(sfn, "inv-max", limited))
    assert d["status"] == "SUCCEEDED", failed
    assert [r["Key"] for r in json.loads(d["output"])] == ["a.jpg", "b.jpg"]


def test_inventory_manifest_parquet_and_errors(boto):
    s3, sfn = boto("s3"), boto("stepfunctions")
    inventory(s3, {"photos/cfg/data/one.parquet": fixture("inventory.parquet")}, fmt="Parquet",
              schema="message s3.inventory { required binary bucket (UTF8); required binary key (UTF8); }")
    d, failed = run(sfn, machine(sfn, "inv-pq", MANIFEST_READER))
    assert d["status"] == "SUCCEEDED", failed
    assert json.loads(d["output"]) == [
        {"bucket": "src-bucket", "key": "data/a.csv", "size": 10, "last_modified_date": "2024-05-01T00:00:00.000Z"},
        {"bucket": "src-bucket", "key": "data/b.csv", "size": 20, "last_modified_date": "2024-05-02T00:00:00.000Z"}]

    # ORC inventories, a file the manifest names but the bucket lacks, ATHENA_DATA manifests.
    inventory(s3, {"photos/cfg/data/one.orc": b"ORC"}, fmt="ORC")
    d, failed = run(sfn, machine(sfn, "inv-orc", MANIFEST_READER))
    assert d["status"] == "FAILED" and failed["error"] == "States.ItemReaderFailed"
    assert failed["cause"] == "The inventory fileFormat ORC is not supported; use CSV or Parquet"

    inventory(s3, {"photos/cfg/data/gone.csv": b""})
    s3.delete_object(Bucket="inv-dest", Key="photos/cfg/data/gone.csv")
    d, failed = run(sfn, machine(sfn, "inv-gone", MANIFEST_READER))
    assert d["status"] == "FAILED" and failed["error"] == "States.ItemReaderFailed"
    assert "NoSuchKey" in failed["cause"]

    athena = dict(MANIFEST_READER, ReaderConfig={"InputType": "MANIFEST", "ManifestType": "ATHENA_DATA"})
    d, failed = run(sfn, machine(sfn, "inv-athena", athena))
    assert d["status"] == "FAILED" and failed["cause"] == "ManifestType ATHENA_DATA is not supported"
