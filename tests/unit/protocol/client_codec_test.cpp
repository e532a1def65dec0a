// The client side of the codecs (protocol/client_codec.hpp), checked against the server side:
// a request the client encodes decodes to the same input on the server, and an answer the
// server encodes decodes to the same output (or error) on the client, for each protocol.
#include "protocol/client_codec.hpp"

#include "helpers.hpp"

namespace awan::protocol::test {
namespace {

using json = nlohmann::json;

http::Request encoded(std::string_view service, const std::string& op, const json& input, const Payload* p = nullptr) {
  auto v = encode_request(service, op, input, p);
  if (auto* e = std::get_if<AwsError>(&v)) {
    ADD_FAILURE() << e->code << ": " << e->message;
    return {};
  }
  return std::get<http::Request>(v);
}

// Client encode → server decode: the same operation and input.
// `model`: the model the client encodes with ("sqs@query" for SQS's older form), when not the
// service's own.
void round_trip_input(std::string_view service, const std::string& op, const json& input,
                      std::string_view protocol = "", std::string_view model = "") {
  http::Request req = encoded(model.empty() ? service : model, op, input);
  const Codec* c = protocol.empty() ? codec_for(service) : codec_for(service, protocol);
  ASSERT_NE(c, nullptr);
  auto decoded = c->decode(req);
  const Decoded& d = ok(decoded);
  EXPECT_EQ(d.operation, op);
  EXPECT_EQ(*d.input, input) << req.method << " " << req.target << "\n" << req.body;
}

// Server encode → client decode: the same output.
Result served(std::string_view service, const std::string& op, const json& output) {
  http::Response res;
  codec_for(service)->encode_output(op, output, ctx(), res);
  return decode_response(service, op, res.status, res.headers, res.body);
}

AwsError served_error(std::string_view service, const std::string& op, const AwsError& e, std::string method = "") {
  http::Response res;
  codec_for(service)->encode_error(e, ctx(method), res);
  Result r = decode_response(service, op, res.status, res.headers, res.omit_body ? "" : res.body);
  EXPECT_TRUE(r.error.has_value());
  return r.error.value_or(AwsError());
}

TEST(ClientCodec, AwsJsonRoundTrips) {
  round_trip_input("dynamodb", "PutItem",
                   {{"TableName", "Inventory"},
                    {"Item", {{"Store", {{"S", "Berlin"}}}, {"Count", {{"N", "3"}}}, {"B", {{"B", "AAEC"}}}}},
                    {"ConditionExpression", "attribute_not_exists(Store)"}});
  round_trip_input("sqs", "SendMessageBatch",
                   {{"QueueUrl", "http://localhost/000000000000/q"},
                    {"Entries", {{{"Id", "a"}, {"MessageBody", "x"}, {"DelaySeconds", 2}}}}});
  Result r = served("dynamodb", "BatchWriteItem", {{"UnprocessedItems", json::object()}});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.output, json({{"UnprocessedItems", json::object()}}));
  AwsError e = served_error("dynamodb", "GetItem", AwsError("ResourceNotFoundException", "Requested resource not found", 400));
  EXPECT_EQ(e.code, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Requested resource not found");
  EXPECT_EQ(e.http_status, 400);
}

TEST(ClientCodec, AwsQueryRoundTrips) {
  round_trip_input("sns", "Publish",
                   {{"TopicArn", "arn:aws:sns:us-east-1:000000000000:NoStock"},
                    {"Message", "Berlin is out of stock of pens & paper"},
                    {"Subject", "Inventory Alert!"},
                    {"MessageAttributes", {{"store", {{"DataType", "String"}, {"StringValue", "Berlin"}}},
                                           {"n", {{"DataType", "Number"}, {"StringValue", "1"}}}}}});
  round_trip_input("sns", "CreateTopic", {{"Name", "t"}, {"Tags", json::array({{{"Key", "k"}, {"Value", "v"}}})}});
  round_trip_input("sqs", "SendMessageBatch",
                   {{"QueueUrl", "http://localhost/000000000000/q"},
                    {"Entries", {{{"Id", "a"}, {"MessageBody", "x"}}, {{"Id", "b"}, {"MessageBody", "y"}}}}},
                   "query", "sqs@query");
  json topics = {{"Topics", {{{"TopicArn", "arn:aws:sns:us-east-1:000000000000:a"}},
                             {{"TopicArn", "arn:aws:sns:us-east-1:000000000000:NoStock"}}}},
                 {"NextToken", "tok"}};
  Result r = served("sns", "ListTopics", topics);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.output, topics);
  AwsError e = served_error("sns", "Publish", AwsError("NotFound", "Topic does not exist", 404));
  EXPECT_EQ(e.code, "NotFound");
  EXPECT_EQ(e.message, "Topic does not exist");
  EXPECT_EQ(e.http_status, 404);
}

TEST(ClientCodec, RestXmlRoundTrips) {
  round_trip_input("s3", "PutObject",
                   {{"Bucket", "inventory"}, {"Key", "dir/a b+ü.csv"}, {"ContentType", "text/csv"},
                    {"Metadata", {{"store", "berlin"}}}});
  round_trip_input("s3", "PutBucketTagging",
                   {{"Bucket", "b"}, {"Tagging", {{"TagSet", {{{"Key", "k"}, {"Value", "v"}}}}}}});
  round_trip_input("s3", "ListObjectsV2", {{"Bucket", "b"}, {"Prefix", "a/"}, {"MaxKeys", 10}});

  // A streaming payload goes out from the Payload, and comes back as one.
  Payload body = Payload::of_bytes("Store,Item,Count\nBerlin,pens,0\n");
  http::Request put = encoded("s3", "PutObject", {{"Bucket", "b"}, {"Key", "k.csv"}}, &body);
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.path, "/b/k.csv");
  EXPECT_EQ(put.body, body.bytes);
  EXPECT_EQ(encoded("s3", "PutObject", {{"Bucket", "b"}, {"Key", "k"}, {"Body", "text"}}).body, "text");

  http::Response res;
  EncodeContext c = ctx("GET");
  c.payload = &body;
  codec_for("s3")->encode_output("GetObject", {{"ETag", "\"abc\""}, {"ContentLength", 30}, {"ContentType", "text/csv"}}, c, res);
  Result got = decode_response("s3", "GetObject", res.status, res.headers, body.bytes);
  ASSERT_FALSE(got.error);
  EXPECT_EQ(got.output.value("ETag", ""), "\"abc\"");
  EXPECT_EQ(got.output.value("ContentType", ""), "text/csv");
  ASSERT_TRUE(got.payload);
  EXPECT_EQ(got.payload->bytes, body.bytes);

  json listing = {{"Name", "b"}, {"KeyCount", 1}, {"IsTruncated", false},
                  {"Contents", {{{"Key", "k.csv"}, {"Size", 30}, {"ETag", "\"abc\""}}}}};
  Result l = served("s3", "ListObjectsV2", listing);
  ASSERT_FALSE(l.error);
  EXPECT_EQ(l.output, listing);

  AwsError e = served_error("s3", "GetObject", AwsError("NoSuchKey", "The specified key does not exist.", 404));
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "The specified key does not exist.");
  EXPECT_EQ(served_error("s3", "HeadObject", AwsError("NoSuchKey", "x", 404), "HEAD").code, "NotFound");
}

TEST(ClientCodec, RestJsonRoundTrips) {
  round_trip_input("lambda", "Invoke",
                   {{"FunctionName", "Check-Stock"}, {"InvocationType", "RequestResponse"}, {"Payload", "{\"a\":1}"}});
  round_trip_input("lambda", "ListFunctions", {{"MaxItems", 5}, {"Marker", "m"}});
  round_trip_input("lambda", "TagResource",
                   {{"Resource", "arn:aws:lambda:us-east-1:000000000000:function:f"}, {"Tags", {{"a", "b"}}}});
  Result r = served("lambda", "GetAccountSettings", {{"AccountLimit", {{"ConcurrentExecutions", 1000}}}});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.output["AccountLimit"]["ConcurrentExecutions"], 1000);
  AwsError e = served_error("lambda", "GetFunction", AwsError("ResourceNotFoundException", "Function not found: f", 404));
  EXPECT_EQ(e.code, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Function not found: f");
}

TEST(ClientCodec, RefusesWhatItCannotEncode) {
  EXPECT_TRUE(std::holds_alternative<AwsError>(encode_request("nope", "X", json::object())));
  EXPECT_TRUE(std::holds_alternative<AwsError>(encode_request("s3", "NoSuchOperation", json::object())));
  // A URI label without its member.
  EXPECT_TRUE(std::holds_alternative<AwsError>(encode_request("s3", "GetObject", {{"Bucket", "b"}})));
  // Answers that are not the protocol's form are errors, not crashes.
  Result bad = decode_response("sns", "ListTopics", 200, {}, "<not xml");
  EXPECT_TRUE(bad.error);
  Result bad_json = decode_response("dynamodb", "GetItem", 200, {}, "[1,2");
  EXPECT_TRUE(bad_json.error);
  Result empty_error = decode_response("dynamodb", "GetItem", 500, {}, "");
  ASSERT_TRUE(empty_error.error);
  EXPECT_EQ(empty_error.error->http_status, 500);
}

// An error answer's members of the wrong type are skipped, never thrown (json::value would).
TEST(ClientCodec, ErrorMembersOfTheWrongTypeAreSkipped) {
  Result r = decode_response("dynamodb", "Query", 400, {}, R"({"__type": 1, "code": "Throttled", "message": ["x"], "Message": "m"})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "Throttled");
  EXPECT_EQ(r.error->message, "m");
  r = decode_response("lambda", "Invoke", 500, {}, R"({"__type": {}, "errorMessage": 3})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "500");
  EXPECT_EQ(r.error->message, "");
}

TEST(ClientCodec, DecodesAnXmlDocumentOfAShape) {
  auto doc = decode_xml_shape("s3", "Tagging",
                              "<Tagging><TagSet><Tag><Key>a</Key><Value>b &amp; c</Value></Tag></TagSet></Tagging>");
  ASSERT_TRUE(doc);
  EXPECT_EQ(*doc, json({{"TagSet", {{{"Key", "a"}, {"Value", "b & c"}}}}}));
  EXPECT_FALSE(decode_xml_shape("s3", "Tagging", "<Tagging><TagSet>"));   // not well-formed
  EXPECT_FALSE(decode_xml_shape("s3", "Tagging", "<Other/>"));            // another root
  EXPECT_FALSE(decode_xml_shape("s3", "Tagging", ""));
  EXPECT_FALSE(decode_xml_shape("s3", "NoSuchShape", "<Tagging/>"));
  EXPECT_FALSE(decode_xml_shape("nope", "Tagging", "<Tagging/>"));
}

}  // namespace
}  // namespace awan::protocol::test
