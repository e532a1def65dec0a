// Task resources: Lambda function ARNs, the optimized integrations (lambda:invoke, dynamodb,
// sqs, sns, states:startExecution), aws-sdk:<service>:<operation>, .waitForTaskToken and
// activities. Every call goes through ServiceEnv::call_service, off the service's lock.
#include <spdlog/spdlog.h>

#include "core/arn.hpp"
#include "core/ids.hpp"
#include "stepfunctions/paths.hpp"
#include "stepfunctions/service_impl.hpp"

namespace awan::stepfunctions {

namespace {

std::string pascal(const std::string& s) {
  std::string out = s;
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

json pascal_keys(const json& v, int depth = 0) {
  if (depth > 64) return v;
  if (v.is_array()) {
    json out = json::array();
    for (const auto& x : v) out.push_back(pascal_keys(x, depth + 1));
    return out;
  }
  if (!v.is_object()) return v;
  json out = json::object();
  for (auto it = v.begin(); it != v.end(); ++it) out[pascal(it.key())] = pascal_keys(it.value(), depth + 1);
  return out;
}

// The service names of aws-sdk errors ("DynamoDb.ResourceNotFoundException").
std::string sdk_service_name(const std::string& service) {
  if (service == "dynamodb") return "DynamoDb";
  if (service == "sqs") return "Sqs";
  if (service == "sns") return "Sns";
  if (service == "s3") return "S3";
  if (service == "lambda") return "Lambda";
  return pascal(service);
}

struct Optimized {
  const char* resource;
  const char* service;
  const char* operation;
  const char* error_prefix;
};
const Optimized kOptimized[] = {
    {"dynamodb:getItem", "dynamodb", "GetItem", "DynamoDB"},
    {"dynamodb:putItem", "dynamodb", "PutItem", "DynamoDB"},
    {"dynamodb:updateItem", "dynamodb", "UpdateItem", "DynamoDB"},
    {"dynamodb:deleteItem", "dynamodb", "DeleteItem", "DynamoDB"},
    {"sqs:sendMessage", "sqs", "SendMessage", "SQS"},
    {"sns:publish", "sns", "Publish", "SNS"},
};

// The answer of states:startExecution.sync: the child's DescribeExecution in the SDK's
// member names, dates in epoch milliseconds; Input/Output JSON text (.sync) or JSON (.sync:2).
json sync_output(const json& d, bool parsed) {
  json out = json::object();
  for (auto it = d.begin(); it != d.end(); ++it) {
    const std::string& k = it.key();
    if (k.empty() || k[0] == '_' || k == "redriveStatusReason") continue;
    std::string name = pascal(k);
    if ((k == "startDate" || k == "stopDate" || k == "redriveDate") && it->is_number())
      out[name] = static_cast<int64_t>(it->get<double>() * 1000);
    else if ((k == "input" || k == "output") && parsed && it->is_string())
      out[name] = json::parse(it->get<std::string>(), nullptr, false);
    else if (k == "inputDetails" || k == "outputDetails")
      out[name] = {{"Included", it->value("included", true)}};
    else
      out[name] = *it;
  }
  return out;
}

}  // namespace

void StepFunctionsService::call(const Execution& e, const std::string& service, const std::string& operation, json input,
                                std::function<void(Result)> done, std::shared_ptr<Payload> payload) {
  if (!env_.call_service) {
    done(Result::fail(AwsError::not_implemented("cross-service calls")));
    return;
  }
  RequestContext ctx;
  ctx.request_id = ids::uuid4();
  ctx.account_id = e.account;
  ctx.region = e.region;
  ctx.service = service;
  ctx.operation = operation;
  ctx.clock = env_.clock;
  ctx.payload = std::move(payload);
  // Off the lock: the callee may call back into Step Functions (SendTaskSuccess).
  post(std::chrono::milliseconds(0), [this, ctx, service, operation, input = std::move(input), done]() mutable {
    env_.call_service(ctx, service, operation, std::move(input), done);
  });
}

void StepFunctionsService::run_task(const FramePtr& f, const std::string& name, const json& st, json params,
                                    OutcomeFn done, const json& limits) {
  Execution& e = *f->exec;
  std::string resource = st["Resource"];
  bool wait_token = false;
  std::string base = resource;
  if (auto p = base.find(".waitForTaskToken"); p != std::string::npos) {
    wait_token = true;
    base = base.substr(0, p);
  }
  bool sync = false, sync2 = false;  // .sync:2 answers with the child's Input/Output as JSON
  if (auto p = base.find(".sync"); p != std::string::npos) {
    sync = true;
    sync2 = base.compare(p, std::string::npos, ".sync:2") == 0;
    base = base.substr(0, p);
  }
  // The timeout and the settled flag shared by every way the task may end.
  auto settled = std::make_shared<bool>(false);
  auto finish = [this, f, settled, done](Outcome o) {
    std::lock_guard lock(mu_);
    if (*settled || f->stopped()) return;
    *settled = true;
    done(std::move(o));
  };
  auto limit = [&](const char* field) -> int64_t {
    if (limits.contains(field)) return limits[field].get<int64_t>();
    return st.contains(field) && st[field].is_number_integer() ? st[field].get<int64_t>() : 0;
  };
  const int64_t heartbeat = limit("HeartbeatSeconds");
  int64_t timeout = limit("TimeoutSeconds");
  if (st.contains("TimeoutSecondsPath")) {
    json ctx = e.context, vars = f->variables;
    auto v = paths::resolve(st["TimeoutSecondsPath"], paths::Scope{params, ctx, vars});
    if (v && v->is_number_integer()) timeout = v->get<int64_t>();
  }
  if (timeout <= 0 && (wait_token || resource.find(":activity:") != std::string::npos)) timeout = 99999999;
  if (timeout > 0 && timeout < 99999999)
    post(std::chrono::seconds(timeout), [this, f, finish, name] {
      std::lock_guard lock(mu_);
      add_event(f, "TaskTimedOut", {{"error", "States.Timeout"}, {"cause", ""}}, "taskTimedOutEventDetails");
      finish(Outcome::failure("States.Timeout", ""));
    });

  auto a = parse_arn(resource);
  // An activity.
  if (a && a->service == "states" && a->resource.rfind("activity:", 0) == 0) {
    if (!activities_.count(resource)) return done(Outcome::failure("States.Runtime", "Activity does not exist: " + resource));
    add_event(f, "ActivityScheduled", {{"resource", resource}, {"input", params.dump()}, {"inputDetails", {{"truncated", false}}}},
              "activityScheduledEventDetails");
    std::string token = ids::uuid4() + ids::uuid4();
    TaskToken t;
    t.token = token;
    t.activity_arn = resource;
    t.input = params;
    t.heartbeat_seconds = heartbeat;
    t.resume = [this, f, finish](Outcome o) {
      std::lock_guard lock(mu_);
      if (o.ok) add_event(f, "ActivitySucceeded", {{"output", o.output.dump()}, {"outputDetails", {{"truncated", false}}}}, "activitySucceededEventDetails");
      else add_event(f, "ActivityFailed", {{"error", o.error}, {"cause", o.cause}}, "activityFailedEventDetails");
      finish(std::move(o));
    };
    tokens_[token] = std::move(t);
    arm_heartbeat(token);
    activity_queue_[resource].push_back(token);
    std::vector<std::function<void()>> after;
    match_pollers(resource, after);
    for (auto& fn : after) post(std::chrono::milliseconds(0), fn);
    return;
  }

  std::string service, operation, resource_type, integration;
  json input;
  bool lambda_function = false;
  std::string error_prefix;
  bool output_is_payload = false;
  if (a && a->service == "lambda") {
    lambda_function = true;
    service = "lambda";
    operation = "Invoke";
    input = {{"FunctionName", resource}, {"Payload", params.dump()}};
    output_is_payload = true;
  } else if (base == "arn:aws:states:::lambda:invoke") {
    service = "lambda";
    operation = "Invoke";
    resource_type = "lambda";
    integration = "invoke";
    input = {{"FunctionName", params.value("FunctionName", "")}};
    if (params.contains("Payload")) input["Payload"] = params["Payload"].dump();
    if (params.contains("InvocationType")) input["InvocationType"] = params["InvocationType"];
    if (params.contains("Qualifier")) input["Qualifier"] = params["Qualifier"];
    error_prefix = "Lambda";
  } else if (base == "arn:aws:states:::states:startExecution") {
    resource_type = "states";
    integration = "startExecution";
    service = "stepfunctions";
    operation = "StartExecution";
    // The integration's members (StateMachineArn, Input, Name) are the API's, capitalised.
    input = json::object();
    for (auto it = params.begin(); it != params.end(); ++it) {
      std::string k = it.key();
      if (!k.empty() && k[0] >= 'A' && k[0] <= 'Z') k[0] = static_cast<char>(k[0] - 'A' + 'a');
      input[k] = it.value();
    }
    if (input.contains("input") && !input["input"].is_string()) input["input"] = input["input"].dump();
    error_prefix = "StepFunctions";
  } else if (base.rfind("arn:aws:states:::aws-sdk:", 0) == 0) {
    std::string rest = base.substr(std::string("arn:aws:states:::aws-sdk:").size());
    auto colon = rest.find(':');
    if (colon == std::string::npos) return done(Outcome::failure("States.Runtime", "Invalid resource " + resource));
    service = rest.substr(0, colon);
    operation = pascal(rest.substr(colon + 1));
    resource_type = service;
    integration = rest.substr(colon + 1);
    input = pascal_keys(params);
    error_prefix = sdk_service_name(service);
    if (service == "sfn") service = "stepfunctions";
  } else {
    for (const auto& o : kOptimized)
      if (base == std::string("arn:aws:states:::") + o.resource) {
        service = o.service;
        operation = o.operation;
        resource_type = service;
        integration = std::string(o.resource).substr(std::string(o.resource).find(':') + 1);
        error_prefix = o.error_prefix;
        input = params;
        if (service == "sqs" && input.contains("MessageBody") && !input["MessageBody"].is_string())
          input["MessageBody"] = input["MessageBody"].dump();
        if (service == "sns" && input.contains("Message") && !input["Message"].is_string())
          input["Message"] = input["Message"].dump();
      }
  }
  if (service.empty()) return done(Outcome::failure("States.Runtime", "Unsupported Task resource " + resource));

  std::string token;
  if (wait_token) {
    token = e.context.contains("Task") ? e.context["Task"].value("Token", "") : "";
    if (token.empty()) token = ids::uuid4() + ids::uuid4();
    TaskToken t;
    t.token = token;
    t.heartbeat_seconds = heartbeat;
    t.resume = [this, f, finish, resource_type, integration](Outcome o) {
      std::lock_guard lock(mu_);
      if (o.ok)
        add_event(f, "TaskSucceeded", {{"resourceType", resource_type}, {"resource", integration + ".waitForTaskToken"},
                                        {"output", o.output.dump()}, {"outputDetails", {{"truncated", false}}}},
                  "taskSucceededEventDetails");
      else
        add_event(f, "TaskFailed", {{"resourceType", resource_type}, {"resource", integration + ".waitForTaskToken"},
                                     {"error", o.error}, {"cause", o.cause}}, "taskFailedEventDetails");
      finish(std::move(o));
    };
    tokens_[token] = std::move(t);
    arm_heartbeat(token);
  }

  if (lambda_function) {
    add_event(f, "LambdaFunctionScheduled", {{"resource", resource}, {"input", params.dump()}, {"inputDetails", {{"truncated", false}}}},
              "lambdaFunctionScheduledEventDetails");
    add_event(f, "LambdaFunctionStarted", nullptr, nullptr);
  } else {
    std::string res = integration + (sync2 ? ".sync:2" : sync ? ".sync" : "") + (wait_token ? ".waitForTaskToken" : "");
    add_event(f, "TaskScheduled", {{"resourceType", resource_type}, {"resource", res}, {"region", e.region},
                                    {"parameters", params.dump()}},
              "taskScheduledEventDetails");
    add_event(f, "TaskStarted", {{"resourceType", resource_type}, {"resource", res}}, "taskStartedEventDetails");
  }

  auto on_result = [this, f, finish, lambda_function, output_is_payload, resource, resource_type, integration, error_prefix,
                    wait_token, sync, sync2, token, service](Result r) {
    std::unique_lock lock(mu_);
    if (f->stopped()) return;
    Outcome o;
    if (r.is_error()) {
      std::string code = r.error->code;
      o = Outcome::failure(lambda_function ? "Lambda." + code : error_prefix + "." + code, r.error->message);
    } else if (service == "lambda" && r.output.contains("FunctionError") && r.output["FunctionError"].is_string() &&
               !r.output["FunctionError"].get<std::string>().empty()) {
      std::string payload = r.output.value("Payload", "");
      json p = json::parse(payload, nullptr, false);
      std::string error = p.is_object() && p.contains("errorType") && p["errorType"].is_string()
                              ? p["errorType"].get<std::string>()
                              : r.output["FunctionError"].get<std::string>();
      o = Outcome::failure(error, payload);
    } else if (output_is_payload) {
      std::string payload = r.output.value("Payload", "");
      json p = payload.empty() ? json(nullptr) : json::parse(payload, nullptr, false);
      o.output = p.is_discarded() ? json(payload) : p;
    } else if (service == "lambda") {
      std::string payload = r.output.value("Payload", "");
      json p = payload.empty() ? json(nullptr) : json::parse(payload, nullptr, false);
      o.output = {{"ExecutedVersion", r.output.value("ExecutedVersion", "$LATEST")},
                  {"Payload", p.is_discarded() ? json(payload) : p},
                  {"SdkHttpMetadata", {{"HttpStatusCode", r.output.value("StatusCode", 200)}}},
                  {"SdkResponseMetadata", {{"RequestId", ids::uuid4()}}},
                  {"StatusCode", r.output.value("StatusCode", 200)}};
    } else {
      o.output = r.output;
    }
    if (wait_token && o.ok) return;  // the token's SendTaskSuccess / Failure ends the task
    if (wait_token) tokens_.erase(token);
    if (lambda_function) {
      if (o.ok) add_event(f, "LambdaFunctionSucceeded", {{"output", o.output.dump()}, {"outputDetails", {{"truncated", false}}}},
                          "lambdaFunctionSucceededEventDetails");
      else add_event(f, "LambdaFunctionFailed", {{"error", o.error}, {"cause", o.cause}}, "lambdaFunctionFailedEventDetails");
    } else if (!(sync && o.ok)) {
      if (o.ok)
        add_event(f, "TaskSucceeded", {{"resourceType", resource_type}, {"resource", integration}, {"output", o.output.dump()},
                                        {"outputDetails", {{"truncated", false}}}}, "taskSucceededEventDetails");
      else
        add_event(f, "TaskFailed", {{"resourceType", resource_type}, {"resource", integration}, {"error", o.error},
                                     {"cause", o.cause}}, "taskFailedEventDetails");
    }
    if (sync && o.ok && service == "stepfunctions") {
      // .sync: wait for the child execution to end.
      std::string child = o.output.value("executionArn", "");
      auto it = executions_.find(child);
      if (it == executions_.end()) return finish(Outcome::failure("States.TaskFailed", "child execution not found"));
      auto complete = [this, f, finish, resource_type, integration, sync2](Result r2) {
        json d = sync_output(r2.output, sync2);
        Outcome out;
        if (d.value("Status", "") == "SUCCEEDED") out.output = d;
        else out = Outcome::failure("States.TaskFailed", d.dump());
        std::lock_guard l2(mu_);
        if (out.ok)
          add_event(f, "TaskSucceeded", {{"resourceType", resource_type}, {"resource", integration + (sync2 ? ".sync:2" : ".sync")},
                                          {"output", out.output.dump()}, {"outputDetails", {{"truncated", false}}}},
                    "taskSucceededEventDetails");
        else
          add_event(f, "TaskFailed", {{"resourceType", resource_type}, {"resource", integration + (sync2 ? ".sync:2" : ".sync")},
                                       {"error", out.error}, {"cause", out.cause}}, "taskFailedEventDetails");
        finish(std::move(out));
      };
      if (it->second->finished) {
        json d = it->second->doc;
        lock.unlock();
        return complete(Result::ok(d));
      }
      it->second->waiters.push_back(complete);
      return;
    }
    lock.unlock();
    finish(std::move(o));
  };

  call(e, service, operation, std::move(input), on_result);
}

}  // namespace awan::stepfunctions
