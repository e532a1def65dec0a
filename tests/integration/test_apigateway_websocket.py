"""API Gateway WebSocket APIs end to end with python3-websockets: $connect (and its refusal),
a custom route chosen by $request.body.action whose function answers through
PostToConnection (boto3 apigatewaymanagementapi), a route response returning the function's
body, $default, GetConnection/DeleteConnection, and $disconnect."""
import asyncio
import json
import time

import pytest
import websockets
from botocore.exceptions import ClientError

from conftest import zip_of

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})

HANDLER = """
import json, os, boto3
def handler(event, context):
    rc = event["requestContext"]
    if rc["eventType"] == "CONNECT":
        if (event.get("queryStringParameters") or {}).get("deny") == "1":
            return {"statusCode": 403}
        return {"statusCode": 200}
    if rc["eventType"] == "DISCONNECT":
        return {"statusCode": 200}
    body = json.loads(event["body"])
    if rc["routeKey"] == "echo":
        mgmt = boto3.client("apigatewaymanagementapi",
                            endpoint_url=os.environ["AWS_ENDPOINT_URL"] + "/_aws/execute-api/" + rc["apiId"] + "/" + rc["stage"])
        mgmt.post_to_connection(ConnectionId=rc["connectionId"],
                                Data=json.dumps({"echo": body.get("data"), "routeKey": rc["routeKey"],
                                                 "eventType": rc["eventType"], "stage": rc["stage"],
                                                 "hasMessageId": "messageId" in rc, "id": rc["connectionId"]}).encode())
        return {"statusCode": 200}
    return {"statusCode": 200, "body": json.dumps({"default": body})}
"""


@pytest.fixture
def ws_api(boto):
    iam = boto("iam")
    role = iam.create_role(RoleName="ws-fn", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    arn = boto("lambda").create_function(FunctionName="ws", Runtime="python3.11", Handler="app.handler", Role=role,
                                         Code={"ZipFile": zip_of({"app.py": HANDLER})}, Timeout=30)["FunctionArn"]
    v2 = boto("apigatewayv2")
    api = v2.create_api(Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    api_id = api["ApiId"]
    assert api["ApiEndpoint"].startswith("ws://")
    integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn)
    target = "integrations/" + integ["IntegrationId"]
    for key in ("$connect", "$disconnect", "echo"):
        v2.create_route(ApiId=api_id, RouteKey=key, Target=target)
    d = v2.create_route(ApiId=api_id, RouteKey="$default", Target=target)
    v2.create_route_response(ApiId=api_id, RouteId=d["RouteId"], RouteResponseKey="$default")
    v2.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
    return api_id


def test_websocket_round_trip(awan, boto, ws_api):
    url = f"ws://127.0.0.1:{awan.port}/_aws/execute-api/{ws_api}/prod"
    async def run():
        async with websockets.connect(url, open_timeout=30) as ws:
            await ws.send(json.dumps({"action": "echo", "data": "hi"}))
            got = json.loads(await asyncio.wait_for(ws.recv(), 30))
            assert got.pop("id")
            assert got == {"echo": "hi", "routeKey": "echo", "eventType": "MESSAGE", "stage": "prod", "hasMessageId": True}
            await ws.send(json.dumps({"action": "unknown", "x": 1}))
            got = json.loads(await asyncio.wait_for(ws.recv(), 30))
            assert got == {"default": {"action": "unknown", "x": 1}}
            await ws.send("not json")
            # $default gets it too (the body is not JSON: the function fails → an error message)
            got = json.loads(await asyncio.wait_for(ws.recv(), 30))
            assert got["message"] == "Internal server error" and "connectionId" in got

    asyncio.run(run())


def test_connection_operations_and_refusal(awan, ws_api):
    from conftest import zip_of, make_boto3
    url = f"ws://127.0.0.1:{awan.port}/_aws/execute-api/{ws_api}/prod"
    mgmt = make_boto3(f"{awan.endpoint}/_aws/execute-api/{ws_api}/prod", "apigatewaymanagementapi")

    async def run():
        loop = asyncio.get_running_loop()
        async with websockets.connect(url, open_timeout=30) as ws:
            await ws.send(json.dumps({"action": "echo", "data": "x"}))
            cid = json.loads(await asyncio.wait_for(ws.recv(), 30))["id"]
            info = await loop.run_in_executor(None, lambda: mgmt.get_connection(ConnectionId=cid))
            assert info["Identity"]["SourceIp"] == "127.0.0.1" and "ConnectedAt" in info
            await loop.run_in_executor(None, lambda: mgmt.post_to_connection(ConnectionId=cid, Data=b"pushed"))
            assert await asyncio.wait_for(ws.recv(), 30) == "pushed"
            await loop.run_in_executor(None, lambda: mgmt.delete_connection(ConnectionId=cid))
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 30)
        return cid

    cid = asyncio.run(run())
    for _ in range(50):
        try:
            mgmt.get_connection(ConnectionId=cid)
            time.sleep(0.1)
        except ClientError as e:
            assert e.response["Error"]["Code"] == "GoneException"
            assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 410
            break
    else:
        pytest.fail("the connection stayed")

    async def refused():
        with pytest.raises(websockets.InvalidStatusCode) as e:
            async with websockets.connect(url + "?deny=1", open_timeout=30):
                pass
        assert e.value.status_code == 403

    asyncio.run(refused())
