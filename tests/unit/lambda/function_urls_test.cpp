// Lambda function URLs through the operation interface and the data plane (invoke_http, no
// HTTP): configurations with AWS's validation, the payload 2.0 event an in-process handler gets,
// the result mapping, AWS_IAM without a signature, CORS preflights and response headers.
#include <future>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lambda/service_fixture.hpp"

namespace awan {
namespace {

using json = nlohmann::json;
using lambda::testing::LambdaTest;

class FunctionUrlTest : public LambdaTest {
 protected:
  FunctionUrlTest() {
    env_.functions->add("shaped", [](const json& event, FunctionContext&) -> json {
      std::string shape = event.value("queryStringParameters", json::object()).value("shape", "");
      if (shape == "string") return "just text";
      if (shape == "list") return json::array({1, 2});
      if (shape == "bad") return {{"statusCode", "abc"}};
      if (shape == "error") throw FunctionError("Oops", "went wrong");
      return {{"statusCode", 418}, {"headers", {{"x-k", "v"}, {"Access-Control-Allow-Origin", "*"}}},
              {"cookies", json::array({"a=1"})}, {"body", event.dump()}};
    });
  }

  std::string url_id(const json& config) {
    std::string url = config["FunctionUrl"];
    return url.substr(7, url.find('.') - 7);
  }

  HttpAnswer http(const std::string& id, HttpCall call) {
    call.api_id = id;
    if (call.method.empty()) call.method = "GET";
    if (call.path.empty()) call.path = "/";
    std::promise<HttpAnswer> p;
    auto f = p.get_future();
    RequestContext c = ctx_;
    c.request_id = "req-1";
    bool owned = lambda_->invoke_http(c, call, [&p](HttpAnswer a) { p.set_value(std::move(a)); });
    EXPECT_TRUE(owned);
    if (!owned) return {};
    return f.get();
  }

  static std::string header(const HttpAnswer& a, const std::string& name) {
    for (const auto& [k, v] : a.headers)
      if (k == name) return v;
    return "";
  }
};

TEST_F(FunctionUrlTest, ConfigurationsAreValidatedAsAws) {
  create("web", "awan:shaped");
  EXPECT_EQ(fails("CreateFunctionUrlConfig", {{"FunctionName", "web"}}).message,
            "1 validation error detected: Value null at 'authType' failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(fails("CreateFunctionUrlConfig", {{"FunctionName", "web"}, {"AuthType", "OPEN"}}).message,
            "1 validation error detected: Value 'OPEN' at 'authType' failed to satisfy constraint: Member must satisfy "
            "enum value set: [NONE, AWS_IAM]");
  AwsError version = fails("CreateFunctionUrlConfig", {{"FunctionName", "web"}, {"Qualifier", "1"}, {"AuthType", "NONE"}});
  EXPECT_EQ(version.code, "ValidationException");
  EXPECT_EQ(version.message,
            "1 validation error detected: Value '1' at 'qualifier' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: (^\\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))");
  EXPECT_EQ(fails("CreateFunctionUrlConfig", {{"FunctionName", "web:live"}, {"AuthType", "NONE"}}).code,
            "ResourceNotFoundException");
  EXPECT_EQ(fails("CreateFunctionUrlConfig", {{"FunctionName", "web"}, {"AuthType", "NONE"}, {"InvokeMode", "FAST"}}).code,
            "ValidationException");
  EXPECT_EQ(fails("CreateFunctionUrlConfig",
                  {{"FunctionName", "web"}, {"AuthType", "NONE"}, {"Cors", {{"AllowMethods", json::array({"GET", "TOOLONG"})}}}})
                .code,
            "ValidationException");
  EXPECT_EQ(fails("CreateFunctionUrlConfig", {{"FunctionName", "web"}, {"AuthType", "NONE"}, {"Cors", {{"MaxAge", -1}}}}).code,
            "ValidationException");
  json c = ok("CreateFunctionUrlConfig", {{"FunctionName", "web"}, {"AuthType", "NONE"}, {"InvokeMode", "RESPONSE_STREAM"}});
  EXPECT_EQ(c["InvokeMode"], "RESPONSE_STREAM");
  EXPECT_EQ(url_id(c).size(), 32u);
  EXPECT_EQ(c["FunctionUrl"], "http://" + url_id(c) + ".lambda-url.us-east-1.localhost:4566/");
  EXPECT_FALSE(c.contains("LastModifiedTime"));
  EXPECT_EQ(fails("CreateFunctionUrlConfig", {{"FunctionName", "web"}, {"AuthType", "NONE"}}).code, "ResourceConflictException");
  EXPECT_EQ(fails("GetFunctionUrlConfig", {{"FunctionName", "web"}, {"Qualifier", "$LATEST"}}).code, "ResourceNotFoundException");
  EXPECT_EQ(fails("UpdateFunctionUrlConfig", {{"FunctionName", "web"}, {"Qualifier", "$LATEST"}, {"AuthType", "NONE"}}).code,
            "ResourceNotFoundException");
  EXPECT_EQ(fails("ListFunctionUrlConfigs", {{"FunctionName", "web"}, {"MaxItems", 0}}).code, "ValidationException");
}

TEST_F(FunctionUrlTest, ListPagesAndDeleteFunctionDropsUrls) {
  create("web", "awan:shaped");
  ok("PublishVersion", {{"FunctionName", "web"}});
  for (const char* alias : {"a", "b", "c"}) ok("CreateAlias", {{"FunctionName", "web"}, {"Name", alias}, {"FunctionVersion", "1"}});
  for (const char* q : {"a", "b", "c"}) ok("CreateFunctionUrlConfig", {{"FunctionName", "web"}, {"Qualifier", q}, {"AuthType", "NONE"}});
  json page = ok("ListFunctionUrlConfigs", {{"FunctionName", "web"}, {"MaxItems", 2}});
  ASSERT_EQ(page["FunctionUrlConfigs"].size(), 2u);
  ASSERT_TRUE(page.contains("NextMarker"));
  json rest = ok("ListFunctionUrlConfigs", {{"FunctionName", "web"}, {"Marker", page["NextMarker"]}});
  ASSERT_EQ(rest["FunctionUrlConfigs"].size(), 1u);
  EXPECT_FALSE(rest.contains("NextMarker"));
  std::string id = url_id(rest["FunctionUrlConfigs"][0]);
  ok("DeleteFunction", {{"FunctionName", "web"}});
  HttpCall call;
  call.api_id = id;
  call.method = "GET";
  call.path = "/";
  EXPECT_FALSE(lambda_->invoke_http(ctx_, call, [](HttpAnswer) {}));
}

TEST_F(FunctionUrlTest, TheHandlerGetsThePayload2EventAndItsResultIsMapped) {
  create("web", "awan:shaped");
  std::string id = url_id(ok("CreateFunctionUrlConfig", {{"FunctionName", "web"}, {"AuthType", "NONE"}}));
  HttpCall call;
  call.method = "POST";
  call.path = "/a%20b/c";
  call.query = "x=1&x=2";
  call.headers = {{"Host", id + ".lambda-url.us-east-1.localhost:4566"}, {"Cookie", "s=1; t=2"},
                  {"Content-Type", "image/png"}, {"User-Agent", "ua/1"}};
  call.host = id + ".lambda-url.us-east-1.localhost:4566";
  call.body = std::string("\x89PNG", 4);
  call.source_ip = "10.1.2.3";
  HttpAnswer a = http(id, call);
  EXPECT_EQ(a.status, 418);
  EXPECT_EQ(header(a, "x-k"), "v");
  EXPECT_EQ(header(a, "Set-Cookie"), "a=1");
  EXPECT_EQ(header(a, "Content-Type"), "application/json");
  EXPECT_EQ(header(a, "Access-Control-Allow-Origin"), "*");  // no Cors configured: the function's own
  json ev = json::parse(a.body);
  EXPECT_EQ(ev["version"], "2.0");
  EXPECT_EQ(ev["rawPath"], "/a%20b/c");
  EXPECT_EQ(ev["rawQueryString"], "x=1&x=2");
  EXPECT_EQ(ev["queryStringParameters"]["x"], "1,2");
  EXPECT_EQ(ev["cookies"], json::array({"s=1", "t=2"}));
  EXPECT_EQ(ev["isBase64Encoded"], true);
  EXPECT_EQ(ev["body"], "iVBORw==");
  EXPECT_EQ(ev["requestContext"]["apiId"], id);
  EXPECT_EQ(ev["requestContext"]["domainPrefix"], id);
  EXPECT_EQ(ev["requestContext"]["requestId"], "req-1");
  EXPECT_EQ(ev["requestContext"]["http"]["sourceIp"], "10.1.2.3");
  EXPECT_EQ(ev["requestContext"]["http"]["userAgent"], "ua/1");
  EXPECT_FALSE(ev["requestContext"].contains("authorizer"));

  HttpCall plain;
  plain.query = "shape=string";
  a = http(id, plain);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "just text");
  EXPECT_EQ(header(a, "Content-Type"), "application/json");
  plain.query = "shape=list";
  EXPECT_EQ(http(id, plain).body, "[1,2]");
  plain.query = "shape=bad";
  a = http(id, plain);
  EXPECT_EQ(a.status, 502);
  EXPECT_EQ(a.body, R"({"Message":null})");
  plain.query = "shape=error";
  EXPECT_EQ(http(id, plain).status, 502);
}

TEST_F(FunctionUrlTest, AwsIamRefusesUnsignedCallers) {
  create("web", "awan:shaped");
  std::string id = url_id(ok("CreateFunctionUrlConfig", {{"FunctionName", "web"}, {"AuthType", "AWS_IAM"}}));
  HttpAnswer a = http(id, {});
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.body, R"({"Message":"Forbidden"})");
  ctx_.access_key_id = "AKIDEXAMPLE";
  ctx_.caller_arn = "arn:aws:iam::000000000000:user/dev";
  a = http(id, {});
  EXPECT_EQ(a.status, 418);
  EXPECT_EQ(json::parse(a.body)["requestContext"]["authorizer"]["iam"]["userArn"], "arn:aws:iam::000000000000:user/dev");
}

TEST_F(FunctionUrlTest, CorsPreflightsAndResponses) {
  create("web", "awan:shaped");
  json cors = {{"AllowOrigins", json::array({"https://app.example"})}, {"AllowMethods", json::array({"*"})},
               {"AllowHeaders", json::array({"x-h"})}, {"MaxAge", 5}};
  std::string id = url_id(ok("CreateFunctionUrlConfig", {{"FunctionName", "web"}, {"AuthType", "AWS_IAM"}, {"Cors", cors}}));
  HttpCall pre;
  pre.method = "OPTIONS";
  pre.headers = {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "PUT"},
                 {"Access-Control-Request-Headers", "x-h"}};
  HttpAnswer a = http(id, pre);  // answered before the IAM check, without invoking
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(header(a, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(header(a, "Access-Control-Allow-Methods"), "PUT");
  EXPECT_EQ(header(a, "Access-Control-Allow-Headers"), "x-h");
  EXPECT_EQ(header(a, "Access-Control-Max-Age"), "5");
  pre.headers[0].second = "https://other.example";
  EXPECT_EQ(header(http(id, pre), "Access-Control-Allow-Origin"), "");
  ctx_.access_key_id = "AKIDEXAMPLE";
  HttpCall actual;
  actual.headers = {{"Origin", "https://app.example"}};
  a = http(id, actual);
  EXPECT_EQ(a.status, 418);
  EXPECT_EQ(header(a, "Access-Control-Allow-Origin"), "https://app.example");  // the function's "*" replaced
  EXPECT_EQ(header(a, "Vary"), "Origin");
}

TEST_F(FunctionUrlTest, ThrottledAndPermissions) {
  create("web", "awan:shaped");
  std::string id = url_id(ok("CreateFunctionUrlConfig", {{"FunctionName", "web"}, {"AuthType", "NONE"}}));
  ok("PutFunctionConcurrency", {{"FunctionName", "web"}, {"ReservedConcurrentExecutions", 0}});
  HttpAnswer a = http(id, {});
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(a.body, R"({"Message":"Rate Exceeded."})");
  json st = json::parse(ok("AddPermission", {{"FunctionName", "web"}, {"StatementId", "u"}, {"Action", "lambda:InvokeFunctionUrl"},
                                             {"Principal", "*"}, {"FunctionUrlAuthType", "AWS_IAM"}})["Statement"].get<std::string>());
  EXPECT_EQ(st["Condition"]["StringEquals"]["lambda:FunctionUrlAuthType"], "AWS_IAM");
  EXPECT_EQ(fails("AddPermission", {{"FunctionName", "web"}, {"StatementId", "v"}, {"Action", "lambda:InvokeFunctionUrl"},
                                    {"Principal", "*"}, {"FunctionUrlAuthType", "BASIC"}}).code,
            "ValidationException");
}

}  // namespace
}  // namespace awan
