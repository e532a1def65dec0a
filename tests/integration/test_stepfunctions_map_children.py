"""Distributed Map iterations as child executions of their own (through the pip botocore's
stepfunctions model, as test_stepfunctions_distributed.py): DescribeExecution and
GetExecutionHistory of a child, ListExecutions by mapRunArn (filters, paging, errors), the map
run's counters; RedriveExecution of the parent redrives the map run's unsuccessful children
(the same map run, redriveCount); and a map run continued after a restart with --data-dir."""
import json
import time

import pytest

from conftest import Daemon
from test_stepfunctions_distributed import MODEL, SFN_ROLE, model_dir, sfn, sfn_client, wait_done  # noqa: F401

pytestmark = pytest.mark.skipif(not MODEL, reason="the newer botocore model is not installed")

PREFIX = "arn:aws:states:us-east-1:000000000000:"


def orders_machine(sfn, name, child_states=None, start="Read", **extra):
    """A distributed Map over $.orders, one child at a time: each reads the order's object."""
    states = child_states or {"Read": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
        "Parameters": {"Bucket": "parts", "Key.$": "States.Format('{}.txt', $.id)"},
        "ResultSelector": {"read": True}, "ResultPath": "$.read", "End": True}}
    d = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.orders", "MaxConcurrency": 1, "Label": "Orders", "End": True, **extra,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": start, "States": states}}}}
    return sfn.create_state_machine(name=name, definition=json.dumps(d), roleArn=SFN_ROLE)["stateMachineArn"]


def only_run(sfn, arn):
    [run] = sfn.list_map_runs(executionArn=arn)["mapRuns"]
    return run["mapRunArn"]


def test_children_are_executions_of_their_own(sfn, boto):
    s3 = boto("s3")
    s3.create_bucket(Bucket="parts")
    for key in ("a.txt", "c.txt"):
        s3.put_object(Bucket="parts", Key=key, Body=b"x")
    sm = orders_machine(sfn, "orders", ToleratedFailureCount=1)
    arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps({"orders": [{"id": i} for i in "abc"]}))["executionArn"]
    assert wait_done(sfn, arn)["status"] == "SUCCEEDED"
    run = only_run(sfn, arn)
    assert run.startswith(PREFIX + "mapRun:orders/Orders:")

    children = sfn.list_executions(mapRunArn=run)["executions"]
    assert len(children) == 3
    for c in children:
        assert c["executionArn"].startswith(PREFIX + "execution:orders/Orders:")
        assert c["stateMachineArn"] == PREFIX + "stateMachine:orders/Orders"
        assert c["mapRunArn"] == run and c["itemCount"] == 1
    [failed] = sfn.list_executions(mapRunArn=run, statusFilter="FAILED")["executions"]
    assert len(sfn.list_executions(mapRunArn=run, statusFilter="SUCCEEDED")["executions"]) == 2
    page = sfn.list_executions(mapRunArn=run, maxResults=2)
    assert len(page["executions"]) == 2
    assert len(sfn.list_executions(mapRunArn=run, nextToken=page["nextToken"])["executions"]) == 1

    child = sfn.describe_execution(executionArn=failed["executionArn"])
    assert child["mapRunArn"] == run and child["status"] == "FAILED" and child["error"] == "S3.NoSuchKey"
    assert child["stateMachineArn"] == PREFIX + "stateMachine:orders/Orders"
    assert json.loads(child["input"]) == {"id": "b"}
    types = [e["type"] for e in sfn.get_execution_history(executionArn=failed["executionArn"])["events"]]
    assert types[0] == "ExecutionStarted" and "TaskStateEntered" in types and types[-1] == "ExecutionFailed"
    m = sfn.describe_state_machine_for_execution(executionArn=failed["executionArn"])
    assert m["mapRunArn"] == run and m["label"] == "Orders"

    # Listing the machine shows the parent only; its history none of the children's states.
    assert [e["executionArn"] for e in sfn.list_executions(stateMachineArn=sm)["executions"]] == [arn]
    assert "TaskStateEntered" not in [e["type"] for e in sfn.get_execution_history(executionArn=arn)["events"]]
    counts = sfn.describe_map_run(mapRunArn=run)["executionCounts"]
    assert (counts["succeeded"], counts["failed"], counts["running"], counts["total"]) == (2, 1, 0, 3)

    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.list_executions(mapRunArn=run + "0")
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.list_executions(mapRunArn=run, stateMachineArn=sm)


def test_redrive_reruns_the_unsuccessful_children(sfn, boto):
    s3 = boto("s3")
    s3.create_bucket(Bucket="parts")
    s3.put_object(Bucket="parts", Key="a.txt", Body=b"x")
    sm = orders_machine(sfn, "orders-redrive")
    arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps({"orders": [{"id": i} for i in "abc"]}))["executionArn"]
    d = wait_done(sfn, arn)
    assert d["status"] == "FAILED" and d["error"] == "S3.NoSuchKey", d
    run = only_run(sfn, arn)
    mr = sfn.describe_map_run(mapRunArn=run)
    assert mr["status"] == "FAILED" and mr["redriveCount"] == 0
    assert (mr["executionCounts"]["succeeded"], mr["executionCounts"]["failed"]) == (1, 1)
    [succeeded] = sfn.list_executions(mapRunArn=run, statusFilter="SUCCEEDED")["executions"]
    [failed] = sfn.list_executions(mapRunArn=run, statusFilter="FAILED")["executions"]

    for key in ("b.txt", "c.txt"):
        s3.put_object(Bucket="parts", Key=key, Body=b"x")
    sfn.redrive_execution(executionArn=arn)
    d = wait_done(sfn, arn)
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == [{"id": i, "read": {"read": True}} for i in "abc"]
    assert only_run(sfn, arn) == run  # the same map run, not a new one
    mr = sfn.describe_map_run(mapRunArn=run)
    assert mr["status"] == "SUCCEEDED" and mr["redriveCount"] == 1 and "redriveDate" in mr
    assert (mr["executionCounts"]["succeeded"], mr["executionCounts"]["failed"]) == (3, 0)
    # The succeeded child was not run again; the failed one was redriven under its ARN.
    assert sfn.describe_execution(executionArn=succeeded["executionArn"])["redriveCount"] == 0
    again = sfn.describe_execution(executionArn=failed["executionArn"])
    assert again["status"] == "SUCCEEDED" and again["redriveCount"] == 1
    assert len(sfn.list_executions(mapRunArn=run)["executions"]) == 3
    types = [e["type"] for e in sfn.get_execution_history(executionArn=arn)["events"]]
    assert types.count("MapRunStarted") == 1 and types.count("MapRunRedriven") == 1


def test_the_map_run_continues_after_a_restart(model_dir, tmp_path):  # noqa: F811
    """A child in a Wait when the daemon stops: after the restart it continues, and so does the
    map run (no second map run)."""
    wait = {"Pause": {"Type": "Wait", "Seconds": 2, "End": True}}
    d = Daemon("--data-dir", str(tmp_path))
    try:
        sfn_a = sfn_client(d.endpoint, model_dir)
        sm = orders_machine(sfn_a, "orders-restart", child_states=wait, start="Pause")
        arn = sfn_a.start_execution(stateMachineArn=sm, input=json.dumps({"orders": [{"id": "a"}, {"id": "b"}]}))["executionArn"]
        deadline = time.time() + 5
        while time.time() < deadline and not sfn_a.list_map_runs(executionArn=arn)["mapRuns"]:
            time.sleep(0.05)
        run = only_run(sfn_a, arn)
        assert len(sfn_a.list_executions(mapRunArn=run, statusFilter="RUNNING")["executions"]) == 1
    finally:
        d.stop()
    d = Daemon("--data-dir", str(tmp_path))
    try:
        sfn_b = sfn_client(d.endpoint, model_dir)
        desc = wait_done(sfn_b, arn)
        assert desc["status"] == "SUCCEEDED", desc
        assert only_run(sfn_b, arn) == run
        children = sfn_b.list_executions(mapRunArn=run)["executions"]
        assert [c["status"] for c in children] == ["SUCCEEDED", "SUCCEEDED"]
        assert sfn_b.describe_map_run(mapRunArn=run)["executionCounts"]["succeeded"] == 2
    finally:
        d.stop()
