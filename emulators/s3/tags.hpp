#pragma once
// Tag sets of buckets and objects: validation with S3's limits and messages, and the
// x-amz-tagging header form ("k1=v1&k2=v2", URL-encoded) of PutObject and friends.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "awan/error.hpp"

namespace awan::s3 {

// tags: [{"Key": ..., "Value": ...}]; max_tags 10 for objects, 50 for buckets.
std::optional<AwsError> validate_tag_set(const nlohmann::json& tags, size_t max_tags);
// Parses the x-amz-tagging header into a tag set; InvalidArgument when it is not a valid
// query string.
std::optional<AwsError> parse_tagging_header(std::string_view header, nlohmann::json& tags);
// URL encoding of S3's list results (encoding-type=url) and of event keys: every byte except
// unreserved characters and '/' is %XX; `plus_for_space` writes ' ' as '+' (event keys).
std::string url_encode_key(std::string_view key, bool plus_for_space = false);

}  // namespace awan::s3
