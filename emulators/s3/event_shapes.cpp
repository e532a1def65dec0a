// S3 event records, the test event, and NotificationConfiguration validation and matching
// (see event_shapes.hpp).
#include "s3/event_shapes.hpp"

#include <algorithm>
#include <array>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "core/timefmt.hpp"

namespace awan::s3 {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr std::array<std::string_view, 27> kEvents = {
    "s3:ReducedRedundancyLostObject",
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:LifecycleTransition",
    "s3:IntelligentTiering",
    "s3:ObjectAcl:Put",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
};

constexpr size_t kMaxFilterValueBytes = 1024;
constexpr std::string_view kEmptyMd5 = "d41d8cd98f00b204e9800998ecf8427e";

std::string_view without_s3_prefix(std::string_view e) {
  return e.substr(0, 3) == "s3:" ? e.substr(3) : e;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// "ObjectCreated:*" → "ObjectCreated:"; other names → nullopt.
std::optional<std::string_view> wildcard_family(std::string_view e) {
  if (ends_with(e, ":*")) return e.substr(0, e.size() - 1);
  return std::nullopt;
}

bool events_overlap(std::string_view a, std::string_view b) {
  a = without_s3_prefix(a);
  b = without_s3_prefix(b);
  if (a == b) return true;
  if (auto fa = wildcard_family(a); fa && starts_with(b, *fa)) return true;
  if (auto fb = wildcard_family(b); fb && starts_with(a, *fb)) return true;
  return false;
}

bool optional_prefixes_overlap(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (!a || !b) return true;
  return starts_with(*a, *b) || starts_with(*b, *a);
}

bool optional_suffixes_overlap(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (!a || !b) return true;
  return ends_with(*a, *b) || ends_with(*b, *a);
}

AwsError invalid_argument(std::string message, std::string_view name, std::string_view value) {
  AwsError e{"InvalidArgument", std::move(message), 400};
  e.details = std::make_shared<const json>(json{{"ArgumentName", name}, {"ArgumentValue", value}});
  return e;
}

AwsError malformed_xml() {
  return {"MalformedXML",
          "The XML you provided was not well-formed or did not validate against our published schema", 400};
}

struct KindInfo {
  DestinationKind kind;
  const char* list;    // member of NotificationConfiguration
  const char* arn;     // member holding the destination
  const char* service; // ARN service
};
constexpr std::array<KindInfo, 3> kKinds = {{
    {DestinationKind::Topic, "TopicConfigurations", "TopicArn", "sns"},
    {DestinationKind::Queue, "QueueConfigurations", "QueueArn", "sqs"},
    {DestinationKind::LambdaFunction, "LambdaFunctionConfigurations", "LambdaFunctionArn", "lambda"},
}};

bool arn_of_service(std::string_view arn, std::string_view service) {
  // arn:<partition>:<service>:<region>:<account>:<resource>
  if (!starts_with(arn, "arn:")) return false;
  size_t p = arn.find(':', 4);
  if (p == std::string_view::npos || p == 4) return false;
  std::string_view rest = arn.substr(p + 1);
  if (!starts_with(rest, service) || rest.size() <= service.size() || rest[service.size()] != ':') return false;
  // region, account and a non-empty resource follow
  std::string_view tail = rest.substr(service.size() + 1);
  size_t r = tail.find(':');
  if (r == std::string_view::npos) return false;
  size_t a = tail.find(':', r + 1);
  return a != std::string_view::npos && a + 1 < tail.size();
}

std::optional<AwsError> parse_filter(const json& filter, NotificationTarget& t) {
  if (!filter.is_object()) return malformed_xml();
  auto key = filter.find("Key");
  if (key == filter.end() || key->is_null()) return std::nullopt;
  if (!key->is_object()) return malformed_xml();
  auto rules = key->find("FilterRules");
  if (rules == key->end() || rules->is_null()) return std::nullopt;
  if (!rules->is_array()) return malformed_xml();
  for (const auto& rule : *rules) {
    if (!rule.is_object()) return malformed_xml();
    auto name = rule.find("Name");
    auto value = rule.find("Value");
    if (name == rule.end() || value == rule.end() || !name->is_string() || !value->is_string()) {
      return malformed_xml();
    }
    const std::string& n = name->get_ref<const std::string&>();
    const std::string& v = value->get_ref<const std::string&>();
    std::string lower = text::ascii_lower(n);
    if (lower != "prefix" && lower != "suffix") {
      return invalid_argument("filter rule name must be either prefix or suffix", "FilterRule.Name", n);
    }
    if (v.size() > kMaxFilterValueBytes) {
      return invalid_argument("Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation",
                              "FilterRule.Value", v);
    }
    auto& slot = lower == "prefix" ? t.prefix : t.suffix;
    if (slot) {
      return invalid_argument("Cannot specify more than one " + lower + " rule in a filter.", "FilterRule.Name", n);
    }
    slot = v;
  }
  return std::nullopt;
}

std::optional<AwsError> parse_target(const json& c, const KindInfo& k, NotificationTarget& t) {
  if (!c.is_object()) return malformed_xml();
  t.kind = k.kind;
  auto arn = c.find(k.arn);
  if (arn == c.end() || !arn->is_string()) return malformed_xml();
  t.arn = arn->get<std::string>();
  auto events = c.find("Events");
  if (events == c.end() || !events->is_array() || events->empty()) return malformed_xml();
  for (const auto& e : *events) {
    if (!e.is_string()) return malformed_xml();
    const std::string& name = e.get_ref<const std::string&>();
    if (!is_notification_event(name)) {
      return invalid_argument("The event is not supported for notifications", "Event", name);
    }
    if (std::find(t.events.begin(), t.events.end(), name) == t.events.end()) t.events.push_back(name);
  }
  if (!arn_of_service(t.arn, k.service)) {
    return invalid_argument("The ARN could not be parsed", k.arn, t.arn);
  }
  if (auto f = c.find("Filter"); f != c.end() && !f->is_null()) {
    if (auto err = parse_filter(*f, t)) return err;
  }
  if (auto id = c.find("Id"); id != c.end() && !id->is_null()) {
    if (!id->is_string()) return malformed_xml();
    t.id = id->get<std::string>();
  }
  // AWS names an unnamed configuration with a base64 string of a random UUID.
  if (t.id.empty()) t.id = crypto::base64_encode(ids::uuid4());
  return std::nullopt;
}

std::optional<AwsError> check_overlaps(const std::vector<NotificationTarget>& targets) {
  for (size_t i = 0; i < targets.size(); ++i) {
    for (size_t j = i + 1; j < targets.size(); ++j) {
      const auto& a = targets[i];
      const auto& b = targets[j];
      if (!optional_prefixes_overlap(a.prefix, b.prefix) || !optional_suffixes_overlap(a.suffix, b.suffix)) {
        continue;
      }
      for (const auto& ea : a.events) {
        for (const auto& eb : b.events) {
          if (events_overlap(ea, eb)) {
            return invalid_argument(
                "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
                "Event", eb);
          }
        }
      }
    }
  }
  return std::nullopt;
}

// Which object fields an event type carries.
struct ObjectFields {
  bool size;
  bool etag;
  bool sequencer;
};

ObjectFields object_fields(std::string_view e) {
  if (starts_with(e, "ObjectCreated:")) return {true, true, true};
  if (e == "ObjectRemoved:Delete" || e == "LifecycleExpiration:Delete") return {false, false, true};
  if (ends_with(e, ":DeleteMarkerCreated")) return {false, true, true};
  if (starts_with(e, "ObjectTagging:") || e == "ObjectAcl:Put") return {false, true, false};
  return {true, true, false};
}

}  // namespace

bool is_notification_event(std::string_view name) {
  return std::find(kEvents.begin(), kEvents.end(), name) != kEvents.end();
}

bool event_matches(std::string_view configured, std::string_view event) {
  std::string_view c = without_s3_prefix(configured);
  std::string_view e = without_s3_prefix(event);
  if (c == e) return true;
  if (auto family = wildcard_family(c)) return starts_with(e, *family);
  return false;
}

std::string_view event_version(std::string_view event) {
  std::string_view e = without_s3_prefix(event);
  if (starts_with(e, "Replication:")) return "2.2";
  if (starts_with(e, "LifecycleExpiration:") || e == "LifecycleTransition" || e == "IntelligentTiering" ||
      e == "ObjectAcl:Put" || starts_with(e, "ObjectTagging:") || e == "ObjectRestore:Delete") {
    return "2.3";
  }
  return "2.1";
}

std::string event_key_encode(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(key.size());
  for (unsigned char c : key) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '*' || c == '/') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

ordered_json event_record(const EventRecordInput& in) {
  std::string_view name = without_s3_prefix(in.event_name);
  ObjectFields fields = object_fields(name);
  ordered_json object = ordered_json::object();
  object["key"] = event_key_encode(in.object.key);
  if (fields.size && in.object.size) object["size"] = *in.object.size;
  if (fields.etag) {
    if (ends_with(name, ":DeleteMarkerCreated")) {
      object["eTag"] = kEmptyMd5;
    } else if (!in.object.etag.empty()) {
      object["eTag"] = in.object.etag;
    }
  }
  if (!in.object.version_id.empty()) object["versionId"] = in.object.version_id;
  if (fields.sequencer && !in.object.sequencer.empty()) object["sequencer"] = in.object.sequencer;

  ordered_json r = ordered_json::object();
  r["eventVersion"] = event_version(name);
  r["eventSource"] = "aws:s3";
  r["awsRegion"] = in.region;
  r["eventTime"] = timefmt::iso8601(in.event_time, true);
  r["eventName"] = name;
  r["userIdentity"] = {{"principalId", in.principal_id}};
  r["requestParameters"] = {{"sourceIPAddress", in.source_ip}};
  r["responseElements"] = {{"x-amz-request-id", in.request_id}, {"x-amz-id-2", in.host_id}};
  ordered_json bucket = ordered_json::object();
  bucket["name"] = in.bucket;
  bucket["ownerIdentity"] = {{"principalId", in.bucket_owner_id}};
  bucket["arn"] = "arn:" + in.partition + ":s3:::" + in.bucket;
  ordered_json s3 = ordered_json::object();
  s3["s3SchemaVersion"] = "1.0";
  s3["configurationId"] = in.configuration_id;
  s3["bucket"] = std::move(bucket);
  s3["object"] = std::move(object);
  r["s3"] = std::move(s3);
  return r;
}

ordered_json event_message(std::vector<ordered_json> records) {
  ordered_json out = ordered_json::object();
  out["Records"] = ordered_json::array();
  for (auto& r : records) out["Records"].push_back(std::move(r));
  return out;
}

ordered_json test_event(time_point time, std::string_view bucket, std::string_view request_id,
                        std::string_view host_id) {
  ordered_json out = ordered_json::object();
  out["Service"] = "Amazon S3";
  out["Event"] = "s3:TestEvent";
  out["Time"] = timefmt::iso8601(time, true);
  out["Bucket"] = bucket;
  out["RequestId"] = request_id;
  out["HostId"] = host_id;
  return out;
}

std::string format_sequencer(uint64_t value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "00";
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(value >> shift) & 15]);
  return out;
}

std::string Sequencer::next(time_point now) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  if (ns < 0) ns = 0;
  uint64_t seconds = static_cast<uint64_t>(ns / 1'000'000'000);
  // the sub-second part scaled to 32 bits, so that later times give larger values
  uint64_t fraction = (static_cast<uint64_t>(ns % 1'000'000'000) << 32) / 1'000'000'000;
  uint64_t v = (seconds << 32) | fraction;
  std::lock_guard<std::mutex> lock(mu_);
  if (v <= last_) v = last_ + 1;
  last_ = v;
  return format_sequencer(v);
}

bool NotificationTarget::matches_key(std::string_view key) const {
  if (prefix && !starts_with(key, *prefix)) return false;
  if (suffix && !ends_with(key, *suffix)) return false;
  return true;
}

std::optional<AwsError> parse_notification_configuration(const json& doc, NotificationConfig& out) {
  out = NotificationConfig{};
  if (doc.is_null()) return std::nullopt;
  if (!doc.is_object()) return malformed_xml();
  for (const auto& k : kKinds) {
    auto list = doc.find(k.list);
    if (list == doc.end() || list->is_null()) continue;
    if (!list->is_array()) return malformed_xml();
    for (const auto& c : *list) {
      NotificationTarget t;
      if (auto err = parse_target(c, k, t)) return err;
      out.targets.push_back(std::move(t));
    }
  }
  if (auto eb = doc.find("EventBridgeConfiguration"); eb != doc.end() && !eb->is_null()) {
    if (!eb->is_object()) return malformed_xml();
    out.event_bridge = true;
  }
  return check_overlaps(out.targets);
}

json notification_configuration_document(const NotificationConfig& config) {
  json doc = json::object();
  for (const auto& k : kKinds) {
    json list = json::array();
    for (const auto& t : config.targets) {
      if (t.kind != k.kind) continue;
      json c = {{"Id", t.id}, {k.arn, t.arn}, {"Events", t.events}};
      if (t.prefix || t.suffix) {
        json rules = json::array();
        if (t.prefix) rules.push_back({{"Name", "Prefix"}, {"Value", *t.prefix}});
        if (t.suffix) rules.push_back({{"Name", "Suffix"}, {"Value", *t.suffix}});
        c["Filter"] = {{"Key", {{"FilterRules", std::move(rules)}}}};
      }
      list.push_back(std::move(c));
    }
    if (!list.empty()) doc[k.list] = std::move(list);
  }
  if (config.event_bridge) doc["EventBridgeConfiguration"] = json::object();
  return doc;
}

std::vector<const NotificationTarget*> matching_targets(const NotificationConfig& config, std::string_view event,
                                                        std::string_view key) {
  std::vector<const NotificationTarget*> out;
  for (const auto& t : config.targets) {
    if (!t.matches_key(key)) continue;
    for (const auto& e : t.events) {
      if (event_matches(e, event)) {
        out.push_back(&t);
        break;
      }
    }
  }
  return out;
}

}  // namespace awan::s3
