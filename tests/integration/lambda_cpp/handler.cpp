// A function written against the AWS C++ runtime client (aws-lambda-cpp, built by the test from
// the sources the npm package aws-lambda-ric ships): run unmodified on Awan as a
// provided.al2023 bootstrap. It answers what it was given, and fails on request.
#include <aws/lambda-runtime/runtime.h>

#include <string>

using namespace aws::lambda_runtime;

static invocation_response handle(invocation_request const& req) {
  if (req.payload.find("\"fail\"") != std::string::npos)
    return invocation_response::failure("asked to fail", "HandlerAskedToFail", "");
  std::string out = "{\"requestId\":\"" + req.request_id + "\",\"functionArn\":\"" + req.function_arn +
                    "\",\"remainingMs\":" + std::to_string(req.get_time_remaining().count()) +
                    ",\"event\":" + req.payload + "}";
  return invocation_response::success(out, "application/json");
}

int main() {
  run_handler(handle);
  return 0;
}
