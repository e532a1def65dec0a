"""API Gateway HTTP APIs: requests/s and p50/p99 through an HTTP API (payload format 2.0 to the
in-process `awan:Check-Stock` handler, quick-created with a $default stage) beside a direct
Lambda Invoke of the same function and the bare Beast ceiling, in the same run.

  python3 bench/apigatewayv2.py [duration_s] [connections]"""
import json
import os
import sys


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

duration = int(sys.argv[1]) if len(sys.argv) > 1 else 5
connections = int(sys.argv[2]) if len(sys.argv) > 2 else 8
AUTH = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0"


bare = lib.start_bare()
ceiling = lib.wrk(bare.url + "/", duration=duration, connections=connections)
bare.stop()

awan = lib.start_awan()
iam = lib.client(awan.url, "iam")
role = iam.create_role(RoleName="bench", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
lam = lib.client(awan.url, "lambda")
arn = lam.create_function(FunctionName="inproc", Runtime="provided.al2023", Handler="awan:Check-Stock", Role=role,
                          Code={"ZipFile": lib.zip_of({"README": "in-process handler"})})["FunctionArn"]
v2 = lib.client(awan.url, "apigatewayv2")
api_id = v2.create_api(Name="bench", ProtocolType="HTTP", Target=arn)["ApiId"]
v2.create_route(ApiId=api_id, RouteKey="GET /items/{id}",
                Target=v2.get_routes(ApiId=api_id)["Items"][0]["Target"])

rows = []
invoke = lib.lua_script("POST", "{}", {"Authorization": AUTH, "Content-Type": "application/json"})
rows.append(("Lambda Invoke in-process (direct)",
             lib.wrk(awan.url + "/2015-03-31/functions/inproc/invocations", invoke, duration=duration, connections=connections)))
rows.append(("HTTP API $default → in-process",
             lib.wrk(f"{awan.url}/_aws/execute-api/{api_id}/anything", duration=duration, connections=connections)))
rows.append(("HTTP API GET /items/{id} → in-proc",
             lib.wrk(f"{awan.url}/_aws/execute-api/{api_id}/items/42?x=1", duration=duration, connections=connections)))
awan.stop()

print(f"bare Beast ceiling: {ceiling['rps']:.0f} req/s")
lib.report(rows, ceiling["rps"])
