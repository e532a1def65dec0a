"""Lambda against a running daemon: functions from zips (Python with Debian's boto3, Node.js ES
modules with the SDK v3, a provided.al2023 bootstrap), invoke with logs, errors and timeouts,
versions and aliases, asynchronous invocation, and the event sources: S3 notifications, SNS
subscriptions, DynamoDB stream and SQS mappings."""
import base64
import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ROLE, zip_of



def code(exc_info):
    return exc_info.value.response["Error"]["Code"]


def create(lam, name, runtime, handler, files, **kw):
    return lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler, Role=ROLE,
                               Code={"ZipFile": zip_of(files)}, **kw)


def invoke(lam, name, event=None, **kw):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode(), **kw)
    return r, json.loads(r["Payload"].read() or b"null")


def wait_for(fn, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    return fn()


PY_ECHO = """
import os
def handler(event, context):
    print("got", event)
    return {"event": event, "function": context.function_name, "region": os.environ["AWS_REGION"],
            "remaining": context.get_remaining_time_in_millis() > 0, "request_id": context.aws_request_id}
"""


def test_python_function_invoke_with_tail_logs(lam):
    c = create(lam, "py-echo", "python3.11", "app.handler", {"app.py": PY_ECHO})
    assert c["State"] == "Pending" and c["FunctionArn"].endswith(":function:py-echo")
    lam.get_waiter("function_active_v2").wait(FunctionName="py-echo")
    r, out = invoke(lam, "py-echo", {"store": "Berlin"}, LogType="Tail")
    assert r["StatusCode"] == 200 and "FunctionError" not in r
    assert out["event"] == {"store": "Berlin"} and out["function"] == "py-echo" and out["region"] == "us-east-1"
    assert out["remaining"] is True
    logs = base64.b64decode(r["LogResult"]).decode()
    assert "START RequestId: " + out["request_id"] in logs and "got {'store': 'Berlin'}" in logs
    assert "REPORT RequestId: " in logs


def test_python_function_uses_boto3_against_awan(lam, boto):
    s3, ddb = boto("s3"), boto("dynamodb")
    s3.create_bucket(Bucket="lambda-in")
    s3.put_object(Bucket="lambda-in", Key="rows.csv", Body=b"Berlin,socks,0\nParis,hats,3\n")
    ddb.create_table(TableName="Rows", KeySchema=[{"AttributeName": "Store", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "Store", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    src = """
import boto3
def handler(event, context):
    body = boto3.client("s3").get_object(Bucket="lambda-in", Key="rows.csv")["Body"].read().decode()
    table = boto3.resource("dynamodb").Table("Rows")
    n = 0
    for line in body.splitlines():
        store, item, count = line.split(",")
        table.put_item(Item={"Store": store, "Item": item, "Count": int(count)})
        n += 1
    return {"written": n}
"""
    create(lam, "py-boto", "python3.11", "app.handler", {"app.py": src}, Timeout=30)
    r, out = invoke(lam, "py-boto")
    assert out == {"written": 2}, out
    assert ddb.get_item(TableName="Rows", Key={"Store": {"S": "Berlin"}})["Item"]["Item"] == {"S": "socks"}


def test_node_es_module_with_the_sdk_v3(lam, boto):
    boto("sqs").create_queue(QueueName="from-node")
    src = """
import { SQSClient, GetQueueUrlCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event, context) => {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "from-node" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(event) }));
  return { ok: true, name: context.functionName };
};
"""
    create(lam, "node-esm", "nodejs20.x", "index.handler", {"index.mjs": src}, Timeout=30)
    r, out = invoke(lam, "node-esm", {"hello": "node"})
    assert out == {"ok": True, "name": "node-esm"}, out
    sqs = boto("sqs")
    url = sqs.get_queue_url(QueueName="from-node")["QueueUrl"]
    msgs = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    assert json.loads(msgs[0]["Body"]) == {"hello": "node"}


BOOTSTRAP = """#!/bin/bash
set -euo pipefail
while true; do
  headers=$(mktemp)
  event=$(curl -sS -D "$headers" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
  id=$(grep -i Lambda-Runtime-Aws-Request-Id "$headers" | tr -d '[:space:]' | cut -d: -f2)
  echo "bootstrap saw $event"
  curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$id/response" \
       -d "{\\"echo\\": $event, \\"handler\\": \\"$_HANDLER\\"}" > /dev/null
done
"""


def test_provided_runtime_bootstrap(lam):
    create(lam, "custom", "provided.al2023", "my.handler", {"bootstrap": BOOTSTRAP})
    r, out = invoke(lam, "custom", {"n": 1})
    assert out == {"echo": {"n": 1}, "handler": "my.handler"}
    r, out = invoke(lam, "custom", {"n": 2})  # a warm environment
    assert out["echo"] == {"n": 2}


def test_errors_timeouts_and_validation(lam):
    create(lam, "raises", "python3.11", "app.handler",
           {"app.py": "def handler(e, c):\n    raise ValueError('bad input')\n"})
    r, out = invoke(lam, "raises")
    assert r["FunctionError"] == "Unhandled"
    assert out["errorType"] == "ValueError" and out["errorMessage"] == "bad input"
    create(lam, "slow", "python3.11", "app.handler",
           {"app.py": "import time\ndef handler(e, c):\n    time.sleep(5)\n"}, Timeout=1)
    r, out = invoke(lam, "slow")
    assert r["FunctionError"] == "Unhandled"
    assert out["errorMessage"].endswith("Task timed out after 1.00 seconds")
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName="missing")
    assert code(e) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        create(lam, "raises", "python3.11", "app.handler", {"app.py": ""})
    assert code(e) == "ResourceConflictException"
    with pytest.raises(ClientError) as e:
        lam.create_function(FunctionName="nozip", Runtime="python3.11", Handler="a.b", Role=ROLE,
                            Code={"ZipFile": b"not a zip"})
    assert code(e) == "InvalidParameterValueException"
    with pytest.raises(ClientError) as e:
        lam.create_function(FunctionName="norole", Runtime="python3.11", Handler="a.b",
                            Role="arn:aws:iam::000000000000:role/nobody", Code={"ZipFile": zip_of({"a.py": ""})})
    assert code(e) == "InvalidParameterValueException"


def test_versions_aliases_and_update_code(lam):
    create(lam, "ver", "python3.11", "app.handler", {"app.py": "def handler(e, c):\n    return 1\n"})
    v1 = lam.publish_version(FunctionName="ver")["Version"]
    lam.update_function_code(FunctionName="ver", ZipFile=zip_of({"app.py": "def handler(e, c):\n    return 2\n"}))
    lam.get_waiter("function_updated_v2").wait(FunctionName="ver")
    lam.create_alias(FunctionName="ver", Name="prod", FunctionVersion=v1)
    assert invoke(lam, "ver")[1] == 2
    r, out = invoke(lam, "ver", Qualifier="prod")
    assert out == 1 and r["ExecutedVersion"] == "1"
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="ver")["Versions"]] == ["$LATEST", "1"]
    assert lam.get_alias(FunctionName="ver", Name="prod")["FunctionVersion"] == "1"


def test_aws_cli_create_invoke_and_delete(aws, lam, tmp_path):
    zpath = tmp_path / "f.zip"
    zpath.write_bytes(zip_of({"app.py": "def handler(e, c):\n    return {'cli': e}\n"}))
    aws("lambda", "create-function", "--function-name", "cli-fn", "--runtime", "python3.11", "--handler",
        "app.handler", "--role", ROLE, "--zip-file", f"fileb://{zpath}")
    aws("lambda", "wait", "function-active-v2", "--function-name", "cli-fn")
    out = tmp_path / "out.json"
    r = aws("lambda", "invoke", "--function-name", "cli-fn", "--cli-binary-format", "raw-in-base64-out",
            "--payload", '{"x": 1}', str(out))
    assert r["StatusCode"] == 200
    assert json.loads(out.read_text()) == {"cli": {"x": 1}}
    assert [f["FunctionName"] for f in aws("lambda", "list-functions")["Functions"]] == ["cli-fn"]
    aws("lambda", "delete-function", "--function-name", "cli-fn")


# ---- event sources ----

RECORDER = """
import boto3, json
def handler(event, context):
    q = boto3.client("sqs")
    url = q.get_queue_url(QueueName="seen")["QueueUrl"]
    q.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    return {"batchItemFailures": []}
"""


def seen(boto, n, timeout=15):
    sqs = boto("sqs")
    url = sqs.get_queue_url(QueueName="seen")["QueueUrl"]
    got, deadline = [], time.time() + timeout
    while len(got) < n and time.time() < deadline:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            got.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


@pytest.fixture
def recorder(lam, boto):
    boto("sqs").create_queue(QueueName="seen")
    create(lam, "recorder", "python3.11", "app.handler", {"app.py": RECORDER}, Timeout=30)
    return "arn:aws:lambda:us-east-1:000000000000:function:recorder"


def test_s3_notification_invokes_the_function(lam, boto, recorder):
    s3 = boto("s3")
    s3.create_bucket(Bucket="uploads")
    cfg = {"LambdaFunctionConfigurations": [{"LambdaFunctionArn": recorder, "Events": ["s3:ObjectCreated:*"]}]}
    with pytest.raises(ClientError) as e:  # S3 may not invoke it yet
        s3.put_bucket_notification_configuration(Bucket="uploads", NotificationConfiguration=cfg)
    assert code(e) == "InvalidArgument"
    lam.add_permission(FunctionName="recorder", StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::uploads")
    s3.put_bucket_notification_configuration(Bucket="uploads", NotificationConfiguration=cfg)
    s3.put_object(Bucket="uploads", Key="berlin.csv", Body=b"x")
    events = seen(boto, 2)
    records = [e for e in events if "Records" in e]
    assert records and records[0]["Records"][0]["s3"]["object"]["key"] == "berlin.csv"
    assert records[0]["Records"][0]["eventSource"] == "aws:s3"


def test_sns_subscription_invokes_the_function(lam, boto, recorder):
    sns = boto("sns")
    topic = sns.create_topic(Name="to-lambda")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=recorder)
    sns.publish(TopicArn=topic, Message="hi lambda", Subject="S")
    [event] = seen(boto, 1)
    rec = event["Records"][0]
    assert rec["EventSource"] == "aws:sns" and rec["Sns"]["Message"] == "hi lambda" and rec["Sns"]["Subject"] == "S"
    assert rec["Sns"]["TopicArn"] == topic and rec["Sns"]["SigningCertUrl"].endswith(".pem")


def test_dynamodb_stream_mapping_delivers_changes_in_order(lam, boto, recorder):
    ddb = boto("dynamodb")
    t = ddb.create_table(TableName="Inventory", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "Store", "KeyType": "HASH"}, {"AttributeName": "Item", "KeyType": "RANGE"}],
                         AttributeDefinitions=[{"AttributeName": "Store", "AttributeType": "S"},
                                               {"AttributeName": "Item", "AttributeType": "S"}],
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    stream = t["TableDescription"]["LatestStreamArn"]
    m = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="recorder", StartingPosition="LATEST",
                                        BatchSize=10)
    assert m["State"] == "Creating" and m["BatchSize"] == 10
    for i in range(5):
        ddb.put_item(TableName="Inventory", Item={"Store": {"S": "Berlin"}, "Item": {"S": f"i{i}"}, "Count": {"N": str(i)}})
    events = seen(boto, 1)
    records = [r for e in events for r in e["Records"]]
    while len(records) < 5:
        more = seen(boto, 1, timeout=5)
        if not more:
            break
        records += [r for e in more for r in e["Records"]]
    assert [r["dynamodb"]["NewImage"]["Item"]["S"] for r in records] == [f"i{i}" for i in range(5)]
    assert records[0]["eventSource"] == "aws:dynamodb" and records[0]["eventSourceARN"] == stream
    assert lam.get_event_source_mapping(UUID=m["UUID"])["State"] == "Enabled"
    assert [x["UUID"] for x in lam.list_event_source_mappings(FunctionName="recorder")["EventSourceMappings"]] == [m["UUID"]]


def test_sqs_mapping_consumes_and_deletes(lam, boto, recorder):
    sqs = boto("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="recorder", BatchSize=5)
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"job{i}")
    events = seen(boto, 1)
    bodies = sorted(r["body"] for e in events for r in e["Records"])
    while len(bodies) < 3:
        more = seen(boto, 1, timeout=5)
        if not more:
            break
        bodies = sorted(bodies + [r["body"] for e in more for r in e["Records"]])
    assert bodies == ["job0", "job1", "job2"]
    assert wait_for(lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
                    ["ApproximateNumberOfMessagesNotVisible"] == "0")
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
        "ApproximateNumberOfMessages"] == "0"


def test_async_invoke_with_on_failure_destination(lam, boto):
    sqs = boto("sqs")
    url = sqs.create_queue(QueueName="failures")["QueueUrl"]
    create(lam, "fails", "python3.11", "app.handler", {"app.py": "def handler(e, c):\n    raise RuntimeError('nope')\n"})
    lam.put_function_event_invoke_config(FunctionName="fails", MaximumRetryAttempts=0, DestinationConfig={
        "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:failures"}})
    r = lam.invoke(FunctionName="fails", InvocationType="Event", Payload=b'{"job": 7}')
    assert r["StatusCode"] == 202
    msgs = wait_for(lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages"))
    record = json.loads(msgs[0]["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == {"job": 7}
    assert record["responsePayload"]["errorType"] == "RuntimeError"


def test_invocations_are_in_cloudwatch_logs(lam, boto, aws):
    create(lam, "logged", "python3.11", "app.handler", {"app.py": "def handler(e, c):\n    print('hello logs')\n"})
    r, _ = invoke(lam, "logged")
    logs = boto("logs")
    events = wait_for(lambda: logs.filter_log_events(logGroupName="/aws/lambda/logged")["events"])
    messages = [e["message"] for e in events]
    assert messages[0].startswith("START RequestId: ") and messages[-1].startswith("REPORT RequestId: ")
    assert any("hello logs" in m for m in messages)
    [stream] = logs.describe_log_streams(logGroupName="/aws/lambda/logged")["logStreams"]
    assert "[$LATEST]" in stream["logStreamName"]


def test_layers_are_unpacked_into_opt(lam):
    v = lam.publish_layer_version(LayerName="shared", Content={"ZipFile": zip_of({"python/shared_lib.py": "GREETING = 'from a layer'\n"})},
                                  CompatibleRuntimes=["python3.11"])
    assert v["Version"] == 1 and v["LayerVersionArn"].endswith(":layer:shared:1")
    assert lam.get_layer_version(LayerName="shared", VersionNumber=1)["Content"]["CodeSize"] > 0
    assert [l["LayerName"] for l in lam.list_layers()["Layers"]] == ["shared"]
    create(lam, "with-layer", "python3.11", "app.handler",
           {"app.py": "import shared_lib\ndef handler(e, c):\n    return shared_lib.GREETING\n"}, Layers=[v["LayerVersionArn"]])
    assert lam.get_function_configuration(FunctionName="with-layer")["Layers"][0]["Arn"] == v["LayerVersionArn"]
    assert invoke(lam, "with-layer")[1] == "from a layer"
    with pytest.raises(ClientError) as e:
        create(lam, "bad-layer", "python3.11", "app.handler", {"app.py": ""},
               Layers=["arn:aws:lambda:us-east-1:000000000000:layer:nope:1"])
    assert code(e) == "InvalidParameterValueException"
    lam.delete_layer_version(LayerName="shared", VersionNumber=1)
    assert lam.list_layer_versions(LayerName="shared")["LayerVersions"] == []
    assert invoke(lam, "with-layer")[1] == "from a layer"  # functions keep what they had
