"""Step Functions against a running daemon: boto3 and aws-cli; a Lambda → Choice → Parallel → Map
workflow with Python functions, Retry/Catch with a failing function, a task-token approval, an
EXPRESS StartSyncExecution, activities, errors, and restart resume with --data-dir."""
import json
import threading
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import zip_of, Daemon

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
SFN_ROLE = "arn:aws:iam::000000000000:role/sfn-role"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def sfn_client(endpoint):
    # StartSyncExecution's model has the host prefix "sync-": a local endpoint cannot take it.
    return boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, inject_host_prefix=False))


@pytest.fixture
def sfn(awan):
    return sfn_client(awan.endpoint)


@pytest.fixture
def lam(boto):
    iam = boto("iam")
    try:
        iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument=TRUST)
    except ClientError:
        pass
    return boto("lambda")


def function(lam, name, src):
    return lam.create_function(FunctionName=name, Runtime="python3.11", Handler="app.handler", Role=ROLE,
                               Code={"ZipFile": zip_of({"app.py": src})})["FunctionArn"]


def machine(sfn, name, definition, type_="STANDARD"):
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=SFN_ROLE,
                                    type=type_)["stateMachineArn"]


def wait_done(sfn, arn, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.05)
    return sfn.describe_execution(executionArn=arn)


def run(sfn, sm, inp, **kw):
    arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps(inp), **kw)["executionArn"]
    return arn, wait_done(sfn, arn)


def test_lambda_choice_parallel_map_workflow(sfn, lam):
    double = function(lam, "double", "def handler(e, c):\n    return {'n': e['n'] * 2, 'items': e.get('items', [])}\n")
    inc = function(lam, "inc", "def handler(e, c):\n    return e + 1\n")
    d = {"StartAt": "Double", "States": {
        "Double": {"Type": "Task", "Resource": double, "Next": "Big?"},
        "Big?": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Fan"}],
                 "Default": "Small"},
        "Small": {"Type": "Pass", "Result": "small", "End": True},
        "Fan": {"Type": "Parallel", "Next": "Done", "ResultPath": "$.parallel", "Branches": [
            {"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items", "End": True,
                "ItemProcessor": {"StartAt": "Inc", "States": {
                    "Inc": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName": inc, "Payload.$": "$"},
                            "OutputPath": "$.Payload", "End": True}}}}}},
            {"StartAt": "Fmt", "States": {"Fmt": {"Type": "Pass", "End": True,
                "Parameters": {"msg.$": "States.Format('n is {}', $.n)"}}}}]},
        "Done": {"Type": "Succeed"}}}
    sm = machine(sfn, "flow", d)
    arn, desc = run(sfn, sm, {"n": 3, "items": [1, 2, 3]})
    assert desc["status"] == "SUCCEEDED", desc
    out = json.loads(desc["output"])
    assert out == {"n": 6, "items": [1, 2, 3], "parallel": [[2, 3, 4], {"msg": "n is 6"}]}
    h = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    types = [e["type"] for e in h]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    for t in ("LambdaFunctionScheduled", "LambdaFunctionSucceeded", "ChoiceStateEntered", "ParallelStateStarted",
              "MapStateStarted", "MapIterationSucceeded", "TaskSucceeded", "MapStateSucceeded"):
        assert t in types, t
    assert [e["id"] for e in h] == list(range(1, len(h) + 1))
    rev = sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=2)
    assert rev["events"][0]["type"] == "ExecutionSucceeded" and "nextToken" in rev
    _, small = run(sfn, sm, {"n": 1})
    assert json.loads(small["output"]) == "small"


def test_retry_and_catch_with_a_failing_function(sfn, lam):
    fail = function(lam, "fails", "class Oops(Exception):\n    pass\n"
                                  "def handler(e, c):\n    raise Oops('bad ' + str(e))\n")
    d = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": fail, "Next": "OK",
              "Retry": [{"ErrorEquals": ["Oops"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1.0}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handled"}]},
        "OK": {"Type": "Succeed"},
        "Handled": {"Type": "Pass", "End": True}}}
    sm = machine(sfn, "retry", d)
    arn, desc = run(sfn, sm, {"x": 1})
    assert desc["status"] == "SUCCEEDED", desc
    out = json.loads(desc["output"])
    assert out["x"] == 1 and out["error"]["Error"] == "Oops"
    types = [e["type"] for e in sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]]
    assert types.count("LambdaFunctionFailed") == 3
    nocatch = machine(sfn, "nocatch", {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": fail, "End": True}}})
    _, desc = run(sfn, nocatch, {})
    assert desc["status"] == "FAILED" and desc["error"] == "Oops"


def test_task_token_approval(sfn, boto):
    sqs = boto("sqs")
    q = sqs.create_queue(QueueName="approvals")["QueueUrl"]
    d = {"StartAt": "Ask", "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": q, "MessageBody": {"token.$": "$$.Task.Token", "who.$": "$.who"}},
                "Next": "Approved"},
        "Approved": {"Type": "Pass", "End": True}}}
    sm = machine(sfn, "approval", d)
    arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps({"who": "ann"}))["executionArn"]
    msgs = []
    deadline = time.time() + 10
    while not msgs and time.time() < deadline:
        msgs = sqs.receive_message(QueueUrl=q, WaitTimeSeconds=1).get("Messages", [])
    body = json.loads(msgs[0]["Body"])
    assert body["who"] == "ann"
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=body["token"], output=json.dumps({"approved": True}))
    desc = wait_done(sfn, arn)
    assert desc["status"] == "SUCCEEDED" and json.loads(desc["output"]) == {"approved": True}
    with pytest.raises(ClientError) as e:
        sfn.send_task_success(taskToken=body["token"], output="{}")
    assert e.value.response["Error"]["Code"] == "InvalidToken"


def test_express_start_sync_execution(sfn):
    sm = machine(sfn, "express", {"StartAt": "A", "States": {"A": {"Type": "Pass",
                 "Parameters": {"h.$": "States.Hash($.s, 'SHA-256')"}, "End": True}}}, "EXPRESS")
    r = sfn.start_sync_execution(stateMachineArn=sm, input=json.dumps({"s": "abc"}))
    assert r["status"] == "SUCCEEDED"
    assert json.loads(r["output"]) == {"h": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}
    assert ":express:" in r["executionArn"]
    f = sfn.start_sync_execution(stateMachineArn=sm, input="{}")
    assert f["status"] == "FAILED" and f["error"] == "States.Runtime"
    std = machine(sfn, "std", {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    with pytest.raises(ClientError) as e:
        sfn.start_sync_execution(stateMachineArn=std, input="{}")
    assert e.value.response["Error"]["Code"] == "StateMachineTypeNotSupported"


def test_activities(sfn):
    act = sfn.create_activity(name="work")["activityArn"]
    sm = machine(sfn, "act", {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": act, "End": True}}})
    arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps({"job": 7}))["executionArn"]
    task = sfn.get_activity_task(activityArn=act, workerName="w1")
    assert json.loads(task["input"]) == {"job": 7}
    sfn.send_task_heartbeat(taskToken=task["taskToken"])
    sfn.send_task_failure(taskToken=task["taskToken"], error="Worker.Failed", cause="nope")
    desc = wait_done(sfn, arn)
    assert desc["status"] == "FAILED" and desc["error"] == "Worker.Failed"
    assert sfn.list_activities()["activities"][0]["name"] == "work"


def test_api_errors_and_listing(sfn):
    with pytest.raises(ClientError) as e:
        sfn.create_state_machine(name="bad", roleArn=SFN_ROLE,
                                 definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}))
    assert e.value.response["Error"]["Code"] == "InvalidDefinition"
    assert "/States/A/Next" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        sfn.describe_state_machine(stateMachineArn="arn:aws:states:us-east-1:000000000000:stateMachine:none")
    assert e.value.response["Error"]["Code"] == "StateMachineDoesNotExist"
    sm = machine(sfn, "w", {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}})
    a = sfn.start_execution(stateMachineArn=sm, name="one", input="{}")["executionArn"]
    assert sfn.start_execution(stateMachineArn=sm, name="one", input="{}")["executionArn"] == a
    with pytest.raises(ClientError) as e:
        sfn.start_execution(stateMachineArn=sm, name="one", input='{"x":1}')
    assert e.value.response["Error"]["Code"] == "ExecutionAlreadyExists"
    sfn.stop_execution(executionArn=a, error="E", cause="C")
    d = sfn.describe_execution(executionArn=a)
    assert d["status"] == "ABORTED"
    assert sfn.list_executions(stateMachineArn=sm, statusFilter="ABORTED")["executions"][0]["name"] == "one"
    sfn.tag_resource(resourceArn=sm, tags=[{"key": "k", "value": "v"}])
    assert sfn.list_tags_for_resource(resourceArn=sm)["tags"] == [{"key": "k", "value": "v"}]
    assert [m["name"] for m in sfn.list_state_machines()["stateMachines"]] == ["w"]


def test_aws_cli(aws):
    d = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": 1}, "End": True}}})
    sm = aws("stepfunctions", "create-state-machine", "--name", "cli", "--definition", d,
             "--role-arn", SFN_ROLE)["stateMachineArn"]
    arn = aws("stepfunctions", "start-execution", "--state-machine-arn", sm, "--input", "{}")["executionArn"]
    for _ in range(100):
        desc = aws("stepfunctions", "describe-execution", "--execution-arn", arn)
        if desc["status"] != "RUNNING":
            break
        time.sleep(0.05)
    assert desc["status"] == "SUCCEEDED" and json.loads(desc["output"]) == {"ok": 1}


def test_restart_resumes_a_waiting_execution(tmp_path):
    d = Daemon("--data-dir", str(tmp_path))
    try:
        sfn = sfn_client(d.endpoint)
        sm = machine(sfn, "resume", {"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 3, "Next": "P"},
            "P": {"Type": "Pass", "Result": "after", "End": True}}})
        arn = sfn.start_execution(stateMachineArn=sm, input="{}")["executionArn"]
        time.sleep(0.3)
    finally:
        d.kill9()
    started = time.time()
    d = Daemon("--data-dir", str(tmp_path))
    try:
        sfn = sfn_client(d.endpoint)
        assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
        desc = wait_done(sfn, arn, timeout=10)
        assert desc["status"] == "SUCCEEDED" and json.loads(desc["output"]) == "after"
        assert time.time() - started < 2.9  # the deadline was kept, not restarted
        types = [e["type"] for e in sfn.get_execution_history(executionArn=arn)["events"]]
        assert types.count("WaitStateEntered") == 1  # resumed, not entered a second time
        assert types == ["ExecutionStarted", "WaitStateEntered", "WaitStateExited", "PassStateEntered",
                         "PassStateExited", "ExecutionSucceeded"]
    finally:
        d.stop()


def test_js_sdk_versions_aliases_redrive_test_state(js):
    """The AWS SDK for JavaScript v3: runs, histories, versions, aliases, TestState, redrive."""
    assert "stepfunctions.mjs ok" in js("stepfunctions.mjs")


def test_js_sdk_test_state_mocks_and_state_configuration(js):
    """TestState's mock (result, errorOutput, fieldValidationMode) and stateConfiguration
    (retrierRetryCount, mapIterationFailureCount, errorCausedByState) through the SDK v3."""
    assert "stepfunctions_test_state.mjs ok" in js("stepfunctions_test_state.mjs")


def test_jsonata_number_formatting_in_an_express_workflow(sfn):
    """$formatNumber / $formatInteger / $parseInteger through StartSyncExecution; a bad picture fails the
    execution with States.QueryEvaluationError."""
    d = {"QueryLanguage": "JSONata", "StartAt": "F", "States": {"F": {"Type": "Pass", "End": True, "Output": {
        "amount": "{% $formatNumber($states.input.n, '#,##0.00') %}",
        "words": "{% $formatInteger($states.input.k, 'w') %}",
        "roman": "{% $formatInteger($states.input.k, 'I') %}",
        "parsed": "{% $parseInteger('12,345,678', '#,##0') %}"}}}}
    sm = machine(sfn, "jsonata-numbers", d, "EXPRESS")
    r = sfn.start_sync_execution(stateMachineArn=sm, input=json.dumps({"n": 1234567.891, "k": 1999}))
    assert r["status"] == "SUCCEEDED", r
    assert json.loads(r["output"]) == {"amount": "1,234,567.89", "roman": "MCMXCIX", "parsed": 12345678,
                                       "words": "one thousand, nine hundred and ninety-nine"}
    bad = machine(sfn, "jsonata-bad-picture", {"QueryLanguage": "JSONata", "StartAt": "F", "States": {"F": {
        "Type": "Pass", "End": True, "Output": "{% $formatNumber(1, '#;#;#') %}"}}}, "EXPRESS")
    f = sfn.start_sync_execution(stateMachineArn=bad, input="{}")
    assert f["status"] == "FAILED" and f["error"] == "States.QueryEvaluationError", f


def test_jsonata_workflow_with_a_function(sfn, lam):
    """QueryLanguage JSONata: Arguments to a Lambda task, Output and Assign, a Condition."""
    fn = function(lam, "jsonata-total", "def handler(e, c):\n    return {'total': sum(e['prices'])}\n")
    d = {"QueryLanguage": "JSONata", "StartAt": "Total", "States": {
        "Total": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Arguments": {"FunctionName": fn, "Payload": {"prices": "{% $states.input.items.price %}"}},
                  "Assign": {"customer": "{% $uppercase($states.input.customer) %}"},
                  "Output": "{% $states.result.Payload %}", "Next": "Big?"},
        "Big?": {"Type": "Choice", "Default": "Small",
                 "Choices": [{"Condition": "{% $states.input.total >= 10 %}", "Next": "Big"}]},
        "Big": {"Type": "Pass", "Output": {"who": "{% $customer %}", "size": "big",
                                            "total": "{% $states.input.total %}"}, "End": True},
        "Small": {"Type": "Pass", "Output": {"who": "{% $customer %}", "size": "small"}, "End": True}}}
    sm = machine(sfn, "jsonata", d)
    _, desc = run(sfn, sm, {"customer": "ann", "items": [{"price": 4}, {"price": 7}]})
    assert desc["status"] == "SUCCEEDED", desc
    assert json.loads(desc["output"]) == {"who": "ANN", "size": "big", "total": 11}
    with pytest.raises(ClientError) as e:
        machine(sfn, "bad-jsonata", {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
            "P": {"Type": "Pass", "Output": "{% $states.input. %}", "End": True}}})
    assert e.value.response["Error"]["Code"] == "InvalidDefinition"
