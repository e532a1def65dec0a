// The ASL interpreter: runs an execution state by state on the Scheduler (every transition is a
// posted step, Waits are timers on the injected clock), records the history, applies
// Retry/Catch, and runs Parallel branches as child frames. Map states are in map_state.cpp,
// Task resources in integrations.cpp.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/ids.hpp"
#include "core/timefmt.hpp"
#include "stepfunctions/choice.hpp"
#include "stepfunctions/intrinsics.hpp"
#include "stepfunctions/jsonata.hpp"
#include "stepfunctions/jsonpath.hpp"
#include "stepfunctions/paths.hpp"
#include "stepfunctions/service_impl.hpp"

namespace awan::stepfunctions {

namespace {

constexpr int kMaxFrameDepth = 16;
constexpr int64_t kExpressMaxSeconds = 300;  // AWS: an Express workflow runs five minutes at most

json io(const json& v) { return v.dump(); }

bool error_matches(const json& equals, const std::string& error) {
  for (const auto& e : equals) {
    if (!e.is_string()) continue;
    const std::string& name = e.get_ref<const std::string&>();
    if (name == error) return true;
    if (name == "States.ALL" && error != "States.Runtime" && error != "States.DataLimitExceeded") return true;
    if (name == "States.TaskFailed" && error != "States.Timeout" && error != "States.Runtime" &&
        error.rfind("States.", 0) != 0)
      return true;
  }
  return false;
}

// $states of a JSONata expression.
json states_of(const json& input, const json& context) { return {{"input", input}, {"context", context}}; }

// A JSONata Condition: true or false, anything else is a States.QueryEvaluationError.
bool condition(const json& rule, const json& states, const json& variables, const Clock* clock) {
  json v = jsonata::evaluate_template(rule.value("Condition", json(false)), jsonata::Bindings{states, variables, clock});
  if (!v.is_boolean())
    throw StatesError{"States.QueryEvaluationError", "The Condition must evaluate to a boolean, was " + v.dump()};
  return v.get<bool>();
}

// Wait's Seconds / Timestamp and Fail's Error / Cause in JSONata: a literal or an expression.
json field_value(const json& st, const char* field, const json& states, const json& variables, const Clock* clock) {
  return jsonata::evaluate_template(st[field], jsonata::Bindings{states, variables, clock});
}

}  // namespace

bool Frame::stopped() const { return cancelled->is_set() || !*live || exec->finished; }

void Cancel::fire() {
  set = true;
  auto pending = std::move(hooks);
  hooks.clear();
  for (const auto& weak : pending)
    if (Hook hook = weak.lock()) (*hook)();  // held while it runs: it may end its owner
}

void Cancel::watch(const Hook& hook) {
  for (Cancel* c = this; c; c = c->parent.get()) {
    std::erase_if(c->hooks, [](const auto& h) { return h.expired(); });
    c->hooks.push_back(hook);
  }
}

void StepFunctionsService::post(std::chrono::milliseconds delay, std::function<void()> fn) {
  if (!env_.scheduler) {
    fn();
    return;
  }
  env_.scheduler->post_after(delay, [alive = alive_, fn = std::move(fn)] {
    if (!*alive) return;
    // The last line of defence of the background thread: nothing an execution does escapes.
    try {
      fn();
    } catch (const std::exception& e) {
      spdlog::error("stepfunctions: a background step failed: {}", e.what());
    }
  });
}

void StepFunctionsService::save(const Execution& e) {
  if (e.express || !persistent_) return;  // in memory, the maps are the state
  json d = e.doc;
  d["_account"] = e.account;
  d["_region"] = e.region;
  d["_definition"] = e.definition;
  d["_context"] = e.context;
  d["_checkpoint"] = e.checkpoint ? e.checkpoint->to_json() : json();
  d["_redrive"] = e.redrive_point ? e.redrive_point->to_json() : json();
  d["_next_event"] = e.next_event_id;
  if (!e.redrive_tokens.empty()) {
    json tokens = json::array();
    for (const auto& t : e.redrive_tokens)
      tokens.push_back({{"token", t.token}, {"firstUsed", t.first_used}, {"redriveDate", t.redrive_date}});
    d["_redriveTokens"] = std::move(tokens);
  }
  if (e.doc.contains("mapRunArn")) {
    d["_mapIndex"] = e.map_index;
    d["_items"] = e.item_count;
  }
  store_.put("execution", e.arn, d);
}

void StepFunctionsService::save_progress(const Execution& e, size_t done) {
  // The whole checkpoint is written each time: past 256 children, every 256th only.
  if (done > 256 && done % 256 != 0) return;
  save(e);
}

int64_t StepFunctionsService::add_event(Execution& e, int64_t previous, const std::string& type, json details,
                                        const char* key) {
  json ev = {{"timestamp", now_s()}, {"type", type}, {"id", e.next_event_id++}, {"previousEventId", previous}};
  if (key) ev[key] = std::move(details);
  int64_t id = ev["id"];
  if (!e.express && persistent_) store_.add_event(e.arn, id, ev);
  e.events.push_back(std::move(ev));
  return id;
}

int64_t StepFunctionsService::add_event(const FramePtr& f, const std::string& type, json details, const char* key) {
  f->last_event = add_event(*f->exec, f->last_event, type, std::move(details), key);
  return f->last_event;
}

void StepFunctionsService::run_execution(const ExecutionPtr& e, const std::string& start_state, json input,
                                         json variables, CheckpointPtr resume, bool restarted) {
  auto f = std::make_shared<Frame>();
  f->exec = e;
  f->machine = &e->definition;
  f->top = true;
  f->live = e->live;
  if (resume) {
    f->cp = std::move(resume);
    f->resuming = true;
    f->restarted = restarted;
  }
  e->checkpoint = f->cp;
  f->jsonata = e->definition.value("QueryLanguage", "JSONPath") == "JSONata";
  f->variables = std::move(variables);
  f->last_event = e->next_event_id - 1;
  double started = e->doc.value("redriveDate", e->doc.value("startDate", now_s()));
  bool timeout_given = e->definition.contains("TimeoutSeconds") && e->definition["TimeoutSeconds"].is_number_integer();
  int64_t timeout = timeout_given ? e->definition["TimeoutSeconds"].get<int64_t>() : -1;
  if (e->express) {
    watch_express(e, started + kExpressMaxSeconds);
    if (timeout >= kExpressMaxSeconds) timeout_given = false;  // the five minutes end it first
  }
  if (timeout_given) {
    auto left = static_cast<int64_t>(timeout * 1000 - (now_s() - started) * 1000);
    post(std::chrono::milliseconds(std::max<int64_t>(left, 0)), [this, e, live = e->live] {
      std::lock_guard lock(mu_);
      if (!e->finished && *live)
        finish_execution(e, Outcome::failure("States.Timeout", "The execution timed out"), "TIMED_OUT");
    });
  }
  run_frame(f, start_state, std::move(input), [this, e, live = e->live](Outcome o) {
    std::lock_guard lock(mu_);
    if (!e->finished && *live) finish_execution(e, std::move(o));
  });
}

void StepFunctionsService::watch_express(const ExecutionPtr& e, double deadline) {
  e->express_key = {deadline, ++express_seq_};
  express_deadlines_.emplace(e->express_key, e);
  schedule_express_sweep(deadline);
}

void StepFunctionsService::schedule_express_sweep(double at) {
  if (express_sweep_at_ >= 0 && express_sweep_at_ <= at) return;  // an earlier sweep reposts
  express_sweep_at_ = at;
  auto delay = static_cast<int64_t>((at - now_s()) * 1000);
  post(std::chrono::milliseconds(std::max<int64_t>(delay, 0)), [this] {
    std::lock_guard lock(mu_);
    sweep_express();
  });
}

void StepFunctionsService::sweep_express() {
  express_sweep_at_ = -1;
  double now = now_s();
  while (!express_deadlines_.empty() && express_deadlines_.begin()->first.first <= now) {
    ExecutionPtr e = express_deadlines_.begin()->second.lock();
    express_deadlines_.erase(express_deadlines_.begin());
    if (!e) continue;
    e->express_key.first = -1;
    if (!e->finished && *e->live)
      finish_execution(e, Outcome::failure("States.Timeout", "The execution timed out"), "TIMED_OUT");
  }
  if (!express_deadlines_.empty()) schedule_express_sweep(express_deadlines_.begin()->first.first);
}

void StepFunctionsService::finish_execution(const ExecutionPtr& e, Outcome o, const char* status) {
  e->finished = true;
  if (e->express_key.first >= 0) {
    express_deadlines_.erase(e->express_key);
    e->express_key.first = -1;
  }
  std::string st = status ? status : (o.ok ? "SUCCEEDED" : "FAILED");
  e->doc["status"] = st;
  e->doc["stopDate"] = now_s();
  // Its map runs still running end with it (their children aborted): MapRunAborted.
  auto runs = std::move(e->map_runs);
  e->map_runs.clear();
  for (auto& run : runs) {
    if (run->doc.value("status", "") != "RUNNING") continue;
    run->relaunch = nullptr;
    run->doc["status"] = "ABORTED";
    run->doc["stopDate"] = now_s();
    abort_children(*run);
    save_map_run(*run);
    add_event(*e, e->next_event_id - 1, "MapRunAborted", nullptr, nullptr);
  }
  int64_t prev = e->next_event_id - 1;
  if (st == "SUCCEEDED") {
    e->doc["output"] = o.output.dump();
    e->doc["outputDetails"] = {{"included", true}};
    add_event(*e, prev, "ExecutionSucceeded",
              {{"output", o.output.dump()}, {"outputDetails", {{"truncated", false}}}}, "executionSucceededEventDetails");
  } else {
    if (!o.error.empty()) e->doc["error"] = o.error;
    if (!o.cause.empty()) e->doc["cause"] = o.cause;
    json d = json::object();
    if (!o.error.empty()) d["error"] = o.error;
    if (!o.cause.empty()) d["cause"] = o.cause;
    if (st == "FAILED") add_event(*e, prev, "ExecutionFailed", d, "executionFailedEventDetails");
    else if (st == "TIMED_OUT") add_event(*e, prev, "ExecutionTimedOut", d, "executionTimedOutEventDetails");
    else add_event(*e, prev, "ExecutionAborted", d, "executionAbortedEventDetails");
  }
  // A failed run keeps the state it failed in: RedriveExecution starts there again.
  // (Stopped before its first state: from the start.)
  e->redrive_point = st == "SUCCEEDED" || !e->checkpoint || e->checkpoint->state.empty() ? nullptr : e->checkpoint;
  e->checkpoint = nullptr;
  *e->live = false;
  set_redrive_status(*e);
  save(*e);
  spdlog::info("stepfunctions: execution {} {}", e->arn, st);
  if (e->on_finish) {  // a child of a map run (map_children.cpp)
    auto tell = std::move(e->on_finish);
    e->on_finish = nullptr;
    tell(*e);
  }
  auto waiters = std::move(e->waiters);
  e->waiters.clear();
  json out = e->doc;
  for (auto& w : waiters) {
    auto done = std::move(w);
    post(std::chrono::milliseconds(0), [done, out] { done(Result::ok(out)); });
  }
}

void StepFunctionsService::run_frame(const FramePtr& f, const std::string& state, json input, OutcomeFn done) {
  post(std::chrono::milliseconds(0), [this, f, state, input = std::move(input), done = std::move(done)]() mutable {
    std::lock_guard lock(mu_);
    if (f->stopped()) return;
    run_state(f, state, std::move(input), {}, [this, f, done](Outcome o) {
      if (o.ok && !o.next.empty()) {
        std::string next = o.next;
        run_frame(f, next, std::move(o.output), done);
      } else {
        done(std::move(o));
      }
    });
  });
}

void StepFunctionsService::run_state(const FramePtr& f, const std::string& name, json input, std::vector<int> retries,
                                     OutcomeFn done) {
  Execution& e = *f->exec;
  const json& st = (*f->machine)["States"][name];
  const std::string type = st["Type"];
  e.context["State"] = {{"Name", name},
                        {"EnteredTime", timefmt::iso8601(env_.clock->now(), true)},
                        {"RetryCount", retries.empty() ? 0 : *std::max_element(retries.begin(), retries.end())}};
  if (f->map_item.is_object()) e.context["Map"] = {{"Item", f->map_item}};
  else e.context.erase("Map");
  if (retries.empty()) {
    // Continuing a checkpoint (redrive, restart) keeps what its branches and iterations did.
    bool continuing = f->resuming && f->cp->state == name;
    // A state resumed after a restart was entered before it: its Entered event is in the history.
    f->state_restarted = continuing && f->restarted;
    if (!f->state_restarted) {
      add_event(f, type + "StateEntered", {{"name", name}, {"input", io(input)}, {"inputDetails", {{"truncated", false}}}},
                "stateEnteredEventDetails");
      spdlog::info("stepfunctions: {} entered state {}", e.arn, name);
    }
    if (!continuing) f->cp->enter(name, input, f->variables);
    else if (!f->state_restarted) f->cp->deadline.reset();  // a redriven Wait waits again
    if (f->top) save(e);
  } else {
    // A retried state runs again as a whole.
    f->cp->done.clear();
    f->cp->children.clear();
    f->cp->deadline.reset();
    f->cp->map_run.clear();
    f->state_restarted = false;
  }
  f->resuming = false;
  f->restarted = false;
  json raw = input;
  json ctx = e.context;
  paths::Scope scope{input, ctx, f->variables};
  auto finish = [this, f, name, raw, retries, done](Outcome o) {
    state_done(f, name, raw, std::move(o), retries, done);
  };
  const bool ata = f->uses_jsonata(st);
  const json states = ata ? states_of(input, ctx) : json();
  const jsonata::Bindings bind{states, f->variables, env_.clock};
  try {
    json eff = ata ? input : paths::input_path(st, "InputPath", input, scope);
    paths::Scope eff_scope{eff, ctx, f->variables};
    if (e.test) {
      e.inspection["input"] = io(input);
      e.inspection["afterInputPath"] = io(eff);
    }
    if (type == "Pass") {
      json result = ata ? eff : st.contains("Result") ? st["Result"]
                    : st.contains("Parameters") ? paths::payload(st["Parameters"], eff_scope, "Parameters")
                                                : eff;
      if (e.test && st.contains("Parameters")) e.inspection["afterParameters"] = io(result);
      Outcome o;
      o.output = std::move(result);
      return finish(std::move(o));
    }
    if (type == "Succeed" || type == "Choice") {
      Outcome o;
      o.output = eff;
      if (type == "Choice") {
        for (const auto& rule : st["Choices"]) {
          if (ata ? condition(rule, states, f->variables, env_.clock)
                  : choice::matches(rule, [&](const std::string& p) { return paths::resolve(p, eff_scope); })) {
            o.next = rule["Next"];
            if (ata && rule.contains("Output")) {  // the rule's Output and Assign stand for the state's
              o.output = jsonata::evaluate_template(rule["Output"], bind);
              o.output_set = true;
            }
            if (ata && rule.contains("Assign")) {
              json assigned = jsonata::evaluate_template(rule["Assign"], bind);
              for (auto it = assigned.begin(); it != assigned.end(); ++it) f->variables[it.key()] = it.value();
            }
            break;
          }
        }
        if (o.next.empty()) {
          if (!st.contains("Default"))
            return finish(Outcome::failure("States.NoChoiceMatched", "No Matches!"));
          o.next = st["Default"];
        }
      }
      return finish(std::move(o));
    }
    if (type == "Fail") {
      auto text = [&](const char* field, const char* path_field) -> std::string {
        if (ata && st.contains(field)) {
          json v = field_value(st, field, states, f->variables, env_.clock);
          return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
        }
        if (st.contains(field)) return st[field];
        if (!st.contains(path_field)) return "";
        const std::string& p = st[path_field];
        json v = intrinsics::looks_like_call(p)
                     ? intrinsics::evaluate(p, [&](const std::string& q) { return paths::resolve(q, scope); })
                     : paths::resolve(p, scope).value_or(json());
        return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
      };
      Outcome o = Outcome::failure(text("Error", "ErrorPath"), text("Cause", "CausePath"));
      return done(std::move(o));
    }
    if (type == "Wait") {
      double deadline = 0;
      if (ata && st.contains("Seconds")) {
        json v = field_value(st, "Seconds", states, f->variables, env_.clock);
        if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 99999999)
          return finish(Outcome::failure("States.QueryEvaluationError", "The Seconds must be a non-negative integer, was " + v.dump()));
        deadline = now_s() + v.get<double>();
      } else if (ata && st.contains("Timestamp")) {
        json v = field_value(st, "Timestamp", states, f->variables, env_.clock);
        auto t = v.is_string() ? timefmt::parse_iso8601(v.get<std::string>()) : std::nullopt;
        if (!t) return finish(Outcome::failure("States.QueryEvaluationError", "The Timestamp must be an ISO-8601 timestamp, was " + v.dump()));
        deadline = timefmt::epoch_seconds(*t);
      } else if (st.contains("Seconds")) deadline = now_s() + st["Seconds"].get<double>();
      else if (st.contains("SecondsPath")) {
        auto v = paths::resolve(st["SecondsPath"], eff_scope);
        if (!v || !v->is_number_integer() || v->get<int64_t>() < 0)
          return finish(Outcome::failure("States.Runtime", "Invalid path '" + st["SecondsPath"].get<std::string>() +
                                                               "': The value must be a non-negative integer"));
        deadline = now_s() + v->get<double>();
      } else {
        json ts = st.contains("Timestamp") ? st["Timestamp"] : paths::resolve(st["TimestampPath"], eff_scope).value_or(json());
        auto t = ts.is_string() ? timefmt::parse_iso8601(ts.get<std::string>()) : std::nullopt;
        if (!t)
          return finish(Outcome::failure("States.Runtime", "Invalid timestamp in the Wait state '" + name + "'"));
        deadline = timefmt::epoch_seconds(*t);
      }
      if (f->state_restarted && f->cp->deadline) deadline = *f->cp->deadline;  // resumed after a restart
      f->cp->deadline = deadline;
      if (f->top) save(e);
      auto ms = e.test ? 0 : static_cast<int64_t>(std::max(0.0, (deadline - now_s()) * 1000));
      Outcome o;
      o.output = eff;
      post(std::chrono::milliseconds(ms), [this, f, finish, o]() mutable {
        std::lock_guard lock(mu_);
        if (f->stopped()) return;
        finish(std::move(o));
      });
      return;
    }
    if (type == "Task") {
      if (st["Resource"].get<std::string>().find(".waitForTaskToken") != std::string::npos) {
        ctx["Task"] = {{"Token", ids::uuid4() + ids::uuid4()}};
        e.context["Task"] = ctx["Task"];
      } else {
        e.context.erase("Task");
      }
      json params = ata ? (st.contains("Arguments") ? jsonata::evaluate_template(st["Arguments"], bind) : eff)
                    : st.contains("Parameters") ? paths::payload(st["Parameters"], eff_scope, "Parameters") : eff;
      if (e.test) e.inspection[ata ? "afterArguments" : "afterParameters"] = io(params);
      if (e.test && !e.mock.is_null()) return finish(e.mocked());
      json limits = json::object();  // TimeoutSeconds / HeartbeatSeconds given as "{% %}"
      if (ata)
        for (const char* field : {"TimeoutSeconds", "HeartbeatSeconds"})
          if (st.contains(field))
            limits[field] = static_cast<int64_t>(jsonata::limit(st, field, jsonata::Limit::Positive, bind, 0));
      return run_task(f, name, st, std::move(params), finish, limits);
    }
    if (type == "Parallel") {
      if (f->depth >= kMaxFrameDepth) return finish(Outcome::failure("States.Runtime", "Parallel nested too deeply"));
      json params = ata ? (st.contains("Arguments") ? jsonata::evaluate_template(st["Arguments"], bind) : eff)
                    : st.contains("Parameters") ? paths::payload(st["Parameters"], eff_scope, "Parameters") : eff;
      if (e.test && !e.mock.is_null()) {
        if (st.contains(ata ? "Arguments" : "Parameters")) e.inspection[ata ? "afterArguments" : "afterParameters"] = io(params);
        return finish(e.mocked());
      }
      return run_parallel(f, name, st, std::move(params), finish);
    }
    if (type == "Map") {
      if (f->depth >= kMaxFrameDepth) return finish(Outcome::failure("States.Runtime", "Map nested too deeply"));
      if (e.test && !e.mock.is_null()) return run_mocked_map(f, st, std::move(eff), finish);
      return run_map(f, name, st, std::move(eff), finish);
    }
    return finish(Outcome::failure("States.Runtime", "Unsupported state type " + type));
  } catch (const StatesError& err) {
    return finish(Outcome::failure(err.error, err.cause));
  } catch (const nlohmann::json::exception& err) {  // a value of an unexpected type: the state fails
    return finish(Outcome::failure("States.Runtime", err.what()));
  }
}

void StepFunctionsService::state_done(const FramePtr& f, const std::string& name, const json& raw_input, Outcome o,
                                      std::vector<int> retries, OutcomeFn done) {
  if (f->stopped()) return;
  Execution& e = *f->exec;
  const json& st = (*f->machine)["States"][name];
  const std::string type = st["Type"];
  json ctx = e.context;
  const bool ata = f->uses_jsonata(st);
  if (o.ok && ata) {
    try {
      // JSONata: Output (default: the result) and Assign, both over the values before the state.
      json states = states_of(raw_input, ctx);
      if (type == "Task" || type == "Parallel" || type == "Map") states["result"] = o.output;
      jsonata::Bindings bind{states, f->variables, env_.clock};
      if (e.test && states.contains("result")) e.inspection["result"] = io(o.output);
      json out = st.contains("Output") && !o.output_set ? jsonata::evaluate_template(st["Output"], bind) : std::move(o.output);
      if (st.contains("Assign")) {
        json assigned = jsonata::evaluate_template(st["Assign"], bind);
        for (auto it = assigned.begin(); it != assigned.end(); ++it) f->variables[it.key()] = it.value();
        if (e.test) e.inspection["variables"] = io(f->variables);
      }
      if (o.next.empty() && st.contains("Next")) o.next = st["Next"];
      add_event(f, type + "StateExited", {{"name", name}, {"output", io(out)}, {"outputDetails", {{"truncated", false}}}},
                "stateExitedEventDetails");
      spdlog::info("stepfunctions: {} exited state {}", e.arn, name);
      o.output = std::move(out);
      return done(std::move(o));
    } catch (const StatesError& err) {
      o = Outcome::failure(err.error, err.cause);
    } catch (const nlohmann::json::exception& err) {
      o = Outcome::failure("States.Runtime", err.what());
    }
  }
  if (o.ok) {
    try {
      json result = std::move(o.output);
      paths::Scope rscope{result, ctx, f->variables};
      if (e.test && (type == "Task" || type == "Parallel" || type == "Map")) e.inspection["result"] = io(result);
      if (st.contains("ResultSelector") && (type == "Task" || type == "Parallel" || type == "Map")) {
        result = paths::payload(st["ResultSelector"], rscope, "ResultSelector");
        if (e.test) e.inspection["afterResultSelector"] = io(result);
      }
      if (st.contains("Assign")) {
        paths::Scope ascope{result, ctx, f->variables};
        json assigned = paths::payload(st["Assign"], ascope, "Assign");
        for (auto it = assigned.begin(); it != assigned.end(); ++it) f->variables[it.key()] = it.value();
      }
      json out = (type == "Choice" || type == "Wait" || type == "Succeed") ? result
                                                                           : paths::result_path(st, raw_input, result);
      if (e.test) {
        if (type != "Choice" && type != "Wait" && type != "Succeed") e.inspection["afterResultPath"] = io(out);
        if (st.contains("Assign")) e.inspection["variables"] = io(f->variables);
      }
      paths::Scope oscope{out, ctx, f->variables};
      out = paths::input_path(st, "OutputPath", out, oscope);
      if (o.next.empty() && st.contains("Next")) o.next = st["Next"];
      add_event(f, type + "StateExited", {{"name", name}, {"output", io(out)}, {"outputDetails", {{"truncated", false}}}},
                "stateExitedEventDetails");
      spdlog::info("stepfunctions: {} exited state {}", e.arn, name);
      o.output = std::move(out);
      return done(std::move(o));
    } catch (const StatesError& err) {
      o = Outcome::failure(err.error, err.cause);
    } catch (const nlohmann::json::exception& err) {
      o = Outcome::failure("States.Runtime", err.what());
    }
  }
  // Retry
  if (auto r = st.find("Retry"); r != st.end() && r->is_array()) {
    if (retries.size() < r->size()) retries.resize(r->size(), 0);
    for (size_t i = 0; i < r->size(); ++i) {
      const json& rule = (*r)[i];
      if (!error_matches(rule["ErrorEquals"], o.error)) continue;
      int max_attempts = rule.value("MaxAttempts", 3);
      // TestState: the attempts made so far are stateConfiguration's retrierRetryCount.
      int attempts = e.test ? e.test_config.value("retrierRetryCount", 0) : retries[i];
      if (attempts >= max_attempts) break;
      double interval = rule.value("IntervalSeconds", 1.0), backoff = rule.value("BackoffRate", 2.0);
      double delay = interval * std::pow(backoff, attempts);
      if (rule.contains("MaxDelaySeconds")) delay = std::min(delay, rule["MaxDelaySeconds"].get<double>());
      if (e.test) {  // TestState reports that a retrier would run the state again
        o.retriable = true;
        e.inspection["errorDetails"] = {{"retryIndex", i}, {"retryBackoffIntervalSeconds", static_cast<int64_t>(delay)}};
        return done(std::move(o));
      }
      if (rule.value("JitterStrategy", "NONE") == "FULL") {
        static thread_local std::mt19937 rng{std::random_device{}()};
        delay = std::uniform_real_distribution<double>(0, delay)(rng);
      }
      ++retries[i];
      post(std::chrono::milliseconds(static_cast<int64_t>(delay * 1000)), [this, f, name, raw_input, retries, done] {
        std::lock_guard lock(mu_);
        if (f->stopped()) return;
        run_state(f, name, raw_input, retries, done);
      });
      return;
    }
  }
  // Catch
  if (auto c = st.find("Catch"); c != st.end() && c->is_array()) {
    for (size_t index = 0; index < c->size(); ++index) {
      const json& rule = (*c)[index];
      if (!error_matches(rule["ErrorEquals"], o.error)) continue;
      if (e.test) e.inspection["errorDetails"] = {{"catchIndex", index}};
      json err = {{"Error", o.error}, {"Cause", o.cause}};
      json out;
      try {
        if (ata) {
          json states = states_of(raw_input, ctx);
          states["errorOutput"] = err;
          jsonata::Bindings bind{states, f->variables, env_.clock};
          out = rule.contains("Output") ? jsonata::evaluate_template(rule["Output"], bind) : err;
          if (rule.contains("Assign")) {
            json assigned = jsonata::evaluate_template(rule["Assign"], bind);
            for (auto it = assigned.begin(); it != assigned.end(); ++it) f->variables[it.key()] = it.value();
          }
        } else {
          out = paths::result_path(rule, raw_input, err);
        }
      } catch (const StatesError& e2) {
        return done(Outcome::failure(e2.error, e2.cause));
      }
      add_event(f, type + "StateExited", {{"name", name}, {"output", io(out)}, {"outputDetails", {{"truncated", false}}}},
                "stateExitedEventDetails");
      Outcome next;
      next.output = std::move(out);
      next.next = rule["Next"];
      next.caught = true;
      next.error = o.error;
      next.cause = o.cause;
      return done(std::move(next));
    }
  }
  done(std::move(o));
}

void StepFunctionsService::run_parallel(const FramePtr& f, const std::string& name, const json& st, json input,
                                        OutcomeFn done) {
  const json& branches = st["Branches"];
  if (!f->state_restarted) add_event(f, "ParallelStateStarted", nullptr, nullptr);
  struct Join {
    std::vector<json> results;
    size_t left;
    bool failed = false;
    CancelPtr cancelled;
  };
  auto join = std::make_shared<Join>();
  join->cancelled = std::make_shared<Cancel>(f->cancelled);
  join->results.resize(branches.size());
  join->left = branches.size();
  for (size_t i = 0; i < branches.size(); ++i) {
    // A branch that succeeded before a redrive keeps its output; one that did not continues.
    if (auto d = f->cp->done.find(i); d != f->cp->done.end()) {
      join->results[i] = d->second;
      --join->left;
      continue;
    }
    auto child = child_frame(f, branches[i], i);
    child->jsonata = f->child_jsonata(st, branches[i]);
    child->cancelled = join->cancelled;
    std::string start = child->resuming ? child->cp->state : branches[i]["StartAt"].get<std::string>();
    run_frame(child, start, child->resuming ? child->cp->input : input, [this, f, join, i, done](Outcome o) {
      std::lock_guard lock(mu_);
      if (join->failed || f->stopped()) return;
      if (!o.ok) {
        join->failed = true;
        join->cancelled->fire();
        add_event(f, "ParallelStateFailed", {{"error", o.error}, {"cause", o.cause}}, "executionFailedEventDetails");
        o.next.clear();
        return done(std::move(o));
      }
      f->cp->done[i] = o.output;
      f->cp->children.erase(i);
      save_progress(*f->exec, f->cp->done.size());
      join->results[i] = std::move(o.output);
      if (--join->left == 0) {
        add_event(f, "ParallelStateSucceeded", nullptr, nullptr);
        Outcome r;
        r.output = json(std::move(join->results));
        done(std::move(r));
      }
    });
  }
  if (join->left == 0) {  // no branches, or every one succeeded before the redrive
    add_event(f, "ParallelStateSucceeded", nullptr, nullptr);
    Outcome r;
    r.output = json(std::move(join->results));
    done(std::move(r));
  }
}

FramePtr StepFunctionsService::child_frame(const FramePtr& f, const json& machine, size_t index) {
  auto child = std::make_shared<Frame>();
  child->exec = f->exec;
  child->machine = &machine;
  child->last_event = f->last_event;
  child->live = f->live;
  child->cancelled = f->cancelled;  // a Parallel's or Map's join gives its children a token of their own
  child->depth = f->depth + 1;
  bool recorded = f->cp->children.count(index) > 0;
  child->cp = f->cp->child(index);
  child->variables = f->variables;  // outer variables are readable; a branch's Assign stays in it
  if (recorded && !child->cp->state.empty()) {
    child->resuming = true;
    child->restarted = f->state_restarted;
    child->variables = child->cp->variables;
  }
  return child;
}

}  // namespace awan::stepfunctions
