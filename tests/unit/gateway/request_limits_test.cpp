// Request size limits decided from the headers alone (gateway/request_limits.hpp): each
// service's documented limit, the --max-body-size cap, and the error each service answers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "request_builder.hpp"
#include "gateway/request_limits.hpp"

using namespace awan;
using namespace awan::gateway;

namespace {
http::Request head(std::string method, std::string target,
                   std::vector<std::pair<std::string, std::string>> headers = {}, std::string body = "") {
  return gateway::testing_support::request(std::move(method), std::move(target), std::move(headers), std::move(body));
}
std::string auth(const std::string& service) {
  return "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/" + service +
         "/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
}
constexpr const char* kForm = "application/x-www-form-urlencoded";
}  // namespace

TEST(RequestLimits, DynamoDbFromTarget) {
  auto l = request_limit(head("POST", "/", {{"X-Amz-Target", "DynamoDB_20120810.BatchWriteItem"}}));
  EXPECT_EQ(l.service, "dynamodb");
  EXPECT_EQ(l.operation, "BatchWriteItem");
  EXPECT_EQ(l.max_bytes, 16u * 1024 * 1024);
  auto e = request_too_large(l, 20'000'000);
  EXPECT_EQ(e.code, "RequestEntityTooLarge");
  EXPECT_EQ(e.http_status, 413);
}

TEST(RequestLimits, QueryServicesFromTheCredentialScope) {
  // The form body (Action, Version) is not read at header time: the scope tells the service.
  EXPECT_EQ(request_limit(head("POST", "/", {{"Content-Type", kForm}, {"Authorization", auth("iam")}})).max_bytes,
            kIamRequestLimit);
  EXPECT_EQ(request_limit(head("POST", "/", {{"Content-Type", kForm}, {"Authorization", auth("sts")}})).max_bytes,
            kStsRequestLimit);
  auto sns = request_limit(head("POST", "/", {{"Content-Type", kForm}, {"Authorization", auth("sns")}}));
  EXPECT_EQ(sns.max_bytes, kSnsRequestLimit);
  EXPECT_EQ(request_too_large(sns, 2'000'000).code, "InvalidParameter");
  // Unsigned and unnamed: the largest of the query services.
  EXPECT_EQ(request_limit(head("POST", "/", {{"Content-Type", kForm}})).max_bytes, kIamRequestLimit);
}

TEST(RequestLimits, SqsBatchesAndMessages) {
  auto batch = request_limit(head("POST", "/", {{"X-Amz-Target", "AmazonSQS.SendMessageBatch"}}));
  EXPECT_EQ(batch.max_bytes, kSqsRequestLimit);
  EXPECT_EQ(request_too_large(batch, 0).code, "BatchRequestTooLong");
  auto one = request_limit(head("POST", "/", {{"X-Amz-Target", "AmazonSQS.SendMessage"}}));
  EXPECT_EQ(request_too_large(one, 0).code, "InvalidParameterValue");
  // awsQuery SQS told by Host.
  EXPECT_EQ(request_limit(head("POST", "/", {{"Host", "sqs.eu-west-1.localhost"}, {"Content-Type", kForm}})).service,
            "sqs");
}

TEST(RequestLimits, LambdaByOperation) {
  auto sync = request_limit(head("POST", "/2015-03-31/functions/f/invocations"));
  EXPECT_EQ(sync.max_bytes, 6u * 1024 * 1024);
  auto e = request_too_large(sync, 7'000'000);
  EXPECT_EQ(e.code, "RequestEntityTooLargeException");
  EXPECT_EQ(e.http_status, 413);
  EXPECT_EQ(e.message, "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
  auto event = request_limit(
      head("POST", "/2015-03-31/functions/f/invocations", {{"X-Amz-Invocation-Type", "Event"}}));
  EXPECT_EQ(event.max_bytes, 1u * 1024 * 1024);
  EXPECT_EQ(request_too_large(event, 2'000'000).message,
            "2000000 byte payload is too large for the Event invocation type (limit 1048576 bytes)");
  auto create = request_limit(head("POST", "/2015-03-31/functions"));
  EXPECT_EQ(create.max_bytes, 69'905'067u);
  EXPECT_EQ(request_too_large(create, 0).message,
            "Request must be smaller than 69905067 bytes for the CreateFunction operation");
  EXPECT_EQ(request_limit(head("PUT", "/2015-03-31/functions/f/code")).operation, "UpdateFunctionCode");
  EXPECT_EQ(request_limit(head("POST", "/2018-10-31/layers/l/versions")).operation, "PublishLayerVersion");
}

TEST(RequestLimits, LogsApiGatewayStepFunctions) {
  auto logs = request_limit(head("POST", "/", {{"X-Amz-Target", "Logs_20140328.PutLogEvents"}}));
  EXPECT_EQ(logs.max_bytes, kLogsRequestLimit);
  EXPECT_EQ(request_too_large(logs, 5'000'000).code, "InvalidParameterException");
  EXPECT_EQ(request_limit(head("POST", "/restapis/abc/resources")).max_bytes, 10u * 1024 * 1024);
  EXPECT_EQ(request_limit(head("POST", "/", {{"Authorization", auth("execute-api")}})).max_bytes,
            10u * 1024 * 1024);
  auto sfn = request_limit(head("POST", "/", {{"X-Amz-Target", "AWSStepFunctions.StartExecution"}}));
  EXPECT_EQ(sfn.service, "stepfunctions");
  EXPECT_EQ(sfn.max_bytes, 1u * 1024 * 1024);
  EXPECT_EQ(request_limit(head("POST", "/", {{"Authorization", auth("states")}})).service, "stepfunctions");
}

TEST(RequestLimits, S3ObjectsUpToFiveGiB) {
  auto put = request_limit(head("PUT", "/bucket/key"));
  EXPECT_EQ(put.service, "s3");
  EXPECT_EQ(put.max_bytes, 5ull * 1024 * 1024 * 1024);
  auto e = request_too_large(put, 6ull << 30);
  EXPECT_EQ(e.code, "EntityTooLarge");
  EXPECT_EQ(e.http_status, 400);
  ASSERT_TRUE(e.details);
  EXPECT_EQ((*e.details)["ProposedSize"], "6442450944");
  EXPECT_EQ((*e.details)["MaxSizeAllowed"], "5368709120");
  // aws-chunked: the framing may exceed 5 GiB, the decoded object may not.
  auto framed = request_limit(head("PUT", "/bucket/key", {{"x-amz-decoded-content-length", "5368709120"}}));
  EXPECT_GT(framed.max_bytes, 5ull * 1024 * 1024 * 1024);
  auto over = request_limit(head("PUT", "/bucket/key", {{"x-amz-decoded-content-length", "5368709121"}}));
  EXPECT_EQ(over.max_bytes, 0u);
}

TEST(RequestLimits, InternalAndCap) {
  EXPECT_EQ(request_limit(head("POST", "/_awan/reset")).service, "internal");
  EXPECT_EQ(request_limit(head("POST", "/_awan/reset")).max_bytes, kInternalLimit);
  // --max-body-size lowers every limit.
  EXPECT_EQ(request_limit(head("PUT", "/bucket/key"), 1000).max_bytes, 1000u);
  EXPECT_EQ(request_limit(head("POST", "/", {{"X-Amz-Target", "DynamoDB_20120810.PutItem"}}), 1000).max_bytes, 1000u);
}

TEST(RequestLimits, HookSkipsRoutingForSmallDeclaredBodies) {
  // Small: the cap, unrouted. Larger or chunked: the service's limit.
  EXPECT_EQ(body_limit_for(head("PUT", "/bucket/key", {{"Content-Length", "100"}}), 5000), 5000u);
  EXPECT_EQ(body_limit_for(head("POST", "/", {{"X-Amz-Target", "DynamoDB_20120810.PutItem"},
                                              {"Content-Length", "20000000"}})),
            kDynamoDbRequestLimit);
  EXPECT_EQ(body_limit_for(head("POST", "/", {{"X-Amz-Target", "DynamoDB_20120810.PutItem"},
                                              {"Transfer-Encoding", "chunked"}})),
            kDynamoDbRequestLimit);
  // An aws-chunked upload declaring more than S3 takes is refused whatever its framing's size.
  EXPECT_EQ(body_limit_for(head("PUT", "/b/k", {{"Content-Length", "100"},
                                                {"x-amz-decoded-content-length", "6000000000"}})),
            0u);
}
