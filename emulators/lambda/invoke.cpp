// Lambda invocation: Invoke (RequestResponse, Event, DryRun), reserved-concurrency throttling,
// in-process C++ handlers and warm execution environments, the function's logs (START / END /
// REPORT and its output, to CloudWatch Logs and the daemon log, the Tail of X-Amz-Log-Result),
// and the asynchronous queue: retries, maximum event age, destinations and dead-letter queues.
#include <chrono>

#include <spdlog/spdlog.h>

#include "core/arn.hpp"
#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/timefmt.hpp"
#include "lambda/errors.hpp"
#include "lambda/service_impl.hpp"

namespace awan::lambda {

namespace {
constexpr size_t kSyncPayloadLimit = 6291456;
constexpr size_t kAsyncPayloadLimit = 1048576;
constexpr size_t kTailBytes = 4096;

using clock_type = std::chrono::system_clock;

std::string error_document(const std::string& type, const std::string& message) {
  return json{{"errorMessage", message}, {"errorType", type}, {"stackTrace", json::array()}}.dump();
}

std::string fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string log_stream_name(const std::string& version, int64_t now_ms) {
  std::string day = timefmt::iso8601(clock_type::time_point(std::chrono::milliseconds(now_ms))).substr(0, 10);
  for (char& c : day)
    if (c == '-') c = '/';
  return day + "/[" + version + "]" + crypto::hex(crypto::random_bytes(16));
}

// START, the function's lines, END and REPORT, as Lambda writes them.
void frame_logs(InvokeOutcome& out, const Target& t, const std::string& id, std::vector<std::string> lines,
                double duration_ms, double init_ms, int64_t max_memory_mb) {
  out.log_lines.push_back("START RequestId: " + id + " Version: " + t.version);
  for (auto& l : lines) out.log_lines.push_back(std::move(l));
  out.log_lines.push_back("END RequestId: " + id);
  int64_t memory = t.config.value("MemorySize", 128);
  std::string report = "REPORT RequestId: " + id + "\tDuration: " + fixed2(duration_ms) +
                       " ms\tBilled Duration: " + std::to_string(static_cast<int64_t>(duration_ms) + 1) +
                       " ms\tMemory Size: " + std::to_string(memory) + " MB\tMax Memory Used: " +
                       std::to_string(max_memory_mb) + " MB";
  if (init_ms > 0) report += "\tInit Duration: " + fixed2(init_ms) + " ms";
  out.log_lines.push_back(report + "\t");
}

std::string tail_of(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  if (text.size() > kTailBytes) text = text.substr(text.size() - kTailBytes);
  return crypto::base64_encode(text);
}
}  // namespace

Result LambdaService::invoke_sync(const RequestContext& ctx, json& in, Completion& done, bool& completed) {
  FunctionRef ref = parse_function_name(in);
  Target t = resolve(ref, true);
  json shown = configuration(require_function(ref), t.config);
  if (shown.value("State", "") != "Active")
    throw errors::conflict("The operation cannot be performed at this time. The function is currently in the following state: " +
                           shown.value("State", ""));
  std::string type = in.value("InvocationType", "RequestResponse");
  if (type != "RequestResponse" && type != "Event" && type != "DryRun")
    throw errors::constraint(type, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]");
  std::string payload = in.value("Payload", "");
  if (payload.empty()) payload = "{}";
  if (payload.size() > (type == "Event" ? kAsyncPayloadLimit : kSyncPayloadLimit))
    throw AwsError("RequestTooLargeException",
                   "Request must be smaller than " + std::to_string(type == "Event" ? kAsyncPayloadLimit : kSyncPayloadLimit) +
                       " bytes for the InvokeFunction operation",
                   413);
  if (!json::accept(payload))
    throw AwsError("InvalidRequestContentException", "Could not parse request body into json: Could not parse payload into json", 400);
  if (type == "DryRun") return Result::ok({{"StatusCode", 204}});
  // The invocation's id is the Invoke request's (its x-amzn-RequestId), as on AWS: the answer,
  // the function's context and its log lines name the same id.
  std::string request_id = ctx.request_id.empty() ? ids::uuid4() : ctx.request_id;
  if (t.reserved && *t.reserved == 0)
    throw errors::too_many_requests("Rate Exceeded.", "ReservedFunctionConcurrentInvocationLimitExceeded");
  if (type == "Event") {
    enqueue_async({t, request_id, payload, 0, now_ms()});
    return Result::ok({{"StatusCode", 202}, {"Payload", ""}});
  }
  bool tail = in.value("LogType", "None") == "Tail";
  std::string client_context = in.value("ClientContext", "");
  completed = true;
  run_on_worker([this, t, request_id, payload, tail, client_context, done = std::move(done)]() mutable {
    InvokeOutcome o = execute(t, request_id, payload, client_context);
    json out = {{"StatusCode", 200}, {"ExecutedVersion", t.version}, {"Payload", std::move(o.payload)}};
    if (o.function_error) out["FunctionError"] = "Unhandled";
    if (tail) out["LogResult"] = tail_of(o.log_lines);
    done(Result::ok(std::move(out)));
  });
  return Result::ok();
}

InvokeOutcome LambdaService::execute(const Target& t, const std::string& request_id, const std::string& payload,
                                     const std::string& client_context) {
  bool in_process = t.config.value("Handler", "").rfind("awan:", 0) == 0;
  auto t0 = std::chrono::steady_clock::now();
  InvokeOutcome o = in_process ? execute_in_process(t, request_id, payload)
                               : execute_in_environment(t, request_id, payload, client_context);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  spdlog::info("lambda {} {} ({}): {} in {:.1f} ms", t.name, t.version, request_id,
               o.function_error ? "error" : "ok", ms);
  return o;
}

InvokeOutcome LambdaService::execute_in_process(const Target& t, const std::string& request_id,
                                                const std::string& payload) {
  InvokeOutcome out;
  std::string name = t.config.value("Handler", "").substr(5);
  auto handler = env_.functions ? env_.functions->find(name) : nullptr;
  std::vector<std::string> lines;
  auto t0 = std::chrono::steady_clock::now();
  if (!handler) {
    out.function_error = true;
    out.payload = error_document("Runtime.HandlerNotFound", "Handler 'awan:" + name + "' is not registered with this simulator");
  } else {
    RequestContext c;
    c.request_id = request_id;
    c.account_id = t.account;
    c.region = t.region;
    c.caller_arn = t.config.value("Role", "");
    c.clock = env_.clock;
    Client client(env_.call_service, c);
    FunctionContext fc;
    fc.request_id = request_id;
    fc.function_name = t.name;
    fc.function_arn = t.qualified_arn;
    fc.function_version = t.version;
    fc.memory_limit_mb = t.config.value("MemorySize", 128);
    fc.log_group_name = "/aws/lambda/" + t.name;
    fc.log_stream_name = log_stream_name(t.version, now_ms());
    fc.deadline = clock_type::now() + std::chrono::seconds(t.config.value("Timeout", 3));
    fc.client = &client;
    fc.log = [&lines](std::string_view l) { lines.emplace_back(l); };
    in_process_busy_++;
    try {
      json event = json::parse(payload);
      out.payload = (*handler)(event, fc).dump();
    } catch (const FunctionError& e) {
      out.function_error = true;
      out.payload = error_document(e.type, e.what());
    } catch (const AwsError& e) {
      out.function_error = true;
      out.payload = error_document(e.code, e.message);
    } catch (const std::exception& e) {
      out.function_error = true;
      out.payload = error_document("Error", e.what());
    }
    in_process_busy_--;
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& l : lines) spdlog::info("lambda {} ({}): {}", t.name, request_id, l);
  frame_logs(out, t, request_id, std::move(lines), ms, 0, 0);
  write_logs(t, log_stream_name(t.version, now_ms()), out.log_lines);
  return out;
}

InvokeOutcome LambdaService::execute_in_environment(const Target& t, const std::string& request_id,
                                                    const std::string& payload, const std::string& client_context) {
  InvokeOutcome out;
  std::string key = t.arn + ":" + t.version + ":" + t.config.value("RevisionId", "") + ":" + t.code.value("sha256", "");
  std::unique_ptr<ExecutionEnvironment> env;
  std::string stream;
  {
    std::lock_guard lock(pools_mu_);
    Pool& p = pools_[key];
    while (!p.idle.empty() && !env) {
      env = std::move(p.idle.back());
      p.idle.pop_back();
      if (!env->alive()) env.reset();
    }
    if (t.reserved && p.busy >= *t.reserved) {
      if (env) p.idle.push_back(std::move(env));
      out.function_error = true;
      out.throttled = true;
      out.payload = error_document("TooManyRequestsException", "Rate Exceeded.");
      return out;
    }
    ++p.busy;
  }
  auto release = [&] {
    std::lock_guard lock(pools_mu_);
    Pool& p = pools_[key];
    --p.busy;
    if (env && env->alive()) p.idle.push_back(std::move(env));
  };
  stream = log_stream_name(t.version, now_ms());
  if (!env) {
    FunctionCode code;
    code.function_name = t.name;
    code.function_arn = t.arn;
    code.version = t.version;
    code.runtime = t.config.value("Runtime", "");
    code.handler = t.config.value("Handler", "");
    code.code_dir = t.code.value("dir", "");
    for (const auto& layer : t.config.value("Layers", json::array())) code.layer_dirs.push_back(layer.value("dir", ""));
    const json vars = t.config.value("Environment", json::object()).value("Variables", json::object());
    for (auto& [k, v] : vars.items())
      code.environment[k] = v.is_string() ? v.get<std::string>() : v.dump();
    code.memory_mb = t.config.value("MemorySize", 128);
    code.timeout_s = t.config.value("Timeout", 3);
    code.ephemeral_mb = t.config.value("EphemeralStorage", json::object()).value("Size", 512);
    code.region = t.region;
    code.account = t.account;
    code.endpoint_url = env_.endpoint_url ? env_.endpoint_url() : "http://127.0.0.1:4566";
    code.access_key_id = t.account;  // a 12-digit key id: calls are in the function's account
    code.secret_access_key = "test";
    code.log_group = "/aws/lambda/" + t.name;
    code.log_stream = stream;
    std::string error;
    env = ExecutionEnvironment::start(code, error);
    if (!env) {
      release();
      out.function_error = true;
      out.payload = error_document("Runtime.Unavailable", error);
      frame_logs(out, t, request_id, {error}, 0, 0, 0);
      write_logs(t, stream, out.log_lines);
      return out;
    }
  }
  InvocationRequest req;
  req.request_id = request_id;
  req.payload = payload;
  req.deadline = clock_type::now() + std::chrono::seconds(t.config.value("Timeout", 3));
  req.client_context = client_context;
  InvocationResult r = env->invoke(req);
  if (r.environment_lost) env.reset();
  release();
  out.payload = std::move(r.payload);
  out.function_error = r.function_error;
  for (const auto& l : r.log_lines) spdlog::info("lambda {} ({}): {}", t.name, request_id, l);
  frame_logs(out, t, request_id, std::move(r.log_lines), r.duration_ms, r.init_duration_ms, r.max_memory_used_mb);
  write_logs(t, stream, out.log_lines);
  return out;
}

// CloudWatch Logs: /aws/lambda/<name>, one stream per environment, through the operation
// interface (the Logs service may be absent: then only the daemon log has the lines).
void LambdaService::write_logs(const Target& t, const std::string& stream, const std::vector<std::string>& lines) {
  if (!env_.call_service || lines.empty()) return;
  RequestContext c;
  c.request_id = ids::uuid4();
  c.account_id = t.account;
  c.region = t.region;
  c.clock = env_.clock;
  std::string group = "/aws/lambda/" + t.name;
  auto call = [&](const char* op, json in) {
    env_.call_service(c, "logs", op, std::move(in), [](Result) {});
  };
  call("CreateLogGroup", {{"logGroupName", group}});
  call("CreateLogStream", {{"logGroupName", group}, {"logStreamName", stream}});
  json events = json::array();
  int64_t now = now_ms();
  for (const auto& l : lines) events.push_back({{"timestamp", now}, {"message", l}});
  call("PutLogEvents", {{"logGroupName", group}, {"logStreamName", stream}, {"logEvents", std::move(events)}});
}

// ---- asynchronous invocation ----

json LambdaService::event_invoke_config(const Target& t) {
  std::lock_guard lock(mu_);
  Function* f = find_function(t.account, t.region, t.name);
  json c = json::object();
  if (f) {
    auto& all = f->doc["event_invoke"];
    if (auto it = all.find(t.version); it != all.end()) c = *it;
    if (c.empty())
      if (auto it = all.find("$LATEST"); it != all.end() && t.version == "$LATEST") c = *it;
    if (f->doc["config"].contains("DeadLetterConfig")) c["DeadLetterConfig"] = f->doc["config"]["DeadLetterConfig"];
  }
  return c;
}

void LambdaService::enqueue_async(AsyncEvent e) {
  run_on_worker([this, e = std::move(e)]() mutable { run_async(std::move(e)); });
}

void LambdaService::run_async(AsyncEvent e) {
  json cfg = event_invoke_config(e.target);
  int max_retries = cfg.value("MaximumRetryAttempts", 2);
  int64_t max_age_ms = cfg.value("MaximumEventAgeInSeconds", 21600) * 1000LL;
  bool expired = now_ms() - e.enqueued_ms > max_age_ms;
  InvokeOutcome o;
  if (!expired) {
    ++e.attempts;
    o = execute(e.target, e.request_id, e.payload, "");
    if (o.function_error && e.attempts <= max_retries && env_.scheduler) {
      auto delay = std::chrono::minutes(e.attempts);  // AWS: 1 minute, then 2 minutes
      spdlog::info("lambda {} ({}): async attempt {} failed; retry in {} s", e.target.name, e.request_id, e.attempts,
                   std::chrono::duration_cast<std::chrono::seconds>(delay).count());
      env_.scheduler->post_after(delay, [this, alive = alive_, e]() mutable {
        if (*alive) enqueue_async(std::move(e));
      });
      return;
    }
  }
  bool success = !expired && !o.function_error;
  json record = {{"version", "1.0"},
                 {"timestamp", timefmt::iso8601(clock_type::time_point(std::chrono::milliseconds(now_ms())), true)},
                 {"requestContext",
                  {{"requestId", e.request_id},
                   {"functionArn", e.target.arn + ":" + e.target.version},
                   {"condition", success ? "Success" : expired ? "EventAgeExceeded" : "RetriesExhausted"},
                   {"approximateInvokeCount", e.attempts}}},
                 {"requestPayload", json::parse(e.payload, nullptr, false)},
                 {"responseContext", {{"statusCode", 200}, {"executedVersion", e.target.version}}}};
  if (!success) record["responseContext"]["functionError"] = "Unhandled";
  json response = json::parse(o.payload, nullptr, false);
  record["responsePayload"] = response.is_discarded() ? json(o.payload) : response;
  json dc = cfg.value("DestinationConfig", json::object());
  std::string dest = dc.value(success ? "OnSuccess" : "OnFailure", json::object()).value("Destination", "");
  if (!dest.empty()) return send_to_destination(dest, record, e.target.region);
  if (!success) {
    std::string dlq = cfg.value("DeadLetterConfig", json::object()).value("TargetArn", "");
    if (!dlq.empty()) return send_to_destination(dlq, json::parse(e.payload, nullptr, false), e.target.region);
    spdlog::warn("lambda {} ({}): asynchronous invocation failed after {} attempt(s)", e.target.name, e.request_id,
                 e.attempts);
  }
}

void LambdaService::send_to_destination(const std::string& arn, const json& record, const std::string& region) {
  auto a = parse_arn(arn);
  if (!a || !env_.call_service) return;
  RequestContext c;
  c.request_id = ids::uuid4();
  c.account_id = a->account;
  c.region = a->region.empty() ? region : a->region;
  c.clock = env_.clock;
  std::string body = record.dump();
  auto log = [arn](Result r) {
    if (r.error) spdlog::warn("lambda destination {}: {} {}", arn, r.error->code, r.error->message);
  };
  if (a->service == "sqs")
    env_.call_service(c, "sqs", "SendMessage",
                      {{"QueueUrl", "http://localhost/" + a->account + "/" + a->resource}, {"MessageBody", body}}, log);
  else if (a->service == "sns")
    env_.call_service(c, "sns", "Publish", {{"TopicArn", arn}, {"Message", body}}, log);
  else if (a->service == "lambda")
    env_.call_service(c, "lambda", "Invoke", {{"FunctionName", arn}, {"InvocationType", "Event"}, {"Payload", body}}, log);
  else
    spdlog::warn("lambda destination {}: this kind of destination is not emulated", arn);
}

}  // namespace awan::lambda
