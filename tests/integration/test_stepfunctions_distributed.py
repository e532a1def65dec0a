"""Step Functions operations newer than Debian's botocore (a client built from the pip
botocore's stepfunctions model): a distributed Map over a CSV object of Awan's S3, with
ItemBatcher and ResultWriter writing its manifest and results back to S3; DescribeMapRun,
ListMapRuns, UpdateMapRun; RedriveExecution (of a failed Parallel and inline Map: only what did
not succeed runs again, also after a restart with --data-dir); ValidateStateMachineDefinition;
versions; TestState's mock and stateConfiguration."""
import gzip
import json
import os
import time

import botocore.session
import pytest
from botocore.config import Config

from conftest import Daemon, make_boto3

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


def sfn_client(endpoint, model_dir):
    session = botocore.session.Session()
    session.get_component("data_loader").search_paths.insert(0, model_dir)
    return session.create_client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
                                 aws_access_key_id="test", aws_secret_access_key="test",
                                 config=Config(retries={"max_attempts": 1}, inject_host_prefix=False))


@pytest.fixture
def sfn(awan, model_dir):
    return sfn_client(awan.endpoint, model_dir)


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


def test_result_writer_config(sfn, boto):
    """ResultWriter's WriterConfig: FLATTEN as the state's output alone, COMPACT written to S3 as
    JSON lines."""
    s3 = boto("s3")
    s3.create_bucket(Bucket="results")

    def machine(name, writer):
        d = {"StartAt": "Each", "States": {"Each": {
            "Type": "Map", "End": True, "ItemsPath": "$.n", "ResultWriter": writer,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "Pair", "States": {"Pair": {
                                  "Type": "Pass", "End": True, "Parameters": {"v.$": "States.Array($, $)"},
                                  "OutputPath": "$.v"}}}}}}
        return sfn.create_state_machine(name=name, definition=json.dumps(d), roleArn=SFN_ROLE)["stateMachineArn"]

    sm = machine("flatten", {"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}})
    d = wait_done(sfn, sfn.start_execution(stateMachineArn=sm, input='{"n": [1, 2]}')["executionArn"])
    assert d["status"] == "SUCCEEDED" and json.loads(d["output"]) == [1, 1, 2, 2], d
    sm = machine("compact", {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "results"},
                             "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"}})
    d = wait_done(sfn, sfn.start_execution(stateMachineArn=sm, input='{"n": [1, 2]}')["executionArn"])
    assert d["status"] == "SUCCEEDED", d
    manifest = json.loads(s3.get_object(Bucket="results", Key=json.loads(d["output"])["ResultWriterDetails"]["Key"])["Body"].read())
    [succeeded] = manifest["ResultFiles"]["SUCCEEDED"]
    assert s3.get_object(Bucket="results", Key=succeeded["Key"])["Body"].read() == b"[1,1]\n[2,2]\n"
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        machine("bad-writer", {"WriterConfig": {"Transformation": "SQUASH"}})


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


def sent(sqs, url):
    """The bodies of the messages on a queue (each received once)."""
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not got:
            return sorted(bodies, key=json.dumps)
        bodies += [json.loads(m["Body"]) for m in got]


def send(url, body):
    return {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": url, "MessageBody": body}, "ResultSelector": {"sent.$": "$.MessageId"}}


def read(bucket, key_path):
    return {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Parameters": {"Bucket": bucket, "Key.$": key_path}, "ResultSelector": {"read": True}}


def test_redrive_reruns_only_the_failed_parallel_branch(sfn, boto):
    """A Parallel fails in one branch (an object not there yet); the other branch sent a message.
    Redriven once the object exists, the failed branch runs again and the other keeps its output:
    still one message on the queue."""
    s3, sqs = boto("s3"), boto("sqs")
    s3.create_bucket(Bucket="parts")
    url = sqs.create_queue(QueueName="sent-once")["QueueUrl"]
    definition = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Notify", "States": {"Notify": {**send(url, {"order.$": "$.order"}), "End": True}}},
        {"StartAt": "Name", "States": {
            "Name": {"Type": "Pass", "Parameters": {"key.$": "States.Format('{}.txt', $.order)"}, "Next": "Read"},
            "Read": {**read("parts", "$.key"), "End": True}}}]}}}
    sm = sfn.create_state_machine(name="parallel-redrive", definition=json.dumps(definition),
                                  roleArn=SFN_ROLE)["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps({"order": "o-1"}))["executionArn"]
    d = wait_done(sfn, arn)
    assert d["status"] == "FAILED" and d["error"] == "S3.NoSuchKey", d
    assert sent(sqs, url) == [{"order": "o-1"}]
    first = [e for e in sfn.get_execution_history(executionArn=arn)["events"] if e["type"] == "TaskStateExited"]
    message_id = json.loads(first[0]["stateExitedEventDetails"]["output"])["sent"]

    s3.put_object(Bucket="parts", Key="o-1.txt", Body=b"wheel")
    sfn.redrive_execution(executionArn=arn)
    d = wait_done(sfn, arn)
    assert d["status"] == "SUCCEEDED" and d["redriveCount"] == 1, d
    assert json.loads(d["output"]) == [{"sent": message_id}, {"read": True}]
    assert sent(sqs, url) == []  # the branch that succeeded did not send again
    types = [e["type"] for e in sfn.get_execution_history(executionArn=arn)["events"]]
    assert types.count("PassStateEntered") == 1  # the failed branch continued at its failed state
    assert types.count("TaskStateEntered") == 3  # Notify, Read, Read again


def map_machine(sfn, name, url):
    """An inline Map, one order at a time: send a message, then read the order's object."""
    d = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.orders", "MaxConcurrency": 1, "End": True,
        "ItemProcessor": {"StartAt": "Notify", "States": {
            "Notify": {**send(url, {"order.$": "$.id"}), "ResultPath": "$.notified", "Next": "Read"},
            "Read": {**read("parts", "States.Format('{}.txt', $.id)"), "ResultPath": "$.read", "End": True}}}}}}
    return sfn.create_state_machine(name=name, definition=json.dumps(d), roleArn=SFN_ROLE)["stateMachineArn"]


def message_ids(sfn, arn):
    """The MessageId each Notify got, in the order of the history."""
    return [json.loads(e["stateExitedEventDetails"]["output"])["notified"]["sent"]
            for e in sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
            if e["type"] == "TaskStateExited" and e["stateExitedEventDetails"]["name"] == "Notify"]


def test_redrive_reruns_only_unsuccessful_map_iterations(sfn, boto):
    """An inline Map (one at a time) fails in its second iteration, the third never started.
    Redriven: the first iteration is not run again, the second continues at its failed state
    (it does not send again), the third runs: one message per order."""
    s3, sqs = boto("s3"), boto("sqs")
    s3.create_bucket(Bucket="parts")
    url = sqs.create_queue(QueueName="map-sent-once")["QueueUrl"]
    for key in ("a.txt", "c.txt"):
        s3.put_object(Bucket="parts", Key=key, Body=key.encode())
    sm = map_machine(sfn, "map-redrive", url)
    arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps({"orders": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}))["executionArn"]
    d = wait_done(sfn, arn)
    assert d["status"] == "FAILED" and d["error"] == "S3.NoSuchKey", d
    assert sent(sqs, url) == [{"order": "a"}, {"order": "b"}]
    s3.put_object(Bucket="parts", Key="b.txt", Body=b"b.txt")
    sfn.redrive_execution(executionArn=arn)
    d = wait_done(sfn, arn)
    assert d["status"] == "SUCCEEDED", d
    ids = message_ids(sfn, arn)
    assert len(ids) == 3  # a and b in the first run, c after the redrive
    # b's output carries the message of the first run: it continued at Read.
    assert json.loads(d["output"]) == [{"id": i, "notified": {"sent": m}, "read": {"read": True}}
                                       for i, m in zip("abc", ids)]
    assert sent(sqs, url) == [{"order": "c"}]
    events = sfn.get_execution_history(executionArn=arn)["events"]
    started = [e["mapIterationStartedEventDetails"]["index"] for e in events if e["type"] == "MapIterationStarted"]
    assert started == [0, 1, 1, 2]


def test_redrive_after_a_restart_keeps_the_succeeded_iterations(model_dir, tmp_path):
    """The failed run's checkpoint is stored under --data-dir: redriven by a new daemon, the
    succeeded iteration is still not run again."""
    d = Daemon("--data-dir", str(tmp_path))
    try:
        sfn, s3, sqs = sfn_client(d.endpoint, model_dir), make_boto3(d.endpoint, "s3"), make_boto3(d.endpoint, "sqs")
        s3.create_bucket(Bucket="parts")
        s3.put_object(Bucket="parts", Key="a.txt", Body=b"a.txt")
        url = sqs.create_queue(QueueName="restart-sent-once")["QueueUrl"]
        sm = map_machine(sfn, "map-redrive-restart", url)
        arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps({"orders": [{"id": "a"}, {"id": "b"}]}))["executionArn"]
        assert wait_done(sfn, arn)["status"] == "FAILED"
        assert sent(sqs, url) == [{"order": "a"}, {"order": "b"}]
    finally:
        d.stop()
    d = Daemon("--data-dir", str(tmp_path))
    try:
        sfn, s3, sqs = sfn_client(d.endpoint, model_dir), make_boto3(d.endpoint, "s3"), make_boto3(d.endpoint, "sqs")
        s3.put_object(Bucket="parts", Key="b.txt", Body=b"b.txt")
        sfn.redrive_execution(executionArn=arn)
        desc = wait_done(sfn, arn)
        assert desc["status"] == "SUCCEEDED", desc
        assert [o["id"] for o in json.loads(desc["output"])] == ["a", "b"]
        assert sent(sqs, url) == []  # neither a (succeeded) nor b (failed after its message) sent again
    finally:
        d.stop()


def test_test_state_mock_and_state_configuration(sfn):
    """TestState's mock and stateConfiguration through botocore (the pip model has them)."""
    task = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessageBatch", "Next": "Done",
            "Parameters": {"QueueUrl": "http://q", "Entries": []},
            "Retry": [{"ErrorEquals": ["SQS.ThrottlingException"], "MaxAttempts": 2, "IntervalSeconds": 4}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]}
    ok = json.dumps({"Successful": [], "Failed": []})
    t = sfn.test_state(definition=json.dumps(task), input="{}", mock={"result": ok})
    assert t["status"] == "SUCCEEDED" and t["nextState"] == "Done" and json.loads(t["output"]) == json.loads(ok)
    with pytest.raises(sfn.exceptions.ValidationException) as e:
        sfn.test_state(definition=json.dumps(task), mock={"result": json.dumps({"Successful": []})})
    assert "'Failed' is missing" in e.value.response["Error"]["Message"]
    t = sfn.test_state(definition=json.dumps(task), mock={"result": json.dumps({"Successful": []}),
                                                          "fieldValidationMode": "PRESENT"})
    assert t["status"] == "SUCCEEDED"
    t = sfn.test_state(definition=json.dumps(task), mock={"result": '{"Successful": 1}', "fieldValidationMode": "NONE"})
    assert json.loads(t["output"]) == {"Successful": 1}
    throttled = {"errorOutput": {"error": "SQS.ThrottlingException", "cause": "slow"}}
    t = sfn.test_state(definition=json.dumps(task), mock=throttled, inspectionLevel="DEBUG",
                       stateConfiguration={"retrierRetryCount": 1})
    assert t["status"] == "RETRIABLE" and t["inspectionData"]["errorDetails"] == {
        "retryIndex": 0, "retryBackoffIntervalSeconds": 8}
    t = sfn.test_state(definition=json.dumps(task), mock=throttled, stateConfiguration={"retrierRetryCount": 2})
    assert t["status"] == "CAUGHT_ERROR" and t["nextState"] == "Failed" and t["error"] == "SQS.ThrottlingException"
    m = {"Type": "Map", "End": True, "ToleratedFailurePercentage": 50,
         "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
    t = sfn.test_state(definition=json.dumps(m), input="[1,2,3,4]", mock={"result": "[1,2,3,4]"},
                       stateConfiguration={"mapIterationFailureCount": 2})
    assert t["status"] == "SUCCEEDED"
    t = sfn.test_state(definition=json.dumps(m), input="[1,2,3,4]", mock={"result": "[1,2,3,4]"},
                       stateConfiguration={"mapIterationFailureCount": 3})
    assert t["status"] == "FAILED" and t["error"] == "States.ExceedToleratedFailureThreshold"
    p = {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "End": True}}}]}
    t = sfn.test_state(definition=json.dumps(p), mock={"errorOutput": {"error": "E", "cause": "C"}},
                       stateConfiguration={"errorCausedByState": "Inner"})
    assert t["status"] == "FAILED" and t["error"] == "E" and t["cause"] == "C"
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.test_state(definition=json.dumps(p), mock={"errorOutput": {"error": "E"}},
                       stateConfiguration={"errorCausedByState": "Nowhere"})
