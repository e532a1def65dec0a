"""Lambda details users meet after the basics: an alias's RoutingConfig splitting invocations
between two versions (and AWS's rules for it), Update/ListFunctionEventInvokeConfigs, and layer
version permissions (Add/RemoveLayerVersionPermission, GetLayerVersionPolicy)."""
import json
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
