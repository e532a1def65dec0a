#!/usr/bin/env python3
"""Foundation benchmark: the bare Beast ceiling, GET /_awan/health and STS GetCallerIdentity,
measured in the same run with wrk over loopback; then start-up time (exec → first healthy
answer) and idle RSS.   Usage: bench/foundation.py [seconds-per-scenario]"""
import socket
import statistics
import subprocess
import sys
import time

import lib

duration = int(sys.argv[1]) if len(sys.argv) > 1 else 5
rows = []
bare = lib.start_bare()
try:
    ceiling = lib.wrk(bare.url + "/", duration=duration)
finally:
    bare.stop()
rows.append(("bare Beast server (ceiling)", ceiling))

awan = lib.start_awan()
try:
    rows.append(("GET /_awan/health", lib.wrk(awan.url + "/_awan/health", duration=duration)))
    sts = lib.lua_script("POST", "Action=GetCallerIdentity&Version=2011-06-15", {
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    rows.append(("sts GetCallerIdentity", lib.wrk(awan.url + "/", sts, duration=duration)))
finally:
    awan.stop()

lib.report(rows, ceiling["rps"])

# Start-up: exec to the first 200 from /_awan/health, on a fixed port, median of 15 runs.
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

times = []
for _ in range(15):
    port = free_port()
    t0 = time.monotonic()
    p = subprocess.Popen([lib.AWAN, "serve", "--port", str(port), "--log-level", "warn"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ok = lib.wait_healthy(f"http://127.0.0.1:{port}")
    times.append((time.monotonic() - t0) * 1000)
    p.terminate()
    p.wait()
    assert ok, "awan did not become healthy"
print(f"\nstart-up to first healthy answer: median {statistics.median(times):.1f} ms, "
      f"max {max(times):.1f} ms (15 runs)")

awan = lib.start_awan()
try:
    lib.wait_healthy(awan.url)
    time.sleep(0.5)
    print(f"idle RSS: {awan.rss_kb() / 1024:.1f} MiB")
finally:
    awan.stop()
