// ValidateStateMachineDefinition's WARNING diagnostics (NO_DOLLAR, NO_PATH, PASS_RESULT_IS_STATIC):
// returned only for severity WARNING, never a reason to refuse a definition.
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "stepfunctions/asl_parser.hpp"

namespace awan::sfn_test {
namespace {

namespace asl = stepfunctions::asl;

const json kWarned = {
    {"StartAt", "P"},
    {"States",
     {{"P", {{"Type", "Pass"},
             {"Parameters", {{"id", "$.id"}, {"fmt", "States.Format('{}', $.x)"}, {"ok.$", "$.y"}, {"text", "a $ b"},
                             {"deep", {{"ctx", "$$.Execution.Id"}}}}},
             {"Next", "R"}}},
      {"R", {{"Type", "Pass"}, {"Result", {{"v.$", "$.x"}, {"plain", "$.lit"}}}, {"Next", "F"}}},
      {"F", {{"Type", "Fail"}, {"Error", "$.error"}, {"Cause", "plain words"}}}}}};

TEST(StepFunctionsWarnings, Codes) {
  auto p = asl::parse(kWarned.dump());
  ASSERT_TRUE(p.ok()) << p.message();
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& w : p.warnings) got.emplace_back(w.code, w.location);
  std::vector<std::pair<std::string, std::string>> want = {
      {"NO_PATH", "/States/F/Error"},
      {"NO_DOLLAR", "/States/P/Parameters/deep/ctx"},
      {"NO_DOLLAR", "/States/P/Parameters/fmt"},
      {"NO_DOLLAR", "/States/P/Parameters/id"},
      {"PASS_RESULT_IS_STATIC", "/States/R/Result/v.$"},
  };
  EXPECT_EQ(got, want);
  // JSONata states have no such fields to confuse.
  json ata = kWarned;
  ata["QueryLanguage"] = "JSONata";
  EXPECT_TRUE(asl::parse(json{{"StartAt", "A"}, {"QueryLanguage", "JSONata"},
                              {"States", {{"A", {{"Type", "Pass"}, {"Output", {{"id", "$.id"}}}, {"End", true}}}}}}.dump())
                  .warnings.empty());
}

TEST(StepFunctionsWarnings, OnlyForSeverityWarningAndNeverRefused) {
  Fixture fx;
  auto r = fx.call("ValidateStateMachineDefinition", {{"definition", kWarned.dump()}});
  EXPECT_EQ(r.output["result"], "OK");
  EXPECT_TRUE(r.output["diagnostics"].empty());
  r = fx.call("ValidateStateMachineDefinition", {{"definition", kWarned.dump()}, {"severity", "WARNING"}});
  EXPECT_EQ(r.output["result"], "OK");
  ASSERT_EQ(r.output["diagnostics"].size(), 5u);
  for (const auto& d : r.output["diagnostics"]) EXPECT_EQ(d["severity"], "WARNING");
  r = fx.call("ValidateStateMachineDefinition", {{"definition", kWarned.dump()}, {"severity", "WARNING"}, {"maxResults", 2}});
  EXPECT_EQ(r.output["diagnostics"].size(), 2u);
  EXPECT_EQ(r.output["truncated"], true);
  // Errors come first, and decide the result.
  json bad = kWarned;
  bad["States"]["F"]["Error"] = 5;
  r = fx.call("ValidateStateMachineDefinition", {{"definition", bad.dump()}, {"severity", "WARNING"}});
  EXPECT_EQ(r.output["result"], "FAIL");
  EXPECT_EQ(r.output["diagnostics"][0]["severity"], "ERROR");
  EXPECT_EQ(r.output["diagnostics"].back()["severity"], "WARNING");
  EXPECT_FALSE(fx.create("warned", kWarned).empty());  // CreateStateMachine takes it
}

// A state whose Type is not a string is an ERROR, never a thrown type error (fuzz find).
TEST(StepFunctionsWarnings, MembersOfTheWrongTypeAreErrorsNotThrown) {
  Fixture fx;
  json bad = kWarned;
  bad["States"]["F"]["Type"] = 1;
  bad["States"]["R"]["Type"] = json::array();
  auto r = fx.call("ValidateStateMachineDefinition", {{"definition", bad.dump()}, {"severity", "WARNING"}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.output["result"], "FAIL");
  EXPECT_EQ(r.output["diagnostics"][0]["severity"], "ERROR");
}

}  // namespace
}  // namespace awan::sfn_test
