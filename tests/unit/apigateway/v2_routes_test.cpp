// HTTP API route keys and matching, stage resolution, WebSocket route selection, and JWT
// parsing/claim checks (v2_routes.hpp, jwt.hpp).
#include <gtest/gtest.h>

#include "apigateway/jwt.hpp"
#include "apigateway/v2_routes.hpp"

namespace awan::apigateway::v2 {
namespace {

std::vector<RouteKey> keys(std::initializer_list<const char*> ks) {
  std::vector<RouteKey> out;
  for (const char* k : ks) out.push_back(*parse_route_key(k));
  return out;
}

TEST(V2RouteKey, ParsesAndRejects) {
  EXPECT_TRUE(parse_route_key("$default")->is_default);
  auto k = parse_route_key("GET /items/{id}");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->method, "GET");
  EXPECT_EQ(k->segments, (std::vector<std::string>{"items", "{id}"}));
  std::string why;
  EXPECT_FALSE(parse_route_key("FETCH /x", &why));
  EXPECT_FALSE(why.empty());
  EXPECT_FALSE(parse_route_key("GET items"));
  EXPECT_FALSE(parse_route_key("GET /{proxy+}/x"));
  EXPECT_FALSE(parse_route_key("GET /a{b"));
  EXPECT_FALSE(parse_route_key("GET"));
  EXPECT_TRUE(parse_route_key("ANY /{proxy+}"));
}

TEST(V2RouteMatch, MostSpecificWins) {
  auto ks = keys({"ANY /{proxy+}", "GET /items/{id}", "GET /items/special", "ANY /items/{id}", "$default"});
  EXPECT_EQ(match_route(ks, "GET", "/items/special")->index, 2u);
  auto m = match_route(ks, "GET", "/items/42");
  EXPECT_EQ(m->index, 1u);
  EXPECT_EQ(m->path_parameters.at("id"), "42");
  EXPECT_EQ(match_route(ks, "POST", "/items/42")->index, 3u);
  m = match_route(ks, "DELETE", "/a/b/c");
  EXPECT_EQ(m->index, 0u);
  EXPECT_EQ(m->path_parameters.at("proxy"), "a/b/c");
  EXPECT_EQ(match_route(ks, "GET", "/")->index, 4u);  // greedy needs a segment
}

TEST(V2RouteMatch, NoneWithoutDefault) {
  auto ks = keys({"GET /a"});
  EXPECT_FALSE(match_route(ks, "GET", "/b"));
  EXPECT_FALSE(match_route(ks, "POST", "/a"));
  EXPECT_TRUE(match_route(ks, "GET", "/a/"));
  EXPECT_EQ(match_route(keys({"GET /a/{x}"}), "GET", "/a/b%20c")->path_parameters.at("x"), "b c");
}

TEST(V2Stage, NamedThenDefault) {
  auto s = resolve_stage("/prod/items/1", {"prod", "$default"});
  EXPECT_EQ(s->stage, "prod");
  EXPECT_EQ(s->path, "/items/1");
  s = resolve_stage("/dev/items", {"prod", "$default"});
  EXPECT_EQ(s->stage, "$default");
  EXPECT_EQ(s->path, "/dev/items");
  EXPECT_EQ(resolve_stage("/prod", {"prod"})->path, "/");
  EXPECT_FALSE(resolve_stage("/dev/x", {"prod"}));
}

TEST(V2WebSocket, RouteSelection) {
  EXPECT_EQ(*select_route("$request.body.action", R"({"action":"send"})"), "send");
  EXPECT_EQ(*select_route("${request.body.msg.type}", R"({"msg":{"type":"t"}})"), "t");
  EXPECT_FALSE(select_route("$request.body.action", "not json"));
  EXPECT_FALSE(select_route("$request.body.action", R"({"other":1})"));
  EXPECT_FALSE(select_route("$request.body.action", R"([1])"));
}

TEST(Jwt, ParsesAndChecksClaims) {
  EXPECT_FALSE(parse_jwt("a.b"));
  EXPECT_FALSE(parse_jwt("!!.??.xx"));
  // {"alg":"RS256"} . {"iss":"https://i","aud":["x"],"exp":2000000000,"scope":"read write"} . "sig"
  auto jwt = parse_jwt(
      "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2kiLCJhdWQiOlsieCJdLCJleHAiOjIwMDAwMDAwMDAsInNjb3BlIjoicmVhZCB3cml0ZSJ9.c2ln");
  ASSERT_TRUE(jwt);
  JwtExpectations e{"https://i", {"x"}, {}, std::chrono::system_clock::from_time_t(1700000000)};
  EXPECT_EQ(check_claims(*jwt, e), "");
  e.scopes = {"write"};
  EXPECT_EQ(check_claims(*jwt, e), "");
  e.scopes = {"admin"};
  EXPECT_EQ(check_claims(*jwt, e), "insufficient scope");
  e.scopes = {};
  e.audience = {"y"};
  EXPECT_EQ(check_claims(*jwt, e), "audience mismatch");
  e.audience = {"x"};
  e.now = std::chrono::system_clock::from_time_t(2100000000);
  EXPECT_EQ(check_claims(*jwt, e), "expired");
  e.issuer = "https://other";
  EXPECT_EQ(check_claims(*jwt, e), "issuer mismatch");
  EXPECT_FALSE(verify_rs256(*jwt, nlohmann::json{{"keys", nlohmann::json::array()}}));
  EXPECT_FALSE(verify_rs256(*jwt, nlohmann::json{{"keys", {{{"kty", "RSA"}, {"n", "AQAB"}, {"e", "AQAB"}}}}}));
}

// Members of the wrong type in a token or a JWKS are refused, never thrown (the fuzzer found
// json::value throwing on {"alg":1}).
TEST(Jwt, WrongMemberTypesAreRefused) {
  // {"alg":1,"kid":["k"]} . {"iss":5,"exp":2000000000,"aud":"x"} . "sig"
  auto jwt = parse_jwt("eyJhbGciOjEsImtpZCI6WyJrIl19.eyJpc3MiOjUsImV4cCI6MjAwMDAwMDAwMCwiYXVkIjoieCJ9.c2ln");
  ASSERT_TRUE(jwt);
  JwtExpectations e{"https://i", {"x"}, {}, std::chrono::system_clock::from_time_t(1700000000)};
  EXPECT_EQ(check_claims(*jwt, e), "issuer mismatch");
  EXPECT_FALSE(verify_rs256(*jwt, nlohmann::json{{"keys", {{{"kty", "RSA"}, {"n", "AQAB"}, {"e", "AQAB"}}}}}));
  auto rs = parse_jwt("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2kiLCJhdWQiOlsieCJdLCJleHAiOjIwMDAwMDAwMDAsInNjb3BlIjoicmVhZCB3cml0ZSJ9.c2ln");
  ASSERT_TRUE(rs);
  EXPECT_FALSE(verify_rs256(*rs, nlohmann::json{{"keys", {{{"kty", 7}, {"kid", {1}}, {"n", "AQAB"}, {"e", "AQAB"}}}}}));
}

}  // namespace
}  // namespace awan::apigateway::v2
