"""Lambda function URLs against a running daemon: the configuration operations (boto3, aws-cli),
a URL called with curl and with urllib in both addressing forms, the payload 2.0 event, the
result mapping forms, errors (502), AWS_IAM with botocore's SigV4Auth, and CORS."""
import json
import subprocess
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import ROLE, TRUST, make_boto3, zip_of


# Echoes the event, or returns what the request's "shape" query parameter asks for.
APP = """
import base64, json
def handler(event, context):
    shape = (event.get("queryStringParameters") or {}).get("shape", "echo")
    if shape == "string":
        return "plain words"
    if shape == "number":
        return 42
    if shape == "object":
        return {"hello": "world"}
    if shape == "error":
        raise ValueError("boom")
    if shape == "binary":
        return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(b"\\x00\\x01\\x02").decode(), "isBase64Encoded": True}
    if shape == "cors":
        return {"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "https://evil.example"}, "body": "x"}
    return {"statusCode": 201, "headers": {"x-app": "yes"}, "cookies": ["session=1; Path=/", "theme=dark"],
            "body": json.dumps(event)}
"""


@pytest.fixture
def app(lam):
    lam.create_function(FunctionName="app", Runtime="python3.11", Handler="app.handler", Role=ROLE,
                        Code={"ZipFile": zip_of({"app.py": APP})})
    return "app"


def url_id(url):
    return url.split("//", 1)[1].split(".", 1)[0]


def curl(*args):
    p = subprocess.run(["curl", "-s", "-i", "--max-time", "20", *args], capture_output=True, timeout=30)
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    return status, headers, body


def fetch(url, method="GET", body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def path_form(awan, url):
    return f"{awan.endpoint}/_aws/lambda-url/{url_id(url)}/"


# ---- configurations ----

def test_create_get_update_list_delete(lam, app):
    c = lam.create_function_url_config(FunctionName=app, AuthType="NONE",
                                       Cors={"AllowOrigins": ["http://localhost:3000"], "MaxAge": 60})
    assert c["ResponseMetadata"]["HTTPStatusCode"] == 201
    url = c["FunctionUrl"]
    assert url.startswith("http://") and ".lambda-url.us-east-1.localhost:" in url and url.endswith("/")
    assert len(url_id(url)) == 32 and url_id(url).isalnum() and url_id(url).lower() == url_id(url)
    assert c["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:app"
    assert c["AuthType"] == "NONE" and c["Cors"]["MaxAge"] == 60
    g = lam.get_function_url_config(FunctionName=app)
    assert g["FunctionUrl"] == url and g["CreationTime"] == c["CreationTime"] and "LastModifiedTime" in g
    u = lam.update_function_url_config(FunctionName=app, AuthType="AWS_IAM")
    assert u["AuthType"] == "AWS_IAM" and u["FunctionUrl"] == url and u["Cors"]["MaxAge"] == 60
    with pytest.raises(ClientError) as e:
        lam.create_function_url_config(FunctionName=app, AuthType="NONE")
    assert e.value.response["Error"]["Code"] == "ResourceConflictException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert [x["FunctionUrl"] for x in lam.list_function_url_configs(FunctionName=app)["FunctionUrlConfigs"]] == [url]
    lam.delete_function_url_config(FunctionName=app)
    with pytest.raises(ClientError) as e:
        lam.get_function_url_config(FunctionName=app)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert lam.list_function_url_configs(FunctionName=app)["FunctionUrlConfigs"] == []


def test_qualifiers_alias_yes_version_no(lam, app):
    v = lam.publish_version(FunctionName=app)["Version"]
    lam.create_alias(FunctionName=app, Name="live", FunctionVersion=v)
    c = lam.create_function_url_config(FunctionName=app, Qualifier="live", AuthType="NONE")
    assert c["FunctionArn"].endswith(":function:app:live")
    loose = boto3.client("lambda", endpoint_url=lam.meta.endpoint_url, region_name="us-east-1",
                         aws_access_key_id="test", aws_secret_access_key="test",
                         config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as e:
        loose.create_function_url_config(FunctionName=app, Qualifier=v, AuthType="NONE")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "at 'qualifier' failed to satisfy constraint" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        loose.create_function_url_config(FunctionName=app, Qualifier="nope", AuthType="NONE")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        loose.create_function_url_config(FunctionName=app, AuthType="OPEN")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as e:
        loose.create_function_url_config(FunctionName=app, AuthType="NONE", Cors={"MaxAge": 86401})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as e:
        lam.create_function_url_config(FunctionName="missing", AuthType="NONE")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    lam.delete_alias(FunctionName=app, Name="live")  # the alias's URL goes with it
    status, _, _ = fetch(path_form_of(lam, c["FunctionUrl"]))
    assert status == 404


def path_form_of(lam, url):
    return f"{lam.meta.endpoint_url}/_aws/lambda-url/{url_id(url)}/"


def test_aws_cli_and_add_permission(aws, lam, app):
    c = aws("lambda", "create-function-url-config", "--function-name", app, "--auth-type", "NONE")
    assert c["AuthType"] == "NONE" and "lambda-url" in c["FunctionUrl"]
    assert aws("lambda", "get-function-url-config", "--function-name", app)["FunctionUrl"] == c["FunctionUrl"]
    st = lam.add_permission(FunctionName=app, StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*",
                            FunctionUrlAuthType="NONE")
    assert json.loads(st["Statement"])["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    policy = json.loads(lam.get_policy(FunctionName=app)["Policy"])
    assert policy["Statement"][0]["Action"] == "lambda:InvokeFunctionUrl"


# ---- invocation ----

def test_curl_gets_the_payload_2_event_and_the_mapped_result(awan, lam, app):
    url = lam.create_function_url_config(FunctionName=app, AuthType="NONE")["FunctionUrl"]
    status, headers, body = curl("-X", "POST", "-H", "Content-Type: application/json", "-H", "Cookie: a=1; b=2",
                                 "-d", '{"x": 1}', url + "items/42?q=1&q=2&other=z")
    assert status == 201
    assert headers["x-app"] == ["yes"]
    assert headers["set-cookie"] == ["session=1; Path=/", "theme=dark"]
    assert headers["content-type"] == ["application/json"]
    event = json.loads(body)
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/items/42" and event["rawQueryString"] == "q=1&q=2&other=z"
    assert event["queryStringParameters"] == {"q": "1,2", "other": "z"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["content-type"] == "application/json" and "cookie" not in event["headers"]
    assert event["body"] == '{"x": 1}' and event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert ctx["apiId"] == url_id(url) and ctx["domainPrefix"] == url_id(url)
    assert ctx["domainName"].startswith(url_id(url) + ".lambda-url.us-east-1.localhost")
    assert ctx["accountId"] == "000000000000" and ctx["stage"] == "$default"
    assert ctx["http"]["method"] == "POST" and ctx["http"]["path"] == "/items/42"
    assert ctx["http"]["protocol"] == "HTTP/1.1" and ctx["http"]["sourceIp"] == "127.0.0.1"
    assert ctx["http"]["userAgent"].startswith("curl/")
    assert ctx["requestId"] == headers["x-amzn-requestid"][0]
    assert isinstance(ctx["timeEpoch"], int) and ctx["time"].endswith("+0000")
    assert "authorizer" not in ctx


def test_urllib_by_path_and_by_host_header(awan, lam, app):
    url = lam.create_function_url_config(FunctionName=app, AuthType="NONE")["FunctionUrl"]
    status, _, body = fetch(path_form(awan, url) + "deep/path?k=v")
    assert status == 201
    event = json.loads(body)
    assert event["rawPath"] == "/deep/path" and event["queryStringParameters"] == {"k": "v"}
    assert event["requestContext"]["http"]["method"] == "GET" and "body" not in event
    host = url.split("//", 1)[1].split("/", 1)[0]
    status, _, body = fetch(awan.endpoint + "/other", headers={"Host": host})
    assert status == 201 and json.loads(body)["rawPath"] == "/other"
    # a binary body arrives base64-encoded
    status, _, body = fetch(path_form(awan, url), "PUT", b"\x00\xff", {"Content-Type": "application/octet-stream"})
    event = json.loads(body)
    assert event["isBase64Encoded"] is True and event["body"] == "AP8="


@pytest.mark.parametrize("shape, status, ctype, body", [
    ("string", 200, "application/json", b"plain words"),
    ("number", 200, "application/json", b"42"),
    ("object", 200, "application/json", b'{"hello": "world"}'),
    ("binary", 200, "application/octet-stream", b"\x00\x01\x02"),
])
def test_result_mapping_forms(awan, lam, app, shape, status, ctype, body):
    url = lam.create_function_url_config(FunctionName=app, AuthType="NONE")["FunctionUrl"]
    got_status, headers, got = fetch(path_form(awan, url) + "?shape=" + shape)
    assert (got_status, headers["content-type"]) == (status, ctype)
    assert json.loads(got) == json.loads(body) if shape == "object" else got == body


def test_function_error_is_502(awan, lam, app):
    url = lam.create_function_url_config(FunctionName=app, AuthType="NONE")["FunctionUrl"]
    status, headers, body = curl(url + "?shape=error")
    assert status == 502 and json.loads(body) == {"Message": None}
    assert headers["content-type"] == ["application/json"]


def test_throttled_is_429(awan, lam, app):
    url = lam.create_function_url_config(FunctionName=app, AuthType="NONE")["FunctionUrl"]
    lam.put_function_concurrency(FunctionName=app, ReservedConcurrentExecutions=0)
    status, _, body = fetch(path_form(awan, url))
    assert status == 429 and json.loads(body) == {"Message": "Rate Exceeded."}


def signed(url, method="GET", body=b"", key="test", secret="test", headers=None):
    req = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    SigV4Auth(Credentials(key, secret), "lambda", "us-east-1").add_auth(req)
    return dict(req.headers.items())


def test_aws_iam_needs_a_signature(awan, lam, app):
    url = lam.create_function_url_config(FunctionName=app, AuthType="AWS_IAM")["FunctionUrl"]
    target = path_form(awan, url) + "secure"
    status, _, body = fetch(target)
    assert status == 403 and json.loads(body) == {"Message": "Forbidden"}
    status, _, body = fetch(target, headers=signed(target, key="111122223333"))
    assert status == 201
    iam = json.loads(body)["requestContext"]["authorizer"]["iam"]
    assert iam["accessKey"] == "111122223333" and iam["accountId"] == "111122223333"
    assert iam["userArn"] == "arn:aws:iam::111122223333:root"
    # curl by the URL itself, signed by botocore for that Host
    hdrs = signed(url + "x", method="POST", body=b"hi")
    status, _, body = curl("-X", "POST", "-d", "hi", *[a for k, v in hdrs.items() for a in ("-H", f"{k}: {v}")],
                           url + "x")
    assert status == 201 and json.loads(body)["body"] == "hi"


def test_aws_iam_signatures_are_verified_with_verify_signatures(lam):
    from conftest import Daemon
    d = Daemon("--verify-signatures")
    try:
        lam2 = make_boto3(d.endpoint, "lambda")
        make_boto3(d.endpoint, "iam").create_role(RoleName="lambda-role", AssumeRolePolicyDocument=TRUST)
        lam2.create_function(FunctionName="app", Runtime="python3.11", Handler="app.handler", Role=ROLE,
                             Code={"ZipFile": zip_of({"app.py": APP})})
        url = lam2.create_function_url_config(FunctionName="app", AuthType="AWS_IAM")["FunctionUrl"]
        target = f"{d.endpoint}/_aws/lambda-url/{url_id(url)}/"
        status, _, body = fetch(target, headers=signed(target, secret="wrong"))
        assert status == 403 and json.loads(body) == {"Message": "Forbidden"}
        status, _, _ = fetch(target, headers=signed(target))
        assert status == 201
    finally:
        d.stop()


def test_cors_preflight_and_response_headers(awan, lam, app):
    url = lam.create_function_url_config(
        FunctionName=app, AuthType="NONE",
        Cors={"AllowOrigins": ["http://localhost:3000"], "AllowMethods": ["GET", "POST"],
              "AllowHeaders": ["x-custom"], "ExposeHeaders": ["x-app"], "MaxAge": 300,
              "AllowCredentials": True})["FunctionUrl"]
    status, headers, body = curl("-X", "OPTIONS", "-H", "Origin: http://localhost:3000",
                                 "-H", "Access-Control-Request-Method: POST",
                                 "-H", "Access-Control-Request-Headers: x-custom", url)
    assert status == 200 and body == b""
    assert headers["access-control-allow-origin"] == ["http://localhost:3000"]
    assert headers["access-control-allow-methods"] == ["GET,POST"]
    assert headers["access-control-allow-headers"] == ["x-custom"]
    assert headers["access-control-max-age"] == ["300"]
    assert headers["access-control-allow-credentials"] == ["true"]
    # a method the configuration does not allow: no CORS headers
    status, headers, _ = curl("-X", "OPTIONS", "-H", "Origin: http://localhost:3000",
                              "-H", "Access-Control-Request-Method: DELETE", url)
    assert status == 200 and "access-control-allow-origin" not in headers
    # the actual request: the configuration's headers replace the function's
    status, headers, _ = curl("-H", "Origin: http://localhost:3000", url + "?shape=cors")
    assert status == 200
    assert headers["access-control-allow-origin"] == ["http://localhost:3000"]
    assert headers["access-control-expose-headers"] == ["x-app"]
    status, headers, _ = curl("-H", "Origin: http://127.0.0.1:9999", url + "?shape=cors")
    assert status == 200 and "access-control-allow-origin" not in headers


def test_unknown_url_id_is_404(awan):
    status, _, _ = fetch(awan.endpoint + "/_aws/lambda-url/abcdefghijklmnopqrstuvwxyz012345/")
    assert status == 404


def test_urls_survive_a_restart_with_a_data_dir(tmp_path):
    from conftest import Daemon
    d = Daemon("--data-dir", str(tmp_path))
    try:
        make_boto3(d.endpoint, "iam").create_role(RoleName="lambda-role", AssumeRolePolicyDocument=TRUST)
        lam = make_boto3(d.endpoint, "lambda")
        lam.create_function(FunctionName="app", Runtime="python3.11", Handler="app.handler", Role=ROLE,
                            Code={"ZipFile": zip_of({"app.py": APP})})
        uid = url_id(lam.create_function_url_config(FunctionName="app", AuthType="NONE")["FunctionUrl"])
    finally:
        d.stop()
    d = Daemon("--data-dir", str(tmp_path))
    try:
        lam = make_boto3(d.endpoint, "lambda")
        url = lam.get_function_url_config(FunctionName="app")["FunctionUrl"]
        assert url_id(url) == uid and url.endswith(f":{d.port}/")
        status, _, body = fetch(f"{d.endpoint}/_aws/lambda-url/{uid}/?shape=string")
        assert (status, body) == (200, b"plain words")
    finally:
        d.stop()
