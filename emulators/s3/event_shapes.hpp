#pragma once
// S3 event notifications: the record documents S3 sends (and the s3:TestEvent message), the
// NotificationConfiguration of PutBucketNotificationConfiguration validated as AWS validates it,
// and which configurations an event triggers. Delivery (SQS/SNS/Lambda calls) is the service's.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "awan/error.hpp"

namespace awan::s3 {

using time_point = std::chrono::system_clock::time_point;

// ---- event names ("s3:ObjectCreated:Put") ----

// One of the names a configuration may list (botocore's Event enum, wildcards included).
bool is_notification_event(std::string_view name);
// Whether a configured event (possibly "s3:ObjectCreated:*") covers an event that happened
// ("s3:ObjectCreated:Put"; the "s3:" prefix is optional on the latter).
bool event_matches(std::string_view configured, std::string_view event);
// "2.1", "2.2" (replication), "2.3" (lifecycle, intelligent-tiering, ACL, tagging, restore delete).
std::string_view event_version(std::string_view event);

// ---- the event record ----

struct EventObject {
  std::string key;                     // the raw key; the record carries it form-encoded
  std::optional<int64_t> size;         // written only for events that carry a size
  std::string etag;                    // unquoted; written only for events that carry one
  std::string version_id;              // empty when the bucket is not versioned
  std::string sequencer;               // see Sequencer
};

struct EventRecordInput {
  std::string event_name;              // "s3:ObjectCreated:Put" (the record drops "s3:")
  time_point event_time{};
  std::string region = "us-east-1";
  std::string partition = "aws";
  std::string bucket;
  std::string bucket_owner_id;         // s3.bucket.ownerIdentity.principalId
  std::string principal_id;            // userIdentity.principalId (e.g. "AWS:AIDA...")
  std::string source_ip = "127.0.0.1";
  std::string request_id;              // responseElements.x-amz-request-id
  std::string host_id;                 // responseElements.x-amz-id-2
  std::string configuration_id;        // the Id of the configuration that matched
  EventObject object;
};

// The key as S3 writes it in records: application/x-www-form-urlencoded ("red flower.jpg" →
// "red+flower.jpg"), '/' kept.
std::string event_key_encode(std::string_view key);

// One record, fields in AWS's order. Which object fields appear depends on the event:
// size for creations (and restore/transition/replication), eTag for all but plain deletes
// (a delete marker's is the MD5 of nothing), sequencer for creations and removals,
// versionId whenever the input has one.
nlohmann::ordered_json event_record(const EventRecordInput& in);
// {"Records": [records...]}
nlohmann::ordered_json event_message(std::vector<nlohmann::ordered_json> records);
// The message sent to a destination when a configuration is stored.
nlohmann::ordered_json test_event(time_point time, std::string_view bucket, std::string_view request_id,
                                  std::string_view host_id);

// Sequencers: 18 upper-case hex digits, "00" + epoch seconds (8) + a sub-second counter (8),
// strictly increasing across calls (so increasing per key). Thread-safe.
class Sequencer {
 public:
  std::string next(time_point now);

 private:
  std::mutex mu_;
  uint64_t last_ = 0;
};
std::string format_sequencer(uint64_t value);

// ---- NotificationConfiguration ----

enum class DestinationKind { Topic, Queue, LambdaFunction };

struct NotificationTarget {
  DestinationKind kind = DestinationKind::Queue;
  std::string id;                      // generated when the request has none
  std::string arn;
  std::vector<std::string> events;
  std::optional<std::string> prefix;   // filter rules, at most one of each
  std::optional<std::string> suffix;

  bool matches_key(std::string_view key) const;
};

struct NotificationConfig {
  std::vector<NotificationTarget> targets;  // topics, then queues, then functions
  bool event_bridge = false;                // EventBridgeConfiguration present

  bool empty() const { return targets.empty() && !event_bridge; }
};

// Validates a NotificationConfiguration document (botocore member names) into `out`:
// MalformedXML for shape errors (missing Events / ARN, a filter rule without Name or Value),
// InvalidArgument for unknown events, ARNs of the wrong service, bad or repeated filter rules,
// over-long values and overlapping configurations. Destinations are not checked here.
std::optional<AwsError> parse_notification_configuration(const nlohmann::json& doc, NotificationConfig& out);
// The document GetBucketNotificationConfiguration returns (rule names "Prefix"/"Suffix").
nlohmann::json notification_configuration_document(const NotificationConfig& config);
// The targets an event ("s3:ObjectCreated:Put") on `key` triggers, in configuration order.
std::vector<const NotificationTarget*> matching_targets(const NotificationConfig& config, std::string_view event,
                                                        std::string_view key);

}  // namespace awan::s3
