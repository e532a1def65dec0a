"""API Gateway REST APIs against a running daemon: the control plane through boto3 and aws-cli,
and invocations over plain HTTP on the three URL forms (MOCK, Lambda proxy and non-proxy to an
in-process handler and a Python function, API keys and usage plans, authorizers, IAM)."""
import http.client
import json
import time
import urllib.error
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import ROLE, zip_of

REGION = "us-east-1"


def code(exc_info):
    return exc_info.value.response["Error"]["Code"]


def lambda_uri(arn):
    return f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations"


@pytest.fixture
def apigw(boto):
    return boto("apigateway")




def call(awan, api_id, stage, path, method="GET", body=None, headers=None, form="path"):
    """One request on a URL form: "path" (/_aws/execute-api), "host" or "user_request"."""
    headers = dict(headers or {})
    if form == "path":
        url = f"/_aws/execute-api/{api_id}/{stage}{path}"
    elif form == "host":
        url = f"/{stage}{path}"
        headers["Host"] = f"{api_id}.execute-api.localhost:{awan.port}"
    else:
        url = f"/restapis/{api_id}/{stage}/_user_request_{path}"
    conn = http.client.HTTPConnection("127.0.0.1", awan.port, timeout=30)
    conn.request(method, url, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def mock_api(apigw, template='{"statusCode": 200}', response='{"hello": "world"}', path="hello"):
    api = apigw.create_rest_api(name="mock-api")
    root = apigw.get_resources(restApiId=api["id"])["items"][0]["id"]
    res = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart=path)
    apigw.put_method(restApiId=api["id"], resourceId=res["id"], httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=res["id"], httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": template})
    apigw.put_method_response(restApiId=api["id"], resourceId=res["id"], httpMethod="GET", statusCode="200")
    apigw.put_integration_response(restApiId=api["id"], resourceId=res["id"], httpMethod="GET", statusCode="200",
                                   responseTemplates={"application/json": response})
    return api["id"], res["id"]


# ---- control plane ----

def test_create_and_get_rest_api(apigw):
    api = apigw.create_rest_api(name="pets", description="d", binaryMediaTypes=["image/png"], tags={"a": "b"})
    assert len(api["id"]) == 10
    got = apigw.get_rest_api(restApiId=api["id"])
    assert got["name"] == "pets" and got["binaryMediaTypes"] == ["image/png"] and got["apiKeySource"] == "HEADER"
    assert [a["id"] for a in apigw.get_rest_apis()["items"]] == [api["id"]]
    resources = apigw.get_resources(restApiId=api["id"])["items"]
    assert len(resources) == 1 and resources[0]["path"] == "/"


def test_unknown_rest_api_is_not_found(apigw):
    with pytest.raises(ClientError) as e:
        apigw.get_rest_api(restApiId="nope123456")
    assert code(e) == "NotFoundException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert e.value.response["Error"]["Message"] == "Invalid REST API identifier specified"


def test_update_rest_api_patch_operations(apigw):
    api = apigw.create_rest_api(name="a")
    out = apigw.update_rest_api(restApiId=api["id"], patchOperations=[
        {"op": "replace", "path": "/name", "value": "b"},
        {"op": "add", "path": "/binaryMediaTypes/image~1jpeg"}])
    assert out["name"] == "b" and out["binaryMediaTypes"] == ["image/jpeg"]


def test_resources_with_params_and_conflicts(apigw):
    api = apigw.create_rest_api(name="r")
    root = apigw.get_resources(restApiId=api["id"])["items"][0]["id"]
    items = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="items")
    one = apigw.create_resource(restApiId=api["id"], parentId=items["id"], pathPart="{id}")
    assert one["path"] == "/items/{id}"
    with pytest.raises(ClientError) as e:
        apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="items")
    assert code(e) == "ConflictException"
    with pytest.raises(ClientError) as e:
        apigw.create_resource(restApiId=api["id"], parentId=items["id"], pathPart="{other}")
    assert code(e) == "BadRequestException"
    apigw.delete_resource(restApiId=api["id"], resourceId=items["id"])
    assert len(apigw.get_resources(restApiId=api["id"])["items"]) == 1


def test_method_and_integration_documents(apigw):
    api_id, res_id = mock_api(apigw)
    m = apigw.get_method(restApiId=api_id, resourceId=res_id, httpMethod="GET")
    assert m["authorizationType"] == "NONE" and m["apiKeyRequired"] is False
    assert m["methodIntegration"]["type"] == "MOCK"
    assert m["methodIntegration"]["passthroughBehavior"] == "WHEN_NO_MATCH"
    assert m["methodIntegration"]["integrationResponses"]["200"]["statusCode"] == "200"
    with pytest.raises(ClientError) as e:
        apigw.get_method(restApiId=api_id, resourceId=res_id, httpMethod="POST")
    assert code(e) == "NotFoundException"
    with pytest.raises(ClientError) as e:
        apigw.put_method(restApiId=api_id, resourceId=res_id, httpMethod="GET", authorizationType="NONE")
    assert code(e) == "ConflictException"


def test_deployment_needs_methods(apigw):
    api = apigw.create_rest_api(name="empty")
    with pytest.raises(ClientError) as e:
        apigw.create_deployment(restApiId=api["id"], stageName="prod")
    assert code(e) == "BadRequestException"
    assert e.value.response["Error"]["Message"] == "The REST API doesn't contain any methods"


def test_stages_and_deployments(apigw):
    api_id, _ = mock_api(apigw)
    d = apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"v": "1"})
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert stage["deploymentId"] == d["id"] and stage["variables"] == {"v": "1"}
    st = apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/variables/v", "value": "2"},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "5"}])
    assert st["variables"]["v"] == "2" and st["methodSettings"]["*/*"]["throttlingRateLimit"] == 5.0
    with pytest.raises(ClientError) as e:
        apigw.delete_deployment(restApiId=api_id, deploymentId=d["id"])
    assert code(e) == "BadRequestException"
    with pytest.raises(ClientError) as e:
        apigw.create_stage(restApiId=api_id, stageName="prod", deploymentId=d["id"])
    assert code(e) == "ConflictException"
    apigw.delete_stage(restApiId=api_id, stageName="prod")
    apigw.delete_deployment(restApiId=api_id, deploymentId=d["id"])
    assert apigw.get_deployments(restApiId=api_id)["items"] == []


def test_api_keys_and_usage_plans(apigw):
    api_id, _ = mock_api(apigw)
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    key = apigw.create_api_key(name="k", value="a" * 30, enabled=True)
    assert "value" not in apigw.get_api_keys()["items"][0]
    assert apigw.get_api_keys(includeValues=True)["items"][0]["value"] == "a" * 30
    with pytest.raises(ClientError) as e:
        apigw.create_api_key(name="k2", value="a" * 30)
    assert code(e) == "ConflictException"
    plan = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "prod"}],
                                   throttle={"rateLimit": 10, "burstLimit": 5}, quota={"limit": 100, "period": "DAY"})
    pk = apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert pk["value"] == "a" * 30
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [key["id"]]
    with pytest.raises(ClientError) as e:
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert code(e) == "ConflictException"


def test_tags(apigw):
    api = apigw.create_rest_api(name="t")
    arn = f"arn:aws:apigateway:{REGION}::/restapis/{api['id']}"
    apigw.tag_resource(resourceArn=arn, tags={"x": "1", "y": "2"})
    apigw.untag_resource(resourceArn=arn, tagKeys=["y"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"x": "1"}


OPENAPI = {
    "openapi": "3.0.1",
    "info": {"title": "imported", "version": "1"},
    "paths": {
        "/pets/{id}": {
            "get": {
                "parameters": [{"name": "id", "in": "path", "required": True}],
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {"default": {"statusCode": "200", "responseTemplates": {
                        "application/json": '{"id": "$input.params(\'id\')"}'}}},
                },
            }
        }
    },
}


def test_import_invoke_and_export(awan, apigw):
    api = apigw.import_rest_api(body=json.dumps(OPENAPI).encode())
    assert api["name"] == "imported"
    paths = sorted(r["path"] for r in apigw.get_resources(restApiId=api["id"])["items"])
    assert paths == ["/", "/pets", "/pets/{id}"]
    apigw.create_deployment(restApiId=api["id"], stageName="v1")
    status, _, body = call(awan, api["id"], "v1", "/pets/42")
    assert status == 200 and json.loads(body) == {"id": "42"}
    out = apigw.get_export(restApiId=api["id"], stageName="v1", exportType="oas30",
                           parameters={"extensions": "integrations"})
    doc = json.loads(out["body"].read())
    assert doc["openapi"].startswith("3.0") and "/pets/{id}" in doc["paths"]
    assert doc["paths"]["/pets/{id}"]["get"]["x-amazon-apigateway-integration"]["type"] == "mock"


YAML = """openapi: 3.0.1
info:
  title: yaml-api
  version: '2'
paths:
  /ping:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: '200'
            responseTemplates:
              application/json: |
                {"pong": true}
"""


def test_import_yaml_and_put_rest_api_overwrite(awan, apigw):
    api = apigw.import_rest_api(body=YAML.encode())
    assert api["name"] == "yaml-api"
    apigw.create_deployment(restApiId=api["id"], stageName="s")
    status, _, body = call(awan, api["id"], "s", "/ping")
    assert status == 200 and json.loads(body) == {"pong": True}
    apigw.put_rest_api(restApiId=api["id"], mode="overwrite", body=json.dumps(OPENAPI).encode())
    paths = sorted(r["path"] for r in apigw.get_resources(restApiId=api["id"])["items"])
    assert paths == ["/", "/pets", "/pets/{id}"]


def test_aws_cli_flow(awan, aws):
    api = aws("apigateway", "create-rest-api", "--name", "cli-api")
    root = aws("apigateway", "get-resources", "--rest-api-id", api["id"])["items"][0]["id"]
    res = aws("apigateway", "create-resource", "--rest-api-id", api["id"], "--parent-id", root, "--path-part", "x")
    aws("apigateway", "put-method", "--rest-api-id", api["id"], "--resource-id", res["id"], "--http-method", "ANY",
        "--authorization-type", "NONE")
    aws("apigateway", "put-integration", "--rest-api-id", api["id"], "--resource-id", res["id"], "--http-method",
        "ANY", "--type", "MOCK", "--request-templates", '{"application/json": "{\\"statusCode\\": 201}"}')
    aws("apigateway", "put-method-response", "--rest-api-id", api["id"], "--resource-id", res["id"],
        "--http-method", "ANY", "--status-code", "201")
    aws("apigateway", "put-integration-response", "--rest-api-id", api["id"], "--resource-id", res["id"],
        "--http-method", "ANY", "--status-code", "201", "--selection-pattern", "201",
        "--response-templates", '{"application/json": "{\\"m\\": \\"$context.httpMethod\\"}"}')
    aws("apigateway", "create-deployment", "--rest-api-id", api["id"], "--stage-name", "dev")
    stages = aws("apigateway", "get-stages", "--rest-api-id", api["id"])
    assert [s["stageName"] for s in stages["item"]] == ["dev"]
    status, _, body = call(awan, api["id"], "dev", "/x", method="DELETE")
    assert status == 201 and json.loads(body) == {"m": "DELETE"}


# ---- data plane ----

@pytest.mark.parametrize("form", ["path", "host", "user_request"])
def test_mock_on_each_url_form(awan, apigw, form):
    api_id, _ = mock_api(apigw, response='{"q": "$input.params(\'q\')", "v": "$stageVariables.v"}')
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"v": "sv"})
    status, headers, body = call(awan, api_id, "prod", "/hello?q=1", form=form)
    assert status == 200, body
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"q": "1", "v": "sv"}


def test_missing_resource_and_method_and_stage(awan, apigw):
    api_id, _ = mock_api(apigw)
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    status, headers, body = call(awan, api_id, "prod", "/nothing")
    assert status == 403 and json.loads(body) == {"message": "Missing Authentication Token"}
    status, _, body = call(awan, api_id, "prod", "/hello", method="POST")
    assert status == 403 and json.loads(body) == {"message": "Missing Authentication Token"}
    status, _, body = call(awan, api_id, "nostage", "/hello")
    assert status == 403 and json.loads(body) == {"message": "Forbidden"}


def test_deployment_is_a_snapshot(awan, apigw):
    api_id, res_id = mock_api(apigw)
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    apigw.delete_method(restApiId=api_id, resourceId=res_id, httpMethod="GET")
    assert call(awan, api_id, "prod", "/hello")[0] == 200


def proxy_api(apigw, function_arn, path="{proxy+}", integration="AWS_PROXY", **method):
    api = apigw.create_rest_api(name="proxy")
    root = apigw.get_resources(restApiId=api["id"])["items"][0]["id"]
    res = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart=path)
    apigw.put_method(restApiId=api["id"], resourceId=res["id"], httpMethod="ANY",
                     **{"authorizationType": "NONE", **method})
    kw = {}
    if integration == "AWS":
        kw["requestTemplates"] = {"application/json": '{"path": "$input.params(\'proxy\')", "body": $input.json(\'$\')}'}
    apigw.put_integration(restApiId=api["id"], resourceId=res["id"], httpMethod="ANY", type=integration,
                          integrationHttpMethod="POST", uri=lambda_uri(function_arn), **kw)
    if integration == "AWS":
        apigw.put_method_response(restApiId=api["id"], resourceId=res["id"], httpMethod="ANY", statusCode="200")
        apigw.put_integration_response(restApiId=api["id"], resourceId=res["id"], httpMethod="ANY",
                                       statusCode="200", selectionPattern="")
    return api["id"], res["id"]


PY_PROXY = """
import json
def handler(event, context):
    return {"statusCode": 201, "headers": {"X-Seen": event["path"]},
            "body": json.dumps({"path": event["path"], "resource": event["resource"],
                                "params": event["pathParameters"], "query": event["queryStringParameters"],
                                "body": event["body"], "method": event["httpMethod"],
                                "stage": event["requestContext"]["stage"],
                                "authorizer": event["requestContext"].get("authorizer")})}
"""


@pytest.fixture
def py_proxy(lam):
    return lam.create_function(FunctionName="py-proxy", Runtime="python3.11", Handler="app.handler", Role=ROLE,
                               Code={"ZipFile": zip_of({"app.py": PY_PROXY})}, Timeout=30)["FunctionArn"]


def test_aws_proxy_to_python_function(awan, apigw, py_proxy):
    api_id, _ = proxy_api(apigw, py_proxy)
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    status, headers, body = call(awan, api_id, "prod", "/a/b?x=1", method="POST", body=b'{"k": 1}',
                                 headers={"Content-Type": "application/json"})
    assert status == 201, body
    out = json.loads(body)
    assert out["path"] == "/a/b" and out["resource"] == "/{proxy+}" and out["params"] == {"proxy": "a/b"}
    assert out["query"] == {"x": "1"} and out["body"] == '{"k": 1}' and out["method"] == "POST"
    assert out["stage"] == "prod" and headers["x-seen"] == "/a/b"


def inproc(lam):
    return lam.create_function(FunctionName="inproc", Runtime="provided.al2023", Handler="awan:Check-Stock",
                               Role=ROLE, Code={"ZipFile": zip_of({"x": ""})})["FunctionArn"]


def test_aws_integration_to_in_process_handler(awan, apigw, lam):
    api_id, _ = proxy_api(apigw, inproc(lam), integration="AWS")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    status, _, body = call(awan, api_id, "prod", "/x/y", method="POST", body=b'{"Records": []}',
                           headers={"Content-Type": "application/json"})
    assert status == 200, body
    assert json.loads(body) == {"alerts": 0}


def test_malformed_proxy_result_is_502(awan, apigw, lam):
    # Check-Stock answers {"alerts": 0}: not a proxy result.
    api_id, _ = proxy_api(apigw, inproc(lam))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    status, headers, body = call(awan, api_id, "prod", "/x")
    assert status == 502 and json.loads(body) == {"message": "Internal server error"}


def test_api_key_required(awan, apigw):
    api_id, res_id = mock_api(apigw)
    apigw.update_method(restApiId=api_id, resourceId=res_id, httpMethod="GET",
                        patchOperations=[{"op": "replace", "path": "/apiKeyRequired", "value": "true"}])
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    key = apigw.create_api_key(name="k", enabled=True, value="k" * 24)
    status, _, body = call(awan, api_id, "prod", "/hello")
    assert status == 403 and json.loads(body) == {"message": "Forbidden"}
    # A key that is in no usage plan for this stage is refused too.
    assert call(awan, api_id, "prod", "/hello", headers={"x-api-key": "k" * 24})[0] == 403
    plan = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "prod"}], quota={"limit": 2, "period": "DAY"})
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert call(awan, api_id, "prod", "/hello", headers={"x-api-key": "k" * 24})[0] == 200
    assert call(awan, api_id, "prod", "/hello", headers={"x-api-key": "k" * 24})[0] == 200
    status, _, body = call(awan, api_id, "prod", "/hello", headers={"x-api-key": "k" * 24})
    assert status == 429 and json.loads(body) == {"message": "Limit Exceeded"}
    today = time.strftime("%Y-%m-%d", time.gmtime())
    usage = apigw.get_usage(usagePlanId=plan["id"], startDate=today, endDate=today)
    assert usage["items"][key["id"]] == [[2, 0]]


def test_usage_plan_throttling(awan, apigw):
    api_id, res_id = mock_api(apigw)
    apigw.update_method(restApiId=api_id, resourceId=res_id, httpMethod="GET",
                        patchOperations=[{"op": "replace", "path": "/apiKeyRequired", "value": "true"}])
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    key = apigw.create_api_key(name="k", enabled=True)
    plan = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "prod"}],
                                   throttle={"rateLimit": 0.01, "burstLimit": 1})
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    h = {"x-api-key": apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"]}
    assert call(awan, api_id, "prod", "/hello", headers=h)[0] == 200
    status, _, body = call(awan, api_id, "prod", "/hello", headers=h)
    assert status == 429 and json.loads(body) == {"message": "Too Many Requests"}


def test_stage_throttling(awan, apigw):
    api_id, _ = mock_api(apigw)
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "0.01"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "1"}])
    assert call(awan, api_id, "prod", "/hello")[0] == 200
    assert call(awan, api_id, "prod", "/hello")[0] == 429


PY_AUTH = """
def handler(event, context):
    token = event.get("authorizationToken") or event.get("headers", {}).get("x-token", "")
    if token == "boom":
        raise Exception("Unauthorized")
    effect = "Allow" if token in ("allow", "req-allow") else "Deny"
    return {"principalId": "user-1",
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]},
            "context": {"team": "blue", "n": 3}}
"""


@pytest.mark.parametrize("kind", ["TOKEN", "REQUEST"])
def test_lambda_authorizer_allow_deny(awan, apigw, lam, py_proxy, kind):
    auth_fn = lam.create_function(FunctionName="py-auth", Runtime="python3.11", Handler="app.handler", Role=ROLE,
                                  Code={"ZipFile": zip_of({"app.py": PY_AUTH})}, Timeout=30)["FunctionArn"]
    api = apigw.create_rest_api(name="authz")
    source = "method.request.header.Authorization" if kind == "TOKEN" else "method.request.header.x-token"
    auth = apigw.create_authorizer(restApiId=api["id"], name="a", type=kind, authorizerUri=lambda_uri(auth_fn),
                                   identitySource=source, authorizerResultTtlInSeconds=0 if kind == "REQUEST" else 300)
    root = apigw.get_resources(restApiId=api["id"])["items"][0]["id"]
    res = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="{proxy+}")
    apigw.put_method(restApiId=api["id"], resourceId=res["id"], httpMethod="ANY", authorizationType="CUSTOM",
                     authorizerId=auth["id"])
    apigw.put_integration(restApiId=api["id"], resourceId=res["id"], httpMethod="ANY", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=lambda_uri(py_proxy))
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    header = "Authorization" if kind == "TOKEN" else "x-token"
    allow = "allow" if kind == "TOKEN" else "req-allow"
    status, _, body = call(awan, api["id"], "prod", "/p", headers={header: allow})
    assert status == 201, body
    assert json.loads(body)["authorizer"]["principalId"] == "user-1"
    assert json.loads(body)["authorizer"]["team"] == "blue"
    status, _, body = call(awan, api["id"], "prod", "/p", headers={header: "deny"})
    assert status == 403
    assert json.loads(body) == {"Message": "User is not authorized to access this resource with an explicit deny"}
    status, _, body = call(awan, api["id"], "prod", "/p")
    assert status == 401 and json.loads(body) == {"message": "Unauthorized"}
    status, _, body = call(awan, api["id"], "prod", "/p", headers={header: "boom"})
    assert status == 401 and json.loads(body) == {"message": "Unauthorized"}


def test_aws_iam_method_needs_a_signature(awan, apigw):
    api_id, res_id = mock_api(apigw)
    apigw.update_method(restApiId=api_id, resourceId=res_id, httpMethod="GET",
                        patchOperations=[{"op": "replace", "path": "/authorizationType", "value": "AWS_IAM"}])
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    status, _, body = call(awan, api_id, "prod", "/hello")
    assert status == 403 and json.loads(body) == {"message": "Missing Authentication Token"}
    url = f"{awan.endpoint}/_aws/execute-api/{api_id}/prod/hello"
    req = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials("test", "test"), "execute-api", REGION).add_auth(req)
    r = urllib.request.Request(url, headers=dict(req.headers.items()), method="GET")
    with urllib.request.urlopen(r, timeout=10) as resp:
        assert resp.status == 200


def test_unknown_api_is_404(awan):
    status, _, body = call(awan, "zzzzzzzzzz", "prod", "/x")
    assert status == 404


# ---- HTTP integrations (a local endpoint) ----

@pytest.fixture
def endpoint():
    import http.server
    import threading

    class Echo(http.server.BaseHTTPRequestHandler):
        def _answer(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode()
            status = 404 if self.path.startswith("/missing") else 200
            out = json.dumps({"path": self.path, "method": self.command, "body": body,
                              "x": self.headers.get("X-Custom")}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Upstream", "yes")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_http_proxy_integration(awan, apigw, endpoint):
    api = apigw.create_rest_api(name="hp")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    res = apigw.create_resource(restApiId=api, parentId=root, pathPart="{proxy+}")["id"]
    apigw.put_method(restApiId=api, resourceId=res, httpMethod="ANY", authorizationType="NONE",
                     requestParameters={"method.request.path.proxy": True})
    apigw.put_integration(restApiId=api, resourceId=res, httpMethod="ANY", type="HTTP_PROXY",
                          integrationHttpMethod="ANY", uri="${stageVariables.base}/{proxy}",
                          requestParameters={"integration.request.path.proxy": "method.request.path.proxy"})
    apigw.create_deployment(restApiId=api, stageName="prod", variables={"base": endpoint})
    status, headers, body = call(awan, api, "prod", "/a/b?q=1", method="PUT", body=b"data",
                                 headers={"X-Custom": "c"})
    assert status == 200, body
    out = json.loads(body)
    assert out == {"path": "/a/b?q=1", "method": "PUT", "body": "data", "x": "c"}
    assert headers["x-upstream"] == "yes"
    assert call(awan, api, "prod", "/missing")[0] == 404


def test_http_integration_with_templates(awan, apigw, endpoint):
    api = apigw.create_rest_api(name="h")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    res = apigw.create_resource(restApiId=api, parentId=root, pathPart="{name}")["id"]
    apigw.put_method(restApiId=api, resourceId=res, httpMethod="POST", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=res, httpMethod="POST", type="HTTP", integrationHttpMethod="POST",
                          uri=f"{endpoint}/{{name}}",
                          requestParameters={"integration.request.path.name": "method.request.path.name",
                                             "integration.request.header.X-Custom": "'fixed'"},
                          requestTemplates={"application/json": '{"wrapped": $input.json(\'$\')}'})
    for code, pattern in (("200", None), ("400", "4\\d{2}")):
        apigw.put_method_response(restApiId=api, resourceId=res, httpMethod="POST", statusCode=code)
        kw = {"selectionPattern": pattern} if pattern else {}
        apigw.put_integration_response(
            restApiId=api, resourceId=res, httpMethod="POST", statusCode=code,
            responseParameters={"method.response.header.X-From": "integration.response.header.X-Upstream"},
            responseTemplates={"application/json": '{"got": $input.json(\'$.body\'), "p": "$input.path(\'$.path\')"}'},
            **kw)
    apigw.create_deployment(restApiId=api, stageName="prod")
    status, headers, body = call(awan, api, "prod", "/thing", method="POST", body=b'{"a": 1}',
                                 headers={"Content-Type": "application/json"})
    assert status == 200, body
    out = json.loads(body)
    assert json.loads(out["got"]) == {"wrapped": {"a": 1}} and out["p"] == "/thing"
    assert headers["x-from"] == "yes"
    status, _, body = call(awan, api, "prod", "/missing", method="POST", body=b"{}",
                           headers={"Content-Type": "application/json"})
    assert status == 400


def test_state_survives_a_restart_with_data_dir(tmp_path):
    from conftest import ROLE, zip_of, Daemon, make_boto3
    d = Daemon("--data-dir", str(tmp_path))
    try:
        apigw = make_boto3(d.endpoint, "apigateway")
        api_id, _ = mock_api(apigw)
        apigw.create_deployment(restApiId=api_id, stageName="prod")
        key = apigw.create_api_key(name="kept", value="v" * 20)["id"]
    finally:
        d.stop()
    d = Daemon("--data-dir", str(tmp_path))
    try:
        apigw = make_boto3(d.endpoint, "apigateway")
        assert apigw.get_rest_api(restApiId=api_id)["name"] == "mock-api"
        assert apigw.get_api_key(apiKey=key)["name"] == "kept"
        assert call(d, api_id, "prod", "/hello")[0] == 200
    finally:
        d.stop()
