"""Step Functions benchmark: executions/s of a 5-state Pass workflow and of a 3-task Lambda
workflow (in-process "awan:" handlers), counted from the first StartExecution until the last
execution ended (wrk drives StartExecution); StartSyncExecution round trips of an EXPRESS
5-state workflow (p50/p99); state-transition latency from a 100-state Pass chain.
  python3 bench/stepfunctions.py [duration_s] [connections]"""
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
AUTH = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/states/aws4_request, SignedHeaders=host, Signature=0"
ROLE = "arn:aws:iam::000000000000:role/sfn"


def headers(target, service="AWSStepFunctions", ctype="application/x-amz-json-1.0", auth=AUTH):
    return {"Content-Type": ctype, "X-Amz-Target": f"{service}.{target}", "Authorization": auth}


def call(port, target, body, **kw):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("POST", "/", json.dumps(body), headers(target, **kw))
    out = json.loads(c.getresponse().read() or b"{}")
    c.close()
    return out


def chain(n, state):
    states = {}
    for i in range(n):
        s = dict(state(i))
        if i + 1 < n:
            s["Next"] = f"S{i + 1}"
        else:
            s["End"] = True
        states[f"S{i}"] = s
    return {"StartAt": "S0", "States": states}


def running(port, sm):
    r = call(port, "ListExecutions", {"stateMachineArn": sm, "statusFilter": "RUNNING", "maxResults": 1})
    return len(r.get("executions", []))


def count(port, sm, status):
    n, token = 0, None
    while True:
        body = {"stateMachineArn": sm, "statusFilter": status, "maxResults": 1000}
        if token:
            body["nextToken"] = token
        r = call(port, "ListExecutions", body)
        n += len(r["executions"])
        token = r.get("nextToken")
        if not token:
            return n


def executions_per_second(port, name, definition):
    print(f"... {name}", file=sys.stderr, flush=True)
    sm = call(port, "CreateStateMachine", {"name": name, "definition": json.dumps(definition), "roleArn": ROLE})["stateMachineArn"]
    script = lib.lua_script("POST", json.dumps({"stateMachineArn": sm, "input": "{\"v\":1}"}), headers("StartExecution"))
    t0 = time.monotonic()
    r = lib.wrk(f"http://127.0.0.1:{port}/", script, duration=duration, connections=connections)
    while running(port, sm):
        time.sleep(0.1)
    elapsed = time.monotonic() - t0
    done = count(port, sm, "SUCCEEDED")
    failed = count(port, sm, "FAILED")
    return r, done, failed, elapsed


awan = lib.start_awan()
port = awan.port
rows = []
results = []

pass5 = chain(5, lambda i: {"Type": "Pass", "Parameters": {"i": i, "v.$": "$.v"}})
r, done, failed, elapsed = executions_per_second(port, "pass5", pass5)
rows.append(("StartExecution (5 Pass)", r))
results.append(("5-state Pass workflow", done, failed, elapsed))

trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"}}]})
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
c.request("POST", "/", urllib.parse.urlencode({"Action": "CreateRole", "Version": "2010-05-08", "RoleName": "lambda",
                                               "AssumeRolePolicyDocument": trust}),
          {"Content-Type": "application/x-www-form-urlencoded", "Authorization": AUTH.replace("/states/", "/iam/")})
c.getresponse().read()
fn = {"FunctionName": "bench-fn", "Runtime": "provided.al2023", "Handler": "awan:Check-Stock",
      "Role": "arn:aws:iam::000000000000:role/lambda", "Code": {"ZipFile": "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}
c.request("POST", "/2015-03-31/functions", json.dumps(fn),
          {"Content-Type": "application/json", "Authorization": AUTH.replace("/states/", "/lambda/")})
fn_arn = json.loads(c.getresponse().read()).get("FunctionArn", "arn:aws:lambda:us-east-1:000000000000:function:bench-fn")
c.close()
task3 = chain(3, lambda i: {"Type": "Task", "Resource": fn_arn, "ResultPath": f"$.r{i}"})
r, done, failed, elapsed = executions_per_second(port, "task3", task3)
rows.append(("StartExecution (3 Lambda tasks)", r))
results.append(("3-task Lambda workflow", done, failed, elapsed))

express = call(port, "CreateStateMachine", {"name": "express5", "definition": json.dumps(pass5), "roleArn": ROLE,
                                            "type": "EXPRESS"})["stateMachineArn"]
script = lib.lua_script("POST", json.dumps({"stateMachineArn": express, "input": "{\"v\":1}"}), headers("StartSyncExecution"))
rows.append(("StartSyncExecution (EXPRESS 5 Pass)", lib.wrk(f"http://127.0.0.1:{port}/", script, duration=duration,
                                                            connections=connections)))

long_chain = call(port, "CreateStateMachine", {"name": "chain100", "roleArn": ROLE,
                                               "definition": json.dumps(chain(100, lambda i: {"Type": "Pass"}))})["stateMachineArn"]
per_transition = []
for _ in range(5):
    arn = call(port, "StartExecution", {"stateMachineArn": long_chain, "input": "{}"})["executionArn"]
    while True:
        d = call(port, "DescribeExecution", {"executionArn": arn})
        if d["status"] != "RUNNING":
            break
        time.sleep(0.002)
    per_transition.append((d["stopDate"] - d["startDate"]) * 1000 / 100)
awan.stop()

lib.report(rows, 0)
print()
print(f"{'workflow':<34}{'succeeded':>10}{'failed':>8}{'seconds':>9}{'exec/s':>10}")
for label, n, f, s in results:
    print(f"{label:<34}{n:>10}{f:>8}{s:>9.2f}{n / s:>10.0f}")
per_transition.sort()
print(f"\nstate transition latency (100-state Pass chain, idle daemon): median {per_transition[2]:.3f} ms")
