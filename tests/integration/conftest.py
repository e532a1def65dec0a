"""Integration harness: one `awan serve --port 0` per test session, state reset before every
test, and the three real clients (aws-cli, boto3, the AWS SDK for JavaScript v3)."""
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AWAN_BIN = os.environ.get("AWAN_BIN", os.path.join(ROOT, "build", "release", "awan"))
JS_DIR = os.path.join(ROOT, "tests", "integration", "js")
# aws-cli v2 from Debian (the image may also have a pip aws-cli v1 earlier on PATH).
AWS_CLI = "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else shutil.which("aws")


class Daemon:
    """A running awan process."""

    def __init__(self, *extra_args, env=None):
        self.args = [AWAN_BIN, "serve", "--port", "0", "--log-level", "warn", *extra_args]
        e = dict(os.environ)
        e.update(env or {})
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, text=True)
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            raise RuntimeError(f"awan did not start: {line!r} {err}")
        self.endpoint = line.strip().rsplit(" ", 1)[-1]
        self.port = int(self.endpoint.rsplit(":", 1)[-1])
        # With --tls-port, a second line: "Awan <version> HTTPS on https://ADDRESS:PORT".
        self.tls_endpoint, self.tls_port = None, None
        if "--tls-port" in self.args:
            line = self.proc.stdout.readline()
            if "HTTPS on https://" not in line:
                raise RuntimeError(f"awan did not announce HTTPS: {line!r}")
            self.tls_endpoint = line.strip().rsplit(" ", 1)[-1]
            self.tls_port = int(self.tls_endpoint.rsplit(":", 1)[-1])

    INTERNAL = ("/_awan/", "/_localstack/", "/moto-api/")

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        # Internal endpoints take state-changing requests only as JSON POSTs (a web page cannot
        # send those cross-site); say so unless the test chose a Content-Type itself.
        if method == "POST" and path.startswith(self.INTERNAL) and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.endpoint + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def reset(self):
        status, _, _ = self.request("POST", "/_awan/reset", headers={"Content-Type": "application/json"})
        assert status == 200

    def stop(self, sig=signal.SIGTERM, timeout=5):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill9(self):
        self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="session")
def awan():
    d = Daemon()
    yield d
    d.stop()


@pytest.fixture(autouse=True)
def _reset(request):
    if "awan" in request.fixturenames:
        request.getfixturevalue("awan").reset()


CLIENT_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_PAGER": "",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}


class AwsCliError(Exception):
    def __init__(self, returncode, stderr):
        super().__init__(stderr)
        self.returncode = returncode
        self.stderr = stderr


def run_aws_cli(endpoint, *args, env=None):
    e = dict(os.environ)
    e.update(CLIENT_ENV)
    e.update(env or {})
    cmd = [AWS_CLI, "--endpoint-url", endpoint, "--output", "json", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=60)
    if p.returncode != 0:
        raise AwsCliError(p.returncode, p.stderr)
    return json.loads(p.stdout) if p.stdout.strip() else {}


@pytest.fixture
def aws(awan):
    """aws-cli v2: aws("sts", "get-caller-identity") → parsed JSON; raises AwsCliError."""
    return lambda *args, **kw: run_aws_cli(awan.endpoint, *args, **kw)


def make_boto3(endpoint, service, key="test", secret="test", token=None, region="us-east-1"):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture
def boto(awan):
    """boto("iam") → a boto3 client against the daemon."""
    return lambda service, **kw: make_boto3(awan.endpoint, service, **kw)


def run_js(endpoint, script, *args, env=None):
    """Runs tests/integration/js/<script> with node; returns (returncode, stdout, stderr)."""
    e = dict(os.environ)
    e.update(CLIENT_ENV)
    e["AWAN_ENDPOINT"] = endpoint
    e.update(env or {})
    p = subprocess.run(["node", os.path.join(JS_DIR, script), *args], capture_output=True, text=True, env=e,
                       timeout=120, cwd=JS_DIR)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def js(awan):
    def run(script, *args, **kw):
        rc, out, err = run_js(awan.endpoint, script, *args, **kw)
        assert rc == 0, f"{script} failed ({rc}):\n{out}\n{err}"
        return out
    return run


# The IAM role Lambda functions in the tests run as, and its trust policy.
ROLE = "arn:aws:iam::000000000000:role/lambda-role"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
LAMBDA_ROLE = ROLE


def ensure_lambda_role(iam):
    """Creates the role functions run as, unless it exists."""
    try:
        iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument=TRUST)
    except iam.exceptions.EntityAlreadyExistsException:
        pass


@pytest.fixture
def lam(boto):
    """A boto3 Lambda client, with the functions' role in place."""
    ensure_lambda_role(boto("iam"))
    return boto("lambda")


def zip_of(files):
    """A Lambda deployment package from {name: text}; a `bootstrap` is executable."""
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o755 if name == "bootstrap" else 0o644) << 16
            z.writestr(info, text)
    return buf.getvalue()
