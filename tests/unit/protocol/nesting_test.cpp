// Nesting limits of the codecs (JSON and XML bodies, the model-driven walkers) at and beyond
// kMaxNesting, the messages of malformed JSON, and integers out of their shape's range.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "helpers.hpp"
#include "protocol/wire.hpp"

using namespace awan;
using namespace awan::protocol;
using namespace awan::protocol::test;
using nlohmann::json;

namespace {

const Codec& ddb() { return *codec_for("dynamodb"); }
const Codec& s3() { return *codec_for("s3"); }
const Codec& lambda() { return *codec_for("lambda"); }

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// {"TableName":"t","Item":{"a":{"L":[{"L":[ ... ]}]}}}: the body nests `depth` JSON levels.
std::string put_item_of_depth(int depth) {
  // The body and Item: 2 levels; each {"L":[ 2 more; the leaf {"M":{}} 2, or {"S":"x"} 1.
  int leaf_depth = depth % 2 == 0 ? 2 : 1;
  int lists = (depth - 2 - leaf_depth) / 2;
  std::string leaf = leaf_depth == 2 ? R"({"M":{}})" : R"({"S":"x"})";
  return R"({"TableName":"t","Item":{"a":)" + repeat(R"({"L":[)", lists) + leaf + repeat("]}", lists) + "}}";
}

const std::string kTooDeep = "The request body is nested too deeply; maximum nesting depth: 200";

}  // namespace

TEST(JsonNesting, ScanCountsArraysAndObjects) {
  EXPECT_FALSE(wire::json_nesting_exceeds(repeat("[", 200) + repeat("]", 200)));
  EXPECT_TRUE(wire::json_nesting_exceeds(repeat("[", 201) + repeat("]", 201)));
  EXPECT_TRUE(wire::json_nesting_exceeds(repeat("{\"a\":", 201)));
}

TEST(JsonNesting, ScanIgnoresBracketsInStrings) {
  EXPECT_FALSE(wire::json_nesting_exceeds("[\"" + repeat("[{", 300) + "\\\"\"]"));
}

TEST(JsonNesting, BodyAtTheLimitDecodes) {
  std::string body = put_item_of_depth(200);
  ASSERT_FALSE(wire::json_nesting_exceeds(body));
  ASSERT_TRUE(wire::json_nesting_exceeds(body, 199));
  auto res = ddb().decode(json_request("DynamoDB_20120810.PutItem", body));
  EXPECT_EQ(ok(res).operation, "PutItem");
}

TEST(JsonNesting, BodyBeyondTheLimitIsSerializationException) {
  AwsError e = err(ddb().decode(json_request("DynamoDB_20120810.PutItem", put_item_of_depth(201))));
  EXPECT_EQ(e.code, "SerializationException");
  EXPECT_EQ(e.message, kTooDeep);
}

TEST(JsonNesting, HundredThousandArraysAreSerializationException) {
  AwsError e = err(ddb().decode(json_request("DynamoDB_20120810.PutItem", repeat("[", 100'000) + repeat("]", 100'000))));
  EXPECT_EQ(e.code, "SerializationException");
  EXPECT_EQ(e.message, kTooDeep);
}

TEST(JsonNesting, DeepUnknownMembersAreRefusedToo) {
  std::string body = "{\"Unknown\":" + repeat("{\"a\":", 100'000) + "1" + repeat("}", 100'000) + "}";
  EXPECT_EQ(err(ddb().decode(json_request("DynamoDB_20120810.ListTables", body))).message, kTooDeep);
}

TEST(JsonNesting, RestJsonBodyBeyondTheLimitIsRefused) {
  auto r = make_request("POST", "/2015-03-31/functions", "{\"FunctionName\":" + repeat("[", 1000) + repeat("]", 1000) + "}");
  AwsError e = err(lambda().decode(r));
  EXPECT_NE(e.message.find("nested too deeply"), std::string::npos) << e.code << ": " << e.message;
}

TEST(XmlNesting, ScanCountsElements) {
  pugi::xml_document at, beyond;
  ASSERT_TRUE(at.load_string((repeat("<a>", 200) + repeat("</a>", 200)).c_str()));
  ASSERT_TRUE(beyond.load_string((repeat("<a>", 201) + repeat("</a>", 201)).c_str()));
  EXPECT_FALSE(wire::xml_nesting_exceeds(at));
  EXPECT_TRUE(wire::xml_nesting_exceeds(beyond));
}

TEST(XmlNesting, ScanWalksSiblings) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(("<r><x/><y>" + repeat("<a>", 150) + repeat("</a>", 150) + "</y><z/></r>").c_str()));
  EXPECT_FALSE(wire::xml_nesting_exceeds(doc));
  EXPECT_TRUE(wire::xml_nesting_exceeds(doc, 150));
}

TEST(XmlNesting, DeepBodyIsMalformedXml) {
  auto r = make_request("PUT", "/b?tagging", "<Tagging>" + repeat("<TagSet>", 100'000) + repeat("</TagSet>", 100'000) + "</Tagging>");
  AwsError e = err(s3().decode(r));
  EXPECT_EQ(e.code, "MalformedXML");
  EXPECT_EQ(e.http_status, 400);
}

TEST(JsonSyntax, TruncatedBodyIsEndOfInput) {
  AwsError e = err(ddb().decode(json_request("DynamoDB_20120810.GetItem", R"({"TableName": "Music", "Key": {)")));
  EXPECT_EQ(e.code, "SerializationException");
  EXPECT_EQ(e.message, "Unexpected end-of-input");
}

TEST(JsonSyntax, UnexpectedCharacterIsNamed) {
  AwsError e = err(ddb().decode(json_request("DynamoDB_20120810.GetItem", R"({"TableName": x})")));
  EXPECT_EQ(e.message, "Unexpected character ('x' (code 120))");
}

TEST(JsonSyntax, InvalidUtf8StartByteIsNamed) {
  AwsError e = err(ddb().decode(json_request("DynamoDB_20120810.GetItem", "{\"TableName\": \"\xff\"}")));
  EXPECT_EQ(e.code, "SerializationException");
  EXPECT_EQ(e.message, "Invalid UTF-8 start byte 0xff");
}

TEST(JsonSyntax, InvalidUtf8MiddleByteIsNamed) {
  AwsError e = err(ddb().decode(json_request("DynamoDB_20120810.GetItem", "{\"TableName\": \"\xc3(\"}")));
  EXPECT_EQ(e.message, "Invalid UTF-8 middle byte 0x28");
}

TEST(JsonNumbers, IntegerBeyondSixtyFourBitsIsRefused) {
  AwsError e = err(ddb().decode(json_request("DynamoDB_20120810.Scan", R"({"TableName":"t","Limit":99999999999999999999999999999})")));
  EXPECT_EQ(e.code, "SerializationException");
  EXPECT_EQ(e.message, "NUMBER_VALUE cannot be converted to Integer");
}

TEST(JsonNumbers, UnsignedBeyondInt64IsRefused) {
  AwsError e = err(ddb().decode(json_request("DynamoDB_20120810.Scan", R"({"TableName":"t","Limit":18446744073709551615})")));
  EXPECT_EQ(e.message, "NUMBER_VALUE cannot be converted to Integer");
}

TEST(JsonNumbers, IntegerBeyondThirtyTwoBitsIsRefused) {
  AwsError e = err(ddb().decode(json_request("DynamoDB_20120810.Scan", R"({"TableName":"t","Limit":2147483648})")));
  EXPECT_EQ(e.message, "NUMBER_VALUE cannot be converted to Integer");
}

TEST(JsonNumbers, LargestIntegerIsKept) {
  auto res = ddb().decode(json_request("DynamoDB_20120810.Scan", R"({"TableName":"t","Limit":2147483647})"));
  EXPECT_EQ((*ok(res).input)["Limit"], 2147483647);
}

TEST(JsonSyntax, NumberOutOfRangeIsNamed) {
  AwsError e = err(ddb().decode(json_request("DynamoDB_20120810.GetItem", R"({"TableName": 1e541})")));
  EXPECT_EQ(e.code, "SerializationException");
  EXPECT_EQ(e.message, "Numeric value (1e541) out of range");
}

TEST(QueryNumbers, IntegerBeyondSixtyFourBitsIsInvalidParameterValue) {
  AwsError e = err(codec_for("iam")->decode(
      form_request("Action=ListUsers&Version=2010-05-08&MaxItems=99999999999999999999999999999")));
  EXPECT_EQ(e.code, "InvalidParameterValue");
  EXPECT_EQ(e.message,
            "Value (99999999999999999999999999999) for parameter MaxItems is invalid: expected an integer.");
}

TEST(QueryNumbers, IntegerBeyondThirtyTwoBitsIsInvalidParameterValue) {
  AwsError e = err(codec_for("iam")->decode(form_request("Action=ListUsers&Version=2010-05-08&MaxItems=2147483648")));
  EXPECT_EQ(e.message, "Value (2147483648) for parameter MaxItems is invalid: integer out of range.");
}

// Found by fuzz_query_decode: a list index of many digits overflowed a long while it was read.
TEST(QueryIndices, HugeListIndexIsIgnored) {
  auto res = codec_for("iam")->decode(form_request(
      "Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=%7B%7D&Tags.member.1.Key=k&"
      "Tags.member.1.Value=v&Tags.member.44444444444144444444444444.Key=x"));
  EXPECT_EQ((*ok(res).input)["Tags"], json::array({{{"Key", "k"}, {"Value", "v"}}}));
}
