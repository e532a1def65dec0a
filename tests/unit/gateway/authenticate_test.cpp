// The authentication stage (authenticate.hpp) and the internal endpoints' policy
// (internal_policy.hpp): which schemes pass under --verify-signatures, and who the caller is.
#include <gtest/gtest.h>

#include "gateway/authenticate.hpp"
#include "gateway/internal_policy.hpp"
#include "gateway/router.hpp"
#include "gateway/sigv4_test_support.hpp"

using namespace awan;
using namespace awan::sigv4::testing_support;
using gateway::authenticate;

namespace {

ManualClock clock_at(const char* amz) { return ManualClock(at(amz)); }

gateway::CredentialLookup known_keys() {
  return [](std::string_view key) -> std::optional<sigv4::Credentials> {
    if (key == "test") return sigv4::Credentials{"test", "", std::nullopt};
    return std::nullopt;
  };
}

// A POST form to STS, signed with test/test at kSuiteDate.
http::Request signed_sts(const char* secret = "test") {
  http::Request r = make("POST", "/", "", {{"Host", "localhost:4566"}, {"Content-Type", "application/x-www-form-urlencoded"}},
                         "Action=GetCallerIdentity&Version=2011-06-15");
  sigv4::SignParams p;
  p.access_key = "test";
  p.secret_key = secret;
  p.service = "sts";
  p.time = at(kSuiteDate);
  sigv4::sign(r, p);
  return r;
}

gateway::Route route_of(const http::Request& r) { return gateway::route(r); }

}  // namespace

TEST(Authenticate, VerifiedSigV4NamesTheCaller) {
  ManualClock clock = clock_at(kSuiteDate);
  http::Request r = signed_sts();
  auto a = authenticate(r, route_of(r), known_keys(), clock);
  EXPECT_FALSE(a.error) << a.error->message;
  EXPECT_EQ(a.access_key, "test");
  http::Request bad = signed_sts("wrong");
  a = authenticate(bad, route_of(bad), known_keys(), clock);
  ASSERT_TRUE(a.error);
  EXPECT_EQ(a.error->code, "SignatureDoesNotMatch");
  EXPECT_EQ(a.access_key, "");
}

TEST(Authenticate, SigV2IsRefusedPerService) {
  ManualClock clock = clock_at(kSuiteDate);
  struct Case {
    std::vector<std::pair<std::string, std::string>> headers;
    std::string path, query, body;
    const char* code;
    int status;
  } cases[] = {
      // DynamoDB (awsJson)
      {{{"X-Amz-Target", "DynamoDB_20120810.ListTables"}, {"Authorization", "AWS test:sig"}}, "/", "", "{}",
       "IncompleteSignatureException", 400},
      {{{"X-Amz-Target", "DynamoDB_20120810.ListTables"}}, "/", "AWSAccessKeyId=test&Signature=x", "{}",
       "MissingAuthenticationTokenException", 400},
      // STS, IAM (awsQuery)
      {{{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", "AWS test:sig"}}, "/", "",
       "Action=GetCallerIdentity&Version=2011-06-15", "IncompleteSignature", 400},
      {{}, "/", "Action=ListUsers&Version=2010-05-08&AWSAccessKeyId=test&Signature=x&SignatureVersion=2", "",
       "IncompleteSignature", 400},
      // S3 (the default route)
      {{{"Authorization", "AWS test:sig"}}, "/bucket/key", "", "", "InvalidRequest", 400},
      {{}, "/bucket/key", "AWSAccessKeyId=test&Signature=x&Expires=1", "", "InvalidRequest", 400},
      // Unsigned S3: a private bucket's answer.
      {{}, "/bucket/key", "", "", "AccessDenied", 403},
      // Other schemes.
      {{{"Authorization", "Bearer abc"}}, "/bucket/key", "", "", "InvalidArgument", 400},
  };
  for (auto& c : cases) {
    auto headers = c.headers;
    headers.emplace_back("Host", "localhost:4566");
    http::Request r = make(c.body.empty() ? "GET" : "POST", c.path, c.query, headers, c.body);
    auto a = authenticate(r, route_of(r), known_keys(), clock);
    ASSERT_TRUE(a.error) << c.path << "?" << c.query;
    EXPECT_EQ(a.error->code, c.code) << c.path << "?" << c.query;
    EXPECT_EQ(a.error->http_status, c.status) << c.code;
    EXPECT_EQ(a.access_key, "");
  }
}

TEST(Authenticate, S3SigV2MessageIsAwss) {
  ManualClock clock = clock_at(kSuiteDate);
  http::Request r = make("GET", "/b/k", "", {{"Host", "localhost"}, {"Authorization", "AWS test:sig"}});
  auto a = authenticate(r, route_of(r), known_keys(), clock);
  ASSERT_TRUE(a.error);
  EXPECT_EQ(a.error->message,
            "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
}

TEST(InternalPolicy, JsonPostsOnly) {
  ManualClock clock = clock_at(kSuiteDate);
  gateway::InternalPolicyOptions open;
  auto check = [&](http::Request r, const gateway::InternalPolicyOptions& o) {
    auto out = gateway::check_internal(r, o, known_keys(), clock);
    return out ? out->status : 0;
  };
  EXPECT_EQ(check(make("GET", "/_awan/health", "", {}), open), 0);
  EXPECT_EQ(check(make("HEAD", "/_awan/health", "", {}), open), 0);
  EXPECT_EQ(check(make("POST", "/_awan/reset", "", {{"Content-Type", "application/json"}}), open), 0);
  EXPECT_EQ(check(make("POST", "/_awan/reset", "", {{"Content-Type", "Application/JSON; charset=utf-8"}}), open), 0);
  EXPECT_EQ(check(make("POST", "/_awan/reset", "", {{"Content-Type", "text/plain"}}), open), 415);
  EXPECT_EQ(check(make("POST", "/_awan/reset", "", {{"Content-Type", "application/x-www-form-urlencoded"}}), open), 415);
  EXPECT_EQ(check(make("POST", "/_awan/reset", "", {{"Content-Type", "multipart/form-data; boundary=x"}}), open), 415);
  EXPECT_EQ(check(make("POST", "/_awan/reset", "", {}), open), 415);
  EXPECT_EQ(check(make("POST", "/_awan/reset", "", {{"Content-Type", "text/plain; application/json"}}), open), 415);
  EXPECT_EQ(check(make("DELETE", "/_awan/reset", "", {{"Content-Type", "application/json"}}), open), 405);
  EXPECT_FALSE(gateway::is_json_content_type("application/jsonp"));
}

TEST(InternalPolicy, VerificationNeedsASignatureOrTheAdminToken) {
  ManualClock clock = clock_at(kSuiteDate);
  gateway::InternalPolicyOptions o{true, "s3cret"};
  auto status = [&](http::Request r) {
    auto out = gateway::check_internal(r, o, known_keys(), clock);
    return out ? out->status : 0;
  };
  auto json_post = [](std::vector<std::pair<std::string, std::string>> extra) {
    extra.emplace_back("Content-Type", "application/json");
    extra.emplace_back("Host", "localhost:4566");
    return make("POST", "/_awan/reset", "", extra);
  };
  EXPECT_EQ(status(json_post({})), 403);
  EXPECT_EQ(status(json_post({{"Authorization", "Bearer s3cret"}})), 0);
  EXPECT_EQ(status(json_post({{"X-Awan-Admin-Token", "s3cret"}})), 0);
  EXPECT_EQ(status(json_post({{"Authorization", "Bearer wrong"}})), 403);
  EXPECT_EQ(status(json_post({{"X-Awan-Admin-Token", "s3cre"}})), 403);
  EXPECT_EQ(status(json_post({{"Authorization", "AWS test:sig"}})), 403);
  http::Request signed_reset = json_post({});
  sigv4::SignParams p;
  p.access_key = "test";
  p.secret_key = "test";
  p.service = "sts";
  p.time = at(kSuiteDate);
  sigv4::sign(signed_reset, p);
  EXPECT_EQ(status(signed_reset), 0);
  p.secret_key = "wrong";
  http::Request bad = json_post({});
  sigv4::sign(bad, p);
  EXPECT_EQ(status(bad), 403);
  // Without a configured token, no token is valid.
  gateway::InternalPolicyOptions no_token{true, ""};
  auto out = gateway::check_internal(json_post({{"Authorization", "Bearer "}}), no_token, known_keys(), clock);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 403);
}
