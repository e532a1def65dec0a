#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "helpers.hpp"
#include "protocol/codecs.hpp"

using namespace awan;
using namespace awan::protocol;
using namespace awan::protocol::test;
using nlohmann::json;

TEST(QueryCodec, IamCreateRoleWithTags) {
  const Codec* iam = codec_for("iam");
  auto r = form_request(
      "Action=CreateRole&Version=2010-05-08&RoleName=lambda-role&Path=%2Fservice%2F"
      "&AssumeRolePolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D&MaxSessionDuration=7200"
      "&Tags.member.1.Key=env&Tags.member.1.Value=dev&Tags.member.2.Key=team&Tags.member.2.Value=a+b");
  auto res = iam->decode(r);
  const Decoded& d = ok(res);
  EXPECT_EQ(d.operation, "CreateRole");
  const json& in = *d.input;
  EXPECT_EQ(in["RoleName"], "lambda-role");
  EXPECT_EQ(in["Path"], "/service/");
  EXPECT_EQ(in["AssumeRolePolicyDocument"], "{\"Version\":\"2012-10-17\"}");
  EXPECT_EQ(in["MaxSessionDuration"], 7200);
  ASSERT_EQ(in["Tags"].size(), 2u);
  EXPECT_EQ(in["Tags"][0], json({{"Key", "env"}, {"Value", "dev"}}));
  EXPECT_EQ(in["Tags"][1]["Value"], "a b");
  EXPECT_FALSE(in.contains("Action"));
  EXPECT_FALSE(in.contains("Version"));
}

TEST(QueryCodec, IamListIndicesSortedNumerically) {
  std::string body = "Action=TagRole&RoleName=r";
  for (int i = 12; i >= 1; --i)
    body += "&Tags.member." + std::to_string(i) + ".Key=k" + std::to_string(i) + "&Tags.member." + std::to_string(i) + ".Value=v";
  auto res = codec_for("iam")->decode(form_request(body));
  const json& in = *ok(res).input;
  ASSERT_EQ(in["Tags"].size(), 12u);
  EXPECT_EQ(in["Tags"][0]["Key"], "k1");
  EXPECT_EQ(in["Tags"][9]["Key"], "k10");
  EXPECT_EQ(in["Tags"][11]["Key"], "k12");
}

TEST(QueryCodec, ParametersFromQueryString) {
  auto r = make_request("GET", "/?Action=GetCallerIdentity&Version=2011-06-15");
  auto res = codec_for("sts")->decode(r);
  EXPECT_EQ(ok(res).operation, "GetCallerIdentity");
}

TEST(QueryCodec, StsAssumeRoleRoundTrip) {
  const Codec* sts = codec_for("sts");
  auto res = sts->decode(form_request(
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s1"
      "&DurationSeconds=900&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnly"
      "&Tags.member.1.Key=k&Tags.member.1.Value=v&TransitiveTagKeys.member.1=k"));
  const json& in = *ok(res).input;
  EXPECT_EQ(in["RoleArn"], "arn:aws:iam::123456789012:role/r");
  EXPECT_EQ(in["DurationSeconds"], 900);
  EXPECT_EQ(in["PolicyArns"][0]["arn"], "arn:aws:iam::aws:policy/ReadOnly");
  EXPECT_EQ(in["TransitiveTagKeys"], json::array({"k"}));

  json out = {{"Credentials",
               {{"AccessKeyId", "ASIAEXAMPLE"},
                {"SecretAccessKey", "secret"},
                {"SessionToken", "token"},
                {"Expiration", 1700000000}}},
              {"AssumedRoleUser", {{"AssumedRoleId", "AROAEXAMPLE:s1"}, {"Arn", "arn:aws:sts::123456789012:assumed-role/r/s1"}}},
              {"PackedPolicySize", 6}};
  http::Response resp;
  sts->encode_output("AssumeRole", out, ctx(), resp);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.headers.get("Content-Type"), "text/xml");
  pugi::xml_document doc;
  auto root = parse_xml(doc, resp.body);
  EXPECT_STREQ(root.name(), "AssumeRoleResponse");
  EXPECT_STREQ(root.attribute("xmlns").value(), "https://sts.amazonaws.com/doc/2011-06-15/");
  auto result = root.child("AssumeRoleResult");
  EXPECT_STREQ(result.child("Credentials").child_value("AccessKeyId"), "ASIAEXAMPLE");
  EXPECT_STREQ(result.child("Credentials").child_value("Expiration"), "2023-11-14T22:13:20Z");
  EXPECT_STREQ(result.child("AssumedRoleUser").child_value("Arn"), "arn:aws:sts::123456789012:assumed-role/r/s1");
  EXPECT_STREQ(result.child_value("PackedPolicySize"), "6");
  EXPECT_STREQ(root.child("ResponseMetadata").child_value("RequestId"), "req-1234");
}

TEST(QueryCodec, IamListOutputUsesMemberElements) {
  json out = {{"Roles", json::array({{{"RoleName", "a"}, {"Path", "/"}, {"Arn", "arn:a"}, {"RoleId", "AROA1"},
                                      {"CreateDate", 1700000000}, {"Tags", json::array({{{"Key", "k"}, {"Value", "v"}}})}},
                                     {{"RoleName", "b"}, {"Path", "/"}, {"Arn", "arn:b"}, {"RoleId", "AROA2"}, {"CreateDate", 0}}})},
              {"IsTruncated", false}};
  http::Response resp;
  codec_for("iam")->encode_output("ListRoles", out, ctx(), resp);
  pugi::xml_document doc;
  auto root = parse_xml(doc, resp.body);
  auto roles = root.child("ListRolesResult").child("Roles");
  int n = 0;
  for ([[maybe_unused]] auto m : roles.children("member")) ++n;
  EXPECT_EQ(n, 2);
  EXPECT_STREQ(roles.child("member").child_value("RoleName"), "a");
  EXPECT_STREQ(roles.child("member").child("Tags").child("member").child_value("Key"), "k");
  EXPECT_STREQ(root.child("ListRolesResult").child_value("IsTruncated"), "false");
  EXPECT_STREQ(roles.last_child().child_value("CreateDate"), "1970-01-01T00:00:00Z");
}

TEST(QueryCodec, SqsSendMessageBatchFlattenedForm) {
  const Codec* sqs = codec_for("sqs", "query");
  ASSERT_NE(sqs, nullptr);
  auto res = sqs->decode(form_request(
      "Action=SendMessageBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq"
      "&SendMessageBatchRequestEntry.1.Id=m1&SendMessageBatchRequestEntry.1.MessageBody=hello"
      "&SendMessageBatchRequestEntry.1.DelaySeconds=3"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=color"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=red"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Name=bin"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.DataType=Binary"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.BinaryValue=AAE%3D"
      "&SendMessageBatchRequestEntry.2.Id=m2&SendMessageBatchRequestEntry.2.MessageBody=world"));
  const Decoded& d = ok(res);
  EXPECT_EQ(d.operation, "SendMessageBatch");
  const json& in = *d.input;
  EXPECT_EQ(in["QueueUrl"], "http://localhost:4566/000000000000/q");
  ASSERT_EQ(in["Entries"].size(), 2u);
  EXPECT_EQ(in["Entries"][0]["Id"], "m1");
  EXPECT_EQ(in["Entries"][0]["DelaySeconds"], 3);
  EXPECT_EQ(in["Entries"][0]["MessageAttributes"]["color"], json({{"DataType", "String"}, {"StringValue", "red"}}));
  EXPECT_EQ(in["Entries"][0]["MessageAttributes"]["bin"]["BinaryValue"], "AAE=");
  EXPECT_EQ(in["Entries"][1]["MessageBody"], "world");
  EXPECT_FALSE(in["Entries"][1].contains("MessageAttributes"));
}

TEST(QueryCodec, SqsReceiveMessageAttributeNamesAndOutput) {
  const Codec* sqs = codec_for("sqs", "query");
  auto res = sqs->decode(form_request("Action=ReceiveMessage&QueueUrl=u&AttributeName.1=All&MessageAttributeName.1=All"
                                      "&MaxNumberOfMessages=10&WaitTimeSeconds=0"));
  const json& in = *ok(res).input;
  EXPECT_EQ(in["AttributeNames"], json::array({"All"}));
  EXPECT_EQ(in["MessageAttributeNames"], json::array({"All"}));
  EXPECT_EQ(in["MaxNumberOfMessages"], 10);

  json out = {{"Messages", json::array({{{"MessageId", "id1"},
                                         {"ReceiptHandle", "rh"},
                                         {"MD5OfBody", "md5"},
                                         {"Body", "a<b&c"},
                                         {"Attributes", {{"SenderId", "000000000000"}, {"ApproximateReceiveCount", "1"}}},
                                         {"MessageAttributes", {{"color", {{"DataType", "String"}, {"StringValue", "red"}}}}}}})}};
  http::Response resp;
  sqs->encode_output("ReceiveMessage", out, ctx(), resp);
  pugi::xml_document doc;
  auto root = parse_xml(doc, resp.body);
  EXPECT_STREQ(root.name(), "ReceiveMessageResponse");
  auto msg = root.child("ReceiveMessageResult").child("Message");
  ASSERT_TRUE(msg);
  EXPECT_STREQ(msg.child_value("Body"), "a<b&c");
  int attrs = 0;
  for (auto a : msg.children("Attribute")) {
    ++attrs;
    EXPECT_TRUE(a.child("Name") && a.child("Value"));
  }
  EXPECT_EQ(attrs, 2);
  auto ma = msg.child("MessageAttribute");
  EXPECT_STREQ(ma.child_value("Name"), "color");
  EXPECT_STREQ(ma.child("Value").child_value("StringValue"), "red");
}

TEST(QueryCodec, SnsPublishMapEntries) {
  auto res = codec_for("sns")->decode(form_request(
      "Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3ANoStock&Message=out+of+stock"
      "&MessageAttributes.entry.1.Name=store&MessageAttributes.entry.1.Value.DataType=String"
      "&MessageAttributes.entry.1.Value.StringValue=Berlin"));
  const json& in = *ok(res).input;
  EXPECT_EQ(in["Message"], "out of stock");
  EXPECT_EQ(in["MessageAttributes"]["store"]["StringValue"], "Berlin");
}

TEST(QueryCodec, EmptyListForm) {
  auto res = codec_for("sns")->decode(form_request("Action=TagResource&ResourceArn=a&Tags="));
  const json& in = *ok(res).input;
  EXPECT_EQ(in["Tags"], json::array());
}

TEST(QueryCodec, SnsGetTopicAttributesMapOutput) {
  http::Response resp;
  codec_for("sns")->encode_output("GetTopicAttributes", {{"Attributes", {{"TopicArn", "arn:t"}, {"Owner", "1"}}}}, ctx(), resp);
  pugi::xml_document doc;
  auto root = parse_xml(doc, resp.body);
  auto attrs = root.child("GetTopicAttributesResult").child("Attributes");
  int n = 0;
  for (auto e : attrs.children("entry")) {
    ++n;
    EXPECT_TRUE(e.child("key") && e.child("value"));
  }
  EXPECT_EQ(n, 2);
}

TEST(QueryCodec, BooleansTimestampsAndTypeErrors) {
  const Codec* iam = codec_for("iam");
  auto res = iam->decode(form_request("Action=ListRoles&MaxItems=5"));
  EXPECT_EQ((*ok(res).input)["MaxItems"], 5);
  AwsError e = err(iam->decode(form_request("Action=ListRoles&MaxItems=five")));
  EXPECT_EQ(e.code, "InvalidParameterValue");
  EXPECT_EQ(e.http_status, 400);
  res = codec_for("sqs", "query")->decode(form_request("Action=ChangeMessageVisibility&QueueUrl=u&ReceiptHandle=r&VisibilityTimeout=30"));
  EXPECT_EQ((*ok(res).input)["VisibilityTimeout"], 30);
  res = iam->decode(form_request("Action=UpdateAccountPasswordPolicy&RequireSymbols=true&RequireNumbers=false"));
  EXPECT_EQ((*ok(res).input)["RequireSymbols"], true);
  EXPECT_EQ((*ok(res).input)["RequireNumbers"], false);
  EXPECT_EQ(err(iam->decode(form_request("Action=UpdateAccountPasswordPolicy&RequireSymbols=maybe"))).code, "InvalidParameterValue");
}

TEST(QueryCodec, MissingAndInvalidAction) {
  const Codec* iam = codec_for("iam");
  AwsError e = err(iam->decode(form_request("Version=2010-05-08&RoleName=x")));
  EXPECT_EQ(e.code, "MissingAction");
  e = err(iam->decode(form_request("Action=DestroyEverything")));
  EXPECT_EQ(e.code, "InvalidAction");
  EXPECT_EQ(e.message, "The action DestroyEverything is not valid for this web service.");
  EXPECT_EQ(err(iam->decode(form_request("Action="))).code, "MissingAction");
}

TEST(QueryCodec, MalformedFormEncoding) {
  for (const char* body : {"Action=ListRoles&PathPrefix=%zz", "Action=ListRoles&PathPrefix=%2", "Action=List%"}) {
    AwsError e = err(codec_for("iam")->decode(form_request(body)));
    EXPECT_EQ(e.code, "MalformedQueryString") << body;
    EXPECT_EQ(e.http_status, 404);
  }
}

TEST(QueryCodec, ErrorUsesModelWireCode) {
  const Codec* iam = codec_for("iam");
  http::Response resp;
  iam->encode_error(AwsError("NoSuchEntityException", "The role with name x cannot be found.", 404), ctx(), resp);
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.headers.get("Content-Type"), "text/xml");
  pugi::xml_document doc;
  auto root = parse_xml(doc, resp.body);
  EXPECT_STREQ(root.name(), "ErrorResponse");
  EXPECT_STREQ(root.attribute("xmlns").value(), "https://iam.amazonaws.com/doc/2010-05-08/");
  EXPECT_STREQ(root.child("Error").child_value("Type"), "Sender");
  EXPECT_STREQ(root.child("Error").child_value("Code"), "NoSuchEntity");
  EXPECT_STREQ(root.child("Error").child_value("Message"), "The role with name x cannot be found.");
  EXPECT_STREQ(root.child_value("RequestId"), "req-1234");

  http::Response r2;
  iam->encode_error(AwsError::internal(), ctx(), r2);
  pugi::xml_document d2;
  auto root2 = parse_xml(d2, r2.body);
  EXPECT_STREQ(root2.child("Error").child_value("Type"), "Receiver");
  EXPECT_STREQ(root2.child("Error").child_value("Code"), "InternalFailure");
  EXPECT_EQ(r2.status, 500);

  http::Response r3;
  codec_for("sqs", "query")->encode_error(AwsError("QueueDoesNotExist", "The specified queue does not exist.", 400), ctx(), r3);
  pugi::xml_document d3;
  EXPECT_STREQ(parse_xml(d3, r3.body).child("Error").child_value("Code"), "AWS.SimpleQueueService.NonExistentQueue");
}

TEST(QueryCodec, OperationWithoutOutput) {
  http::Response resp;
  codec_for("iam")->encode_output("DeleteRole", json::object(), ctx(), resp);
  pugi::xml_document doc;
  auto root = parse_xml(doc, resp.body);
  EXPECT_STREQ(root.name(), "DeleteRoleResponse");
  EXPECT_FALSE(root.child("DeleteRoleResult"));
  EXPECT_STREQ(root.child("ResponseMetadata").child_value("RequestId"), "req-1234");
}

TEST(QueryCodec, SqsQueueUrlFromPath) {
  auto r = form_request("Action=SendMessage&MessageBody=x");
  r.path = "/000000000000/q1";
  r.headers.add("Host", "localhost:4566");
  auto res = codec_for("sqs", "query")->decode(r);
  EXPECT_EQ((*ok(res).input)["QueueUrl"], "http://localhost:4566/000000000000/q1");
  auto r2 = form_request("Action=SendMessage&MessageBody=x&QueueUrl=http%3A%2F%2Fh%2F1%2Fq");
  r2.path = "/000000000000/q1";
  auto res2 = codec_for("sqs", "query")->decode(r2);
  EXPECT_EQ((*ok(res2).input)["QueueUrl"], "http://h/1/q");
}
