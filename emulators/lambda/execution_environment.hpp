#pragma once
// Execution environments of the function host: a function's runtime (provided.al2023/al2
// `bootstrap`, python3.x, nodejs18.x-22.x) as a child process speaking the Lambda Runtime API
// to a listener of its own on 127.0.0.1, in a private mount namespace (its own /tmp, the code at
// /var/task, layers at /opt) where the machine allows one. An environment serves one invocation
// at a time and is reused while warm. Neighbours: the Lambda service (invoke.cpp) keeps the
// pools; runtimes/ holds the Python and Node.js runtime clients these environments start.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace awan::lambda {

// What an environment runs: the function's configuration as the host resolved it.
struct FunctionCode {
  std::string function_name, function_arn, version = "$LATEST";
  std::string runtime;  // "provided.al2023", "provided.al2", "python3.12", "nodejs20.x", ...
  std::string handler;  // "lambda_function.lambda_handler", "index.handler", anything for provided
  std::string code_dir;                 // the unpacked deployment package (→ /var/task)
  std::vector<std::string> layer_dirs;  // unpacked layers in order, later ones over earlier (→ /opt)
  std::map<std::string, std::string> environment;  // the function's Environment.Variables
  int memory_mb = 128;
  int timeout_s = 3;
  int ephemeral_mb = 512;  // EphemeralStorage.Size: the environment's /tmp
  std::string region = "us-east-1", account = "000000000000";
  std::string endpoint_url;  // the daemon ("http://127.0.0.1:4566"): AWS_ENDPOINT_URL for the SDKs
  std::string access_key_id, secret_access_key, session_token;  // the function's credentials
  std::string log_group, log_stream;  // AWS_LAMBDA_LOG_GROUP_NAME / _STREAM_NAME
};

struct InvocationRequest {
  std::string request_id;
  std::string payload;  // the event (JSON text)
  std::chrono::system_clock::time_point deadline;  // Lambda-Runtime-Deadline-Ms
  std::string client_context, cognito_identity, trace_id;  // optional Lambda-Runtime-* headers
};

struct InvocationResult {
  // The function's response body; on an error, AWS's error document
  // ({"errorMessage", "errorType", "stackTrace"} as the runtime posted it, or the host's own for
  // timeouts and crashes: {"errorMessage": "2024-01-01T00:00:00.000Z <id> Task timed out after
  // 3.00 seconds"} / "Runtime exited with error: exit status 1", errorType "Runtime.ExitError").
  std::string payload;
  bool function_error = false;  // X-Amz-Function-Error: Unhandled
  bool timed_out = false;
  bool environment_lost = false;  // the process died or was killed: do not reuse the environment
  // What the function wrote (stdout and stderr, in order) during this invocation, line by line,
  // without the host's START/END/REPORT lines.
  std::vector<std::string> log_lines;
  double duration_ms = 0;
  double init_duration_ms = 0;  // only on the invocation that started the environment
  int64_t max_memory_used_mb = 0;
};

// nullopt when `runtime` can run on this machine; otherwise why not, in AWS's words for a
// function whose runtime cannot start (used for State Failed / StateReasonCode). Unknown runtimes
// are refused by the API before this is asked.
std::optional<std::string> runtime_unavailable(const std::string& runtime);

// Whether environments get private mount namespaces here (checked once). When false, the host
// logs it at start-up and runs one environment per function at a time.
bool isolation_available();

class ExecutionEnvironment {
 public:
  // Starts the environment (the init phase runs lazily, on the first invoke: AWS's cold start
  // is reported as its Init Duration). nullptr with `error` set if the process cannot start.
  static std::unique_ptr<ExecutionEnvironment> start(const FunctionCode& code, std::string& error);
  ~ExecutionEnvironment();  // kills the process group, removes the environment's /tmp

  // Runs one invocation, blocking the calling thread (never an I/O thread) until the runtime
  // posts its response or error, the deadline passes (the environment is killed; timed_out), or
  // the process exits (an init error or a crash: environment_lost).
  InvocationResult invoke(const InvocationRequest& request);
  bool alive() const;

  struct Impl;

 private:
  ExecutionEnvironment();
  std::unique_ptr<Impl> impl_;
};

// Unpacks a deployment package or layer (zip bytes) into `dir` (created). Refuses absolute
// paths and "..", symlinks leaving the tree, more than `max_unzipped_bytes` in all; keeps the
// executable bits. Returns AWS's message on failure ("Could not unzip uploaded file. Please
// check your file, then try to upload again.", "Unzipped size must be smaller than 262144000
// bytes").
std::optional<std::string> unzip(std::string_view zip_bytes, const std::string& dir,
                                 uint64_t max_unzipped_bytes = 262144000);

}  // namespace awan::lambda
