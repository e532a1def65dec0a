"""Lambda details users meet after the basics: an alias's RoutingConfig splitting invocations
between two versions (and AWS's rules for it), Update/ListFunctionEventInvokeConfigs, layer
version permissions (Add/RemoveLayerVersionPermission, GetLayerVersionPolicy), and SQS mappings
that scale their pollers with the backlog up to ScalingConfig.MaximumConcurrency."""
import json
import time
from collections import Counter

import pytest
from botocore.exceptions import ClientError

from conftest import ROLE, zip_of



def code_of(e):
    return e.value.response["Error"]["Code"]


def in_process(lam, name):
    """A function bound to an in-process handler (fast to invoke), with versions 1 and 2."""
    lam.create_function(FunctionName=name, Runtime="provided.al2023", Handler="awan:Check-Stock", Role=ROLE,
                        Code={"ZipFile": zip_of({"README": "in-process"})}, Description="one")
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Timeout=7)
    lam.publish_version(FunctionName=name)


def test_alias_routing_config_splits_invocations(lam):
    in_process(lam, "routed")
    lam.create_alias(FunctionName="routed", Name="live", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    seen = Counter(lam.invoke(FunctionName="routed", Qualifier="live", Payload=b'{"Records": []}')["ExecutedVersion"]
                   for _ in range(200))
    assert set(seen) == {"1", "2"} and 60 <= seen["2"] <= 140, seen
    # Reads show the primary version; a weight of 0 sends nothing to the other one.
    assert lam.get_alias(FunctionName="routed", Name="live")["FunctionVersion"] == "1"
    lam.update_alias(FunctionName="routed", Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 0.0}})
    assert {lam.invoke(FunctionName="routed", Qualifier="live", Payload=b"{}")["ExecutedVersion"]
            for _ in range(30)} == {"1"}
    lam.update_alias(FunctionName="routed", Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}})
    assert {lam.invoke(FunctionName="routed", Qualifier="live", Payload=b"{}")["ExecutedVersion"]
            for _ in range(10)} == {"2"}


def test_alias_routing_config_rules(lam):
    in_process(lam, "rules")
    bad = [({"FunctionVersion": "$LATEST", "RoutingConfig": {"AdditionalVersionWeights": {"1": 0.5}}},
            "InvalidParameterValueException"),
           ({"FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"1": 0.5}}},
            "InvalidParameterValueException"),
           ({"FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"9": 0.5}}},
            "ResourceNotFoundException")]
    for kw, code in bad:
        with pytest.raises(ClientError) as e:
            lam.create_alias(FunctionName="rules", Name="a", **kw)
        assert code_of(e) == code, kw


def test_update_and_list_event_invoke_configs(lam):
    in_process(lam, "async-cfg")
    lam.put_function_event_invoke_config(FunctionName="async-cfg", MaximumRetryAttempts=1)
    out = lam.update_function_event_invoke_config(FunctionName="async-cfg", MaximumEventAgeInSeconds=120)
    assert out["MaximumRetryAttempts"] == 1 and out["MaximumEventAgeInSeconds"] == 120
    lam.put_function_event_invoke_config(FunctionName="async-cfg", Qualifier="1", MaximumRetryAttempts=0)
    listed = lam.list_function_event_invoke_configs(FunctionName="async-cfg")["FunctionEventInvokeConfigs"]
    assert sorted(c["FunctionArn"].rsplit(":", 1)[1] for c in listed) == ["$LATEST", "1"]
    page = lam.list_function_event_invoke_configs(FunctionName="async-cfg", MaxItems=1)
    assert len(page["FunctionEventInvokeConfigs"]) == 1 and page["NextMarker"]
    rest = lam.list_function_event_invoke_configs(FunctionName="async-cfg", Marker=page["NextMarker"])
    assert len(rest["FunctionEventInvokeConfigs"]) == 1 and "NextMarker" not in rest
    with pytest.raises(ClientError) as e:
        lam.update_function_event_invoke_config(FunctionName="async-cfg", MaximumRetryAttempts=5)
    assert code_of(e) in ("ValidationException", "InvalidParameterValueException")


def test_layer_version_permissions(lam):
    v = lam.publish_layer_version(LayerName="shared", Content={"ZipFile": zip_of({"python/x.py": "X = 1\n"})})
    n = v["Version"]
    with pytest.raises(ClientError) as e:
        lam.get_layer_version_policy(LayerName="shared", VersionNumber=n)
    assert code_of(e) == "ResourceNotFoundException"
    added = lam.add_layer_version_permission(LayerName="shared", VersionNumber=n, StatementId="everyone",
                                             Action="lambda:GetLayerVersion", Principal="*")
    assert json.loads(added["Statement"])["Principal"] == "*"
    lam.add_layer_version_permission(LayerName="shared", VersionNumber=n, StatementId="one-account",
                                     Action="lambda:GetLayerVersion", Principal="111122223333")
    with pytest.raises(ClientError) as e:
        lam.add_layer_version_permission(LayerName="shared", VersionNumber=n, StatementId="everyone",
                                         Action="lambda:GetLayerVersion", Principal="*")
    assert code_of(e) == "ResourceConflictException"
    with pytest.raises(ClientError) as e:
        lam.add_layer_version_permission(LayerName="shared", VersionNumber=n, StatementId="x",
                                         Action="lambda:InvokeFunction", Principal="*")
    assert code_of(e) == "ValidationException"
    policy = json.loads(lam.get_layer_version_policy(LayerName="shared", VersionNumber=n)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["everyone", "one-account"]
    assert policy["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    lam.remove_layer_version_permission(LayerName="shared", VersionNumber=n, StatementId="everyone")
    policy = json.loads(lam.get_layer_version_policy(LayerName="shared", VersionNumber=n)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["one-account"]
    with pytest.raises(ClientError) as e:
        lam.remove_layer_version_permission(LayerName="shared", VersionNumber=n, StatementId="everyone")
    assert code_of(e) == "ResourceNotFoundException"
    # GetLayerVersion does not show the policy.
    assert "policy" not in lam.get_layer_version(LayerName="shared", VersionNumber=n)


SLOW = "import time\ndef handler(event, context):\n    time.sleep(0.2)\n    return {}\n"


def create_mapping(awan, body):
    """CreateEventSourceMapping as JSON on the wire: Debian's botocore has no ScalingConfig."""
    auth = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0"
    status, _, answer = awan.request("POST", "/2015-03-31/event-source-mappings/", json.dumps(body).encode(),
                                     {"Authorization": auth, "Content-Type": "application/json"})
    return status, json.loads(answer)


def drain_seconds(awan, boto, lam, name, **mapping):
    """Seconds an SQS mapping takes to process 40 messages, one per batch, 0.2 s each."""
    sqs = boto("sqs")
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for i in range(0, 40, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(j), "MessageBody": str(j)} for j in range(i, i + 10)])
    lam.create_function(FunctionName=name, Runtime="python3.11", Handler="app.handler", Role=ROLE,
                        Code={"ZipFile": zip_of({"app.py": SLOW})}, Timeout=10)
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    t0 = time.time()
    status, _ = create_mapping(awan, {"FunctionName": name, "EventSourceArn": arn, "BatchSize": 1, **mapping})
    assert status == 202
    while time.time() - t0 < 30:
        a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        if a["ApproximateNumberOfMessages"] == "0" and a["ApproximateNumberOfMessagesNotVisible"] == "0":
            return time.time() - t0
        time.sleep(0.05)
    raise AssertionError("the queue was not drained in 30 s")


def test_sqs_mappings_scale_pollers_with_the_backlog(awan, boto, lam):
    # One poller would take 8 s; Lambda scales up with the backlog.
    fast = drain_seconds(awan, boto, lam, "scaled")
    # ScalingConfig caps the concurrency: two pollers take about 4 s.
    capped = drain_seconds(awan, boto, lam, "capped", ScalingConfig={"MaximumConcurrency": 2})
    assert fast < 3.5 and capped >= 3.5, (fast, capped)
    status, err = create_mapping(awan, {"FunctionName": "capped", "BatchSize": 1, "ScalingConfig": {"MaximumConcurrency": 1},
                                        "EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:capped"})
    assert status == 400 and "maximumConcurrency" in err["message"]
