"""Large and chunked request bodies are streamed to a temporary file by the HTTP layer, and
aws-chunked bodies are decoded from that file with bounded memory."""
import json
import socket
import zlib
import base64

from conftest import Daemon


def exchange(port, head, body, read_all=True):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(head + body)
        out = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    return out


def aws_chunked(payload, chunk=1 << 20):
    out = b""
    for i in range(0, len(payload), chunk):
        part = payload[i:i + chunk]
        out += b"%x\r\n%s\r\n" % (len(part), part)
    crc = base64.b64encode(zlib.crc32(payload).to_bytes(4, "big"))
    return out + b"0\r\nx-amz-checksum-crc32:" + crc + b"\r\n\r\n"


def test_large_json_body_is_spooled_and_answered(awan):
    item = {"TableName": "missing", "Item": {"k": {"S": "x" * (12 * 1024 * 1024)}}}
    body = json.dumps(item).encode()
    head = (b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: DynamoDB_20120810.PutItem\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body))
    resp = exchange(awan.port, head, body)
    assert resp.startswith(b"HTTP/1.1 400"), resp[:300]
    assert b"ValidationException" in resp or b"ResourceNotFoundException" in resp


def test_large_chunked_form_body(awan):
    # Under the 8 MiB an unsigned form post may carry (IAM's limit, the largest query service's).
    form = b"Action=GetCallerIdentity&Version=2011-06-15&Pad=" + b"p" * (7 * 1024 * 1024)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(form[i:i + 65536]), form[i:i + 65536]) for i in range(0, len(form), 65536))
    head = (b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    resp = exchange(awan.port, head, chunks + b"0\r\n\r\n")
    assert resp.startswith(b"HTTP/1.1 200"), resp[:300]
    assert b"<Account>000000000000</Account>" in resp
    assert awan.request("GET", "/_awan/health")[0] == 200


def test_large_aws_chunked_body_is_decoded_from_file(awan):
    payload = bytes(range(256)) * (40 * 1024)  # 10 MiB
    body = aws_chunked(payload)
    head = (b"PUT /bucket/big-object HTTP/1.1\r\nHost: localhost\r\nContent-Encoding: aws-chunked\r\n"
            b"x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\nx-amz-trailer: x-amz-checksum-crc32\r\n"
            b"x-amz-decoded-content-length: %d\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (len(payload), len(body)))
    created = exchange(awan.port, b"PUT /bucket HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", b"")
    assert created.startswith(b"HTTP/1.1 200"), created[:400]
    resp = exchange(awan.port, head, body)
    # The framing decodes from file to file; S3 stores the payload, not the framing.
    assert resp.startswith(b"HTTP/1.1 200"), resp[:400]
    got = exchange(awan.port, b"GET /bucket/big-object HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", b"")
    assert got.split(b"\r\n\r\n", 1)[1] == payload
    bad = body[:-40]  # truncated framing
    head_bad = head.replace(b"Content-Length: %d" % len(body), b"Content-Length: %d" % len(bad))
    resp = exchange(awan.port, head_bad, bad)
    assert resp.startswith(b"HTTP/1.1 400") and b"IncompleteBody" in resp, resp[:400]


def test_body_limit_applies_to_chunked_bodies():
    d = Daemon("--max-body-size", "100000")
    try:
        chunk = b"x" * 50000
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(4)) + b"0\r\n\r\n"
        head = (b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
                b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nTransfer-Encoding: chunked\r\n\r\n")
        resp = exchange(d.port, head, body)
        assert resp.startswith(b"HTTP/1.1 413"), resp[:200]
        assert d.request("GET", "/_awan/health")[0] == 200
    finally:
        d.stop()
