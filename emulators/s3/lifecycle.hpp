#pragma once
// S3 lifecycle: the LifecycleConfiguration of PutBucketLifecycleConfiguration validated as AWS
// validates it, and the sweeper's decisions (expire a current version, a noncurrent version or an
// expired delete marker; abort an incomplete multipart upload) with S3's midnight-UTC rounding.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "awan/error.hpp"

namespace awan::s3 {

using time_point = std::chrono::system_clock::time_point;

struct LifecycleFilter {
  std::optional<std::string> prefix;
  std::vector<std::pair<std::string, std::string>> tags;  // all must be on the object
  std::optional<int64_t> size_greater_than;
  std::optional<int64_t> size_less_than;
};

struct LifecycleRule {
  std::string id;
  bool enabled = true;
  LifecycleFilter filter;
  // Expiration
  std::optional<int> expiration_days;
  std::optional<time_point> expiration_date;
  bool expired_object_delete_marker = false;
  // NoncurrentVersionExpiration
  std::optional<int> noncurrent_days;
  std::optional<int> newer_noncurrent_versions;
  // AbortIncompleteMultipartUpload
  std::optional<int> abort_days_after_initiation;
  // Transitions and NoncurrentVersionTransitions are validated and kept in the document only:
  // there is one storage class here.
};

struct LifecycleConfig {
  std::vector<LifecycleRule> rules;
};

constexpr size_t kMaxLifecycleRules = 1000;

// Validates a LifecycleConfiguration document ({"Rules": [...]}, botocore member names,
// timestamps as epoch seconds) into `out`; when `normalized` is given, it receives the document
// as GetBucketLifecycleConfiguration returns it (generated IDs filled in). MalformedXML for shape
// errors (no rules, more than 1000, a bad Status, Filter and Prefix together or neither, a filter
// with more than one predicate, Days with Date); InvalidArgument for values ("'Days' for
// Expiration action must be a positive integer", "'Date' must be at midnight GMT", "Rule ID must
// be unique. Found same ID for more than one rule", ...); InvalidRequest "At least one action
// needs to be specified in a rule".
std::optional<AwsError> parse_lifecycle_configuration(const nlohmann::json& doc, LifecycleConfig& out,
                                                      nlohmann::json* normalized = nullptr);

// S3's rounding: the first midnight UTC at or after `t` (an object created 2014-01-15T10:30Z
// with a 3-day rule expires 2014-01-19T00:00Z).
time_point next_midnight_utc(time_point t);
// last_modified + days, rounded as above.
time_point lifecycle_due(time_point since, int days);

struct LifecycleObject {
  std::string key;
  int64_t size = 0;
  std::vector<std::pair<std::string, std::string>> tags;
  time_point last_modified{};
  bool is_latest = true;
  bool is_delete_marker = false;
  time_point noncurrent_since{};    // when a newer version replaced it (noncurrent versions)
  int newer_noncurrent_versions = 0;  // noncurrent versions of the key newer than this one
  int noncurrent_versions = 0;      // noncurrent versions of the key (for a latest delete marker)
};

enum class LifecycleAction {
  None,
  ExpireCurrent,        // delete the current version (a delete marker in a versioned bucket)
  ExpireNoncurrent,     // permanently delete this noncurrent version
  RemoveDeleteMarker,   // the latest version is a delete marker with no noncurrent versions
};

struct LifecycleDecision {
  LifecycleAction action = LifecycleAction::None;
  std::string rule_id;
};

bool filter_matches(const LifecycleFilter& filter, const LifecycleObject& object);

// What the enabled rules do to this object version now (the first rule that acts wins).
LifecycleDecision decide_object(const LifecycleConfig& config, const LifecycleObject& object, time_point now);
// When the current version will expire, and by which rule (the x-amz-expiration header); nullopt
// when no enabled Expiration rule applies.
std::optional<std::pair<time_point, std::string>> current_expiration(const LifecycleConfig& config,
                                                                     const LifecycleObject& object);
// The rule that aborts an upload of `key` initiated at `initiated`, if it is due at `now`.
std::optional<std::string> decide_upload(const LifecycleConfig& config, std::string_view key, time_point initiated,
                                         time_point now);

}  // namespace awan::s3
