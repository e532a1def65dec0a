"""SNS benchmark: Publish throughput (wrk, awsQuery form posts) to a topic without subscribers,
and publish → SQS fan-out to 1 and 10 queues (raw and enveloped, i.e. signed), counting the
messages that reached the queues until the last one landed; beside the bare Beast ceiling
measured in the same run.
  python3 bench/sns.py [duration_s] [connections]"""
import http.client
import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

duration = int(sys.argv[1]) if len(sys.argv) > 1 else 5
connections = int(sys.argv[2]) if len(sys.argv) > 2 else 16
SNS_AUTH = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=0"
SQS_AUTH = SNS_AUTH.replace("/sns/", "/sqs/")
FORM = "application/x-www-form-urlencoded"


def sns(port, **params):
    body = urllib.parse.urlencode({"Version": "2010-03-31", **params})
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/", body, {"Content-Type": FORM, "Authorization": SNS_AUTH})
    out = c.getresponse().read().decode()
    c.close()
    return out


def sqs(port, target, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/", json.dumps(body), {"Content-Type": "application/x-amz-json-1.0",
                                             "X-Amz-Target": "AmazonSQS." + target, "Authorization": SQS_AUTH})
    out = json.loads(c.getresponse().read() or b"{}")
    c.close()
    return out


def between(text, tag):
    return text.split(f"<{tag}>", 1)[1].split(f"</{tag}>", 1)[0]


def publish_lua(topic):
    body = urllib.parse.urlencode({"Action": "Publish", "Version": "2010-03-31", "TopicArn": topic,
                                   "Message": "x" * 100})
    return lib.lua_script("POST", body, {"Content-Type": FORM, "Authorization": SNS_AUTH})


def queued(port, urls):
    total = 0
    for u in urls:
        a = sqs(port, "GetQueueAttributes", {"QueueUrl": u, "AttributeNames": ["ApproximateNumberOfMessages"]})
        total += int(a["Attributes"]["ApproximateNumberOfMessages"])
    return total


def fan_out(port, name, subscribers, raw):
    topic = between(sns(port, Action="CreateTopic", Name=name), "TopicArn")
    urls = []
    for i in range(subscribers):
        url = sqs(port, "CreateQueue", {"QueueName": f"{name}-{i}"})["QueueUrl"]
        urls.append(url)
        arn = f"arn:aws:sqs:us-east-1:000000000000:{name}-{i}"
        params = {"Action": "Subscribe", "TopicArn": topic, "Protocol": "sqs", "Endpoint": arn}
        if raw:
            params.update({"Attributes.entry.1.key": "RawMessageDelivery", "Attributes.entry.1.value": "true"})
        sns(port, **params)
    t0 = time.monotonic()
    r = lib.wrk(f"http://127.0.0.1:{port}/", publish_lua(topic), duration=duration, connections=connections)
    published = int(r["rps"] * duration)
    expected = published * subscribers
    last, stable_since = -1, time.monotonic()
    while True:
        n = queued(port, urls)
        if n >= expected * 0.999 or (n == last and time.monotonic() - stable_since > 2):
            break
        if n != last:
            last, stable_since = n, time.monotonic()
        time.sleep(0.05)
    elapsed = time.monotonic() - t0
    return r, n, elapsed


bare = lib.start_bare()
ceiling = lib.wrk(bare.url + "/", duration=duration, connections=connections)
bare.stop()

rows = []
awan = lib.start_awan()
topic = between(sns(awan.port, Action="CreateTopic", Name="empty"), "TopicArn")
rows.append(("Publish (no subscribers)", lib.wrk(awan.url + "/", publish_lua(topic), duration=duration,
                                                 connections=connections)))
awan.stop()
deliveries = []
for subscribers, raw in [(1, True), (1, False), (10, True), (10, False)]:
    awan = lib.start_awan()
    label = f"Publish → {subscribers} queue{'s' if subscribers > 1 else ''} ({'raw' if raw else 'enveloped'})"
    print(f"... {label}", file=sys.stderr, flush=True)
    r, delivered, elapsed = fan_out(awan.port, f"fan{subscribers}{'r' if raw else 'e'}", subscribers, raw)
    rows.append((label, r))
    deliveries.append((label, delivered, elapsed))
    awan.stop()

print(f"bare Beast ceiling: {ceiling['rps']:.0f} req/s")
lib.report(rows, ceiling["rps"])
print()
print(f"{'fan-out':<34}{'delivered':>10}{'seconds':>9}{'msg/s':>10}")
for label, n, s in deliveries:
    print(f"{label:<34}{n:>10}{s:>9.1f}{n / s:>10.0f}")
