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
// "ExposeHeaders": [...], "MaxAgeSeconds": n, "ID": ...}]}. MalformedXML for a missing or
// mistyped member (null is absent); InvalidRequest for more than 100 rules, a method other than
// GET PUT HEAD POST DELETE, two '*' in an origin or an allowed header, '*' in an exposed one.
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
// An actual request from `origin` with `method` (its Access-Control-Request-Method when it
// sent one, as S3 matches it); requested headers are not checked.
CorsMatch match_actual(const nlohmann::json& configuration, std::string_view origin, std::string_view method);

// 403 AccessForbidden of a preflight no rule allows: {"Method": the requested method, or
// OPTIONS, "ResourceType": OBJECT when the request names a key, else BUCKET}.
AwsError cors_forbidden(std::string_view method, bool object);

}  // namespace awan::s3
