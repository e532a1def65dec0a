// Step Functions: table-driven executions over ASL documents on a ManualClock and a manual
// scheduler (expected outputs, errors and history event types), every intrinsic function and
// every Choice operator, and malformed definitions refused with AWS's messages.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepfunctions/asl_parser.hpp"
#include "stepfunctions/choice.hpp"
#include "stepfunctions/intrinsics.hpp"
#include "stepfunctions/jsonpath.hpp"
#include "stepfunctions/stepfunctions.hpp"
#include "stepfunctions/fixture.hpp"

using nlohmann::json;
using namespace awan;
using awan::sfn_test::Fixture;

namespace {

json pass_machine(const json& state) {
  json st = state;
  st["Type"] = st.value("Type", "Pass");
  if (st["Type"] != "Fail" && st["Type"] != "Succeed") st["End"] = true;
  return {{"StartAt", "S"}, {"States", {{"S", st}}}};
}

struct Case {
  std::string name;
  json definition;
  json input;
  std::string status;
  json output;        // expected when SUCCEEDED
  std::string error;  // expected when FAILED
};

std::vector<Case> cases() {
  std::vector<Case> c;
  c.push_back({"pass_result", pass_machine({{"Result", {{"a", 1}}}}), json::object(), "SUCCEEDED", {{"a", 1}}, ""});
  c.push_back({"pass_result_path", pass_machine({{"Result", 5}, {"ResultPath", "$.x.y"}}), {{"k", 1}}, "SUCCEEDED",
               {{"k", 1}, {"x", {{"y", 5}}}}, ""});
  c.push_back({"pass_result_path_null", pass_machine({{"Result", 5}, {"ResultPath", nullptr}}), {{"k", 1}}, "SUCCEEDED",
               {{"k", 1}}, ""});
  c.push_back({"input_output_path", pass_machine({{"InputPath", "$.a"}, {"OutputPath", "$.b"}}), {{"a", {{"b", 3}}}},
               "SUCCEEDED", 3, ""});
  c.push_back({"parameters", pass_machine({{"Parameters", {{"x.$", "$.v"}, {"c", "lit"}, {"ctx.$", "$$.State.Name"}}}}),
               {{"v", 7}}, "SUCCEEDED", {{"x", 7}, {"c", "lit"}, {"ctx", "S"}}, ""});
  c.push_back({"parameters_missing_path", pass_machine({{"Parameters", {{"x.$", "$.nope"}}}}), json::object(), "FAILED",
               nullptr, "States.ParameterPathFailure"});
  c.push_back({"result_path_mismatch", pass_machine({{"Result", 1}, {"ResultPath", "$.a.b"}}), {{"a", "str"}}, "FAILED",
               nullptr, "States.ResultPathMatchFailure"});
  c.push_back({"fail", pass_machine({{"Type", "Fail"}, {"Error", "E"}, {"Cause", "C"}}), json::object(), "FAILED", nullptr, "E"});
  c.push_back({"wait_seconds",
               {{"StartAt", "W"}, {"States", {{"W", {{"Type", "Wait"}, {"Seconds", 3600}, {"Next", "D"}}}, {"D", {{"Type", "Succeed"}}}}}},
               {{"a", 1}}, "SUCCEEDED", {{"a", 1}}, ""});
  json choice = {{"StartAt", "C"},
                 {"States",
                  {{"C", {{"Type", "Choice"},
                          {"Choices", {{{"Variable", "$.n"}, {"NumericGreaterThan", 10}, {"Next", "Big"}},
                                       {{"And", {{{"Variable", "$.s"}, {"StringMatches", "log-*.txt"}},
                                                 {{"Not", {{"Variable", "$.b"}, {"BooleanEquals", true}}}}}},
                                        {"Next", "Log"}}}},
                          {"Default", "Other"}}},
                   {"Big", {{"Type", "Pass"}, {"Result", "big"}, {"End", true}}},
                   {"Log", {{"Type", "Pass"}, {"Result", "log"}, {"End", true}}},
                   {"Other", {{"Type", "Pass"}, {"Result", "other"}, {"End", true}}}}}};
  c.push_back({"choice_numeric", choice, {{"n", 11}}, "SUCCEEDED", "big", ""});
  c.push_back({"choice_and_not", choice, {{"n", 1}, {"s", "log-1.txt"}, {"b", false}}, "SUCCEEDED", "log", ""});
  c.push_back({"choice_default", choice, {{"n", 1}, {"s", "x"}, {"b", false}}, "SUCCEEDED", "other", ""});
  json nomatch = {{"StartAt", "C"},
                  {"States", {{"C", {{"Type", "Choice"}, {"Choices", {{{"Variable", "$.n"}, {"IsPresent", true}, {"Next", "D"}}}}}},
                              {"D", {{"Type", "Succeed"}}}}}};
  c.push_back({"choice_no_match", nomatch, json::object(), "FAILED", nullptr, "States.NoChoiceMatched"});
  json parallel = {{"StartAt", "P"},
                   {"States", {{"P", {{"Type", "Parallel"}, {"End", true},
                                      {"Branches", {pass_machine({{"Result", 1}}), pass_machine({{"InputPath", "$.v"}})}}}}}}};
  c.push_back({"parallel", parallel, {{"v", 2}}, "SUCCEEDED", {1, 2}, ""});
  json map = {{"StartAt", "M"},
              {"States", {{"M", {{"Type", "Map"}, {"End", true}, {"ItemsPath", "$.items"}, {"MaxConcurrency", 2},
                                 {"ItemSelector", {{"i.$", "$$.Map.Item.Index"}, {"v.$", "$$.Map.Item.Value"}}},
                                 {"ItemProcessor", pass_machine({{"Parameters", {{"sum.$", "States.MathAdd($.i, $.v)"}}}})}}}}}};
  c.push_back({"map", map, {{"items", {10, 20, 30}}}, "SUCCEEDED", {{{"sum", 10}}, {{"sum", 21}}, {{"sum", 32}}}, ""});
  json catcher = {{"StartAt", "F"},
                  {"States", {{"F", {{"Type", "Parallel"}, {"Branches", {pass_machine({{"Type", "Fail"}, {"Error", "Boom"}, {"Cause", "c"}})}},
                                     {"Retry", {{{"ErrorEquals", {"Boom"}}, {"MaxAttempts", 2}, {"IntervalSeconds", 1}}}},
                                     {"Catch", {{{"ErrorEquals", {"States.ALL"}}, {"ResultPath", "$.err"}, {"Next", "Done"}}}},
                                     {"Next", "Done"}}},
                              {"Done", {{"Type", "Succeed"}}}}}};
  c.push_back({"retry_then_catch", catcher, {{"a", 1}}, "SUCCEEDED", {{"a", 1}, {"err", {{"Error", "Boom"}, {"Cause", "c"}}}}, ""});
  json vars = {{"StartAt", "A"},
               {"States", {{"A", {{"Type", "Pass"}, {"Result", {{"x", 4}}}, {"Assign", {{"saved.$", "$.x"}}}, {"Next", "B"}}},
                           {"B", {{"Type", "Pass"}, {"Parameters", {{"got.$", "$saved"}}}, {"End", true}}}}}};
  c.push_back({"variables", vars, json::object(), "SUCCEEDED", {{"got", 4}}, ""});
  return c;
}

}  // namespace

TEST(StepFunctionsInterpreter, Table) {
  for (const auto& tc : cases()) {
    Fixture fx;
    auto d = fx.run(tc.definition, tc.input);
    EXPECT_EQ(d["status"], tc.status) << tc.name << ": " << d.dump();
    if (tc.status == "SUCCEEDED") EXPECT_EQ(json::parse(d.value("output", "null")), tc.output) << tc.name;
    else EXPECT_EQ(d.value("error", ""), tc.error) << tc.name << ": " << d.dump();
  }
}

TEST(StepFunctionsInterpreter, WaitUsesTheClock) {
  Fixture fx;
  auto before = fx.clock.now();
  auto d = fx.run({{"StartAt", "W"}, {"States", {{"W", {{"Type", "Wait"}, {"Seconds", 90}, {"End", true}}}}}}, json::object());
  EXPECT_EQ(d["status"], "SUCCEEDED");
  EXPECT_GE(fx.clock.now() - before, std::chrono::seconds(90));
}

TEST(StepFunctionsInterpreter, HistoryOfAPassWorkflow) {
  Fixture fx;
  std::vector<std::string> ev;
  fx.run({{"StartAt", "A"}, {"States", {{"A", {{"Type", "Pass"}, {"Next", "B"}}}, {"B", {{"Type", "Succeed"}}}}}}, json::object(), &ev);
  std::vector<std::string> want = {"ExecutionStarted", "PassStateEntered", "PassStateExited", "SucceedStateEntered",
                                   "SucceedStateExited", "ExecutionSucceeded"};
  EXPECT_EQ(ev, want);
}

TEST(StepFunctionsIntrinsics, EveryFunction) {
  json input = {{"a", {1, 2, 2, 3}}, {"s", "a,b,,c"}, {"o", {{"k", 1}}}, {"n", 5}};
  auto resolve = [&](const std::string& p) -> std::optional<json> {
    return stepfunctions::jsonpath::read(p, input, json::object());
  };
  struct T {
    std::string expr;
    json want;
  };
  std::vector<T> table = {
      {"States.Format('x={} y={}', $.n, 'z')", "x=5 y=z"},
      {"States.Format('\\{\\}{}', 1)", "{}1"},
      {"States.StringToJson('{\"q\":1}')", {{"q", 1}}},
      {"States.JsonToString($.o)", "{\"k\":1}"},
      {"States.Array(1, 'two', true, null)", {1, "two", true, nullptr}},
      {"States.ArrayPartition($.a, 3)", {{1, 2, 2}, {3}}},
      {"States.ArrayContains($.a, 3)", true},
      {"States.ArrayRange(1, 9, 4)", {1, 5, 9}},
      {"States.ArrayGetItem($.a, 3)", 3},
      {"States.ArrayLength($.a)", 4},
      {"States.ArrayUnique($.a)", {1, 2, 3}},
      {"States.Base64Encode('hello')", "aGVsbG8="},
      {"States.Base64Decode('aGVsbG8=')", "hello"},
      {"States.Hash('abc', 'MD5')", "900150983cd24fb0d6963f7d28e17f72"},
      {"States.Hash('abc', 'SHA-1')", "a9993e364706816aba3e25717850c26c9cd0d89d"},
      {"States.Hash('abc', 'SHA-256')", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"States.JsonMerge($.o, States.StringToJson('{\"j\":2}'), false)", {{"k", 1}, {"j", 2}}},
      {"States.MathAdd($.n, -7)", -2},
      {"States.StringSplit($.s, ',')", {"a", "b", "c"}},
      {"States.ArrayLength(States.Array())", 0},
  };
  for (const auto& t : table)
    EXPECT_EQ(stepfunctions::intrinsics::evaluate(t.expr, resolve), t.want) << t.expr;
  auto r = stepfunctions::intrinsics::evaluate("States.MathRandom(1, 3)", resolve);
  EXPECT_TRUE(r == 1 || r == 2);
  EXPECT_EQ(stepfunctions::intrinsics::evaluate("States.UUID()", resolve).get<std::string>().size(), 36u);
  EXPECT_EQ(stepfunctions::intrinsics::evaluate("States.Hash('abc', 'SHA-384')", resolve).get<std::string>().size(), 96u);
  EXPECT_EQ(stepfunctions::intrinsics::evaluate("States.Hash('abc', 'SHA-512')", resolve).get<std::string>().size(), 128u);
  for (const char* bad : {"States.ArrayGetItem($.a, 9)", "States.Hash('a', 'SHA-3')", "States.Format('{}')",
                          "States.ArrayPartition($.a, 0)", "States.Base64Decode('!!')",
                          "States.Base64Decode('/w==')"}) {
    try {
      stepfunctions::intrinsics::evaluate(bad, resolve);
      ADD_FAILURE() << bad;
    } catch (const stepfunctions::StatesError& e) {
      EXPECT_EQ(e.error, "States.IntrinsicFailure") << bad;
    }
  }
  EXPECT_FALSE(stepfunctions::intrinsics::parse("States.Nope(1)"));
  EXPECT_FALSE(stepfunctions::intrinsics::parse("States.UUID(1)"));
  EXPECT_FALSE(stepfunctions::intrinsics::parse("States.Array(1"));
  // The fuzzer's find: a literal that is not UTF-8 could not be written back as JSON.
  EXPECT_FALSE(stepfunctions::intrinsics::parse("States.JsonToString('\xff\xfe')"));
}

TEST(StepFunctionsChoice, EveryOperator) {
  json in = {{"s", "b"}, {"n", 2}, {"t", true}, {"ts", "2024-01-02T00:00:00Z"}, {"nul", nullptr},
             {"s2", "b"}, {"n2", 3}, {"ts2", "2024-01-03T00:00:00Z"}, {"t2", true}};
  auto resolve = [&](const std::string& p) { return stepfunctions::jsonpath::read(p, in, json::object()); };
  struct T {
    json rule;
    bool want;
  };
  std::vector<T> table = {
      {{{"Variable", "$.s"}, {"StringEquals", "b"}}, true},
      {{{"Variable", "$.s"}, {"StringLessThan", "c"}}, true},
      {{{"Variable", "$.s"}, {"StringGreaterThan", "a"}}, true},
      {{{"Variable", "$.s"}, {"StringLessThanEquals", "b"}}, true},
      {{{"Variable", "$.s"}, {"StringGreaterThanEquals", "c"}}, false},
      {{{"Variable", "$.s"}, {"StringEqualsPath", "$.s2"}}, true},
      {{{"Variable", "$.s"}, {"StringLessThanPath", "$.s2"}}, false},
      {{{"Variable", "$.s"}, {"StringGreaterThanPath", "$.s2"}}, false},
      {{{"Variable", "$.s"}, {"StringLessThanEqualsPath", "$.s2"}}, true},
      {{{"Variable", "$.s"}, {"StringGreaterThanEqualsPath", "$.s2"}}, true},
      {{{"Variable", "$.s"}, {"StringMatches", "*"}}, true},
      {{{"Variable", "$.n"}, {"NumericEquals", 2}}, true},
      {{{"Variable", "$.n"}, {"NumericLessThan", 2}}, false},
      {{{"Variable", "$.n"}, {"NumericGreaterThan", 1.5}}, true},
      {{{"Variable", "$.n"}, {"NumericLessThanEquals", 2}}, true},
      {{{"Variable", "$.n"}, {"NumericGreaterThanEquals", 3}}, false},
      {{{"Variable", "$.n"}, {"NumericEqualsPath", "$.n2"}}, false},
      {{{"Variable", "$.n"}, {"NumericLessThanPath", "$.n2"}}, true},
      {{{"Variable", "$.n"}, {"NumericGreaterThanPath", "$.n2"}}, false},
      {{{"Variable", "$.n"}, {"NumericLessThanEqualsPath", "$.n2"}}, true},
      {{{"Variable", "$.n"}, {"NumericGreaterThanEqualsPath", "$.n2"}}, false},
      {{{"Variable", "$.t"}, {"BooleanEquals", true}}, true},
      {{{"Variable", "$.t"}, {"BooleanEqualsPath", "$.t2"}}, true},
      {{{"Variable", "$.ts"}, {"TimestampEquals", "2024-01-02T00:00:00Z"}}, true},
      {{{"Variable", "$.ts"}, {"TimestampLessThan", "2024-01-01T00:00:00Z"}}, false},
      {{{"Variable", "$.ts"}, {"TimestampGreaterThan", "2024-01-01T00:00:00Z"}}, true},
      {{{"Variable", "$.ts"}, {"TimestampLessThanEquals", "2024-01-02T00:00:00Z"}}, true},
      {{{"Variable", "$.ts"}, {"TimestampGreaterThanEquals", "2024-01-03T00:00:00Z"}}, false},
      {{{"Variable", "$.ts"}, {"TimestampEqualsPath", "$.ts2"}}, false},
      {{{"Variable", "$.ts"}, {"TimestampLessThanPath", "$.ts2"}}, true},
      {{{"Variable", "$.ts"}, {"TimestampGreaterThanPath", "$.ts2"}}, false},
      {{{"Variable", "$.ts"}, {"TimestampLessThanEqualsPath", "$.ts2"}}, true},
      {{{"Variable", "$.ts"}, {"TimestampGreaterThanEqualsPath", "$.ts2"}}, false},
      {{{"Variable", "$.nul"}, {"IsNull", true}}, true},
      {{{"Variable", "$.none"}, {"IsPresent", false}}, true},
      {{{"Variable", "$.n"}, {"IsNumeric", true}}, true},
      {{{"Variable", "$.s"}, {"IsString", true}}, true},
      {{{"Variable", "$.t"}, {"IsBoolean", true}}, true},
      {{{"Variable", "$.ts"}, {"IsTimestamp", true}}, true},
      {{{"Variable", "$.s"}, {"IsTimestamp", true}}, false},
      {{{"Or", {{{"Variable", "$.n"}, {"NumericEquals", 9}}, {{"Variable", "$.s"}, {"StringEquals", "b"}}}}}, true},
      {{{"Not", {{"Variable", "$.s"}, {"StringEquals", "b"}}}}, false},
  };
  for (const auto& t : table) {
    std::string where;
    EXPECT_EQ(stepfunctions::choice::validate(t.rule, false, where), "") << t.rule.dump();
    EXPECT_EQ(stepfunctions::choice::matches(t.rule, resolve), t.want) << t.rule.dump();
  }
  EXPECT_TRUE(stepfunctions::choice::string_matches("a*b", "a\\*b"));
  EXPECT_FALSE(stepfunctions::choice::string_matches("axb", "a\\*b"));
  EXPECT_TRUE(stepfunctions::choice::string_matches("log-2024.txt", "log-*.txt"));
  EXPECT_FALSE(stepfunctions::choice::string_matches("log-2024.txt.gz", "log-*.txt"));
}

TEST(StepFunctionsDefinition, MalformedRefusedWithAwsMessages) {
  struct T {
    std::string text, message;
  };
  std::vector<T> table = {
      {"not json", "INVALID_JSON_DESCRIPTION"},
      {R"({"States":{}})", "SCHEMA_VALIDATION_FAILED: These fields are required: [StartAt] at /"},
      {R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":7}}})",
       "SCHEMA_VALIDATION_FAILED: The value for the field 'Next' must be a STRING at /States/A/Next"},
      {R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}})",
       "MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next"},
      {R"({"StartAt":"A","States":{"A":{"Type":"Pass"}}})", "SCHEMA_VALIDATION_FAILED: These fields are required: [Next] at /States/A"},
      {R"({"StartAt":"A","States":{"A":{"Type":"Nope","End":true}}})", "at /States/A/Type"},
      {R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Foo":1}}})", "Field 'Foo' is not supported at /States/A"},
      {R"({"StartAt":"A","States":{"A":{"Type":"Task","End":true}}})", "These fields are required: [Resource] at /States/A"},
      {R"J({"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Parameters":{"x.$":"States.Nope()"}}}})J",
       "at /States/A/Parameters/x.$"},
      {R"({"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","Next":"A"}]}}})",
       "at /States/A/Choices[0]"},
      {R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true},"B":{"Type":"Succeed"}}})", "is not reachable"},
      {R"({"StartAt":"A","States":{"A":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"X","States":{}}]}}})",
       "at /States/A/Branches[0]/States"},
      {R"({"StartAt":"A","States":{"A":{"Type":"Wait","End":true}}})", "at /States/A"},
      {R"({"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true,"Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}]}}})",
       "States.ALL must be the last retrier"},
      {std::string(300, '[') + std::string(300, ']'), "INVALID_JSON_DESCRIPTION"},
  };
  for (const auto& t : table) {
    auto p = stepfunctions::asl::parse(t.text);
    EXPECT_FALSE(p.ok()) << t.text;
    EXPECT_NE(p.message().find(t.message), std::string::npos) << t.text << " -> " << p.message();
  }
  Fixture fx;
  auto r = fx.call("CreateStateMachine", {{"name", "bad"}, {"definition", R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}})"},
                                          {"roleArn", "arn:aws:iam::000000000000:role/r"}});
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error->code, "InvalidDefinition");
  EXPECT_EQ(r.error->message, "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next'");
}

TEST(StepFunctionsApi, ExecutionNameIdempotency) {
  Fixture fx;
  auto c = fx.call("CreateStateMachine", {{"name", "w"}, {"definition", pass_machine({{"Type", "Wait"}, {"Seconds", 10}}).dump()},
                                          {"roleArn", "arn:aws:iam::000000000000:role/r"}});
  std::string arn = c.output["stateMachineArn"];
  auto a = fx.call("StartExecution", {{"stateMachineArn", arn}, {"name", "n1"}, {"input", "{}"}});
  auto b = fx.call("StartExecution", {{"stateMachineArn", arn}, {"name", "n1"}, {"input", "{}"}});
  EXPECT_EQ(a.output["executionArn"], b.output["executionArn"]);
  auto d = fx.call("StartExecution", {{"stateMachineArn", arn}, {"name", "n1"}, {"input", "{\"x\":1}"}});
  ASSERT_TRUE(d.is_error());
  EXPECT_EQ(d.error->code, "ExecutionAlreadyExists");
  auto l = fx.call("ListExecutions", {{"stateMachineArn", arn}, {"statusFilter", "RUNNING"}});
  EXPECT_EQ(l.output["executions"].size(), 1u);
  fx.scheduler.run();
  l = fx.call("ListExecutions", {{"stateMachineArn", arn}, {"statusFilter", "RUNNING"}});
  EXPECT_EQ(l.output["executions"].size(), 0u);
  auto missing = fx.call("DescribeExecution", {{"executionArn", "arn:aws:states:us-east-1:000000000000:execution:w:zz"}});
  ASSERT_TRUE(missing.is_error());
  EXPECT_EQ(missing.error->code, "ExecutionDoesNotExist");
}

namespace {

// A fixture whose call_service answers like Lambda (and records aws-sdk calls).
struct TaskFixture : Fixture {
  std::vector<std::pair<std::string, json>> calls;
  TaskFixture() : Fixture([this](const RequestContext&, const std::string& service, const std::string& op, json in,
                                 Completion done) {
    calls.emplace_back(service + ":" + op, in);
    if (service == "lambda") {
      json event = json::parse(in.value("Payload", "null"));
      if (in["FunctionName"].get<std::string>().find("fails") != std::string::npos) {
        done(Result::ok({{"StatusCode", 200}, {"FunctionError", "Unhandled"},
                         {"Payload", json{{"errorType", "ValueError"}, {"errorMessage", "bad"}}.dump()}}));
        return;
      }
      if (in["FunctionName"].get<std::string>().find("missing") != std::string::npos) {
        done(Result::fail(AwsError("ResourceNotFoundException", "Function not found", 404)));
        return;
      }
      done(Result::ok({{"StatusCode", 200}, {"ExecutedVersion", "$LATEST"}, {"Payload", json{{"got", event}}.dump()}}));
      return;
    }
    done(Result::ok({{"Echo", in}}));
  }) {}
};

json task(const std::string& resource, json extra = json::object()) {
  extra["Type"] = "Task";
  extra["Resource"] = resource;
  return pass_machine(extra);
}

}  // namespace

TEST(StepFunctionsTasks, LambdaFunctionArn) {
  TaskFixture fx;
  std::vector<std::string> ev;
  auto d = fx.run(task("arn:aws:lambda:us-east-1:000000000000:function:ok"), {{"a", 1}}, &ev);
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(json::parse(d["output"].get<std::string>()), (json{{"got", {{"a", 1}}}}));
  std::vector<std::string> want = {"ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled",
                                   "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
                                   "ExecutionSucceeded"};
  EXPECT_EQ(ev, want);
}

TEST(StepFunctionsTasks, LambdaErrorsMapToErrorTypeAndServiceErrors) {
  TaskFixture fx;
  auto d = fx.run(task("arn:aws:lambda:us-east-1:000000000000:function:fails"), json::object());
  EXPECT_EQ(d["error"], "ValueError");
  EXPECT_NE(d["cause"].get<std::string>().find("bad"), std::string::npos);
  d = fx.run(task("arn:aws:states:::lambda:invoke", {{"Parameters", {{"FunctionName", "missing"}}}}), json::object());
  EXPECT_EQ(d["error"], "Lambda.ResourceNotFoundException");
}

TEST(StepFunctionsTasks, LambdaInvokeOutputShape) {
  TaskFixture fx;
  auto d = fx.run(task("arn:aws:states:::lambda:invoke", {{"Parameters", {{"FunctionName", "f"}, {"Payload.$", "$"}}}}),
                  {{"x", 2}});
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  json out = json::parse(d["output"].get<std::string>());
  EXPECT_EQ(out["Payload"], (json{{"got", {{"x", 2}}}}));
  EXPECT_EQ(out["StatusCode"], 200);
  EXPECT_EQ(out["ExecutedVersion"], "$LATEST");
  EXPECT_TRUE(out.contains("SdkHttpMetadata"));
}

TEST(StepFunctionsTasks, AwsSdkPascalCasesOperationAndMembers) {
  TaskFixture fx;
  auto d = fx.run(task("arn:aws:states:::aws-sdk:dynamodb:getItem",
                       {{"Parameters", {{"tableName", "T"}, {"key", {{"id", {{"S", "1"}}}}}}}}),
                  json::object());
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  ASSERT_EQ(fx.calls.size(), 1u);
  EXPECT_EQ(fx.calls[0].first, "dynamodb:GetItem");
  EXPECT_EQ(fx.calls[0].second, (json{{"TableName", "T"}, {"Key", {{"Id", {{"S", "1"}}}}}}));
}

TEST(StepFunctionsTasks, TaskTokenResumesOnSendTaskSuccess) {
  TaskFixture fx;
  auto c = fx.call("CreateStateMachine",
                   {{"name", "tok"},
                    {"definition", task("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                                        {{"Parameters", {{"QueueUrl", "q"}, {"MessageBody", {{"t.$", "$$.Task.Token"}}}}}})
                                       .dump()},
                    {"roleArn", "arn:aws:iam::000000000000:role/r"}});
  auto s = fx.call("StartExecution", {{"stateMachineArn", c.output["stateMachineArn"]}, {"input", "{}"}});
  fx.scheduler.run();
  ASSERT_EQ(fx.calls.size(), 1u);
  std::string token = json::parse(fx.calls[0].second["MessageBody"].get<std::string>())["t"];
  auto d = fx.call("DescribeExecution", {{"executionArn", s.output["executionArn"]}});
  EXPECT_EQ(d.output["status"], "RUNNING");
  EXPECT_FALSE(fx.call("SendTaskSuccess", {{"taskToken", token}, {"output", "{\"ok\":true}"}}).is_error());
  fx.scheduler.run();
  d = fx.call("DescribeExecution", {{"executionArn", s.output["executionArn"]}});
  EXPECT_EQ(d.output["status"], "SUCCEEDED");
  EXPECT_EQ(d.output["output"], "{\"ok\":true}");
  auto again = fx.call("SendTaskSuccess", {{"taskToken", token}, {"output", "{}"}});
  ASSERT_TRUE(again.is_error());
  EXPECT_EQ(again.error->code, "InvalidToken");
}

TEST(StepFunctionsTasks, TaskTimeout) {
  TaskFixture fx;
  auto d = fx.run(task("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                       {{"TimeoutSeconds", 5}, {"Parameters", {{"QueueUrl", "q"}, {"MessageBody", "m"}}}}),
                  json::object());
  EXPECT_EQ(d["status"], "FAILED");
  EXPECT_EQ(d["error"], "States.Timeout");
}

TEST(StepFunctionsInterpreter, ThousandConcurrentExecutions) {
  Fixture fx;
  auto c = fx.call("CreateStateMachine",
                   {{"name", "many"},
                    {"definition", json{{"StartAt", "W"},
                                        {"States", {{"W", {{"Type", "Wait"}, {"Seconds", 60}, {"Next", "P"}}},
                                                    {"P", {{"Type", "Pass"}, {"End", true}}}}}}
                                       .dump()},
                    {"roleArn", "arn:aws:iam::000000000000:role/r"}});
  std::vector<std::string> arns;
  for (int i = 0; i < 1000; ++i)
    arns.push_back(fx.call("StartExecution", {{"stateMachineArn", c.output["stateMachineArn"]}, {"input", "{}"}})
                       .output["executionArn"]);
  fx.scheduler.run();
  for (const auto& a : arns) EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", a}}).output["status"], "SUCCEEDED");
  auto l = fx.call("ListExecutions", {{"stateMachineArn", c.output["stateMachineArn"]}, {"maxResults", 100}});
  EXPECT_EQ(l.output["executions"].size(), 100u);
  EXPECT_TRUE(l.output.contains("nextToken"));
}

TEST(StepFunctionsTasks, HeartbeatTimeout) {
  TaskFixture fx;
  auto machine = json{{"StartAt", "T"},
                      {"States", {{"T", {{"Type", "Task"}, {"Resource", "arn:aws:states:::sqs:sendMessage.waitForTaskToken"},
                                         {"HeartbeatSeconds", 5}, {"Parameters", {{"QueueUrl", "q"}, {"MessageBody", "m"}}},
                                         {"Catch", {{{"ErrorEquals", {"States.HeartbeatTimeout"}}, {"Next", "Caught"}}}},
                                         {"End", true}}},
                                  {"Caught", {{"Type", "Pass"}, {"Result", "caught"}, {"End", true}}}}}};
  auto d = fx.run(machine, json::object());
  EXPECT_EQ(d["status"], "SUCCEEDED");
  EXPECT_EQ(d["output"], "\"caught\"");
}

TEST(StepFunctionsApi, ValidateStateMachineDefinition) {
  Fixture fx;
  auto r = fx.call("ValidateStateMachineDefinition", {{"definition", R"({"StartAt":"A","States":{"A":{"Type":"Pass"}}})"}});
  ASSERT_FALSE(r.is_error());
  EXPECT_EQ(r.output["result"], "FAIL");
  EXPECT_EQ(r.output["diagnostics"][0]["code"], "SCHEMA_VALIDATION_FAILED");
  EXPECT_EQ(r.output["diagnostics"][0]["location"], "/States/A");
  r = fx.call("ValidateStateMachineDefinition", {{"definition", R"({"StartAt":"A","States":{"A":{"Type":"Succeed"}}})"}});
  EXPECT_EQ(r.output["result"], "OK");
}
