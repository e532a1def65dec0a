// The Step Functions service: construction (reloading state and resuming running executions),
// reset, shared helpers and the operation dispatch table.
#include <spdlog/spdlog.h>

#include "core/operation.hpp"
#include "stepfunctions/service_impl.hpp"
#include "stepfunctions/stepfunctions.hpp"

namespace awan::stepfunctions {

StepFunctionsService::StepFunctionsService(const ServiceEnv& env)
    : env_(env),
      persistent_(!env.data_dir.empty()),
      store_(env.db_path("stepfunctions"), storage::durability(env.sync_full)) {
  for (auto& d : store_.all("sm")) {
    StateMachine m;
    m.definition = json::parse(d.value("definition", "{}"), nullptr, false);
    m.doc = std::move(d);
    machines_[m.arn()] = std::move(m);
  }
  for (auto& d : store_.all("activity")) activities_[d["activityArn"]] = d;
  for (auto& d : store_.all("alias")) aliases_[d["stateMachineAliasArn"]] = d;
  for (auto& d : store_.all("maprun")) {
    auto r = std::make_shared<MapRun>();
    r->max_concurrency = d.value("maxConcurrency", 0);
    r->tolerated_pct = d.value("toleratedFailurePercentage", -1.0);
    r->tolerated_count = d.value("toleratedFailureCount", -1);
    r->doc = std::move(d);
    map_runs_[r->doc["mapRunArn"]] = r;
  }
  std::vector<ExecutionPtr> running;
  for (auto& d : store_.all("execution")) {
    auto e = std::make_shared<Execution>();
    e->arn = d["executionArn"];
    e->account = d.value("_account", env_.default_account_id);
    e->region = d.value("_region", env_.default_region);
    e->definition = d["_definition"];
    e->context = d["_context"];
    e->checkpoint = Checkpoint::from_json(d.value("_checkpoint", json()));
    e->redrive_point = Checkpoint::from_json(d.value("_redrive", json()));
    e->next_event_id = d.value("_next_event", 1);
    e->map_index = d.value("_mapIndex", size_t{0});
    e->item_count = d.value("_items", int64_t{1});
    if (auto t = d.find("_redriveTokens"); t != d.end() && t->is_array())
      for (const auto& x : *t)
        if (x.is_object() && x.contains("token") && x["token"].is_string() && x.value("firstUsed", json()).is_number() &&
            x.value("redriveDate", json()).is_number())
          e->redrive_tokens.push_back({x["token"], x["firstUsed"].get<double>(), x["redriveDate"].get<double>()});
    for (const char* k : {"_account", "_region", "_definition", "_context", "_checkpoint", "_redrive", "_next_event",
                          "_mapIndex", "_items", "_redriveTokens"})
      d.erase(k);
    e->doc = std::move(d);
    e->events = store_.events(e->arn);
    if (!e->events.empty()) e->next_event_id = e->events.back()["id"].get<int64_t>() + 1;
    e->finished = e->doc.value("status", "") != "RUNNING";
    executions_[e->arn] = e;
    // A map run's child belongs to its run; a running one continues when its parent's Map does.
    if (e->doc.contains("mapRunArn")) {
      auto run = map_runs_.find(e->doc["mapRunArn"].get<std::string>());
      if (run != map_runs_.end() && e->map_index < 10'000'000) {
        auto& children = run->second->children;
        if (children.size() <= e->map_index) children.resize(e->map_index + 1);
        children[e->map_index] = e;
      }
      continue;
    }
    if (!e->finished) running.push_back(e);
  }
  // A map run left running by a parent that is not (an EXPRESS parent is not kept) ends ABORTED
  // with its running children; the others continue when their parent's Map does.
  for (auto& [arn, run] : map_runs_) {
    if (run->doc.value("status", "") != "RUNNING") continue;
    auto parent = executions_.find(run->doc.value("executionArn", ""));
    if (parent != executions_.end() && !parent->second->finished) continue;
    run->doc["status"] = "ABORTED";
    run->doc["stopDate"] = now_s();
    for (auto& c : run->children) {
      if (!c || c->finished) continue;
      c->finished = true;
      c->doc["status"] = "ABORTED";
      c->doc["stopDate"] = now_s();
      c->redrive_point = c->checkpoint;
      c->checkpoint = nullptr;
      set_redrive_status(*c);
      save(*c);
    }
    recount(*run);
    save_map_run(*run);
  }
  // Resume: each running execution from the state it was in (and its branches from theirs).
  for (auto& e : running) {
    if (!e->checkpoint) {
      json in = json::parse(e->doc.value("input", "{}"), nullptr, false);
      run_execution(e, e->definition["StartAt"], in, json::object());
      continue;
    }
    spdlog::info("stepfunctions: resuming {} at state {}", e->arn, e->checkpoint->state);
    // The state is run again (it was entered before the restart): no second Entered event.
    CheckpointPtr cp = e->checkpoint;
    run_execution(e, cp->state, cp->input, cp->variables, cp, true);
  }
}

StepFunctionsService::~StepFunctionsService() {
  *alive_ = false;
  release_map_runs();
}

void StepFunctionsService::release_map_runs() {
  // A running map run and its executions refer to each other (relaunch, on_finish): let go.
  for (auto& [arn, run] : map_runs_) {
    run->relaunch = nullptr;
    run->children.clear();
  }
  for (auto& [arn, e] : executions_) {
    e->on_finish = nullptr;
    e->map_runs.clear();
  }
}

void StepFunctionsService::shutdown() {
  std::lock_guard lock(mu_);
  *alive_ = false;
  stopping_ = true;
}

void StepFunctionsService::drain() {
  std::vector<Poller> pollers;
  {
    std::lock_guard lock(mu_);
    pollers.assign(pollers_.begin(), pollers_.end());
    pollers_.clear();
  }
  for (auto& p : pollers) p.done(Result::ok(json::object()));
}

void StepFunctionsService::reset() {
  std::lock_guard lock(mu_);
  for (auto& [arn, e] : executions_) *e->live = false;
  release_map_runs();
  store_.reset();
  machines_.clear();
  aliases_.clear();
  map_runs_.clear();
  activities_.clear();
  executions_.clear();
  express_deadlines_.clear();  // a posted sweep finds nothing
  tokens_.clear();
  activity_queue_.clear();
}

double StepFunctionsService::now_s() const { return env_.clock->epoch_seconds_fractional(); }
int64_t StepFunctionsService::now_ms() const { return env_.clock->epoch_millis(); }

std::string StepFunctionsService::arn_prefix(const RequestContext& ctx, const std::string& kind) const {
  return "arn:aws:states:" + ctx.region + ":" + ctx.account_id + ":" + kind + ":";
}

StateMachine* StepFunctionsService::find_machine(const std::string& arn) {
  auto it = machines_.find(arn);
  return it == machines_.end() ? nullptr : &it->second;
}

std::optional<ExecutionPtr> StepFunctionsService::find_execution(const std::string& arn) {
  auto it = executions_.find(arn);
  if (it == executions_.end()) return std::nullopt;
  return it->second;
}

namespace {
const std::unordered_map<std::string, StepFunctionsService::Handler>& operations() {
  using S = StepFunctionsService;
  static const std::unordered_map<std::string, S::Handler> ops = {
      {"CreateStateMachine", &S::create_state_machine},
      {"DescribeStateMachine", &S::describe_state_machine},
      {"UpdateStateMachine", &S::update_state_machine},
      {"DeleteStateMachine", &S::delete_state_machine},
      {"ListStateMachines", &S::list_state_machines},
      {"ValidateStateMachineDefinition", &S::validate_definition},
      {"TagResource", &S::tag_resource},
      {"UntagResource", &S::untag_resource},
      {"ListTagsForResource", &S::list_tags},
      {"StartExecution", &S::start_execution},
      {"StopExecution", &S::stop_execution},
      {"DescribeExecution", &S::describe_execution},
      {"ListExecutions", &S::list_executions},
      {"GetExecutionHistory", &S::get_execution_history},
      {"DescribeStateMachineForExecution", &S::describe_state_machine_for_execution},
      {"RedriveExecution", &S::redrive_execution},
      {"PublishStateMachineVersion", &S::publish_version},
      {"ListStateMachineVersions", &S::list_versions},
      {"DeleteStateMachineVersion", &S::delete_version},
      {"CreateStateMachineAlias", &S::create_alias},
      {"DescribeStateMachineAlias", &S::describe_alias},
      {"UpdateStateMachineAlias", &S::update_alias},
      {"DeleteStateMachineAlias", &S::delete_alias},
      {"ListStateMachineAliases", &S::list_aliases},
      {"DescribeMapRun", &S::describe_map_run},
      {"ListMapRuns", &S::list_map_runs},
      {"UpdateMapRun", &S::update_map_run},
      {"CreateActivity", &S::create_activity},
      {"DeleteActivity", &S::delete_activity},
      {"DescribeActivity", &S::describe_activity},
      {"ListActivities", &S::list_activities},
      {"SendTaskSuccess", &S::send_task_success},
      {"SendTaskFailure", &S::send_task_failure},
      {"SendTaskHeartbeat", &S::send_task_heartbeat},
  };
  return ops;
}
}  // namespace

void StepFunctionsService::invoke(const RequestContext& ctx, const std::string& op, json input, Completion done) {
  if (!input.is_object()) input = json::object();
  if (op == "GetActivityTask") return get_activity_task(ctx, std::move(input), std::move(done));
  if (op == "TestState") return test_state(ctx, std::move(input), std::move(done));
  if (op == "StartSyncExecution") {
    Completion sync = done;
    Result r;
    {
      std::lock_guard lock(mu_);
      r = run_operation("stepfunctions", op, [&] { return start(ctx, input, &sync); },
                        AwsError::internal(), AwsError::validation("Invalid request"));
    }
    if (r.is_error()) done(std::move(r));
    return;
  }
  done(call(ctx, op, std::move(input)));
}

Result StepFunctionsService::call(const RequestContext& ctx, const std::string& op, json input) {
  auto it = operations().find(op);
  if (it == operations().end()) return Result::fail(AwsError::unknown_operation("Operation " + op + " is not supported"));
  if (!input.is_object()) input = json::object();
  std::lock_guard lock(mu_);
  return run_operation("stepfunctions", op, [&] { return (this->*(it->second))(ctx, input); }, AwsError::internal(),
                       AwsError::validation("Invalid request"));
}

std::unique_ptr<Service> make_service(const ServiceEnv& env) { return std::make_unique<StepFunctionsService>(env); }

}  // namespace awan::stepfunctions
