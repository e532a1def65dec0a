"""Step Functions: workflow variables checked when a definition is validated (Assign names,
scopes), DescribeStateMachine's variableReferences, includedData and encryptionConfiguration,
and RedriveExecution's clientToken, through a botocore client built from the pip botocore's
model (these members are newer than Debian's) and aws-cli."""
import json

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import AwsCliError
from test_stepfunctions_distributed import MODEL, model_dir, wait_done  # noqa: F401 (model_dir: a fixture)

SFN_ROLE = "arn:aws:iam::000000000000:role/sfn-role"

pytestmark = pytest.mark.skipif(not MODEL, reason="the newer botocore model is not installed")


@pytest.fixture
def sfn(awan, model_dir):
    session = botocore.session.Session()
    session.get_component("data_loader").search_paths.insert(0, model_dir)
    return session.create_client("stepfunctions", endpoint_url=awan.endpoint, region_name="us-east-1",
                                 aws_access_key_id="test", aws_secret_access_key="test",
                                 config=Config(retries={"max_attempts": 1}, inject_host_prefix=False))


def pass_assigning(assign):
    return {"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": assign, "End": True}}}


def parallel_reassigning(name):
    return {"StartAt": "Par", "States": {"Par": {
        "Type": "Parallel", "Assign": {name: 1}, "End": True,
        "Branches": [{"StartAt": "In", "States": {"In": {"Type": "Pass", "Assign": {name: 2}, "End": True}}}]}}}


def test_validate_refuses_bad_variable_names_and_scopes(sfn):
    for name in ["states", "1st", "a-b", "x" * 81]:
        r = sfn.validate_state_machine_definition(definition=json.dumps(pass_assigning({name: 1})))
        assert r["result"] == "FAIL", name
        d = r["diagnostics"][0]
        assert (d["severity"], d["code"], d["location"]) == ("ERROR", "SCHEMA_VALIDATION_FAILED", "/States/A/Assign")
        assert name in d["message"]
    r = sfn.validate_state_machine_definition(definition=json.dumps(parallel_reassigning("total")))
    assert r["result"] == "FAIL"
    assert r["diagnostics"][0]["location"] == "/States/Par/Branches[0]/States/In/Assign"
    # Valid names, and a reference to a variable no state assigns (AWS accepts it; the execution fails).
    ok = {"StartAt": "A", "QueryLanguage": "JSONata", "States": {"A": {
        "Type": "Pass", "Assign": {"été": 1, "camelCase_2": 2}, "Output": "{% $doesNotExist %}", "End": True}}}
    r = sfn.validate_state_machine_definition(definition=json.dumps(ok), severity="WARNING")
    assert r["result"] == "OK" and r["diagnostics"] == []


def test_create_refuses_a_reserved_variable_name(sfn, aws):
    with pytest.raises(ClientError) as e:
        sfn.create_state_machine(name="reserved", roleArn=SFN_ROLE, definition=json.dumps(pass_assigning({"states": 1})))
    assert e.value.response["Error"]["Code"] == "InvalidDefinition"
    assert "SCHEMA_VALIDATION_FAILED" in e.value.response["Error"]["Message"]
    assert "/States/A/Assign" in e.value.response["Error"]["Message"]
    with pytest.raises(AwsCliError) as e:
        aws("stepfunctions", "create-state-machine", "--name", "scoped", "--role-arn", SFN_ROLE,
            "--definition", json.dumps(parallel_reassigning("total")))
    assert "InvalidDefinition" in e.value.stderr
    assert "/States/Par/Branches[0]/States/In/Assign" in e.value.stderr


VARIABLES = {"StartAt": "Set", "States": {
    "Set": {"Type": "Pass", "Assign": {"count": 1, "greeting": "hi"}, "Next": "Use"},
    "Use": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $greeting & ' ' & $string($count) %}", "End": True}}}


def test_describe_variable_references_and_included_data(sfn):
    arn = sfn.create_state_machine(name="vars", roleArn=SFN_ROLE, definition=json.dumps(VARIABLES))["stateMachineArn"]
    d = sfn.describe_state_machine(stateMachineArn=arn)
    assert d["variableReferences"] == {"Use": ["greeting", "count"]}
    assert d["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}
    d = sfn.describe_state_machine(stateMachineArn=arn, includedData="METADATA_ONLY")
    assert d["definition"] == "{}" and "variableReferences" not in d
    run = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert json.loads(wait_done(sfn, run)["output"]) == "hi 1"
    d = sfn.describe_state_machine_for_execution(executionArn=run)
    assert d["variableReferences"] == {"Use": ["greeting", "count"]}


def test_encryption_configuration_stored_and_validated(sfn):
    cmk = {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/my-key"}
    arn = sfn.create_state_machine(name="enc", roleArn=SFN_ROLE, definition=json.dumps(VARIABLES),
                                   encryptionConfiguration=cmk)["stateMachineArn"]
    assert sfn.describe_state_machine(stateMachineArn=arn)["encryptionConfiguration"] == {**cmk, "kmsDataKeyReusePeriodSeconds": 300}
    sfn.update_state_machine(stateMachineArn=arn, encryptionConfiguration={"type": "AWS_OWNED_KEY"})
    assert sfn.describe_state_machine(stateMachineArn=arn)["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}
    with pytest.raises(ClientError) as e:
        sfn.create_state_machine(name="enc2", roleArn=SFN_ROLE, definition=json.dumps(VARIABLES),
                                 encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY"})
    assert e.value.response["Error"]["Code"] == "InvalidEncryptionConfiguration"
    activity = sfn.create_activity(name="act", encryptionConfiguration={**cmk, "kmsDataKeyReusePeriodSeconds": 120})["activityArn"]
    assert sfn.describe_activity(activityArn=activity)["encryptionConfiguration"] == {**cmk, "kmsDataKeyReusePeriodSeconds": 120}


def test_describe_alias_arn(sfn, aws):
    arn = sfn.create_state_machine(name="al", roleArn=SFN_ROLE, definition=json.dumps(VARIABLES), publish=True)["stateMachineArn"]
    sfn.create_state_machine_alias(name="live", routingConfiguration=[{"stateMachineVersionArn": arn + ":1", "weight": 100}])
    d = sfn.describe_state_machine(stateMachineArn=arn + ":live")
    assert d["stateMachineArn"] == arn + ":1"
    assert d["variableReferences"] == {"Use": ["greeting", "count"]}
    assert aws("stepfunctions", "describe-state-machine", "--state-machine-arn", arn + ":live")["stateMachineArn"] == arn + ":1"


def test_redrive_client_token_is_idempotent(sfn):
    fails = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E", "Cause": "c"}}}
    arn = sfn.create_state_machine(name="redrive-token", roleArn=SFN_ROLE, definition=json.dumps(fails))["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert wait_done(sfn, run)["status"] == "FAILED"
    first = sfn.redrive_execution(executionArn=run, clientToken="once")["redriveDate"]
    assert wait_done(sfn, run)["redriveCount"] == 1
    assert sfn.redrive_execution(executionArn=run, clientToken="once")["redriveDate"] == first
    assert wait_done(sfn, run)["redriveCount"] == 1
    # botocore fills in a fresh token when none is given: that redrives again.
    sfn.redrive_execution(executionArn=run)
    assert wait_done(sfn, run)["redriveCount"] == 2
    with pytest.raises(ClientError) as e:
        sfn.redrive_execution(executionArn=run, clientToken="not valid")
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_describe_distributed_map_label_arn(sfn):
    proc = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "Item",
            "States": {"Item": {"Type": "Pass", "End": True}}}
    definition = {"StartAt": "Each", "States": {"Each": {"Type": "Map", "Label": "Rows", "Items": [1, 2],
                                                         "ItemProcessor": proc, "End": True}}}
    arn = sfn.create_state_machine(name="labels", roleArn=SFN_ROLE, definition=json.dumps(definition))["stateMachineArn"]
    d = sfn.describe_state_machine(stateMachineArn=arn + "/Rows")
    assert (d["stateMachineArn"], d["name"], d["label"]) == (arn + "/Rows", "labels/Rows", "Rows")
    assert json.loads(d["definition"]) == {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}
    with pytest.raises(ClientError) as e:
        sfn.describe_state_machine(stateMachineArn=arn + "/Other")
    assert e.value.response["Error"]["Code"] == "StateMachineDoesNotExist"


def test_validate_warnings_only_with_severity_warning(sfn):
    warned = {"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Parameters": {"id": "$.id"}, "Next": "F"},
        "F": {"Type": "Fail", "Error": "$.error"}}}
    r = sfn.validate_state_machine_definition(definition=json.dumps(warned))
    assert (r["result"], r["diagnostics"]) == ("OK", [])
    r = sfn.validate_state_machine_definition(definition=json.dumps(warned), severity="WARNING")
    assert r["result"] == "OK"
    assert [(d["severity"], d["code"], d["location"]) for d in r["diagnostics"]] == [
        ("WARNING", "NO_PATH", "/States/F/Error"), ("WARNING", "NO_DOLLAR", "/States/P/Parameters/id")]
    sfn.create_state_machine(name="warned", roleArn=SFN_ROLE, definition=json.dumps(warned))


def test_create_is_idempotent_across_role_but_not_encryption(sfn):
    d = json.dumps(VARIABLES)
    arn = sfn.create_state_machine(name="idem", roleArn=SFN_ROLE, definition=d)["stateMachineArn"]
    assert sfn.create_state_machine(name="idem", roleArn=SFN_ROLE + "-other", definition=d)["stateMachineArn"] == arn
    assert sfn.describe_state_machine(stateMachineArn=arn)["roleArn"] == SFN_ROLE
    with pytest.raises(ClientError) as e:
        sfn.create_state_machine(name="idem", roleArn=SFN_ROLE, definition=d,
                                 encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "k"})
    assert e.value.response["Error"]["Code"] == "StateMachineAlreadyExists"
