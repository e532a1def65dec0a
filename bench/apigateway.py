"""API Gateway REST API benchmark: requests through a REST API (MOCK; AWS non-proxy and AWS_PROXY
Lambda integrations to the in-process C++ handler awan:Check-Stock; a usage plan with an API
key) beside a direct Lambda Invoke of the same handler and the bare Beast ceiling, in the same
run. Check-Stock answers {"alerts": 0}, which is not a proxy result: the AWS_PROXY row measures
the whole proxy path (event, invocation, result parsing) and answers 502, as API Gateway does.
  python3 bench/apigateway.py [duration_s] [connections]"""
import json
import os
import sys


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

duration = int(sys.argv[1]) if len(sys.argv) > 1 else 5
connections = int(sys.argv[2]) if len(sys.argv) > 2 else 8
AUTH = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0"
ROLE = "arn:aws:iam::000000000000:role/bench"
KEY = "bench-key-0123456789abcdef"


def lambda_uri(arn):
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


def build_api(apigw, fn_arn):
    api = apigw.create_rest_api(name="bench")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]

    def method(part, integration, key=False, **kw):
        res = apigw.create_resource(restApiId=api, parentId=root, pathPart=part)["id"]
        apigw.put_method(restApiId=api, resourceId=res, httpMethod="ANY", authorizationType="NONE", apiKeyRequired=key)
        apigw.put_integration(restApiId=api, resourceId=res, httpMethod="ANY", type=integration, **kw)
        if integration != "AWS_PROXY":
            apigw.put_method_response(restApiId=api, resourceId=res, httpMethod="ANY", statusCode="200")
            apigw.put_integration_response(restApiId=api, resourceId=res, httpMethod="ANY", statusCode="200",
                                           responseTemplates={"application/json": ""})

    method("mock", "MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    method("mockkey", "MOCK", key=True, requestTemplates={"application/json": '{"statusCode": 200}'})
    method("aws", "AWS", integrationHttpMethod="POST", uri=lambda_uri(fn_arn))
    method("proxy", "AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri(fn_arn))
    apigw.create_deployment(restApiId=api, stageName="prod")
    key = apigw.create_api_key(name="bench", value=KEY, enabled=True)["id"]
    plan = apigw.create_usage_plan(name="bench", apiStages=[{"apiId": api, "stage": "prod"}],
                                   throttle={"rateLimit": 1e9, "burstLimit": 1000000000})["id"]
    apigw.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
    return api


bare = lib.start_bare()
ceiling = lib.wrk(bare.url + "/", duration=duration, connections=connections)
bare.stop()

awan = lib.start_awan()
lib.client(awan.url, "iam").create_role(RoleName="bench", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
lam = lib.client(awan.url, "lambda")
fn = lam.create_function(FunctionName="inproc", Runtime="provided.al2023", Handler="awan:Check-Stock", Role=ROLE,
                         Timeout=30, Code={"ZipFile": lib.zip_of({"README": "in-process handler"})})["FunctionArn"]
api = build_api(lib.client(awan.url, "apigateway"), fn)

post = lib.lua_script("POST", '{"Records": []}', {"Content-Type": "application/json"})
keyed = lib.lua_script("GET", None, {"x-api-key": KEY})
invoke = lib.lua_script("POST", "{}", {"Authorization": AUTH, "Content-Type": "application/json"})
base = f"{awan.url}/_aws/execute-api/{api}/prod"
rows = [
    ("Lambda Invoke (direct)", lib.wrk(awan.url + "/2015-03-31/functions/inproc/invocations", invoke,
                                       duration=duration, connections=connections)),
    ("REST API MOCK", lib.wrk(base + "/mock", duration=duration, connections=connections)),
    ("REST API MOCK + API key plan", lib.wrk(base + "/mockkey", keyed, duration=duration, connections=connections)),
    ("REST API AWS → in-process", lib.wrk(base + "/aws", post, duration=duration, connections=connections)),
    ("REST API AWS_PROXY → in-process*", lib.wrk(base + "/proxy", post, duration=duration, connections=connections)),
    ("REST API AWS → in-process, 1 conn", lib.wrk(base + "/aws", post, duration=duration, connections=1)),
]
awan.stop()

print(f"bare Beast ceiling: {ceiling['rps']:.0f} req/s")
lib.report(rows, ceiling["rps"])
print("* answers 502: Check-Stock's output is not a proxy result (the path measured is the same)")
