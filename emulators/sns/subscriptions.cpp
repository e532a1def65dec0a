// SNS subscriptions: Subscribe, ConfirmSubscription, Unsubscribe, ListSubscriptions(ByTopic),
// Get/SetSubscriptionAttributes. Neighbours: topics.cpp, delivery.cpp (confirmations).
#include <set>

#include "core/arn.hpp"
#include "core/crypto.hpp"
#include "core/document.hpp"
#include "core/ids.hpp"
#include "sns/errors.hpp"
#include "sns/service_impl.hpp"

namespace awan::sns {

namespace {
bool needs_confirmation(const std::string& protocol) {
  return protocol == "http" || protocol == "https" || protocol == "email" || protocol == "email-json";
}

bool is_e164(const std::string& number) {
  if (number.size() < 3 || number.size() > 16 || number[0] != '+') return false;
  for (size_t i = 1; i < number.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(number[i]))) return false;
  return true;
}

void check_endpoint(const std::string& protocol, const std::string& endpoint, bool fifo_topic) {
  static const std::set<std::string> kProtocols = {"http", "https", "email", "email-json", "sms",
                                                   "sqs",  "application", "lambda", "firehose"};
  if (!kProtocols.count(protocol))
    throw errors::invalid_parameter("Amazon SNS does not support this protocol string: " + protocol);
  if (fifo_topic && protocol != "sqs" && protocol != "firehose")
    throw errors::invalid_parameter("Invalid protocol type: " + protocol);
  if (endpoint.empty()) throw errors::invalid_parameter("Endpoint Reason: no value for required parameter");
  auto arn_of = [&](const char* service, const char* what) {
    auto a = parse_arn(endpoint);
    if (!a || a->service != service) throw errors::invalid_parameter(std::string(what) + " endpoint ARN");
  };
  if (protocol == "http" && endpoint.rfind("http://", 0) != 0)
    throw errors::invalid_parameter("Endpoint must match the specified protocol");
  if (protocol == "https" && endpoint.rfind("https://", 0) != 0)
    throw errors::invalid_parameter("Endpoint must match the specified protocol");
  if ((protocol == "email" || protocol == "email-json") &&
      (endpoint.find('@') == std::string::npos || endpoint.find_first_of(" \r\n<>,;") != std::string::npos))
    throw errors::invalid_parameter("Email address");
  if (protocol == "sms" && !is_e164(endpoint)) throw errors::invalid_parameter("Invalid SMS endpoint: " + endpoint);
  if (protocol == "sqs") arn_of("sqs", "SQS");
  if (protocol == "lambda") arn_of("lambda", "Lambda");
  if (protocol == "firehose") arn_of("firehose", "Firehose");
  if (protocol == "application") arn_of("sns", "Application");
}

json subscription_entry(const Subscription& s) {
  return {{"SubscriptionArn", s.row.confirmed ? s.row.arn : std::string("PendingConfirmation")},
          {"Owner", s.row.owner},
          {"Protocol", s.row.protocol},
          {"Endpoint", s.row.endpoint},
          {"TopicArn", s.row.topic_arn}};
}
}  // namespace

void SnsService::check_subscription_attribute(const std::string& name, const std::string& value,
                                              const std::string& protocol, bool fifo_topic) {
  static const std::set<std::string> kNames = {"DeliveryPolicy", "FilterPolicy",        "FilterPolicyScope",
                                               "RawMessageDelivery", "RedrivePolicy",  "SubscriptionRoleArn",
                                               "ReplayPolicy"};
  if (!kNames.count(name)) throw errors::invalid_parameter("AttributeName");
  if (name == "RawMessageDelivery") {
    if (value != "true" && value != "false")
      throw errors::invalid_parameter("Attributes Reason: RawMessageDelivery: Invalid value [" + value +
                                      "]. Must be true or false.");
    if (value == "true" && protocol != "sqs" && protocol != "http" && protocol != "https" && protocol != "firehose")
      throw errors::invalid_parameter("Attributes Reason: Delivery protocol [" + protocol +
                                      "] does not support raw message delivery.");
  } else if (name == "FilterPolicyScope") {
    if (!parse_filter_scope(value))
      throw errors::invalid_parameter("Attributes Reason: FilterPolicyScope: Invalid value [" + value +
                                      "]. Please use either MessageBody or MessageAttributes");
  } else if (name == "DeliveryPolicy") {
    if (protocol != "http" && protocol != "https")
      throw errors::invalid_parameter("DeliveryPolicy: Delivery policy can only be set for HTTP/S subscriptions");
    if (!value.empty())
      if (auto p = parse_delivery_policy(value, false); std::holds_alternative<AwsError>(p))
        throw std::get<AwsError>(p);
  } else if (name == "RedrivePolicy" && !value.empty()) {
    json p = json::parse(value, nullptr, false);
    if (!p.is_object()) throw errors::invalid_parameter("RedrivePolicy: Redrive policy is not a valid JSON object");
    auto target = p.find("deadLetterTargetArn");
    if (target == p.end() || !target->is_string())
      throw errors::invalid_parameter("RedrivePolicy: deadLetterTargetArn is missing");
    auto a = parse_arn(target->get<std::string>());
    if (!a || a->service != "sqs" || a->resource.empty())
      throw errors::invalid_parameter("RedrivePolicy: deadLetterTargetArn is an invalid arn");
    if (fifo_topic != (a->resource.size() > 5 && a->resource.substr(a->resource.size() - 5) == ".fifo"))
      throw errors::invalid_parameter(
          "RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.");
  } else if (name == "SubscriptionRoleArn" && protocol != "firehose") {
    throw errors::invalid_parameter("Attributes Reason: SubscriptionRoleArn can only be set for firehose subscriptions");
  }
}

// A FilterPolicy under the scope among `attrs` (FilterPolicyScope, default MessageAttributes).
static void check_filter_policy(const json& attrs) {
  std::string text = attrs.value("FilterPolicy", "");
  if (text.empty()) return;
  auto scope = parse_filter_scope(attrs.value("FilterPolicyScope", "MessageAttributes"));
  if (auto p = parse_filter_policy(text, scope.value_or(FilterScope::MessageAttributes));
      std::holds_alternative<AwsError>(p))
    throw std::get<AwsError>(p);
}

Result SnsService::subscribe(json& in) {
  Topic& t = require_topic(in);
  std::string protocol = text_of(in, "Protocol");
  if (protocol.empty()) throw errors::missing("Protocol");
  std::string endpoint = text_of(in, "Endpoint");
  check_endpoint(protocol, endpoint, t.row.fifo);
  json attrs = in.value("Attributes", json::object());
  if (!attrs.is_object()) attrs = json::object();
  for (auto& [k, v] : attrs.items()) {
    if (!v.is_string()) throw errors::invalid_parameter("Attributes");
    check_subscription_attribute(k, v.get<std::string>(), protocol, t.row.fifo);
  }
  check_filter_policy(attrs);
  bool return_arn = in.value("ReturnSubscriptionArn", false) == true;
  for (auto& [arn, s] : subscriptions_) {
    if (s->row.topic_arn != t.arn || s->row.protocol != protocol || s->row.endpoint != endpoint) continue;
    for (auto& [k, v] : attrs.items())
      if (s->row.attributes.value(k, "") != v.get<std::string>())
        throw errors::invalid_parameter("Attributes Reason: Subscription already exists with different attributes");
    if (!s->row.confirmed && !return_arn) return Result::ok({{"SubscriptionArn", "pending confirmation"}});
    return Result::ok({{"SubscriptionArn", arn}});
  }
  auto s = std::make_unique<Subscription>();
  s->row.arn = t.arn + ":" + ids::uuid4();
  s->row.topic_arn = t.arn;
  s->row.owner = account();
  s->row.protocol = protocol;
  s->row.endpoint = endpoint;
  s->row.confirmed = !needs_confirmation(protocol) || env_.sns_auto_confirm;
  if (!s->row.confirmed) s->row.token = crypto::hex(crypto::random_bytes(64));
  s->row.attributes = std::move(attrs);
  s->row.created_ms = now_ms();
  store_.put_subscription(s->row);
  s->refresh();
  Subscription& ref = *s;
  subscriptions_[ref.row.arn] = std::move(s);
  if (!ref.row.confirmed) send_confirmation(ref, DeliveryKind::SubscriptionConfirmation);
  if (!ref.row.confirmed && !return_arn) return Result::ok({{"SubscriptionArn", "pending confirmation"}});
  return Result::ok({{"SubscriptionArn", ref.row.arn}});
}

Result SnsService::confirm_subscription(json& in) {
  Topic& t = require_topic(in);
  std::string token = text_of(in, "Token");
  if (token.empty()) throw errors::missing("Token");
  for (auto& [arn, s] : subscriptions_) {
    if (s->row.topic_arn != t.arn || s->row.token.empty() || !crypto::constant_time_equals(s->row.token, token))
      continue;
    if (!s->row.confirmed) {
      s->row.confirmed = true;
      if (text_of(in, "AuthenticateOnUnsubscribe") == "true") s->row.attributes["ConfirmationWasAuthenticated"] = "true";
      store_.put_subscription(s->row);
    }
    return Result::ok({{"SubscriptionArn", arn}});
  }
  throw errors::invalid_parameter("Token");
}

void SnsService::delete_subscription(const std::string& arn) {
  store_.delete_subscription(arn);
  subscriptions_.erase(arn);
}

Result SnsService::unsubscribe(json& in) {
  Subscription& s = require_subscription(in);
  if (s.row.confirmed && (s.row.protocol == "http" || s.row.protocol == "https"))
    send_confirmation(s, DeliveryKind::UnsubscribeConfirmation);
  delete_subscription(s.row.arn);
  return Result::ok();
}

json SnsService::list_page(const json& in, const std::string& topic_arn) {
  std::string token = text_of(in, "NextToken");
  auto it = token.empty() ? subscriptions_.begin() : subscriptions_.lower_bound(token);
  if (!token.empty() && it == subscriptions_.end() && !subscriptions_.empty() && token > subscriptions_.rbegin()->first)
    throw errors::invalid_parameter("NextToken");
  std::string prefix = "arn:aws:sns:" + region() + ":" + account() + ":";
  json list = json::array();
  for (; it != subscriptions_.end(); ++it) {
    const Subscription& s = *it->second;
    if (topic_arn.empty() ? s.row.topic_arn.rfind(prefix, 0) != 0 : s.row.topic_arn != topic_arn) continue;
    if (list.size() == 100) return {{"Subscriptions", std::move(list)}, {"NextToken", it->first}};
    list.push_back(subscription_entry(s));
  }
  return {{"Subscriptions", std::move(list)}};
}

Result SnsService::list_subscriptions(json& in) { return Result::ok(list_page(in, "")); }

Result SnsService::list_subscriptions_by_topic(json& in) {
  Topic& t = require_topic(in);
  return Result::ok(list_page(in, t.arn));
}

Result SnsService::get_subscription_attributes(json& in) {
  Subscription& s = require_subscription(in);
  Topic* t = topic_by_arn(s.row.topic_arn);
  json a = {{"SubscriptionArn", s.row.arn},
            {"TopicArn", s.row.topic_arn},
            {"Owner", s.row.owner},
            {"Protocol", s.row.protocol},
            {"Endpoint", s.row.endpoint},
            {"ConfirmationWasAuthenticated", s.row.confirmed && !needs_confirmation(s.row.protocol) ? "true" : "false"},
            {"PendingConfirmation", s.row.confirmed ? "false" : "true"},
            {"RawMessageDelivery", "false"},
            {"SubscriptionPrincipal", "arn:aws:iam::" + s.row.owner + ":root"}};
  if (s.row.protocol == "http" || s.row.protocol == "https")
    a["EffectiveDeliveryPolicy"] =
        effective_policy_json(effective_policy(t ? t->delivery_policy : std::nullopt, s.delivery_policy)).dump();
  for (auto& [k, v] : s.row.attributes.items()) a[k] = v;
  if (a.contains("FilterPolicy") && !a.contains("FilterPolicyScope")) a["FilterPolicyScope"] = "MessageAttributes";
  return Result::ok({{"Attributes", std::move(a)}});
}

Result SnsService::set_subscription_attributes(json& in) {
  Subscription& s = require_subscription(in);
  std::string name = text_of(in, "AttributeName");
  if (name.empty()) throw errors::missing("AttributeName");
  std::string value = text_of(in, "AttributeValue");
  Topic* t = topic_by_arn(s.row.topic_arn);
  check_subscription_attribute(name, value, s.row.protocol, t && t->row.fifo);
  json attrs = s.row.attributes;
  if (value.empty() && name != "RawMessageDelivery") {
    attrs.erase(name);
  } else {
    attrs[name] = value;
  }
  check_filter_policy(attrs);
  s.row.attributes = std::move(attrs);
  store_.put_subscription(s.row);
  s.refresh();
  return Result::ok();
}

}  // namespace awan::sns
