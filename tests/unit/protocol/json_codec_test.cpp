#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "helpers.hpp"
#include "protocol/codecs.hpp"

using namespace awan;
using namespace awan::protocol;
using namespace awan::protocol::test;
using nlohmann::json;

namespace {
const Codec& ddb() { return *codec_for("dynamodb"); }
}  // namespace

TEST(JsonCodec, DecodesPutItem) {
  auto r = json_request("DynamoDB_20120810.PutItem", R"J({"TableName":"Inventory","Item":{"Store":{"S":"Berlin"},
      "Item":{"S":"Apples"},"Count":{"N":"0"},"Tags":{"SS":["a","b"]},"Raw":{"B":"AAEC"},"Nested":{"M":{"x":{"BOOL":true}}},
      "Nothing":{"NULL":true},"L":{"L":[{"N":"1"}]}},"ReturnValues":"ALL_OLD","ConditionExpression":"attribute_not_exists(Store)"})J");
  auto res = ddb().decode(r);
  const Decoded& d = ok(res);
  EXPECT_EQ(d.operation, "PutItem");
  const json& in = *d.input;
  EXPECT_EQ(in["TableName"], "Inventory");
  EXPECT_EQ(in["Item"]["Count"]["N"], "0");
  EXPECT_EQ(in["Item"]["Tags"]["SS"], json::array({"a", "b"}));
  EXPECT_EQ(in["Item"]["Raw"]["B"], "AAEC");  // blobs stay base64 in documents
  EXPECT_EQ(in["Item"]["Nested"]["M"]["x"]["BOOL"], true);
  EXPECT_EQ(in["Item"]["Nothing"]["NULL"], true);
  EXPECT_EQ(in["ReturnValues"], "ALL_OLD");
}

TEST(JsonCodec, EmptyBodyIsEmptyInput) {
  auto res = ddb().decode(json_request("DynamoDB_20120810.ListTables", ""));
  EXPECT_EQ(ok(res).operation, "ListTables");
  EXPECT_TRUE(ok(res).input->empty());
}

TEST(JsonCodec, UnknownMembersAreIgnored) {
  auto res = ddb().decode(json_request("DynamoDB_20120810.DescribeTable", R"({"TableName":"t","Bogus":1})"));
  EXPECT_EQ(*ok(res).input, json({{"TableName", "t"}}));
}

TEST(JsonCodec, UnknownOrMissingTarget) {
  AwsError e = err(ddb().decode(json_request("DynamoDB_20120810.Explode", "{}")));
  EXPECT_EQ(e.code, "UnknownOperationException");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(err(ddb().decode(json_request("Other_1.PutItem", "{}"))).code, "UnknownOperationException");
  EXPECT_EQ(err(ddb().decode(make_request("POST", "/", "{}"))).code, "UnknownOperationException");
  EXPECT_EQ(err(ddb().decode(json_request("DynamoDB_20120810", "{}"))).code, "UnknownOperationException");
}

TEST(JsonCodec, MalformedJsonIsSerializationException) {
  for (const char* body : {"{", "{\"TableName\":", "not json", "{\"a\":1}}", "\xff\xfe"}) {
    AwsError e = err(ddb().decode(json_request("DynamoDB_20120810.DescribeTable", body)));
    EXPECT_EQ(e.code, "SerializationException") << body;
    EXPECT_EQ(e.http_status, 400);
  }
  EXPECT_EQ(err(ddb().decode(json_request("DynamoDB_20120810.DescribeTable", "[1]"))).code, "SerializationException");
}

TEST(JsonCodec, WrongTypesAreSerializationException) {
  AwsError e = err(ddb().decode(json_request("DynamoDB_20120810.DescribeTable", R"({"TableName":5})")));
  EXPECT_EQ(e.code, "SerializationException");
  EXPECT_EQ(e.message, "NUMBER_VALUE cannot be converted to String");
  e = err(ddb().decode(json_request("DynamoDB_20120810.DescribeTable", R"({"TableName":{"a":1}})")));
  EXPECT_EQ(e.message, "Start of structure or map found where not expected.");
  e = err(ddb().decode(json_request("DynamoDB_20120810.Scan", R"({"TableName":"t","Limit":"10"})")));
  EXPECT_EQ(e.message, "STRING_VALUE cannot be converted to Integer");
  e = err(ddb().decode(json_request("DynamoDB_20120810.Scan", R"({"TableName":"t","ConsistentRead":"yes"})")));
  EXPECT_EQ(e.code, "SerializationException");
  e = err(ddb().decode(json_request("DynamoDB_20120810.PutItem", R"({"TableName":"t","Item":[1]})")));
  EXPECT_EQ(e.message, "Start of list found where not expected.");
  e = err(ddb().decode(json_request("DynamoDB_20120810.BatchGetItem", R"({"RequestItems":{"t":{"Keys":"x"}}})")));
  EXPECT_EQ(e.code, "SerializationException");
}

TEST(JsonCodec, EncodesOutputWithCrc32) {
  json out = {{"TableNames", {"a", "b"}}, {"LastEvaluatedTableName", "b"}};
  http::Response resp;
  ddb().encode_output("ListTables", out, ctx(), resp);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(json::parse(resp.body), out);
  EXPECT_EQ(resp.headers.get("Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(resp.headers.get("x-amz-crc32"), std::to_string(crypto::crc32(resp.body)));
  EXPECT_EQ(resp.headers.get("x-amzn-RequestId"), "req-1234");
}

TEST(JsonCodec, TimestampsAreEpochNumbers) {
  json out = {{"TableDescription", {{"TableName", "t"}, {"CreationDateTime", 1700000000.5}}}};
  http::Response resp;
  ddb().encode_output("DescribeTable", {{"Table", out["TableDescription"]}}, ctx(), resp);
  json body = json::parse(resp.body);
  EXPECT_DOUBLE_EQ(body["Table"]["CreationDateTime"].get<double>(), 1700000000.5);
}

TEST(JsonCodec, DynamoDbErrorTypes) {
  http::Response resp;
  ddb().encode_error(AwsError("ResourceNotFoundException", "Requested resource not found", 400), ctx(), resp);
  json body = json::parse(resp.body);
  EXPECT_EQ(body["__type"], "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
  EXPECT_EQ(body["message"], "Requested resource not found");
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(resp.headers.get("x-amz-crc32"), std::to_string(crypto::crc32(resp.body)));
  EXPECT_FALSE(resp.headers.has("x-amzn-query-error"));

  http::Response r2;
  ddb().encode_error(AwsError::serialization(""), ctx(), r2);
  EXPECT_EQ(json::parse(r2.body), json({{"__type", "com.amazon.coral.service#SerializationException"}}));
  http::Response r3;
  ddb().encode_error(AwsError::validation("One or more parameter values were invalid"), ctx(), r3);
  EXPECT_EQ(json::parse(r3.body)["__type"], "com.amazon.coral.validate#ValidationException");
  http::Response r4;
  ddb().encode_error(AwsError::unknown_operation(), ctx(), r4);
  EXPECT_EQ(json::parse(r4.body)["__type"], "com.amazon.coral.service#UnknownOperationException");
}

TEST(JsonCodec, ErrorDetailsMergeIntoBody) {
  AwsError e("TransactionCanceledException", "Transaction cancelled", 400);
  e.details = std::make_shared<const json>(json{{"CancellationReasons", json::array({{{"Code", "ConditionalCheckFailed"}}})}});
  http::Response resp;
  ddb().encode_error(e, ctx(), resp);
  json body = json::parse(resp.body);
  EXPECT_EQ(body["__type"], "com.amazonaws.dynamodb.v20120810#TransactionCanceledException");
  EXPECT_EQ(body["CancellationReasons"][0]["Code"], "ConditionalCheckFailed");
}

TEST(JsonCodec, SqsJsonQueryCompatibleErrors) {
  const Codec* sqs = codec_for("sqs", "json");
  ASSERT_NE(sqs, nullptr);
  http::Response resp;
  sqs->encode_error(AwsError("QueueDoesNotExist", "The specified queue does not exist.", 400), ctx(), resp);
  json body = json::parse(resp.body);
  EXPECT_EQ(body["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
  EXPECT_EQ(body["message"], "The specified queue does not exist.");
  EXPECT_EQ(resp.headers.get("x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
  EXPECT_EQ(resp.headers.get("Content-Type"), "application/x-amz-json-1.0");
  EXPECT_FALSE(resp.headers.has("x-amz-crc32"));

  // The query-form code given by a service maps back to the shape name.
  http::Response r2;
  sqs->encode_error(AwsError("AWS.SimpleQueueService.NonExistentQueue", "gone", 400), ctx(), r2);
  EXPECT_EQ(json::parse(r2.body)["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
  EXPECT_EQ(r2.headers.get("x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");

  http::Response r3;
  sqs->encode_error(AwsError::internal(), ctx(), r3);
  EXPECT_EQ(r3.status, 500);
  EXPECT_EQ(r3.headers.get("x-amzn-query-error"), "InternalFailure;Receiver");
}

TEST(JsonCodec, SqsJsonSendMessageRoundTrip) {
  const Codec* sqs = codec_for("sqs", "json");
  auto r = json_request("AmazonSQS.SendMessage", R"({"QueueUrl":"http://q/000000000000/q1","MessageBody":"hi",
      "DelaySeconds":5,"MessageAttributes":{"a":{"DataType":"String","StringValue":"v"}}})");
  auto res = sqs->decode(r);
  const json& in = *ok(res).input;
  EXPECT_EQ(in["DelaySeconds"], 5);
  EXPECT_EQ(in["MessageAttributes"]["a"]["StringValue"], "v");
  http::Response resp;
  sqs->encode_output("SendMessage", {{"MessageId", "m-1"}, {"MD5OfMessageBody", "49f68a5c8493ec2c0bf489821c21fc3b"}},
                     ctx(), resp);
  EXPECT_EQ(json::parse(resp.body)["MessageId"], "m-1");
}

TEST(JsonCodec, LogsUsesJson11AndPlainTypes) {
  const Codec* logs = codec_for("logs");
  ASSERT_NE(logs, nullptr);
  auto res = logs->decode(json_request("Logs_20140328.PutLogEvents",
                                       R"({"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1700000000000,"message":"m"}]})"));
  EXPECT_EQ((*ok(res).input)["logEvents"][0]["timestamp"], 1700000000000LL);
  http::Response resp;
  logs->encode_error(AwsError("ResourceNotFoundException", "The specified log group does not exist.", 400), ctx(), resp);
  EXPECT_EQ(json::parse(resp.body)["__type"], "ResourceNotFoundException");
  EXPECT_EQ(resp.headers.get("Content-Type"), "application/x-amz-json-1.1");
}

TEST(JsonCodec, InvalidUtf8InOutputDoesNotThrow) {
  http::Response resp;
  EXPECT_NO_THROW(ddb().encode_output("ListTables", {{"TableNames", {std::string("\xff\xfe")}}}, ctx(), resp));
  EXPECT_EQ(resp.status, 200);
}

TEST(JsonCodec, DeepNestingIsRefusedNotCrashing) {
  std::string item;
  const int depth = 100000;
  for (int i = 0; i < depth; ++i) item += R"({"M":{"a":)";
  item += R"({"S":"x"})";
  for (int i = 0; i < depth; ++i) item += "}}";
  auto r = json_request("DynamoDB_20120810.PutItem", R"({"TableName":"t","Item":{"k":)" + item + "}}");
  AwsError e = err(ddb().decode(r));
  EXPECT_EQ(e.code, "SerializationException");

  std::string arrays(200000, '[');
  EXPECT_EQ(err(ddb().decode(json_request("DynamoDB_20120810.ListTables", arrays))).code, "SerializationException");
}

TEST(JsonCodec, ModerateNestingIsAccepted) {
  std::string item;
  for (int i = 0; i < 30; ++i) item += R"({"M":{"a":)";
  item += R"({"S":"x"})";
  for (int i = 0; i < 30; ++i) item += "}}";
  auto res = ddb().decode(json_request("DynamoDB_20120810.PutItem", R"({"TableName":"t","Item":{"k":)" + item + "}}"));
  EXPECT_EQ(ok(res).operation, "PutItem");
}
