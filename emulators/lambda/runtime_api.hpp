#pragma once
// The Lambda Runtime API (2018-06-01) of one execution environment: an http::Server on
// 127.0.0.1 (port 0) whose /invocation/next waits until the environment hands it an invocation.
// Used by execution_environment.cpp; the runtime clients that speak it live in runtimes/.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/server.hpp"
#include "lambda/execution_environment.hpp"

namespace awan::lambda {

// Largest response or error document a runtime may post (AWS's 6 MB, as its message counts it).
inline constexpr size_t kMaxRuntimePayload = 6291556;

// What became of an invocation handed to the runtime.
struct RuntimeOutcome {
  enum class Kind { response, function_error, init_error, too_large, exited, timed_out };
  Kind kind = Kind::timed_out;
  std::string body;         // the response, or the error document as the runtime posted it
  std::string exit_status;  // exited: "exit status 1", "signal: killed"
  bool handed_over = false;  // the runtime received the event (its /next was answered)
  std::chrono::steady_clock::time_point handed_over_at, finished_at;
};

class RuntimeApi {
 public:
  using Clock = std::chrono::steady_clock;
  RuntimeApi();  // listens at once; throws std::runtime_error when it cannot bind
  ~RuntimeApi();
  RuntimeApi(const RuntimeApi&) = delete;
  RuntimeApi& operator=(const RuntimeApi&) = delete;

  // "127.0.0.1:<port>": AWS_LAMBDA_RUNTIME_API.
  std::string address() const;
  // Hands an invocation to the runtime: a waiting /next is answered now, a later one at once.
  // The function has `budget` from the moment the runtime receives the event (the deadline it is
  // told is then now + budget: time spent in the init phase does not count, as on AWS).
  void offer(const InvocationRequest& request, const std::string& invoked_arn, std::chrono::milliseconds budget);
  // Waits for the outcome of the offered invocation: until the runtime answers or exits, or the
  // budget runs out after the handover, or `init_limit` passes before it.
  RuntimeOutcome wait(Clock::time_point init_limit);
  // The runtime process ended (the environment's monitor thread tells).
  void runtime_exited(const std::string& exit_status);
  // When the runtime first asked for an invocation (the end of its init phase).
  std::optional<Clock::time_point> initialized_at() const;
  // Answers a waiting /next and stops the listener (the process should be gone by then).
  void stop();

 private:
  struct Offer {
    InvocationRequest request;
    std::string invoked_arn;
    std::chrono::milliseconds budget{0};
  };
  void handle(http::Request&& req, http::Responder respond);
  void on_next(http::Responder respond);
  void on_post(const std::string& id, bool is_error, http::Request& req, const http::Responder& respond);
  void on_init_error(http::Request& req, const http::Responder& respond);
  void hand_over(const http::Responder& respond);  // mu_ held
  void finish(RuntimeOutcome::Kind kind, std::string body);  // mu_ held

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<http::Responder> waiting_next_;
  std::optional<Offer> offered_;  // not yet received by the runtime
  std::string current_id_;        // received by the runtime, not yet answered
  std::optional<RuntimeOutcome> outcome_;
  RuntimeOutcome progress_;       // the handover of the invocation under way
  std::optional<Clock::time_point> initialized_at_;
  std::optional<std::string> exit_status_;
  bool stopped_ = false;
  std::unique_ptr<http::Server> server_;
};

// The X-Ray trace header a runtime is given when the invocation brought none.
std::string new_trace_header();
// Normalises what a runtime posted to /error or /init/error into AWS's error document: a JSON
// object is kept as posted; anything else becomes {"errorMessage": body, "errorType": header}.
std::string error_document(const std::string& body, const std::string& error_type_header);

}  // namespace awan::lambda
