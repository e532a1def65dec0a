// Step Functions executions beyond a plain run: RedriveExecution (from the failed state, counts,
// the 14-day limit), TestState (statuses, nextState, inspectionData), variable scopes in
// Parallel branches, states:startExecution .sync and .sync:2, and resuming after a restart
// without a second StateEntered event.
#include <filesystem>

#include "stepfunctions/fixture.hpp"

using nlohmann::json;
using namespace awan;
using awan::sfn_test::Fixture;

namespace {

std::string code_of(const Result& r) { return r.error ? r.error->code : ""; }

// A Lambda stand-in that fails while `failing` is set; other services: routed back into the
// Step Functions service itself (nested executions).
struct FlakyFixture : Fixture {
  bool failing = true;
  FlakyFixture() : Fixture([this](const RequestContext& c, const std::string& service, const std::string& op, json in,
                                  Completion done) {
    if (service == "stepfunctions") return svc->invoke(c, op, std::move(in), std::move(done));
    if (failing) {
      done(Result::ok({{"StatusCode", 200}, {"FunctionError", "Unhandled"},
                       {"Payload", json{{"errorType", "Flaky"}, {"errorMessage", "not yet"}}.dump()}}));
      return;
    }
    done(Result::ok({{"StatusCode", 200}, {"Payload", json::parse(in.value("Payload", "null")).dump()}}));
  }) {}
};

const char* kFunction = "arn:aws:lambda:us-east-1:000000000000:function:flaky";

json three_steps() {
  return {{"StartAt", "A"},
          {"States", {{"A", {{"Type", "Pass"}, {"Result", {{"n", 1}}}, {"Assign", {{"seen.$", "$.n"}}}, {"Next", "B"}}},
                      {"B", {{"Type", "Task"}, {"Resource", kFunction}, {"Next", "C"}}},
                      {"C", {{"Type", "Pass"}, {"Parameters", {{"seen.$", "$seen"}, {"got.$", "$"}}}, {"End", true}}}}}};
}

size_t count(const std::vector<std::string>& v, const std::string& what) {
  return static_cast<size_t>(std::count(v.begin(), v.end(), what));
}

}  // namespace

TEST(StepFunctionsRedrive, RestartsFromTheFailedState) {
  FlakyFixture fx;
  std::string sm = fx.create("r", three_steps());
  auto d = fx.start(sm);
  ASSERT_EQ(d["status"], "FAILED");
  EXPECT_EQ(d["error"], "Flaky");
  EXPECT_EQ(d["redriveStatus"], "REDRIVABLE");
  fx.failing = false;
  auto r = fx.call("RedriveExecution", {{"executionArn", d["executionArn"]}});
  ASSERT_FALSE(r.is_error()) << r.error->message;
  EXPECT_TRUE(r.output.contains("redriveDate"));
  fx.scheduler.run();
  d = fx.call("DescribeExecution", {{"executionArn", d["executionArn"]}}).output;
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(json::parse(d["output"].get<std::string>()), (json{{"seen", 1}, {"got", {{"n", 1}}}}));
  EXPECT_EQ(d["redriveCount"], 1);
  EXPECT_TRUE(d.contains("redriveDate"));
  EXPECT_EQ(d["redriveStatus"], "NOT_REDRIVABLE");
  EXPECT_EQ(d["redriveStatusReason"], "Execution is SUCCEEDED and cannot be redriven");
  auto h = fx.history(d["executionArn"]);
  EXPECT_EQ(count(h, "PassStateEntered"), 2u);  // A once, C once: A is not run again
  EXPECT_EQ(count(h, "TaskStateEntered"), 2u);
  EXPECT_EQ(count(h, "ExecutionRedriven"), 1u);
  EXPECT_EQ(count(h, "ExecutionFailed"), 1u);
  EXPECT_EQ(h.back(), "ExecutionSucceeded");
  auto again = fx.call("RedriveExecution", {{"executionArn", d["executionArn"]}});
  EXPECT_EQ(code_of(again), "ExecutionNotRedrivable");
  auto l = fx.call("ListExecutions", {{"stateMachineArn", sm}, {"redriveFilter", "REDRIVEN"}});
  ASSERT_EQ(l.output["executions"].size(), 1u);
  EXPECT_EQ(l.output["executions"][0]["redriveCount"], 1);
  EXPECT_EQ(fx.call("ListExecutions", {{"stateMachineArn", sm}, {"redriveFilter", "NOT_REDRIVEN"}}).output["executions"].size(), 0u);
}

TEST(StepFunctionsRedrive, Limits) {
  FlakyFixture fx;
  std::string sm = fx.create("l", three_steps());
  auto d = fx.start(sm);
  fx.clock.advance(std::chrono::hours(24 * 15));
  auto r = fx.call("RedriveExecution", {{"executionArn", d["executionArn"]}});
  EXPECT_EQ(code_of(r), "ExecutionNotRedrivable");
  EXPECT_EQ(r.error->message, "Execution redrivable period exceeded");
  EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", d["executionArn"]}}).output["redriveStatus"], "NOT_REDRIVABLE");
  EXPECT_EQ(code_of(fx.call("RedriveExecution", {{"executionArn", "arn:aws:states:us-east-1:000000000000:execution:l:none"}})),
            "ExecutionDoesNotExist");
  EXPECT_EQ(code_of(fx.call("RedriveExecution", {{"executionArn", "arn:aws:states:us-east-1:000000000000:express:l:x:y"}})),
            "ExecutionNotRedrivable");
  EXPECT_EQ(code_of(fx.call("RedriveExecution", {{"executionArn", "nope"}})), "InvalidArn");
  // An aborted execution is redrivable.
  std::string w = fx.create("w", {{"StartAt", "W"}, {"States", {{"W", {{"Type", "Wait"}, {"Seconds", 100}, {"End", true}}}}}});
  auto s = fx.call("StartExecution", {{"stateMachineArn", w}});
  fx.call("StopExecution", {{"executionArn", s.output["executionArn"]}});
  EXPECT_FALSE(fx.call("RedriveExecution", {{"executionArn", s.output["executionArn"]}}).is_error());
  fx.scheduler.run();
  EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", s.output["executionArn"]}}).output["status"], "SUCCEEDED");
}

TEST(StepFunctionsTestState, StatusesAndInspection) {
  FlakyFixture fx;
  struct T {
    std::string name;
    json state;
    json input;
    std::string status, next, error;
    json output;
  };
  json task = {{"Type", "Task"}, {"Resource", kFunction}, {"End", true}};
  json retried = task;
  retried["Retry"] = {{{"ErrorEquals", {"States.ALL"}}, {"MaxAttempts", 2}}};
  json caught = task;
  caught.erase("End");
  caught["Next"] = "After";
  caught["Catch"] = {{{"ErrorEquals", {"Flaky"}}, {"Next", "Handler"}, {"ResultPath", "$.err"}}};
  std::vector<T> table = {
      {"pass", {{"Type", "Pass"}, {"Parameters", {{"x.$", "$.a"}}}, {"Next", "Later"}}, {{"a", 5}}, "SUCCEEDED", "Later", "", {{"x", 5}}},
      {"fail", {{"Type", "Fail"}, {"Error", "E"}, {"Cause", "C"}}, json::object(), "FAILED", "", "E", nullptr},
      {"retry", retried, json::object(), "RETRIABLE", "", "Flaky", nullptr},
      {"catch", caught, {{"k", 1}}, "CAUGHT_ERROR", "Handler", "Flaky", nullptr},
      {"task", task, json::object(), "FAILED", "", "Flaky", nullptr},
      {"choice", {{"Type", "Choice"}, {"Choices", {{{"Variable", "$.n"}, {"NumericEquals", 1}, {"Next", "One"}}}}, {"Default", "Other"}},
       {{"n", 1}}, "SUCCEEDED", "One", "", {{"n", 1}}},
      {"wait", {{"Type", "Wait"}, {"Seconds", 3600}, {"Next", "N"}}, {{"w", 1}}, "SUCCEEDED", "N", "", {{"w", 1}}},
  };
  for (const auto& t : table) {
    auto r = fx.invoke("TestState", {{"definition", t.state.dump()}, {"input", t.input.dump()}, {"inspectionLevel", "DEBUG"},
                                     {"roleArn", "arn:aws:iam::000000000000:role/r"}});
    ASSERT_FALSE(r.is_error()) << t.name << ": " << r.error->message;
    EXPECT_EQ(r.output["status"], t.status) << t.name << ": " << r.output.dump();
    EXPECT_EQ(r.output.value("nextState", ""), t.next) << t.name;
    EXPECT_EQ(r.output.value("error", ""), t.error) << t.name;
    if (!t.output.is_null()) {
      EXPECT_EQ(json::parse(r.output["output"].get<std::string>()), t.output) << t.name;
    }
    EXPECT_TRUE(r.output.contains("inspectionData")) << t.name;
  }
  auto pass = fx.invoke("TestState", {{"definition", table[0].state.dump()}, {"input", "{\"a\":5}"}, {"inspectionLevel", "DEBUG"}});
  EXPECT_EQ(pass.output["inspectionData"]["afterInputPath"], "{\"a\":5}");
  EXPECT_EQ(pass.output["inspectionData"]["afterParameters"], "{\"x\":5}");
  auto info = fx.invoke("TestState", {{"definition", table[0].state.dump()}, {"input", "{\"a\":5}"}});
  EXPECT_FALSE(info.output.contains("inspectionData"));
  // revealSecrets has nothing to reveal without HTTP Tasks: the same answer at every level.
  for (const char* level : {"INFO", "DEBUG", "TRACE"}) {
    auto plain = fx.invoke("TestState", {{"definition", table[0].state.dump()}, {"input", "{\"a\":5}"}, {"inspectionLevel", level}});
    auto revealed = fx.invoke("TestState", {{"definition", table[0].state.dump()}, {"input", "{\"a\":5}"},
                                            {"inspectionLevel", level}, {"revealSecrets", true}});
    ASSERT_FALSE(revealed.is_error()) << level;
    EXPECT_EQ(revealed.output, plain.output) << level;
  }
  // Variables in, Assign out.
  auto vars = fx.invoke("TestState", {{"definition", json{{"Type", "Pass"}, {"Parameters", {{"v.$", "$old"}}},
                                                          {"Assign", {{"fresh", 2}}}, {"End", true}}.dump()},
                                      {"variables", "{\"old\":1}"}, {"inspectionLevel", "DEBUG"}});
  EXPECT_EQ(json::parse(vars.output["output"].get<std::string>()), (json{{"v", 1}}));
  EXPECT_EQ(json::parse(vars.output["inspectionData"]["variables"].get<std::string>()), (json{{"old", 1}, {"fresh", 2}}));
  // A state of a whole state machine.
  auto named = fx.invoke("TestState", {{"definition", three_steps().dump()}, {"stateName", "A"}});
  EXPECT_EQ(named.output["nextState"], "B");
  EXPECT_EQ(code_of(fx.invoke("TestState", {{"definition", "{\"Type\":\"Pass\"}"}})), "InvalidDefinition");
  EXPECT_EQ(code_of(fx.invoke("TestState", {{"definition", "[1]"}})), "InvalidDefinition");
  EXPECT_EQ(code_of(fx.invoke("TestState", {{"definition", table[0].state.dump()}, {"input", "{bad"}})), "InvalidExecutionInput");
  EXPECT_EQ(code_of(fx.invoke("TestState", {{"definition", table[0].state.dump()}, {"inspectionLevel", "ALL"}})),
            "ValidationException");
}

TEST(StepFunctionsTestState, MocksAndStateConfiguration) {
  FlakyFixture fx;  // the function would fail: a mock stands for the call
  json task = {{"Type", "Task"}, {"Resource", "arn:aws:states:::lambda:invoke"},
               {"Parameters", {{"FunctionName", kFunction}, {"Payload.$", "$"}}}, {"ResultSelector", {{"p.$", "$.Payload"}}},
               {"Next", "After"}};
  json retried = task;
  retried["Retry"] = {{{"ErrorEquals", {"Other"}}, {"MaxAttempts", 1}},
                      {{"ErrorEquals", {"Boom"}}, {"MaxAttempts", 2}, {"IntervalSeconds", 3}, {"BackoffRate", 2}}};
  retried["Catch"] = {{{"ErrorEquals", {"Nope"}}, {"Next", "X"}}, {{"ErrorEquals", {"States.ALL"}}, {"Next", "Handler"}}};
  json branch = {{"StartAt", "Inner"}, {"States", {{"Inner", {{"Type", "Pass"}, {"End", true}}}}}};
  json parallel = {{"Type", "Parallel"}, {"Branches", {branch}}, {"End", true}};
  json map = {{"Type", "Map"}, {"ItemsPath", "$.items"}, {"ItemSelector", {{"v.$", "$$.Map.Item.Value"}}},
              {"ToleratedFailureCount", 1}, {"MaxConcurrency", 2}, {"ItemProcessor", branch}, {"End", true}};
  json reader = {{"Type", "Map"}, {"ItemReader", {{"Resource", "arn:aws:states:::s3:getObject"},
                                                  {"ReaderConfig", {{"InputType", "CSV"}, {"CSVHeaderLocation", "FIRST_ROW"}}},
                                                  {"Parameters", {{"Bucket", "b"}, {"Key", "k.csv"}}}}},
                 {"ItemProcessor", {{"ProcessorConfig", {{"Mode", "DISTRIBUTED"}, {"ExecutionType", "STANDARD"}}},
                                    {"StartAt", "Inner"}, {"States", {{"Inner", {{"Type", "Pass"}, {"End", true}}}}}}},
                 {"End", true}};
  json token = {{"Type", "Task"}, {"Resource", "arn:aws:states:::sqs:sendMessage.waitForTaskToken"}, {"End", true}};
  json activity = {{"Type", "Task"}, {"Resource", "arn:aws:states:us-east-1:000000000000:activity:a"}, {"End", true}};
  struct T {
    std::string name;
    json state, mock, config, input;
    std::string status, next, error;
    json output;
  };
  std::vector<T> table = {
      {"result", task, {{"result", R"({"Payload":{"x":1},"StatusCode":200})"}}, nullptr, {{"a", 1}}, "SUCCEEDED", "After", "",
       {{"p", {{"x", 1}}}}},
      {"error", task, {{"errorOutput", {{"error", "Boom"}, {"cause", "c"}}}}, nullptr, json::object(), "FAILED", "", "Boom", nullptr},
      {"retriable", retried, {{"errorOutput", {{"error", "Boom"}}}}, {{"retrierRetryCount", 1}}, json::object(), "RETRIABLE", "",
       "Boom", nullptr},
      {"retries exhausted", retried, {{"errorOutput", {{"error", "Boom"}}}}, {{"retrierRetryCount", 2}}, json::object(),
       "CAUGHT_ERROR", "Handler", "Boom", {{"Error", "Boom"}, {"Cause", ""}}},
      {"waitForTaskToken", token, {{"result", R"({"approved":true})"}}, nullptr, json::object(), "SUCCEEDED", "", "",
       {{"approved", true}}},
      {"activity", activity, {{"result", R"("done")"}}, nullptr, json::object(), "SUCCEEDED", "", "", "done"},
      {"parallel", parallel, {{"result", R"([{"b":1}])"}}, nullptr, json::object(), "SUCCEEDED", "", "", {{{"b", 1}}}},
      {"parallel error", parallel, {{"errorOutput", {{"error", "E"}, {"cause", "C"}}}}, {{"errorCausedByState", "Inner"}},
       json::object(), "FAILED", "", "E", nullptr},
      {"map", map, {{"result", "[1,2,3]"}}, {{"mapIterationFailureCount", 1}}, {{"items", {1, 2, 3}}}, "SUCCEEDED", "", "",
       {1, 2, 3}},
      {"map over tolerance", map, {{"result", "[1,2,3]"}}, {{"mapIterationFailureCount", 2}}, {{"items", {1, 2, 3}}}, "FAILED", "",
       "States.ExceedToleratedFailureThreshold", nullptr},
      {"item reader data", reader, {{"result", "[]"}}, {{"mapItemReaderData", "a,b\n1,2\n3,4\n"}}, json::object(), "SUCCEEDED", "",
       "", json::array()},
      {"no validation", task, {{"result", R"({"Unknown":1})"}, {"fieldValidationMode", "NONE"}}, nullptr, json::object(),
       "FAILED", "", "States.ParameterPathFailure", nullptr},
      {"present", task, {{"result", R"({"Payload":{"k":[1]}})"}, {"fieldValidationMode", "PRESENT"}}, nullptr, json::object(),
       "SUCCEEDED", "After", "", {{"p", {{"k", {1}}}}}},
  };
  for (const auto& t : table) {
    json in = {{"definition", t.state.dump()}, {"input", t.input.dump()}, {"inspectionLevel", "DEBUG"}, {"mock", t.mock}};
    if (!t.config.is_null()) in["stateConfiguration"] = t.config;
    auto r = fx.invoke("TestState", in);
    ASSERT_FALSE(r.is_error()) << t.name << ": " << r.error->message;
    EXPECT_EQ(r.output["status"], t.status) << t.name << ": " << r.output.dump();
    EXPECT_EQ(r.output.value("nextState", ""), t.next) << t.name;
    EXPECT_EQ(r.output.value("error", ""), t.error) << t.name;
    if (!t.output.is_null()) {
      EXPECT_EQ(json::parse(r.output.value("output", "null")), t.output) << t.name;
    }
  }
  auto inspect = [&](const json& state, const json& mock, const json& config, const json& input) {
    json in = {{"definition", state.dump()}, {"input", input.dump()}, {"inspectionLevel", "DEBUG"}, {"mock", mock},
               {"stateConfiguration", config}};
    return fx.invoke("TestState", in).output["inspectionData"];
  };
  // The retrier's index and its backoff for the attempts made: 3 s * 2^1.
  auto d = inspect(retried, {{"errorOutput", {{"error", "Boom"}}}}, {{"retrierRetryCount", 1}}, json::object());
  EXPECT_EQ(d["errorDetails"], (json{{"retryIndex", 1}, {"retryBackoffIntervalSeconds", 6}}));
  d = inspect(retried, {{"errorOutput", {{"error", "Boom"}}}}, {{"retrierRetryCount", 5}}, json::object());
  EXPECT_EQ(d["errorDetails"], (json{{"catchIndex", 1}}));
  d = inspect(map, {{"result", "[]"}}, json::object(), {{"items", {"a", "b"}}});
  EXPECT_EQ(d["afterItemsPath"], "[\"a\",\"b\"]");
  EXPECT_EQ(json::parse(d["afterItemSelector"].get<std::string>()), (json{{{"v", "a"}}, {{"v", "b"}}}));
  EXPECT_EQ(d["toleratedFailureCount"], 1);
  EXPECT_EQ(d["maxConcurrency"], 2);
  EXPECT_FALSE(d.contains("afterItemBatcher"));
  // With an ItemBatcher: the batches of the selected items, with the BatchInput.
  json batched = map;
  batched["ItemBatcher"] = {{"MaxItemsPerBatch", 2}, {"BatchInput", {{"k.$", "$.k"}}}};
  d = inspect(batched, {{"result", "[]"}}, json::object(), {{"items", {"a", "b", "c"}}, {"k", 7}});
  EXPECT_EQ(json::parse(d["afterItemBatcher"].get<std::string>()),
            (json{{{"Items", {{{"v", "a"}}, {{"v", "b"}}}}, {"BatchInput", {{"k", 7}}}},
                  {{"Items", {{{"v", "c"}}}}, {"BatchInput", {{"k", 7}}}}}));
  // Refused: a mock where none is taken, both or neither result and errorOutput, a result that
  // is not JSON or not the API's shape, Map and Parallel without a mock, misplaced configuration.
  struct Bad {
    std::string name;
    json state, mock, config;
    std::string message;
  };
  std::vector<Bad> bad = {
      {"pass", {{"Type", "Pass"}, {"End", true}}, {{"result", "1"}}, nullptr, "State type 'Pass' is not supported when a mock is specified"},
      {"both", task, {{"result", "1"}, {"errorOutput", {{"error", "E"}}}}, nullptr, "only one of the following fields"},
      {"neither", task, json::object(), nullptr, "only one of the following fields"},
      {"not json", task, {{"result", "{nope"}}, nullptr, "not valid JSON"},
      {"strict type", task, {{"result", R"({"StatusCode":"200"})"}}, nullptr, "'StatusCode' must be an integer"},
      {"strict unknown", task, {{"result", R"({"Unknown":1})"}}, nullptr, "'Unknown' is not in the API's response"},
      {"mode", task, {{"result", "{}"}, {"fieldValidationMode", "LOOSE"}}, nullptr, "[STRICT, PRESENT, NONE]"},
      {"no error", task, {{"errorOutput", {{"cause", "c"}}}}, nullptr, "error field is required"},
      {"parallel needs a mock", parallel, nullptr, nullptr, "only supported when a mock is specified"},
      {"parallel array", parallel, {{"result", "{}"}}, nullptr, "must be a JSON array"},
      {"map count on a task", task, {{"result", "{}"}}, {{"mapIterationFailureCount", 1}}, "only be specified for a Map"},
      {"negative", task, {{"result", "{}"}}, {{"retrierRetryCount", -1}}, "non-negative integer"},
      {"reader data without reader", map, {{"result", "[]"}}, {{"mapItemReaderData", "[]"}}, "with an ItemReader"},
      {"unknown inner state", parallel, {{"errorOutput", {{"error", "E"}}}}, {{"errorCausedByState", "Nope"}}, "is not a state"},
      {"caused by without error", parallel, {{"result", "[]"}}, {{"errorCausedByState", "Inner"}}, "mock.errorOutput"},
      {"token without mock", token, nullptr, nullptr, "only when a mock is specified"},
  };
  for (const auto& b : bad) {
    json in = {{"definition", b.state.dump()}};
    if (!b.mock.is_null()) in["mock"] = b.mock;
    if (!b.config.is_null()) in["stateConfiguration"] = b.config;
    auto r = fx.invoke("TestState", in);
    ASSERT_TRUE(r.is_error()) << b.name;
    EXPECT_EQ(r.error->code, "ValidationException") << b.name;
    EXPECT_NE(r.error->message.find(b.message), std::string::npos) << b.name << ": " << r.error->message;
  }
}

TEST(StepFunctionsVariables, BranchScopes) {
  Fixture fx;
  json branch = {{"StartAt", "In"},
                 {"States", {{"In", {{"Type", "Pass"}, {"Parameters", {{"outer.$", "$outer"}}}, {"Assign", {{"inner", 2}}},
                                     {"Next", "Read"}}},
                             {"Read", {{"Type", "Pass"}, {"Parameters", {{"outer.$", "$outer"}, {"inner.$", "$inner"}}}, {"End", true}}}}}};
  json machine = {{"StartAt", "Set"},
                  {"States", {{"Set", {{"Type", "Pass"}, {"Assign", {{"outer", 1}}}, {"Next", "Par"}}},
                              {"Par", {{"Type", "Parallel"}, {"Branches", {branch}}, {"Next", "After"}}},
                              {"After", {{"Type", "Pass"}, {"Parameters", {{"inner.$", "$inner"}}}, {"End", true}}}}}};
  auto d = fx.run(machine, json::object());
  // Inside, both are readable; after the branch the inner variable is gone.
  EXPECT_EQ(d["status"], "FAILED");
  EXPECT_EQ(d["error"], "States.ParameterPathFailure");
  machine["States"]["After"]["Parameters"] = {{"outer.$", "$outer"}, {"branches.$", "$"}};
  d = fx.run(machine, json::object());
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(json::parse(d["output"].get<std::string>()), (json{{"outer", 1}, {"branches", {{{"outer", 1}, {"inner", 2}}}}}));
}

TEST(StepFunctionsTasks, StartExecutionSyncAndSync2) {
  FlakyFixture fx;
  std::string child = fx.create("child", {{"StartAt", "P"}, {"States", {{"P", {{"Type", "Pass"}, {"Result", {{"k", 1}}}, {"End", true}}}}}});
  for (std::string suffix : {".sync", ".sync:2"}) {
    json parent = {{"StartAt", "T"},
                   {"States", {{"T", {{"Type", "Task"}, {"Resource", "arn:aws:states:::states:startExecution" + suffix},
                                      {"Parameters", {{"StateMachineArn", child}, {"Input", {{"a", 1}}}}}, {"End", true}}}}}};
    auto d = fx.run(parent, json::object());
    ASSERT_EQ(d["status"], "SUCCEEDED") << suffix << d.dump();
    json out = json::parse(d["output"].get<std::string>());
    EXPECT_EQ(out["Status"], "SUCCEEDED");
    EXPECT_TRUE(out["StartDate"].is_number_integer());
    if (suffix == ".sync") {
      EXPECT_EQ(out["Output"], "{\"k\":1}");
      EXPECT_EQ(out["Input"], "{\"a\":1}");
    } else {
      EXPECT_EQ(out["Output"], (json{{"k", 1}}));
      EXPECT_EQ(out["Input"], (json{{"a", 1}}));
    }
  }
}

TEST(StepFunctionsPersistence, ResumeEntersTheStateOnce) {
  auto dir = std::filesystem::temp_directory_path() / ("sfn-resume-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string arn;
  {
    Fixture fx(nullptr, dir.string());
    std::string sm = fx.create("slow", {{"StartAt", "W"}, {"States", {{"W", {{"Type", "Wait"}, {"Seconds", 100}, {"Next", "D"}}},
                                                                      {"D", {{"Type", "Succeed"}}}}}});
    arn = fx.call("StartExecution", {{"stateMachineArn", sm}}).output["executionArn"];
    fx.scheduler.run(3);  // entered the Wait, not through it
  }
  Fixture fx(nullptr, dir.string());
  fx.scheduler.run();
  EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", arn}}).output["status"], "SUCCEEDED");
  auto h = fx.history(arn);
  EXPECT_EQ(count(h, "WaitStateEntered"), 1u);
  EXPECT_EQ(count(h, "WaitStateExited"), 1u);
  std::filesystem::remove_all(dir);
}

// An EXPRESS execution runs five minutes at most (also with a longer TimeoutSeconds): TIMED_OUT
// with States.Timeout at 300 s; a shorter TimeoutSeconds still applies; STANDARD has no limit.
TEST(StepFunctionsExecutions, ExpressFiveMinuteLimit) {
  auto waiting = [](int seconds, json extra = json::object()) {
    json d = {{"StartAt", "W"},
              {"States", {{"W", {{"Type", "Wait"}, {"Seconds", seconds}, {"Next", "D"}}}, {"D", {{"Type", "Succeed"}}}}}};
    d.update(extra);
    return d;
  };
  Fixture fx;
  struct T {
    std::string name;
    json definition;
    std::string status;
    double seconds;
  };
  std::vector<T> table = {
      {"long", waiting(400), "TIMED_OUT", 300},
      {"long-timeout", waiting(400, {{"TimeoutSeconds", 3600}}), "TIMED_OUT", 300},
      {"short-timeout", waiting(400, {{"TimeoutSeconds", 60}}), "TIMED_OUT", 60},
      {"within", waiting(299), "SUCCEEDED", 299},
  };
  for (const auto& t : table) {
    std::string sm = fx.create(t.name, t.definition, {{"type", "EXPRESS"}});
    auto r = fx.invoke("StartSyncExecution", {{"stateMachineArn", sm}});
    ASSERT_FALSE(r.is_error()) << t.name;
    EXPECT_EQ(r.output["status"], t.status) << t.name;
    EXPECT_DOUBLE_EQ(r.output["stopDate"].get<double>() - r.output["startDate"].get<double>(), t.seconds) << t.name;
    if (t.status == "TIMED_OUT") {
      EXPECT_EQ(r.output["error"], "States.Timeout") << t.name;
      EXPECT_FALSE(r.output.contains("output")) << t.name;
    }
  }
  std::string standard = fx.create("standard", waiting(400));
  std::string arn = fx.call("StartExecution", {{"stateMachineArn", standard}}).output["executionArn"];
  fx.scheduler.run();
  EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", arn}}).output["status"], "SUCCEEDED");
}
