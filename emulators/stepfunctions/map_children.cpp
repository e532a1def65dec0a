// A distributed Map's iterations as child executions of their own, as on AWS: each runs the
// ItemProcessor as a state machine `<machine>/<label>` with its own ARN
// (arn:aws:states:<region>:<account>:execution:<machine>/<label>:<name>), history and checkpoint,
// and `mapRunArn` in its description. The map run (map_runs.cpp) launches them under its
// MaxConcurrency, judges their failures against the tolerated limits, keeps DescribeMapRun's
// counters and, continued by a redrive of the parent, redrives its unsuccessful children (a
// STANDARD child with RedriveExecution's semantics, an EXPRESS one as a new execution).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/ids.hpp"
#include "core/timefmt.hpp"
#include "stepfunctions/service_impl.hpp"

namespace awan::stepfunctions {

namespace {

constexpr size_t kMaxConcurrency = 40;  // children in flight at once

// The items a child processes: a batch's Items, or one.
int64_t batch_size(const json& st, const json& input) {
  if (st.contains("ItemBatcher") && input.is_object() && input.contains("Items") && input["Items"].is_array())
    return static_cast<int64_t>(input["Items"].size());
  return 1;
}

const char* counter_of(const std::string& status) {
  if (status == "RUNNING") return "running";
  if (status == "SUCCEEDED") return "succeeded";
  if (status == "FAILED") return "failed";
  if (status == "TIMED_OUT") return "timedOut";
  if (status == "ABORTED") return "aborted";
  return nullptr;  // not started: pending
}

const json& processor_of(const json& st) { return st.contains("ItemProcessor") ? st["ItemProcessor"] : st["Iterator"]; }

bool express_children(const json& st) {
  const json& proc = processor_of(st);
  return proc.contains("ProcessorConfig") && proc["ProcessorConfig"].is_object() &&
         proc["ProcessorConfig"].value("ExecutionType", "STANDARD") == "EXPRESS";
}

// What a finished child gives the map run: its ResultWriter record, its output (or error).
json record_of(const Execution& c) {
  const json& d = c.doc;
  std::string status = d.value("status", "FAILED");
  json r = {{"Status", status},
            {"Input", json::parse(d.value("input", "null"), nullptr, false)},
            {"ExecutionArn", c.arn},
            {"Name", d.value("name", "")},
            {"StateMachineArn", d.value("stateMachineArn", "")},
            {"StartDate", d.value("startDate", 0.0)},
            {"StopDate", d.value("stopDate", d.value("startDate", 0.0))},
            {"RedriveCount", d.value("redriveCount", 0)}};
  if (status == "SUCCEEDED") {
    r["Output"] = json::parse(d.value("output", "null"), nullptr, false);
  } else {
    r["Error"] = d.value("error", status == "TIMED_OUT" ? "States.Timeout" : "");
    r["Cause"] = d.value("cause", "");
  }
  return r;
}

// Whether `failures` of `total` children stay within the run's ToleratedFailureCount/Percentage.
bool tolerated(const MapRun& run, size_t failures, size_t total) {
  return (run.tolerated_count >= 0 && static_cast<int64_t>(failures) <= run.tolerated_count) ||
         (run.tolerated_pct >= 0 && 100.0 * static_cast<double>(failures) / static_cast<double>(total) <= run.tolerated_pct);
}

}  // namespace

void StepFunctionsService::move_count(MapRun& run, int64_t items, const std::string& from, const std::string& to) {
  for (auto [counts, n] : {std::pair<const char*, int64_t>{"itemCounts", items}, {"executionCounts", 1}}) {
    json& c = run.doc[counts];
    if (const char* k = counter_of(from)) c[k] = c.value(k, int64_t{0}) - n;
    if (const char* k = counter_of(to)) c[k] = c.value(k, int64_t{0}) + n;
  }
}

void StepFunctionsService::recount(MapRun& run) {
  for (const char* counts : {"itemCounts", "executionCounts"})
    for (const char* k : {"running", "succeeded", "failed", "timedOut", "aborted"}) run.doc[counts][k] = 0;
  for (const auto& c : run.children)
    if (c) move_count(run, c->item_count, "", c->doc.value("status", ""));
}

void StepFunctionsService::abort_children(const MapRun& run) {
  for (const auto& c : run.children)
    if (c && !c->finished) finish_execution(c, Outcome::failure("", ""), "ABORTED");
}

ExecutionPtr StepFunctionsService::start_child(const FramePtr& f, const json& st, const MapRunPtr& run, size_t index,
                                               json input) {
  const Execution& parent = *f->exec;
  const json& proc = processor_of(st);
  auto c = std::make_shared<Execution>();
  const std::string machine = run->doc.value("_stateMachineArn", "");  // ...:stateMachine:<machine>/<label>
  const std::string path = machine.substr(machine.find(":stateMachine:") + 14);
  const std::string name = ids::uuid4();
  c->express = express_children(st);
  c->account = parent.account;
  c->region = parent.region;
  c->arn = "arn:aws:states:" + c->region + ":" + c->account +
           (c->express ? ":express:" + path + ":" + name + ":" + ids::uuid4() : ":execution:" + path + ":" + name);
  c->definition = proc;
  c->definition.erase("ProcessorConfig");
  if (f->child_jsonata(st, proc)) c->definition["QueryLanguage"] = "JSONata";
  c->map_index = index;
  c->item_count = batch_size(st, input);
  double start = now_s();
  std::string input_text = input.dump();
  json role = parent.context.contains("Execution") ? parent.context["Execution"].value("RoleArn", json()) : json();
  c->doc = {{"executionArn", c->arn},
            {"stateMachineArn", machine},
            {"name", name},
            {"status", "RUNNING"},
            {"startDate", start},
            {"input", input_text},
            {"inputDetails", {{"included", true}}},
            {"mapRunArn", run->doc["mapRunArn"]},
            {"redriveCount", 0},
            {"redriveStatus", "NOT_REDRIVABLE"},
            {"redriveStatusReason", "Execution is RUNNING and cannot be redriven"}};
  c->context = {{"Execution", {{"Id", c->arn}, {"Input", input}, {"Name", name}, {"RoleArn", role},
                               {"StartTime", timefmt::iso8601(timefmt::from_epoch_seconds(start), true)},
                               {"RedriveCount", 0}}},
                {"StateMachine", {{"Id", machine}, {"Name", path}}}};
  add_event(*c, 0, "ExecutionStarted",
            {{"input", input_text}, {"inputDetails", {{"truncated", false}}}, {"roleArn", role}},
            "executionStartedEventDetails");
  if (!c->express) executions_[c->arn] = c;  // EXPRESS executions are not kept, children neither
  save(*c);
  if (run->children.size() <= index) run->children.resize(index + 1);
  run->children[index] = c;
  return c;
}

void StepFunctionsService::run_map_children(const FramePtr& f, const json& st, std::vector<json> inputs,
                                            const MapRunPtr& run, bool continuing, OutcomeFn done) {
  struct Join {
    std::vector<json> inputs;
    std::vector<json> results;
    std::vector<size_t> todo;  // the children to start (or redrive), in order
    size_t next = 0, running = 0, left = 0, failures = 0;
    bool finished = false;
    std::function<void()> launch;
    std::function<void()> cancel;
    Cancel::Hook on_cancel;  // told when the Map's branch is cancelled
  };
  auto join = std::make_shared<Join>();
  const size_t n = continuing ? std::max(run->children.size(), inputs.size()) : inputs.size();
  run->children.resize(n);
  join->inputs = std::move(inputs);
  join->results.resize(n);
  join->left = n;
  const bool redriving = continuing && !f->state_restarted;
  if (continuing) recount(*run);
  std::vector<size_t> resume;  // children running when the daemon stopped: they continue
  for (size_t i = 0; i < n; ++i) {
    const ExecutionPtr& c = run->children[i];
    if (!c) {
      join->todo.push_back(i);
      continue;
    }
    const std::string status = c->doc.value("status", "");
    if (status == "SUCCEEDED") {
      join->results[i] = record_of(*c);
      --join->left;
    } else if (status == "RUNNING") {
      resume.push_back(i);
    } else if (redriving) {
      join->todo.push_back(i);
    } else {  // after a restart a failed child stays failed
      join->results[i] = record_of(*c);
      ++join->failures;
      --join->left;
    }
  }
  std::weak_ptr<Join> weak = join;
  // The Map's branch was cancelled (a Parallel sibling failed) while its parent runs on: the run
  // ends (ABORTED) and its running children with it (had the parent ended, or been redriven, the
  // run would be over already or belong to the new run).
  join->cancel = [this, f, run, weak] {
    auto join = weak.lock();
    if (!join || join->finished) return;
    join->finished = true;
    if (*f->live && !f->exec->finished && run->doc.value("status", "") == "RUNNING") {
      run->doc["status"] = "ABORTED";
      run->doc["stopDate"] = now_s();
      abort_children(*run);
      save_map_run(*run);
      run->relaunch = nullptr;  // last: it may hold the join
    }
  };
  join->on_cancel = std::make_shared<std::function<void()>>([weak] {
    if (auto join = weak.lock()) join->cancel();
  });
  f->cancelled->watch(join->on_cancel);
  // A child ended: the counters at once; then, in a step of its own (not on the I/O thread of a
  // StopExecution), its record, and the run goes on, fails (too many failures) or ends.
  auto ended = [this, f, run, weak, done](size_t i) {
    return [this, f, run, weak, done, i](Execution& ended_child) {
      move_count(*run, ended_child.item_count, "RUNNING", ended_child.doc.value("status", ""));
      save_map_run(*run);
      if (i >= run->children.size() || run->children[i].get() != &ended_child) return;
      post(std::chrono::milliseconds(0), [this, f, run, weak, done, i, child = run->children[i]] {
        std::lock_guard lock(mu_);
        const Execution& c = *child;
        auto join = weak.lock();
        if (!join || join->finished) return;
        if (f->stopped()) return join->cancel();
        --join->running;
        join->results[i] = record_of(c);
        if (c.doc.value("status", "") != "SUCCEEDED") {
          ++join->failures;
          if (!tolerated(*run, join->failures, join->results.size())) {
            join->finished = true;
            abort_children(*run);
            if (run->tolerated_count >= 0 || run->tolerated_pct >= 0)
              return done(Outcome::failure("States.ExceedToleratedFailureThreshold",
                                           "The specified tolerated failure threshold was exceeded"));
            return done(Outcome::failure(join->results[i].value("Error", ""), join->results[i].value("Cause", "")));
          }
        }
        if (--join->left == 0) {
          join->finished = true;
          Outcome r;
          r.output = json(std::move(join->results));
          return done(std::move(r));
        }
        join->launch();
      });
    };
  };
  join->launch = [this, f, &st, run, weak, ended]() {
    auto join = weak.lock();
    if (!join) return;
    size_t limit = run->max_concurrency == 0 ? kMaxConcurrency : std::min(run->max_concurrency, kMaxConcurrency);
    while (!join->finished && !f->stopped() && join->running < limit && join->next < join->todo.size()) {
      size_t i = join->todo[join->next++];
      ++join->running;
      ExecutionPtr c = run->children[i];
      if (c && !c->express && not_redrivable_reason(*c).empty()) {
        // A STANDARD child redriven: from the state it failed in, the same ARN.
        move_count(*run, c->item_count, c->doc.value("status", ""), "RUNNING");
        c->on_finish = ended(i);
        redrive(c);
        continue;
      }
      json input = c ? json::parse(c->doc.value("input", "null"), nullptr, false)
                     : i < join->inputs.size() ? join->inputs[i] : json::object();
      if (c) move_count(*run, c->item_count, c->doc.value("status", ""), "");  // replaced by a new child
      c = start_child(f, st, run, i, std::move(input));
      move_count(*run, c->item_count, "", "RUNNING");
      c->on_finish = ended(i);
      run_execution(c, c->definition["StartAt"], json::parse(c->doc.value("input", "null"), nullptr, false), json::object());
    }
    save_map_run(*run);
  };
  for (size_t i : resume) {
    const ExecutionPtr& c = run->children[i];
    ++join->running;
    c->on_finish = ended(i);
    spdlog::info("stepfunctions: resuming map run child {}", c->arn);
    if (c->checkpoint) {
      CheckpointPtr cp = c->checkpoint;
      run_execution(c, cp->state, cp->input, cp->variables, cp, true);
    } else {
      run_execution(c, c->definition["StartAt"], json::parse(c->doc.value("input", "null"), nullptr, false), json::object());
    }
  }
  if (join->left == 0) {  // every child succeeded before (a redrive after the ResultWriter failed)
    join->finished = true;
    Outcome r;
    r.output = json(std::move(join->results));
    return done(std::move(r));
  }
  if (join->failures > 0) {  // after a restart: the failures so far may already be too many
    if (!tolerated(*run, join->failures, n)) {
      join->finished = true;
      abort_children(*run);
      if (run->tolerated_count >= 0 || run->tolerated_pct >= 0)
        return done(Outcome::failure("States.ExceedToleratedFailureThreshold",
                                     "The specified tolerated failure threshold was exceeded"));
      for (const auto& r : join->results)  // no threshold: the first failure is the run's
        if (r.is_object() && r.value("Status", "") != "SUCCEEDED" && r.contains("Status"))
          return done(Outcome::failure(r.value("Error", ""), r.value("Cause", "")));
    }
  }
  // The join lives while the run can relaunch (UpdateMapRun): until the run ends.
  run->relaunch = [join] { join->launch(); };
  join->launch();
}

}  // namespace awan::stepfunctions
