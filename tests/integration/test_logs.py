"""CloudWatch Logs against a running daemon: boto3 (Debian's), aws-cli v2 (create-log-group,
put-log-events, get-log-events, filter-log-events, `aws logs tail` and `tail --follow`), the
internal events endpoint, persistence under --data-dir, and the JS SDK v3 (js/logs.mjs)."""
import json
import os
import subprocess
import time
import urllib.parse

import pytest
from botocore.exceptions import ClientError

from conftest import AWS_CLI, CLIENT_ENV, Daemon, make_boto3


@pytest.fixture
def logs(boto):
    return boto("logs")


def now_ms():
    return int(time.time() * 1000)


def code(exc_info):
    return exc_info.value.response["Error"]["Code"]


def message(exc_info):
    return exc_info.value.response["Error"]["Message"]


def test_log_groups_and_their_errors(logs):
    logs.create_log_group(logGroupName="/aws/lambda/orders", tags={"team": "core"})
    logs.create_log_group(logGroupName="app")
    with pytest.raises(ClientError) as e:
        logs.create_log_group(logGroupName="app")
    assert code(e) == "ResourceAlreadyExistsException"
    assert message(e) == "The specified log group already exists"
    with pytest.raises(ClientError) as e:
        logs.create_log_group(logGroupName="bad name")
    assert code(e) == "InvalidParameterException"
    groups = logs.describe_log_groups()["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/aws/lambda/orders", "app"]
    assert groups[0]["arn"] == "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/orders:*"
    assert groups[0]["storedBytes"] == 0
    assert abs(groups[0]["creationTime"] - now_ms()) < 60_000
    assert [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/aws")["logGroups"]] == [
        "/aws/lambda/orders"]
    page = logs.describe_log_groups(limit=1)
    assert len(page["logGroups"]) == 1 and "nextToken" in page
    logs.put_retention_policy(logGroupName="app", retentionInDays=7)
    assert logs.describe_log_groups(logGroupNamePrefix="app")["logGroups"][0]["retentionInDays"] == 7
    with pytest.raises(ClientError) as e:
        logs.put_retention_policy(logGroupName="app", retentionInDays=8)
    assert code(e) == "InvalidParameterException"
    assert logs.list_tags_log_group(logGroupName="/aws/lambda/orders")["tags"] == {"team": "core"}
    logs.delete_log_group(logGroupName="app")
    with pytest.raises(ClientError) as e:
        logs.delete_log_group(logGroupName="app")
    assert code(e) == "ResourceNotFoundException"
    assert message(e) == "The specified log group does not exist."


def test_put_and_get_log_events_with_tokens(logs):
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    t = now_ms()
    out = logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[
        {"timestamp": t - 15 * 86_400_000, "message": "too old"},
        *[{"timestamp": t + i, "message": f"line {i}"} for i in range(5)],
    ])
    assert out["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1}
    assert len(out["nextSequenceToken"]) == 56
    got = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True, limit=3)
    assert [e["message"] for e in got["events"]] == ["line 0", "line 1", "line 2"]
    assert got["nextForwardToken"].startswith("f/") and got["nextBackwardToken"].startswith("b/")
    seen, token = [], None
    while True:  # the same token at the end of the stream ends the loop
        kw = {"nextToken": token} if token else {"startFromHead": True}
        page = logs.get_log_events(logGroupName="g", logStreamName="s", limit=2, **kw)
        seen += [e["message"] for e in page["events"]]
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert seen == [f"line {i}" for i in range(5)]
    stream = logs.describe_log_streams(logGroupName="g")["logStreams"][0]
    assert stream["firstEventTimestamp"] == t and stream["lastEventTimestamp"] == t + 4
    assert stream["arn"] == "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s"
    with pytest.raises(ClientError) as e:
        logs.put_log_events(logGroupName="g", logStreamName="nope", logEvents=[{"timestamp": t, "message": "x"}])
    assert message(e) == "The specified log stream does not exist."


def test_filter_log_events_patterns_and_paginator(logs):
    logs.create_log_group(logGroupName="g")
    for s in ["api", "worker"]:
        logs.create_log_stream(logGroupName="g", logStreamName=s)
    t = now_ms()
    logs.put_log_events(logGroupName="g", logStreamName="api", logEvents=[
        {"timestamp": t, "message": "ERROR timeout"}, {"timestamp": t + 2, "message": '{"status": 500, "path": "/x"}'}])
    logs.put_log_events(logGroupName="g", logStreamName="worker", logEvents=[
        {"timestamp": t + 1, "message": "INFO done"}, {"timestamp": t + 3, "message": '{"status": 200, "path": "/y"}'}])
    def matching(**kw):
        return [e["message"] for e in logs.filter_log_events(logGroupName="g", **kw)["events"]]
    assert matching() == ["ERROR timeout", "INFO done", '{"status": 500, "path": "/x"}', '{"status": 200, "path": "/y"}']
    assert matching(filterPattern="ERROR") == ["ERROR timeout"]
    assert matching(filterPattern="?ERROR ?INFO") == ["ERROR timeout", "INFO done"]
    assert matching(filterPattern='{ $.status >= 500 }') == ['{"status": 500, "path": "/x"}']
    assert matching(filterPattern='{ $.status = 200 || $.path = "/x" }') == [
        '{"status": 500, "path": "/x"}', '{"status": 200, "path": "/y"}']
    assert matching(logStreamNames=["worker"]) == ["INFO done", '{"status": 200, "path": "/y"}']
    pages = list(logs.get_paginator("filter_log_events").paginate(logGroupName="g", limit=1))
    assert [p["events"][0]["logStreamName"] for p in pages if p["events"]] == ["api", "worker", "api", "worker"]
    with pytest.raises(ClientError) as e:
        logs.filter_log_events(logGroupName="g", filterPattern="{ $.status >")
    assert code(e) == "InvalidParameterException"


def test_tags_metric_and_subscription_filters(logs):
    logs.create_log_group(logGroupName="g")
    arn = "arn:aws:logs:us-east-1:000000000000:log-group:g"
    logs.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}
    logs.put_metric_filter(logGroupName="g", filterName="errors", filterPattern="ERROR", metricTransformations=[
        {"metricName": "Errors", "metricNamespace": "App", "metricValue": "1"}])
    assert logs.describe_metric_filters(logGroupName="g")["metricFilters"][0]["filterName"] == "errors"
    assert logs.describe_log_groups()["logGroups"][0]["metricFilterCount"] == 1
    logs.put_subscription_filter(logGroupName="g", filterName="all", filterPattern="",
                                 destinationArn="arn:aws:lambda:us-east-1:000000000000:function:f")
    assert logs.describe_subscription_filters(logGroupName="g")["subscriptionFilters"][0]["distribution"] == "ByLogStream"
    logs.delete_subscription_filter(logGroupName="g", filterName="all")
    logs.delete_metric_filter(logGroupName="g", filterName="errors")
    assert logs.describe_metric_filters(logGroupName="g")["metricFilters"] == []


def test_aws_cli_round_trip(aws):
    aws("logs", "create-log-group", "--log-group-name", "cli")
    aws("logs", "create-log-stream", "--log-group-name", "cli", "--log-stream-name", "s")
    t = now_ms()
    aws("logs", "put-log-events", "--log-group-name", "cli", "--log-stream-name", "s", "--log-events",
        f"timestamp={t},message=hello from the cli", f"timestamp={t + 1},message=ERROR boom")
    got = aws("logs", "get-log-events", "--log-group-name", "cli", "--log-stream-name", "s", "--start-from-head")
    assert [e["message"] for e in got["events"]] == ["hello from the cli", "ERROR boom"]
    found = aws("logs", "filter-log-events", "--log-group-name", "cli", "--filter-pattern", "ERROR")
    assert [e["message"] for e in found["events"]] == ["ERROR boom"]
    assert aws("logs", "describe-log-groups")["logGroups"][0]["logGroupName"] == "cli"


def cli_env():
    e = dict(os.environ)
    e.update(CLIENT_ENV)
    return e


def test_aws_logs_tail(awan, logs):
    logs.create_log_group(logGroupName="tailed")
    logs.create_log_stream(logGroupName="tailed", logStreamName="s")
    t = now_ms()
    logs.put_log_events(logGroupName="tailed", logStreamName="s", logEvents=[
        {"timestamp": t, "message": "first"}, {"timestamp": t + 1, "message": "second"}])
    p = subprocess.run([AWS_CLI, "--endpoint-url", awan.endpoint, "logs", "tail", "tailed", "--since", "1h"],
                       capture_output=True, text=True, env=cli_env(), timeout=60)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.strip().splitlines()
    assert len(lines) == 2 and lines[0].endswith(" s first") and lines[1].endswith(" s second")


def test_aws_logs_tail_follow(awan, logs):
    logs.create_log_group(logGroupName="followed")
    logs.create_log_stream(logGroupName="followed", logStreamName="s")
    logs.put_log_events(logGroupName="followed", logStreamName="s",
                        logEvents=[{"timestamp": now_ms(), "message": "before"}])
    p = subprocess.Popen([AWS_CLI, "--endpoint-url", awan.endpoint, "logs", "tail", "followed", "--follow",
                          "--format", "short"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    try:
        assert p.stdout.readline().rstrip().endswith("before")
        logs.put_log_events(logGroupName="followed", logStreamName="s",
                            logEvents=[{"timestamp": now_ms(), "message": "after"}])
        assert p.stdout.readline().rstrip().endswith("after")  # the next poll, about 5 s later
    finally:
        p.kill()
        p.wait()


def test_internal_events_endpoint(awan, logs):
    logs.create_log_group(logGroupName="/aws/lambda/f")
    logs.create_log_stream(logGroupName="/aws/lambda/f", logStreamName="2024/01/01/[$LATEST]abc")
    logs.put_log_events(logGroupName="/aws/lambda/f", logStreamName="2024/01/01/[$LATEST]abc",
                        logEvents=[{"timestamp": now_ms(), "message": "START RequestId: 1"}])
    q = urllib.parse.urlencode({"logGroupName": "/aws/lambda/f"})
    status, _, body = awan.request("GET", f"/_awan/logs/events?{q}")
    assert status == 200
    doc = json.loads(body)
    assert doc["events"][0]["message"] == "START RequestId: 1"
    assert doc["events"][0]["logStreamName"] == "2024/01/01/[$LATEST]abc"
    status, _, _ = awan.request("GET", "/_awan/logs/events?logGroupName=missing")
    assert status == 404


def test_events_survive_a_restart(tmp_path):
    data = str(tmp_path / "data")
    d = Daemon("--data-dir", data)
    try:
        c = make_boto3(d.endpoint, "logs")
        c.create_log_group(logGroupName="kept")
        c.create_log_stream(logGroupName="kept", logStreamName="s")
        c.put_log_events(logGroupName="kept", logStreamName="s", logEvents=[{"timestamp": now_ms(), "message": "m1"}])
    finally:
        d.stop()
    d = Daemon("--data-dir", data)
    try:
        c = make_boto3(d.endpoint, "logs")
        c.put_log_events(logGroupName="kept", logStreamName="s", logEvents=[{"timestamp": now_ms(), "message": "m2"}])
        events = c.filter_log_events(logGroupName="kept")["events"]
        assert [e["message"] for e in events] == ["m1", "m2"]
        assert len({e["eventId"] for e in events}) == 2
    finally:
        d.stop()


def test_js_sdk_v3(js):
    js("logs.mjs")
