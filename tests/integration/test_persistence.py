"""With --data-dir, state survives a restart and a kill -9."""
import json

from conftest import Daemon, make_boto3

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def test_iam_survives_restart_and_kill9(tmp_path):
    data = str(tmp_path / "data")
    d = Daemon("--data-dir", data)
    iam = make_boto3(d.endpoint, "iam")
    iam.create_role(RoleName="persisted", AssumeRolePolicyDocument=TRUST)
    iam.create_user(UserName="carol")
    assert d.stop() == 0

    d = Daemon("--data-dir", data)
    iam = make_boto3(d.endpoint, "iam")
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["persisted"]
    iam.create_role(RoleName="after-restart", AssumeRolePolicyDocument=TRUST)
    d.kill9()

    d = Daemon("--data-dir", data)
    try:
        iam = make_boto3(d.endpoint, "iam")
        assert sorted(r["RoleName"] for r in iam.list_roles()["Roles"]) == ["after-restart", "persisted"]
        assert iam.get_user(UserName="carol")["User"]["UserName"] == "carol"
    finally:
        d.stop()
