#include <gtest/gtest.h>

#include "gateway/router.hpp"

using namespace awan;
using gateway::RouteKind;

namespace {
http::Request make(std::string method, std::string target, std::vector<std::pair<std::string, std::string>> headers = {},
                   std::string body = "") {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = r.target.substr(q + 1);
  for (auto& [k, v] : headers) r.headers.add(k, v);
  r.body = std::move(body);
  return r;
}
const char* kForm = "application/x-www-form-urlencoded; charset=utf-8";
std::string auth(const std::string& scope) {
  return "AWS4-HMAC-SHA256 Credential=" + scope + ", SignedHeaders=host;x-amz-date, Signature=abc";
}
}  // namespace

TEST(Router, InternalEndpoints) {
  EXPECT_EQ(gateway::route(make("GET", "/_awan/health")).kind, RouteKind::internal);
  EXPECT_EQ(gateway::route(make("GET", "/_localstack/health")).kind, RouteKind::internal);
  EXPECT_EQ(gateway::route(make("POST", "/moto-api/reset")).kind, RouteKind::internal);
}

TEST(Router, TargetHeaderWins) {
  auto r = gateway::route(make("POST", "/", {{"X-Amz-Target", "DynamoDB_20120810.GetItem"},
                                             {"Authorization", auth("AKID/20260101/eu-west-1/dynamodb/aws4_request")}}));
  EXPECT_EQ(r.service, "dynamodb");
  EXPECT_EQ(r.protocol, "json");
  EXPECT_EQ(r.region, "eu-west-1");
  EXPECT_EQ(r.access_key_id, "AKID");
  // Streams sign as "dynamodb" but target their own prefix.
  r = gateway::route(make("POST", "/", {{"X-Amz-Target", "DynamoDBStreams_20120810.GetRecords"},
                                        {"Authorization", auth("AKID/20260101/us-east-1/dynamodb/aws4_request")}}));
  EXPECT_EQ(r.service, "dynamodbstreams");
  r = gateway::route(make("POST", "/", {{"X-Amz-Target", "AmazonSQS.SendMessage"}}));
  EXPECT_EQ(r.service, "sqs");
  EXPECT_EQ(r.protocol, "json");
}

TEST(Router, QueryActionAndVersion) {
  auto r = gateway::route(
      make("POST", "/", {{"Content-Type", kForm}}, "Action=GetCallerIdentity&Version=2011-06-15"));
  EXPECT_EQ(r.service, "sts");
  EXPECT_EQ(r.protocol, "query");
  EXPECT_EQ(r.region, "");
  r = gateway::route(make("POST", "/", {{"Content-Type", kForm}}, "Action=ListRoles&Version=2010-05-08"));
  EXPECT_EQ(r.service, "iam");
  r = gateway::route(make("GET", "/?Action=ListQueues&Version=2012-11-05"));
  EXPECT_EQ(r.service, "sqs");
  EXPECT_EQ(r.protocol, "query");
  // Unknown version: the signing name decides.
  r = gateway::route(make("POST", "/", {{"Content-Type", kForm}, {"Authorization", auth("AKID/20260101/us-east-1/sns/aws4_request")}},
                          "Action=Publish"));
  EXPECT_EQ(r.service, "sns");
  // A form with no Action: a query endpoint with no service (the gateway answers MissingAction).
  r = gateway::route(make("POST", "/", {{"Content-Type", kForm}}, "Version=2011-06-15"));
  EXPECT_EQ(r.service, "");
  EXPECT_EQ(r.protocol, "query");
}

TEST(Router, SigningNameAndPaths) {
  auto r = gateway::route(make("GET", "/bucket/key", {{"Authorization", auth("AKID/20260101/us-west-2/s3/aws4_request")}}));
  EXPECT_EQ(r.service, "s3");
  EXPECT_EQ(r.region, "us-west-2");
  r = gateway::route(make("GET", "/2015-03-31/functions/"));
  EXPECT_EQ(r.service, "lambda");
  r = gateway::route(make("GET", "/restapis"));
  EXPECT_EQ(r.service, "apigateway");
  r = gateway::route(make("PUT", "/my-bucket"));
  EXPECT_EQ(r.service, "s3");
}

TEST(Router, PresignedQueryScope) {
  auto r = gateway::route(make("GET",
                               "/bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=123456789012%2F20260101%2Fap-south-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z"));
  EXPECT_EQ(r.service, "s3");
  EXPECT_EQ(r.region, "ap-south-1");
  EXPECT_EQ(r.access_key_id, "123456789012");
}

TEST(Router, RegionFromHost) {
  auto r = gateway::route(make("POST", "/", {{"Host", "sqs.eu-central-1.localhost:4566"}, {"Content-Type", kForm}},
                               "Action=ListQueues"));
  EXPECT_EQ(r.service, "sqs");
  EXPECT_EQ(r.region, "eu-central-1");
}

TEST(Router, VirtualHostedS3BucketNamedLikeAService) {
  auto r = gateway::route(make("GET", "/key", {{"Host", "sqs.s3.localhost:4566"}}));
  EXPECT_EQ(r.service, "s3");
  r = gateway::route(make("GET", "/", {{"Host", "my-bucket.s3.eu-west-1.amazonaws.com"}}));
  EXPECT_EQ(r.service, "s3");
  EXPECT_EQ(r.region, "eu-west-1");
}

TEST(Router, MalformedScopesFallBack) {
  for (const char* cred : {"", "AKID", "AKID/2026/us-east-1/iam/aws4_request", "AKID/20260101/us-east-1/iam/x",
                           "/20260101/us-east-1/iam/aws4_request"}) {
    gateway::CredentialScope s;
    EXPECT_FALSE(gateway::parse_credential_scope(cred, s)) << cred;
  }
  auto r = gateway::route(make("POST", "/", {{"Authorization", "AWS4-HMAC-SHA256 Credential=garbage"}, {"Content-Type", kForm}},
                               "Action=GetCallerIdentity&Version=2011-06-15"));
  EXPECT_EQ(r.service, "sts");
  EXPECT_EQ(r.access_key_id, "");
}

TEST(Router, RawParam) {
  EXPECT_EQ(gateway::raw_param("Action=A&Version=V", "Version"), "V");
  EXPECT_EQ(gateway::raw_param("XAction=A&Action=B", "Action"), "B");
  EXPECT_EQ(gateway::raw_param("Action", "Action"), "");
  EXPECT_EQ(gateway::raw_param("", "Action"), "");
}

TEST(Router, CredentialIsReadOnlyAtItsPlace) {
  EXPECT_EQ(gateway::header_credential("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, "
                                       "SignedHeaders=host, Signature=0"),
            "AKID/20260101/us-east-1/sts/aws4_request");
  EXPECT_EQ(gateway::header_credential("  AWS4-HMAC-SHA256   Credential=AKID/x"), "AKID/x");
  EXPECT_EQ(gateway::header_credential("AWS x:y Credential=999988887777/20260101/us-east-1/sts/aws4_request"), "");
  EXPECT_EQ(gateway::header_credential("AWS4-HMAC-SHA256 SignedHeaders=host, Credential=AKID/x"), "");
  EXPECT_EQ(gateway::header_credential("Bearer Credential=AKID/x"), "");
  EXPECT_EQ(gateway::header_credential("AWS4-HMAC-SHA256Credential=AKID/x"), "");
  EXPECT_EQ(gateway::sigv2_access_key("AWS AKIAEXAMPLE:c2ln"), "AKIAEXAMPLE");
  EXPECT_EQ(gateway::sigv2_access_key("AWS x:y Credential=999988887777/20260101/us-east-1/sts/aws4_request"), "x");
  EXPECT_EQ(gateway::sigv2_access_key("AWS nocolon"), "");
  EXPECT_EQ(gateway::sigv2_access_key("AWS4-HMAC-SHA256 Credential=a/b"), "");
}

TEST(Router, FreeFormHeaderTextNamesNoAccount) {
  auto r = gateway::route(make("POST", "/", {{"Content-Type", kForm},
                                             {"Authorization", "AWS x:y Credential=999988887777/20260101/eu-west-1/iam/aws4_request"}},
                               "Action=GetCallerIdentity&Version=2011-06-15"));
  EXPECT_EQ(r.service, "sts");
  EXPECT_EQ(r.access_key_id, "x");
  EXPECT_EQ(r.region, "");
  r = gateway::route(make("POST", "/", {{"Content-Type", kForm},
                                        {"Authorization", "Foo Credential=999988887777/20260101/eu-west-1/sts/aws4_request"}},
                          "Action=GetCallerIdentity&Version=2011-06-15"));
  EXPECT_EQ(r.access_key_id, "");
  r = gateway::route(make("GET", "/b/k?AWSAccessKeyId=AKIAEXAMPLE&Signature=x&Expires=1"));
  EXPECT_EQ(r.service, "s3");
  EXPECT_EQ(r.access_key_id, "AKIAEXAMPLE");
}
