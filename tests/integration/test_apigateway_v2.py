"""API Gateway HTTP APIs (apigatewayv2): the control plane through boto3 and aws-cli, and the
data plane over plain HTTP in the three execute-api URL forms, to an in-process `awan:` handler
and to Python functions (payload formats 1.0 and 2.0), with JWT authorizers against a local JWKS
server, CORS, throttling and OpenAPI import/export."""
import base64
import http.server
import json
import threading
import time
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import zip_of

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json", "x-echo": "1"},
            "body": json.dumps(event)}
"""


TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def function(boto, name, handler, runtime="python3.11", files=None):
    iam = boto("iam")
    try:
        role = iam.create_role(RoleName="apigw-fn", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    except ClientError:
        role = iam.get_role(RoleName="apigw-fn")["Role"]["Arn"]
    lam = boto("lambda")
    arn = lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler, Role=role,
                              Code={"ZipFile": zip_of(files or {"README": "in-process"})})["FunctionArn"]
    return arn


def fetch(awan, method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def code(exc):
    return exc.value.response["Error"]["Code"]


@pytest.fixture
def v2(boto):
    return boto("apigatewayv2")


def test_api_crud_and_errors(v2):
    api = v2.create_api(Name="orders", ProtocolType="HTTP")
    assert api["ProtocolType"] == "HTTP" and len(api["ApiId"]) == 10
    assert api["RouteSelectionExpression"] == "$request.method $request.path"
    assert api["ApiKeySelectionExpression"] == "$request.header.x-api-key"
    assert api["ApiEndpoint"].startswith("http://" + api["ApiId"] + ".execute-api.localhost")
    got = v2.get_api(ApiId=api["ApiId"])
    assert got["Name"] == "orders"
    assert [a["ApiId"] for a in v2.get_apis()["Items"]] == [api["ApiId"]]
    v2.update_api(ApiId=api["ApiId"], Name="orders2", Description="d")
    assert v2.get_api(ApiId=api["ApiId"])["Description"] == "d"
    with pytest.raises(ClientError) as e:
        v2.get_api(ApiId="nope123456")
    assert code(e) == "NotFoundException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "Invalid API identifier specified" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        v2.create_api(Name="x", ProtocolType="SOAP")
    assert code(e) == "BadRequestException"
    v2.delete_api(ApiId=api["ApiId"])
    assert v2.get_apis()["Items"] == []


def test_routes_integrations_stages_deployments(v2):
    api_id = v2.create_api(Name="a", ProtocolType="HTTP")["ApiId"]
    integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                  IntegrationUri="arn:aws:lambda:us-east-1:000000000000:function:f")
    assert integ["PayloadFormatVersion"] == "2.0" and integ["TimeoutInMillis"] == 30000
    route = v2.create_route(ApiId=api_id, RouteKey="GET /items/{id}", Target="integrations/" + integ["IntegrationId"])
    assert route["AuthorizationType"] == "NONE" and route["ApiKeyRequired"] is False
    with pytest.raises(ClientError) as e:
        v2.create_route(ApiId=api_id, RouteKey="GET /items/{id}")
    assert code(e) == "ConflictException"
    with pytest.raises(ClientError) as e:
        v2.create_route(ApiId=api_id, RouteKey="FETCH /x")
    assert code(e) == "BadRequestException"
    v2.update_route(ApiId=api_id, RouteId=route["RouteId"], RouteKey="GET /things/{id}")
    assert v2.get_route(ApiId=api_id, RouteId=route["RouteId"])["RouteKey"] == "GET /things/{id}"
    assert len(v2.get_routes(ApiId=api_id)["Items"]) == 1
    with pytest.raises(ClientError) as e:
        v2.delete_integration(ApiId=api_id, IntegrationId=integ["IntegrationId"])
    assert code(e) == "ConflictException"
    stage = v2.create_stage(ApiId=api_id, StageName="prod", StageVariables={"v": "1"})
    assert stage["DefaultRouteSettings"] == {"DetailedMetricsEnabled": False}
    dep = v2.create_deployment(ApiId=api_id, StageName="prod")
    assert dep["DeploymentStatus"] == "DEPLOYED"
    assert v2.get_stage(ApiId=api_id, StageName="prod")["DeploymentId"] == dep["DeploymentId"]
    with pytest.raises(ClientError) as e:
        v2.get_stage(ApiId=api_id, StageName="dev")
    assert code(e) == "NotFoundException"
    rr = v2.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default")
    assert v2.get_route_responses(ApiId=api_id, RouteId=route["RouteId"])["Items"][0]["RouteResponseId"] == rr["RouteResponseId"]
    v2.delete_route(ApiId=api_id, RouteId=route["RouteId"])
    v2.delete_integration(ApiId=api_id, IntegrationId=integ["IntegrationId"])
    assert v2.get_integrations(ApiId=api_id)["Items"] == []
    arn = f"arn:aws:apigateway:us-east-1::/apis/{api_id}"
    v2.tag_resource(ResourceArn=arn, Tags={"team": "x"})
    assert v2.get_tags(ResourceArn=arn)["Tags"] == {"team": "x"}
    v2.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert v2.get_tags(ResourceArn=arn)["Tags"] == {}


def test_quick_create_in_process_handler_all_url_forms(awan, v2, boto, aws):
    arn = function(boto, "stock", "awan:Check-Stock", runtime="provided.al2023")
    api = aws("apigatewayv2", "create-api", "--name", "quick", "--protocol-type", "HTTP", "--target", arn)
    api_id = api["ApiId"]
    assert [s["StageName"] for s in v2.get_stages(ApiId=api_id)["Items"]] == ["$default"]
    assert v2.get_stage(ApiId=api_id, StageName="$default")["AutoDeploy"] is True
    urls = [f"{awan.endpoint}/_aws/execute-api/{api_id}/anything",
            f"http://{api_id}.execute-api.localhost:{awan.port}/anything",
            f"{awan.endpoint}/restapis/{api_id}/$default/_user_request_/anything"]
    for url in urls:
        if ".execute-api.localhost" in url:
            status, headers, body = fetch(awan, "GET", f"{awan.endpoint}/anything", headers={"Host": f"{api_id}.execute-api.localhost:{awan.port}"})
        else:
            status, headers, body = fetch(awan, "GET", url)
        assert status == 200, (url, body)
        assert json.loads(body) == {"alerts": 0}
        assert headers.get("apigw-requestid")
    listed = aws("apigatewayv2", "get-apis")
    assert listed["Items"][0]["ApiId"] == api_id


def test_payload_v2_and_v1_events(awan, v2, boto):
    arn = function(boto, "echo", "app.handler", files={"app.py": ECHO})
    api_id = v2.create_api(Name="e", ProtocolType="HTTP")["ApiId"]
    i2 = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn, PayloadFormatVersion="2.0")
    i1 = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn, PayloadFormatVersion="1.0")
    v2.create_route(ApiId=api_id, RouteKey="GET /items/{id}", Target="integrations/" + i2["IntegrationId"])
    v2.create_route(ApiId=api_id, RouteKey="ANY /v1/{proxy+}", Target="integrations/" + i1["IntegrationId"])
    v2.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True, StageVariables={"color": "blue"})
    base = f"{awan.endpoint}/_aws/execute-api/{api_id}/prod"
    status, headers, body = fetch(awan, "GET", base + "/items/42?a=1&a=2&b=x", headers={"X-Test": "t"})
    assert status == 200, body
    assert headers["x-echo"] == "1"
    ev = json.loads(body)
    assert ev["version"] == "2.0" and ev["routeKey"] == "GET /items/{id}"
    assert ev["rawPath"] == "/prod/items/42" and ev["pathParameters"] == {"id": "42"}
    assert ev["queryStringParameters"] == {"a": "1,2", "b": "x"}
    assert ev["requestContext"]["stage"] == "prod" and ev["requestContext"]["apiId"] == api_id
    assert ev["requestContext"]["http"]["method"] == "GET"
    assert ev["stageVariables"] == {"color": "blue"}
    assert ev["headers"]["x-test"] == "t"
    status, _, body = fetch(awan, "POST", base + "/v1/a/b", body=b'{"k":1}', headers={"Content-Type": "application/json"})
    assert status == 200, body
    ev = json.loads(body)
    assert ev["version"] == "1.0" and ev["httpMethod"] == "POST" and ev["pathParameters"] == {"proxy": "a/b"}
    assert ev["body"] == '{"k":1}' and ev["resource"] == "/v1/{proxy+}" and ev["requestContext"]["routeKey"] == "ANY /v1/{proxy+}"
    status, _, body = fetch(awan, "GET", base + "/nothing")
    assert status == 404 and json.loads(body) == {"message": "Not Found"}
    status, _, body = fetch(awan, "GET", f"{awan.endpoint}/_aws/execute-api/{api_id}/dev/items/1")
    assert status == 404 and json.loads(body) == {"message": "Not Found"}


def test_failing_function_is_500(awan, v2, boto):
    arn = function(boto, "boom", "app.handler", files={"app.py": "def handler(e, c):\n    raise ValueError('x')\n"})
    api_id = v2.create_api(Name="b", ProtocolType="HTTP", Target=arn)["ApiId"]
    status, _, body = fetch(awan, "GET", f"{awan.endpoint}/_aws/execute-api/{api_id}/x")
    assert status == 500 and json.loads(body) == {"message": "Internal Server Error"}


def test_cors_and_throttling(awan, v2, boto):
    arn = function(boto, "stock", "awan:Check-Stock", runtime="provided.al2023")
    api_id = v2.create_api(Name="c", ProtocolType="HTTP", Target=arn,
                           CorsConfiguration={"AllowOrigins": ["http://app.localhost:3000"], "AllowMethods": ["GET", "POST"],
                                              "AllowHeaders": ["content-type"], "MaxAge": 300})["ApiId"]
    url = f"{awan.endpoint}/_aws/execute-api/{api_id}/x"
    # The API answers preflights with its own CORS configuration (not the daemon's policy).
    status, headers, _ = fetch(awan, "OPTIONS", url, headers={"Origin": "http://app.localhost:3000",
                                                              "Access-Control-Request-Method": "POST",
                                                              "Access-Control-Request-Headers": "content-type"})
    assert status in (200, 204)
    assert headers["Access-Control-Allow-Origin"] == "http://app.localhost:3000"
    assert "300" == headers.get("Access-Control-Max-Age")
    status, headers, _ = fetch(awan, "OPTIONS", url, headers={"Origin": "http://other.localhost:3000",
                                                              "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in headers
    status, headers, _ = fetch(awan, "GET", url, headers={"Origin": "http://app.localhost:3000"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "http://app.localhost:3000"
    # An origin the API does not list gets no CORS headers on the answer either.
    status, headers, _ = fetch(awan, "GET", url, headers={"Origin": "http://other.localhost:3000"})
    assert "Access-Control-Allow-Origin" not in headers
    v2.update_stage(ApiId=api_id, StageName="$default",
                    DefaultRouteSettings={"ThrottlingBurstLimit": 2, "ThrottlingRateLimit": 0.001})
    statuses = [fetch(awan, "GET", url)[0] for _ in range(4)]
    assert statuses[:2] == [200, 200] and statuses[2:] == [429, 429]
    status, _, body = fetch(awan, "GET", url)
    assert json.loads(body) == {"message": "Too Many Requests"}


def test_import_export(awan, v2, boto):
    arn = function(boto, "stock", "awan:Check-Stock", runtime="provided.al2023")
    spec = {"openapi": "3.0.1", "info": {"title": "imported", "version": "1"},
            "paths": {"/stock/{id}": {"get": {"x-amazon-apigateway-integration": {
                "type": "aws_proxy", "uri": arn, "httpMethod": "POST", "payloadFormatVersion": "2.0"}}}}}
    api = v2.import_api(Body=json.dumps(spec))
    assert api["Name"] == "imported"
    routes = v2.get_routes(ApiId=api["ApiId"])["Items"]
    assert [r["RouteKey"] for r in routes] == ["GET /stock/{id}"]
    v2.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
    status, _, body = fetch(awan, "GET", f"{awan.endpoint}/_aws/execute-api/{api['ApiId']}/stock/7")
    assert status == 200 and json.loads(body) == {"alerts": 0}
    out = json.loads(v2.export_api(ApiId=api["ApiId"], Specification="OAS30", OutputType="JSON")["body"].read())
    x = out["paths"]["/stock/{id}"]["get"]["x-amazon-apigateway-integration"]
    assert x["uri"] == arn and x["payloadFormatVersion"] == "2.0"
    with pytest.raises(ClientError) as e:
        v2.import_api(Body="not: json")
    assert code(e) == "BadRequestException"


# --- JWT authorizers against a local JWKS server -------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def issuer():
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    nums = key.public_key().public_numbers()
    jwks = {"keys": [{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
                      "n": b64url(nums.n.to_bytes((nums.n.bit_length() + 7) // 8, "big")),
                      "e": b64url(nums.e.to_bytes(3, "big"))}]}

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/.well-known/openid-configuration":
                body = json.dumps({"issuer": url, "jwks_uri": url + "/keys"}).encode()
            elif self.path == "/keys":
                body = json.dumps(jwks).encode()
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    url = f"http://127.0.0.1:{srv.server_address[1]}"
    threading.Thread(target=srv.serve_forever, daemon=True).start()

    def token(claims, signer=key, kid="k1"):
        head = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": kid}).encode())
        body = b64url(json.dumps(claims).encode())
        sig = signer.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{head}.{body}.{b64url(sig)}"

    yield url, token, other
    srv.shutdown()


def test_jwt_authorizer_allow_and_deny(awan, v2, boto, issuer):
    url, token, other = issuer
    arn = function(boto, "echo", "app.handler", files={"app.py": ECHO})
    api_id = v2.create_api(Name="j", ProtocolType="HTTP")["ApiId"]
    az = v2.create_authorizer(ApiId=api_id, Name="jwt", AuthorizerType="JWT",
                              IdentitySource=["$request.header.Authorization"],
                              JwtConfiguration={"Issuer": url, "Audience": ["my-app"]})
    integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn, PayloadFormatVersion="2.0")
    v2.create_route(ApiId=api_id, RouteKey="GET /me", Target="integrations/" + integ["IntegrationId"],
                    AuthorizationType="JWT", AuthorizerId=az["AuthorizerId"])
    v2.create_route(ApiId=api_id, RouteKey="GET /admin", Target="integrations/" + integ["IntegrationId"],
                    AuthorizationType="JWT", AuthorizerId=az["AuthorizerId"], AuthorizationScopes=["admin"])
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    base = f"{awan.endpoint}/_aws/execute-api/{api_id}"
    now = int(time.time())
    good = {"iss": url, "aud": "my-app", "sub": "alice", "exp": now + 600, "scope": "read"}
    status, _, body = fetch(awan, "GET", base + "/me", headers={"Authorization": "Bearer " + token(good)})
    assert status == 200, body
    jwt_ctx = json.loads(body)["requestContext"]["authorizer"]["jwt"]
    assert jwt_ctx["claims"]["sub"] == "alice"
    assert fetch(awan, "GET", base + "/me")[0] == 401
    status, _, body = fetch(awan, "GET", base + "/me", headers={"Authorization": token(dict(good, exp=now - 10))})
    assert status == 401 and json.loads(body) == {"message": "Unauthorized"}
    assert fetch(awan, "GET", base + "/me", headers={"Authorization": token(good, signer=other)})[0] == 401
    assert fetch(awan, "GET", base + "/me", headers={"Authorization": token(dict(good, aud="other"))})[0] == 401
    assert fetch(awan, "GET", base + "/me", headers={"Authorization": token(dict(good, iss="http://evil"))})[0] == 401
    assert fetch(awan, "GET", base + "/me", headers={"Authorization": "garbage"})[0] == 401
    assert fetch(awan, "GET", base + "/admin", headers={"Authorization": token(good)})[0] == 403
    assert fetch(awan, "GET", base + "/admin", headers={"Authorization": token(dict(good, scope="read admin"))})[0] == 200


def test_lambda_request_authorizer(awan, v2, boto):
    auth = function(boto, "auth", "app.handler", files={"app.py": (
        "def handler(e, c):\n"
        "    ok = e['headers'].get('x-token') == 'letmein'\n"
        "    return {'isAuthorized': ok, 'context': {'user': 'bob'}}\n")})
    arn = function(boto, "echo", "app.handler", files={"app.py": ECHO})
    api_id = v2.create_api(Name="l", ProtocolType="HTTP")["ApiId"]
    az = v2.create_authorizer(ApiId=api_id, Name="lam", AuthorizerType="REQUEST", AuthorizerUri=auth,
                              AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=True,
                              IdentitySource=["$request.header.x-token"])
    integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn, PayloadFormatVersion="2.0")
    v2.create_route(ApiId=api_id, RouteKey="GET /x", Target="integrations/" + integ["IntegrationId"],
                    AuthorizationType="CUSTOM", AuthorizerId=az["AuthorizerId"])
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    url = f"{awan.endpoint}/_aws/execute-api/{api_id}/x"
    status, _, body = fetch(awan, "GET", url, headers={"x-token": "letmein"})
    assert status == 200, body
    assert json.loads(body)["requestContext"]["authorizer"]["lambda"] == {"user": "bob"}
    assert fetch(awan, "GET", url, headers={"x-token": "nope"})[0] == 403
    assert fetch(awan, "GET", url)[0] == 401


def test_js_sdk_v3(js, boto):
    arn = function(boto, "stock", "awan:Check-Stock", runtime="provided.al2023")
    assert "apigatewayv2.mjs ok" in js("apigatewayv2.mjs", arn)


def test_http_proxy_integration(awan, v2):
    class Backend(http.server.BaseHTTPRequestHandler):
        def handle_one(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = json.dumps({"method": self.command, "path": self.path, "x": self.headers.get("X-Test"),
                               "body": self.rfile.read(n).decode()}).encode()
            self.send_response(207)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Backend", "yes")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = handle_one

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        backend = f"http://127.0.0.1:{srv.server_address[1]}"
        api_id = v2.create_api(Name="p", ProtocolType="HTTP")["ApiId"]
        integ = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
                                      IntegrationUri=backend + "/up/{proxy}", PayloadFormatVersion="1.0")
        v2.create_route(ApiId=api_id, RouteKey="ANY /svc/{proxy+}", Target="integrations/" + integ["IntegrationId"])
        v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        status, headers, body = fetch(awan, "POST", f"{awan.endpoint}/_aws/execute-api/{api_id}/svc/a/b?q=1",
                                      body=b"hello", headers={"X-Test": "t", "Content-Type": "text/plain"})
        assert status == 207, body
        assert headers["X-Backend"] == "yes"
        assert json.loads(body) == {"method": "POST", "path": "/up/a/b?q=1", "x": "t", "body": "hello"}
    finally:
        srv.shutdown()
