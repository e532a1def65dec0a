// Step Functions distributed Map iterations as child executions: their ARNs, DescribeExecution /
// GetExecutionHistory / DescribeStateMachineForExecution of a child, ListExecutions by
// mapRunArn (filters, paging, errors), the map run's counters, EXPRESS children, aborting the
// children with their parent, a map run redriven with its parent (only unsuccessful children
// run again, the same map run), and a map run continued after a restart (--data-dir).
#include <filesystem>
#include <set>

#include "stepfunctions/fixture.hpp"
#include "stepfunctions/service_impl.hpp"

using nlohmann::json;
using namespace awan;
using awan::sfn_test::Fixture;

namespace {

const std::string kFn = "arn:aws:lambda:us-east-1:000000000000:function:";
const std::string kPrefix = "arn:aws:states:us-east-1:000000000000:";

// The Lambda stand-in answers the payload times ten.
struct LambdaFixture : sfn_test::LambdaFixture {
  explicit LambdaFixture(std::string data_dir = "")
      : sfn_test::LambdaFixture([](const std::string&, const json& payload) { return json(payload.get<int>() * 10); },
                                std::move(data_dir)) {}
};

// A distributed Map "Each" over $.items whose children call the function `item`.
json machine(json extra = json::object(), const std::string& type = "STANDARD") {
  json st = {{"Type", "Map"}, {"ItemsPath", "$.items"}, {"End", true},
             {"ItemProcessor", {{"ProcessorConfig", {{"Mode", "DISTRIBUTED"}, {"ExecutionType", type}}},
                                {"StartAt", "Item"},
                                {"States", {{"Item", {{"Type", "Task"}, {"Resource", kFn + "item"}, {"End", true}}}}}}}};
  st.update(extra);
  return {{"StartAt", "Each"}, {"States", {{"Each", st}}}};
}

std::string code_of(const Result& r) { return r.error ? r.error->code : ""; }

size_t count(const std::vector<std::string>& v, const std::string& what) {
  return static_cast<size_t>(std::count(v.begin(), v.end(), what));
}

std::string map_run_of(Fixture& fx, const std::string& execution) {
  auto runs = fx.call("ListMapRuns", {{"executionArn", execution}}).output["mapRuns"];
  EXPECT_EQ(runs.size(), 1u) << runs.dump();
  return runs.empty() ? "" : runs[0]["mapRunArn"].get<std::string>();
}

json children(Fixture& fx, const std::string& run, json extra = json::object()) {
  extra["mapRunArn"] = run;
  return fx.call("ListExecutions", extra).output["executions"];
}

}  // namespace

TEST(StepFunctionsMapChildren, ChildrenAreExecutionsOfTheirOwn) {
  LambdaFixture fx;
  fx.failing = {"item:2"};
  std::string sm = fx.create("orders", machine({{"ToleratedFailureCount", 1}}));
  json d = fx.start(sm, {{"items", {1, 2, 3}}});
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_FALSE(d.contains("mapRunArn"));
  std::string run = map_run_of(fx, d["executionArn"]);
  EXPECT_EQ(run.rfind(kPrefix + "mapRun:orders/Each:", 0), 0u) << run;

  json list = children(fx, run);
  ASSERT_EQ(list.size(), 3u) << list.dump();
  std::set<std::string> statuses;
  for (const auto& c : list) {
    EXPECT_EQ(c["executionArn"].get<std::string>().rfind(kPrefix + "execution:orders/Each:", 0), 0u) << c.dump();
    EXPECT_EQ(c["stateMachineArn"], kPrefix + "stateMachine:orders/Each");
    EXPECT_EQ(c["mapRunArn"], run);
    EXPECT_EQ(c["itemCount"], 1);
    statuses.insert(c["status"]);
  }
  EXPECT_EQ(statuses, (std::set<std::string>{"SUCCEEDED", "FAILED"}));
  json failed = children(fx, run, {{"statusFilter", "FAILED"}});
  ASSERT_EQ(failed.size(), 1u);
  auto page = fx.call("ListExecutions", {{"mapRunArn", run}, {"maxResults", 2}}).output;
  ASSERT_EQ(page["executions"].size(), 2u);
  auto rest = fx.call("ListExecutions", {{"mapRunArn", run}, {"nextToken", page["nextToken"]}}).output;
  ASSERT_EQ(rest["executions"].size(), 1u);
  EXPECT_FALSE(rest.contains("nextToken"));

  // The failed child: described, its own history, its machine the ItemProcessor.
  std::string child = failed[0]["executionArn"];
  json c = fx.call("DescribeExecution", {{"executionArn", child}}).output;
  EXPECT_EQ(c["mapRunArn"], run);
  EXPECT_EQ(c["stateMachineArn"], kPrefix + "stateMachine:orders/Each");
  EXPECT_EQ(c["status"], "FAILED");
  EXPECT_EQ(c["error"], "Broken");
  EXPECT_EQ(c["input"], "2");
  EXPECT_EQ(fx.history(child), (std::vector<std::string>{"ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled",
                                                         "LambdaFunctionStarted", "LambdaFunctionFailed", "ExecutionFailed"}));
  json m = fx.call("DescribeStateMachineForExecution", {{"executionArn", child}}).output;
  EXPECT_EQ(m["mapRunArn"], run);
  EXPECT_EQ(m["label"], "Each");
  EXPECT_EQ(m["name"], "orders/Each");
  EXPECT_EQ(json::parse(m["definition"].get<std::string>())["StartAt"], "Item");
  // The parent's history holds none of the children's events; listing the machine, only it.
  EXPECT_EQ(count(fx.history(d["executionArn"]), "TaskStateEntered"), 0u);
  json parents = fx.call("ListExecutions", {{"stateMachineArn", sm}}).output["executions"];
  ASSERT_EQ(parents.size(), 1u);
  EXPECT_FALSE(parents[0].contains("itemCount"));

  auto mr = fx.call("DescribeMapRun", {{"mapRunArn", run}}).output;
  EXPECT_EQ(mr["executionCounts"]["succeeded"], 2);
  EXPECT_EQ(mr["executionCounts"]["failed"], 1);
  EXPECT_EQ(mr["executionCounts"]["running"], 0);
  EXPECT_EQ(mr["executionCounts"]["pending"], 0);
  EXPECT_EQ(mr["itemCounts"]["total"], 3);

  EXPECT_EQ(code_of(fx.call("ListExecutions", {{"mapRunArn", run}, {"stateMachineArn", sm}})), "ValidationException");
  EXPECT_EQ(code_of(fx.call("ListExecutions", {{"mapRunArn", run + "0"}})), "ResourceNotFound");
  EXPECT_EQ(code_of(fx.call("ListExecutions", {{"mapRunArn", "arn:aws:states:us-east-1:1:execution:x:y"}})), "InvalidArn");
}

TEST(StepFunctionsMapChildren, BatchesCountTheirItems) {
  LambdaFixture fx;
  json m = machine({{"ItemBatcher", {{"MaxItemsPerBatch", 2}}}});
  m["States"]["Each"]["ItemProcessor"]["States"]["Item"] = {{"Type", "Pass"}, {"End", true}};
  json d = fx.start(fx.create("batches", m), {{"items", {1, 2, 3}}});
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  json list = children(fx, map_run_of(fx, d["executionArn"]));
  ASSERT_EQ(list.size(), 2u);
  std::multiset<int64_t> counts;
  for (const auto& c : list) counts.insert(c["itemCount"].get<int64_t>());
  EXPECT_EQ(counts, (std::multiset<int64_t>{1, 2}));
}

TEST(StepFunctionsMapChildren, ExpressChildrenAreNotKept) {
  LambdaFixture fx;
  json d = fx.start(fx.create("express", machine(json::object(), "EXPRESS")), {{"items", {1, 2}}});
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(d["output"], "[10,20]");
  std::string run = map_run_of(fx, d["executionArn"]);
  EXPECT_EQ(children(fx, run), json::array());
  auto mr = fx.call("DescribeMapRun", {{"mapRunArn", run}}).output;
  EXPECT_EQ(mr["executionCounts"]["succeeded"], 2);
}

TEST(StepFunctionsMapChildren, StoppingTheParentAbortsTheChildren) {
  LambdaFixture fx;
  json m = machine();
  m["States"]["Each"]["ItemProcessor"]["States"]["Item"] = {{"Type", "Wait"}, {"Seconds", 100}, {"End", true}};
  std::string arn = fx.call("StartExecution", {{"stateMachineArn", fx.create("stopped", m)},
                                               {"input", json{{"items", {1, 2}}}.dump()}}).output["executionArn"];
  fx.scheduler.run_due();
  std::string run = map_run_of(fx, arn);
  ASSERT_EQ(children(fx, run, {{"statusFilter", "RUNNING"}}).size(), 2u);
  ASSERT_FALSE(fx.call("StopExecution", {{"executionArn", arn}}).is_error());
  EXPECT_EQ(children(fx, run, {{"statusFilter", "ABORTED"}}).size(), 2u);
  auto mr = fx.call("DescribeMapRun", {{"mapRunArn", run}}).output;  // counted at once
  EXPECT_EQ(mr["executionCounts"]["running"], 0);
  fx.scheduler.run();
  mr = fx.call("DescribeMapRun", {{"mapRunArn", run}}).output;
  EXPECT_EQ(mr["status"], "ABORTED");
  EXPECT_EQ(mr["executionCounts"]["aborted"], 2);
  EXPECT_EQ(mr["executionCounts"]["pendingRedrive"], 2);
  auto h = fx.history(arn);
  ASSERT_GE(h.size(), 2u);
  EXPECT_EQ(h[h.size() - 2], "MapRunAborted");
  EXPECT_EQ(h.back(), "ExecutionAborted");
}

TEST(StepFunctionsMapChildren, RedriveContinuesTheMapRun) {
  LambdaFixture fx;
  fx.failing = {"item:2"};
  std::string sm = fx.create("redriven", machine({{"MaxConcurrency", 1}}));
  json d = fx.start(sm, {{"items", {1, 2, 3, 4}}});
  ASSERT_EQ(d["status"], "FAILED") << d.dump();
  EXPECT_EQ(d["error"], "Broken");
  std::string run = map_run_of(fx, d["executionArn"]);
  auto mr = fx.call("DescribeMapRun", {{"mapRunArn", run}}).output;
  EXPECT_EQ(mr["status"], "FAILED");
  EXPECT_EQ(mr["executionCounts"]["succeeded"], 1);
  EXPECT_EQ(mr["executionCounts"]["failed"], 1);
  EXPECT_EQ(mr["executionCounts"]["total"], 4);
  EXPECT_EQ(mr["redriveCount"], 0);
  std::string failed_child = children(fx, run, {{"statusFilter", "FAILED"}})[0]["executionArn"];
  EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", failed_child}}).output["redriveStatus"], "REDRIVABLE");

  fx.failing.clear();
  ASSERT_FALSE(fx.call("RedriveExecution", {{"executionArn", d["executionArn"]}}).is_error());
  fx.scheduler.run();
  d = fx.call("DescribeExecution", {{"executionArn", d["executionArn"]}}).output;
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(d["output"], "[10,20,30,40]");
  // The same map run: the succeeded child was not run again, the failed one was redriven.
  EXPECT_EQ(map_run_of(fx, d["executionArn"]), run);
  EXPECT_EQ(fx.calls, (std::map<std::string, int>{{"item:1", 1}, {"item:2", 2}, {"item:3", 1}, {"item:4", 1}}));
  mr = fx.call("DescribeMapRun", {{"mapRunArn", run}}).output;
  EXPECT_EQ(mr["status"], "SUCCEEDED");
  EXPECT_EQ(mr["redriveCount"], 1);
  EXPECT_TRUE(mr.contains("redriveDate"));
  EXPECT_EQ(mr["executionCounts"]["succeeded"], 4);
  EXPECT_EQ(mr["executionCounts"]["failed"], 0);
  EXPECT_EQ(children(fx, run).size(), 4u);
  json c = fx.call("DescribeExecution", {{"executionArn", failed_child}}).output;
  EXPECT_EQ(c["status"], "SUCCEEDED");
  EXPECT_EQ(c["redriveCount"], 1);
  EXPECT_EQ(count(fx.history(failed_child), "ExecutionRedriven"), 1u);
  EXPECT_EQ(children(fx, run, {{"redriveFilter", "REDRIVEN"}}).size(), 1u);
  auto h = fx.history(d["executionArn"]);
  EXPECT_EQ(count(h, "MapRunStarted"), 1u);
  EXPECT_EQ(count(h, "MapRunRedriven"), 1u);
  EXPECT_EQ(count(h, "MapRunFailed"), 1u);
  EXPECT_EQ(count(h, "MapRunSucceeded"), 1u);
}

TEST(StepFunctionsMapChildren, ExpressChildrenRunAgainAsNewExecutions) {
  LambdaFixture fx;
  fx.failing = {"item:1"};
  json d = fx.start(fx.create("express-redrive", machine(json::object(), "EXPRESS")), {{"items", {1, 2}}});
  ASSERT_EQ(d["status"], "FAILED") << d.dump();
  fx.failing.clear();
  ASSERT_FALSE(fx.call("RedriveExecution", {{"executionArn", d["executionArn"]}}).is_error());
  fx.scheduler.run();
  d = fx.call("DescribeExecution", {{"executionArn", d["executionArn"]}}).output;
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(fx.calls["item:1"], 2);
  auto mr = fx.call("DescribeMapRun", {{"mapRunArn", map_run_of(fx, d["executionArn"])}}).output;
  EXPECT_EQ(mr["executionCounts"]["succeeded"], 2);
  EXPECT_EQ(mr["executionCounts"]["failed"], 0);
  EXPECT_EQ(mr["redriveCount"], 1);
}

TEST(StepFunctionsMapChildren, TheMapRunContinuesAfterARestart) {
  auto dir = std::filesystem::temp_directory_path() / ("sfn-map-children-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  json m = machine({{"MaxConcurrency", 1}});
  m["States"]["Each"]["ItemProcessor"]["States"] = {
      {"Item", {{"Type", "Task"}, {"Resource", kFn + "item"}, {"Next", "Pause"}}},
      {"Pause", {{"Type", "Wait"}, {"Seconds", 100}, {"End", true}}}};
  std::string arn, run, first;
  {
    LambdaFixture fx(dir.string());
    arn = fx.call("StartExecution", {{"stateMachineArn", fx.create("restarted", m)},
                                     {"input", json{{"items", {1, 2}}}.dump()}}).output["executionArn"];
    fx.scheduler.run_due();  // the first child waits
    run = map_run_of(fx, arn);
    json running = children(fx, run, {{"statusFilter", "RUNNING"}});
    ASSERT_EQ(running.size(), 1u);
    first = running[0]["executionArn"];
  }
  LambdaFixture fx(dir.string());
  fx.scheduler.run();
  json d = fx.call("DescribeExecution", {{"executionArn", arn}}).output;
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(d["output"], "[10,20]");
  EXPECT_EQ(map_run_of(fx, arn), run);  // continued, not a new map run
  EXPECT_EQ(fx.calls, (std::map<std::string, int>{{"item:2", 1}}));  // the first child kept its task's result
  EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", first}}).output["status"], "SUCCEEDED");
  auto mr = fx.call("DescribeMapRun", {{"mapRunArn", run}}).output;
  EXPECT_EQ(mr["status"], "SUCCEEDED");
  EXPECT_EQ(mr["executionCounts"]["succeeded"], 2);
  EXPECT_EQ(children(fx, run).size(), 2u);
  EXPECT_EQ(count(fx.history(arn), "MapRunStarted"), 1u);
  std::filesystem::remove_all(dir);
}

TEST(StepFunctionsMapChildren, ACancelledBranchEndsItsMapRun) {
  LambdaFixture fx;
  json m = machine({{"MaxConcurrency", 1}});
  m["States"]["Each"]["ItemProcessor"]["States"]["Item"] = {{"Type", "Wait"}, {"Seconds", 10}, {"End", true}};
  json par = {{"StartAt", "Both"},
              {"States", {{"Both", {{"Type", "Parallel"}, {"Next", "Later"},
                                    {"Catch", {{{"ErrorEquals", {"States.ALL"}}, {"Next", "Later"}}}},
                                    {"Branches", {m, {{"StartAt", "Boom"}, {"States", {{"Boom", {{"Type", "Fail"}, {"Error", "E"}}}}}}}}}},
                         {"Later", {{"Type", "Wait"}, {"Seconds", 100}, {"End", true}}}}}};
  std::string arn = fx.call("StartExecution", {{"stateMachineArn", fx.create("cancelled", par)},
                                               {"input", json{{"items", {1, 2}}}.dump()}}).output["executionArn"];
  fx.scheduler.run_due();
  std::string run = map_run_of(fx, arn);
  // The other branch failed at once: the run and its running child are aborted with it, without
  // waiting for the child's Wait; the second child never starts.
  EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", arn}}).output["status"], "RUNNING");
  auto mr = fx.call("DescribeMapRun", {{"mapRunArn", run}}).output;
  EXPECT_EQ(mr["status"], "ABORTED");
  EXPECT_EQ(mr["executionCounts"]["aborted"], 1);
  EXPECT_EQ(mr["executionCounts"]["running"], 0);
  auto list = children(fx, run);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["status"], "ABORTED");
  fx.clock.set(fx.clock.now() + std::chrono::seconds(20));
  fx.scheduler.run_due();
  EXPECT_EQ(fx.call("DescribeMapRun", {{"mapRunArn", run}}).output["executionCounts"]["succeeded"], 0);
  EXPECT_EQ(children(fx, run).size(), 1u);
  fx.scheduler.run();
  EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", arn}}).output["status"], "SUCCEEDED");
}

TEST(StepFunctionsMapChildren, RedriveAfterARestartKeepsTheSucceededChildren) {
  auto dir = std::filesystem::temp_directory_path() / ("sfn-map-redrive-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string arn, run;
  {
    LambdaFixture fx(dir.string());
    fx.failing = {"item:2"};
    json d = fx.start(fx.create("persisted", machine({{"MaxConcurrency", 1}})), {{"items", {1, 2, 3}}});
    ASSERT_EQ(d["status"], "FAILED") << d.dump();
    arn = d["executionArn"];
    run = map_run_of(fx, arn);
  }
  LambdaFixture fx(dir.string());  // nothing failing, no calls counted yet
  json list = children(fx, run);
  ASSERT_EQ(list.size(), 2u) << list.dump();  // the children were stored with their run
  ASSERT_FALSE(fx.call("RedriveExecution", {{"executionArn", arn}}).is_error());
  fx.scheduler.run();
  json d = fx.call("DescribeExecution", {{"executionArn", arn}}).output;
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(d["output"], "[10,20,30]");
  EXPECT_EQ(fx.calls, (std::map<std::string, int>{{"item:2", 1}, {"item:3", 1}}));
  auto mr = fx.call("DescribeMapRun", {{"mapRunArn", run}}).output;
  EXPECT_EQ(mr["redriveCount"], 1);
  EXPECT_EQ(mr["executionCounts"]["succeeded"], 3);
  EXPECT_EQ(children(fx, run).size(), 3u);
  std::filesystem::remove_all(dir);
}

TEST(StepFunctionsMapChildren, ARunWithoutItsParentEndsAtARestart) {
  auto dir = std::filesystem::temp_directory_path() / ("sfn-map-orphan-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  json m = machine();
  m["States"]["Each"]["ItemProcessor"]["States"]["Item"] = {{"Type", "Wait"}, {"Seconds", 100}, {"End", true}};
  {
    LambdaFixture fx(dir.string());
    // An EXPRESS parent is not kept; its STANDARD children and its map run are.
    std::string sm = fx.create("express-parent", m, {{"type", "EXPRESS"}});
    ASSERT_FALSE(fx.call("StartExecution", {{"stateMachineArn", sm}, {"input", json{{"items", {1, 2}}}.dump()}}).is_error());
    fx.scheduler.run_due();
  }
  LambdaFixture fx(dir.string());
  auto& service = static_cast<stepfunctions::StepFunctionsService&>(*fx.svc);
  ASSERT_EQ(service.map_runs_.size(), 1u);
  std::string run = service.map_runs_.begin()->first;
  fx.scheduler.run();
  // The run and its children ended at the restart: nothing is left running.
  auto mr = fx.call("DescribeMapRun", {{"mapRunArn", run}}).output;
  EXPECT_EQ(mr["status"], "ABORTED");
  EXPECT_EQ(mr["executionCounts"]["aborted"], 2);
  EXPECT_EQ(mr["executionCounts"]["running"], 0);
  json list = children(fx, run);
  ASSERT_EQ(list.size(), 2u);
  for (const auto& c : list) EXPECT_EQ(c["status"], "ABORTED");
  std::filesystem::remove_all(dir);
}

// A Parallel (or inline Map) nested in a cancelled branch stops too: its own branches see the
// enclosing cancellation, so a Task after a Wait there is never called.
TEST(StepFunctionsMapChildren, ACancelledBranchStopsWhatIsNestedInIt) {
  LambdaFixture fx;
  json inner_task = {{"StartAt", "Pause"},
                     {"States", {{"Pause", {{"Type", "Wait"}, {"Seconds", 10}, {"Next", "Call"}}},
                                 {"Call", {{"Type", "Task"}, {"Resource", kFn + "late"}, {"End", true}}}}}};
  json inner = {{"StartAt", "Inner"},
                {"States", {{"Inner", {{"Type", "Parallel"}, {"End", true}, {"Branches", {inner_task}}}}}}};
  json looped = {{"StartAt", "Loop"},
                 {"States", {{"Loop", {{"Type", "Map"}, {"ItemsPath", "$.items"}, {"End", true}, {"ItemProcessor", inner_task}}}}}};
  json par = {{"StartAt", "Both"},
              {"States", {{"Both", {{"Type", "Parallel"}, {"Next", "Later"},
                                    {"Catch", {{{"ErrorEquals", {"States.ALL"}}, {"Next", "Later"}}}},
                                    {"Branches", {inner, looped, {{"StartAt", "Boom"},
                                                                   {"States", {{"Boom", {{"Type", "Fail"}, {"Error", "E"}}}}}}}}}},
                         {"Later", {{"Type", "Wait"}, {"Seconds", 100}, {"End", true}}}}}};
  std::string arn = fx.call("StartExecution", {{"stateMachineArn", fx.create("nested", par)},
                                               {"input", json{{"items", {1, 2}}}.dump()}}).output["executionArn"];
  fx.scheduler.run_due();
  fx.clock.set(fx.clock.now() + std::chrono::seconds(20));
  fx.scheduler.run_due();  // the nested Waits are over, the execution still runs
  EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", arn}}).output["status"], "RUNNING");
  EXPECT_EQ(fx.calls_of("late"), 0);
  fx.scheduler.run();
  EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", arn}}).output["status"], "SUCCEEDED");
  EXPECT_EQ(fx.calls_of("late"), 0);
}
