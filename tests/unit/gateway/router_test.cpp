#include <gtest/gtest.h>

#include "request_builder.hpp"
#include "gateway/router.hpp"

using namespace awan;
using gateway::RouteKind;

namespace {
http::Request make(std::string method, std::string target,
                   std::vector<std::pair<std::string, std::string>> headers = {}, std::string body = "") {
  return gateway::testing_support::request(std::move(method), std::move(target), std::move(headers), std::move(body));
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

TEST(Router, ExecuteApiUrlForms) {
  auto a = gateway::route(make("GET", "/_aws/execute-api/abc123/prod/items/1?x=1"));
  EXPECT_EQ(a.kind, RouteKind::execute_api);
  EXPECT_EQ(a.api_id, "abc123");
  EXPECT_EQ(a.invoke_path, "/prod/items/1");
  auto b = gateway::route(make("POST", "/prod/items", {{"Host", "abc123.execute-api.localhost:4566"}}));
  EXPECT_EQ(b.kind, RouteKind::execute_api);
  EXPECT_EQ(b.api_id, "abc123");
  EXPECT_EQ(b.invoke_path, "/prod/items");
  auto c = gateway::route(make("GET", "/restapis/abc123/prod/_user_request_/items/1"));
  EXPECT_EQ(c.kind, RouteKind::execute_api);
  EXPECT_EQ(c.api_id, "abc123");
  EXPECT_EQ(c.invoke_path, "/prod/items/1");
  auto d = gateway::route(make("GET", "/restapis/abc123/prod/_user_request_"));
  EXPECT_EQ(d.invoke_path, "/prod/");
  // Signed invocations (AWS_IAM methods) are invocations too.
  auto e = gateway::route(make("GET", "/_aws/execute-api/abc123/prod/x",
                               {{"Authorization", auth("AKID/20260101/us-east-1/execute-api/aws4_request")}}));
  EXPECT_EQ(e.kind, RouteKind::execute_api);
  EXPECT_EQ(e.access_key_id, "AKID");
  // The control plane is not.
  auto f = gateway::route(make("GET", "/restapis/abc123/resources"));
  EXPECT_EQ(f.kind, RouteKind::service);
  EXPECT_EQ(f.service, "apigateway");
  auto g = gateway::route(make("GET", "/restapis/abc123/stages/prod"));
  EXPECT_EQ(g.service, "apigateway");
  EXPECT_EQ(gateway::route(make("GET", "/restapis/abc123/prod/_user_request_x/a")).kind, RouteKind::service);
  EXPECT_EQ(gateway::route(make("GET", "/_aws/execute-api/a%2Fb/prod")).kind, RouteKind::service);
}

TEST(Router, FunctionUrlForms) {
  auto a = gateway::route(make("POST", "/items/1?x=1", {{"Host", "abcdef0123.lambda-url.eu-west-1.localhost:4566"}}));
  EXPECT_EQ(a.kind, RouteKind::function_url);
  EXPECT_EQ(a.service, "lambda-url");
  EXPECT_EQ(a.api_id, "abcdef0123");
  EXPECT_EQ(a.invoke_path, "/items/1");
  EXPECT_EQ(a.region, "eu-west-1");
  auto b = gateway::route(make("GET", "/_aws/lambda-url/abcdef0123/a/b"));
  EXPECT_EQ(b.kind, RouteKind::function_url);
  EXPECT_EQ(b.api_id, "abcdef0123");
  EXPECT_EQ(b.invoke_path, "/a/b");
  EXPECT_EQ(gateway::route(make("GET", "/_aws/lambda-url/abcdef0123")).invoke_path, "/");
  // Signed (AWS_IAM URLs) with the signing name lambda: still an invocation, with its key.
  auto c = gateway::route(make("GET", "/_aws/lambda-url/abcdef0123/",
                               {{"Authorization", auth("AKID/20260101/us-east-1/lambda/aws4_request")}}));
  EXPECT_EQ(c.kind, RouteKind::function_url);
  EXPECT_EQ(c.access_key_id, "AKID");
  // Not URLs: the Lambda API itself, malformed ids, other hosts.
  EXPECT_EQ(gateway::route(make("GET", "/2021-10-31/functions/f/url")).service, "lambda");
  EXPECT_EQ(gateway::route(make("GET", "/_aws/lambda-url/a%2Fb/x")).kind, RouteKind::service);
  EXPECT_EQ(gateway::route(make("GET", "/x", {{"Host", "lambda-url.localhost"}})).kind, RouteKind::service);
  EXPECT_EQ(gateway::route(make("GET", "/x", {{"Host", ".lambda-url.localhost"}})).kind, RouteKind::service);
}

TEST(Router, ApiGatewayV2AndManagementApi) {
  auto v2 = gateway::route(make("GET", "/v2/apis", {{"Authorization", auth("AKID/20260101/us-east-1/apigateway/aws4_request")}}));
  EXPECT_EQ(v2.service, "apigatewayv2");
  auto v1 = gateway::route(make("GET", "/restapis", {{"Authorization", auth("AKID/20260101/us-east-1/apigateway/aws4_request")}}));
  EXPECT_EQ(v1.service, "apigateway");
  EXPECT_EQ(gateway::route(make("GET", "/v2/apis/abc/routes")).service, "apigatewayv2");
  // @connections, at the root (AWS_ENDPOINT_URL) or under an API's stage.
  auto m = gateway::route(make("POST", "/@connections/Zx1=",
                               {{"Authorization", auth("AKID/20260101/us-east-1/execute-api/aws4_request")}}));
  EXPECT_EQ(m.kind, RouteKind::service);
  EXPECT_EQ(m.service, "apigatewaymanagementapi");
  auto n = gateway::route(make("POST", "/_aws/execute-api/abc123/prod/@connections/Zx1="));
  EXPECT_EQ(n.service, "apigatewaymanagementapi");
  EXPECT_EQ(n.invoke_path, "/@connections/Zx1=");
  auto o = gateway::route(make("GET", "/prod/@connections/Zx1=", {{"Host", "abc123.execute-api.localhost"}}));
  EXPECT_EQ(o.service, "apigatewaymanagementapi");
  EXPECT_EQ(o.invoke_path, "/@connections/Zx1=");
  // A path that only contains the word deeper down is an invocation.
  auto p = gateway::route(make("GET", "/_aws/execute-api/abc123/prod/a/@connections/x"));
  EXPECT_EQ(p.kind, RouteKind::execute_api);
}

TEST(Router, StepFunctions) {
  auto r = gateway::route(make("POST", "/", {{"X-Amz-Target", "AWSStepFunctions.StartExecution"}}));
  EXPECT_EQ(r.service, "stepfunctions");
  EXPECT_EQ(r.protocol, "json");
  EXPECT_EQ(gateway::route(make("POST", "/", {{"Authorization", auth("AKID/20260101/us-east-1/states/aws4_request")}})).service,
            "stepfunctions");
}
