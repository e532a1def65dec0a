#pragma once
// Shared by the SigV4 unit tests: AWS's test-suite constants and request builders.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "awan/clock.hpp"
#include "core/timefmt.hpp"
#include "gateway/sigv4.hpp"

namespace awan::sigv4::testing_support {

inline constexpr const char* kAkid = "AKIDEXAMPLE";
inline constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
inline constexpr const char* kSuiteDate = "20150830T123600Z";
inline constexpr const char* kVanillaSig = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

inline std::chrono::system_clock::time_point at(const char* amz) { return *timefmt::parse_amz_date(amz); }

inline http::Request make(std::string method, std::string path, std::string query,
                   std::vector<std::pair<std::string, std::string>> headers, std::string body = "") {
  http::Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.target = r.path + (r.query.empty() ? "" : "?" + r.query);
  for (auto& [k, v] : headers) r.headers.add(k, v);
  r.body = std::move(body);
  return r;
}

inline http::Request suite_request(std::string method, std::string path, std::string query = "",
                            std::vector<std::pair<std::string, std::string>> extra = {}, std::string body = "") {
  std::vector<std::pair<std::string, std::string>> h = {{"Host", "example.amazonaws.com"}};
  for (auto& e : extra) h.push_back(e);
  return make(std::move(method), std::move(path), std::move(query), std::move(h), std::move(body));
}


inline SignParams suite_params() {
  SignParams p;
  p.access_key = kAkid;
  p.secret_key = kSecret;
  p.region = "us-east-1";
  p.service = "service";
  p.time = at(kSuiteDate);
  return p;
}

inline std::string authorization(const char* signed_headers, const char* sig,
                          const char* scope = "20150830/us-east-1/service/aws4_request", const char* akid = kAkid) {
  return std::string("AWS4-HMAC-SHA256 Credential=") + akid + "/" + scope + ", SignedHeaders=" + signed_headers +
         ", Signature=" + sig;
}

inline constexpr const char* kS3Akid = "AKIAIOSFODNN7EXAMPLE";
inline constexpr const char* kS3Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
inline constexpr const char* kS3Date = "20130524T000000Z";

inline SignParams s3_params() {
  SignParams p;
  p.access_key = kS3Akid;
  p.secret_key = kS3Secret;
  p.region = "us-east-1";
  p.service = "s3";
  p.time = at(kS3Date);
  p.s3 = true;
  return p;
}

inline VerifyOptions s3_opts(const Clock& clock) {
  VerifyOptions o;
  o.dialect = Dialect::S3;
  o.clock = &clock;
  o.expected_service = "s3";
  return o;
}

}  // namespace awan::sigv4::testing_support
