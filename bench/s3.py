#!/usr/bin/env python3
"""S3 benchmark: GetObject and PutObject of 1 KiB over loopback with wrk, beside the bare Beast
ceiling measured in the same run and beside s3rver when it is installed (S3RVER=/path/to/.bin/s3rver,
or bench/node_modules/.bin/s3rver); then 1 GiB PUT and GET throughput from a raw socket, a 1 GiB
multipart upload with its parts sent concurrently over a few kept-alive connections (as aws s3 cp,
lib-storage's Upload and boto3's upload_file do) and its GET (the object is its parts' files), and
the daemon's peak RSS during a large upload (5 GiB by default). The CPU model and MD5's speed on
one core (the per-stream bound of a PUT: the ETag is an MD5) are printed with the figures.

Usage: AWAN_BUILD=build/<release-dir> bench/s3.py [seconds-per-scenario] [connections] [large-GiB]
(LARGE_ONLY=1: the large objects alone, without the wrk rows.)"""
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import lib

duration = int(sys.argv[1]) if len(sys.argv) > 1 else 5
connections = int(sys.argv[2]) if len(sys.argv) > 2 else 16
large_gib = float(sys.argv[3]) if len(sys.argv) > 3 else 5
HERE = os.path.dirname(os.path.abspath(__file__))
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0")
HEADERS = {"Authorization": AUTH, "X-Amz-Date": "20260101T000000Z", "x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
KIB = b"k" * 1024


def request(port, method, path, body=b"", signed=True):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request(method, path, body, {**(HEADERS if signed else {}), "Host": f"localhost:{port}"})
    r = c.getresponse()
    data = r.read()
    if r.status >= 300:
        raise RuntimeError(f"{method} {path}: {r.status} {data[:300]}")
    return data


def setup(port, signed):
    request(port, "PUT", "/bench", signed=signed)
    request(port, "PUT", "/bench/obj1k", KIB, signed=signed)
    assert request(port, "GET", "/bench/obj1k", signed=signed) == KIB


def lua(method, body=None, signed=True):
    return lib.lua_script(method, body, {**(HEADERS if signed else {}), "Host": "localhost"})


def kib_rows(server, label, signed=True):
    # s3rver checks the request time of signed requests: it gets anonymous ones (it allows them).
    setup(server.port, signed)
    get = lib.wrk(server.url + "/bench/obj1k", lua("GET", signed=signed), duration=duration, connections=connections)
    put = lib.wrk(server.url + "/bench/put1k", lua("PUT", "k" * 1024, signed=signed), duration=duration,
                  connections=connections)
    return [(f"{label} GetObject 1 KiB", get), (f"{label} PutObject 1 KiB", put)]


def stream_put(port, path, size, chunk=4 << 20):
    """PUT `size` bytes from a raw socket; returns (seconds, response head)."""
    buf = os.urandom(chunk)
    s = socket.create_connection(("127.0.0.1", port))
    head = (f"PUT {path} HTTP/1.1\r\nHost: localhost:{port}\r\nContent-Length: {size}\r\n"
            f"Authorization: {AUTH}\r\nX-Amz-Date: 20260101T000000Z\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n")
    t0 = time.monotonic()
    s.sendall(head.encode())
    left = size
    while left > 0:
        n = min(left, len(buf))
        s.sendall(buf[:n] if n < len(buf) else buf)
        left -= n
    resp = b""
    while b"\r\n\r\n" not in resp:
        resp += s.recv(65536)
    t = time.monotonic() - t0
    s.close()
    return t, resp.split(b"\r\n", 1)[0].decode()


def read_response(s):
    """One whole response on a kept-alive socket: (status line, headers dict, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = s.recv(65536)
        if not more:
            raise RuntimeError("connection closed")
        data += more
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        body += s.recv(65536)
    return lines[0], headers, body


def send_put(s, port, path, size, buf):
    s.sendall((f"PUT {path} HTTP/1.1\r\nHost: localhost:{port}\r\nContent-Length: {size}\r\n"
               f"Authorization: {AUTH}\r\nX-Amz-Date: 20260101T000000Z\r\n"
               f"x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n").encode())
    view = memoryview(buf)
    left = size
    while left > 0:
        n = min(left, len(buf))
        s.sendall(view[:n])
        left -= n
    status, headers, body = read_response(s)
    if not status.startswith("HTTP/1.1 200"):
        raise RuntimeError(f"PUT {path}: {status} {body[:300]}")
    return headers


def multipart_put(port, key, size, part_size, conns):
    """A multipart upload of `size` bytes, `conns` connections sending parts concurrently;
    returns (seconds from CreateMultipartUpload to the CompleteMultipartUpload answer, seconds of
    CompleteMultipartUpload alone)."""
    buf = os.urandom(part_size)
    t0 = time.monotonic()
    created = request(port, "POST", f"/bench/{key}?uploads")
    upload = re.search(rb"<UploadId>([^<]+)</UploadId>", created).group(1).decode()
    count = (size + part_size - 1) // part_size
    etags = [None] * count
    next_part = [0]
    lock = threading.Lock()
    errors = []

    def worker():
        s = socket.create_connection(("127.0.0.1", port))
        try:
            while True:
                with lock:
                    i = next_part[0]
                    next_part[0] += 1
                if i >= count:
                    return
                n = min(part_size, size - i * part_size)
                h = send_put(s, port, f"/bench/{key}?partNumber={i + 1}&uploadId={upload}", n, buf)
                etags[i] = h["etag"]
        except Exception as e:  # reported after the join
            errors.append(e)
        finally:
            s.close()

    threads = [threading.Thread(target=worker) for _ in range(conns)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
    xml = "<CompleteMultipartUpload>" + "".join(
        f"<Part><PartNumber>{i + 1}</PartNumber><ETag>{e}</ETag></Part>" for i, e in enumerate(etags)) + \
        "</CompleteMultipartUpload>"
    t1 = time.monotonic()
    done = request(port, "POST", f"/bench/{key}?uploadId={upload}", xml.encode())
    if b"<ETag>" not in done:
        raise RuntimeError(f"CompleteMultipartUpload: {done[:300]}")
    t2 = time.monotonic()
    return t2 - t0, t2 - t1


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
    except OSError:
        return "unknown CPU"
    models = re.findall(r"^model name\s*:\s*(.*)$", text, re.M)
    return f"{models[0] if models else 'unknown CPU'} x {len(models) or os.cpu_count()}"


def stream_get(port, path):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nAuthorization: {AUTH}\r\n"
              f"X-Amz-Date: 20260101T000000Z\r\nConnection: close\r\n\r\n".encode())
    t0 = time.monotonic()
    got = 0
    buf = bytearray(8 << 20)
    view = memoryview(buf)
    while True:
        n = s.recv_into(view)
        if n == 0:
            break
        got += n
    t = time.monotonic() - t0
    s.close()
    return t, got


def peak_rss_during(server, fn):
    peak = [0]
    done = threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], server.rss_kb())
            time.sleep(0.05)

    th = threading.Thread(target=watch)
    th.start()
    try:
        out = fn()
    finally:
        done.set()
        th.join()
    return out, peak[0]


def find_s3rver():
    for c in (os.environ.get("S3RVER"), os.path.join(HERE, "node_modules", ".bin", "s3rver"), shutil.which("s3rver")):
        if c and os.path.exists(c):
            return c
    return None


class S3rver:
    def __init__(self, binary):
        self.dir = tempfile.mkdtemp()
        self.port = 4590
        self.p = subprocess.Popen([binary, "-d", self.dir, "-p", str(self.port), "--silent"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port)).close()
                return
            except OSError:
                time.sleep(0.1)

    def stop(self):
        self.p.terminate()
        self.p.wait(timeout=5)
        shutil.rmtree(self.dir, ignore_errors=True)


awan = lib.start_awan()
if not os.environ.get("LARGE_ONLY"):
    rows = []
    bare = lib.start_bare()
    ceiling = lib.wrk(bare.url + "/", duration=duration, connections=connections)
    bare.stop()
    rows.append(("bare Beast server (ceiling)", ceiling))
    rows += kib_rows(awan, "awan")
    peer = find_s3rver()
    if peer:
        s = S3rver(peer)
        try:
            rows += kib_rows(s, "s3rver", signed=False)
        finally:
            s.stop()
    print(f"wrk -t1 -c{connections} -d{duration}s over loopback")
    lib.report(rows, ceiling["rps"])
    if not peer:
        print("(s3rver not installed: npm install --prefix bench s3rver)")
else:
    setup(awan.port, True)

GIB = 1 << 30
MIB = 1 << 20
def md5_speed():
    import hashlib
    buf = os.urandom(64 * MIB)
    t0 = time.monotonic()
    hashlib.md5(buf).digest()
    return len(buf) / (time.monotonic() - t0) / 1e9


print(f"\nCPU: {cpu_model()}; load average {os.getloadavg()[0]:.2f} before the large objects; "
      f"MD5 on one core {md5_speed():.2f} GB/s")
t, status = stream_put(awan.port, "/bench/gib", GIB)
print(f"PUT 1 GiB: {GIB / t / 1e9:.2f} GB/s ({t:.2f} s, {status})")
t, got = stream_get(awan.port, "/bench/gib")
print(f"GET 1 GiB: {got / t / 1e9:.2f} GB/s ({t:.2f} s, {got} bytes with the header)")
for part_mib, conns in ((8, 2), (8, 4), (16, 4)):
    t, tc = multipart_put(awan.port, f"mp-{part_mib}-{conns}", GIB, part_mib * MIB, conns)
    print(f"PUT 1 GiB multipart, {part_mib} MiB parts over {conns} connections: {GIB / t / 1e9:.2f} GB/s "
          f"({t:.2f} s; the parts {GIB / (t - tc) / 1e9:.2f} GB/s, CompleteMultipartUpload {tc:.2f} s)")
    t, got = stream_get(awan.port, f"/bench/mp-{part_mib}-{conns}")
    print(f"GET 1 GiB multipart ({GIB // (part_mib * MIB)} part files): {got / t / 1e9:.2f} GB/s ({t:.2f} s)")
size = int(large_gib * GIB)
(t, status), peak = peak_rss_during(awan, lambda: stream_put(awan.port, "/bench/large", size))
print(f"PUT {large_gib:g} GiB: {size / t / 1e9:.2f} GB/s, peak RSS {peak / 1024:.1f} MiB ({status})")
(t, got), peak = peak_rss_during(awan, lambda: stream_get(awan.port, "/bench/large"))
print(f"GET {large_gib:g} GiB: {got / t / 1e9:.2f} GB/s, peak RSS {peak / 1024:.1f} MiB")
awan.stop()
