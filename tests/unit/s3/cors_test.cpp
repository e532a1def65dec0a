// Bucket CORS rules (emulators/s3/cors.hpp): validation, preflight and actual request matching,
// and the refusal.
#include "s3/cors.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace awan::s3 {
namespace {

using json = nlohmann::json;

json config() {
  return {{"CORSRules",
           json::array({{{"AllowedMethods", {"GET"}}, {"AllowedOrigins", {"*"}}},
                        {{"AllowedMethods", {"PUT", "POST"}},
                         {"AllowedOrigins", {"https://*.example.com"}},
                         {"AllowedHeaders", {"Content-*", "x-amz-date"}},
                         {"MaxAgeSeconds", 30}}})}};
}

std::string header(const CorsMatch& m, const std::string& name) {
  for (const auto& [k, v] : m.headers)
    if (k == name) return v;
  return "<none>";
}

TEST(Cors, PatternsHaveOneWildcard) {
  EXPECT_TRUE(cors_pattern_matches("https://*.example.com", "https://app.example.com", false));
  EXPECT_FALSE(cors_pattern_matches("https://*.example.com", "https://example.org", false));
  EXPECT_TRUE(cors_pattern_matches("Content-*", "content-type", true));
  EXPECT_FALSE(cors_pattern_matches("https://App.example.com", "https://app.example.com", false));
  EXPECT_TRUE(cors_pattern_matches("*", "", false));
}

TEST(Cors, PreflightPicksTheFirstMatchingRule) {
  CorsMatch m = match_preflight(config(), "https://app.example.com", "PUT", "Content-Type, X-Amz-Date");
  ASSERT_TRUE(m.matched);
  EXPECT_EQ(header(m, "Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(header(m, "Access-Control-Allow-Methods"), "PUT, POST");
  EXPECT_EQ(header(m, "Access-Control-Allow-Headers"), "content-type, x-amz-date");
  EXPECT_EQ(header(m, "Access-Control-Max-Age"), "30");
  EXPECT_EQ(header(m, "Access-Control-Allow-Credentials"), "true");
  CorsMatch any = match_preflight(config(), "http://anything", "GET", "");
  ASSERT_TRUE(any.matched);
  EXPECT_EQ(header(any, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(any, "Access-Control-Allow-Credentials"), "<none>");
}

TEST(Cors, PreflightRefusals) {
  EXPECT_FALSE(match_preflight(config(), "https://app.example.com", "DELETE", "").matched);
  EXPECT_FALSE(match_preflight(config(), "https://app.example.com", "PUT", "authorization").matched);
  EXPECT_FALSE(match_preflight(config(), "http://other", "PUT", "").matched);
  AwsError e = cors_forbidden("PUT", false);
  EXPECT_EQ(e.code, "AccessForbidden");
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.message,
            "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
            "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted "
            "by the resource's CORS spec.");
  EXPECT_EQ((*e.details)["Method"], "PUT");
  EXPECT_EQ((*e.details)["ResourceType"], "BUCKET");
  EXPECT_EQ((*cors_forbidden("GET", true).details)["ResourceType"], "OBJECT");
  EXPECT_EQ((*cors_forbidden("", true).details)["Method"], "OPTIONS");
}

TEST(Cors, ActualRequests) {
  EXPECT_TRUE(match_actual(config(), "https://x.example.com", "POST").matched);
  EXPECT_FALSE(match_actual(config(), "https://x.example.com", "DELETE").matched);
}

TEST(Cors, Validation) {
  EXPECT_FALSE(validate_cors(config()));
  EXPECT_EQ(validate_cors(json::object())->code, "MalformedXML");
  EXPECT_EQ(validate_cors({{"CORSRules", json::array({{{"AllowedOrigins", {"*"}}}})}})->code, "MalformedXML");
  auto bad = validate_cors({{"CORSRules", json::array({{{"AllowedMethods", {"TRACE"}}, {"AllowedOrigins", {"*"}}}})}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->message, "Found unsupported HTTP method in CORS config. Unsupported method is TRACE");
  auto stars = validate_cors(
      {{"CORSRules", json::array({{{"AllowedMethods", {"GET"}}, {"AllowedOrigins", {"*"}}, {"AllowedHeaders", {"a*b*"}}}})}});
  ASSERT_TRUE(stars);
  EXPECT_EQ(stars->message, "AllowedHeader \"a*b*\" can not have more than one wildcard.");
  json many = {{"CORSRules", json::array()}};
  for (int i = 0; i < 101; ++i) many["CORSRules"].push_back({{"AllowedMethods", {"GET"}}, {"AllowedOrigins", {"*"}}});
  EXPECT_EQ(validate_cors(many)->code, "InvalidRequest");
}


const std::string kMalformed =
    "MalformedXML: The XML you provided was not well-formed or did not validate against our published schema";

std::string error_message(const json& doc) {
  auto e = validate_cors(doc);
  return e ? e->code + ": " + e->message : "";
}

TEST(S3CorsConfig, Malformed) {
  for (auto text : {R"([])", R"({})", R"({"CORSRules":[]})", R"({"CORSRules":{}})", R"({"CORSRules":[1]})",
                    R"({"CORSRules":[{}]})", R"({"CORSRules":[{"AllowedMethods":["GET"]}]})",
                    R"({"CORSRules":[{"AllowedOrigins":["*"]}]})",
                    R"({"CORSRules":[{"AllowedMethods":[],"AllowedOrigins":["*"]}]})",
                    R"({"CORSRules":[{"AllowedMethods":["GET"],"AllowedOrigins":[]}]})",
                    R"({"CORSRules":[{"AllowedMethods":"GET","AllowedOrigins":["*"]}]})",
                    R"({"CORSRules":[{"AllowedMethods":[1],"AllowedOrigins":["*"]}]})",
                    R"({"CORSRules":[{"AllowedMethods":null,"AllowedOrigins":["*"]}]})",
                    R"({"CORSRules":[{"AllowedMethods":["GET"],"AllowedOrigins":["*"],"MaxAgeSeconds":"5"}]})",
                    R"({"CORSRules":[{"AllowedMethods":["GET"],"AllowedOrigins":["*"],"MaxAgeSeconds":1.5}]})",
                    R"({"CORSRules":[{"AllowedMethods":["GET"],"AllowedOrigins":["*"],"ID":7}]})",
                    R"({"CORSRules":[{"AllowedMethods":["GET"],"AllowedOrigins":["*"],"ExposeHeaders":[null]}]})"}) {
    EXPECT_EQ(error_message(json::parse(text)), kMalformed) << text;
  }
  // Null optional members are absent.
  EXPECT_EQ(error_message(json::parse(R"({"CORSRules":[{"AllowedMethods":["GET"],"AllowedOrigins":["*"],
      "AllowedHeaders":null,"ExposeHeaders":null,"MaxAgeSeconds":null,"ID":null}]})")),
            "");
}

TEST(S3CorsConfig, RuleCount) {
  json rule = {{"AllowedMethods", {"GET"}}, {"AllowedOrigins", {"*"}}};
  json doc = {{"CORSRules", json::array()}};
  for (int i = 0; i < 100; ++i) doc["CORSRules"].push_back(rule);
  EXPECT_EQ(error_message(doc), "");
  doc["CORSRules"].push_back(rule);
  EXPECT_EQ(error_message(doc), "InvalidRequest: The number of CORS rules should not exceed allowed limit of 100 rules.");
}

TEST(S3CorsConfig, Methods) {
  for (auto m : {"MYMETHOD", "OPTIONS", "get", "", "PATCH"}) {
    json doc = {{"CORSRules", {{{"AllowedMethods", {"GET", m}}, {"AllowedOrigins", {"*"}}}}}};
    EXPECT_EQ(error_message(doc),
              std::string("InvalidRequest: Found unsupported HTTP method in CORS config. Unsupported method is ") + m);
  }
  json ok = {{"CORSRules", {{{"AllowedMethods", {"GET", "PUT", "HEAD", "POST", "DELETE"}}, {"AllowedOrigins", {"*"}}}}}};
  EXPECT_EQ(error_message(ok), "");
}

TEST(S3CorsConfig, Wildcards) {
  json origin = {{"CORSRules", {{{"AllowedMethods", {"GET"}}, {"AllowedOrigins", {"*example*.com"}}}}}};
  EXPECT_EQ(error_message(origin),
            "InvalidRequest: AllowedOrigin \"*example*.com\" can not have more than one wildcard.");
  json hdr = {{"CORSRules",
               {{{"AllowedMethods", {"GET"}}, {"AllowedOrigins", {"*"}}, {"AllowedHeaders", {"x-*-*"}}}}}};
  EXPECT_EQ(error_message(hdr), "InvalidRequest: AllowedHeader \"x-*-*\" can not have more than one wildcard.");
  json expose = {{"CORSRules",
                  {{{"AllowedMethods", {"GET"}}, {"AllowedOrigins", {"*"}}, {"ExposeHeaders", {"ETag", "x-amz-meta-*"}}}}}};
  EXPECT_EQ(error_message(expose),
            "InvalidRequest: ExposeHeader \"x-amz-meta-*\" contains wildcard. We currently do not support wildcard for "
            "ExposeHeader.");
  json empty_origin = {{"CORSRules", {{{"AllowedMethods", {"GET"}}, {"AllowedOrigins", {""}}}}}};
  EXPECT_EQ(error_message(empty_origin), "");
  EXPECT_EQ(validate_cors(origin)->http_status, 400);
}

TEST(S3CorsWildcard, Matching) {
  EXPECT_TRUE(cors_pattern_matches("*", "", false));
  EXPECT_TRUE(cors_pattern_matches("*", "anything", false));
  EXPECT_TRUE(cors_pattern_matches("*suffix", "foo.suffix", false));
  EXPECT_TRUE(cors_pattern_matches("start*end", "startend", false));
  EXPECT_TRUE(cors_pattern_matches("start*end", "start12end", false));
  EXPECT_TRUE(cors_pattern_matches("prefix*", "prefix.suffix", false));
  EXPECT_FALSE(cors_pattern_matches("*suffix", "foo.suffix.get", false));
  EXPECT_FALSE(cors_pattern_matches("start*end", "0start12end", false));
  EXPECT_FALSE(cors_pattern_matches("prefix*", "bla.prefix", false));
  EXPECT_FALSE(cors_pattern_matches("abab*", "aba", false));
  EXPECT_FALSE(cors_pattern_matches("http://example.com", "HTTP://EXAMPLE.COM", false));
  EXPECT_TRUE(cors_pattern_matches("X-Amz-*", "x-amz-date", true));
  EXPECT_FALSE(cors_pattern_matches("", "a", false));
  EXPECT_TRUE(cors_pattern_matches("", "", false));
}

const json kConfig = json::parse(R"({"CORSRules":[
  {"AllowedOrigins":["https://localhost:4200"],"AllowedMethods":["GET","PUT"],"MaxAgeSeconds":3000,"AllowedHeaders":["*"]},
  {"AllowedOrigins":["http://*.origin.com"],"AllowedMethods":["GET"],"AllowedHeaders":["x-amz-expected-bucket-owner","x-AMZ-server-SIDE-encryption"],
   "ExposeHeaders":["x-amz-id-2","x-amz-request-id"]},
  {"AllowedOrigins":["*"],"AllowedMethods":["HEAD"]}]})");

TEST(S3CorsPreflight, MatchWithCredentials) {
  CorsMatch r = match_preflight(kConfig, "https://localhost:4200", "PUT", "");
  ASSERT_TRUE(r.matched);
  std::vector<std::pair<std::string, std::string>> expected = {
      {"Access-Control-Allow-Origin", "https://localhost:4200"},
      {"Access-Control-Allow-Methods", "GET, PUT"},
      {"Access-Control-Max-Age", "3000"},
      {"Access-Control-Allow-Credentials", "true"},
      {"Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"}};
  EXPECT_EQ(r.headers, expected);
}

TEST(S3CorsPreflight, RequestedHeaders) {
  CorsMatch star = match_preflight(kConfig, "https://localhost:4200", "GET", "X-Amz-Request-Payer,content-type");
  ASSERT_TRUE(star.matched);
  EXPECT_EQ(header(star, "Access-Control-Allow-Headers"), "x-amz-request-payer, content-type");
  CorsMatch listed = match_preflight(kConfig, "http://test.origin.com", "GET",
                                     "x-AMZ-expected-BUCKET-owner, x-amz-server-side-encryption");
  ASSERT_TRUE(listed.matched);
  EXPECT_EQ(header(listed, "Access-Control-Allow-Headers"), "x-amz-expected-bucket-owner, x-amz-server-side-encryption");
  EXPECT_EQ(header(listed, "Access-Control-Expose-Headers"), "x-amz-id-2, x-amz-request-id");
  EXPECT_EQ(header(listed, "Access-Control-Max-Age"), "<none>");
  CorsMatch refused = match_preflight(kConfig, "http://test.origin.com", "GET", "x-amz-request-payer");
  EXPECT_FALSE(refused.matched);
  EXPECT_TRUE(refused.headers.empty());
  CorsMatch empty_members = match_preflight(kConfig, "http://test.origin.com", "GET", " , ,");
  EXPECT_TRUE(empty_members.matched);
  EXPECT_EQ(header(empty_members, "Access-Control-Allow-Headers"), "<none>");
}

TEST(S3CorsPreflight, AnyOrigin) {
  CorsMatch r = match_preflight(kConfig, "http://random:1234", "HEAD", "");
  ASSERT_TRUE(r.matched);
  EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(r, "Access-Control-Allow-Methods"), "HEAD");
  EXPECT_EQ(header(r, "Access-Control-Allow-Credentials"), "<none>");
  EXPECT_NE(header(r, "Vary"), "<none>");
  // A rule without AllowedHeaders allows no requested header.
  EXPECT_FALSE(match_preflight(kConfig, "http://random:1234", "HEAD", "x-custom").matched);
  // "*" beside the origin that matched: the origin is echoed, with credentials.
  json both = {{"CORSRules", {{{"AllowedMethods", {"GET"}}, {"AllowedOrigins", {"https://a.example", "*"}}}}}};
  CorsMatch echoed = match_preflight(both, "https://a.example", "GET", "");
  EXPECT_EQ(header(echoed, "Access-Control-Allow-Origin"), "https://a.example");
  EXPECT_EQ(header(echoed, "Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(header(match_preflight(both, "https://b.example", "GET", ""), "Access-Control-Allow-Origin"), "*");
}

TEST(S3CorsPreflight, NotAllowed) {
  for (auto [origin, method] : std::vector<std::pair<const char*, const char*>>{
           {"http://localhost:4200", "PUT"},    // scheme differs
           {"https://localhost:4200/", "PUT"},  // trailing slash
           {"HTTPS://LOCALHOST:4200", "PUT"},   // origins are case-sensitive
           {"http://test.origin.com", "PUT"},   // method not in the rule
           {"https://localhost:4200", "get"},   // methods are case-sensitive
           {"http://random:1234", "DELETE"}}) {
    EXPECT_FALSE(match_preflight(kConfig, origin, method, "").matched) << origin << " " << method;
  }
}

TEST(S3CorsActual, Headers) {
  CorsMatch h = match_actual(kConfig, "https://localhost:4200", "GET");
  ASSERT_TRUE(h.matched);
  EXPECT_EQ(header(h, "Access-Control-Allow-Origin"), "https://localhost:4200");
  EXPECT_EQ(header(h, "Access-Control-Allow-Methods"), "GET, PUT");
  EXPECT_EQ(header(h, "Access-Control-Max-Age"), "3000");
  EXPECT_EQ(header(h, "Access-Control-Allow-Credentials"), "true");
  EXPECT_NE(header(h, "Vary"), "<none>");
  EXPECT_EQ(header(h, "Access-Control-Allow-Headers"), "<none>");
  EXPECT_EQ(header(match_actual(kConfig, "http://x.origin.com", "GET"), "Access-Control-Expose-Headers"),
            "x-amz-id-2, x-amz-request-id");
}

TEST(S3CorsActual, NoHeaders) {
  EXPECT_TRUE(match_actual(kConfig, "http://localhost:4200", "GET").headers.empty());
  EXPECT_TRUE(match_actual(kConfig, "http://x.origin.com", "PUT").headers.empty());
}

}  // namespace
}  // namespace awan::s3
