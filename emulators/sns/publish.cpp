// SNS Publish and PublishBatch: validation of the message, its attributes and its structure,
// FIFO ordering and deduplication, and the fan-out to the topic's matching subscriptions.
// Neighbours: delivery.cpp sends what fan_out queues; filter_policy.cpp matches.
#include <set>

#include "core/arn.hpp"
#include "core/crypto.hpp"
#include "core/document.hpp"
#include "core/ids.hpp"
#include "sns/errors.hpp"
#include "sns/service_impl.hpp"

namespace awan::sns {

namespace {
constexpr size_t kMaxMessageBytes = 262144;
constexpr int64_t kDedupWindowMs = 5 * 60 * 1000;

bool valid_fifo_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

void check_subject(const json& in) {
  auto it = in.find("Subject");
  if (it == in.end()) return;
  const std::string s = it->is_string() ? it->get<std::string>() : std::string();
  if (s.empty() || s.size() > 100) throw errors::invalid_parameter("Subject");
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x7f) throw errors::invalid_parameter("Subject");
  if (s.front() == ' ') throw errors::invalid_parameter("Subject");
}

// MessageStructure=json: an object of protocol → text with a "default" entry.
json parse_structure(const std::string& message) {
  json doc = json::parse(message, nullptr, false);
  if (!doc.is_object()) throw errors::invalid_parameter("Message Structure - JSON message body failed to parse");
  if (!doc.contains("default")) throw errors::invalid_parameter("Message Structure - No default entry in JSON message body");
  for (auto& [k, v] : doc.items())
    if (!v.is_string()) throw errors::invalid_parameter("Message Structure - JSON message body failed to parse");
  return doc;
}

size_t attributes_size(const json& attrs) {
  size_t n = 0;
  for (auto& [name, a] : attrs.items()) {
    n += name.size();
    for (auto& [k, v] : a.items())
      if (v.is_string()) n += v.get_ref<const std::string&>().size();
  }
  return n;
}

bool valid_number(const std::string& v) {
  if (v.empty()) return false;
  size_t used = 0;
  try {
    (void)std::stod(v, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == v.size();
}
}  // namespace

void SnsService::check_message_attributes(const json& attrs) const {
  if (!attrs.is_object()) throw errors::invalid_parameter("MessageAttributes");
  for (auto& [name, a] : attrs.items()) {
    if (name.empty() || name.size() > 256)
      throw errors::invalid_parameter("Message attribute name must be between 1 and 256 characters.");
    for (char c : name)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
        throw errors::invalid_parameter(
            "Invalid non-alphanumeric character '" + std::string(1, c) +
            "' was found in the message attribute name. Can only include alphanumeric characters, hyphens, "
            "underscores, or dots.");
    if (name.front() == '.' || name.back() == '.' || name.find("..") != std::string::npos)
      throw errors::invalid_parameter("The message attribute name '" + name +
                                      "' can not start or end with a period, or have consecutive periods.");
    if (name.rfind("AWS.", 0) == 0 || name.rfind("Amazon.", 0) == 0)
      throw errors::invalid_parameter("The message attribute name '" + name + "' is reserved.");
    std::string type = a.is_object() ? text_of(a, "DataType") : "";
    if (type.empty())
      throw errors::invalid_parameter("The message attribute '" + name +
                                      "' must contain non-empty message attribute type.");
    std::string base = type.substr(0, type.find('.'));
    bool is_array = type == "String.Array";
    if (base != "String" && base != "Number" && base != "Binary")
      throw errors::invalid_parameter("The message attribute '" + name +
                                      "' has an invalid message attribute type, the set of supported type prefixes "
                                      "is Binary, Number, and String.");
    if (base == "Binary") {
      std::string v = text_of(a, "BinaryValue");
      if (v.empty() || !crypto::base64_decode(v))
        throw errors::invalid_parameter("The message attribute '" + name +
                                        "' must contain non-empty message attribute value for message attribute "
                                        "type 'Binary'.");
      continue;
    }
    std::string v = text_of(a, "StringValue");
    if (v.empty())
      throw errors::invalid_parameter("The message attribute '" + name +
                                      "' must contain non-empty message attribute value for message attribute "
                                      "type '" + base + "'.");
    if (base == "Number" && !valid_number(v))
      throw errors::invalid_parameter("Could not cast message attribute '" + name + "' value to number.");
    if (is_array) {
      json arr = json::parse(v, nullptr, false);
      bool ok = arr.is_array();
      if (ok)
        for (const auto& e : arr)
          if (e.is_object() || e.is_array()) ok = false;
      if (!ok)
        throw errors::invalid_parameter("The message attribute '" + name +
                                        "' with type 'String.Array' must be a JSON array of strings, numbers, "
                                        "true, false or null.");
    }
  }
}

json SnsService::publish_one(Topic& t, const json& entry) {
  std::string message = text_of(entry, "Message");
  if (message.empty()) throw errors::invalid_parameter("Empty message");
  check_subject(entry);
  json attrs = entry.value("MessageAttributes", json::object());
  if (attrs.is_null()) attrs = json::object();
  check_message_attributes(attrs);
  if (message.size() + attributes_size(attrs) > kMaxMessageBytes) throw errors::invalid_parameter("Message too long");
  auto m = std::make_shared<Message>();
  if (auto structure = text_of(entry, "MessageStructure"); !structure.empty()) {
    if (structure != "json") throw errors::invalid_parameter("MessageStructure");
    m->structured = parse_structure(message);
  }
  std::string group = text_of(entry, "MessageGroupId"), dedup = text_of(entry, "MessageDeduplicationId");
  if (t.row.fifo) {
    if (group.empty()) throw errors::invalid_parameter("The MessageGroupId parameter is required for FIFO topics");
    if (!valid_fifo_id(group)) throw errors::invalid_parameter("MessageGroupId");
    if (dedup.empty() && !t.content_dedup)
      throw errors::invalid_parameter(
          "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided "
          "explicitly");
    if (!dedup.empty() && !valid_fifo_id(dedup)) throw errors::invalid_parameter("MessageDeduplicationId");
    if (dedup.empty()) dedup = crypto::sha256_hex(message);
  } else {
    if (entry.contains("MessageDeduplicationId"))
      throw errors::invalid_parameter(
          "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid "
          "for this topic type");
    if (!group.empty() && !valid_fifo_id(group)) throw errors::invalid_parameter("MessageGroupId");
  }
  int64_t now = now_ms();
  if (t.row.fifo) {
    std::string key = t.arn + "\n" + dedup;
    auto it = fifo_dedup_.find(key);
    if (it != fifo_dedup_.end() && it->second.second > now)
      return {{"MessageId", it->second.first}, {"SequenceNumber", fifo_sequence(t)}};
    if (fifo_dedup_.size() > 100000)
      for (auto i = fifo_dedup_.begin(); i != fifo_dedup_.end();) i = i->second.second <= now ? fifo_dedup_.erase(i) : std::next(i);
  }
  m->id = ids::uuid4();
  m->topic_arn = t.arn;
  m->subject = text_of(entry, "Subject");
  m->text = std::move(message);
  m->attributes = std::move(attrs);
  m->group_id = std::move(group);
  m->dedup_id = dedup;
  m->timestamp_ms = now;
  m->signature_version = t.signature_version;
  m->account = t.row.account;
  m->region = t.row.region;
  json out = {{"MessageId", m->id}};
  if (t.row.fifo) {
    m->sequence_number = fifo_sequence(t, true);
    out["SequenceNumber"] = m->sequence_number;
    fifo_dedup_[t.arn + "\n" + dedup] = {m->id, now + kDedupWindowMs};
  }
  fan_out(t, m);
  return out;
}

std::string SnsService::fifo_sequence(Topic& t, bool next) {
  if (next) ++t.sequence;
  return std::to_string(10'000'000'000'000'000'000ULL + static_cast<uint64_t>(t.sequence));
}

void SnsService::fan_out(Topic& t, const std::shared_ptr<Message>& m) {
  for (auto& [arn, s] : subscriptions_) {
    if (s->row.topic_arn != t.arn || !s->row.confirmed) continue;
    if (s->filter && !s->filter->matches(m->attributes, m->text_for(s->row.protocol))) continue;
    Delivery d;
    d.message = m;
    d.subscription_arn = arn;
    d.protocol = s->row.protocol;
    d.endpoint = s->row.endpoint;
    d.raw = s->raw;
    d.dead_letter_arn = s->dead_letter_arn;
    if (d.protocol == "http" || d.protocol == "https") {
      DeliveryPolicy p = effective_policy(t.delivery_policy, s->delivery_policy);
      d.retry = p.retry;
      d.content_type = p.content_type;
    }
    outgoing_.push_back(std::move(d));
  }
}

// Publish to a phone number or a platform endpoint: recorded in the delivery log, not sent.
json SnsService::publish_direct(const std::string& target, const std::string& protocol, const json& in) {
  std::string message = text_of(in, "Message");
  if (message.empty()) throw errors::invalid_parameter("Empty message");
  auto m = std::make_shared<Message>();
  m->id = ids::uuid4();
  m->text = message;
  m->subject = text_of(in, "Subject");
  m->timestamp_ms = now_ms();
  m->account = account();
  m->region = region();
  if (auto structure = text_of(in, "MessageStructure"); structure == "json") m->structured = parse_structure(message);
  Delivery d;
  d.message = m;
  d.protocol = protocol;
  d.endpoint = target;
  outgoing_.push_back(std::move(d));
  return {{"MessageId", m->id}};
}

Result SnsService::publish(json& in) {
  std::string topic = text_of(in, "TopicArn"), target = text_of(in, "TargetArn"), phone = text_of(in, "PhoneNumber");
  int given = !topic.empty() + !target.empty() + !phone.empty();
  if (given == 0) throw errors::invalid_parameter("TopicArn or TargetArn Reason: no value for required parameter");
  if (given > 1)
    throw errors::invalid_parameter("TopicArn or TargetArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified");
  if (!phone.empty()) {
    if (phone.size() < 3 || phone.size() > 16 || phone[0] != '+' ||
        phone.find_first_not_of("0123456789", 1) != std::string::npos)
      throw errors::invalid_parameter("PhoneNumber Reason: " + phone + " is not valid to publish to");
    return Result::ok(publish_direct(phone, "sms", in));
  }
  if (!target.empty()) {
    auto a = parse_arn(target);
    if (!a || a->service != "sns") throw errors::invalid_parameter("TargetArn Reason: " + target + " is not a valid ARN");
    if (a->resource.rfind("endpoint/", 0) == 0) {
      if (!store_.record("endpoint", target)) throw errors::not_found("Endpoint does not exist");
      return Result::ok(publish_direct(target, "application", in));
    }
    in["TopicArn"] = target;
  }
  Topic& t = require_topic(in);
  return Result::ok(publish_one(t, in));
}

Result SnsService::publish_batch(json& in) {
  Topic& t = require_topic(in);
  json entries = in.value("PublishBatchRequestEntries", json::array());
  if (!entries.is_array() || entries.empty()) throw errors::empty_batch();
  if (entries.size() > 10) throw errors::too_many_entries();
  std::set<std::string> ids;
  size_t total = 0;
  for (const auto& e : entries) {
    std::string id = text_of(e, "Id");
    if (id.empty() || id.size() > 80 || id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != std::string::npos)
      throw errors::invalid_batch_id();
    if (!ids.insert(id).second) throw errors::ids_not_distinct();
    total += text_of(e, "Message").size() + attributes_size(e.value("MessageAttributes", json::object()));
  }
  if (total > kMaxMessageBytes) throw errors::batch_too_long();
  json ok = json::array(), failed = json::array();
  for (const auto& e : entries) {
    try {
      json out = publish_one(t, e);
      out["Id"] = e["Id"];
      ok.push_back(std::move(out));
    } catch (const AwsError& err) {
      failed.push_back({{"Id", e["Id"]}, {"Code", err.code}, {"Message", err.message}, {"SenderFault", err.sender_fault}});
    }
  }
  return Result::ok({{"Successful", std::move(ok)}, {"Failed", std::move(failed)}});
}

}  // namespace awan::sns
