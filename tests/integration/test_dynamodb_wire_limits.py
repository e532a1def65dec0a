"""DynamoDB's wire limits at their boundaries (issue 17, "Wire"): a request body of exactly
16 MiB is read and answered by DynamoDB, one byte more is refused from the headers alone;
request lines and header blocks are limited to 64 KiB, over it a 431 and the connection closes
(DynamoDB publishes no header limit: docs/services/dynamodb.md). The daemon answers at once and
stays healthy after each."""
import json
import socket

from test_hardening_limits import health_ms, read_response

LIMIT = 16 * 1024 * 1024


def ddb_request(body, extra_headers=b"", target=b"PutItem"):
    return (b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: DynamoDB_20120810." + target + b"\r\n" + extra_headers +
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)


def send(port, data, timeout=30):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered from the headers, the rest of the body never read
        return read_response(s, timeout=timeout)


def padded_put(size):
    """A PutItem body of exactly `size` bytes for a table that does not exist."""
    head = b'{"TableName": "missing", "Item": {"k": {"S": "'
    tail = b'"}}}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_a_body_of_exactly_16_mib_is_read_one_more_byte_is_refused(awan):
    body = padded_put(LIMIT)
    assert len(body) == LIMIT
    resp = send(awan.port, ddb_request(body))
    assert resp.startswith(b"HTTP/1.1 400"), resp[:300]
    assert b"ResourceNotFoundException" in resp  # DynamoDB read the request and looked for the table

    # One byte more: answered from the headers (64 KiB of the body sent; the rest would never be read).
    over = ddb_request(padded_put(LIMIT + 1))
    resp = send(awan.port, over[:over.index(b"\r\n\r\n") + 4 + 65536])
    assert resp.startswith(b"HTTP/1.1 413"), resp[:300]
    assert b"RequestEntityTooLarge" in resp
    assert health_ms(awan.port) < 100


def test_header_blocks_and_request_lines_over_64_kib_get_431(awan):
    body = json.dumps({"TableName": "missing"}).encode()
    # Under the limit: DynamoDB answers.
    ok_line = b"POST /?" + b"p" * 16000 + b" HTTP/1.1\r\n"
    resp = send(awan.port, ok_line + ddb_request(body, target=b"DescribeTable").split(b"\r\n", 1)[1])
    assert b"ResourceNotFoundException" in resp, resp[:300]
    resp = send(awan.port, ddb_request(body, b"X-Pad: " + b"h" * 60000 + b"\r\n", b"DescribeTable"))
    assert b"ResourceNotFoundException" in resp, resp[:300]

    # Over it: 431 from the HTTP layer, connection closed.
    long_line = b"POST /?" + b"p" * 70000 + b" HTTP/1.1\r\n"
    resp = send(awan.port, long_line + ddb_request(body, target=b"DescribeTable").split(b"\r\n", 1)[1])
    assert resp.startswith(b"HTTP/1.1 431"), resp[:300]
    headers = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"h" * 1000) for i in range(120))
    resp = send(awan.port, ddb_request(body, headers, b"DescribeTable"))
    assert resp.startswith(b"HTTP/1.1 431"), resp[:300]
    assert b"connection: close" in resp.lower()
    assert health_ms(awan.port) < 100
