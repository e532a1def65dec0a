"""SQS benchmark: send, receive and delete throughput (batches of 10 and single messages) over
the JSON protocol with wrk, producer and consumer together end to end, and the wake-up latency
of a waiting long poll, beside the bare Beast ceiling measured in the same run.
Goal (issue 10): >= 25k messages/s end to end with batches; long-poll wake-up p99 < 5 ms.
  python3 bench/sqs.py [duration_s] [connections]"""
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

duration = int(sys.argv[1]) if len(sys.argv) > 1 else 5
connections = int(sys.argv[2]) if len(sys.argv) > 2 else 16
AUTH = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0"


def call(port, target, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/", json.dumps(body), {"Content-Type": "application/x-amz-json-1.0",
                                             "X-Amz-Target": "AmazonSQS." + target, "Authorization": AUTH})
    r = c.getresponse()
    out = json.loads(r.read() or b"{}")
    c.close()
    return out


def script(text):
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write(text)
    f.close()
    return f.name


def headers_lua(target):
    return (f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/x-amz-json-1.0"\n'
            f'wrk.headers["X-Amz-Target"] = "AmazonSQS.{target}"\nwrk.headers["Authorization"] = "{AUTH}"\n')


def send_lua(url, batch):
    if batch:
        body = {"QueueUrl": url, "Entries": [{"Id": f"m{i}", "MessageBody": "x" * 100} for i in range(10)]}
        target = "SendMessageBatch"
    else:
        body = {"QueueUrl": url, "MessageBody": "x" * 100}
        target = "SendMessage"
    return script(headers_lua(target) + "wrk.body = [[" + json.dumps(body) + "]]\n")


# Receive up to 10, then delete what came (in one batch, or one by one); the thread keeps the
# handles it was given. Counts received messages in a per-thread total printed at the end.
CONSUME = r'''
local url = "%s"
local batch = %s
local handles = {}
local received = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
local function hdr(target)
  return { ["Content-Type"] = "application/x-amz-json-1.0", ["X-Amz-Target"] = "AmazonSQS." .. target,
           ["Authorization"] = "%s" }
end
request = function()
  if #handles > 0 then
    if batch then
      local entries = {}
      for i = 1, math.min(10, #handles) do
        table.insert(entries, string.format('{"Id":"d%%d","ReceiptHandle":"%%s"}', i, table.remove(handles)))
      end
      return wrk.format("POST", "/", hdr("DeleteMessageBatch"),
        '{"QueueUrl":"' .. url .. '","Entries":[' .. table.concat(entries, ",") .. ']}')
    end
    local h = table.remove(handles)
    return wrk.format("POST", "/", hdr("DeleteMessage"), '{"QueueUrl":"' .. url .. '","ReceiptHandle":"' .. h .. '"}')
  end
  return wrk.format("POST", "/", hdr("ReceiveMessage"),
    '{"QueueUrl":"' .. url .. '","MaxNumberOfMessages":' .. (batch and 10 or 1) .. '}')
end
response = function(status, headers, body)
  for h in string.gmatch(body, '"ReceiptHandle":"([^"]+)"') do
    table.insert(handles, h)
    received = received + 1
  end
end
done = function(summary, latency, requests)
end
'''


def wrk_raw(url, lua_path, seconds, conns):
    # wrk's Lua state is per thread: one thread, so that handles go back on any connection.
    args = ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", "-s", lua_path, url]
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True)


def parse(out):
    import re
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = lib._ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = lib._ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "non2xx": int(errors.group(1)) if errors else 0}


def depth(port, url):
    a = call(port, "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages",
                                                                             "ApproximateNumberOfMessagesNotVisible"]})
    return int(a["Attributes"]["ApproximateNumberOfMessages"]), int(a["Attributes"]["ApproximateNumberOfMessagesNotVisible"])


def long_poll_wakeups(port, n=300):
    url = call(port, "CreateQueue", {"QueueName": "bench-poll"})["QueueUrl"]
    lat = []
    for _ in range(n):
        got = {}

        def wait():
            got["r"] = call(port, "ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": 5})
            got["t"] = time.perf_counter()

        t = threading.Thread(target=wait)
        t.start()
        time.sleep(0.003)  # the receive is waiting
        t0 = time.perf_counter()
        call(port, "SendMessage", {"QueueUrl": url, "MessageBody": "wake"})
        t.join()
        lat.append((got["t"] - t0) * 1000)
        call(port, "DeleteMessage", {"QueueUrl": url, "ReceiptHandle": got["r"]["Messages"][0]["ReceiptHandle"]})
    lat.sort()
    return statistics.median(lat), lat[int(len(lat) * 0.99) - 1]


def end_to_end(port, url_base, name):
    """A producer (batches) and a consumer at once on one queue: (rows, sent/s, consumed/s, left)."""
    url = call(port, "CreateQueue", {"QueueName": name})["QueueUrl"]
    # The consumer makes two requests (receive, delete) for each the producer makes: it gets
    # three times the connections, so that the queue's depth stays level.
    prod = wrk_raw(url_base + "/", send_lua(url, True), duration, max(1, connections // 4))
    cons = wrk_raw(url_base + "/", script(CONSUME % (url, "true", AUTH)), duration,
                   connections - max(1, connections // 4))
    t0 = time.monotonic()
    p_out, c_out = prod.communicate()[0], cons.communicate()[0]
    elapsed = time.monotonic() - t0
    left, inflight = depth(port, url)
    p, c = parse(p_out), parse(c_out)
    sent = p["rps"] * duration * 10
    return p, c, sent / elapsed, (sent - left - inflight) / elapsed, left + inflight


bare = lib.start_bare()
ceiling = lib.wrk(bare.url + "/", duration=duration, connections=connections)
bare.stop()
awan = lib.start_awan()
port = awan.port
rows = [("bare Beast server (ceiling)", ceiling)]
msgs = []
for batch in (True, False):
    label = "batch of 10" if batch else "single"
    url = call(port, "CreateQueue", {"QueueName": f"bench-{'b' if batch else 's'}"})["QueueUrl"]
    send = parse(wrk_raw(awan.url + "/", send_lua(url, batch), duration, connections).communicate()[0])
    rows.append((f"SendMessage{'Batch' if batch else ''} ({label})", send))
    queued, _ = depth(port, url)
    t0 = time.monotonic()
    consume = parse(wrk_raw(awan.url + "/", script(CONSUME % (url, "true" if batch else "false", AUTH)),
                            duration, connections).communicate()[0])
    left, inflight = depth(port, url)
    rows.append((f"Receive+Delete ({label})", consume))
    msgs.append((label, "send", queued / duration))
    msgs.append((label, "receive+delete", (queued - left - inflight) / (time.monotonic() - t0)))

# End to end on a fresh daemon, then again after the phases above (their queues still hold
# the messages the consumers did not reach: hundreds of thousands).
fresh = lib.start_awan()
fp, fc, fresh_sent, fresh_consumed, fresh_left = end_to_end(fresh.port, fresh.url, "bench-e2e")
fresh.stop()
rows.append(("e2e producer (fresh daemon)", fp))
rows.append(("e2e consumer (fresh daemon)", fc))
p, c, sent_rate, consumed_rate, left = end_to_end(port, awan.url, "bench-e2e")
rows.append(("e2e producer (after the phases)", p))
rows.append(("e2e consumer (after the phases)", c))
wake_p50, wake_p99 = long_poll_wakeups(port)
rss = awan.rss_kb()
awan.stop()

print(f"wrk -t1 -c{connections} -d{duration}s over loopback, JSON protocol, 100-byte bodies")
lib.report(rows, ceiling["rps"])
print()
for label, what, rate in msgs:
    print(f"{label:<12} {what:<16} {rate:>10.0f} messages/s")
print(f"end to end, fresh daemon: {fresh_sent:.0f} messages/s sent, {fresh_consumed:.0f} received and deleted "
      f"({fresh_left} left at the end)")
print(f"end to end, after the phases: {sent_rate:.0f} messages/s sent, {consumed_rate:.0f} received and deleted "
      f"({left} left at the end)")
print(f"long-poll wake-up (send issued -> waiting receive answered): p50 {wake_p50:.2f} ms, p99 {wake_p99:.2f} ms")
print(f"RSS after the run: {rss / 1024:.1f} MiB")
