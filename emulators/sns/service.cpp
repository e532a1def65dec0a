// The SNS service: construction, reset, shared helpers, internal endpoints and the operation
// dispatch. The operations live in topics.cpp, subscriptions.cpp, publish.cpp, delivery.cpp
// and mobile.cpp.
#include "sns/service_impl.hpp"

#include <spdlog/spdlog.h>

#include "core/arn.hpp"
#include "core/operation.hpp"
#include "sns/errors.hpp"
#include "sns/sns.hpp"

namespace awan::sns {

namespace {
std::string attribute_text(const json& attrs, const char* name) {
  auto it = attrs.find(name);
  return it != attrs.end() && it->is_string() ? it->get<std::string>() : std::string();
}
}  // namespace

void Topic::refresh() {
  arn = "arn:aws:sns:" + row.region + ":" + row.account + ":" + row.name;
  delivery_policy.reset();
  if (auto text = attribute_text(row.attributes, "DeliveryPolicy"); !text.empty())
    if (auto p = parse_delivery_policy(text, true); std::holds_alternative<DeliveryPolicy>(p))
      delivery_policy = std::get<DeliveryPolicy>(std::move(p));
  signature_version = attribute_text(row.attributes, "SignatureVersion") == "2" ? 2 : 1;
  content_dedup = attribute_text(row.attributes, "ContentBasedDeduplication") == "true";
}

void Subscription::refresh() {
  const json& a = row.attributes;
  raw = attribute_text(a, "RawMessageDelivery") == "true";
  filter.reset();
  if (auto text = attribute_text(a, "FilterPolicy"); !text.empty()) {
    auto scope = parse_filter_scope(attribute_text(a, "FilterPolicyScope")).value_or(FilterScope::MessageAttributes);
    if (auto p = parse_filter_policy(text, scope); std::holds_alternative<FilterPolicy>(p))
      filter = std::get<FilterPolicy>(std::move(p));
  }
  delivery_policy.reset();
  if (auto text = attribute_text(a, "DeliveryPolicy"); !text.empty())
    if (auto p = parse_delivery_policy(text, false); std::holds_alternative<DeliveryPolicy>(p))
      delivery_policy = std::get<DeliveryPolicy>(std::move(p));
  dead_letter_arn.clear();
  if (auto text = attribute_text(a, "RedrivePolicy"); !text.empty()) {
    json p = json::parse(text, nullptr, false);
    if (p.is_object() && p.contains("deadLetterTargetArn") && p["deadLetterTargetArn"].is_string())
      dead_letter_arn = p["deadLetterTargetArn"];
  }
}

const std::string& Message::text_for(const std::string& protocol) const {
  if (structured.is_object()) {
    if (auto it = structured.find(protocol); it != structured.end() && it->is_string())
      return it->get_ref<const std::string&>();
    if (auto it = structured.find("default"); it != structured.end() && it->is_string())
      return it->get_ref<const std::string&>();
  }
  return text;
}

SnsService::SnsService(const ServiceEnv& env)
    : env_(env), store_(env.db_path("sns"), storage::durability(env.sync_full)) {
  if (env_.outbox_dir.empty()) env_.outbox_dir = env_.data_dir.empty() ? "/tmp/awan-outbox" : env_.data_dir + "/outbox";
  signer_ = Signer::open(env_.data_dir);
  for (auto& row : store_.topics()) {
    auto t = std::make_unique<Topic>();
    t->row = std::move(row);
    t->refresh();
    topics_[t->arn] = std::move(t);
  }
  for (auto& row : store_.subscriptions()) {
    auto s = std::make_unique<Subscription>();
    s->row = std::move(row);
    s->refresh();
    subscriptions_[s->row.arn] = std::move(s);
  }
  start_lanes();
}

SnsService::~SnsService() { stop_lanes(); }

void SnsService::shutdown() {
  {
    std::lock_guard lock(mu_);
    *alive_ = false;
  }
  stop_lanes();
}

void SnsService::reset() {
  std::lock_guard lock(mu_);
  store_.reset();
  topics_.clear();
  subscriptions_.clear();
  fifo_dedup_.clear();
  for (auto& lane : lanes_) {
    std::lock_guard l(lane->mu);
    lane->queue.clear();
  }
  std::lock_guard l(log_mu_);
  log_.clear();
}

int64_t SnsService::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(env_.clock->now().time_since_epoch()).count();
}

// The links in messages (SigningCertURL, SubscribeURL, UnsubscribeURL) are https, as AWS's, when
// the daemon has an HTTPS listener: standard message validators refuse other certificate URLs.
std::string SnsService::endpoint_url() const {
  if (env_.https_endpoint_url) {
    std::string https = env_.https_endpoint_url();
    if (!https.empty()) return https;
  }
  return env_.endpoint_url ? env_.endpoint_url() : std::string("http://localhost:4566");
}

std::string SnsService::region() const { return ctx_ ? ctx_->region : env_.default_region; }
std::string SnsService::account() const { return ctx_ ? ctx_->account_id : env_.default_account_id; }

Topic* SnsService::topic_by_arn(const std::string& arn) {
  auto it = topics_.find(arn);
  return it == topics_.end() ? nullptr : it->second.get();
}

Topic& SnsService::require_topic(const json& in, const char* member) {
  auto it = in.find(member);
  if (it == in.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    throw errors::missing(member);
  const std::string& arn = it->get_ref<const std::string&>();
  auto a = parse_arn(arn);
  if (!a) throw errors::invalid_arn(member, "An ARN must have at least 6 elements, not 1");
  if (a->service != "sns" || a->resource.empty() || a->resource.find(':') != std::string::npos)
    throw errors::invalid_parameter(member);
  Topic* t = topic_by_arn(arn);
  if (!t) throw errors::topic_not_found();
  return *t;
}

Subscription& SnsService::require_subscription(const json& in) {
  auto it = in.find("SubscriptionArn");
  if (it == in.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    throw errors::missing("SubscriptionArn");
  const std::string& arn = it->get_ref<const std::string&>();
  auto a = parse_arn(arn);
  if (!a) throw errors::invalid_arn("SubscriptionArn", "An ARN must have at least 6 elements, not 1");
  if (a->service != "sns" || a->resource.find(':') == std::string::npos) throw errors::invalid_parameter("SubscriptionArn");
  auto s = subscriptions_.find(arn);
  if (s == subscriptions_.end()) throw errors::subscription_not_found();
  return *s->second;
}

// GET /_awan/sns/messages[?TopicArn=&Endpoint=&Protocol=&Status=]: the delivery log.
bool SnsService::internal_endpoint(std::string_view method, std::string_view path, const std::string& body,
                                   int& status, json& out) {
  if (path == "confirm" && method == "POST") return confirm_endpoint(body, status, out);
  if (path != "messages") return false;
  if (method != "GET" && method != "HEAD") {
    status = 405;
    out = {{"error", "MethodNotAllowed"}, {"message", "GET /_awan/sns/messages"}};
    return true;
  }
  status = 200;
  out = list_records(body);
  return true;
}

// POST /_awan/sns/confirm {"SubscriptionArn": ...}: confirms a pending subscription as if its
// confirmation link had been followed (pipelines and tests; no email round trip).
bool SnsService::confirm_endpoint(const std::string& body, int& status, json& out) {
  json in = json::parse(body, nullptr, false);
  std::lock_guard lock(mu_);
  ctx_ = nullptr;
  auto it = in.is_object() && in.contains("SubscriptionArn") && in["SubscriptionArn"].is_string()
                ? subscriptions_.find(in["SubscriptionArn"].get<std::string>())
                : subscriptions_.end();
  if (it == subscriptions_.end()) {
    status = 404;
    out = {{"error", "NotFound"}, {"message", "Subscription does not exist"}};
    return true;
  }
  if (!it->second->row.confirmed) {
    it->second->row.confirmed = true;
    store_.put_subscription(it->second->row);
  }
  status = 200;
  out = {{"SubscriptionArn", it->first}, {"PendingConfirmation", false}};
  return true;
}

// GET /_awan/sns/SimpleNotificationService.pem: the certificate messages are signed with.
std::optional<InternalDocument> SnsService::internal_document(std::string_view method, std::string_view path,
                                                              const std::string& query) {
  if (path != "SimpleNotificationService.pem" || !signer_) return std::nullopt;
  return InternalDocument{200, "application/x-pem-file", signer_->certificate_pem()};
}

Result SnsService::call(const RequestContext& ctx, const std::string& op, json input) {
  static const std::unordered_map<std::string, Handler> kOps = {
      {"CreateTopic", &SnsService::create_topic},
      {"DeleteTopic", &SnsService::delete_topic},
      {"ListTopics", &SnsService::list_topics},
      {"GetTopicAttributes", &SnsService::get_topic_attributes},
      {"SetTopicAttributes", &SnsService::set_topic_attributes},
      {"TagResource", &SnsService::tag_resource},
      {"UntagResource", &SnsService::untag_resource},
      {"ListTagsForResource", &SnsService::list_tags_for_resource},
      {"AddPermission", &SnsService::add_permission},
      {"RemovePermission", &SnsService::remove_permission},
      {"GetDataProtectionPolicy", &SnsService::get_data_protection_policy},
      {"PutDataProtectionPolicy", &SnsService::put_data_protection_policy},
      {"Subscribe", &SnsService::subscribe},
      {"ConfirmSubscription", &SnsService::confirm_subscription},
      {"Unsubscribe", &SnsService::unsubscribe},
      {"ListSubscriptions", &SnsService::list_subscriptions},
      {"ListSubscriptionsByTopic", &SnsService::list_subscriptions_by_topic},
      {"GetSubscriptionAttributes", &SnsService::get_subscription_attributes},
      {"SetSubscriptionAttributes", &SnsService::set_subscription_attributes},
      {"Publish", &SnsService::publish},
      {"PublishBatch", &SnsService::publish_batch},
      // SMS and mobile push: recorded (mobile.cpp).
      {"CheckIfPhoneNumberIsOptedOut", &SnsService::record_operation},
      {"CreatePlatformApplication", &SnsService::record_operation},
      {"CreatePlatformEndpoint", &SnsService::record_operation},
      {"CreateSMSSandboxPhoneNumber", &SnsService::record_operation},
      {"DeleteEndpoint", &SnsService::record_operation},
      {"DeletePlatformApplication", &SnsService::record_operation},
      {"DeleteSMSSandboxPhoneNumber", &SnsService::record_operation},
      {"GetEndpointAttributes", &SnsService::record_operation},
      {"GetPlatformApplicationAttributes", &SnsService::record_operation},
      {"GetSMSAttributes", &SnsService::record_operation},
      {"GetSMSSandboxAccountStatus", &SnsService::record_operation},
      {"ListEndpointsByPlatformApplication", &SnsService::record_operation},
      {"ListOriginationNumbers", &SnsService::record_operation},
      {"ListPhoneNumbersOptedOut", &SnsService::record_operation},
      {"ListPlatformApplications", &SnsService::record_operation},
      {"ListSMSSandboxPhoneNumbers", &SnsService::record_operation},
      {"OptInPhoneNumber", &SnsService::record_operation},
      {"SetEndpointAttributes", &SnsService::record_operation},
      {"SetPlatformApplicationAttributes", &SnsService::record_operation},
      {"SetSMSAttributes", &SnsService::record_operation},
      {"VerifySMSSandboxPhoneNumber", &SnsService::record_operation},
  };
  auto it = kOps.find(op);
  if (it == kOps.end()) return Result::fail(AwsError::invalid_action(op));
  if (!input.is_object()) input = json::object();
  std::vector<Delivery> outgoing;
  Result result;
  {
    std::lock_guard lock(mu_);
    ctx_ = &ctx;
    operation_ = op;
    result = run_operation("sns", op, [&] { return (this->*(it->second))(input); },
                           AwsError("InternalError", "Internal Error", 500, false), errors::invalid_parameter("Request"));
    ctx_ = nullptr;
    outgoing.swap(outgoing_);
  }
  for (auto& d : outgoing) enqueue(std::move(d));
  return result;
}

std::unique_ptr<Service> make_service(const ServiceEnv& env) { return std::make_unique<SnsService>(env); }

}  // namespace awan::sns
