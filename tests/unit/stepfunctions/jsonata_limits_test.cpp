// The numeric limits of JSONata states written as "{% %}" (TimeoutSeconds, HeartbeatSeconds,
// MaxConcurrency, ToleratedFailureCount/Percentage): evaluated when the state runs, a value of
// the wrong kind fails the state with States.QueryEvaluationError, a malformed one is refused
// when the state machine is created.
#include "stepfunctions/asl_parser.hpp"
#include "stepfunctions/errors.hpp"
#include "stepfunctions/fixture.hpp"
#include "stepfunctions/jsonata.hpp"

using nlohmann::json;
using namespace awan;
using awan::sfn_test::Fixture;
namespace jsonata = awan::stepfunctions::jsonata;

namespace {

// A Task waiting for a token that nobody sends back: it ends by its TimeoutSeconds or
// HeartbeatSeconds.
json waiting_task(json limits) {
  json st = {{"Type", "Task"},
             {"Resource", "arn:aws:states:::sqs:sendMessage.waitForTaskToken"},
             {"Arguments", {{"QueueUrl", "q"}, {"MessageBody", "m"}}},
             {"End", true}};
  st.update(limits);
  return {{"QueryLanguage", "JSONata"}, {"StartAt", "T"}, {"States", {{"T", st}}}};
}

Fixture::CallService answer_ok() {
  return [](const RequestContext&, const std::string&, const std::string&, json, Completion done) {
    done(Result::ok(json::object()));
  };
}

// A Map of three iterations that fail for the odd items.
json failing_map(json limits) {
  json proc = {{"StartAt", "C"},
               {"States", {{"C", {{"Type", "Choice"},
                                  {"Choices", {{{"Condition", "{% $states.input % 2 = 1 %}"}, {"Next", "Bad"}}}},
                                  {"Default", "Good"}}},
                           {"Bad", {{"Type", "Fail"}, {"Error", "Odd"}}},
                           {"Good", {{"Type", "Succeed"}}}}}};
  json st = {{"Type", "Map"}, {"Items", "{% $states.input.items %}"}, {"ItemProcessor", proc}, {"End", true}};
  st.update(limits);
  return {{"QueryLanguage", "JSONata"}, {"StartAt", "M"}, {"States", {{"M", st}}}};
}

}  // namespace

TEST(StepFunctionsJsonataLimits, TimeoutAndHeartbeatFromExpressions) {
  Fixture fx(answer_ok());
  auto before = fx.clock.now();
  auto d = fx.run(waiting_task({{"TimeoutSeconds", "{% $states.input.t * 2 %}"}}), {{"t", 30}});
  EXPECT_EQ(d["status"], "FAILED") << d.dump();
  EXPECT_EQ(d["error"], "States.Timeout");
  EXPECT_EQ(fx.clock.now() - before, std::chrono::seconds(60));

  d = fx.run(waiting_task({{"TimeoutSeconds", 100}, {"HeartbeatSeconds", "{% $states.input.h %}"}}), {{"h", 7}});
  EXPECT_EQ(d["status"], "FAILED") << d.dump();
  EXPECT_EQ(d["error"], "States.HeartbeatTimeout");
  EXPECT_EQ(d["stopDate"].get<double>() - d["startDate"].get<double>(), 7) << d.dump();
}

TEST(StepFunctionsJsonataLimits, WrongValuesFailTheState) {
  struct T {
    json limits, input;
    std::string cause;
  };
  std::vector<T> table = {
      {{{"TimeoutSeconds", "{% $states.input.t %}"}}, {{"t", "10"}},
       "The value of the field 'TimeoutSeconds' must be a positive integer, was \"10\""},
      {{{"TimeoutSeconds", "{% $states.input.t %}"}}, {{"t", 0}}, "The value of the field 'TimeoutSeconds' must be a positive integer, was 0"},
      {{{"TimeoutSeconds", "{% $states.input.t %}"}}, {{"t", 1.5}},
       "The value of the field 'TimeoutSeconds' must be a positive integer, was 1.5"},
      {{{"TimeoutSeconds", "{% $states.input.missing %}"}}, json::object(),
       "The value of the field 'TimeoutSeconds' must be a positive integer, was null"},
      {{{"HeartbeatSeconds", "{% -1 %}"}}, json::object(), "The value of the field 'HeartbeatSeconds' must be a positive integer, was -1"},
      {{{"TimeoutSeconds", "{% 100000000 %}"}}, json::object(),
       "The value of the field 'TimeoutSeconds' must be a positive integer, was 100000000"},
  };
  for (const auto& t : table) {
    Fixture fx(answer_ok());
    auto d = fx.run(waiting_task(t.limits), t.input);
    EXPECT_EQ(d["status"], "FAILED") << t.limits.dump();
    EXPECT_EQ(d["error"], "States.QueryEvaluationError") << t.limits.dump();
    EXPECT_EQ(d["cause"], t.cause) << t.limits.dump();
  }
}

TEST(StepFunctionsJsonataLimits, MapLimitsFromExpressions) {
  Fixture fx;
  json items = {{"items", {1, 2, 4}}, {"n", 1}, {"pct", 20}};
  auto d = fx.run(failing_map({{"ToleratedFailureCount", "{% $states.input.n %}"}, {"MaxConcurrency", "{% 1 %}"}}), items);
  EXPECT_EQ(d["status"], "SUCCEEDED") << d.dump();
  items["n"] = 0;
  d = fx.run(failing_map({{"ToleratedFailureCount", "{% $states.input.n %}"}}), items);
  EXPECT_EQ(d["error"], "States.ExceedToleratedFailureThreshold") << d.dump();
  d = fx.run(failing_map({{"ToleratedFailurePercentage", "{% $states.input.pct * 2 %}"}}), items);  // 1 of 3 ≤ 40 %
  EXPECT_EQ(d["status"], "SUCCEEDED") << d.dump();
  d = fx.run(failing_map({{"ToleratedFailurePercentage", "{% $states.input.pct %}"}}), items);  // 1 of 3 > 20 %
  EXPECT_EQ(d["error"], "States.ExceedToleratedFailureThreshold") << d.dump();

  struct T {
    json limits;
    std::string cause;
  };
  std::vector<T> bad = {
      {{{"MaxConcurrency", "{% -1 %}"}}, "The value of the field 'MaxConcurrency' must be a non-negative integer, was -1"},
      {{{"MaxConcurrency", "{% 'x' %}"}}, "The value of the field 'MaxConcurrency' must be a non-negative integer, was \"x\""},
      {{{"ToleratedFailureCount", "{% 0.5 %}"}}, "The value of the field 'ToleratedFailureCount' must be a non-negative integer, was 0.5"},
      {{{"ToleratedFailurePercentage", "{% 101 %}"}},
       "The value of the field 'ToleratedFailurePercentage' must be a number between 0 and 100, was 101"},
      {{{"ToleratedFailurePercentage", "{% [1] %}"}},
       "The value of the field 'ToleratedFailurePercentage' must be a number between 0 and 100, was [1]"},
  };
  for (const auto& t : bad) {
    d = fx.run(failing_map(t.limits), items);
    EXPECT_EQ(d["error"], "States.QueryEvaluationError") << t.limits.dump();
    EXPECT_EQ(d["cause"], t.cause) << t.limits.dump();
  }
}

TEST(StepFunctionsJsonataLimits, DistributedMapLimitsFromExpressions) {
  Fixture fx;
  json items = {{"items", {1, 2, 4}}, {"n", 1}};
  json m = failing_map({{"ToleratedFailureCount", "{% $states.input.n %}"}, {"MaxConcurrency", "{% $states.input.n + 1 %}"}});
  m["States"]["M"]["ItemProcessor"]["ProcessorConfig"] = {{"Mode", "DISTRIBUTED"}, {"ExecutionType", "STANDARD"}};
  auto d = fx.run(m, items);
  EXPECT_EQ(d["status"], "SUCCEEDED") << d.dump();
  items["n"] = 0;
  d = fx.run(m, items);
  EXPECT_EQ(d["error"], "States.ExceedToleratedFailureThreshold") << d.dump();
  m["States"]["M"]["ToleratedFailurePercentage"] = "{% 'half' %}";
  d = fx.run(m, items);
  EXPECT_EQ(d["error"], "States.QueryEvaluationError") << d.dump();
  EXPECT_EQ(d["cause"], "The value of the field 'ToleratedFailurePercentage' must be a number between 0 and 100, was \"half\"");
}

TEST(StepFunctionsJsonataLimits, Validation) {
  // Expressions are accepted in JSONata states, checked for syntax; JSONPath states still want numbers.
  auto ok = stepfunctions::asl::parse(waiting_task({{"TimeoutSeconds", "{% $x %}"}, {"HeartbeatSeconds", "{% 1 %}"}}).dump());
  EXPECT_TRUE(ok.ok()) << ok.message();
  ok = stepfunctions::asl::parse(failing_map({{"MaxConcurrency", "{% 1 %}"}, {"ToleratedFailureCount", "{% 1 %}"},
                                              {"ToleratedFailurePercentage", "{% 1 %}"}})
                                     .dump());
  EXPECT_TRUE(ok.ok()) << ok.message();
  struct T {
    json definition;
    std::string message;
  };
  json jsonpath = waiting_task({{"TimeoutSeconds", "{% 5 %}"}});
  jsonpath.erase("QueryLanguage");
  jsonpath["States"]["T"].erase("Arguments");
  std::vector<T> table = {
      {waiting_task({{"TimeoutSeconds", "{% 1 + %}"}}), "The JSONata expression of the field 'TimeoutSeconds' is invalid"},
      {waiting_task({{"HeartbeatSeconds", "{% ( %}"}}), "The JSONata expression of the field 'HeartbeatSeconds' is invalid"},
      {failing_map({{"MaxConcurrency", "{% [ %}"}}), "The JSONata expression of the field 'MaxConcurrency' is invalid"},
      {waiting_task({{"TimeoutSeconds", "5"}}), "The value for the field 'TimeoutSeconds' must be a positive integer"},
      {failing_map({{"ToleratedFailureCount", "x"}}), "The value for the field 'ToleratedFailureCount' must be a non-negative integer"},
      {jsonpath, "The value for the field 'TimeoutSeconds' must be a positive integer"},
  };
  for (const auto& t : table) {
    auto p = stepfunctions::asl::parse(t.definition.dump());
    EXPECT_FALSE(p.ok()) << t.definition.dump();
    EXPECT_NE(p.message().find(t.message), std::string::npos) << p.message();
  }
}

TEST(StepFunctionsJsonataLimits, LimitFunction) {
  json states = {{"input", {{"t", 5}}}};
  json vars = {{"v", 50.5}};
  jsonata::Bindings b{states, vars};
  EXPECT_EQ(jsonata::limit(json::object(), "TimeoutSeconds", jsonata::Limit::Positive, b, 7), 7);
  EXPECT_EQ(jsonata::limit(json{{"TimeoutSeconds", "{% $states.input.t %}"}}, "TimeoutSeconds", jsonata::Limit::Positive, b, 0), 5);
  EXPECT_EQ(jsonata::limit(json{{"P", "{% $v %}"}}, "P", jsonata::Limit::Percentage, b, 0), 50.5);
  EXPECT_EQ(jsonata::limit(json{{"M", "{% 0 %}"}}, "M", jsonata::Limit::NonNegative, b, 1), 0);
  EXPECT_THROW(jsonata::limit(json{{"M", "{% $states.input.t / 2 %}"}}, "M", jsonata::Limit::NonNegative, b, 1),
               stepfunctions::StatesError);
}
