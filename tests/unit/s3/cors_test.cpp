// Bucket CORS rules (emulators/s3/cors.hpp): validation and matching.
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
  AwsError e = cors_forbidden("PUT");
  EXPECT_EQ(e.code, "AccessForbidden");
  EXPECT_EQ(e.http_status, 403);
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

}  // namespace
}  // namespace awan::s3
