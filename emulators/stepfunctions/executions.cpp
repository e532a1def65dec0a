// Execution operations: StartExecution (name idempotency), StartSyncExecution (EXPRESS),
// StopExecution, DescribeExecution, ListExecutions, GetExecutionHistory and
// DescribeStateMachineForExecution.
#include <spdlog/spdlog.h>

#include "core/ids.hpp"
#include "core/timefmt.hpp"
#include "stepfunctions/service_impl.hpp"

namespace awan::stepfunctions {
Result StepFunctionsService::start_execution(const RequestContext& ctx, json& in) { return start(ctx, in, nullptr); }

Result StepFunctionsService::start(const RequestContext& ctx, json& in, Completion* sync) {
  const std::string& sm_arn = required(in, "stateMachineArn");
  if (sm_arn.rfind("arn:aws:states:", 0) != 0 || sm_arn.find(":stateMachine:") == std::string::npos)
    throw errors::invalid_arn(sm_arn);
  auto* m = find_machine(sm_arn);
  if (!m) throw errors::state_machine_does_not_exist(sm_arn);
  bool express = m->doc["type"] == "EXPRESS";
  if (sync && !express)
    throw errors::state_machine_type_not_supported("This operation is not supported by this type of state machine");
  std::string name = in.value("name", ids::uuid4());
  if (name.empty() || name.size() > 80) throw errors::invalid_name(name);
  std::string input_text = in.value("input", "{}");
  json input = json::parse(input_text, nullptr, false);
  if (input.is_discarded() || input_text.size() > 256 * 1024)
    throw errors::invalid_execution_input("Invalid State Machine Execution Input: 'Unrecognized token'");
  std::string sm_name = m->doc["name"];
  std::string arn = express ? arn_prefix(ctx, "express") + sm_name + ":" + name + ":" + ids::uuid4()
                            : arn_prefix(ctx, "execution") + sm_name + ":" + name;
  if (auto it = executions_.find(arn); it != executions_.end()) {
    const auto& d = it->second->doc;
    if (d.value("status", "") == "RUNNING" && d.value("input", "") == input_text)
      return Result::ok({{"executionArn", arn}, {"startDate", d["startDate"]}});
    throw errors::execution_already_exists(arn);
  }
  auto e = std::make_shared<Execution>();
  e->arn = arn;
  e->account = ctx.account_id;
  e->region = ctx.region;
  e->express = express;
  e->definition = m->definition;
  double start = now_s();
  e->doc = {{"executionArn", arn},       {"stateMachineArn", sm_arn}, {"name", name},
            {"status", "RUNNING"},       {"startDate", start},        {"input", input_text},
            {"inputDetails", {{"included", true}}}, {"redriveCount", 0}, {"redriveStatus", "NOT_REDRIVABLE"}};
  e->context = {{"Execution", {{"Id", arn}, {"Input", input}, {"Name", name}, {"RoleArn", m->doc["roleArn"]},
                               {"StartTime", timefmt::iso8601(timefmt::from_epoch_seconds(start), true)}, {"RedriveCount", 0}}},
                {"StateMachine", {{"Id", sm_arn}, {"Name", sm_name}}}};
  add_event(*e, 0, "ExecutionStarted",
            {{"input", input_text}, {"inputDetails", {{"truncated", false}}}, {"roleArn", m->doc["roleArn"]}},
            "executionStartedEventDetails");
  if (!express) executions_[arn] = e;
  save(*e);
  spdlog::info("stepfunctions: execution {} started", arn);
  if (sync) {
    Completion done = std::move(*sync);
    e->waiters.push_back([done, sm_arn](Result r) {
      json d = r.output;
      json out = {{"executionArn", d["executionArn"]}, {"stateMachineArn", sm_arn}, {"name", d["name"]},
                  {"startDate", d["startDate"]}, {"stopDate", d.value("stopDate", 0.0)}, {"status", d["status"]},
                  {"input", d["input"]}, {"inputDetails", {{"included", true}}},
                  {"billingDetails", {{"billedMemoryUsedInMB", 64}, {"billedDurationInMilliseconds", 100}}}};
      for (const char* k : {"output", "error", "cause"})
        if (d.contains(k)) out[k] = d[k];
      if (d.contains("output")) out["outputDetails"] = {{"included", true}};
      done(Result::ok(out));
    });
  }
  run_execution(e, e->definition["StartAt"], std::move(input), json::object());
  return Result::ok({{"executionArn", arn}, {"startDate", start}});
}

Result StepFunctionsService::stop_execution(const RequestContext& ctx, json& in) {
  const std::string& arn = required(in, "executionArn");
  if (arn.rfind("arn:aws:states:", 0) != 0) throw errors::invalid_arn(arn);
  auto e = find_execution(arn);
  if (!e) throw errors::execution_does_not_exist(arn);
  if (!(*e)->finished) {
    finish_execution(*e, Outcome::failure(in.value("error", ""), in.value("cause", "")), "ABORTED");
    *(*e)->live = false;
  }
  return Result::ok({{"stopDate", (*e)->doc.value("stopDate", now_s())}});
}

Result StepFunctionsService::describe_execution(const RequestContext& ctx, json& in) {
  const std::string& arn = required(in, "executionArn");
  if (arn.rfind("arn:aws:states:", 0) != 0 || arn.find(":execution:") == std::string::npos)
    throw errors::invalid_arn(arn);
  auto e = find_execution(arn);
  if (!e) throw errors::execution_does_not_exist(arn);
  return Result::ok((*e)->doc);
}

Result StepFunctionsService::list_executions(const RequestContext& ctx, json& in) {
  std::string sm = in.value("stateMachineArn", "");
  if (sm.empty()) throw AwsError::validation("Must provide a StateMachine ARN or MapRun ARN");
  if (!find_machine(sm)) throw errors::state_machine_does_not_exist(sm);
  std::string filter = in.value("statusFilter", "");
  // Newest first; only the page is rendered.
  std::vector<std::pair<double, const Execution*>> matching;
  for (const auto& [arn, e] : executions_) {
    const json& d = e->doc;
    if (d["stateMachineArn"].get_ref<const std::string&>() != sm) continue;
    if (!filter.empty() && d["status"].get_ref<const std::string&>() != filter) continue;
    matching.emplace_back(d["startDate"].get<double>(), e.get());
  }
  std::stable_sort(matching.begin(), matching.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  size_t start = 0;
  if (in.contains("nextToken") && in["nextToken"].is_string()) {
    try {
      start = std::stoul(in["nextToken"].get<std::string>());
    } catch (...) {
      throw errors::invalid_token();
    }
  }
  size_t max = in.value("maxResults", 100);
  if (max == 0 || max > 1000) max = 100;
  json out = {{"executions", json::array()}};
  for (size_t i = start; i < matching.size() && i < start + max; ++i) {
    const json& d = matching[i].second->doc;
    json item = {{"executionArn", d["executionArn"]}, {"stateMachineArn", sm}, {"name", d["name"]},
                 {"status", d["status"]}, {"startDate", d["startDate"]}, {"redriveCount", 0}};
    if (d.contains("stopDate")) item["stopDate"] = d["stopDate"];
    out["executions"].push_back(std::move(item));
  }
  if (start + max < matching.size()) out["nextToken"] = std::to_string(start + max);
  return Result::ok(out);
}

Result StepFunctionsService::get_execution_history(const RequestContext& ctx, json& in) {
  const std::string& arn = required(in, "executionArn");
  if (arn.rfind("arn:aws:states:", 0) != 0) throw errors::invalid_arn(arn);
  auto e = find_execution(arn);
  if (!e) throw errors::execution_does_not_exist(arn);
  std::vector<json> events = (*e)->events;
  if (in.value("reverseOrder", false)) std::reverse(events.begin(), events.end());
  if (in.contains("includeExecutionData") && in["includeExecutionData"] == false)
    for (auto& ev : events)
      for (auto it = ev.begin(); it != ev.end(); ++it)
        if (it->is_object()) {
          for (const char* k : {"input", "output"}) it->erase(k);
        }
  return Result::ok(list_page(events, in, "events"));
}

Result StepFunctionsService::describe_state_machine_for_execution(const RequestContext& ctx, json& in) {
  const std::string& arn = required(in, "executionArn");
  auto e = find_execution(arn);
  if (!e) throw errors::execution_does_not_exist(arn);
  auto* m = find_machine((*e)->doc["stateMachineArn"]);
  json out = {{"stateMachineArn", (*e)->doc["stateMachineArn"]}, {"definition", (*e)->definition.dump()}, {"updateDate", (*e)->doc["startDate"]}};
  if (m) {
    for (const char* k : {"name", "roleArn", "loggingConfiguration", "tracingConfiguration", "revisionId"})
      if (m->doc.contains(k)) out[k] = m->doc[k];
    out["definition"] = m->doc["definition"];
  }
  return Result::ok(out);
}

}  // namespace awan::stepfunctions
