// Execution environments end to end: real runtime processes (a bash+curl bootstrap, python3,
// node) speaking the Runtime API to their environment's listener.
#include "lambda/execution_environment.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <future>
#include <regex>

#include "lambda/runtimes.hpp"
#include "lambda_fixture.hpp"

namespace awan::lambda {
namespace {

using namespace testing;

// A custom runtime in bash: echoes each event back inside {"echo": ...}.
const char* const kEchoBootstrap = R"(#!/bin/bash
set -euo pipefail
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS=$(mktemp)
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | cut -d: -f2 | tr -d '[:space:]')
  echo "handling $ID"
  curl -sS -X POST "$API/invocation/$ID/response" -d "{\"echo\":$EVENT}" >/dev/null
done
)";

TEST(ExecutionEnvironment, ProvidedBootstrapSpeaksTheRuntimeApi) {
  ScratchDir code;
  code.write("bootstrap", kEchoBootstrap, 0755);
  auto env = start_or_fail(function_code("provided.al2023", "unused", code.path()));
  ASSERT_TRUE(env);
  auto req = request(R"({"n":1})");
  auto r = env->invoke(req);
  ASSERT_FALSE(r.function_error) << r.payload;
  EXPECT_EQ(json_of(r)["echo"]["n"], 1);
  ASSERT_EQ(r.log_lines.size(), 1u);
  EXPECT_EQ(r.log_lines[0], "handling " + req.request_id);
}

TEST(ExecutionEnvironment, WrongRequestIdIsRefusedWith400) {
  ScratchDir code;
  code.write("bootstrap", R"(#!/bin/bash
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
HEADERS=$(mktemp)
curl -sS -D "$HEADERS" "$API/invocation/next" >/dev/null
ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | cut -d: -f2 | tr -d '[:space:]')
WRONG=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$API/invocation/not-$ID/response" -d '{}')
curl -sS -X POST "$API/invocation/$ID/response" -d "{\"wrong\":$WRONG}" >/dev/null
sleep 60
)", 0755);
  auto env = start_or_fail(function_code("provided.al2", "unused", code.path()));
  ASSERT_TRUE(env);
  auto r = env->invoke(request());
  EXPECT_EQ(json_of(r)["wrong"], 400);
}

TEST(ExecutionEnvironment, MissingBootstrapDoesNotStart) {
  ScratchDir code;
  std::string error;
  EXPECT_FALSE(ExecutionEnvironment::start(function_code("provided.al2023", "x", code.path()), error));
  EXPECT_EQ(error, "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]");
}

TEST(ExecutionEnvironment, PythonHandlerGetsEventAndContext) {
  ScratchDir code;
  code.write("lambda_function.py", R"(
def lambda_handler(event, context):
    return {"n": event["n"] + 1, "id": context.aws_request_id, "name": context.function_name,
            "arn": context.invoked_function_arn, "memory": context.memory_limit_in_mb,
            "remaining": context.get_remaining_time_in_millis(), "group": context.log_group_name}
)");
  auto env = start_or_fail(function_code("python3.12", "lambda_function.lambda_handler", code.path()));
  ASSERT_TRUE(env);
  auto req = request(R"({"n":41})");
  auto r = env->invoke(req);
  ASSERT_FALSE(r.function_error) << r.payload;
  auto doc = json_of(r);
  EXPECT_EQ(doc["n"], 42);
  EXPECT_EQ(doc["id"], req.request_id);
  EXPECT_EQ(doc["name"], "test-function");
  EXPECT_EQ(doc["arn"], "arn:aws:lambda:us-east-1:000000000000:function:test-function");
  EXPECT_EQ(doc["memory"], "128");
  EXPECT_GT(doc["remaining"].get<int>(), 8000);
  EXPECT_LE(doc["remaining"].get<int>(), 10000);
  EXPECT_EQ(doc["group"], "/aws/lambda/test-function");
}

TEST(ExecutionEnvironment, PythonExceptionBecomesAwsErrorDocument) {
  ScratchDir code;
  code.write("app.py", "def handler(event, context):\n    raise ValueError('bad input')\n");
  auto env = start_or_fail(function_code("python3.12", "app.handler", code.path()));
  ASSERT_TRUE(env);
  auto r = env->invoke(request());
  EXPECT_TRUE(r.function_error);
  EXPECT_FALSE(r.environment_lost);
  auto doc = json_of(r);
  EXPECT_EQ(doc["errorType"], "ValueError");
  EXPECT_EQ(doc["errorMessage"], "bad input");
  EXPECT_TRUE(doc["stackTrace"].is_array());
  EXPECT_TRUE(env->alive());
}

TEST(ExecutionEnvironment, PythonImportErrorIsAnInitError) {
  ScratchDir code;
  code.write("app.py", "import no_such_module\n");
  auto env = start_or_fail(function_code("python3.12", "app.handler", code.path()));
  ASSERT_TRUE(env);
  auto r = env->invoke(request());
  EXPECT_TRUE(r.function_error);
  EXPECT_TRUE(r.environment_lost);
  auto doc = json_of(r);
  EXPECT_EQ(doc["errorType"], "Runtime.ImportModuleError");
  EXPECT_EQ(doc["errorMessage"], "Unable to import module 'app': No module named 'no_such_module'");
}

TEST(ExecutionEnvironment, TimeoutKillsTheEnvironment) {
  ScratchDir code;
  code.write("app.py", "import time\ndef handler(event, context):\n    print('sleeping')\n    time.sleep(30)\n");
  auto fc = function_code("python3.12", "app.handler", code.path());
  fc.timeout_s = 1;
  auto env = start_or_fail(fc);
  ASSERT_TRUE(env);
  auto req = request();
  auto r = env->invoke(req);
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(r.function_error);
  EXPECT_TRUE(r.environment_lost);
  std::regex message("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z " + req.request_id +
                     " Task timed out after 1\\.00 seconds");
  EXPECT_TRUE(std::regex_match(json_of(r)["errorMessage"].get<std::string>(), message)) << r.payload;
  EXPECT_EQ(r.log_lines.front(), "sleeping");
  EXPECT_GE(r.duration_ms, 1000);
  EXPECT_LT(r.duration_ms, 3000);
}

TEST(ExecutionEnvironment, CrashIsARuntimeExitError) {
  ScratchDir code;
  code.write("app.py", "import os\ndef handler(event, context):\n    os._exit(1)\n");
  auto env = start_or_fail(function_code("python3.12", "app.handler", code.path()));
  ASSERT_TRUE(env);
  auto req = request();
  auto r = env->invoke(req);
  EXPECT_TRUE(r.function_error);
  EXPECT_TRUE(r.environment_lost);
  auto doc = json_of(r);
  EXPECT_EQ(doc["errorType"], "Runtime.ExitError");
  EXPECT_EQ(doc["errorMessage"], "RequestId: " + req.request_id + " Error: Runtime exited with error: exit status 1");
  EXPECT_FALSE(env->alive());
}

TEST(ExecutionEnvironment, KilledRuntimeReportsTheSignal) {
  ScratchDir code;
  code.write("app.py", "import os, signal\ndef handler(event, context):\n    os.kill(os.getpid(), signal.SIGKILL)\n");
  auto env = start_or_fail(function_code("python3.12", "app.handler", code.path()));
  ASSERT_TRUE(env);
  auto req = request();
  auto r = env->invoke(req);
  EXPECT_EQ(json_of(r)["errorMessage"],
            "RequestId: " + req.request_id + " Error: Runtime exited with error: signal: killed");
}

TEST(ExecutionEnvironment, ResponsesUpToSixMegabytes) {
  ScratchDir code;
  code.write("app.py", "def handler(event, context):\n    return 'x' * event['size']\n");
  auto env = start_or_fail(function_code("python3.12", "app.handler", code.path()));
  ASSERT_TRUE(env);
  auto fits = env->invoke(request(R"({"size": 6000000})"));
  EXPECT_FALSE(fits.function_error);
  EXPECT_EQ(fits.payload.size(), 6000002u);
  auto too_large = env->invoke(request(R"({"size": 6300000})"));
  EXPECT_TRUE(too_large.function_error);
  EXPECT_EQ(json_of(too_large)["errorType"], "Function.ResponseSizeTooLarge");
  EXPECT_TRUE(env->alive());
}

TEST(ExecutionEnvironment, CodeSeesAwsEnvironmentVariables) {
  ScratchDir code;
  code.write("app.py", "import os\ndef handler(event, context):\n    return dict(os.environ)\n");
  ::setenv("AWAN_TEST_DAEMON_ONLY", "leak", 1);
  auto fc = function_code("python3.12", "app.handler", code.path());
  fc.environment = {{"TABLE", "Inventory"}, {"TZ", "Europe/Paris"}};
  fc.region = "eu-west-1";
  auto env = start_or_fail(fc);
  ASSERT_TRUE(env);
  auto vars = json_of(env->invoke(request()));
  EXPECT_EQ(vars["TABLE"], "Inventory");
  EXPECT_EQ(vars["TZ"], "Europe/Paris");  // not reserved: the function's own value wins
  EXPECT_EQ(vars["AWS_REGION"], "eu-west-1");
  EXPECT_EQ(vars["AWS_DEFAULT_REGION"], "eu-west-1");
  EXPECT_EQ(vars["AWS_LAMBDA_FUNCTION_NAME"], "test-function");
  EXPECT_EQ(vars["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
  EXPECT_EQ(vars["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "128");
  EXPECT_EQ(vars["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.12");
  EXPECT_EQ(vars["AWS_ENDPOINT_URL"], "http://127.0.0.1:4566");
  EXPECT_EQ(vars["_HANDLER"], "app.handler");
  EXPECT_TRUE(vars.contains("AWS_ACCESS_KEY_ID"));
  EXPECT_TRUE(vars.contains("AWS_SECRET_ACCESS_KEY"));
  EXPECT_TRUE(vars.contains("AWS_LAMBDA_LOG_STREAM_NAME"));
  EXPECT_TRUE(vars["AWS_LAMBDA_RUNTIME_API"].get<std::string>().rfind("127.0.0.1:", 0) == 0);
  EXPECT_EQ(vars["LAMBDA_TASK_ROOT"], isolation_available() ? "/var/task" : code.path().string());
  EXPECT_NE(vars["PATH"].get<std::string>().find("/opt/bin"), std::string::npos);
  EXPECT_FALSE(vars.contains("AWAN_TEST_DAEMON_ONLY"));
  ::unsetenv("AWAN_TEST_DAEMON_ONLY");
}

TEST(ExecutionEnvironment, ConcurrentEnvironmentsHavePrivateTmp) {
  if (!isolation_available()) GTEST_SKIP() << "no private mount namespaces here";
  ScratchDir code;
  code.write("app.py", R"(
import time
def handler(event, context):
    with open('/tmp/inventory.txt', 'w') as f:
        f.write(event['me'])
    time.sleep(0.3)
    with open('/tmp/inventory.txt') as f:
        return {'read': f.read()}
)");
  auto fc = function_code("python3.12", "app.handler", code.path());
  auto a = start_or_fail(fc);
  auto b = start_or_fail(fc);
  ASSERT_TRUE(a && b);
  auto ra = std::async(std::launch::async, [&] { return a->invoke(request(R"({"me":"a"})")); });
  auto rb = std::async(std::launch::async, [&] { return b->invoke(request(R"({"me":"b"})")); });
  EXPECT_EQ(json_of(ra.get())["read"], "a");
  EXPECT_EQ(json_of(rb.get())["read"], "b");
}

TEST(ExecutionEnvironment, WarmEnvironmentIsReusedAndInitReportedOnce) {
  ScratchDir code;
  code.write("app.py", "import os\ncount = 0\ndef handler(event, context):\n    global count\n    count += 1\n"
                       "    return {'pid': os.getpid(), 'count': count}\n");
  auto env = start_or_fail(function_code("python3.12", "app.handler", code.path()));
  ASSERT_TRUE(env);
  auto first = env->invoke(request());
  auto second = env->invoke(request());
  EXPECT_GT(first.init_duration_ms, 0);
  EXPECT_EQ(second.init_duration_ms, 0);
  EXPECT_EQ(json_of(first)["pid"], json_of(second)["pid"]);
  EXPECT_EQ(json_of(second)["count"], 2);
  EXPECT_GT(second.max_memory_used_mb, 0);
}

TEST(ExecutionEnvironment, OutputBecomesLogLinesOfItsInvocation) {
  ScratchDir code;
  code.write("app.py", "import sys\nprint('loading')\ndef handler(event, context):\n    print('one')\n"
                       "    print('two', file=sys.stderr)\n    print('three')\n    return event['n']\n");
  auto env = start_or_fail(function_code("python3.12", "app.handler", code.path()));
  ASSERT_TRUE(env);
  auto first = env->invoke(request(R"({"n":1})"));
  EXPECT_EQ(first.log_lines, (std::vector<std::string>{"loading", "one", "two", "three"}));
  auto second = env->invoke(request(R"({"n":2})"));
  EXPECT_EQ(second.log_lines, (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(second.payload, "2");
}

TEST(ExecutionEnvironment, LayersAreUnderOpt) {
  ScratchDir code, layer;
  layer.write("python/shared_lib.py", "VALUE = 'from layer'\n");
  code.write("app.py", "import shared_lib\ndef handler(event, context):\n    return shared_lib.VALUE\n");
  auto fc = function_code("python3.12", "app.handler", code.path());
  fc.layer_dirs = {layer.path()};
  auto env = start_or_fail(fc);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->invoke(request()).payload, "\"from layer\"");
}

TEST(ExecutionEnvironment, DebianBoto3ClientsDefaultToAwsEndpointUrl) {
  if (python_interpreter() != "/usr/bin/python3" ||
      std::system("/usr/bin/python3 -c 'import boto3' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "Debian's python3 with boto3 is not installed";
  ScratchDir code;
  code.write("app.py", R"(
import boto3, botocore
def handler(event, context):
    return {"s3": boto3.client("s3").meta.endpoint_url,
            "explicit": boto3.client("sqs", endpoint_url="http://other:1").meta.endpoint_url,
            "botocore": botocore.__version__}
)");
  auto fc = function_code("python3.12", "app.handler", code.path());
  fc.endpoint_url = "http://127.0.0.1:4599";
  auto env = start_or_fail(fc);
  ASSERT_TRUE(env);
  auto r = env->invoke(request());
  ASSERT_FALSE(r.function_error) << r.payload;
  auto doc = json_of(r);
  EXPECT_EQ(doc["s3"], "http://127.0.0.1:4599");
  EXPECT_EQ(doc["explicit"], "http://other:1");
}

TEST(ExecutionEnvironment, NodeCommonJsHandler) {
  ScratchDir code;
  code.write("index.js", R"(
exports.handler = async (event, context) => {
  console.log('hello', event.n);
  return { n: event.n * 2, id: context.awsRequestId, name: context.functionName,
           remaining: context.getRemainingTimeInMillis() };
};
)");
  auto env = start_or_fail(function_code("nodejs20.x", "index.handler", code.path()));
  ASSERT_TRUE(env);
  auto req = request(R"({"n":21})");
  auto r = env->invoke(req);
  ASSERT_FALSE(r.function_error) << r.payload;
  auto doc = json_of(r);
  EXPECT_EQ(doc["n"], 42);
  EXPECT_EQ(doc["id"], req.request_id);
  EXPECT_EQ(doc["name"], "test-function");
  EXPECT_GT(doc["remaining"].get<int>(), 8000);
  ASSERT_EQ(r.log_lines.size(), 1u);
  EXPECT_NE(r.log_lines[0].find("\t" + req.request_id + "\tINFO\thello 21"), std::string::npos) << r.log_lines[0];
}

TEST(ExecutionEnvironment, NodeEsModuleAsyncHandlerImportsTheSdk) {
  if (node_sdk_dir().empty()) GTEST_SKIP() << "no AWS SDK for JavaScript v3 here";
  ScratchDir code;
  code.write("index.mjs", R"(
import { S3Client } from '@aws-sdk/client-s3';
export const handler = async (event) => {
  const client = new S3Client({});
  return { ok: typeof S3Client === 'function', n: event.n, region: await client.config.region() };
};
)");
  auto env = start_or_fail(function_code("nodejs20.x", "index.handler", code.path()));
  ASSERT_TRUE(env);
  auto r = env->invoke(request(R"({"n":3})"));
  ASSERT_FALSE(r.function_error) << r.payload;
  auto doc = json_of(r);
  EXPECT_EQ(doc["ok"], true);
  EXPECT_EQ(doc["n"], 3);
  EXPECT_EQ(doc["region"], "us-east-1");
}

TEST(ExecutionEnvironment, NodeJsFileOfAModulePackage) {
  ScratchDir code;
  code.write("package.json", R"({"type": "module"})");
  code.write("app.js", "export async function main(event) { return { esm: typeof require === 'undefined' }; }\n");
  auto env = start_or_fail(function_code("nodejs22.x", "app.main", code.path()));
  ASSERT_TRUE(env);
  EXPECT_EQ(json_of(env->invoke(request()))["esm"], true);
}

TEST(ExecutionEnvironment, NodeCallbackHandler) {
  ScratchDir code;
  code.write("index.js", R"(
exports.handler = function (event, context, callback) {
  setTimeout(() => callback(null, { via: 'callback', n: event.n }), 10);
};
)");
  auto env = start_or_fail(function_code("nodejs18.x", "index.handler", code.path()));
  ASSERT_TRUE(env);
  auto doc = json_of(env->invoke(request(R"({"n":5})")));
  EXPECT_EQ(doc["via"], "callback");
  EXPECT_EQ(doc["n"], 5);
}

TEST(ExecutionEnvironment, NodeThrownErrorBecomesAwsErrorDocument) {
  ScratchDir code;
  code.write("index.js", R"(
class OutOfStock extends Error { constructor(m) { super(m); this.name = 'OutOfStock'; } }
exports.handler = async () => { throw new OutOfStock('no more apples'); };
)");
  auto env = start_or_fail(function_code("nodejs20.x", "index.handler", code.path()));
  ASSERT_TRUE(env);
  auto r = env->invoke(request());
  EXPECT_TRUE(r.function_error);
  EXPECT_FALSE(r.environment_lost);
  auto doc = json_of(r);
  EXPECT_EQ(doc["errorType"], "OutOfStock");
  EXPECT_EQ(doc["errorMessage"], "no more apples");
  EXPECT_TRUE(doc["trace"].is_array());
}

TEST(ExecutionEnvironment, NodeMissingExportIsAnInitError) {
  ScratchDir code;
  code.write("index.js", "exports.other = () => 1;\n");
  auto env = start_or_fail(function_code("nodejs20.x", "index.handler", code.path()));
  ASSERT_TRUE(env);
  auto r = env->invoke(request());
  EXPECT_TRUE(r.environment_lost);
  auto doc = json_of(r);
  EXPECT_EQ(doc["errorType"], "Runtime.HandlerNotFound");
  EXPECT_EQ(doc["errorMessage"], "index.handler is undefined or not exported");
}

TEST(RuntimeUnavailable, ProvidedAlwaysRuns) {
  EXPECT_EQ(runtime_unavailable("provided.al2023"), std::nullopt);
  EXPECT_EQ(runtime_unavailable("provided.al2"), std::nullopt);
}

TEST(RuntimeUnavailable, MissingInterpreterIsExplained) {
  ::setenv("AWAN_PYTHON", "/nonexistent/python3", 1);
  auto reason = runtime_unavailable("python3.12");
  ::unsetenv("AWAN_PYTHON");
  EXPECT_EQ(reason, "The runtime python3.12 is not available on this machine: python3 was not found");
  EXPECT_EQ(runtime_unavailable("python3.12"), std::nullopt);
}

}  // namespace
}  // namespace awan::lambda
