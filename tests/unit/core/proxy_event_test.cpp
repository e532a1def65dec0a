// Lambda proxy events (REST / payload 1.0 and 2.0) and the mapping of function results.
#include "core/proxy_event.hpp"

#include <gtest/gtest.h>

namespace awan {
namespace {

using json = nlohmann::json;

ProxyRequest sample() {
  ProxyRequest r;
  r.api_id = "abc123defg";
  r.stage = "prod";
  r.request_id = "req-1";
  r.account_id = "000000000000";
  r.domain_name = "abc123defg.execute-api.localhost:4566";
  r.http_method = "POST";
  r.path = "/items/a b";
  r.stage_path = "/prod/items/a%20b";
  r.raw_query = "x=1&x=2&y=h%C3%A9+llo";
  r.headers = {{"Content-Type", "text/plain"}, {"X-Multi", "a"}, {"X-Multi", "b"}, {"Cookie", "c1=v1; c2=v2"}};
  r.body = "hello";
  r.resource = "/items/{id}";
  r.resource_id = "res123";
  r.route_key = "POST /items/{id}";
  r.path_parameters = {{"id", "a b"}};
  r.source_ip = "127.0.0.1";
  r.user_agent = "curl/8";
  r.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1583349317135));
  return r;
}

TEST(ProxyEventV1, RestShape) {
  json e = proxy_event_v1(sample());
  EXPECT_FALSE(e.contains("version"));
  EXPECT_EQ(e["resource"], "/items/{id}");
  EXPECT_EQ(e["path"], "/items/a b");
  EXPECT_EQ(e["httpMethod"], "POST");
  EXPECT_EQ(e["headers"]["X-Multi"], "b");
  EXPECT_EQ(e["multiValueHeaders"]["X-Multi"], json::array({"a", "b"}));
  EXPECT_EQ(e["queryStringParameters"]["x"], "2");
  EXPECT_EQ(e["queryStringParameters"]["y"], "h\xC3\xA9 llo");
  EXPECT_EQ(e["multiValueQueryStringParameters"]["x"], json::array({"1", "2"}));
  EXPECT_EQ(e["pathParameters"]["id"], "a b");
  EXPECT_TRUE(e["stageVariables"].is_null());
  EXPECT_EQ(e["body"], "hello");
  EXPECT_EQ(e["isBase64Encoded"], false);
  const json& c = e["requestContext"];
  EXPECT_EQ(c["path"], "/prod/items/a%20b");
  EXPECT_EQ(c["stage"], "prod");
  EXPECT_EQ(c["resourceId"], "res123");
  EXPECT_EQ(c["resourcePath"], "/items/{id}");
  EXPECT_EQ(c["requestTime"], "04/Mar/2020:19:15:17 +0000");
  EXPECT_EQ(c["requestTimeEpoch"], 1583349317135);
  EXPECT_EQ(c["domainPrefix"], "abc123defg");
  EXPECT_EQ(c["identity"]["sourceIp"], "127.0.0.1");
  EXPECT_TRUE(c["identity"]["apiKey"].is_null());
  EXPECT_TRUE(c["identity"]["userArn"].is_null());
  EXPECT_FALSE(c.contains("authorizer"));
}

TEST(ProxyEventV1, EmptyPartsAreNull) {
  ProxyRequest r = sample();
  r.headers.clear();
  r.raw_query.clear();
  r.body.clear();
  r.path_parameters.clear();
  json e = proxy_event_v1(r);
  EXPECT_TRUE(e["headers"].is_null());
  EXPECT_TRUE(e["multiValueHeaders"].is_null());
  EXPECT_TRUE(e["queryStringParameters"].is_null());
  EXPECT_TRUE(e["pathParameters"].is_null());
  EXPECT_TRUE(e["body"].is_null());
}

TEST(ProxyEventV1, HttpApiFormatOneHasVersionAndRouteKey) {
  json e = proxy_event_v1(sample(), true);
  EXPECT_EQ(e["version"], "1.0");
  EXPECT_EQ(e["requestContext"]["routeKey"], "POST /items/{id}");
  EXPECT_FALSE(e["requestContext"]["identity"].contains("apiKey"));
}

TEST(ProxyEventV1, BinaryBodyIsBase64) {
  ProxyRequest r = sample();
  r.body = std::string("\x00\xff", 2);
  r.binary_body = true;
  json e = proxy_event_v1(r);
  EXPECT_EQ(e["body"], "AP8=");
  EXPECT_EQ(e["isBase64Encoded"], true);
}

TEST(ProxyEventV2, Shape) {
  ProxyRequest r = sample();
  r.authorizer = {{"jwt", {{"claims", {{"sub", "u1"}}}, {"scopes", nullptr}}}};
  r.stage_variables = {{"v", "1"}};
  json e = proxy_event_v2(r);
  EXPECT_EQ(e["version"], "2.0");
  EXPECT_EQ(e["routeKey"], "POST /items/{id}");
  EXPECT_EQ(e["rawPath"], "/prod/items/a%20b");
  EXPECT_EQ(e["rawQueryString"], "x=1&x=2&y=h%C3%A9+llo");
  EXPECT_EQ(e["cookies"], json::array({"c1=v1", "c2=v2"}));
  EXPECT_FALSE(e["headers"].contains("cookie"));
  EXPECT_EQ(e["headers"]["x-multi"], "a,b");
  EXPECT_EQ(e["headers"]["content-type"], "text/plain");
  EXPECT_EQ(e["queryStringParameters"]["x"], "1,2");
  EXPECT_EQ(e["pathParameters"]["id"], "a b");
  EXPECT_EQ(e["stageVariables"]["v"], "1");
  EXPECT_EQ(e["requestContext"]["http"]["method"], "POST");
  EXPECT_EQ(e["requestContext"]["http"]["path"], "/prod/items/a%20b");
  EXPECT_EQ(e["requestContext"]["time"], "04/Mar/2020:19:15:17 +0000");
  EXPECT_EQ(e["requestContext"]["timeEpoch"], 1583349317135);
  EXPECT_EQ(e["requestContext"]["authorizer"]["jwt"]["claims"]["sub"], "u1");
  EXPECT_EQ(e["body"], "hello");
}

TEST(ProxyEventV2, OmitsEmptyParts) {
  ProxyRequest r = sample();
  r.headers = {{"Host", "h"}};
  r.raw_query.clear();
  r.body.clear();
  r.path_parameters.clear();
  json e = proxy_event_v2(r);
  EXPECT_FALSE(e.contains("cookies"));
  EXPECT_FALSE(e.contains("queryStringParameters"));
  EXPECT_FALSE(e.contains("pathParameters"));
  EXPECT_FALSE(e.contains("stageVariables"));
  EXPECT_FALSE(e.contains("body"));
}

TEST(ProxyResultV1, Full) {
  auto a = proxy_result_v1(
      R"({"statusCode":201,"headers":{"X-A":"1","X-N":5},"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"aGk=","isBase64Encoded":true})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 201);
  EXPECT_EQ(a->body, "hi");
  ASSERT_EQ(a->headers.size(), 4u);
  EXPECT_EQ(a->headers[1].second, "5");
  EXPECT_EQ(a->headers[3], (std::pair<std::string, std::string>{"Set-Cookie", "b=2"}));
}

TEST(ProxyResultV1, Malformed) {
  EXPECT_FALSE(proxy_result_v1("not json"));
  EXPECT_FALSE(proxy_result_v1(R"("a string")"));
  EXPECT_FALSE(proxy_result_v1(R"({"statusCode":200,"extra":1})"));
  EXPECT_FALSE(proxy_result_v1(R"({"statusCode":"abc"})"));
  EXPECT_FALSE(proxy_result_v1(R"({"statusCode":99})"));
  EXPECT_FALSE(proxy_result_v1(R"({"statusCode":200,"body":{"a":1}})"));
  EXPECT_FALSE(proxy_result_v1(R"({"statusCode":200,"headers":{"a":{}}})"));
  EXPECT_FALSE(proxy_result_v1(R"({"statusCode":200,"body":"!!","isBase64Encoded":true})"));
}

TEST(ProxyResultV1, DefaultsTo200AndEmptyBody) {
  auto a = proxy_result_v1(R"({})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->body, "");
  auto b = proxy_result_v1(R"({"statusCode":"404"})");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, 404);
}

TEST(ProxyResultV2, ShortcutForPlainJson) {
  auto a = proxy_result_v2(R"({"message":"hi"})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->body, R"({"message":"hi"})");
  ASSERT_EQ(a->headers.size(), 1u);
  EXPECT_EQ(a->headers[0].second, "application/json");
  auto s = proxy_result_v2(R"("Hello from Lambda!")");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->body, "Hello from Lambda!");
  EXPECT_FALSE(proxy_result_v2("{broken"));
}

TEST(ProxyResultV2, ObjectFormWithCookies) {
  auto a = proxy_result_v2(R"({"statusCode":302,"headers":{"Location":"/x"},"cookies":["a=1","b=2"],"body":""})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 302);
  ASSERT_EQ(a->headers.size(), 3u);
  EXPECT_EQ(a->headers[2], (std::pair<std::string, std::string>{"Set-Cookie", "b=2"}));
  EXPECT_FALSE(proxy_result_v2(R"({"statusCode":200,"cookies":"a=1"})"));
}

TEST(ProxyEvent, TextReplacesInvalidUtf8) {
  ProxyRequest r = sample();
  r.body = "caf\xe9";  // Latin-1, not UTF-8
  r.headers.push_back({"X-Bad", "\xff"});
  std::string text = event_text(proxy_event_v1(r));
  auto back = json::parse(text);
  EXPECT_EQ(back["body"], "caf\xEF\xBF\xBD");
  EXPECT_EQ(event_text(proxy_event_v2(r)).find('\xff'), std::string::npos);
}

TEST(Query, ParsesAndDecodes) {
  auto q = parse_query("a=1&&b&c=%2F+x&=v&d=%zz");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>{"b", ""}));
  EXPECT_EQ(q[2].second, "/ x");
  EXPECT_EQ(q[4].second, "%zz");  // undecodable: kept as sent
  EXPECT_EQ(decode_path("/a%20b+c"), "/a b+c");
}

}  // namespace
}  // namespace awan
