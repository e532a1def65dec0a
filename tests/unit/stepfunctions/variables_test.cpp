// Workflow variables seen from the definition: Assign names and scopes refused at validation,
// references to unassigned variables accepted (they fail when the execution runs, as on AWS),
// and the variables each state references (DescribeStateMachine's variableReferences).
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "stepfunctions/asl_parser.hpp"
#include "stepfunctions/variables.hpp"

namespace awan::sfn_test {
namespace {

namespace asl = stepfunctions::asl;
namespace variables = stepfunctions::variables;

json pass_assigning(const json& assign) {
  return {{"StartAt", "A"}, {"States", {{"A", {{"Type", "Pass"}, {"Assign", assign}, {"End", true}}}}}};
}

// A Parallel state "Par" (Assign `outer`) whose one branch assigns `inner`; `catch_assign` goes to its catcher.
json parallel(const json& outer, const json& inner, const json& catch_assign = nullptr) {
  json par = {{"Type", "Parallel"},
              {"Assign", outer},
              {"Branches", json::array({{{"StartAt", "In"},
                                         {"States", {{"In", {{"Type", "Pass"}, {"Assign", inner}, {"End", true}}}}}}})},
              {"End", true}};
  if (!catch_assign.is_null())
    par["Catch"] = json::array({{{"ErrorEquals", {"States.ALL"}}, {"Assign", catch_assign}, {"Next", "Done"}}});
  json states = {{"Par", par}};
  if (!catch_assign.is_null()) states["Done"] = {{"Type", "Succeed"}};
  return {{"StartAt", "Par"}, {"States", states}};
}

TEST(StepFunctionsVariables, NameRules) {
  EXPECT_EQ(variables::name_problem("x"), "");
  EXPECT_EQ(variables::name_problem("camelCase_2"), "");
  EXPECT_EQ(variables::name_problem("été"), "");
  EXPECT_EQ(variables::name_problem(std::string(80, 'a')), "");
  EXPECT_NE(variables::name_problem(std::string(81, 'a')), "");
  EXPECT_NE(variables::name_problem(""), "");
  EXPECT_NE(variables::name_problem("states"), "");
  EXPECT_EQ(variables::name_problem("States"), "");  // only the lower-case name is reserved
  for (const char* bad : {"1x", "_x", "$x", "x-y", "x.y", "x y", "x$", "a\xff", "\xe2\x80\x94x", "x\xf0\x9f\x98\x80"})
    EXPECT_NE(variables::name_problem(bad), "") << bad;
}

TEST(StepFunctionsVariables, InvalidNamesRefused) {
  for (const char* bad : {"1x", "states", "x-y"}) {
    auto p = asl::parse(pass_assigning({{bad, 1}}).dump());
    ASSERT_EQ(p.diagnostics.size(), 1u) << bad;
    EXPECT_EQ(p.diagnostics[0].code, "SCHEMA_VALIDATION_FAILED");
    EXPECT_EQ(p.diagnostics[0].location, "/States/A/Assign");
    EXPECT_NE(p.diagnostics[0].message.find(std::string("'") + bad + "'"), std::string::npos) << p.message();
  }
  // JSONPath: the ".$" suffix is not part of the name.
  EXPECT_TRUE(asl::parse(pass_assigning({{"ok.$", "$.x"}}).dump()).ok());
  EXPECT_FALSE(asl::parse(pass_assigning({{"states.$", "$.x"}}).dump()).ok());
  // JSONata: the key is the name.
  json ata = pass_assigning({{"x.$", "{% 1 %}"}});
  ata["QueryLanguage"] = "JSONata";
  EXPECT_FALSE(asl::parse(ata.dump()).ok());
  // Assign must be an object.
  auto p = asl::parse(pass_assigning(json::array({1})).dump());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.message().find("'Assign' must be an OBJECT"), std::string::npos) << p.message();
}

TEST(StepFunctionsVariables, CatchAndChoiceRuleAssignsAreChecked) {
  json def = {{"StartAt", "C"},
              {"States",
               {{"C", {{"Type", "Choice"},
                       {"Choices", json::array({{{"Variable", "$.x"}, {"IsPresent", true},
                                                 {"Assign", {{"9lives", 1}}}, {"Next", "D"}}})},
                       {"Default", "D"}}},
                {"D", {{"Type", "Succeed"}}}}}};
  auto p = asl::parse(def.dump());
  ASSERT_EQ(p.diagnostics.size(), 1u) << p.message();
  EXPECT_EQ(p.diagnostics[0].location, "/States/C/Choices[0]/Assign");
  p = asl::parse(parallel({{"a", 1}}, {{"b", 1}}, {{"bad name", 1}}).dump());
  ASSERT_EQ(p.diagnostics.size(), 1u) << p.message();
  EXPECT_EQ(p.diagnostics[0].location, "/States/Par/Catch[0]/Assign");
}

TEST(StepFunctionsVariables, InnerScopeCannotAssignAnOuterVariable) {
  auto p = asl::parse(parallel({{"total", 1}}, {{"total", 2}}).dump());
  ASSERT_EQ(p.diagnostics.size(), 1u) << p.message();
  EXPECT_EQ(p.diagnostics[0].code, "SCHEMA_VALIDATION_FAILED");
  EXPECT_EQ(p.diagnostics[0].location, "/States/Par/Branches[0]/States/In/Assign");
  EXPECT_NE(p.message().find("'total'"), std::string::npos);
  // The Parallel's catcher assigns in the outer scope too.
  EXPECT_FALSE(asl::parse(parallel({{"a", 1}}, {{"caught", 1}}, {{"caught", 2}}).dump()).ok());
  // Other names are fine, and an inner scope reads the outer variables.
  EXPECT_TRUE(asl::parse(parallel({{"total", 1}}, {{"part.$", "$total"}}).dump()).ok());
  // Sibling branches may each assign the same name.
  json def = parallel({{"a", 1}}, {{"b", 1}});
  def["States"]["Par"]["Branches"].push_back(def["States"]["Par"]["Branches"][0]);
  def["States"]["Par"]["Branches"][1]["States"] = {{"In2", {{"Type", "Pass"}, {"Assign", {{"b", 2}}}, {"End", true}}}};
  def["States"]["Par"]["Branches"][1]["StartAt"] = "In2";
  EXPECT_TRUE(asl::parse(def.dump()).ok()) << asl::parse(def.dump()).message();
}

TEST(StepFunctionsVariables, MapScopes) {
  auto map = [](const char* mode) {
    json proc = {{"StartAt", "In"}, {"States", {{"In", {{"Type", "Pass"}, {"Assign", {{"x", 2}}}, {"End", true}}}}}};
    if (mode) proc["ProcessorConfig"] = {{"Mode", mode}};
    return json{{"StartAt", "Set"},
                {"States",
                 {{"Set", {{"Type", "Pass"}, {"Assign", {{"x", 1}}}, {"Next", "M"}}},
                  {"M", {{"Type", "Map"}, {"ItemProcessor", proc}, {"End", true}}}}}};
  };
  auto p = asl::parse(map(nullptr).dump());
  ASSERT_EQ(p.diagnostics.size(), 1u) << p.message();
  EXPECT_EQ(p.diagnostics[0].location, "/States/M/ItemProcessor/States/In/Assign");
  EXPECT_FALSE(asl::parse(map("INLINE").dump()).ok());
  // Nested inline Maps read every outer scope's variables and assign names of their own.
  json nested = {{"StartAt", "Input"},
                 {"States",
                  {{"Input", {{"Type", "Pass"}, {"Assign", {{"bias", 4.3}}}, {"Next", "Levels"}}},
                   {"Levels", {{"Type", "Map"}, {"End", true},
                               {"ItemProcessor",
                                {{"StartAt", "Vector"},
                                 {"States",
                                  {{"Vector", {{"Type", "Pass"}, {"Assign", {{"x.$", "$[0]"}}}, {"Next", "Sum"}}},
                                   {"Sum", {{"Type", "Map"}, {"End", true},
                                            {"ItemProcessor",
                                             {{"StartAt", "Add"},
                                              {"States", {{"Add", {{"Type", "Pass"},
                                                                   {"Assign", {{"total.$", "States.MathAdd($x, $bias)"}}},
                                                                   {"End", true}}}}}}}}}}}}}}}}}};
  EXPECT_TRUE(asl::parse(nested.dump()).ok()) << asl::parse(nested.dump()).message();
  EXPECT_EQ(variables::references(nested), json({{"Add", {"x", "bias"}}}));
  nested["States"]["Levels"]["ItemProcessor"]["States"]["Sum"]["ItemProcessor"]["States"]["Add"]["Assign"] = {{"x", 1}};
  auto deep = asl::parse(nested.dump());
  ASSERT_EQ(deep.diagnostics.size(), 1u) << deep.message();
  EXPECT_EQ(deep.diagnostics[0].location, "/States/Levels/ItemProcessor/States/Sum/ItemProcessor/States/Add/Assign");
  EXPECT_FALSE(variables::references(nested).contains("Add"));  // a literal now
  // A distributed Map's iterations are executions of their own: its scope does not see the outer one.
  EXPECT_TRUE(asl::parse(map("DISTRIBUTED").dump()).ok()) << asl::parse(map("DISTRIBUTED").dump()).message();
}

TEST(StepFunctionsVariables, UnassignedReferencesAreAccepted) {
  // As on AWS: the definition is valid, the execution fails when it reads the variable.
  json ata = {{"StartAt", "A"},
              {"QueryLanguage", "JSONata"},
              {"States", {{"A", {{"Type", "Pass"}, {"Output", "{% $doesNotExist %}"}, {"End", true}}}}}};
  EXPECT_TRUE(asl::parse(ata.dump()).ok());
  json jp = {{"StartAt", "A"},
             {"States", {{"A", {{"Type", "Pass"}, {"Parameters", {{"v.$", "$doesNotExist"}}}, {"End", true}}}}}};
  EXPECT_TRUE(asl::parse(jp.dump()).ok());
  Fixture fx;
  auto r = fx.call("ValidateStateMachineDefinition", {{"definition", ata.dump()}, {"severity", "WARNING"}});
  EXPECT_EQ(r.output["result"], "OK");
  r = fx.call("ValidateStateMachineDefinition", {{"definition", parallel({{"t", 1}}, {{"t", 2}}).dump()}});
  EXPECT_EQ(r.output["result"], "FAIL");
  EXPECT_EQ(r.output["diagnostics"][0]["severity"], "ERROR");
  EXPECT_EQ(r.output["diagnostics"][0]["location"], "/States/Par/Branches[0]/States/In/Assign");
  auto c = fx.call("CreateStateMachine", {{"name", "bad"},
                                          {"definition", pass_assigning({{"states", 1}}).dump()},
                                          {"roleArn", "arn:aws:iam::000000000000:role/r"}});
  ASSERT_TRUE(c.is_error());
  EXPECT_EQ(c.error->code, "InvalidDefinition");
  EXPECT_NE(c.error->message.find("SCHEMA_VALIDATION_FAILED"), std::string::npos) << c.error->message;
}

TEST(StepFunctionsVariables, ReferencesPerState) {
  json def = {
      {"StartAt", "Set"},
      {"States",
       {{"Set", {{"Type", "Pass"}, {"Assign", {{"a", 1}, {"b", 2}, {"c", 3}}}, {"Result", {{"lit.$", "$ignored"}}}, {"Next", "Use"}}},
        {"Use", {{"Type", "Pass"},
                 {"Parameters", {{"x.$", "$a.field"}, {"y.$", "States.Format('{} {}', $b, $.input)"}, {"z", "$literal"}}},
                 {"InputPath", "$c"},
                 {"ResultPath", "$.out"},
                 {"Next", "Ask"}}},
        {"Ask", {{"Type", "Choice"},
                 {"Choices", json::array({{{"Variable", "$a"}, {"NumericEqualsPath", "$b"}, {"Next", "Par"}}})},
                 {"Default", "Par"}}},
        {"Par", {{"Type", "Parallel"},
                 {"Branches", json::array({{{"StartAt", "Inner"},
                                            {"QueryLanguage", "JSONata"},
                                            {"States", {{"Inner", {{"Type", "Pass"},
                                                                   {"Output", "{% ($l := 1; $a + $l + $states.input.n + $count([$c])) %}"},
                                                                   {"End", true}}}}}}})},
                 {"End", true}}}}}};
  ASSERT_TRUE(asl::parse(def.dump()).ok()) << asl::parse(def.dump()).message();
  json refs = variables::references(def);
  EXPECT_FALSE(refs.contains("Set"));  // assigns only; Result is a literal
  EXPECT_FALSE(refs.contains("Par"));
  EXPECT_EQ(refs["Use"], json({"c", "a", "b"}));
  EXPECT_EQ(refs["Ask"], json({"b", "a"}));
  EXPECT_EQ(refs["Inner"], json({"a", "c"}));
}

}  // namespace
}  // namespace awan::sfn_test
