// DescribeStateMachine and its neighbours: variableReferences, includedData, encryptionConfiguration
// (state machines, versions, activities, DescribeStateMachineForExecution) and alias ARNs.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace awan::sfn_test {
namespace {

const json kVariables = {
    {"StartAt", "Set"},
    {"States",
     {{"Set", {{"Type", "Pass"}, {"Assign", {{"count", 1}, {"name", "x"}}}, {"Next", "Use"}}},
      {"Use", {{"Type", "Pass"}, {"Parameters", {{"n.$", "$count"}, {"s.$", "States.Format('{}', $name)"}}}, {"End", true}}}}}};

const json kPass = {{"StartAt", "A"}, {"States", {{"A", {{"Type", "Pass"}, {"End", true}}}}}};

TEST(StepFunctionsDescribe, VariableReferencesAndIncludedData) {
  Fixture fx;
  std::string arn = fx.create("vars", kVariables);
  auto d = fx.call("DescribeStateMachine", {{"stateMachineArn", arn}});
  ASSERT_FALSE(d.is_error());
  EXPECT_EQ(d.output["variableReferences"], json({{"Use", {"count", "name"}}}));
  EXPECT_EQ(d.output["definition"], kVariables.dump());
  d = fx.call("DescribeStateMachine", {{"stateMachineArn", arn}, {"includedData", "METADATA_ONLY"}});
  EXPECT_EQ(d.output["definition"], "{}");
  EXPECT_FALSE(d.output.contains("variableReferences"));
  EXPECT_EQ(d.output["name"], "vars");
  d = fx.call("DescribeStateMachine", {{"stateMachineArn", arn}, {"includedData", "ALL_DATA"}});
  EXPECT_EQ(d.output["definition"], kVariables.dump());
  d = fx.call("DescribeStateMachine", {{"stateMachineArn", arn}, {"includedData", "SOME"}});
  ASSERT_TRUE(d.is_error());
  EXPECT_EQ(d.error->code, "ValidationException");
  EXPECT_NE(d.error->message.find("[ALL_DATA, METADATA_ONLY]"), std::string::npos);
  // No references: no member.
  d = fx.call("DescribeStateMachine", {{"stateMachineArn", fx.create("plain", kPass)}});
  EXPECT_FALSE(d.output.contains("variableReferences"));
  // DescribeStateMachineForExecution too.
  auto s = fx.call("StartExecution", {{"stateMachineArn", arn}});
  fx.scheduler.run();
  d = fx.call("DescribeStateMachineForExecution", {{"executionArn", s.output["executionArn"]}});
  EXPECT_EQ(d.output["variableReferences"], json({{"Use", {"count", "name"}}}));
  EXPECT_EQ(d.output["encryptionConfiguration"], json({{"type", "AWS_OWNED_KEY"}}));
  d = fx.call("DescribeStateMachineForExecution", {{"executionArn", s.output["executionArn"]}, {"includedData", "METADATA_ONLY"}});
  EXPECT_EQ(d.output["definition"], "{}");
  EXPECT_FALSE(d.output.contains("variableReferences"));
}

TEST(StepFunctionsDescribe, EncryptionConfiguration) {
  Fixture fx;
  auto d = fx.call("DescribeStateMachine", {{"stateMachineArn", fx.create("default", kPass)}});
  EXPECT_EQ(d.output["encryptionConfiguration"], json({{"type", "AWS_OWNED_KEY"}}));
  json cmk = {{"type", "CUSTOMER_MANAGED_KMS_KEY"}, {"kmsKeyId", "alias/mine"}};
  std::string arn = fx.create("cmk", kPass, {{"encryptionConfiguration", cmk}, {"publish", true}});
  d = fx.call("DescribeStateMachine", {{"stateMachineArn", arn}});
  EXPECT_EQ(d.output["encryptionConfiguration"],
            json({{"type", "CUSTOMER_MANAGED_KMS_KEY"}, {"kmsKeyId", "alias/mine"}, {"kmsDataKeyReusePeriodSeconds", 300}}));
  d = fx.call("DescribeStateMachine", {{"stateMachineArn", arn + ":1"}});
  EXPECT_EQ(d.output["encryptionConfiguration"]["kmsKeyId"], "alias/mine");
  // The same request again is idempotent; another encryption is a conflict.
  json same = {{"name", "cmk"}, {"definition", kPass.dump()}, {"roleArn", "arn:aws:iam::000000000000:role/r"},
               {"encryptionConfiguration", cmk}};
  EXPECT_FALSE(fx.call("CreateStateMachine", same).is_error());
  // A different role is ignored (and not updated), as AWS documents.
  same["roleArn"] = "arn:aws:iam::000000000000:role/other";
  EXPECT_FALSE(fx.call("CreateStateMachine", same).is_error());
  EXPECT_EQ(fx.call("DescribeStateMachine", {{"stateMachineArn", arn}}).output["roleArn"], "arn:aws:iam::000000000000:role/r");
  for (const char* differs : {"encryptionConfiguration", "tracingConfiguration"}) {
    json other = same;
    if (std::string(differs) == "encryptionConfiguration") other.erase(differs);
    else other[differs] = {{"enabled", true}};
    auto c = fx.call("CreateStateMachine", other);
    ASSERT_TRUE(c.is_error()) << differs;
    EXPECT_EQ(c.error->code, "StateMachineAlreadyExists");
  }
  // Update: a new revision, the configuration replaced.
  std::string rev = d.output["revisionId"];
  auto u = fx.call("UpdateStateMachine", {{"stateMachineArn", arn},
                                          {"encryptionConfiguration",
                                           {{"type", "CUSTOMER_MANAGED_KMS_KEY"}, {"kmsKeyId", "k2"}, {"kmsDataKeyReusePeriodSeconds", 60}}}});
  ASSERT_FALSE(u.is_error()) << u.error->message;
  d = fx.call("DescribeStateMachine", {{"stateMachineArn", arn}});
  EXPECT_EQ(d.output["encryptionConfiguration"]["kmsDataKeyReusePeriodSeconds"], 60);
  EXPECT_NE(d.output["revisionId"], rev);
  // Refused configurations.
  struct Bad {
    json config;
    const char* code;
    const char* text;
  } bad[] = {
      {{{"type", "OTHER"}}, "ValidationException", "[AWS_OWNED_KEY, CUSTOMER_MANAGED_KMS_KEY]"},
      {{{"kmsKeyId", "k"}}, "ValidationException", "'encryptionConfiguration.type'"},
      {{{"type", "CUSTOMER_MANAGED_KMS_KEY"}, {"kmsKeyId", "k"}, {"kmsDataKeyReusePeriodSeconds", 59}}, "ValidationException",
       "greater than or equal to 60"},
      {{{"type", "CUSTOMER_MANAGED_KMS_KEY"}, {"kmsKeyId", "k"}, {"kmsDataKeyReusePeriodSeconds", 901}}, "ValidationException",
       "less than or equal to 900"},
      {{{"type", "CUSTOMER_MANAGED_KMS_KEY"}, {"kmsKeyId", ""}}, "ValidationException", "kmsKeyId"},
      {{{"type", "CUSTOMER_MANAGED_KMS_KEY"}}, "InvalidEncryptionConfiguration", "kmsKeyId"},
      {{{"type", "AWS_OWNED_KEY"}, {"kmsKeyId", "k"}}, "InvalidEncryptionConfiguration", "CUSTOMER_MANAGED_KMS_KEY"},
      {"text", "ValidationException", "encryptionConfiguration"},
  };
  for (const auto& b : bad) {
    auto r = fx.call("CreateStateMachine", {{"name", "bad"}, {"definition", kPass.dump()},
                                            {"roleArn", "arn:aws:iam::000000000000:role/r"}, {"encryptionConfiguration", b.config}});
    ASSERT_TRUE(r.is_error()) << b.config.dump();
    EXPECT_EQ(r.error->code, b.code) << b.config.dump();
    EXPECT_NE(r.error->message.find(b.text), std::string::npos) << r.error->message;
    r = fx.call("UpdateStateMachine", {{"stateMachineArn", arn}, {"encryptionConfiguration", b.config}});
    ASSERT_TRUE(r.is_error()) << b.config.dump();
    EXPECT_EQ(r.error->code, b.code);
  }
  // A refused update changes nothing.
  auto r = fx.call("UpdateStateMachine", {{"stateMachineArn", arn}, {"definition", "{}"}, {"encryptionConfiguration", {{"type", "AWS_OWNED_KEY"}}}});
  ASSERT_TRUE(r.is_error());
  d = fx.call("DescribeStateMachine", {{"stateMachineArn", arn}});
  EXPECT_EQ(d.output["encryptionConfiguration"]["kmsKeyId"], "k2");
}

TEST(StepFunctionsDescribe, ActivityEncryption) {
  Fixture fx;
  auto a = fx.call("CreateActivity", {{"name", "plain"}});
  auto d = fx.call("DescribeActivity", {{"activityArn", a.output["activityArn"]}});
  EXPECT_EQ(d.output["encryptionConfiguration"], json({{"type", "AWS_OWNED_KEY"}}));
  a = fx.call("CreateActivity", {{"name", "cmk"},
                                 {"encryptionConfiguration", {{"type", "CUSTOMER_MANAGED_KMS_KEY"}, {"kmsKeyId", "k"}}}});
  d = fx.call("DescribeActivity", {{"activityArn", a.output["activityArn"]}});
  EXPECT_EQ(d.output["encryptionConfiguration"],
            json({{"type", "CUSTOMER_MANAGED_KMS_KEY"}, {"kmsKeyId", "k"}, {"kmsDataKeyReusePeriodSeconds", 300}}));
  auto bad = fx.call("CreateActivity", {{"name", "bad"}, {"encryptionConfiguration", {{"type", "CUSTOMER_MANAGED_KMS_KEY"}}}});
  ASSERT_TRUE(bad.is_error());
  EXPECT_EQ(bad.error->code, "InvalidEncryptionConfiguration");
}

TEST(StepFunctionsDescribe, AliasArnDescribesItsVersion) {
  Fixture fx;
  std::string arn = fx.create("aliased", kPass, {{"publish", true}});
  ASSERT_FALSE(fx.call("UpdateStateMachine", {{"stateMachineArn", arn}, {"definition", kVariables.dump()}, {"publish", true}}).is_error());
  auto a = fx.call("CreateStateMachineAlias",
                   {{"name", "prod"},
                    {"routingConfiguration", json::array({{{"stateMachineVersionArn", arn + ":1"}, {"weight", 20}},
                                                          {{"stateMachineVersionArn", arn + ":2"}, {"weight", 80}}})}});
  ASSERT_FALSE(a.is_error()) << a.error->message;
  auto d = fx.call("DescribeStateMachine", {{"stateMachineArn", arn + ":prod"}});
  ASSERT_FALSE(d.is_error()) << d.error->message;
  EXPECT_EQ(d.output["stateMachineArn"], arn + ":2");
  EXPECT_EQ(d.output["definition"], kVariables.dump());
  EXPECT_TRUE(d.output.contains("variableReferences"));
  d = fx.call("DescribeStateMachine", {{"stateMachineArn", arn + ":missing"}});
  ASSERT_TRUE(d.is_error());
  EXPECT_EQ(d.error->code, "StateMachineDoesNotExist");
  d = fx.call("DescribeStateMachine", {{"stateMachineArn", "arn:aws:states:us-east-1:000000000000:activity:x"}});
  ASSERT_TRUE(d.is_error());
  EXPECT_EQ(d.error->code, "InvalidArn");
}

TEST(StepFunctionsDescribe, DistributedMapLabelArn) {
  Fixture fx;
  json proc = {{"ProcessorConfig", {{"Mode", "DISTRIBUTED"}, {"ExecutionType", "STANDARD"}}},
               {"StartAt", "Item"},
               {"States", {{"Item", {{"Type", "Pass"}, {"Parameters", {{"v.$", "$factor"}}}, {"End", true}}}}}};
  json def = {{"StartAt", "Set"},
              {"States",
               {{"Set", {{"Type", "Pass"}, {"Assign", {{"factor", 2}}}, {"Next", "Each"}}},
                {"Each", {{"Type", "Map"}, {"Label", "Items"}, {"ItemProcessor", proc}, {"End", true}}}}}};
  std::string arn = fx.create("labelled", def);
  auto d = fx.call("DescribeStateMachine", {{"stateMachineArn", arn + "/Items"}, {"includedData", "METADATA_ONLY"}});
  ASSERT_FALSE(d.is_error()) << d.error->message;
  EXPECT_EQ(d.output["stateMachineArn"], arn + "/Items");
  EXPECT_EQ(d.output["name"], "labelled/Items");
  EXPECT_EQ(d.output["label"], "Items");
  json expected = proc;
  expected.erase("ProcessorConfig");
  EXPECT_EQ(json::parse(d.output["definition"].get<std::string>()), expected);
  EXPECT_EQ(d.output["variableReferences"], json({{"Item", {"factor"}}}));
  EXPECT_EQ(d.output["roleArn"], "arn:aws:iam::000000000000:role/r");
  // The state name is no label when the Map has one; an inline Map has no ARN.
  EXPECT_EQ(fx.call("DescribeStateMachine", {{"stateMachineArn", arn + "/Each"}}).error->code, "StateMachineDoesNotExist");
  def["States"]["Each"].erase("Label");
  def["States"]["Each"]["ItemProcessor"].erase("ProcessorConfig");
  std::string inline_arn = fx.create("inline", def);
  EXPECT_EQ(fx.call("DescribeStateMachine", {{"stateMachineArn", inline_arn + "/Each"}}).error->code, "StateMachineDoesNotExist");
  EXPECT_EQ(fx.call("DescribeStateMachine", {{"stateMachineArn", arn + "/"}}).error->code, "StateMachineDoesNotExist");
}

}  // namespace
}  // namespace awan::sfn_test
