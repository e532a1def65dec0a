// The awsQuery output path writes XML as text; it must be the same XML as the DOM writer.
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include <nlohmann/json.hpp>

#include "protocol/model.hpp"
#include "protocol/wire.hpp"

using namespace awan::protocol;
using nlohmann::json;

namespace {

// Canonical text of an XML fragment (parse and re-serialise), so <a/> and <a></a> compare equal.
std::string canonical(const std::string& xml) {
  pugi::xml_document d;
  auto r = d.load_string(xml.c_str());
  EXPECT_TRUE(r) << r.description() << "\n" << xml;
  return wire::xml_string(d, false);
}

void expect_same(const char* service, const char* operation, const json& output) {
  const Model* model = Model::get(service);
  ASSERT_NE(model, nullptr);
  const Operation* op = model->operation(operation);
  ASSERT_NE(op, nullptr) << operation;
  ASSERT_NE(op->output, nullptr) << operation;
  pugi::xml_document dom;
  auto root = dom.append_child("R");
  wire::doc_struct_to_xml(root, *op->output, output, wire::TsDefault::Iso8601, false);
  std::string text = "<R>";
  wire::doc_struct_to_xml_text(text, *op->output, output, wire::TsDefault::Iso8601, false);
  text += "</R>";
  EXPECT_EQ(canonical(text), canonical(wire::xml_string(dom, false))) << service << " " << operation;
}

}  // namespace

TEST(XmlText, MatchesDomForIamShapes) {
  expect_same("iam", "GetRole",
              {{"Role",
                {{"RoleName", "r & <d>"},
                 {"Arn", "arn:aws:iam::000000000000:role/r"},
                 {"CreateDate", 1700000000.5},
                 {"AssumeRolePolicyDocument", "%7B%22Version%22%7D"},
                 {"MaxSessionDuration", 3600},
                 {"Tags", json::array({{{"Key", "k\"q"}, {"Value", "v\tx\ny"}}, {{"Key", "b"}, {"Value", ""}}})},
                 {"RoleLastUsed", json::object()}}}});
  expect_same("iam", "ListRoles", {{"Roles", json::array()}, {"IsTruncated", true}, {"Marker", "m"}});
  expect_same("iam", "GetAccountSummary", {{"SummaryMap", {{"Users", 3}, {"Roles", 7}}}});
}

TEST(XmlText, MatchesDomForFlattenedListsAndMaps) {
  json msg = {{"MessageId", "id"},
              {"Body", "ctl\x01 char"},
              {"Attributes", {{"SenderId", "s"}, {"SentTimestamp", "1"}}},
              {"MessageAttributes", {{"a", {{"DataType", "String"}, {"StringValue", "x"}}}}}};
  const Model* q = Model::get("sqs@query");
  if (q) expect_same("sqs@query", "ReceiveMessage", {{"Messages", json::array({msg, msg})}});
  expect_same("sns", "GetTopicAttributes", {{"Attributes", {{"TopicArn", "arn"}, {"Policy", "{\"a\":1}"}}}});
  expect_same("sts", "AssumeRole",
              {{"Credentials",
                {{"AccessKeyId", "ASIA"}, {"SecretAccessKey", "s"}, {"SessionToken", "t"}, {"Expiration", 1.7e9}}},
               {"AssumedRoleUser", {{"AssumedRoleId", "AROA:x"}, {"Arn", "arn"}}},
               {"PackedPolicySize", 6}});
}
