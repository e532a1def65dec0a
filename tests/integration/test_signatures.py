"""--verify-signatures: real clients' signatures verify; wrong ones are refused as AWS does."""
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import Daemon, make_boto3, run_aws_cli, AwsCliError


@pytest.fixture(scope="module")
def verifying():
    d = Daemon("--verify-signatures")
    yield d
    d.stop()


def error_of(call):
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_valid_signatures_from_three_clients(verifying, tmp_path):
    assert make_boto3(verifying.endpoint, "sts").get_caller_identity()["Account"] == "000000000000"
    assert run_aws_cli(verifying.endpoint, "sts", "get-caller-identity")["Account"] == "000000000000"
    assert make_boto3(verifying.endpoint, "dynamodb").list_tables()["TableNames"] == []
    from conftest import run_js
    rc, out, err = run_js(verifying.endpoint, "sts_iam.mjs")
    assert rc == 0, out + err


def test_wrong_secret(verifying):
    sts = make_boto3(verifying.endpoint, "sts", secret="wrong")
    assert error_of(sts.get_caller_identity) == ("SignatureDoesNotMatch", 403)
    ddb = make_boto3(verifying.endpoint, "dynamodb", secret="wrong")
    assert error_of(ddb.list_tables) == ("InvalidSignatureException", 400)
    with pytest.raises(AwsCliError) as e:
        run_aws_cli(verifying.endpoint, "iam", "list-roles", env={"AWS_SECRET_ACCESS_KEY": "nope"})
    assert "SignatureDoesNotMatch" in e.value.stderr


def test_unknown_access_key(verifying):
    sts = make_boto3(verifying.endpoint, "sts", key="AKIAUNKNOWNKEY000000")
    assert error_of(sts.get_caller_identity) == ("InvalidClientTokenId", 403)
    ddb = make_boto3(verifying.endpoint, "dynamodb", key="AKIAUNKNOWNKEY000000")
    assert error_of(ddb.list_tables)[0] == "UnrecognizedClientException"


def test_unsigned_request_is_refused(verifying):
    req = urllib.request.Request(verifying.endpoint + "/", data=b"Action=GetCallerIdentity&Version=2011-06-15",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=5)
    assert e.value.code == 403
    assert b"<Code>MissingAuthenticationToken</Code>" in e.value.read()


def test_iam_user_keys_and_sts_sessions_verify(verifying):
    iam = make_boto3(verifying.endpoint, "iam")
    iam.create_user(UserName="dave")
    key = iam.create_access_key(UserName="dave")["AccessKey"]
    as_dave = make_boto3(verifying.endpoint, "sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert as_dave.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:user/dave"
    bad = make_boto3(verifying.endpoint, "sts", key=key["AccessKeyId"], secret="x" * 40)
    assert error_of(bad.get_caller_identity) == ("SignatureDoesNotMatch", 403)

    creds = make_boto3(verifying.endpoint, "sts").assume_role(
        RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="sess")["Credentials"]
    session = make_boto3(verifying.endpoint, "sts", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                         token=creds["SessionToken"])
    assert session.get_caller_identity()["Account"] == "123456789012"
    no_token = make_boto3(verifying.endpoint, "sts", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"])
    assert error_of(no_token.get_caller_identity)[0] == "InvalidClientTokenId"


def test_presigned_url(verifying):
    sts = make_boto3(verifying.endpoint, "sts")
    # botocore signs with the operation's method (POST) unless told: the URL is used with GET.
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=300, HttpMethod="GET")
    with urllib.request.urlopen(url, timeout=5) as r:
        assert r.status == 200 and b"<Account>000000000000</Account>" in r.read()
    tampered = url.replace("X-Amz-Expires=300", "X-Amz-Expires=301")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(tampered, timeout=5)
    assert e.value.code == 403 and b"SignatureDoesNotMatch" in e.value.read()
