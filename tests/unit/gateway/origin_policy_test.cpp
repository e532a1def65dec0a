// Origin and Host policy: table-driven matching, the stage's answers (origin_policy.hpp).
#include <gtest/gtest.h>

#include "gateway/origin_policy.hpp"

using namespace awan;
using gateway::OriginPolicy;
using gateway::OriginPolicyOptions;

namespace {
http::Request request(std::string method, std::vector<std::pair<std::string, std::string>> headers) {
  http::Request r;
  r.method = std::move(method);
  r.target = r.path = "/";
  for (auto& [k, v] : headers) r.headers.add(k, v);
  return r;
}
}  // namespace

TEST(OriginPolicy, LoopbackHosts) {
  struct Case {
    const char* host;
    bool loopback;
  } cases[] = {
      {"localhost", true},        {"LOCALHOST", true},      {"localhost.", true},   {"bucket.localhost", true},
      {"sqs.eu-west-1.localhost", true}, {"127.0.0.1", true}, {"127.1.2.3", true},   {"[::1]", true},
      {"::1", true},              {"[::ffff:127.0.0.1]", true}, {"0.0.0.0", false}, {"[::]", false},
      {"10.0.0.1", false},        {"evil.example", false},  {"localhost.evil.example", false},
      {"notlocalhost", false},    {"127.0.0.1.evil.example", false}, {"", false},   {"[::2]", false},
      {"2130706433", false},      {"127.1", false},
  };
  for (const auto& c : cases) EXPECT_EQ(gateway::is_loopback_host(c.host), c.loopback) << c.host;
}

TEST(OriginPolicy, HostNameOfAnAuthority) {
  EXPECT_EQ(gateway::host_name_of("Example.COM:4566"), "example.com");
  EXPECT_EQ(gateway::host_name_of("[::1]:4566"), "[::1]");
  EXPECT_EQ(gateway::host_name_of("localhost."), "localhost");
  EXPECT_EQ(gateway::host_name_of(" bucket.localhost:80 "), "bucket.localhost");
  EXPECT_EQ(gateway::host_name_of(""), "");
}

TEST(OriginPolicy, OriginPatterns) {
  struct Case {
    const char* pattern;
    const char* origin;
    bool match;
  } cases[] = {
      {"*", "https://anything.example", true},
      {"https://app.example.com", "https://app.example.com", true},
      {"https://app.example.com", "https://APP.example.com", true},
      {"https://app.example.com", "http://app.example.com", false},
      {"https://app.example.com", "https://app.example.com:8443", false},
      {"https://app.example.com:443", "https://app.example.com", true},
      {"https://app.example.com:8443", "https://app.example.com:8443", true},
      {"https://app.example.com:*", "https://app.example.com:8443", true},
      {"https://app.example.com:*", "https://app.example.com", true},
      {"https://*.example.com", "https://a.example.com", true},
      {"https://*.example.com", "https://a.b.example.com", true},
      {"https://*.example.com", "https://example.com", false},
      {"https://*.example.com", "https://evilexample.com", false},
      {"https://*.example.com", "https://a.example.com.evil.test", false},
      {"app.example.com", "http://app.example.com", true},
      {"app.example.com", "https://app.example.com", true},
      {"app.example.com", "ftp://app.example.com", false},
      {"https://app.example.com/", "https://app.example.com", true},
      {"https://app.example.com", "null", false},
      {"https://app.example.com", "https://app.example.com/path", false},
      {"https://app.example.com", "https://user@app.example.com", false},
      {"https://app.example.com", "", false},
  };
  for (const auto& c : cases) EXPECT_EQ(gateway::origin_matches(c.pattern, c.origin), c.match) << c.pattern << " ~ " << c.origin;
}

TEST(OriginPolicy, DefaultOrigins) {
  OriginPolicy p;
  struct Case {
    const char* origin;
    bool allowed;
  } cases[] = {
      {"http://localhost", true},        {"http://localhost:3000", true},     {"https://localhost:8443", true},
      {"http://127.0.0.1:5173", true},   {"http://[::1]:8080", true},         {"http://app.localhost:3000", true},
      {"https://evil.example", false},   {"http://localhost.evil.example", false}, {"null", false},
      {"file://", false},                {"chrome-extension://abc", false},  {"ftp://localhost", false},
      {"", false},                       {"http://192.168.1.10:3000", false},
  };
  for (const auto& c : cases) EXPECT_EQ(p.origin_allowed(c.origin), c.allowed) << c.origin;
}

TEST(OriginPolicy, ConfiguredOriginsAndHostnames) {
  OriginPolicy p({"127.0.0.1", {"https://*.example.com", "http://tool.test:8080"}, {"awan.internal"}});
  EXPECT_TRUE(p.origin_allowed("https://app.example.com"));
  EXPECT_TRUE(p.origin_allowed("http://tool.test:8080"));
  EXPECT_FALSE(p.origin_allowed("http://tool.test:8081"));
  EXPECT_TRUE(p.origin_allowed("http://awan.internal:3000"));  // a page on a served host name
  EXPECT_TRUE(p.origin_allowed("http://localhost:3000"));      // the local ones stay
  EXPECT_FALSE(p.origin_allowed("https://evil.example"));
  EXPECT_TRUE(p.host_allowed("awan.internal:4566"));
  EXPECT_TRUE(p.host_allowed("bucket.s3.awan.internal:4566"));
  EXPECT_FALSE(p.host_allowed("evilawan.internal"));
  EXPECT_FALSE(p.host_allowed("awan.internal.evil.example"));
  OriginPolicy any({"127.0.0.1", {"*"}, {}});
  EXPECT_TRUE(any.origin_allowed("https://evil.example"));
  EXPECT_TRUE(any.origin_allowed("null"));
}

TEST(OriginPolicy, Hosts) {
  OriginPolicy p;
  EXPECT_TRUE(p.host_check());
  struct Case {
    const char* host;
    bool allowed;
  } cases[] = {
      {"localhost:4566", true},          {"127.0.0.1:4566", true},   {"[::1]:4566", true},
      {"bucket.localhost:4566", true},   {"bucket.s3.localhost", true}, {"sqs.eu-west-1.localhost:4566", true},
      {"abc123.execute-api.localhost:4566", true}, {"", true},        {"evil.example", false},
      {"evil.example:4566", false},      {"localhost.evil.example", false}, {"0.0.0.0:4566", false},
      {"192.168.1.10:4566", false},      {"x", false},
  };
  for (const auto& c : cases) EXPECT_EQ(p.host_allowed(c.host), c.allowed) << c.host;
}

TEST(OriginPolicy, BindAddressDecidesTheHostCheck) {
  for (const char* bind : {"0.0.0.0", "::", "192.168.1.10", "10.1.2.3", "fd00::1"}) {
    OriginPolicy p({bind, {}, {}});
    EXPECT_FALSE(p.host_check()) << bind;
    EXPECT_TRUE(p.host_allowed("evil.example")) << bind;
    EXPECT_FALSE(p.origin_allowed("https://evil.example")) << bind;  // the Origin check stays
  }
  for (const char* bind : {"127.0.0.1", "localhost", "::1", "127.0.0.2", ""}) {
    OriginPolicy p({bind, {}, {}});
    EXPECT_TRUE(p.host_check()) << bind;
    EXPECT_FALSE(p.host_allowed("evil.example")) << bind;
  }
  EXPECT_FALSE(gateway::is_loopback_bind("0.0.0.0"));
  EXPECT_FALSE(gateway::is_loopback_bind("::"));
  EXPECT_TRUE(gateway::is_loopback_bind("::1"));
}

TEST(OriginPolicy, AdmitRefusesForeignHostAndOrigin) {
  OriginPolicy p;
  auto r = p.admit(request("POST", {{"Host", "evil.example:4566"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("ForbiddenHost"), std::string::npos);
  r = p.admit(request("POST", {{"Host", "localhost:4566"}, {"Origin", "https://evil.example"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("ForbiddenOrigin"), std::string::npos);
  EXPECT_FALSE(r->headers.has("Access-Control-Allow-Origin"));
  // A foreign origin's preflight is refused too.
  r = p.admit(request("OPTIONS", {{"Host", "localhost"}, {"Origin", "https://evil.example"},
                                  {"Access-Control-Request-Method", "POST"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_FALSE(p.admit(request("POST", {{"Host", "localhost:4566"}, {"Origin", "http://localhost:3000"}})));
  EXPECT_FALSE(p.admit(request("GET", {})));  // HTTP/1.0 without Host
  // OPTIONS without Access-Control-Request-Method is no preflight: routed as usual.
  EXPECT_FALSE(p.admit(request("OPTIONS", {{"Host", "localhost"}, {"Origin", "http://localhost"}})));
}

TEST(OriginPolicy, PreflightEchoesTheRequest) {
  OriginPolicy p;
  auto r = p.admit(request("OPTIONS", {{"Host", "localhost:4566"},
                                       {"Origin", "http://localhost:3000"},
                                       {"Access-Control-Request-Method", "PUT"},
                                       {"Access-Control-Request-Headers", "authorization,x-amz-date,content-type"},
                                       {"Access-Control-Request-Private-Network", "true"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers.get("Access-Control-Allow-Origin"), "http://localhost:3000");
  EXPECT_EQ(r->headers.get("Access-Control-Allow-Methods"), "PUT");
  EXPECT_EQ(r->headers.get("Access-Control-Allow-Headers"), "authorization,x-amz-date,content-type");
  EXPECT_EQ(r->headers.get("Access-Control-Allow-Private-Network"), "true");
  EXPECT_NE(r->headers.get("Access-Control-Expose-Headers").find("x-amz-request-id"), std::string_view::npos);
  EXPECT_NE(r->headers.get("Access-Control-Expose-Headers").find("ETag"), std::string_view::npos);
  EXPECT_EQ(r->headers.get("Access-Control-Max-Age"), "7200");
  EXPECT_TRUE(r->body.empty());
}

TEST(OriginPolicy, CorsHeadersOnAnswers) {
  http::Response r;
  OriginPolicy::add_cors_headers("http://localhost:3000", r);
  EXPECT_EQ(r.headers.get("Access-Control-Allow-Origin"), "http://localhost:3000");
  EXPECT_NE(r.headers.get("Access-Control-Expose-Headers").find("x-amzn-RequestId"), std::string_view::npos);
  EXPECT_EQ(r.headers.get("Vary"), "Origin");
  // An answer that set its own CORS headers (S3 bucket CORS, later) keeps them.
  http::Response own;
  own.headers.add("Access-Control-Allow-Origin", "*");
  OriginPolicy::add_cors_headers("http://localhost:3000", own);
  EXPECT_EQ(own.headers.get("Access-Control-Allow-Origin"), "*");
  EXPECT_FALSE(own.headers.has("Vary"));
}
