"""API Gateway REST APIs against a running daemon: models and request validators, gateway
responses, Cognito user pool authorizers, list paging (boto3, invocations over plain HTTP on the
URL forms), and a REST API built and invoked with the JavaScript SDK v3 (js/apigateway.mjs)."""
import base64
import json
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import ROLE, ensure_lambda_role, zip_of
from test_apigateway_rest import call, code, lambda_uri, mock_api

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}
"""

PET = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["name"],
       "properties": {"name": {"type": "string", "minLength": 1}, "age": {"type": "integer", "minimum": 0}},
       "additionalProperties": False}


@pytest.fixture
def apigw(boto):
    return boto("apigateway")


@pytest.fixture
def raw(awan):
    """A client that sends what it is given (Debian's boto3 validates parameters otherwise)."""
    return boto3.client("apigateway", endpoint_url=awan.endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(parameter_validation=False, retries={"max_attempts": 1}))


@pytest.fixture
def echo(boto):
    ensure_lambda_role(boto("iam"))
    return boto("lambda").create_function(FunctionName="echo", Runtime="python3.11", Handler="app.handler", Role=ROLE,
                                          Code={"ZipFile": zip_of({"app.py": ECHO})}, Timeout=30)["FunctionArn"]


def validated_api(apigw):
    api = apigw.create_rest_api(name="pets")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    res = apigw.create_resource(restApiId=api, parentId=root, pathPart="pets")["id"]
    apigw.create_model(restApiId=api, name="Pet", contentType="application/json", schema=json.dumps(PET))
    v = apigw.create_request_validator(restApiId=api, name="all", validateRequestBody=True,
                                       validateRequestParameters=True)
    apigw.put_method(restApiId=api, resourceId=res, httpMethod="POST", authorizationType="NONE",
                     requestValidatorId=v["id"], requestModels={"application/json": "Pet"},
                     requestParameters={"method.request.querystring.owner": True,
                                        "method.request.header.x-trace": True})
    apigw.put_integration(restApiId=api, resourceId=res, httpMethod="POST", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_method_response(restApiId=api, resourceId=res, httpMethod="POST", statusCode="200")
    apigw.put_integration_response(restApiId=api, resourceId=res, httpMethod="POST", statusCode="200",
                                   responseTemplates={"application/json": '{"ok": true}'})
    apigw.create_deployment(restApiId=api, stageName="prod")
    return api


def test_models_crud_and_template(apigw):
    api = apigw.create_rest_api(name="m")["id"]
    assert sorted(m["name"] for m in apigw.get_models(restApiId=api)["items"]) == ["Empty", "Error"]
    m = apigw.create_model(restApiId=api, name="Pet", contentType="application/json", schema=json.dumps(PET),
                           description="a pet")
    assert len(m["id"]) == 6 and m["description"] == "a pet"
    assert apigw.get_model(restApiId=api, modelName="Pet")["schema"] == json.dumps(PET)
    template = apigw.get_model_template(restApiId=api, modelName="Pet")["value"]
    assert template.startswith("#set($inputRoot = $input.path('$'))\n{")
    assert '"name" : "$inputRoot.name"' in template and '"age" : $inputRoot.age' in template
    with pytest.raises(ClientError) as e:
        apigw.create_model(restApiId=api, name="Pet", contentType="application/json")
    assert code(e) == "ConflictException"
    with pytest.raises(ClientError) as e:
        apigw.create_model(restApiId=api, name="Bad", contentType="application/json", schema='{"type": "text"}')
    assert code(e) == "BadRequestException"
    assert e.value.response["Error"]["Message"].startswith("Invalid model specified: Validation Result: warnings : []")
    with pytest.raises(ClientError) as e:
        apigw.get_model(restApiId=api, modelName="Nope")
    assert code(e) == "NotFoundException"
    updated = apigw.update_model(restApiId=api, modelName="Pet",
                                 patchOperations=[{"op": "replace", "path": "/description", "value": "b"}])
    assert updated["description"] == "b"
    apigw.delete_model(restApiId=api, modelName="Pet")
    assert len(apigw.get_models(restApiId=api)["items"]) == 2


def test_validators_crud(apigw):
    api = apigw.create_rest_api(name="v")["id"]
    v = apigw.create_request_validator(restApiId=api, name="params", validateRequestParameters=True)
    assert v["validateRequestBody"] is False and v["validateRequestParameters"] is True
    v = apigw.update_request_validator(restApiId=api, requestValidatorId=v["id"],
                                       patchOperations=[{"op": "replace", "path": "/validateRequestBody", "value": "true"}])
    assert v["validateRequestBody"] is True
    assert [x["id"] for x in apigw.get_request_validators(restApiId=api)["items"]] == [v["id"]]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    with pytest.raises(ClientError) as e:
        apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE",
                         requestValidatorId="nope12")
    assert code(e) == "BadRequestException"
    apigw.delete_request_validator(restApiId=api, requestValidatorId=v["id"])
    with pytest.raises(ClientError) as e:
        apigw.get_request_validator(restApiId=api, requestValidatorId=v["id"])
    assert code(e) == "NotFoundException"


@pytest.mark.parametrize("form", ["path", "host", "user_request"])
def test_validator_refuses_bad_requests(awan, apigw, form):
    api = validated_api(apigw)
    h = {"Content-Type": "application/json", "x-trace": "1"}
    status, headers, body = call(awan, api, "prod", "/pets", "POST", b'{"name": "rex"}', {"Content-Type": "application/json"}, form)
    assert status == 400 and json.loads(body) == {"message": "Missing required request parameters: [x-trace, owner]"}
    assert headers["x-amzn-errortype"] == "BadRequestException"
    status, _, body = call(awan, api, "prod", "/pets?owner=me", "POST", b'{"name": "rex", "color": "red"}', h, form)
    assert status == 400 and json.loads(body) == {"message": "Invalid request body"}
    status, _, body = call(awan, api, "prod", "/pets?owner=me", "POST", b'{"name": 5}', h, form)
    assert status == 400
    status, _, body = call(awan, api, "prod", "/pets?owner=me", "POST", b'{"name": "rex", "age": 2}', h, form)
    assert status == 200 and json.loads(body) == {"ok": True}


def test_gateway_responses(awan, apigw):
    api, _ = mock_api(apigw)
    apigw.create_deployment(restApiId=api, stageName="prod")
    items = apigw.get_gateway_responses(restApiId=api, limit=500)["items"]
    by_type = {r["responseType"]: r for r in items}
    assert by_type["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "403"
    assert by_type["THROTTLED"]["statusCode"] == "429" and by_type["UNAUTHORIZED"]["statusCode"] == "401"
    assert "statusCode" not in by_type["DEFAULT_4XX"] and all(r["defaultResponse"] for r in items)
    apigw.put_gateway_response(restApiId=api, responseType="DEFAULT_4XX",
                               responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"})
    apigw.put_gateway_response(restApiId=api, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
                               responseParameters={"gatewayresponse.header.x-stage": "context.stage"},
                               responseTemplates={"application/json": '{"error": $context.error.messageString, "type": "$context.error.responseType"}'})
    assert apigw.get_gateway_response(restApiId=api, responseType="THROTTLED")["responseParameters"] == {
        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}
    status, _, _ = call(awan, api, "prod", "/nowhere")
    assert status == 403  # not deployed yet
    apigw.create_deployment(restApiId=api, stageName="prod")
    status, headers, body = call(awan, api, "prod", "/nowhere", form="host")
    assert status == 404 and headers["x-stage"] == "prod"
    assert json.loads(body) == {"error": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN"}
    apigw.update_gateway_response(restApiId=api, responseType="MISSING_AUTHENTICATION_TOKEN",
                                  patchOperations=[{"op": "replace", "path": "/statusCode", "value": "410"}])
    apigw.delete_gateway_response(restApiId=api, responseType="DEFAULT_4XX")
    apigw.create_deployment(restApiId=api, stageName="prod")
    status, headers, _ = call(awan, api, "prod", "/nowhere")
    assert status == 410 and "access-control-allow-origin" not in headers
    with pytest.raises(ClientError) as e:
        apigw.delete_gateway_response(restApiId=api, responseType="THROTTLED")
    assert code(e) == "NotFoundException"


def b64url(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def jwt(claims):
    return b64url({"alg": "RS256", "kid": "k1"}) + "." + b64url(claims) + ".c2lnbmF0dXJl"


def test_cognito_authorizer(awan, apigw, echo):
    api = apigw.create_rest_api(name="cognito")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    auth = apigw.create_authorizer(restApiId=api, name="pool", type="COGNITO_USER_POOLS",
                                   identitySource="method.request.header.Authorization",
                                   providerARNs=["arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Pool1"])
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="COGNITO_USER_POOLS",
                     authorizerId=auth["id"])
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=lambda_uri(echo))
    apigw.create_deployment(restApiId=api, stageName="prod")
    claims = {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1", "sub": "abc", "token_use": "id",
              "exp": int(time.time()) + 600, "email": "dev@example.com", "cognito:username": "dev"}
    status, _, body = call(awan, api, "prod", "/", headers={"Authorization": jwt(claims)})
    assert status == 200, body
    seen = json.loads(body)["requestContext"]["authorizer"]["claims"]
    assert seen["email"] == "dev@example.com" and seen["cognito:username"] == "dev" and seen["token_use"] == "id"
    status, _, body = call(awan, api, "prod", "/")
    assert status == 401 and json.loads(body) == {"message": "Unauthorized"}
    status, _, body = call(awan, api, "prod", "/", headers={"Authorization": jwt({**claims, "iss": "https://evil"})})
    assert status == 401
    status, _, body = call(awan, api, "prod", "/", headers={"Authorization": jwt({**claims, "exp": 1000})})
    assert status == 401 and json.loads(body) == {"message": "The incoming token has expired"}
    status, _, _ = call(awan, api, "prod", "/", headers={"Authorization": jwt({**claims, "token_use": "access"})})
    assert status == 401


def test_list_paging(apigw, raw):
    ids = {apigw.create_rest_api(name=f"page{i}")["id"] for i in range(5)}
    first = apigw.get_rest_apis(limit=2)
    assert len(first["items"]) == 2 and "position" in first
    seen = set()
    for page in apigw.get_paginator("get_rest_apis").paginate(PaginationConfig={"PageSize": 2}):
        seen.update(a["id"] for a in page["items"])
    assert seen == ids
    api = next(iter(ids))
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    for part in ["a", "b", "c"]:
        apigw.create_resource(restApiId=api, parentId=root, pathPart=part)
    paths = []
    for page in apigw.get_paginator("get_resources").paginate(restApiId=api, PaginationConfig={"PageSize": 3}):
        paths += [r["path"] for r in page["items"]]
    assert paths == ["/", "/a", "/b", "/c"]
    for limit in (0, 501):
        with pytest.raises(ClientError) as e:
            raw.get_rest_apis(limit=limit)
        assert code(e) in ("BadRequestException", "SerializationException"), e.value.response  # wrong types: the codec


def test_js_sdk_v3(js, echo):
    assert "apigateway.mjs ok" in js("apigateway.mjs", echo)


def test_test_invoke_method(apigw, raw):
    api, res = mock_api(apigw, response='{"q": "$input.params(\'q\')", "v": "$stageVariables.v"}')
    out = apigw.test_invoke_method(restApiId=api, resourceId=res, httpMethod="GET", pathWithQueryString="/hello?q=1",
                                   stageVariables={"v": "two"})
    assert out["status"] == 200 and json.loads(out["body"]) == {"q": "1", "v": "two"}
    assert out["headers"]["Content-Type"] == "application/json"
    assert "Method completed with status: 200" in out["log"] and out["latency"] >= 0
    with pytest.raises(ClientError) as e:
        apigw.test_invoke_method(restApiId=api, resourceId=res, httpMethod="POST")
    assert code(e) == "NotFoundException"


def test_malformed_inputs_are_bad_requests(apigw, raw):
    api, res = mock_api(apigw)
    calls = [
        lambda: raw.create_model(restApiId=api, name="X", contentType="application/json", schema="[1, 2"),
        lambda: raw.create_model(restApiId=api, name="X", contentType="application/json",
                                 schema='{"properties": {"a": {"pattern": "(a{100}){100}"}}}'),
        lambda: raw.create_model(restApiId=api, name="", contentType="application/json"),
        lambda: raw.create_request_validator(restApiId=api, name="v", validateRequestBody="yes"),
        lambda: raw.put_gateway_response(restApiId=api, responseType="THROTTLED", responseParameters={"nope": "'x'"}),
        lambda: raw.put_gateway_response(restApiId=api, responseType="NOT_A_TYPE"),
        lambda: raw.update_gateway_response(restApiId=api, responseType="THROTTLED",
                                            patchOperations=[{"op": "explode", "path": "/statusCode"}]),
        lambda: raw.put_method(restApiId=api, resourceId=res, httpMethod="POST", authorizationType="NONE",
                               requestModels={"application/json": "Missing"}),
        lambda: raw.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="MOCK",
                                    contentHandling="CONVERT_TO_NOTHING"),
        lambda: raw.get_models(restApiId=api, limit=9999),
    ]
    for c in calls:
        with pytest.raises(ClientError) as e:
            c()
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400, e.value.response
        assert code(e) in ("BadRequestException", "SerializationException"), e.value.response  # wrong types: the codec
    out = raw.test_invoke_method(restApiId=api, resourceId=res, httpMethod="GET", headers={"a": "b"},
                                 pathWithQueryString="/%zz?%%=1")
    assert out["status"] == 200
