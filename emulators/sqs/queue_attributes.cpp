// SQS queue attributes (queue_attributes.hpp): queue names, defaults, CreateQueue /
// SetQueueAttributes validation with AWS's messages, redrive and redrive-allow policies.
#include "sqs/queue_attributes.hpp"

#include <algorithm>
#include <cstdint>

namespace awan::sqs {

namespace {

using nlohmann::json;

// AWS raised the maximum (and the default) from 256 KiB to 1 MiB in August 2025.
constexpr int64_t kMaxMessageSize = 1'048'576;
constexpr size_t kMaxQueueName = 80;
constexpr size_t kMaxSourceQueueArns = 10;
constexpr size_t kMaxPolicyStatements = 20;

AwsError invalid_value(std::string message) { return {"InvalidAttributeValue", std::move(message), 400}; }
AwsError invalid_parameter(std::string message) { return {"InvalidParameterValue", std::move(message), 400}; }
AwsError invalid_name(std::string message) { return {"InvalidAttributeName", std::move(message), 400}; }
AwsError bad_parameter(std::string_view name) {
  return invalid_value("Invalid value for the parameter " + std::string(name) + ".");
}
AwsError unknown_attribute(std::string_view name) {
  return invalid_name("Unknown Attribute " + std::string(name) + ".");
}

struct IntRange {
  std::string_view name;
  int64_t min, max;
};
constexpr IntRange kIntRanges[] = {
    {"DelaySeconds", 0, 900},
    {"MaximumMessageSize", 1024, kMaxMessageSize},
    {"MessageRetentionPeriod", 60, 1'209'600},
    {"ReceiveMessageWaitTimeSeconds", 0, 20},
    {"VisibilityTimeout", 0, 43'200},
    {"KmsDataKeyReusePeriodSeconds", 60, 86'400},
};

constexpr std::string_view kStandardAttributes[] = {
    "DelaySeconds",       "MaximumMessageSize",           "MessageRetentionPeriod",
    "Policy",             "ReceiveMessageWaitTimeSeconds", "RedrivePolicy",
    "RedriveAllowPolicy", "VisibilityTimeout",            "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled"};
constexpr std::string_view kFifoAttributes[] = {"FifoQueue", "ContentBasedDeduplication",
                                                "DeduplicationScope", "FifoThroughputLimit"};
constexpr std::string_view kReadOnlyAttributes[] = {
    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn"};

template <size_t N>
bool contains(const std::string_view (&list)[N], std::string_view name) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

// Decimal digits only (AWS refuses signs, spaces and fractions); nullopt otherwise or when huge.
std::optional<int64_t> parse_count(std::string_view s) {
  if (s.empty() || s.size() > 15) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<bool> parse_bool(std::string_view s) {
  auto lower = [](std::string_view in) {
    std::string out(in);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  };
  std::string v = lower(s);
  if (v == "true") return true;
  if (v == "false") return false;
  return std::nullopt;
}

bool is_queue_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// The API's string form of a member of the Attributes map, as AWS's JSON protocol coerces it
// (numbers and booleans become their text); a structure or list is a SerializationException.
std::variant<std::optional<std::string>, AwsError> attribute_text(const json& v) {
  if (v.is_null()) return std::optional<std::string>{};
  if (v.is_string()) return std::optional<std::string>{v.get<std::string>()};
  if (v.is_object()) return AwsError::serialization("Start of structure or map found where not expected.");
  if (v.is_array()) return AwsError::serialization("Unrecognized collection type class java.lang.String");
  return std::optional<std::string>{v.dump()};
}

// "arn:<partition>:sqs:<region>:<account>:<name>"
bool is_sqs_arn(std::string_view arn) {
  size_t fields = 0, start = 0;
  std::string_view parts[6];
  while (fields < 6) {
    size_t colon = fields < 5 ? arn.find(':', start) : arn.size();
    if (colon == std::string_view::npos) return false;
    parts[fields++] = arn.substr(start, colon - start);
    start = colon + 1;
  }
  return parts[0] == "arn" && !parts[1].empty() && parts[2] == "sqs" && !parts[5].empty();
}

std::optional<AwsError> check_policy(const std::string& text) {
  if (text.empty()) return std::nullopt;
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return bad_parameter("Policy");
  auto st = doc.find("Statement");
  if (st != doc.end() && st->is_array() && st->size() > kMaxPolicyStatements)
    return invalid_value(std::to_string(st->size()) +
                         " statements were found in the submitted policy, max allowed is 20");
  return std::nullopt;
}

AwsError redrive_error(std::string_view text, std::string_view reason) {
  return invalid_parameter("Value " + std::string(text) + " for parameter RedrivePolicy is invalid. Reason: " +
                           std::string(reason));
}

AwsError allow_policy_format_error() {
  return invalid_parameter(
      "Invalid value for the parameter RedriveAllowPolicy. Reason: Amazon SQS can't create the redrive "
      "allow policy, as it\u2019s in an unsupported format.");
}

AwsError allow_policy_error(std::string_view text, std::string_view reason) {
  return invalid_parameter("Value " + std::string(text) +
                           " for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't create the "
                           "redrive allow policy. " +
                           std::string(reason));
}

std::optional<AwsError> check_fifo_only(std::string_view name, const std::string& value, bool fifo, bool creating,
                                        const json& attrs) {
  if (!fifo) {
    if (name == "FifoQueue" || name == "ContentBasedDeduplication") return unknown_attribute(name);
    return invalid_name("You can specify the " + std::string(name) + " only when FifoQueue is set to true.");
  }
  if (name == "FifoQueue") {
    auto b = parse_bool(value);
    if (!creating || !b || !*b)
      return invalid_value("Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.");
    return std::nullopt;
  }
  if (name == "ContentBasedDeduplication") {
    if (!parse_bool(value)) return bad_parameter(name);
    return std::nullopt;
  }
  if (name == "DeduplicationScope") {
    if (value != "messageGroup" && value != "queue") return bad_parameter(name);
    return std::nullopt;
  }
  if (value != "perQueue" && value != "perMessageGroupId") return bad_parameter(name);
  if (value == "perMessageGroupId") {
    // The scope this request leaves the queue with: its own value, else queue for a new queue
    // (the default); on SetQueueAttributes without one the current scope is the caller's to check.
    std::optional<std::string> scope;
    if (auto it = attrs.find("DeduplicationScope"); it != attrs.end() && it->is_string()) scope = it->get<std::string>();
    if (!scope && creating) scope = "queue";
    if (scope && *scope != "messageGroup")
      return invalid_value(
          "Invalid value for the parameter FifoThroughputLimit. Reason: The perMessageGroupId value is allowed "
          "only when the value for DeduplicationScope is messageGroup.");
  }
  return std::nullopt;
}

}  // namespace

std::optional<AwsError> check_queue_name(std::string_view name) {
  bool fifo = name.ends_with(".fifo");
  std::string_view base = fifo ? name.substr(0, name.size() - 5) : name;
  bool ok = !base.empty() && name.size() <= kMaxQueueName && std::all_of(base.begin(), base.end(), is_queue_name_char);
  if (ok) return std::nullopt;
  if (name.empty()) return invalid_parameter("Queue name cannot be empty");
  if (fifo)
    return invalid_parameter(
        "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end "
        "with .fifo suffix and be 1 to 80 in length");
  return invalid_parameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
}

nlohmann::json default_attributes(bool fifo) {
  json out = {{"DelaySeconds", "0"},
              {"MaximumMessageSize", std::to_string(kMaxMessageSize)},
              {"MessageRetentionPeriod", "345600"},
              {"ReceiveMessageWaitTimeSeconds", "0"},
              {"VisibilityTimeout", "30"},
              {"SqsManagedSseEnabled", "true"}};
  if (fifo) {
    out["FifoQueue"] = "true";
    out["ContentBasedDeduplication"] = "false";
    out["DeduplicationScope"] = "queue";
    out["FifoThroughputLimit"] = "perQueue";
  }
  return out;
}

std::optional<AwsError> check_queue_attributes(const nlohmann::json& attrs, bool fifo, bool creating) {
  if (attrs.is_null()) return std::nullopt;
  if (attrs.is_array()) return AwsError::serialization("Start of list found where not expected.");
  if (!attrs.is_object()) return AwsError::serialization("Attributes must be a map of strings.");
  bool sse_enabled = false, kms_key = false;
  for (auto it = attrs.begin(); it != attrs.end(); ++it) {
    const std::string& name = it.key();
    bool standard = contains(kStandardAttributes, name);
    if (!standard && !contains(kFifoAttributes, name)) return unknown_attribute(name);
    auto text = attribute_text(it.value());
    if (auto* err = std::get_if<AwsError>(&text)) return *err;
    const auto& value = std::get<std::optional<std::string>>(text);
    if (!value) continue;
    if (!standard) {
      if (auto err = check_fifo_only(name, *value, fifo, creating, attrs)) return err;
      continue;
    }
    if (auto range = std::find_if(std::begin(kIntRanges), std::end(kIntRanges),
                                  [&](const IntRange& r) { return r.name == name; });
        range != std::end(kIntRanges)) {
      auto n = parse_count(*value);
      if (!n || *n < range->min || *n > range->max) return bad_parameter(name);
    } else if (name == "SqsManagedSseEnabled") {
      auto b = parse_bool(*value);
      if (!b) return bad_parameter(name);
      sse_enabled = *b;
    } else if (name == "KmsMasterKeyId") {
      kms_key = !value->empty();
    } else if (name == "Policy") {
      if (auto err = check_policy(*value)) return err;
    } else if (name == "RedrivePolicy") {
      auto parsed = parse_redrive_policy(*value);
      if (auto* err = std::get_if<AwsError>(&parsed)) return *err;
    } else if (name == "RedriveAllowPolicy") {
      auto parsed = parse_redrive_allow_policy(*value);
      if (auto* err = std::get_if<AwsError>(&parsed)) return *err;
    }
  }
  if (sse_enabled && kms_key)
    return invalid_name(
        "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS "
        "SSE.");
  return std::nullopt;
}

std::variant<std::optional<RedrivePolicy>, AwsError> parse_redrive_policy(std::string_view text) {
  if (text.empty()) return std::optional<RedrivePolicy>{};
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return invalid_parameter(
        "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.");
  auto count = doc.find("maxReceiveCount");
  if (count == doc.end())
    return redrive_error(text, "Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  auto arn = doc.find("deadLetterTargetArn");
  if (arn == doc.end())
    return redrive_error(text, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key() != "maxReceiveCount" && it.key() != "deadLetterTargetArn")
      return redrive_error(text, "Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn].");
  std::string count_text = count->is_string() ? count->get<std::string>() : count->dump();
  std::optional<int64_t> n;
  if (count->is_number_integer() || count->is_string()) n = parse_count(count_text);
  if (!n || *n < 1 || *n > 1000)
    return redrive_error(text, "Invalid value for maxReceiveCount: " + count_text +
                                   ", valid values are from 1 to 1000 both inclusive.");
  if (!arn->is_string() || !is_sqs_arn(arn->get_ref<const std::string&>()))
    return redrive_error(text, "Only SQS queues are valid resources for deadLetterTargetArn.");
  return std::optional<RedrivePolicy>{RedrivePolicy{arn->get<std::string>(), static_cast<int>(*n)}};
}

bool RedriveAllowPolicy::allows(std::string_view source_queue_arn) const {
  if (permission == "allowAll") return true;
  if (permission == "denyAll") return false;
  return std::find(source_arns.begin(), source_arns.end(), source_queue_arn) != source_arns.end();
}

std::variant<std::optional<RedriveAllowPolicy>, AwsError> parse_redrive_allow_policy(std::string_view text) {
  if (text.empty()) return std::optional<RedriveAllowPolicy>{};
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return allow_policy_format_error();
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key() != "redrivePermission" && it.key() != "sourceQueueArns") return allow_policy_format_error();
  auto perm = doc.find("redrivePermission");
  if (perm == doc.end() || !perm->is_string()) return allow_policy_format_error();
  RedriveAllowPolicy out;
  out.permission = perm->get<std::string>();
  if (out.permission != "allowAll" && out.permission != "denyAll" && out.permission != "byQueue")
    return allow_policy_format_error();
  auto arns = doc.find("sourceQueueArns");
  if (arns != doc.end()) {
    if (!arns->is_array()) return allow_policy_format_error();
    for (const auto& a : *arns) {
      if (!a.is_string()) return allow_policy_format_error();
      out.source_arns.push_back(a.get<std::string>());
    }
  }
  if (out.permission == "byQueue") {
    if (out.source_arns.empty())
      return allow_policy_error(text,
                                "When you specify the byQueue permission type, you must also specify one or more "
                                "sourceQueueArns values.");
    if (out.source_arns.size() > kMaxSourceQueueArns)
      return allow_policy_error(text, "The maximum number of source queue ARNs you can specify is 10.");
  } else if (!out.source_arns.empty()) {
    return allow_policy_error(text,
                              "To specify one or more source queue ARNs, you must set redrivePermission to byQueue.");
  }
  return std::optional<RedriveAllowPolicy>{std::move(out)};
}

std::optional<AwsError> check_attribute_names(const std::vector<std::string>& names) {
  for (const auto& name : names) {
    if (name == "All" || contains(kStandardAttributes, name) || contains(kFifoAttributes, name) ||
        contains(kReadOnlyAttributes, name))
      continue;
    return unknown_attribute(name);
  }
  return std::nullopt;
}

}  // namespace awan::sqs
