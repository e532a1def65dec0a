// Execution operations: StartExecution (name idempotency; state machine, version or alias
// ARNs), StartSyncExecution (EXPRESS), StopExecution, DescribeExecution, ListExecutions,
// GetExecutionHistory, DescribeStateMachineForExecution and RedriveExecution; also for the
// child executions of map runs (map_children.cpp): ListExecutions by mapRunArn.
#include <spdlog/spdlog.h>

#include "core/ids.hpp"
#include "core/timefmt.hpp"
#include "stepfunctions/service_impl.hpp"
#include "stepfunctions/variables.hpp"

namespace awan::stepfunctions {
Result StepFunctionsService::start_execution(const RequestContext& ctx, json& in) { return start(ctx, in, nullptr); }

Result StepFunctionsService::start(const RequestContext& ctx, json& in, Completion* sync) {
  const std::string& target_arn = required(in, "stateMachineArn");
  Target target = resolve_target(target_arn);
  StateMachine* m = target.machine;
  const std::string sm_arn = target.base_arn;
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
            {"inputDetails", {{"included", true}}}, {"redriveCount", 0}, {"redriveStatus", "NOT_REDRIVABLE"},
            {"redriveStatusReason", "Execution is RUNNING and cannot be redriven"}};
  if (!target.version_arn.empty()) e->doc["stateMachineVersionArn"] = target.version_arn;
  if (!target.alias_arn.empty()) e->doc["stateMachineAliasArn"] = target.alias_arn;
  e->context = {{"Execution", {{"Id", arn}, {"Input", input}, {"Name", name}, {"RoleArn", m->doc["roleArn"]},
                               {"StartTime", timefmt::iso8601(timefmt::from_epoch_seconds(start), true)}, {"RedriveCount", 0}}},
                {"StateMachine", {{"Id", target_arn}, {"Name", sm_name}}}};
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
      json out = {{"executionArn", d["executionArn"]}, {"stateMachineArn", d["stateMachineArn"]}, {"name", d["name"]},
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
  if ((*e)->finished) set_redrive_status(**e);  // the 14-day period runs on the clock
  return Result::ok((*e)->doc);
}

Result StepFunctionsService::list_executions(const RequestContext& ctx, json& in) {
  std::string sm = in.value("stateMachineArn", "");
  std::string map_run = in.value("mapRunArn", "");
  if (sm.empty() && map_run.empty()) throw AwsError::validation("Must provide a StateMachine ARN or MapRun ARN");
  if (!sm.empty() && !map_run.empty())
    throw AwsError::validation("Must provide only one of StateMachine ARN or MapRun ARN");
  if (!map_run.empty()) return list_map_run_executions(map_run, in);
  MachineRef ref = split_machine_arn(sm);
  if (!ref.valid) throw errors::invalid_arn(sm);
  if (ref.alias) {
    if (!aliases_.count(sm)) throw errors::resource_not_found("Resource not found: '" + sm + "'");
  } else if (!find_machine(sm)) {
    throw errors::state_machine_does_not_exist(sm);
  }
  const char* member = ref.version ? "stateMachineVersionArn" : ref.alias ? "stateMachineAliasArn" : "stateMachineArn";
  std::string filter = in.value("statusFilter", "");
  std::string redrive_filter = in.value("redriveFilter", "");
  std::vector<const Execution*> matching;
  for (const auto& [arn, e] : executions_) {
    const json& d = e->doc;
    if (d.value(member, "") != sm) continue;
    if (!filter.empty() && d["status"].get_ref<const std::string&>() != filter) continue;
    if (!redrive_filter.empty() && (d.value("redriveCount", 0) > 0) != (redrive_filter == "REDRIVEN")) continue;
    matching.push_back(e.get());
  }
  return Result::ok(list_page_of(std::move(matching), in));
}

Result StepFunctionsService::list_map_run_executions(const std::string& map_run, const json& in) {
  if (map_run.rfind("arn:aws:states:", 0) != 0 || map_run.find(":mapRun:") == std::string::npos)
    throw errors::invalid_arn(map_run);
  auto it = map_runs_.find(map_run);
  if (it == map_runs_.end()) throw errors::resource_not_found("Resource not found: '" + map_run + "'");
  std::string filter = in.value("statusFilter", "");
  std::string redrive_filter = in.value("redriveFilter", "");
  // Its STANDARD children (EXPRESS executions are not kept).
  std::vector<const Execution*> matching;
  for (const auto& c : it->second->children) {
    if (!c || c->express) continue;
    const json& d = c->doc;
    if (!filter.empty() && d["status"].get_ref<const std::string&>() != filter) continue;
    if (!redrive_filter.empty() && (d.value("redriveCount", 0) > 0) != (redrive_filter == "REDRIVEN")) continue;
    matching.push_back(c.get());
  }
  return Result::ok(list_page_of(std::move(matching), in));
}

json StepFunctionsService::list_page_of(std::vector<const Execution*> matching, const json& in) {
  // Newest first; only the page is rendered.
  std::stable_sort(matching.begin(), matching.end(), [](const Execution* a, const Execution* b) {
    return a->doc["startDate"].get<double>() > b->doc["startDate"].get<double>();
  });
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
    const json& d = matching[i]->doc;
    json item = {{"executionArn", d["executionArn"]}, {"stateMachineArn", d["stateMachineArn"]}, {"name", d["name"]},
                 {"status", d["status"]}, {"startDate", d["startDate"]}, {"redriveCount", d.value("redriveCount", 0)}};
    for (const char* k : {"stopDate", "redriveDate", "stateMachineVersionArn", "stateMachineAliasArn", "mapRunArn"})
      if (d.contains(k)) item[k] = d[k];
    if (d.contains("mapRunArn")) item["itemCount"] = matching[i]->item_count;  // only for a map run's children
    out["executions"].push_back(std::move(item));
  }
  if (start + max < matching.size()) out["nextToken"] = std::to_string(start + max);
  return out;
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
  if (arn.rfind("arn:aws:states:", 0) != 0 || arn.find(":execution:") == std::string::npos) throw errors::invalid_arn(arn);
  auto e = find_execution(arn);
  if (!e) throw errors::execution_does_not_exist(arn);
  const json& d = (*e)->doc;
  // The machine the execution ran: its version when it was started from a version or an alias.
  std::string ran = d.value("stateMachineVersionArn", d.value("stateMachineArn", ""));
  auto* m = find_machine(ran);
  json out = {{"stateMachineArn", ran}, {"definition", (*e)->definition.dump()}, {"updateDate", d["startDate"]}};
  if (d.contains("mapRunArn")) {  // a map run's child: the ItemProcessor as `<machine>/<label>`
    std::string path = ran.substr(ran.find(":stateMachine:") + 14);
    out["name"] = path;
    out["mapRunArn"] = d["mapRunArn"];
    out["label"] = path.substr(path.rfind('/') + 1);
    const json& ctx = (*e)->context;
    if (ctx.contains("Execution") && ctx["Execution"].contains("RoleArn")) out["roleArn"] = ctx["Execution"]["RoleArn"];
  }
  bool all = all_data(in);
  out["encryptionConfiguration"] = json{{"type", "AWS_OWNED_KEY"}};
  if (m) {
    for (const char* k : {"name", "roleArn", "loggingConfiguration", "tracingConfiguration", "revisionId", "definition",
                          "encryptionConfiguration"})
      if (m->doc.contains(k)) out[k] = m->doc[k];
    out["updateDate"] = m->doc["creationDate"];
  }
  if (!all) out["definition"] = "{}";
  else if (json refs = variables::references((*e)->definition); !refs.empty()) out["variableReferences"] = std::move(refs);
  return Result::ok(out);
}

std::string StepFunctionsService::not_redrivable_reason(const Execution& e) const {
  const std::string status = e.doc.value("status", "");
  if (status == "RUNNING" || status == "SUCCEEDED") return "Execution is " + status + " and cannot be redriven";
  if (e.express) return "Execution of an EXPRESS state machine cannot be redriven";
  // A map run's child runs the ItemProcessor of its parent's machine, not a machine of its own.
  if (!e.doc.contains("mapRunArn") && !machines_.count(e.doc.value("stateMachineArn", "")))
    return "State machine is in DELETING status";
  constexpr double kRedrivablePeriod = 14 * 24 * 3600.0;
  if (now_s() - e.doc.value("stopDate", now_s()) > kRedrivablePeriod) return "Execution redrivable period exceeded";
  if (e.next_event_id > 25000) return "Execution history event limit exceeded";
  return "";
}

void StepFunctionsService::set_redrive_status(Execution& e) {
  std::string reason = not_redrivable_reason(e);
  e.doc["redriveStatus"] = reason.empty() ? "REDRIVABLE" : "NOT_REDRIVABLE";
  if (reason.empty()) e.doc.erase("redriveStatusReason");
  else e.doc["redriveStatusReason"] = reason;
}

Result StepFunctionsService::redrive_execution(const RequestContext& ctx, json& in) {
  const std::string& arn = required(in, "executionArn");
  if (arn.rfind("arn:aws:states:", 0) == 0 && arn.find(":express:") != std::string::npos)
    throw errors::execution_not_redrivable("Execution of an EXPRESS state machine cannot be redriven");
  if (arn.rfind("arn:aws:states:", 0) != 0 || arn.find(":execution:") == std::string::npos) throw errors::invalid_arn(arn);
  std::string token;
  if (auto t = in.find("clientToken"); t != in.end() && !t->is_null()) {
    token = t->is_string() ? t->get<std::string>() : t->dump();
    if (token.empty() || token.size() > 64)
      throw errors::validation("1 validation error detected: Value '" + token + "' at 'clientToken' failed to satisfy "
                               "constraint: Member must have length " +
                               (token.empty() ? "greater than or equal to 1" : "less than or equal to 64"));
    for (unsigned char c : token)
      if (c < '!' || c > '~')
        throw errors::validation("1 validation error detected: Value '" + token + "' at 'clientToken' failed to satisfy "
                                 "constraint: Member must satisfy regular expression pattern: [!-~]+");
  }
  auto found = find_execution(arn);
  if (!found) throw errors::execution_does_not_exist(arn);
  ExecutionPtr e = *found;
  // The same token within 15 minutes of its first use: the answer of that redrive, no second one.
  constexpr double kTokenLifetime = 15 * 60.0;
  constexpr size_t kTokensKept = 10;
  auto& tokens = e->redrive_tokens;
  while (!tokens.empty() && now_s() - tokens.front().first_used > kTokenLifetime) tokens.pop_front();
  if (!token.empty())
    for (const auto& t : tokens)
      if (t.token == token && now_s() - t.first_used <= kTokenLifetime) return Result::ok({{"redriveDate", t.redrive_date}});
  std::string reason = not_redrivable_reason(*e);
  if (!reason.empty()) throw errors::execution_not_redrivable(reason);
  double date = redrive(e);
  if (!token.empty()) {
    tokens.push_back({token, now_s(), date});
    while (tokens.size() > kTokensKept) tokens.pop_front();
    save(*e);
  }
  return Result::ok({{"redriveDate", date}});
}

double StepFunctionsService::redrive(const ExecutionPtr& e) {
  const std::string& arn = e->arn;
  int64_t count = e->doc.value("redriveCount", 0) + 1;
  double now = now_s();
  for (const char* k : {"stopDate", "error", "cause", "output", "outputDetails"}) e->doc.erase(k);
  e->doc["status"] = "RUNNING";
  e->doc["redriveCount"] = count;
  e->doc["redriveDate"] = now;
  set_redrive_status(*e);
  e->finished = false;
  e->live = std::make_shared<bool>(true);  // a new run: the old run's pending work stays stopped
  e->context["Execution"]["RedriveCount"] = count;
  add_event(*e, e->next_event_id - 1, "ExecutionRedriven", {{"redriveCount", count}}, "executionRedrivenEventDetails");
  // From the state it failed in, with that state's input and the variables of that moment; in a
  // Parallel or inline Map, only the branches and iterations that did not succeed run again,
  // each from the state it stopped in. A copy: the old run's frames keep theirs.
  CheckpointPtr from = e->redrive_point ? Checkpoint::from_json(e->redrive_point->to_json()) : nullptr;
  e->redrive_point = nullptr;
  save(*e);
  if (!from) {
    spdlog::info("stepfunctions: execution {} redriven ({}) from the start", arn, count);
    run_execution(e, e->definition["StartAt"], json::parse(e->doc.value("input", "{}"), nullptr, false), json::object());
  } else {
    spdlog::info("stepfunctions: execution {} redriven ({}) at state {}", arn, count, from->state);
    run_execution(e, from->state, from->input, from->variables, from, false);
  }
  return now;
}

}  // namespace awan::stepfunctions
