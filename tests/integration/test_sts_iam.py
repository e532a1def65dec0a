"""STS and IAM through aws-cli v2, boto3 and (see js/sts_iam.mjs) the JS SDK v3."""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import AwsCliError, make_boto3

TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})
POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"}],
})


# ---------------- STS ----------------

def test_cli_get_caller_identity_default_account(aws):
    ident = aws("sts", "get-caller-identity")
    assert ident == {"UserId": "000000000000", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root"}


def test_cli_account_from_access_key(aws):
    ident = aws("sts", "get-caller-identity", env={"AWS_ACCESS_KEY_ID": "123456789012"})
    assert ident["Account"] == "123456789012"


def test_boto3_assume_role_credentials_are_accepted(boto, awan):
    sts = boto("sts")
    out = sts.assume_role(RoleArn="arn:aws:iam::210987654321:role/pipeline", RoleSessionName="ci")
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::210987654321:assumed-role/pipeline/ci"
    assumed = make_boto3(awan.endpoint, "sts", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                         token=creds["SessionToken"])
    ident = assumed.get_caller_identity()
    assert ident["Account"] == "210987654321"
    assert ident["Arn"] == "arn:aws:sts::210987654321:assumed-role/pipeline/ci"
    assert ident["UserId"].endswith(":ci") and ident["UserId"].startswith("AROA")


def test_boto3_get_session_token(boto):
    out = boto("sts").get_session_token(DurationSeconds=900)
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert out["Credentials"]["SessionToken"]


def test_boto3_assume_role_validation(boto):
    with pytest.raises(ClientError) as e:
        boto("sts").assume_role(RoleArn="arn:aws:iam::210987654321:role/x", RoleSessionName="bad session!")
    assert e.value.response["Error"]["Code"] == "ValidationError"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


# ---------------- IAM ----------------

def test_cli_role_lifecycle(aws):
    role = aws("iam", "create-role", "--role-name", "Load-Inventory-Role",
               "--assume-role-policy-document", TRUST)["Role"]
    assert role["Arn"] == "arn:aws:iam::000000000000:role/Load-Inventory-Role"
    assert role["RoleId"].startswith("AROA")
    aws("iam", "attach-role-policy", "--role-name", "Load-Inventory-Role",
        "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    aws("iam", "put-role-policy", "--role-name", "Load-Inventory-Role", "--policy-name", "ddb",
        "--policy-document", POLICY)
    got = aws("iam", "get-role", "--role-name", "Load-Inventory-Role")["Role"]
    assert got["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"] == "lambda.amazonaws.com"
    names = [r["RoleName"] for r in aws("iam", "list-roles")["Roles"]]
    assert names == ["Load-Inventory-Role"]
    attached = aws("iam", "list-attached-role-policies", "--role-name", "Load-Inventory-Role")
    assert attached["AttachedPolicies"][0]["PolicyName"] == "AWSLambdaBasicExecutionRole"
    pol = aws("iam", "get-role-policy", "--role-name", "Load-Inventory-Role", "--policy-name", "ddb")
    assert pol["PolicyDocument"]["Statement"][0]["Action"] == "dynamodb:PutItem"
    # Policies still attached: DeleteConflict.
    with pytest.raises(AwsCliError) as e:
        aws("iam", "delete-role", "--role-name", "Load-Inventory-Role")
    assert "DeleteConflict" in e.value.stderr
    aws("iam", "detach-role-policy", "--role-name", "Load-Inventory-Role",
        "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    aws("iam", "delete-role-policy", "--role-name", "Load-Inventory-Role", "--policy-name", "ddb")
    aws("iam", "delete-role", "--role-name", "Load-Inventory-Role")
    with pytest.raises(AwsCliError) as e:
        aws("iam", "get-role", "--role-name", "Load-Inventory-Role")
    assert "NoSuchEntity" in e.value.stderr


def test_boto3_errors(boto):
    iam = boto("iam")
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=TRUST)
    with pytest.raises(ClientError) as e:
        iam.create_role(RoleName="r1", AssumeRolePolicyDocument=TRUST)
    err = e.value.response["Error"]
    assert err["Code"] == "EntityAlreadyExists" and err["Message"] == "Role with name r1 already exists."
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    with pytest.raises(ClientError) as e:
        iam.get_role(RoleName="nope")
    assert e.value.response["Error"]["Code"] == "NoSuchEntity"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as e:
        iam.create_role(RoleName="r2", AssumeRolePolicyDocument="{not json")
    assert e.value.response["Error"]["Code"] == "MalformedPolicyDocument"
    with pytest.raises(ClientError) as e:
        iam.put_role_policy(RoleName="r1", PolicyName="p", PolicyDocument='{"Version":"2012-10-17"}')
    assert e.value.response["Error"]["Code"] == "MalformedPolicyDocument"


def test_boto3_managed_policy_and_users(boto):
    iam = boto("iam")
    arn = iam.create_policy(PolicyName="inv", PolicyDocument=POLICY)["Policy"]["Arn"]
    assert arn == "arn:aws:iam::000000000000:policy/inv"
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    with pytest.raises(ClientError) as e:
        iam.delete_policy(PolicyArn=arn)
    assert e.value.response["Error"]["Code"] == "DeleteConflict"
    iam.detach_role_policy(RoleName="r", PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and key["Status"] == "Active"
    with pytest.raises(ClientError) as e:
        iam.delete_user(UserName="alice")
    assert e.value.response["Error"]["Code"] == "DeleteConflict"


def test_iam_user_key_identity(boto, awan):
    iam = boto("iam")
    iam.create_user(UserName="bob")
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    sts = make_boto3(awan.endpoint, "sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    ident = sts.get_caller_identity()
    assert ident["Arn"] == "arn:aws:iam::000000000000:user/bob"


def test_accounts_are_partitioned(boto, awan):
    a = make_boto3(awan.endpoint, "iam", key="111111111111")
    b = make_boto3(awan.endpoint, "iam", key="222222222222")
    a.create_role(RoleName="only-in-a", AssumeRolePolicyDocument=TRUST)
    assert [r["RoleName"] for r in a.list_roles()["Roles"]] == ["only-in-a"]
    assert b.list_roles()["Roles"] == []


def test_list_roles_pagination(boto):
    iam = boto("iam")
    for i in range(7):
        iam.create_role(RoleName=f"role-{i}", AssumeRolePolicyDocument=TRUST)
    names = []
    for page in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 3}):
        names += [r["RoleName"] for r in page["Roles"]]
    assert names == [f"role-{i}" for i in range(7)]


def test_reset_drops_state(boto, awan):
    iam = boto("iam")
    iam.create_role(RoleName="gone", AssumeRolePolicyDocument=TRUST)
    awan.reset()
    assert iam.list_roles()["Roles"] == []


def test_js_sdk_sts_iam(js):
    out = js("sts_iam.mjs")
    assert "ok" in out
