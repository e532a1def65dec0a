"""Step Functions operations newer than Debian's botocore (a client built from the pip
botocore's stepfunctions model): a distributed Map over a CSV object of Awan's S3, with
ItemBatcher and ResultWriter writing its manifest and results back to S3; DescribeMapRun,
ListMapRuns, UpdateMapRun; RedriveExecution; ValidateStateMachineDefinition; versions."""
import gzip
import json
import os
import time

import botocore.session
import pytest
from botocore.config import Config

def newer_model():
    """The stepfunctions model of the newest botocore another python3 on the machine imports (the
    one scripts/gen_models.py embedded in the daemon), or ""."""
    import shutil
    import subprocess
    for python in {shutil.which("python3"), "/usr/local/bin/python3"} - {None, "/usr/bin/python3"}:
        try:
            out = subprocess.run([python, "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))"],
                                 capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        path = os.path.join(out, "data", "stepfunctions", "2016-11-23", "service-2.json.gz")
        if out and os.path.exists(path):
            return path
    return ""


MODEL = newer_model()
SFN_ROLE = "arn:aws:iam::000000000000:role/sfn-role"

pytestmark = pytest.mark.skipif(not MODEL, reason="the newer botocore model is not installed")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("models")
    os.makedirs(d / "stepfunctions" / "2016-11-23")
    (d / "stepfunctions" / "2016-11-23" / "service-2.json").write_bytes(gzip.open(MODEL).read())
    return str(d)


@pytest.fixture
def sfn(awan, model_dir):
    session = botocore.session.Session()
    session.get_component("data_loader").search_paths.insert(0, model_dir)
    return session.create_client("stepfunctions", endpoint_url=awan.endpoint, region_name="us-east-1",
                                 aws_access_key_id="test", aws_secret_access_key="test",
                                 config=Config(retries={"max_attempts": 1}, inject_host_prefix=False))


def wait_done(sfn, arn, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.05)
    return sfn.describe_execution(executionArn=arn)


def test_distributed_map_reads_and_writes_s3(sfn, boto):
    s3 = boto("s3")
    s3.create_bucket(Bucket="inventory")
    s3.put_object(Bucket="inventory", Key="stock.csv", Body=b"item,count\napples,3\npears,0\nplums,5\nkiwis,0\nfigs,1\n")
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "End": True, "Label": "Stock",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                       "Parameters": {"Bucket": "inventory", "Key": "stock.csv"}},
        "ItemSelector": {"name.$": "$$.Map.Item.Value.item", "count.$": "$$.Map.Item.Value.count"},
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"store": "north"}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "inventory", "Prefix": "runs"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Count", "States": {"Count": {
                              "Type": "Pass", "End": True,
                              "Parameters": {"store.$": "$.BatchInput.store", "n.$": "States.ArrayLength($.Items)"}}}}}}}
    sm = sfn.create_state_machine(name="stock", definition=json.dumps(definition), roleArn=SFN_ROLE)["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=sm, input="{}")["executionArn"]
    d = wait_done(sfn, arn)
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    run_arn = out["MapRunArn"]
    assert ":mapRun:stock/Stock:" in run_arn
    key = out["ResultWriterDetails"]["Key"]
    assert out["ResultWriterDetails"]["Bucket"] == "inventory"
    assert key == "runs/" + run_arn.rsplit(":", 1)[1] + "/manifest.json"
    manifest = json.loads(s3.get_object(Bucket="inventory", Key=key)["Body"].read())
    assert manifest["MapRunArn"] == run_arn and manifest["DestinationBucket"] == "inventory"
    assert manifest["ResultFiles"]["FAILED"] == [] and manifest["ResultFiles"]["PENDING"] == []
    [succeeded] = manifest["ResultFiles"]["SUCCEEDED"]
    body = s3.get_object(Bucket="inventory", Key=succeeded["Key"])["Body"].read()
    assert succeeded["Size"] == len(body)
    results = json.loads(body)
    assert [json.loads(r["Output"]) for r in results] == [{"store": "north", "n": 2}, {"store": "north", "n": 2},
                                                          {"store": "north", "n": 1}]
    assert json.loads(results[0]["Input"])["Items"][0] == {"name": "apples", "count": "3"}
    assert all(r["Status"] == "SUCCEEDED" for r in results)

    runs = sfn.list_map_runs(executionArn=arn)["mapRuns"]
    assert [r["mapRunArn"] for r in runs] == [run_arn]
    mr = sfn.describe_map_run(mapRunArn=run_arn)
    assert mr["status"] == "SUCCEEDED"
    assert mr["itemCounts"]["total"] == 5 and mr["itemCounts"]["succeeded"] == 5
    assert mr["executionCounts"]["total"] == 3 and mr["itemCounts"]["resultsWritten"] == 5
    sfn.update_map_run(mapRunArn=run_arn, maxConcurrency=5)
    assert sfn.describe_map_run(mapRunArn=run_arn)["maxConcurrency"] == 5
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_map_run(mapRunArn=run_arn + "0")
    types = [e["type"] for e in sfn.get_execution_history(executionArn=arn)["events"]]
    assert "MapRunStarted" in types and "MapRunSucceeded" in types and "MapIterationStarted" not in types


def test_redrive_validate_and_versions(sfn, boto):
    s3 = boto("s3")
    # The task reads an object that is not there yet: it fails, then succeeds once the object exists.
    s3.create_bucket(Bucket="flags")
    definition = {"StartAt": "Start", "States": {
        "Start": {"Type": "Pass", "Result": {"step": 1}, "Next": "Read"},
        "Read": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                 "Parameters": {"Bucket": "flags", "Key": "go"}, "ResultSelector": {"ok": True}, "End": True}}}
    sm = sfn.create_state_machine(name="redrive", definition=json.dumps(definition), roleArn=SFN_ROLE,
                                  publish=True, versionDescription="v1")
    assert sm["stateMachineVersionArn"] == sm["stateMachineArn"] + ":1"
    arn = sfn.start_execution(stateMachineArn=sm["stateMachineVersionArn"], input="{}")["executionArn"]
    d = wait_done(sfn, arn)
    assert d["status"] == "FAILED" and d["error"] == "S3.NoSuchKey", d
    assert d["redriveStatus"] == "REDRIVABLE" and d["stateMachineVersionArn"] == sm["stateMachineVersionArn"]
    s3.put_object(Bucket="flags", Key="go", Body=b"1")
    assert "redriveDate" in sfn.redrive_execution(executionArn=arn)
    d = wait_done(sfn, arn)
    assert d["status"] == "SUCCEEDED" and d["redriveCount"] == 1 and json.loads(d["output"]) == {"ok": True}
    types = [e["type"] for e in sfn.get_execution_history(executionArn=arn)["events"]]
    assert types.count("PassStateEntered") == 1 and types.count("TaskStateEntered") == 2
    assert "ExecutionRedriven" in types
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=arn)

    v = sfn.validate_state_machine_definition(definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}))
    assert v["result"] == "FAIL"
    assert v["diagnostics"][0] == {"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
                                   "message": "These fields are required: [Next] at /States/A", "location": "/States/A"}
    assert sfn.validate_state_machine_definition(definition=json.dumps(definition))["result"] == "OK"
    t = sfn.test_state(definition=json.dumps(definition["States"]["Start"]), input="{}", inspectionLevel="DEBUG")
    assert t["status"] == "SUCCEEDED" and t["nextState"] == "Read" and json.loads(t["output"]) == {"step": 1}
    assert [x["stateMachineVersionArn"] for x in sfn.list_state_machine_versions(
        stateMachineArn=sm["stateMachineArn"])["stateMachineVersions"]] == [sm["stateMachineVersionArn"]]
