// The Lambda Runtime API loop for C++ handlers built as a `bootstrap` (awan/bootstrap.hpp).
#include "awan/bootstrap.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <mutex>

#include "http/message.hpp"
#include "remote/http_client.hpp"

namespace awan {

namespace {

using json = nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string header(const remote::HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (http::iequals(k, name)) return v;
  return "";
}

std::string error_document(const std::string& type, const std::string& message) {
  return json{{"errorMessage", message}, {"errorType", type}, {"stackTrace", json::array()}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

// POSTs to the Runtime API; false when it cannot be reached.
bool post(const std::string& url, const std::string& body, const Headers& headers = {}) {
  auto r = remote::http_request("POST", url, headers, body, {10000, 0});
  if (!r.ok) std::cerr << "bootstrap: POST " << url << " failed: " << r.error << std::endl;
  return r.ok;
}

int serve(const std::string& base, const FunctionHandler& handler) {
  static std::mutex log_mu;
  Client client = http_client(Endpoint::from_environment());
  int memory = std::atoi(env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").c_str());
  for (;;) {
    auto next = remote::http_request("GET", base + "/invocation/next", {}, "", {0, 0});
    if (!next.ok || next.status != 200) {
      std::cerr << "bootstrap: the Runtime API did not give the next event: "
                << (next.ok ? "status " + std::to_string(next.status) : next.error) << std::endl;
      return 1;
    }
    FunctionContext ctx;
    ctx.request_id = header(next, "Lambda-Runtime-Aws-Request-Id");
    ctx.function_arn = header(next, "Lambda-Runtime-Invoked-Function-Arn");
    ctx.function_name = env("AWS_LAMBDA_FUNCTION_NAME");
    ctx.function_version = env("AWS_LAMBDA_FUNCTION_VERSION").empty() ? "$LATEST" : env("AWS_LAMBDA_FUNCTION_VERSION");
    ctx.memory_limit_mb = memory > 0 ? memory : 128;
    ctx.log_group_name = env("AWS_LAMBDA_LOG_GROUP_NAME");
    ctx.log_stream_name = env("AWS_LAMBDA_LOG_STREAM_NAME");
    long long deadline_ms = std::atoll(header(next, "Lambda-Runtime-Deadline-Ms").c_str());
    ctx.deadline = std::chrono::system_clock::time_point(std::chrono::milliseconds(deadline_ms));
    ctx.client = &client;
    ctx.log = [](std::string_view line) {
      std::lock_guard lock(log_mu);
      std::cout << line << std::endl;
    };
    std::string url = base + "/invocation/" + ctx.request_id;
    json event = json::parse(next.body, nullptr, false);
    if (event.is_discarded()) {
      if (!post(url + "/error", error_document("Runtime.UnmarshalError", "the event is not JSON"),
                {{"Lambda-Runtime-Function-Error-Type", "Runtime.UnmarshalError"}}))
        return 1;
      continue;
    }
    std::string type, message, answer;
    try {
      answer = handler(event, ctx).dump(-1, ' ', false, json::error_handler_t::replace);
    } catch (const FunctionError& e) {
      type = e.type;
      message = e.what();
    } catch (const AwsError& e) {
      type = e.code;
      message = e.message;
    } catch (const std::exception& e) {
      type = "Error";
      message = e.what();
    } catch (...) {
      type = "Error";
      message = "unknown exception";
    }
    bool reached = type.empty() ? post(url + "/response", answer)
                                : post(url + "/error", error_document(type, message),
                                       {{"Lambda-Runtime-Function-Error-Type", type}});
    if (!reached) return 1;
  }
}

std::string runtime_base() {
  std::string api = env("AWS_LAMBDA_RUNTIME_API");
  if (api.empty()) {
    std::cerr << "bootstrap: AWS_LAMBDA_RUNTIME_API is not set (run me as a Lambda function's bootstrap)" << std::endl;
    return "";
  }
  return "http://" + api + "/2018-06-01/runtime";
}

}  // namespace

int run_bootstrap(const FunctionRegistry& registry) {
  std::string base = runtime_base();
  if (base.empty()) return 2;
  std::string name = env("_HANDLER");
  auto handler = registry.find(name);
  if (!handler) {
    std::string message = "no handler named '" + name + "' in this bootstrap";
    post(base + "/init/error", error_document("Runtime.HandlerNotFound", message),
         {{"Lambda-Runtime-Function-Error-Type", "Runtime.HandlerNotFound"}});
    std::cerr << "bootstrap: " << message << std::endl;
    return 1;
  }
  return serve(base, *handler);
}

int run_bootstrap(FunctionHandler handler) {
  std::string base = runtime_base();
  if (base.empty()) return 2;
  return serve(base, handler);
}

}  // namespace awan
