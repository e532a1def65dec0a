#pragma once
// The Step Functions service class. Operations by file: state_machines.cpp (state machines,
// versions, aliases, validation, tags), executions.cpp (start, stop, describe, list, history,
// redrive), activities.cpp (activities, GetActivityTask, task tokens); interpreter.cpp runs
// executions (states, paths, Retry/Catch, Parallel, Map); integrations.cpp runs Task resources
// through call_service; service.cpp holds construction, reset and the dispatch table.
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/service.hpp"
#include "stepfunctions/errors.hpp"
#include "stepfunctions/store.hpp"

namespace awan::stepfunctions {

using json = nlohmann::json;

// A required string member of a request, or the ValidationException naming it (state_machines.cpp).
const std::string& required(const json& in, const char* member);
// One page of a List* answer under `key` (maxResults, nextToken) (state_machines.cpp).
json list_page(const std::vector<json>& all, const json& in, const char* key);
// The encryptionConfiguration of a CreateStateMachine / UpdateStateMachine / CreateActivity
// request, validated, as stored and described: AWS_OWNED_KEY when absent; a customer managed
// key with its kmsKeyId and kmsDataKeyReusePeriodSeconds (60-900, default 300) (state_machines.cpp).
json encryption_configuration(const json& in);
// DescribeStateMachine / DescribeStateMachineForExecution: includedData ALL_DATA (default) or
// METADATA_ONLY (the definition "{}", no variableReferences); true for ALL_DATA.
bool all_data(const json& in);

// A state machine ARN split into the machine and its qualifier (":3" a version, ":prod" an alias).
struct MachineRef {
  bool valid = false;
  std::string base, qualifier;
  bool version = false, alias = false;
};
MachineRef split_machine_arn(const std::string& arn);
// A stored document without its private ("_...") members and tags.
json public_doc(const json& doc);

struct StateMachine {
  json doc;  // the DescribeStateMachine document (+ "tags", "account", "region", "versions")
  json definition;
  std::string arn() const { return doc["stateMachineArn"]; }
};

// What a state or a branch ends with.
struct Outcome {
  bool ok = true;
  json output;
  std::string error, cause;
  std::string next;  // a state's transition ("" = the end of its branch)
  bool retriable = false;  // TestState: a retrier matched the error
  bool caught = false;     // TestState: a catcher matched the error
  bool output_set = false; // a JSONata Choice rule's Output already made the state's output
  static Outcome failure(std::string e, std::string c) {
    Outcome o;
    o.ok = false;
    o.error = std::move(e);
    o.cause = std::move(c);
    return o;
  }
};
using OutcomeFn = std::function<void(Outcome)>;

// Where a branch of an execution is (the top level, a Parallel branch, an inline Map iteration):
// the state it is in with that state's input and the variables of its entry, a Wait's deadline,
// and, while that state is a Parallel or an inline Map, the outputs of the branches or
// iterations that succeeded (`done`) and the checkpoints of those that started and did not
// (`children`). RedriveExecution continues from the checkpoint of the failed run (only what did
// not succeed runs again), a restart from the one of the running execution (checkpoint.cpp).
struct Checkpoint;
using CheckpointPtr = std::shared_ptr<Checkpoint>;
struct Checkpoint {
  std::string state;
  json input, variables = json::object();
  std::optional<double> deadline;
  std::string map_run;  // a distributed Map in progress: its map run (a redrive or a restart continues it)
  std::map<size_t, json> done;
  std::map<size_t, CheckpointPtr> children;
  // A fresh entry of `name`: what an earlier state recorded is dropped.
  void enter(const std::string& name, const json& state_input, const json& vars);
  // The checkpoint of child `index`, created when it has none.
  CheckpointPtr child(size_t index);
  json to_json() const;
  // nullptr unless `j` is a checkpoint ({"state", "input", ...}).
  static CheckpointPtr from_json(const json& j, int depth = 0);
};

struct MapRun;
using MapRunPtr = std::shared_ptr<MapRun>;

struct Execution {
  json doc;  // DescribeExecution's document (+ "mapRunArn" for a child execution of a map run)
  std::string arn, account, region;
  bool express = false;
  json definition;
  json context;                       // the context object ($$)
  std::vector<json> events;           // history
  int64_t next_event_id = 1;
  bool finished = false;
  std::vector<Completion> waiters;    // StartSyncExecution, .sync parents
  CheckpointPtr checkpoint;           // where the running execution is (its top level and below)
  CheckpointPtr redrive_point;        // where the failed run stopped (RedriveExecution)
  bool test = false;                  // a TestState run: one state, no waits, no retries
  json inspection;                    // TestState's inspectionData (DEBUG)
  json mock;                          // TestState's mock ({"result" parsed} or {"errorOutput"}), null: none
  json test_config = json::object();  // TestState's stateConfiguration
  // The mocked outcome of the tested Task, Parallel or Map.
  Outcome mocked() const {
    if (mock.contains("errorOutput"))
      return Outcome::failure(mock["errorOutput"].value("error", ""), mock["errorOutput"].value("cause", ""));
    Outcome o;
    o.output = mock["result"];
    return o;
  }
  std::shared_ptr<bool> live = std::make_shared<bool>(true);  // false once this run ended
  // A child execution of a map run: its index in the run and the items it processes (a batch's).
  size_t map_index = 0;
  int64_t item_count = 1;
  std::pair<double, uint64_t> express_key{-1, 0};  // an EXPRESS run: its entry in express_deadlines_
  std::function<void(Execution&)> on_finish;  // a child execution: tells its map run, once
  std::vector<MapRunPtr> map_runs;            // the map runs it started in this run (aborted with it)
  // RedriveExecution's clientToken: the last 10 tokens that redrove it, each with when it was
  // first used and the redriveDate it answered (valid 15 minutes; stored with the execution).
  struct RedriveToken {
    std::string token;
    double first_used = 0, redrive_date = 0;
  };
  std::deque<RedriveToken> redrive_tokens;
};
using ExecutionPtr = std::shared_ptr<Execution>;

// A branch of an execution (the top level, a Parallel branch, a Map iteration): its states,
// the last event it added (previousEventId), its variables.
// A branch's cancellation (a Parallel sibling failed, a Map's iterations failed). A frame is
// stopped when its token or any enclosing one is set; a hook (a distributed Map's run) is told at
// once when its token or an enclosing one is cancelled. Hooks are held weakly: one whose owner
// ended is skipped and pruned.
struct Cancel {
  using Hook = std::shared_ptr<std::function<void()>>;
  explicit Cancel(std::shared_ptr<Cancel> enclosing = nullptr) : parent(std::move(enclosing)) {}
  bool is_set() const {
    for (const Cancel* c = this; c; c = c->parent.get())
      if (c->set) return true;
    return false;
  }
  void fire();                   // sets it and runs the hooks registered on it (under the service's lock)
  void watch(const Hook& hook);  // registers the hook here and on every enclosing token
  bool set = false;
  std::shared_ptr<Cancel> parent;
  std::vector<std::weak_ptr<std::function<void()>>> hooks;
};
using CancelPtr = std::shared_ptr<Cancel>;

struct Frame {
  ExecutionPtr exec;
  const json* machine = nullptr;  // {"StartAt", "States"}
  int64_t last_event = 0;
  json variables = json::object();
  bool top = false;
  int depth = 0;
  json map_item;  // {"Index", "Value"} inside a Map iteration
  bool jsonata = false; // the query language of its states unless a state says otherwise
  // The query language of one of its states: the state's QueryLanguage, else the frame's.
  bool uses_jsonata(const json& st) const {
    auto q = st.find("QueryLanguage");
    return q == st.end() ? jsonata : *q == "JSONata";
  }
  // A child frame's language: the state's, unless the branch's machine names its own.
  bool child_jsonata(const json& st, const json& branch) const {
    auto q = branch.find("QueryLanguage");
    return q == branch.end() ? uses_jsonata(st) : *q == "JSONata";
  }
  CheckpointPtr cp = std::make_shared<Checkpoint>();  // where it is; a Parallel's or Map's cp holds its children's
  bool resuming = false;   // its first state continues `cp` (redrive, restart): done children are not run again
  bool restarted = false;  // ... after a restart: that state was entered before (no second Entered event, Wait deadline kept)
  bool state_restarted = false;  // the state it is in continues from before a restart (its children too)
  CancelPtr cancelled = std::make_shared<Cancel>();  // a sibling branch failed (or an enclosing one's)
  std::shared_ptr<bool> live;  // the execution's run this frame belongs to (a redrive starts another)
  bool stopped() const;
};
using FramePtr = std::shared_ptr<Frame>;

// A task waiting for its token (waitForTaskToken, activities).
struct TaskToken {
  std::string token;
  std::string activity_arn;  // set for activity tasks
  json input;                // the activity's input
  bool started = false;
  std::function<void(Outcome)> resume;
  int64_t heartbeat_deadline_ms = 0;
  int64_t heartbeat_seconds = 0;
};

namespace paths {
struct Scope;
}
// ItemBatcher: the batches {"Items": [...], "BatchInput"} of `items` (map_runs.cpp).
json make_batches(const json& batcher, const json& items, const paths::Scope& scope);

// A distributed Map's run: its DescribeMapRun document, the live limits UpdateMapRun changes and
// its child executions (one per item or batch; null: not started, or an EXPRESS child lost in a
// restart). STANDARD children are also in executions_ (stored with their index in the run).
struct MapRun {
  json doc;                     // DescribeMapRun (+ "_stateMachineArn", the children's)
  size_t max_concurrency = 0;   // 0: 40 at a time
  double tolerated_pct = -1;    // -1: none
  int64_t tolerated_count = -1;
  std::function<void()> relaunch;  // starts more iterations after a limit was raised
  std::vector<ExecutionPtr> children;
};

struct Poller {
  std::string activity_arn, worker;
  Completion done;
  uint64_t id = 0;
};

class StepFunctionsService final : public Service {
 public:
  explicit StepFunctionsService(const ServiceEnv& env);
  ~StepFunctionsService() override;
  std::string_view name() const override { return "stepfunctions"; }
  void invoke(const RequestContext& ctx, const std::string& operation, json input, Completion done) override;
  Result call(const RequestContext& ctx, const std::string& operation, json input) override;
  void reset() override;
  // EXPRESS executions run five minutes at most (under mu_).
  void watch_express(const ExecutionPtr& e, double deadline);
  void schedule_express_sweep(double at);
  void sweep_express();
  void shutdown() override;
  void drain() override;

  using Handler = Result (StepFunctionsService::*)(const RequestContext& ctx, json& in);

  // ---- state_machines.cpp ----
  Result create_state_machine(const RequestContext& ctx, json& in);
  Result describe_state_machine(const RequestContext& ctx, json& in);
  Result update_state_machine(const RequestContext& ctx, json& in);
  Result delete_state_machine(const RequestContext& ctx, json& in);
  Result list_state_machines(const RequestContext& ctx, json& in);
  Result validate_definition(const RequestContext& ctx, json& in);
  Result publish_version(const RequestContext& ctx, json& in);
  Result list_versions(const RequestContext& ctx, json& in);
  Result delete_version(const RequestContext& ctx, json& in);
  Result create_alias(const RequestContext& ctx, json& in);
  Result describe_alias(const RequestContext& ctx, json& in);
  Result update_alias(const RequestContext& ctx, json& in);
  Result delete_alias(const RequestContext& ctx, json& in);
  Result list_aliases(const RequestContext& ctx, json& in);
  // ---- versions.cpp ----
  struct Target {
    StateMachine* machine = nullptr;
    std::string base_arn, version_arn, alias_arn;
  };
  // The machine a state machine, version or alias ARN starts (an alias picks a version by weight).
  Target resolve_target(const std::string& arn);
  json publish(StateMachine& m, const std::string& description);
  std::string check_routing(const json& routes);
  json* find_alias(const std::string& arn);
  Result tag_resource(const RequestContext& ctx, json& in);
  Result untag_resource(const RequestContext& ctx, json& in);
  Result list_tags(const RequestContext& ctx, json& in);

  // ---- executions.cpp ----
  Result start_execution(const RequestContext& ctx, json& in);
  Result stop_execution(const RequestContext& ctx, json& in);
  Result describe_execution(const RequestContext& ctx, json& in);
  Result list_executions(const RequestContext& ctx, json& in);
  Result get_execution_history(const RequestContext& ctx, json& in);
  Result describe_state_machine_for_execution(const RequestContext& ctx, json& in);
  Result redrive_execution(const RequestContext& ctx, json& in);
  // The ExecutionNotRedrivable reason of a finished execution ("" when it can be redriven).
  std::string not_redrivable_reason(const Execution& e) const;
  void set_redrive_status(Execution& e);
  // Runs a failed execution again from where it failed (RedriveExecution, a map run's child).
  double redrive(const ExecutionPtr& e);
  // One page of ListExecutions over executions sorted newest first.
  json list_page_of(std::vector<const Execution*> matching, const json& in);

  // ---- test_state.cpp ----
  void test_state(const RequestContext& ctx, json in, Completion done);

  // ---- map_runs.cpp ----
  Result describe_map_run(const RequestContext& ctx, json& in);
  Result list_map_runs(const RequestContext& ctx, json& in);
  Result update_map_run(const RequestContext& ctx, json& in);
  // Distributed Map: a map run over the items (ItemSelector, then ItemBatcher batches).
  // A redrive (or a restart) of the execution continues the map run its checkpoint names.
  void run_distributed_map(const FramePtr& f, const std::string& name, const json& st, json input, json items,
                           OutcomeFn done);
  // ---- map_children.cpp ----
  // The map run's child executions over `inputs` (MaxConcurrency, tolerated failures); each
  // child's record ({Status, Input, Output | Error, Cause, ExecutionArn, ...}) goes to `done` as
  // the output array. continuing: the run started before (succeeded children are kept; after a
  // redrive the unsuccessful ones are redriven, after a restart the running ones resume).
  void run_map_children(const FramePtr& f, const json& st, std::vector<json> inputs, const MapRunPtr& run,
                        bool continuing, OutcomeFn done);
  ExecutionPtr start_child(const FramePtr& f, const json& st, const MapRunPtr& run, size_t index, json input);
  // Aborts the running children of a run (the run failed, or its parent ended).
  void abort_children(const MapRun& run);
  // The counters of DescribeMapRun from the children's statuses.
  void recount(MapRun& run);
  // A child of a map run moved from one status to another ("" : not started).
  static void move_count(MapRun& run, int64_t items, const std::string& from, const std::string& to);
  Result list_map_run_executions(const std::string& map_run_arn, const json& in);
  // ResultWriter: the results and the manifest written to S3; the Map state's output.
  void write_results(const FramePtr& f, const json& st, const json& scope_input, const MapRunPtr& run,
                     std::vector<json> results, OutcomeFn done);
  void save_map_run(const MapRun& r);
  // Starts an execution; sync: the Completion of StartSyncExecution (under mu_).
  Result start(const RequestContext& ctx, json& in, Completion* sync);

  // ---- activities.cpp ----
  Result create_activity(const RequestContext& ctx, json& in);
  Result delete_activity(const RequestContext& ctx, json& in);
  Result describe_activity(const RequestContext& ctx, json& in);
  Result list_activities(const RequestContext& ctx, json& in);
  Result send_task_success(const RequestContext& ctx, json& in);
  Result send_task_failure(const RequestContext& ctx, json& in);
  Result send_task_heartbeat(const RequestContext& ctx, json& in);
  void get_activity_task(const RequestContext& ctx, json in, Completion done);
  // HeartbeatSeconds: fails the task with States.HeartbeatTimeout unless a heartbeat (or the
  // result) comes in time (under mu_).
  void arm_heartbeat(const std::string& token);
  // Offers a waiting activity task to a poller (under mu_); the completions to run after.
  void match_pollers(const std::string& activity_arn, std::vector<std::function<void()>>& after);

  // ---- interpreter.cpp ----
  // Runs `e` from `start_state`, or continues `resume` (its state, input, variables and the
  // branches and iterations it records); `restarted`: after a restart rather than a redrive.
  void run_execution(const ExecutionPtr& e, const std::string& start_state, json input, json variables,
                     CheckpointPtr resume = nullptr, bool restarted = false);
  // A child frame of `f` (a Parallel branch, an inline Map iteration `index`) over `machine`:
  // it continues its recorded checkpoint when it has one (kept in f's).
  FramePtr child_frame(const FramePtr& f, const json& machine, size_t index);
  // A branch or iteration succeeded: the checkpoint is saved (the top level saves at each state;
  // what happens inside a branch is saved when a branch or iteration of it ends).
  void save_progress(const Execution& e, size_t done);
  void run_frame(const FramePtr& f, const std::string& state, json input, OutcomeFn done);
  void run_state(const FramePtr& f, const std::string& name, json input, std::vector<int> retries, OutcomeFn done);
  // After a state's work: its output and transition, or Retry / Catch of its error.
  void state_done(const FramePtr& f, const std::string& name, const json& raw_input, Outcome result,
                  std::vector<int> retries, OutcomeFn done);
  void finish_execution(const ExecutionPtr& e, Outcome o, const char* status = nullptr);
  int64_t add_event(const FramePtr& f, const std::string& type, json details, const char* details_key);
  int64_t add_event(Execution& e, int64_t previous, const std::string& type, json details, const char* details_key);
  void run_parallel(const FramePtr& f, const std::string& name, const json& st, json input, OutcomeFn done);
  // ---- map_state.cpp ----
  void run_map(const FramePtr& f, const std::string& name, const json& st, json input, OutcomeFn done);
  // The items of a Map state: ItemReader (S3 GetObject / ListObjectsV2), Items, ItemsPath, input.
  void map_source(const FramePtr& f, const json& st, const json& input, std::function<void(Outcome, json)> got);
  // TestState with a mock: the Map's items (mapItemReaderData standing for its ItemReader),
  // their inspection data, and the mocked result judged against the tolerated failures.
  void run_mocked_map(const FramePtr& f, const json& st, const json& input, OutcomeFn done);
  // The iterations of an inline Map as child frames.
  void map_items(const FramePtr& f, const std::string& name, const json& st, json input, json items, OutcomeFn done);
  void post(std::chrono::milliseconds delay, std::function<void()> fn);
  void save(const Execution& e);

  // ---- integrations.cpp ----
  // limits: TimeoutSeconds / HeartbeatSeconds of a JSONata state, evaluated (else the literals).
  void run_task(const FramePtr& f, const std::string& name, const json& st, json params, OutcomeFn done,
                const json& limits = json::object());
  void call(const Execution& e, const std::string& service, const std::string& operation, json input,
            std::function<void(Result)> done, std::shared_ptr<Payload> payload = nullptr);

  // helpers (service.cpp)
  void release_map_runs();  // reset and destruction: the map runs' references to executions dropped
  std::string arn_prefix(const RequestContext& ctx, const std::string& kind) const;
  StateMachine* find_machine(const std::string& arn);
  std::optional<ExecutionPtr> find_execution(const std::string& arn);
  double now_s() const;
  int64_t now_ms() const;

  ServiceEnv env_;
  bool persistent_ = false;  // --data-dir: executions and their histories are written through
  std::recursive_mutex mu_;
  Store store_;
  std::map<std::string, StateMachine> machines_;           // by ARN (versions too: "<arn>:<n>")
  std::map<std::string, json> aliases_;                    // by alias ARN
  std::map<std::string, MapRunPtr> map_runs_;              // by map run ARN
  std::map<std::string, json> activities_;                 // by ARN
  std::map<std::string, ExecutionPtr> executions_;         // by ARN
  // Running EXPRESS executions by the end of their five minutes, swept by one timer; an entry
  // goes when its execution ends, so nothing outlives a finished run.
  std::map<std::pair<double, uint64_t>, std::weak_ptr<Execution>> express_deadlines_;
  uint64_t express_seq_ = 0;
  double express_sweep_at_ = -1;  // when the posted sweep runs; -1: none posted
  std::unordered_map<std::string, TaskToken> tokens_;      // by token
  std::map<std::string, std::deque<std::string>> activity_queue_;  // activity ARN → tokens
  std::deque<Poller> pollers_;
  uint64_t next_poller_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::atomic<bool> stopping_{false};
};

}  // namespace awan::stepfunctions
