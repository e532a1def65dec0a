#pragma once
// The embedding API for functions: C++ handlers registered by name, which a Lambda function
// binds to with the handler "awan:<name>" (any runtime; the deployment package may be empty),
// and the Client a handler calls services with. Handlers run on the Lambda service's invocation
// threads, never on an I/O thread, so a Client call may block.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "awan/service.hpp"

namespace awan {

// Calls services through the operation interface as the function's identity (account, region):
// in process (no HTTP) inside the simulator, or over HTTP (http_client below) from a handler
// that runs as a `bootstrap` or in any other program.
class Client {
 public:
  using Transport = std::function<void(const RequestContext& ctx, const std::string& service,
                                       const std::string& operation, nlohmann::json input, Completion done)>;
  Client(Transport transport, RequestContext ctx) : transport_(std::move(transport)), ctx_(std::move(ctx)) {}

  // Blocks until the operation completes.
  Result call(const std::string& service, const std::string& operation, nlohmann::json input = nlohmann::json::object()) const;
  // The output document, or throws the AwsError.
  nlohmann::json ok(const std::string& service, const std::string& operation,
                    nlohmann::json input = nlohmann::json::object()) const;
  const RequestContext& context() const { return ctx_; }

 private:
  Transport transport_;
  RequestContext ctx_;
};

// Where a Client over HTTP sends its calls, and the credentials it signs them with (SigV4).
struct Endpoint {
  std::string url = "http://127.0.0.1:4566";
  std::string region = "us-east-1";
  std::string access_key_id = "test", secret_access_key = "test", session_token;
  // From what a function's environment gives it: AWS_ENDPOINT_URL, AWS_REGION (else
  // AWS_DEFAULT_REGION), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; the
  // defaults above for what is not set.
  static Endpoint from_environment();
};

// A Client whose calls go over HTTP, each operation in its service's wire protocol (awsJson,
// awsQuery, restXml, restJson, from the same models the daemon decodes with) and signed with
// SigV4, as an AWS SDK's would: the same handler code runs in the daemon and as a `bootstrap`.
// Payloads (S3 object bodies) are held in memory. Defined in the awan_remote library.
Client http_client(const Endpoint& endpoint);

// What a handler knows of its invocation (AWS's context object).
struct FunctionContext {
  std::string request_id, function_name, function_arn, function_version = "$LATEST";
  int memory_limit_mb = 128;
  std::string log_group_name, log_stream_name;
  std::chrono::system_clock::time_point deadline;
  const Client* client = nullptr;  // services, as the function
  std::function<void(std::string_view line)> log;  // a line of the function's log
  int64_t remaining_time_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::system_clock::now()).count();
  }
};

// Thrown by a handler to fail its invocation with an errorType (any other exception fails it
// with the exception's message and errorType "Error").
struct FunctionError : std::runtime_error {
  FunctionError(std::string type, const std::string& message) : std::runtime_error(message), type(std::move(type)) {}
  std::string type;
};

// The event document in, the response document out.
using FunctionHandler = std::function<nlohmann::json(const nlohmann::json& event, FunctionContext& context)>;

class FunctionRegistry {
 public:
  void add(const std::string& name, FunctionHandler handler) {
    std::lock_guard lock(mu_);
    handlers_[name] = std::make_shared<FunctionHandler>(std::move(handler));
  }
  std::shared_ptr<const FunctionHandler> find(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = handlers_.find(name);
    return it == handlers_.end() ? nullptr : it->second;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<FunctionHandler>> handlers_;
};

}  // namespace awan
