"""Hardening: SigV2 and forged credentials under --verify-signatures, identity only from where
AWS reads it, Origin and Host policy (CORS, DNS rebinding), internal endpoints, the banner."""
import http.client
import json
import re
import socket

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from conftest import Daemon, make_boto3

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DDB_LIST = {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"}
FORGED_SCOPE = "Credential=999988887777/20260101/us-east-1/sts/aws4_request"
S3_V2_MESSAGE = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."


@pytest.fixture(scope="module")
def verifying():
    d = Daemon("--verify-signatures", "--admin-token", "tok-123")
    yield d
    d.stop()


def raw(daemon, method, path, body=b"", headers=None, host=None):
    """One request with exactly these headers (Host included): (status, lower-cased headers, body)."""
    if isinstance(body, str):
        body = body.encode()
    conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host if host is not None else f"127.0.0.1:{daemon.port}")
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body or method in ("POST", "PUT"):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def signed(daemon, method, path, body=b"", headers=None, service="sts", secret="test"):
    """A SigV4-signed raw request (botocore's signer)."""
    url = f"http://127.0.0.1:{daemon.port}{path}"
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials("test", secret), service, "us-east-1").add_auth(req)
    return raw(daemon, method, path, body, dict(req.headers.items()))


def xml_code(body):
    m = re.search(rb"<Code>([^<]*)</Code>", body)
    return m.group(1).decode() if m else None


def xml_message(body):
    m = re.search(rb"<Message>([^<]*)</Message>", body, re.S)
    return m.group(1).decode() if m else None


def json_type(body):
    return json.loads(body)["__type"].rsplit("#", 1)[-1]


def caller_account(daemon, authorization):
    status, _, body = raw(daemon, "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15",
                          {**FORM, "Authorization": authorization})
    return status, body


# ---------------------------------------------------------------- §1 SigV2 under verification

def test_forged_sigv2_header_refused_by_dynamodb(verifying):
    for auth in ("AWS test:forged", "AWS anything:anything " + FORGED_SCOPE):
        status, _, body = raw(verifying, "POST", "/", "{}", {**DDB_LIST, "Authorization": auth})
        assert status == 400, body
        assert json_type(body) == "IncompleteSignatureException"


def test_sigv2_query_refused_by_dynamodb(verifying):
    status, _, body = raw(verifying, "POST", "/?AWSAccessKeyId=test&Signature=x", "{}", DDB_LIST)
    assert status == 400 and json_type(body) == "MissingAuthenticationTokenException"


def test_forged_sigv2_header_refused_by_iam_and_sts(verifying):
    status, _, body = raw(verifying, "POST", "/", "Action=CreateUser&UserName=mallory&Version=2010-05-08",
                          {**FORM, "Authorization": "AWS test:forged"})
    assert status == 400 and xml_code(body) == "IncompleteSignature", body
    assert "not a valid key=value pair" in xml_message(body)
    users = make_boto3(verifying.endpoint, "iam").list_users()["Users"]
    assert "mallory" not in [u["UserName"] for u in users]
    status, body = caller_account(verifying, "AWS x:y " + FORGED_SCOPE)
    assert status == 400 and xml_code(body) == "IncompleteSignature"


def test_sigv2_query_signature_refused_by_sts_and_iam(verifying):
    q = ("AWSAccessKeyId=test&Signature=bm9wZQ%3D%3D&SignatureVersion=2&SignatureMethod=HmacSHA256"
         "&Timestamp=2026-01-01T00%3A00%3A00Z")
    status, _, body = raw(verifying, "GET", "/?Action=GetCallerIdentity&Version=2011-06-15&" + q)
    assert status == 400 and xml_code(body) == "IncompleteSignature", body
    assert xml_message(body) == "The request signature does not conform to AWS standards."
    status, _, body = raw(verifying, "GET", "/?Action=ListUsers&Version=2010-05-08&" + q)
    assert status == 400 and xml_code(body) == "IncompleteSignature"


def test_sigv2_refused_on_s3_paths(verifying):
    status, _, body = raw(verifying, "GET", "/bucket/key", headers={"Authorization": "AWS test:forged"})
    assert status == 400 and xml_code(body) == "InvalidRequest" and xml_message(body) == S3_V2_MESSAGE
    # boto3 presigns S3 URLs with SigV2 query parameters unless told otherwise.
    s3 = make_boto3(verifying.endpoint, "s3")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=300)
    assert "AWSAccessKeyId=" in url
    status, _, body = raw(verifying, "GET", url.split(str(verifying.port), 1)[1])
    assert status == 400 and xml_code(body) == "InvalidRequest" and xml_message(body) == S3_V2_MESSAGE
    # Unsigned: what a private bucket answers.
    status, _, body = raw(verifying, "GET", "/bucket/key")
    assert status == 403 and xml_code(body) == "AccessDenied"


def test_forged_credential_text_names_no_account_under_verification(verifying):
    status, body = caller_account(verifying, "AWS x:y " + FORGED_SCOPE)
    assert status == 400 and b"<Account>" not in body


# ---------------------------------------------------------------- §1 identity without verification

def test_credential_text_in_sigv2_header_names_no_account(awan):
    status, body = caller_account(awan, "AWS anything:anything " + FORGED_SCOPE)
    assert status == 200, body
    assert b"<Account>000000000000</Account>" in body and b"999988887777" not in body


def test_credential_text_in_other_scheme_names_no_account(awan):
    status, body = caller_account(awan, "Bearer " + FORGED_SCOPE)
    assert status == 200 and b"<Account>000000000000</Account>" in body


def test_iam_key_in_free_text_does_not_impersonate(boto, awan):
    iam = boto("iam")
    iam.create_user(UserName="dave")
    key = iam.create_access_key(UserName="dave")["AccessKey"]["AccessKeyId"]
    status, body = caller_account(awan, f"AWS nobody:sig Credential={key}/20260101/us-east-1/sts/aws4_request")
    assert status == 200 and b"user/dave" not in body and b":root</Arn>" in body
    # The SigV2 key id position is the access key, as AWS reads it (no verification asked).
    status, body = caller_account(awan, f"AWS {key}:sig")
    assert status == 200 and b"user/dave" in body


def test_iam_key_in_sigv2_header_refused_under_verification(verifying):
    iam = make_boto3(verifying.endpoint, "iam")
    iam.create_user(UserName="erin")
    key = iam.create_access_key(UserName="erin")["AccessKey"]["AccessKeyId"]
    status, body = caller_account(verifying, f"AWS {key}:sig")
    assert status == 400 and b"user/erin" not in body


# ---------------------------------------------------------------- §7 tampered presigned URLs

def tamper(url):
    return re.sub(r"X-Amz-Signature=[0-9a-f]{4}", "X-Amz-Signature=0000", url)


def test_tampered_presigned_signature_messages(verifying):
    path = lambda url: url.split(str(verifying.port), 1)[1]
    sts_url = make_boto3(verifying.endpoint, "sts").generate_presigned_url(
        "get_caller_identity", ExpiresIn=300, HttpMethod="GET")
    status, _, body = raw(verifying, "GET", path(tamper(sts_url)))
    assert status == 403 and xml_code(body) == "SignatureDoesNotMatch"
    assert xml_message(body).startswith(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
        "Access Key and signing method. Consult the service documentation for details.")

    ddb_url = make_boto3(verifying.endpoint, "dynamodb").generate_presigned_url(
        "list_tables", ExpiresIn=300, HttpMethod="POST")
    status, _, body = raw(verifying, "POST", path(tamper(ddb_url)), "{}", DDB_LIST)
    assert status == 400 and json_type(body) == "InvalidSignatureException"
    assert json.loads(body)["message"].startswith("The request signature we calculated does not match")

    s3 = boto3.client("s3", endpoint_url=verifying.endpoint, region_name="us-east-1", aws_access_key_id="test",
                      aws_secret_access_key="test", config=Config(signature_version="s3v4"))
    s3_url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=300)
    status, _, body = raw(verifying, "GET", path(tamper(s3_url)))
    assert status == 403 and xml_code(body) == "SignatureDoesNotMatch"
    assert xml_message(body) == ("The request signature we calculated does not match the signature you provided. "
                                 "Check your key and signing method.")


# ---------------------------------------------------------------- §2 Origin

def test_foreign_origin_refused_before_routing(boto, awan):
    status, headers, body = raw(awan, "POST", "/", "Action=CreateUser&UserName=mallory&Version=2010-05-08",
                                {**FORM, "Origin": "https://evil.example"})
    assert status == 403 and json.loads(body)["error"] == "ForbiddenOrigin"
    assert "access-control-allow-origin" not in headers
    assert boto("iam").list_users()["Users"] == []
    assert raw(awan, "GET", "/_awan/health", headers={"Origin": "null"})[0] == 403
    assert raw(awan, "POST", "/_awan/reset", "{}", {"Content-Type": "text/plain",
                                                    "Origin": "http://localhost.evil.example"})[0] == 403


def test_local_origins_served_with_cors_headers(awan):
    for origin in ("http://localhost:3000", "https://localhost", "http://127.0.0.1:5173", "http://[::1]:8080",
                   "http://app.localhost:3000"):
        status, headers, _ = raw(awan, "GET", "/_awan/health", headers={"Origin": origin})
        assert status == 200, origin
        assert headers["access-control-allow-origin"] == origin
        assert "x-amz-request-id" in headers["access-control-expose-headers"]
    # An AWS answer (an error here) carries them too, so that a browser SDK can read it.
    status, headers, body = raw(awan, "POST", "/", "{}", {**DDB_LIST, "Origin": "http://localhost:3000",
                                                          "X-Amz-Target": "DynamoDB_20120810.DescribeTable"})
    assert status == 400 and headers["access-control-allow-origin"] == "http://localhost:3000"


def test_preflight(awan):
    status, headers, body = raw(awan, "OPTIONS", "/", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-amz-date,x-amz-target"})
    assert status == 200 and body == b""
    assert headers["access-control-allow-origin"] == "http://localhost:3000"
    assert headers["access-control-allow-methods"] == "POST"
    assert headers["access-control-allow-headers"] == "authorization,content-type,x-amz-date,x-amz-target"
    assert "etag" in headers["access-control-expose-headers"].lower()
    assert int(headers["access-control-max-age"]) > 0
    status, headers, _ = raw(awan, "OPTIONS", "/", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert status == 403 and "access-control-allow-origin" not in headers


def test_allowed_origins_flag_and_env():
    for d in (Daemon("--allowed-origins", "https://*.example.com,http://tool.test:8080"),
              Daemon(env={"AWAN_ALLOWED_ORIGINS": "https://*.example.com, http://tool.test:8080"})):
        try:
            ok = lambda o: raw(d, "GET", "/_awan/health", headers={"Origin": o})[0]
            assert ok("https://app.example.com") == 200
            assert ok("http://tool.test:8080") == 200
            assert ok("http://localhost:3000") == 200
            assert ok("https://example.com.evil.test") == 403
            assert ok("http://tool.test:8081") == 403
        finally:
            d.stop()
    d = Daemon("--allowed-origins", "*")
    try:
        assert raw(d, "GET", "/_awan/health", headers={"Origin": "https://evil.example"})[0] == 200
    finally:
        d.stop()


# ---------------------------------------------------------------- §2 Host (DNS rebinding)

def test_foreign_host_refused(boto, awan):
    status, _, body = raw(awan, "POST", "/", "Action=CreateUser&UserName=mallory&Version=2010-05-08", FORM,
                          host=f"evil.example:{awan.port}")
    assert status == 403 and json.loads(body)["error"] == "ForbiddenHost"
    assert boto("iam").list_users()["Users"] == []
    for host in ("localhost.evil.example", f"127.0.0.1.nip.io:{awan.port}", f"0.0.0.0:{awan.port}", "x"):
        assert raw(awan, "GET", "/_awan/health", host=host)[0] == 403, host


def test_local_and_virtual_hosts_served(awan):
    p = awan.port
    for host in (f"localhost:{p}", f"127.0.0.1:{p}", f"[::1]:{p}", f"bucket.localhost:{p}", "bucket.s3.localhost",
                 f"sqs.eu-west-1.localhost:{p}", f"abc123.execute-api.localhost:{p}", f"LOCALHOST:{p}"):
        assert raw(awan, "GET", "/_awan/health", host=host)[0] == 200, host


def test_request_without_host_is_served(awan):
    with socket.create_connection(("127.0.0.1", awan.port), timeout=5) as s:
        s.sendall(b"GET /_awan/health HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.0 200") or data.startswith(b"HTTP/1.1 200"), data[:100]


def test_hostname_flag():
    d = Daemon("--hostname", "awan.internal", env={"AWAN_HOSTNAME": "ignored.test"})
    try:
        assert raw(d, "GET", "/_awan/health", host=f"awan.internal:{d.port}")[0] == 200
        assert raw(d, "GET", "/_awan/health", host="bucket.s3.awan.internal")[0] == 200
        assert raw(d, "GET", "/_awan/health", host="ignored.test")[0] == 403  # the flag wins
        assert raw(d, "GET", "/_awan/health", host="evil.example")[0] == 403
    finally:
        d.stop()


# ---------------------------------------------------------------- §3 binding all interfaces

def test_bound_to_all_interfaces_banner_warning_and_no_host_check():
    d = Daemon("--host", "0.0.0.0")
    try:
        assert d.endpoint == f"http://0.0.0.0:{d.port}"
        assert raw(d, "GET", "/_awan/health", host="my-laptop.lan:4566")[0] == 200
        assert raw(d, "GET", "/_awan/health", headers={"Origin": "https://evil.example"})[0] == 403
    finally:
        d.stop()
    err = d.proc.stderr.read()
    assert "reachable from the network" in err and "--verify-signatures" in err


def test_loopback_bind_prints_no_warning(awan):
    d = Daemon("--host", "127.0.0.1")
    try:
        assert d.endpoint == f"http://127.0.0.1:{d.port}"
    finally:
        d.stop()
    assert "reachable from the network" not in d.proc.stderr.read()


def ipv6_daemon(host):
    try:
        return Daemon("--host", host)
    except RuntimeError as e:
        pytest.skip(f"IPv6 not available: {e}")


def test_ipv6_banners():
    d = ipv6_daemon("::")
    try:
        assert d.endpoint == f"http://[::]:{d.port}"
    finally:
        d.stop()
    assert "reachable from the network" in d.proc.stderr.read()
    d = ipv6_daemon("::1")
    try:
        assert d.endpoint == f"http://[::1]:{d.port}"
        with socket.create_connection(("::1", d.port), timeout=5) as s:
            s.sendall(f"GET /_awan/health HTTP/1.1\r\nHost: [::1]:{d.port}\r\nConnection: close\r\n\r\n".encode())
            assert s.recv(100).startswith(b"HTTP/1.1 200")
    finally:
        d.stop()
    assert "reachable from the network" not in d.proc.stderr.read()


# ---------------------------------------------------------------- §2 internal endpoints

def test_text_plain_reset_refused_and_state_kept(boto, awan):
    iam = boto("iam")
    iam.create_user(UserName="keep")
    for path in ("/_awan/reset", "/moto-api/reset", "/_localstack/state/reset"):
        for headers in ({"Content-Type": "text/plain"}, FORM, {"Content-Type": "multipart/form-data; boundary=x"}, {}):
            status, _, body = raw(awan, "POST", path, "{}", headers)
            assert status == 415, (path, headers, body)
            assert "application/json" in json.loads(body)["message"]
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["keep"]
    status, _, _ = raw(awan, "POST", "/_awan/reset", "", {"Content-Type": "application/json"})
    assert status == 200
    assert iam.list_users()["Users"] == []
    assert raw(awan, "GET", "/_awan/health")[0] == 200


def test_admin_token_under_verification(verifying):
    reset = lambda headers: raw(verifying, "POST", "/_awan/reset", "", {"Content-Type": "application/json", **headers})
    status, _, body = reset({})
    assert status == 403 and "admin token" in json.loads(body)["message"]
    assert reset({"Authorization": "Bearer tok-123"})[0] == 200
    assert reset({"X-Awan-Admin-Token": "tok-123"})[0] == 200
    assert reset({"Authorization": "Bearer wrong"})[0] == 403
    assert reset({"Authorization": "AWS test:forged"})[0] == 403
    # Any verified SigV4 signature will do too; a wrong one will not.
    assert signed(verifying, "POST", "/_awan/reset", b"", {"Content-Type": "application/json"})[0] == 200
    assert signed(verifying, "POST", "/_awan/reset", b"", {"Content-Type": "application/json"},
                  secret="wrong")[0] == 403
    # JSON is still required.
    assert raw(verifying, "POST", "/_awan/reset", "", {"Content-Type": "text/plain",
                                                       "Authorization": "Bearer tok-123"})[0] == 415
    assert raw(verifying, "GET", "/_awan/health")[0] == 200


def test_admin_token_from_environment():
    d = Daemon("--verify-signatures", env={"AWAN_ADMIN_TOKEN": "env-token"})
    try:
        headers = {"Content-Type": "application/json"}
        assert raw(d, "POST", "/_awan/reset", "", {**headers, "X-Awan-Admin-Token": "env-token"})[0] == 200
        assert raw(d, "POST", "/_awan/reset", "", headers)[0] == 403
    finally:
        d.stop()
