#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/model.hpp"

using namespace awan::protocol;
using awan::AwsError;

TEST(Model, EmbedsRequestedServices) {
  for (const char* s : {"sts", "iam", "dynamodb", "dynamodbstreams", "sqs", "sns", "s3", "lambda", "apigateway", "logs"})
    EXPECT_FALSE(embedded_model(s).empty()) << s;
  EXPECT_TRUE(embedded_model("nosuchservice").empty());
  EXPECT_EQ(Model::get("nosuchservice"), nullptr);
}

TEST(Model, StrippedOfDocumentation) {
  EXPECT_EQ(embedded_model("s3").find("\"documentation\""), std::string_view::npos);
  EXPECT_EQ(embedded_model("iam").find("<p>"), std::string_view::npos);
}

TEST(Model, Metadata) {
  const Model* ddb = Model::get("dynamodb");
  ASSERT_NE(ddb, nullptr);
  EXPECT_EQ(ddb->metadata().protocol, "json");
  EXPECT_EQ(ddb->metadata().kind, ProtocolKind::Json);
  EXPECT_EQ(ddb->metadata().target_prefix, "DynamoDB_20120810");
  EXPECT_EQ(ddb->metadata().json_version, "1.0");
  EXPECT_EQ(ddb->metadata().api_version, "2012-08-10");
  const Model* iam = Model::get("iam");
  ASSERT_NE(iam, nullptr);
  EXPECT_EQ(iam->metadata().kind, ProtocolKind::Query);
  EXPECT_EQ(iam->metadata().xml_namespace, "https://iam.amazonaws.com/doc/2010-05-08/");
  EXPECT_EQ(Model::get("dynamodbstreams")->metadata().signing_name, "dynamodb");
  EXPECT_EQ(Model::get("s3")->metadata().kind, ProtocolKind::RestXml);
  EXPECT_EQ(Model::get("lambda")->metadata().kind, ProtocolKind::RestJson);
}

TEST(Model, SqsBothForms) {
  const Model* sqs = Model::get("sqs");
  ASSERT_NE(sqs, nullptr);
  const Model* q = Model::get("sqs@query");
  ASSERT_NE(q, nullptr) << "an older botocore with the awsQuery SQS model is expected on this machine";
  EXPECT_EQ(q->metadata().kind, ProtocolKind::Query);
  EXPECT_EQ(q->metadata().xml_namespace, "http://queue.amazonaws.com/doc/2012-11-05/");
  if (sqs->metadata().kind == ProtocolKind::Json) {
    EXPECT_TRUE(sqs->metadata().aws_query_compatible);
    EXPECT_EQ(sqs->metadata().target_prefix, "AmazonSQS");
  }
}

TEST(Model, OperationsAndShapes) {
  const Model* iam = Model::get("iam");
  const Operation* op = iam->operation("CreateRole");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->result_wrapper, "CreateRoleResult");
  ASSERT_NE(op->input, nullptr);
  EXPECT_EQ(op->input->name, "CreateRoleRequest");
  const MemberRef* tags = op->input->find_member("Tags");
  ASSERT_NE(tags, nullptr);
  EXPECT_EQ(tags->shape->type, ShapeType::List);
  EXPECT_EQ(tags->shape->member.shape->name, "Tag");
  EXPECT_TRUE(op->input->find_member("RoleName")->required);
  EXPECT_FALSE(tags->required);
  EXPECT_EQ(iam->operation("NoSuchOp"), nullptr);
  EXPECT_GT(iam->operations().size(), 100u);

  const Model* s3 = Model::get("s3");
  const Operation* put = s3->operation("PutObject");
  ASSERT_NE(put, nullptr);
  EXPECT_EQ(put->http_method, "PUT");
  EXPECT_EQ(put->request_uri, "/{Bucket}/{Key+}");
  ASSERT_NE(put->input->payload_member, nullptr);
  EXPECT_EQ(put->input->payload_member->name, "Body");
  EXPECT_TRUE(put->input->payload_member->streaming);
  const MemberRef* meta = put->input->find_member("Metadata");
  EXPECT_EQ(meta->location, Location::Headers);
  EXPECT_EQ(meta->location_name, "x-amz-meta-");
  const MemberRef* bucket = put->input->find_member("Bucket");
  EXPECT_EQ(bucket->location, Location::Uri);
  EXPECT_EQ(s3->operation("ListObjectsV2")->request_uri, "/{Bucket}?list-type=2");
}

TEST(Model, ErrorTraits) {
  const Model* iam = Model::get("iam");
  const Shape* e = iam->error_shape("NoSuchEntityException");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->error.code, "NoSuchEntity");
  EXPECT_EQ(e->error.http_status, 404);
  EXPECT_TRUE(e->error.sender_fault);
  EXPECT_EQ(iam->error_shape("NoSuchEntity"), e);  // by wire code too
  AwsError made = iam->make_error("NoSuchEntityException", "The role with name x cannot be found.");
  EXPECT_EQ(made.http_status, 404);
  EXPECT_EQ(made.code, "NoSuchEntityException");
  const Shape* q = Model::get("sqs@query")->error_shape("QueueDoesNotExist");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->error.code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(Model::get("s3")->error_shape("NoSuchKey")->error.http_status, 404);
  EXPECT_EQ(iam->error_shape("NotAnError"), nullptr);
  EXPECT_EQ(iam->error_shape("CreateRoleRequest"), nullptr);  // not an error shape
}

TEST(Model, ParseRejectsMalformed) {
  EXPECT_THROW(Model::parse("x", "{not json"), std::runtime_error);
  EXPECT_THROW(Model::parse("x", R"({"shapes":{"A":{"type":"structure","members":{"b":{"shape":"Missing"}}}}})"),
               std::runtime_error);
  auto m = Model::parse("x", R"({"metadata":{"protocol":"json"},"operations":{},"shapes":{}})");
  EXPECT_EQ(m->metadata().kind, ProtocolKind::Json);
}

TEST(Model, ConcurrentFirstUseYieldsOneInstance) {
  std::vector<const Model*> seen(8);
  std::vector<std::thread> ts;
  for (int i = 0; i < 8; ++i) ts.emplace_back([&, i] { seen[i] = Model::get("sns"); });
  for (auto& t : ts) t.join();
  for (auto* m : seen) EXPECT_EQ(m, seen[0]);
  EXPECT_NE(seen[0], nullptr);
}

TEST(Model, CodecsPerProtocol) {
  ASSERT_NE(codec_for("sts"), nullptr);
  EXPECT_EQ(codec_for("sts")->service(), "sts");
  EXPECT_EQ(codec_for("nosuch"), nullptr);
  EXPECT_EQ(codec_for("sqs@query"), nullptr);
  const Codec* q = codec_for("sqs", "query");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->service(), "sqs");
  const Codec* j = codec_for("sqs", "json");
  ASSERT_NE(j, nullptr);
  EXPECT_NE(q, j);
  EXPECT_EQ(codec_for("sqs", ""), codec_for("sqs"));
  EXPECT_EQ(codec_for("iam", "query"), codec_for("iam"));
  EXPECT_EQ(codec_for("iam", "json"), nullptr);
}
