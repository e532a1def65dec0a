"""A function built with the AWS C++ runtime client (aws-lambda-cpp) runs unmodified on Awan as a
provided.al2023 `bootstrap`. The client's sources come from the npm package aws-lambda-ric (which
ships them; scripts/install-deps.sh fetches it into tests/integration/.deps); the test builds the
library and tests/integration/lambda_cpp/handler.cpp against it with CMake, then deploys and
invokes: the event and the invocation's request id, ARN and deadline reach the handler, its
answer comes back, its failure is the function's error with its type, and a warm environment
serves the next invocations."""
import json
import os
import shutil
import subprocess
import tarfile

import pytest

from conftest import AWAN_BIN, ROLE, zip_of

HERE = os.path.dirname(os.path.abspath(__file__))
RIC = os.path.join(HERE, ".deps", "aws-lambda-ric-4.0.2.tgz")
WORK = os.path.join(os.path.dirname(os.path.abspath(AWAN_BIN)), "aws-lambda-cpp")


def run(*cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    assert p.returncode == 0, f"{' '.join(cmd)} failed:\n{p.stdout}\n{p.stderr}"


@pytest.fixture(scope="module")
def bootstrap():
    """The handler's executable, built once (kept in the build directory between runs)."""
    assert os.path.exists(RIC), f"no {RIC}: run scripts/install-deps.sh"
    exe = os.path.join(WORK, "handler", "bootstrap")
    src = os.path.join(HERE, "lambda_cpp", "handler.cpp")
    if os.path.exists(exe) and os.path.getmtime(exe) > os.path.getmtime(src):
        return exe
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    with tarfile.open(RIC) as t:
        t.extract("package/deps/aws-lambda-cpp.tar.xz", WORK)
    sources = os.path.join(WORK, "aws-lambda-cpp")
    os.makedirs(sources)
    run("tar", "xJf", os.path.join(WORK, "package", "deps", "aws-lambda-cpp.tar.xz"), "-C", sources)
    prefix = os.path.join(WORK, "install")
    run("cmake", "-S", sources, "-B", os.path.join(WORK, "lib-build"), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
        "-DBUILD_SHARED_LIBS=OFF", f"-DCMAKE_INSTALL_PREFIX={prefix}")
    run("cmake", "--build", os.path.join(WORK, "lib-build"), "--target", "install")
    run("cmake", "-S", os.path.join(HERE, "lambda_cpp"), "-B", os.path.join(WORK, "handler"), "-G", "Ninja",
        "-DCMAKE_BUILD_TYPE=Release", f"-DCMAKE_PREFIX_PATH={prefix}")
    run("cmake", "--build", os.path.join(WORK, "handler"))
    return exe


def test_aws_lambda_cpp_handler_runs_unmodified(lam, bootstrap):
    with open(bootstrap, "rb") as f:
        code = zip_of({"bootstrap": f.read()})
    fn = lam.create_function(FunctionName="aws-cpp", Runtime="provided.al2023", Handler="unused.handler", Role=ROLE,
                             Code={"ZipFile": code}, Timeout=10)
    assert fn["Runtime"] == "provided.al2023"
    lam.get_waiter("function_active_v2").wait(FunctionName="aws-cpp")

    out = lam.invoke(FunctionName="aws-cpp", Payload=json.dumps({"store": "Berlin", "n": [1, 2]}).encode())
    assert out["StatusCode"] == 200 and "FunctionError" not in out
    answer = json.loads(out["Payload"].read())
    assert answer["event"] == {"store": "Berlin", "n": [1, 2]}
    assert answer["functionArn"] == fn["FunctionArn"]
    assert answer["requestId"] == out["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert 0 < answer["remainingMs"] <= 10000

    failed = lam.invoke(FunctionName="aws-cpp", Payload=b'{"action": "fail"}')
    assert failed["FunctionError"] == "Unhandled"
    error = json.loads(failed["Payload"].read())
    assert error["errorType"] == "HandlerAskedToFail" and error["errorMessage"] == "asked to fail"

    # The warm environment keeps serving, one request id each.
    ids = {json.loads(lam.invoke(FunctionName="aws-cpp", Payload=b"{}")["Payload"].read())["requestId"]
           for _ in range(5)}
    assert len(ids) == 5
