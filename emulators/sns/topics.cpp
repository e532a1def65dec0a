// SNS topics: CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes, tags, permissions
// and data protection policies. Neighbours: subscriptions.cpp, publish.cpp.
#include <set>

#include "core/arn.hpp"
#include "core/document.hpp"
#include "sns/errors.hpp"
#include "sns/service_impl.hpp"

namespace awan::sns {

namespace {
const std::set<std::string>& settable_topic_attributes() {
  static const std::set<std::string> names = {
      "DeliveryPolicy", "DisplayName", "Policy", "TracingConfig", "KmsMasterKeyId", "SignatureVersion",
      "ContentBasedDeduplication", "FifoTopic", "ArchivePolicy", "FifoThroughputScope", "DataProtectionPolicy",
      "HTTPSuccessFeedbackRoleArn", "HTTPSuccessFeedbackSampleRate", "HTTPFailureFeedbackRoleArn",
      "LambdaSuccessFeedbackRoleArn", "LambdaSuccessFeedbackSampleRate", "LambdaFailureFeedbackRoleArn",
      "SQSSuccessFeedbackRoleArn", "SQSSuccessFeedbackSampleRate", "SQSFailureFeedbackRoleArn",
      "ApplicationSuccessFeedbackRoleArn", "ApplicationSuccessFeedbackSampleRate",
      "ApplicationFailureFeedbackRoleArn", "FirehoseSuccessFeedbackRoleArn", "FirehoseSuccessFeedbackSampleRate",
      "FirehoseFailureFeedbackRoleArn"};
  return names;
}

bool valid_topic_name(const std::string& name, bool fifo) {
  std::string_view base(name);
  if (fifo) {
    if (base.size() < 5 || base.substr(base.size() - 5) != ".fifo") return false;
    base.remove_suffix(5);
  }
  if (base.empty() || name.size() > 256) return false;
  for (char c : base)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

// A Tags list [{Key, Value}] as an object, checked as AWS checks it.
json tag_object(const json& tags) {
  json out = json::object();
  if (!tags.is_array()) return out;
  for (const auto& t : tags) {
    std::string key = text_of(t, "Key"), value = text_of(t, "Value");
    if (key.empty() || key.size() > 128) throw errors::invalid_parameter("Tags Reason: Tag keys must be between 1 and 128 characters");
    if (value.size() > 256) throw errors::invalid_parameter("Tags Reason: Tag values must be at most 256 characters");
    if (key.rfind("aws:", 0) == 0) throw errors::invalid_parameter("Tags Reason: Tag keys must not start with aws:");
    out[key] = value;
  }
  return out;
}

json tag_list(const json& tags) {
  json out = json::array();
  for (auto& [k, v] : tags.items()) out.push_back({{"Key", k}, {"Value", v}});
  return out;
}

void check_tag_count(const json& tags) {
  if (tags.size() > 50)
    throw AwsError("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded", 400);
}
}  // namespace

json SnsService::default_policy(const Topic& t) const {
  return {{"Version", "2008-10-17"},
          {"Id", "__default_policy_ID"},
          {"Statement",
           json::array({{{"Sid", "__default_statement_ID"},
                         {"Effect", "Allow"},
                         {"Principal", {{"AWS", "*"}}},
                         {"Action", json::array({"SNS:GetTopicAttributes", "SNS:SetTopicAttributes",
                                                 "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic",
                                                 "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"})},
                         {"Resource", t.arn},
                         {"Condition", {{"StringEquals", {{"AWS:SourceOwner", t.row.account}}}}}}})}};
}

// One topic attribute, as CreateTopic and SetTopicAttributes check it.
static void check_topic_attribute(const std::string& name, const std::string& value, bool fifo, bool creating) {
  if (!settable_topic_attributes().count(name) || (name == "FifoTopic" && !creating))
    throw errors::invalid_parameter("AttributeName");
  auto boolean = [&] {
    if (value != "true" && value != "false")
      throw errors::invalid_parameter("Attributes Reason: " + name + ": Invalid value [" + value +
                                      "]. Must be true or false.");
  };
  if (name == "FifoTopic") boolean();
  if (name == "ContentBasedDeduplication") {
    boolean();
    if (!fifo)
      throw errors::invalid_parameter(
          "ContentBasedDeduplication Reason: Content based deduplication can only be set for FIFO topics");
  }
  if ((name == "ArchivePolicy" || name == "FifoThroughputScope") && !fifo)
    throw errors::invalid_parameter("Attributes Reason: " + name + " is only supported for FIFO topics");
  if (name == "FifoThroughputScope" && value != "Topic" && value != "MessageGroup")
    throw errors::invalid_parameter("Attributes Reason: FifoThroughputScope: Invalid value [" + value +
                                    "]. Valid values: [Topic, MessageGroup]");
  if (name == "SignatureVersion" && value != "1" && value != "2")
    throw errors::invalid_parameter("Attributes Reason: SignatureVersion: Invalid value [" + value +
                                    "]. Valid values: [1, 2]");
  if (name == "TracingConfig" && value != "PassThrough" && value != "Active")
    throw errors::invalid_parameter("Attributes Reason: TracingConfig: Invalid value [" + value +
                                    "]. Valid values: [PassThrough, Active]");
  if (name == "DisplayName" && value.size() > 100)
    throw errors::invalid_parameter("DisplayName Reason: DisplayName must be at most 100 characters");
  if ((name == "Policy" || name == "DataProtectionPolicy" || name == "ArchivePolicy") && !value.empty()) {
    json doc = json::parse(value, nullptr, false);
    if (!doc.is_object()) throw errors::invalid_parameter(name + ": " + name + " is not a valid JSON document");
  }
  if (name == "DeliveryPolicy" && !value.empty())
    if (auto p = parse_delivery_policy(value, true); std::holds_alternative<AwsError>(p)) throw std::get<AwsError>(p);
}

Result SnsService::create_topic(json& in) {
  std::string name = text_of(in, "Name");
  json attrs = in.value("Attributes", json::object());
  if (!attrs.is_object()) attrs = json::object();
  bool fifo = attrs.value("FifoTopic", "") == "true";
  if (name.empty()) throw errors::missing("Name");
  if (fifo && !valid_topic_name(name, true))
    throw errors::invalid_parameter(
        "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, "
        "numbers, underscores, and hyphens, and must be between 1 and 256 characters long.");
  if (!fifo && !valid_topic_name(name, false)) throw errors::invalid_parameter("Topic Name");
  for (auto& [k, v] : attrs.items()) {
    if (!v.is_string()) throw errors::invalid_parameter("Attributes");
    check_topic_attribute(k, v.get<std::string>(), fifo, true);
  }
  json tags = tag_object(in.value("Tags", json::array()));
  check_tag_count(tags);
  std::string arn = "arn:aws:sns:" + region() + ":" + account() + ":" + name;
  if (Topic* existing = topic_by_arn(arn)) {
    for (auto& [k, v] : attrs.items())
      if (existing->row.attributes.value(k, "") != v.get<std::string>() && !(k == "FifoTopic" && v == "true"))
        throw errors::invalid_parameter("Attributes Reason: Topic already exists with different attributes");
    for (auto& [k, v] : tags.items())
      if (existing->row.tags.value(k, "") != v.get<std::string>())
        throw errors::invalid_parameter("Tags Reason: Topic already exists with different tags");
    return Result::ok({{"TopicArn", arn}});
  }
  auto t = std::make_unique<Topic>();
  t->row.account = account();
  t->row.region = region();
  t->row.name = name;
  t->row.fifo = fifo;
  attrs.erase("FifoTopic");
  t->row.attributes = std::move(attrs);
  t->row.tags = std::move(tags);
  t->row.created_ms = now_ms();
  store_.insert_topic(t->row);
  t->refresh();
  topics_[arn] = std::move(t);
  return Result::ok({{"TopicArn", arn}});
}

Result SnsService::delete_topic(json& in) {
  Topic* t = nullptr;
  try {
    t = &require_topic(in);
  } catch (const AwsError& e) {
    if (e.code == "NotFound") return Result::ok();  // deleting a topic that does not exist is no error
    throw;
  }
  std::vector<std::string> subs;
  for (auto& [arn, s] : subscriptions_)
    if (s->row.topic_arn == t->arn) subs.push_back(arn);
  storage::Transaction tx(store_.db());
  for (auto& arn : subs) delete_subscription(arn);
  store_.delete_topic(t->row.id);
  tx.commit();
  topics_.erase(t->arn);
  return Result::ok();
}

Result SnsService::list_topics(json& in) {
  std::string prefix = "arn:aws:sns:" + region() + ":" + account() + ":";
  std::string token = text_of(in, "NextToken");
  auto it = token.empty() ? topics_.lower_bound(prefix) : topics_.lower_bound(token);
  if (!token.empty() && token.rfind(prefix, 0) != 0) throw errors::invalid_parameter("NextToken");
  json list = json::array();
  for (; it != topics_.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    if (list.size() == 100) {
      return Result::ok({{"Topics", std::move(list)}, {"NextToken", it->first}});
    }
    list.push_back({{"TopicArn", it->first}});
  }
  return Result::ok({{"Topics", std::move(list)}});
}

Result SnsService::get_topic_attributes(json& in) {
  Topic& t = require_topic(in);
  json a = json::object();
  int confirmed = 0, pending = 0;
  for (auto& [arn, s] : subscriptions_)
    if (s->row.topic_arn == t.arn) ++(s->row.confirmed ? confirmed : pending);
  a["TopicArn"] = t.arn;
  a["Owner"] = t.row.account;
  a["Policy"] = default_policy(t).dump();
  a["DisplayName"] = "";
  a["SubscriptionsConfirmed"] = std::to_string(confirmed);
  a["SubscriptionsPending"] = std::to_string(pending);
  a["SubscriptionsDeleted"] = "0";
  a["TracingConfig"] = "PassThrough";
  DeliveryPolicy effective = effective_policy(t.delivery_policy, std::nullopt);
  json http = {{"defaultHealthyRetryPolicy", effective_policy_json(effective)["healthyRetryPolicy"]},
               {"disableSubscriptionOverrides", effective.disable_subscription_overrides},
               {"defaultRequestPolicy", {{"headerContentType", effective.content_type}}}};
  a["EffectiveDeliveryPolicy"] = json{{"http", http}}.dump();
  if (t.row.fifo) {
    a["FifoTopic"] = "true";
    a["ContentBasedDeduplication"] = "false";
  }
  for (auto& [k, v] : t.row.attributes.items()) a[k] = v;
  return Result::ok({{"Attributes", std::move(a)}});
}

Result SnsService::set_topic_attributes(json& in) {
  Topic& t = require_topic(in);
  std::string name = text_of(in, "AttributeName");
  if (name.empty()) throw errors::missing("AttributeName");
  std::string value = text_of(in, "AttributeValue");
  check_topic_attribute(name, value, t.row.fifo, false);
  if (value.empty() && name != "DisplayName") {
    t.row.attributes.erase(name);
  } else {
    t.row.attributes[name] = value;
  }
  store_.update_topic(t.row);
  t.refresh();
  return Result::ok();
}

Result SnsService::tag_resource(json& in) {
  std::string arn = text_of(in, "ResourceArn");
  Topic* t = topic_by_arn(arn);
  if (!t) throw errors::resource_not_found();
  json tags = t->row.tags;
  tags.update(tag_object(in.value("Tags", json::array())));
  check_tag_count(tags);
  t->row.tags = std::move(tags);
  store_.update_topic(t->row);
  return Result::ok();
}

Result SnsService::untag_resource(json& in) {
  std::string arn = text_of(in, "ResourceArn");
  Topic* t = topic_by_arn(arn);
  if (!t) throw errors::resource_not_found();
  for (const auto& k : in.value("TagKeys", json::array()))
    if (k.is_string()) t->row.tags.erase(k.get<std::string>());
  store_.update_topic(t->row);
  return Result::ok();
}

Result SnsService::list_tags_for_resource(json& in) {
  std::string arn = text_of(in, "ResourceArn");
  Topic* t = topic_by_arn(arn);
  if (!t) throw errors::resource_not_found();
  return Result::ok({{"Tags", tag_list(t->row.tags)}});
}

namespace {
// The statements of a Policy document the caller set: one statement object or a list; anything
// else holds none (SetTopicAttributes only checked that the document is a JSON object).
json statements_of(const json& policy) {
  auto it = policy.find("Statement");
  if (it == policy.end()) return json::array();
  if (it->is_object()) return json::array({*it});
  return it->is_array() ? *it : json::array();
}
}  // namespace

// AddPermission / RemovePermission edit the topic's Policy document by statement label.
Result SnsService::add_permission(json& in) {
  Topic& t = require_topic(in);
  std::string label = text_of(in, "Label");
  if (label.empty()) throw errors::missing("Label");
  json accounts = in.value("AWSAccountId", json::array()), actions = in.value("ActionName", json::array());
  if (!accounts.is_array() || accounts.empty()) throw errors::missing("AWSAccountId");
  if (!actions.is_array() || actions.empty()) throw errors::missing("ActionName");
  json policy = json::parse(t.row.attributes.value("Policy", ""), nullptr, false);
  if (!policy.is_object()) policy = default_policy(t);
  policy["Statement"] = statements_of(policy);
  for (const auto& st : policy["Statement"])
    if (text_of(st, "Sid") == label) throw errors::invalid_parameter("Statement already exists");
  json principals = json::array(), acts = json::array();
  for (const auto& a : accounts) principals.push_back("arn:aws:iam::" + a.get<std::string>() + ":root");
  for (const auto& a : actions) acts.push_back("SNS:" + a.get<std::string>());
  policy["Statement"].push_back({{"Sid", label},
                                 {"Effect", "Allow"},
                                 {"Principal", {{"AWS", principals}}},
                                 {"Action", acts},
                                 {"Resource", t.arn}});
  t.row.attributes["Policy"] = policy.dump();
  store_.update_topic(t.row);
  return Result::ok();
}

Result SnsService::remove_permission(json& in) {
  Topic& t = require_topic(in);
  std::string label = text_of(in, "Label");
  if (label.empty()) throw errors::missing("Label");
  json policy = json::parse(t.row.attributes.value("Policy", ""), nullptr, false);
  if (!policy.is_object() || !policy.contains("Statement")) return Result::ok();
  json kept = json::array();
  for (const auto& st : statements_of(policy))
    if (text_of(st, "Sid") != label) kept.push_back(st);
  policy["Statement"] = std::move(kept);
  t.row.attributes["Policy"] = policy.dump();
  store_.update_topic(t.row);
  return Result::ok();
}

Result SnsService::get_data_protection_policy(json& in) {
  Topic& t = require_topic(in, "ResourceArn");
  return Result::ok({{"DataProtectionPolicy", t.row.attributes.value("DataProtectionPolicy", "")}});
}

Result SnsService::put_data_protection_policy(json& in) {
  Topic& t = require_topic(in, "ResourceArn");
  std::string policy = text_of(in, "DataProtectionPolicy");
  check_topic_attribute("DataProtectionPolicy", policy, t.row.fifo, false);
  t.row.attributes["DataProtectionPolicy"] = policy;
  store_.update_topic(t.row);
  return Result::ok();
}

}  // namespace awan::sns
