"""Hardening: per-service request limits decided at header time, large bodies decoded off the
I/O threads, descriptor exhaustion, connection caps and minimum transfer rates (docs/operations.md,
"Limits"). Every test is bounded in time and talks to the daemon over loopback only."""
import json
import os
import resource
import socket
import subprocess
import threading
import time
import urllib.request

from conftest import AWAN_BIN, Daemon

DDB_HEAD = (b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: DynamoDB_20120810.PutItem\r\n")


def health_ms(port, timeout=5):
    t0 = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_awan/health", timeout=timeout) as r:
        assert r.status == 200
        r.read()
    return (time.monotonic() - t0) * 1000


def read_response(s, timeout):
    """Reads until the peer closes or a whole header and Content-Length body arrived."""
    s.settimeout(timeout)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
            head, sep, body = out.partition(b"\r\n\r\n")
            if sep:
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:") and len(body) >= int(line.split(b":")[1]):
                        return out
    except (socket.timeout, ConnectionResetError):
        pass
    return out


def proc_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def start_with_nofile(limit, *extra):
    """A daemon whose soft and hard RLIMIT_NOFILE are `limit`."""
    def lower():
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    d = Daemon.__new__(Daemon)
    d.args = [AWAN_BIN, "serve", "--port", "0", "--log-level", "error", *extra]
    d.proc = subprocess.Popen(d.args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, preexec_fn=lower)
    line = d.proc.stdout.readline()
    assert "listening on" in line, line
    d.endpoint = line.strip().rsplit(" ", 1)[-1]
    d.port = int(d.endpoint.rsplit(":", 1)[-1])
    return d


def test_oversized_dynamodb_body_is_refused_from_its_headers(awan):
    # 250 MB declared, 64 KiB sent: the answer comes from the header, the body is never read.
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", awan.port), timeout=5) as s:
        s.sendall(DDB_HEAD + b"Content-Length: %d\r\n\r\n" % (250 * 1000 * 1000) + b"{" * 65536)
        resp = read_response(s, timeout=1.0)
        elapsed = time.monotonic() - t0
        assert resp.startswith(b"HTTP/1.1 413"), resp[:300]
        assert b"RequestEntityTooLarge" in resp
        assert elapsed < 1.0
        assert health_ms(awan.port) < 100


def test_health_answers_while_large_valid_bodies_are_decoded():
    d = Daemon("--threads", "2")
    try:
        # Two 15 MB PutItem requests (under DynamoDB's 16 MB), each decoded for a while.
        item = {"TableName": "t", "Item": {"k": {"S": "k"}, "v": {"L": [{"S": "x" * 8}] * 780_000}}}
        body = json.dumps(item).encode()
        assert 14_000_000 < len(body) < 16 * 1024 * 1024, len(body)
        request = DDB_HEAD + b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        answers = []

        def send():
            with socket.create_connection(("127.0.0.1", d.port), timeout=30) as s:
                s.sendall(request)
                answers.append(read_response(s, timeout=30))

        senders = [threading.Thread(target=send) for _ in range(2)]
        for t in senders:
            t.start()
        worst = 0.0
        deadline = time.monotonic() + 30
        while any(t.is_alive() for t in senders) and time.monotonic() < deadline:
            worst = max(worst, health_ms(d.port))
            time.sleep(0.01)
        for t in senders:
            t.join(timeout=30)
        assert len(answers) == 2 and all(a.startswith(b"HTTP/1.1 400") for a in answers), [a[:200] for a in answers]
        assert worst < 100, f"health took {worst:.0f} ms while large bodies were decoded"
    finally:
        d.stop()


def test_chunked_body_crossing_the_limit_is_refused_at_once(awan):
    # 17 MiB in chunks, without the final chunk: refused as soon as 16 MiB is crossed.
    chunk = b"x" * (1 << 20)
    with socket.create_connection(("127.0.0.1", awan.port), timeout=10) as s:
        s.sendall(DDB_HEAD + b"Transfer-Encoding: chunked\r\n\r\n")
        for _ in range(17):
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        resp = read_response(s, timeout=3)
    assert resp.startswith(b"HTTP/1.1 413"), resp[:300]
    assert b"RequestEntityTooLarge" in resp
    assert health_ms(awan.port) < 1000


def test_lambda_invoke_over_six_megabytes_is_refused(awan):
    with socket.create_connection(("127.0.0.1", awan.port), timeout=5) as s:
        s.sendall(b"POST /2015-03-31/functions/f/invocations HTTP/1.1\r\nHost: localhost\r\n"
                  b"Content-Length: %d\r\n\r\n" % (6 * 1024 * 1024 + 1))
        resp = read_response(s, timeout=2)
    assert resp.startswith(b"HTTP/1.1 413"), resp[:300]
    assert b"Request must be smaller than 6291456 bytes for the InvokeFunction operation" in resp


def test_idle_connections_at_the_descriptor_limit_do_not_spin():
    d = start_with_nofile(128)
    conns = []
    try:
        for _ in range(200):
            conns.append(socket.create_connection(("127.0.0.1", d.port), timeout=5))
        time.sleep(0.3)
        c0 = proc_cpu_seconds(d.proc.pid)
        time.sleep(2)
        used = proc_cpu_seconds(d.proc.pid) - c0
        assert used < 0.2, f"the daemon used {used:.2f} s of CPU in 2 s with 200 idle connections"
        for c in conns:
            c.close()
        conns = []
        deadline = time.monotonic() + 5
        while True:
            try:
                assert health_ms(d.port, timeout=1) < 1000
                break
            except OSError:
                assert time.monotonic() < deadline, "health did not answer after the connections closed"
    finally:
        for c in conns:
            c.close()
        d.stop()


def test_connection_cap_holds_new_connections_until_one_closes():
    d = Daemon("--max-connections", "4")
    try:
        idle = [socket.create_connection(("127.0.0.1", d.port), timeout=5) for _ in range(4)]
        time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", d.port), timeout=5) as s:
            s.sendall(b"GET /_awan/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert read_response(s, timeout=0.5) == b""  # waiting in the backlog
            idle.pop().close()
            assert read_response(s, timeout=3).startswith(b"HTTP/1.1 200")
        for c in idle:
            c.close()
    finally:
        d.stop()


def test_body_at_one_byte_per_second_is_dropped():
    d = Daemon()  # defaults: 1024 bytes/s after 5 s
    try:
        with socket.create_connection(("127.0.0.1", d.port), timeout=5) as s:
            s.sendall(DDB_HEAD + b"Content-Length: 1000\r\n\r\n")
            t0 = time.monotonic()
            dropped = None
            while time.monotonic() - t0 < 20:
                try:
                    s.sendall(b"{")
                    s.settimeout(1)
                    if s.recv(1) == b"":
                        dropped = time.monotonic() - t0
                        break
                except socket.timeout:
                    continue
                except OSError:
                    dropped = time.monotonic() - t0
                    break
        assert dropped is not None and dropped < 10, dropped
        assert health_ms(d.port) < 1000
    finally:
        d.stop()


def test_header_trickled_byte_by_byte_is_dropped():
    d = Daemon("--header-timeout", "2")
    try:
        head = b"GET /_awan/health HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + b"p" * 100
        with socket.create_connection(("127.0.0.1", d.port), timeout=5) as s:
            t0 = time.monotonic()
            dropped = None
            for i in range(len(head)):
                try:
                    s.sendall(head[i:i + 1])
                    s.settimeout(0.2)
                    if s.recv(1) == b"":
                        dropped = time.monotonic() - t0
                        break
                except socket.timeout:
                    continue
                except OSError:
                    dropped = time.monotonic() - t0
                    break
        assert dropped is not None and dropped < 4, dropped
    finally:
        d.stop()
