// The Runtime API listener of one execution environment (runtime_api.hpp): /invocation/next held
// open until an invocation is offered, /response and /error for the invocation under way,
// /init/error before the first /next.
#include "lambda/runtime_api.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/ids.hpp"

namespace awan::lambda {
namespace {

constexpr std::string_view kPrefix = "/2018-06-01/runtime/";

http::Response json_answer(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

http::Response runtime_error(int status, const std::string& type, const std::string& message) {
  return json_answer(status, nlohmann::json{{"errorMessage", message}, {"errorType", type}}.dump());
}

http::Response accepted() { return json_answer(202, R"({"status":"OK"})"); }

int64_t epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string new_trace_header() {
  const std::string_view hex = "0123456789abcdef";
  char epoch[16];
  std::snprintf(epoch, sizeof epoch, "%08llx",
                static_cast<unsigned long long>(std::chrono::duration_cast<std::chrono::seconds>(
                                                    std::chrono::system_clock::now().time_since_epoch())
                                                    .count()));
  return "Root=1-" + std::string(epoch) + "-" + ids::random_string(24, hex) + ";Parent=" + ids::random_string(16, hex) +
         ";Sampled=0";
}

std::string error_document(const std::string& body, const std::string& error_type_header) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_object()) return body;
  return nlohmann::json{{"errorMessage", body}, {"errorType", error_type_header.empty() ? "Runtime.Unknown" : error_type_header}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

RuntimeApi::RuntimeApi() {
  http::ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.threads = 1;
  o.worker_threads = 1;
  o.body_limit = kMaxRuntimePayload + 1024 * 1024;  // read a little more, to answer 413 ourselves
  o.spool_threshold = o.body_limit + 1;               // documents stay in memory
  o.idle_timeout = std::chrono::hours(24);            // a warm environment may idle for long
  o.max_connections = 16;
  server_ = std::make_unique<http::Server>(o, [this](http::Request&& req, http::Responder respond) {
    handle(std::move(req), std::move(respond));
  });
  server_->start();
}

RuntimeApi::~RuntimeApi() { stop(); }

std::string RuntimeApi::address() const { return "127.0.0.1:" + std::to_string(server_->port()); }

void RuntimeApi::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    if (waiting_next_) (*waiting_next_)(runtime_error(500, "Runtime.Stopped", "The environment is shutting down"));
    waiting_next_.reset();
  }
  server_->stop(std::chrono::milliseconds(200));
}

void RuntimeApi::handle(http::Request&& req, http::Responder respond) {
  std::string_view path = req.path;
  if (path.substr(0, kPrefix.size()) != kPrefix) return respond(runtime_error(404, "NotFound", "Not found"));
  path.remove_prefix(kPrefix.size());
  if (path == "invocation/next") {
    if (req.method != "GET") return respond(runtime_error(405, "MethodNotAllowed", "Method not allowed"));
    return on_next(std::move(respond));
  }
  if (req.method != "POST") return respond(runtime_error(405, "MethodNotAllowed", "Method not allowed"));
  if (path == "init/error") return on_init_error(req, respond);
  constexpr std::string_view kInvocation = "invocation/";
  if (path.substr(0, kInvocation.size()) == kInvocation) {
    path.remove_prefix(kInvocation.size());
    auto slash = path.find('/');
    if (slash != std::string_view::npos) {
      std::string id(path.substr(0, slash));
      std::string_view verb = path.substr(slash + 1);
      if (verb == "response" || verb == "error") return on_post(id, verb == "error", req, respond);
    }
  }
  respond(runtime_error(404, "NotFound", "Not found"));
}

void RuntimeApi::on_next(http::Responder respond) {
  std::lock_guard lock(mu_);
  if (!initialized_at_) {
    initialized_at_ = Clock::now();
    cv_.notify_all();
  }
  if (stopped_) return respond(runtime_error(500, "Runtime.Stopped", "The environment is shutting down"));
  if (waiting_next_) (*waiting_next_)(runtime_error(400, "InvalidStateTransition", "A /next request is already waiting"));
  if (offered_) return hand_over(respond);
  waiting_next_ = std::move(respond);
}

void RuntimeApi::hand_over(const http::Responder& respond) {
  Offer o = std::move(*offered_);
  offered_.reset();
  const InvocationRequest& r = o.request;
  auto deadline = std::chrono::system_clock::now() + o.budget;
  http::Response answer = json_answer(200, r.payload);
  answer.headers.add("Lambda-Runtime-Aws-Request-Id", r.request_id);
  answer.headers.add("Lambda-Runtime-Deadline-Ms", std::to_string(epoch_ms(deadline)));
  answer.headers.add("Lambda-Runtime-Invoked-Function-Arn", o.invoked_arn);
  answer.headers.add("Lambda-Runtime-Trace-Id", r.trace_id.empty() ? new_trace_header() : r.trace_id);
  if (!r.client_context.empty()) answer.headers.add("Lambda-Runtime-Client-Context", r.client_context);
  if (!r.cognito_identity.empty()) answer.headers.add("Lambda-Runtime-Cognito-Identity", r.cognito_identity);
  current_id_ = r.request_id;
  progress_.handed_over = true;
  progress_.handed_over_at = Clock::now();
  progress_.finished_at = progress_.handed_over_at + o.budget;  // the deadline, until it finishes
  cv_.notify_all();
  respond(std::move(answer));
}

void RuntimeApi::on_post(const std::string& id, bool is_error, http::Request& req, const http::Responder& respond) {
  std::lock_guard lock(mu_);
  if (current_id_.empty() || id != current_id_)
    return respond(runtime_error(400, "InvalidRequestID", "Invalid request ID"));
  if (req.body_too_large || req.body.size() > kMaxRuntimePayload) {
    std::string message = "Response payload size exceeded maximum allowed payload size (" +
                          std::to_string(kMaxRuntimePayload) + " bytes).";
    finish(RuntimeOutcome::Kind::too_large,
           nlohmann::json{{"errorMessage", message}, {"errorType", "Function.ResponseSizeTooLarge"}}.dump());
    return respond(runtime_error(413, "RequestEntityTooLarge",
                                 "Exceeded maximum allowed payload size (" + std::to_string(kMaxRuntimePayload) + " bytes)."));
  }
  if (is_error) {
    finish(RuntimeOutcome::Kind::function_error,
           error_document(req.body, std::string(req.headers.get("Lambda-Runtime-Function-Error-Type"))));
  } else {
    finish(RuntimeOutcome::Kind::response, std::move(req.body));
  }
  respond(accepted());
}

void RuntimeApi::on_init_error(http::Request& req, const http::Responder& respond) {
  std::lock_guard lock(mu_);
  if (initialized_at_) return respond(runtime_error(403, "InvalidStateTransition", "Init error after init"));
  std::string doc = error_document(req.body, std::string(req.headers.get("Lambda-Runtime-Function-Error-Type")));
  initialized_at_ = Clock::now();
  if (offered_ || !current_id_.empty()) {
    finish(RuntimeOutcome::Kind::init_error, std::move(doc));
  } else {
    outcome_.emplace();
    outcome_->kind = RuntimeOutcome::Kind::init_error;
    outcome_->body = std::move(doc);
    outcome_->finished_at = *initialized_at_;
    cv_.notify_all();
  }
  respond(accepted());
}

void RuntimeApi::finish(RuntimeOutcome::Kind kind, std::string body) {
  RuntimeOutcome o = progress_;
  o.kind = kind;
  o.body = std::move(body);
  o.finished_at = Clock::now();
  outcome_ = std::move(o);
  current_id_.clear();
  offered_.reset();
  cv_.notify_all();
}

void RuntimeApi::offer(const InvocationRequest& request, const std::string& invoked_arn,
                       std::chrono::milliseconds budget) {
  std::lock_guard lock(mu_);
  // An init error posted before any invocation arrived is the outcome of this one.
  if (outcome_ && outcome_->kind == RuntimeOutcome::Kind::init_error) return;
  outcome_.reset();
  progress_ = RuntimeOutcome{};
  offered_ = Offer{request, invoked_arn, budget};
  if (waiting_next_ && !exit_status_) {
    http::Responder respond = std::move(*waiting_next_);
    waiting_next_.reset();
    hand_over(respond);
  }
}

RuntimeOutcome RuntimeApi::wait(Clock::time_point init_limit) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (outcome_) {
      RuntimeOutcome o = std::move(*outcome_);
      outcome_.reset();
      return o;
    }
    if (exit_status_) {
      finish(RuntimeOutcome::Kind::exited, "");
      outcome_->exit_status = *exit_status_;
      continue;
    }
    Clock::time_point limit = progress_.handed_over ? progress_.finished_at : init_limit;
    if (cv_.wait_until(lock, limit) == std::cv_status::timeout && !outcome_ && !exit_status_ &&
        Clock::now() >= (progress_.handed_over ? progress_.finished_at : init_limit)) {
      finish(RuntimeOutcome::Kind::timed_out, "");
    }
  }
}

void RuntimeApi::runtime_exited(const std::string& exit_status) {
  std::lock_guard lock(mu_);
  exit_status_ = exit_status;
  cv_.notify_all();
}

std::optional<RuntimeApi::Clock::time_point> RuntimeApi::initialized_at() const {
  std::lock_guard lock(mu_);
  return initialized_at_;
}

}  // namespace awan::lambda
