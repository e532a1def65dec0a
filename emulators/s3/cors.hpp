#pragma once
// Bucket CORS (PutBucketCors): validation of a CORSConfiguration document, and the rule a
// browser request matches — for a preflight (OPTIONS with Access-Control-Request-Method) and for
// an actual request — with the headers S3 answers.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "awan/error.hpp"

namespace awan::s3 {

// {"CORSRules": [{"AllowedMethods": [...], "AllowedOrigins": [...], "AllowedHeaders": [...],
// "ExposeHeaders": [...], "MaxAgeSeconds": n, "ID": ...}]}
std::optional<AwsError> validate_cors(const nlohmann::json& configuration);

// One '*' wildcard, anywhere (S3's AllowedOrigin / AllowedHeader patterns).
bool cors_pattern_matches(std::string_view pattern, std::string_view value, bool case_insensitive);

struct CorsMatch {
  bool matched = false;
  std::vector<std::pair<std::string, std::string>> headers;  // Access-Control-* and Vary
};

// A preflight: origin, the Access-Control-Request-Method and -Headers (comma-separated).
CorsMatch match_preflight(const nlohmann::json& configuration, std::string_view origin, std::string_view method,
                          std::string_view request_headers);
// An actual request from `origin` with `method`.
CorsMatch match_actual(const nlohmann::json& configuration, std::string_view origin, std::string_view method);

// 403 AccessForbidden of a preflight no rule allows.
AwsError cors_forbidden(std::string_view method);

}  // namespace awan::s3
