"""HTTP APIs survive a kill -9 of a daemon started with --data-dir: the API, its routes, its
stage and deployment, and invocations keep working after the restart."""
import json
import urllib.request

from conftest import Daemon, make_boto3


def test_http_api_survives_kill_9(tmp_path):
    data = str(tmp_path / "data")
    d = Daemon("--data-dir", data)
    try:
        v2 = make_boto3(d.endpoint, "apigatewayv2")
        api_id = v2.create_api(Name="kept", ProtocolType="HTTP",
                               Target="arn:aws:lambda:us-east-1:000000000000:function:none")["ApiId"]
        v2.create_stage(ApiId=api_id, StageName="prod", StageVariables={"a": "b"})
        v2.create_deployment(ApiId=api_id, StageName="prod")
        d.kill9()
        d = Daemon("--data-dir", data)
        v2 = make_boto3(d.endpoint, "apigatewayv2")
        assert v2.get_api(ApiId=api_id)["Name"] == "kept"
        assert [r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]] == ["$default"]
        stage = v2.get_stage(ApiId=api_id, StageName="prod")
        assert stage["StageVariables"] == {"a": "b"} and stage["DeploymentId"]
        # The function does not exist: the route is served (500), not 404.
        req = urllib.request.Request(f"{d.endpoint}/_aws/execute-api/{api_id}/prod/x")
        try:
            urllib.request.urlopen(req, timeout=10)
            status = 200
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        assert status == 500 and json.loads(body) == {"message": "Internal Server Error"}
    finally:
        d.stop()
