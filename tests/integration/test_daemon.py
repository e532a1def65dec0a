"""The daemon itself: start-up line, internal endpoints, signals, malformed input."""
import json
import signal
import socket
import subprocess
import time

import pytest

from conftest import AWAN_BIN, Daemon


def raw_http(port, data, read_timeout=5):
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except socket.timeout:
            pass
        return b"".join(chunks)


def test_version_and_help():
    out = subprocess.run([AWAN_BIN, "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("awan ")
    out = subprocess.run([AWAN_BIN, "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "--data-dir" in out.stdout and "AWAN_PORT" in out.stdout
    out = subprocess.run([AWAN_BIN, "serve", "--bogus"], capture_output=True, text=True)
    assert out.returncode == 2 and "unknown option" in out.stderr


def test_health(awan):
    status, headers, body = awan.request("GET", "/_awan/health")
    assert status == 200
    doc = json.loads(body)
    assert doc["version"] and doc["uptime_seconds"] >= 0
    assert doc["services"]["sts"] == "running" and doc["services"]["iam"] == "running"
    assert headers.get("x-amzn-RequestId") and headers.get("Date")
    status, _, body2 = awan.request("GET", "/_localstack/health")
    assert status == 200 and json.loads(body2)["services"] == doc["services"]


def test_reset_endpoints(awan):
    assert awan.request("POST", "/_awan/reset")[0] == 200
    assert awan.request("POST", "/moto-api/reset")[0] == 200
    assert awan.request("GET", "/_awan/reset")[0] == 405
    assert awan.request("GET", "/_awan/nope")[0] == 404


def test_env_vars_and_port_zero(tmp_path):
    d = Daemon(env={"AWAN_REGION": "eu-west-1", "AWAN_ACCOUNT_ID": "111122223333"})
    try:
        from conftest import run_aws_cli
        ident = run_aws_cli(d.endpoint, "sts", "get-caller-identity")
        assert ident["Account"] == "111122223333"
    finally:
        assert d.stop() == 0


def test_sigterm_exits_zero_quickly():
    d = Daemon()
    t0 = time.monotonic()
    assert d.stop(signal.SIGTERM) == 0
    assert time.monotonic() - t0 < 1.5
    d = Daemon()
    assert d.stop(signal.SIGINT) == 0


def test_port_in_use_fails_cleanly(awan):
    p = subprocess.run([AWAN_BIN, "serve", "--port", str(awan.port)], capture_output=True, text=True, timeout=10)
    assert p.returncode == 1 and "cannot listen" in p.stderr


def test_garbage_http_then_still_serving(awan):
    resp = raw_http(awan.port, b"THIS IS NOT HTTP\r\n\r\n")
    assert resp.startswith(b"HTTP/1.1 400")
    assert b"x-amzn-RequestId: " in resp and b"\r\nDate: " in resp
    resp = raw_http(awan.port, b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n")
    assert resp.startswith(b"HTTP/1.1 400")
    assert awan.request("GET", "/_awan/health")[0] == 200


def test_keep_alive_and_pipelining(awan):
    req = b"GET /_awan/health HTTP/1.1\r\nHost: localhost\r\n\r\n"
    resp = raw_http(awan.port, req + req + b"GET /_awan/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    assert resp.count(b"HTTP/1.1 200") == 3


def test_expect_100_continue(awan):
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    with socket.create_connection(("127.0.0.1", awan.port), timeout=5) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Expect: 100-continue\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
        first = s.recv(4096)
        assert first.startswith(b"HTTP/1.1 100 Continue")
        s.sendall(body)
        rest = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            rest += b
    assert b"200 OK" in rest and b"GetCallerIdentityResult" in rest


def test_chunked_request_body(awan):
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    chunked = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (10, body[:10], len(body) - 10, body[10:])
    resp = raw_http(awan.port, b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked)
    assert b"200 OK" in resp and b"<Account>000000000000</Account>" in resp


def test_head_request(awan):
    resp = raw_http(awan.port, b"HEAD /_awan/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    head, _, rest = resp.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Content-Length:" in head and rest == b""


def test_slow_client_does_not_block_others(awan):
    # A client that sends half a header and stalls must not delay other clients.
    s = socket.create_connection(("127.0.0.1", awan.port))
    s.sendall(b"GET /_awan/health HTTP/1.1\r\nHost: localhost\r\n")
    try:
        t0 = time.monotonic()
        for _ in range(20):
            assert awan.request("GET", "/_awan/health")[0] == 200
        assert time.monotonic() - t0 < 2
    finally:
        s.close()


def test_read_timeout_closes_stalled_connection():
    d = Daemon()
    try:
        # The idle/read timeouts are long by default; here we only check the stalled client
        # is not answered with a response and the server keeps serving.
        s = socket.create_connection(("127.0.0.1", d.port), timeout=0.5)
        s.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nabc")
        with pytest.raises(socket.timeout):
            s.recv(10)
        s.close()
        assert d.request("GET", "/_awan/health")[0] == 200
    finally:
        d.stop()


def test_missing_action(awan):
    status, headers, body = awan.request("POST", "/", b"Version=2011-06-15&Foo=bar",
                                         {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and b"<Code>MissingAction</Code>" in body


def test_invalid_action(awan):
    status, _, body = awan.request("POST", "/", b"Action=DoMagic&Version=2011-06-15",
                                   {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and b"<Code>InvalidAction</Code>" in body
    assert b"DoMagic" in body


def test_bad_json(awan):
    status, headers, body = awan.request("POST", "/", b"{not json", {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    assert status == 400
    assert "SerializationException" in json.loads(body)["__type"]


def test_unknown_json_operation(awan):
    status, _, body = awan.request("POST", "/", b"{}", {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.DoMagic"})
    assert status == 400 and "UnknownOperationException" in json.loads(body)["__type"]


def test_bad_xml(awan):
    # S3 CreateBucket with a malformed configuration document.
    status, _, body = awan.request("PUT", "/some-bucket", b"<CreateBucketConfiguration><Loc",
                                   {"Content-Type": "application/xml"})
    assert status == 400 and b"<Code>MalformedXML</Code>" in body


def test_oversize_body():
    d = Daemon("--max-body-size", "1024")
    try:
        status, _, body = d.request("POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15&" + b"x" * 4096,
                                    {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 413
        assert d.request("GET", "/_awan/health")[0] == 200
    finally:
        d.stop()
