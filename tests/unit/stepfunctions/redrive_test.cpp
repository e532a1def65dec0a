// RedriveExecution of executions that failed (or were stopped) in a Parallel or an inline Map:
// only the branches and iterations that did not succeed run again, each from the state it
// stopped in; the others keep their outputs. Table-driven over workflows whose Lambda tasks
// fail until the cause is fixed; also across a restart (--data-dir) and for a restart of a
// running Parallel; and checkpoints read back from malformed stored documents.
#include <filesystem>
#include <set>

#include "stepfunctions/fixture.hpp"
#include "stepfunctions/service_impl.hpp"

using nlohmann::json;
using namespace awan;
using awan::sfn_test::Fixture;

namespace {

const std::string kFn = "arn:aws:lambda:us-east-1:000000000000:function:";

// The Lambda stand-in answers {"fn", "got"}.
struct LambdaFixture : sfn_test::LambdaFixture {
  explicit LambdaFixture(std::string data_dir = "")
      : sfn_test::LambdaFixture([](const std::string& fn, const json& payload) { return json{{"fn", fn}, {"got", payload}}; },
                                std::move(data_dir)) {}
};

json task(const std::string& fn, json extra = json::object()) {
  json t = {{"Type", "Task"}, {"Resource", kFn + fn}};
  t.update(extra);
  if (!t.contains("Next")) t["End"] = true;
  return t;
}

json branch(const std::string& start, json states) { return {{"StartAt", start}, {"States", std::move(states)}}; }

size_t count(const std::vector<std::string>& v, const std::string& what) {
  return static_cast<size_t>(std::count(v.begin(), v.end(), what));
}

json describe(Fixture& fx, const std::string& arn) { return fx.call("DescribeExecution", {{"executionArn", arn}}).output; }

json output_of(const json& d) { return json::parse(d.value("output", "null")); }

}  // namespace

TEST(StepFunctionsRedrive, ParallelAndMapRerunOnlyWhatDidNotSucceed) {
  json par = {{"StartAt", "Par"},
              {"States",
               {{"Par", {{"Type", "Parallel"}, {"End", true},
                         {"Branches", {branch("A", {{"A", task("a")}}),
                                       branch("Prep", {{"Prep", {{"Type", "Pass"}, {"Result", 5}, {"Next", "B"}}}, {"B", task("b")}})}}}}}}};
  json map = {{"StartAt", "Each"},
              {"States", {{"Each", {{"Type", "Map"}, {"ItemsPath", "$.items"}, {"End", true},
                                    {"ItemProcessor", branch("Item", {{"Item", task("item")}})}}}}}};
  json serial = map;
  serial["States"]["Each"]["MaxConcurrency"] = 1;
  json tolerant = map;
  tolerant["States"]["Each"]["ToleratedFailureCount"] = 1;
  // A Map inside a Parallel branch: only the failed iteration of that branch runs again.
  json nested = {{"StartAt", "Par"},
                 {"States", {{"Par", {{"Type", "Parallel"}, {"Next", "Done"},
                                      {"Branches", {branch("A", {{"A", task("a")}}),
                                                    branch("Inner", {{"Inner", {{"Type", "Map"}, {"ItemsPath", "$.items"}, {"End", true},
                                                                                {"ItemProcessor", branch("Item", {{"Item", task("item")}})}}}})}}}},
                             {"Done", {{"Type", "Pass"}, {"End", true}}}}}};
  json items = {{"items", {1, 2, 3, 4}}};
  auto got = [](const std::string& fn, const json& v) { return json{{"fn", fn}, {"got", v}}; };
  struct T {
    std::string name;
    json definition, input;
    std::set<std::string> failing;
    std::string error;  // of the first run
    std::map<std::string, int> calls_before, calls_after;  // per function, after the first run and after the redrive
    json output;
    std::map<std::string, size_t> events;  // per event type, over the whole history after the redrive
  };
  std::vector<T> table = {
      {"parallel: the succeeded branch keeps its output, the failed one continues at its task",
       par, json::object(), {"b"}, "Broken", {{"a", 1}, {"b", 1}}, {{"a", 1}, {"b", 2}},
       {got("a", json::object()), got("b", 5)},
       {{"ParallelStateEntered", 2}, {"PassStateEntered", 1}, {"TaskStateEntered", 3}, {"ParallelStateSucceeded", 1}}},
      // Item 4 was running when item 3 failed: it was aborted, and runs again with it.
      {"map: only the failed and aborted iterations run again", map, items, {"item:3"}, "Broken",
       {{"item", 4}}, {{"item", 6}}, {got("item", 1), got("item", 2), got("item", 3), got("item", 4)},
       {{"MapIterationStarted", 6}, {"MapIterationSucceeded", 4}, {"MapIterationFailed", 1}, {"MapStateSucceeded", 1}}},
      {"map, one at a time: the iterations never started run", serial, items, {"item:2"}, "Broken",
       {{"item", 2}}, {{"item", 5}}, {got("item", 1), got("item", 2), got("item", 3), got("item", 4)},
       {{"MapIterationStarted", 5}, {"MapIterationSucceeded", 4}}},
      {"map over its tolerance: the tolerated failure runs again too", tolerant, items, {"item:1", "item:4"},
       "States.ExceedToleratedFailureThreshold",
       {{"item", 4}}, {{"item", 6}}, {got("item", 1), got("item", 2), got("item", 3), got("item", 4)},
       {{"MapIterationStarted", 6}, {"MapIterationFailed", 2}}},
      {"a map in a parallel branch", nested, items, {"item:2"}, "Broken",
       {{"a", 1}, {"item", 4}}, {{"a", 1}, {"item", 7}},
       {got("a", items), {got("item", 1), got("item", 2), got("item", 3), got("item", 4)}},
       {{"MapIterationStarted", 7}, {"PassStateEntered", 1}}},
  };
  for (const auto& t : table) {
    LambdaFixture fx;
    fx.failing = t.failing;
    std::string sm = fx.create("m", t.definition);
    json d = fx.start(sm, t.input);
    ASSERT_EQ(d["status"], "FAILED") << t.name << d.dump();
    EXPECT_EQ(d["error"], t.error) << t.name;
    for (const auto& [fn, n] : t.calls_before) EXPECT_EQ(fx.calls_of(fn), n) << t.name << ": " << fn;
    fx.failing.clear();  // the cause is fixed
    auto r = fx.call("RedriveExecution", {{"executionArn", d["executionArn"]}});
    ASSERT_FALSE(r.is_error()) << t.name << ": " << r.error->message;
    fx.scheduler.run();
    d = describe(fx, d["executionArn"]);
    ASSERT_EQ(d["status"], "SUCCEEDED") << t.name << d.dump();
    EXPECT_EQ(output_of(d), t.output) << t.name;
    for (const auto& [fn, n] : t.calls_after) EXPECT_EQ(fx.calls_of(fn), n) << t.name << ": " << fn;
    auto h = fx.history(d["executionArn"]);
    for (const auto& [type, n] : t.events) EXPECT_EQ(count(h, type), n) << t.name << ": " << type;
    EXPECT_EQ(count(h, "ExecutionRedriven"), 1u) << t.name;
  }
}

TEST(StepFunctionsRedrive, FailingAgainKeepsWhatSucceeded) {
  // Two redrives: each keeps the branches that succeeded in any earlier run.
  LambdaFixture fx;
  json wait_then_c = branch("W", {{"W", {{"Type", "Wait"}, {"Seconds", 5}, {"Next", "C"}}}, {"C", task("c")}});
  json par = {{"StartAt", "Par"},
              {"States", {{"Par", {{"Type", "Parallel"}, {"End", true},
                                   {"Branches", {branch("A", {{"A", task("a")}}), branch("B", {{"B", task("b")}}), wait_then_c}}}}}}};
  std::string sm = fx.create("again", par);
  fx.failing = {"b"};
  json d = fx.start(sm);
  ASSERT_EQ(d["status"], "FAILED");
  EXPECT_EQ(fx.calls_of("c"), 0);  // cancelled in its Wait when b failed
  fx.failing = {"c"};
  ASSERT_FALSE(fx.call("RedriveExecution", {{"executionArn", d["executionArn"]}}).is_error());
  fx.scheduler.run();
  d = describe(fx, d["executionArn"]);
  ASSERT_EQ(d["status"], "FAILED");
  EXPECT_EQ(fx.calls_of("a"), 1);
  EXPECT_EQ(fx.calls_of("b"), 2);
  EXPECT_EQ(fx.calls_of("c"), 1);
  fx.failing.clear();
  ASSERT_FALSE(fx.call("RedriveExecution", {{"executionArn", d["executionArn"]}}).is_error());
  fx.scheduler.run();
  d = describe(fx, d["executionArn"]);
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(d["redriveCount"], 2);
  EXPECT_EQ(fx.calls_of("a"), 1);
  EXPECT_EQ(fx.calls_of("b"), 2);
  EXPECT_EQ(fx.calls_of("c"), 2);
  EXPECT_EQ(output_of(d), (json{{{"fn", "a"}, {"got", json::object()}}, {{"fn", "b"}, {"got", json::object()}},
                                {{"fn", "c"}, {"got", json::object()}}}));
}

TEST(StepFunctionsRedrive, StoppedInABranch) {
  // Stopped while one branch waits: the branch that finished is not run again.
  LambdaFixture fx;
  json par = {{"StartAt", "Par"},
              {"States", {{"Par", {{"Type", "Parallel"}, {"End", true},
                                   {"Branches", {branch("A", {{"A", task("a")}}),
                                                 branch("W", {{"W", {{"Type", "Wait"}, {"Seconds", 100}, {"Next", "B"}}}, {"B", task("b")}})}}}}}}};
  std::string sm = fx.create("stopped", par);
  std::string arn = fx.call("StartExecution", {{"stateMachineArn", sm}}).output["executionArn"];
  fx.scheduler.run_due();
  ASSERT_EQ(fx.calls_of("a"), 1);
  fx.call("StopExecution", {{"executionArn", arn}});
  ASSERT_EQ(describe(fx, arn)["status"], "ABORTED");
  ASSERT_FALSE(fx.call("RedriveExecution", {{"executionArn", arn}}).is_error());
  fx.scheduler.run();
  json d = describe(fx, arn);
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(fx.calls_of("a"), 1);
  EXPECT_EQ(fx.calls_of("b"), 1);
  EXPECT_EQ(count(fx.history(arn), "WaitStateEntered"), 2u);  // the redriven Wait waits again
}

TEST(StepFunctionsRedrive, AfterARestart) {
  auto dir = std::filesystem::temp_directory_path() / ("sfn-redrive-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  json map = {{"StartAt", "Each"},
              {"States", {{"Each", {{"Type", "Map"}, {"ItemsPath", "$.items"}, {"End", true},
                                    {"ItemProcessor", branch("Item", {{"Item", task("item")}})}}}}}};
  std::string arn;
  {
    LambdaFixture fx(dir.string());
    fx.failing = {"item:2"};
    std::string sm = fx.create("persisted", map);
    json d = fx.start(sm, {{"items", {1, 2, 3}}});
    ASSERT_EQ(d["status"], "FAILED");
    arn = d["executionArn"];
  }
  LambdaFixture fx(dir.string());  // a new process: nothing failing, no calls counted yet
  ASSERT_FALSE(fx.call("RedriveExecution", {{"executionArn", arn}}).is_error());
  fx.scheduler.run();
  json d = describe(fx, arn);
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  // Item 1 is not run again; item 3 was aborted when item 2 failed.
  EXPECT_EQ(fx.calls, (std::map<std::string, int>{{"item:2", 1}, {"item:3", 1}}));
  EXPECT_EQ(output_of(d), (json{{{"fn", "item"}, {"got", 1}}, {{"fn", "item"}, {"got", 2}}, {{"fn", "item"}, {"got", 3}}}));
  std::filesystem::remove_all(dir);
}

TEST(StepFunctionsPersistence, RestartResumesOnlyUnfinishedBranches) {
  auto dir = std::filesystem::temp_directory_path() / ("sfn-restart-par-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  json par = {{"StartAt", "Par"},
              {"States", {{"Par", {{"Type", "Parallel"}, {"End", true},
                                   {"Branches", {branch("A", {{"A", task("a")}}),
                                                 branch("W", {{"W", {{"Type", "Wait"}, {"Seconds", 100}, {"Next", "B"}}}, {"B", task("b")}})}}}}}}};
  std::string arn;
  {
    LambdaFixture fx(dir.string());
    std::string sm = fx.create("restarted", par);
    arn = fx.call("StartExecution", {{"stateMachineArn", sm}}).output["executionArn"];
    fx.scheduler.run_due();  // a done, the other branch in its Wait
    ASSERT_EQ(fx.calls_of("a"), 1);
  }
  LambdaFixture fx(dir.string());
  fx.scheduler.run();
  json d = describe(fx, arn);
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(fx.calls_of("a"), 0);  // not run again after the restart
  EXPECT_EQ(fx.calls_of("b"), 1);
  auto h = fx.history(arn);
  EXPECT_EQ(count(h, "ParallelStateEntered"), 1u);
  EXPECT_EQ(count(h, "ParallelStateStarted"), 1u);
  EXPECT_EQ(count(h, "WaitStateEntered"), 1u);
  EXPECT_EQ(count(h, "TaskStateEntered"), 2u);
  std::filesystem::remove_all(dir);
}

TEST(StepFunctionsCheckpoint, StoredDocumentsRoundTripAndMalformedOnesAreIgnored) {
  using stepfunctions::Checkpoint;
  json valid = {{"state", "Par"}, {"input", {{"k", 1}}}, {"variables", {{"v", 2}}}, {"deadline", 12.5},
                {"done", {{"0", "out"}, {"2", {{"x", 1}}}}},
                {"children", {{"1", {{"state", "Inner"}, {"input", nullptr}, {"variables", json::object()}}}}}};
  auto cp = Checkpoint::from_json(valid);
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->to_json(), valid);
  for (const json& bad : {json(), json(1), json("Par"), json::array(), json::object(), json{{"state", 1}},
                          json{{"state", ""}}, json{{"input", 1}}}) {
    EXPECT_FALSE(Checkpoint::from_json(bad)) << bad.dump();
  }
  // Members of the wrong type or with keys that are not indexes are dropped, the rest is kept.
  json odd = {{"state", "M"}, {"variables", {1, 2}}, {"deadline", "soon"},
              {"done", {{"x", 1}, {"-1", 2}, {"", 3}, {"12345678901", 4}, {"3", 5}}},
              {"children", {{"0", {{"state", 7}}}, {"1", "no"}, {"2", {{"state", "B"}, {"variables", "v"}}}}}};
  cp = Checkpoint::from_json(odd);
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->variables, json::object());
  EXPECT_FALSE(cp->deadline);
  EXPECT_EQ(cp->done, (std::map<size_t, json>{{3, 5}}));
  ASSERT_EQ(cp->children.size(), 1u);
  EXPECT_EQ(cp->children.at(2)->state, "B");
  EXPECT_EQ(cp->children.at(2)->variables, json::object());
  EXPECT_FALSE(Checkpoint::from_json(json{{"state", "M"}, {"done", "all"}, {"children", {1, 2}}})->children.size());
  // Nesting deeper than any execution has is cut off.
  json deep = {{"state", "S"}};
  for (int i = 0; i < 100; ++i) deep = {{"state", "S"}, {"children", {{"0", deep}}}};
  cp = Checkpoint::from_json(deep);
  ASSERT_TRUE(cp);
  int depth = 0;
  for (auto c = cp; c && c->children.count(0); c = c->children.at(0)) ++depth;
  EXPECT_EQ(depth, 64);
}
