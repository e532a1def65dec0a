#pragma once
// The SNS service class. Operations by file: topics.cpp (topics, their attributes, tags,
// permissions, data protection), subscriptions.cpp (subscribe, confirm, unsubscribe, listings,
// subscription attributes), publish.cpp (Publish, PublishBatch: validation, fan-out),
// delivery.cpp (the delivery lanes: SQS, Lambda, HTTP/S, email, SMS; retries, dead-letter
// queues, the delivery log), mobile.cpp (SMS and platform-application operations, recorded);
// service.cpp holds construction, reset, internal endpoints and the dispatch table.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/service.hpp"
#include "sns/delivery_policy.hpp"
#include "sns/filter_policy.hpp"
#include "sns/signature.hpp"
#include "sns/store.hpp"

namespace awan::sns {

using json = nlohmann::json;

struct Topic {
  TopicRow row;
  std::string arn;
  std::optional<DeliveryPolicy> delivery_policy;
  int signature_version = 1;
  bool content_dedup = false;
  int64_t sequence = 0;  // FIFO: the last SequenceNumber given
  void refresh();        // after row.attributes changed
};

struct Subscription {
  SubscriptionRow row;
  std::optional<FilterPolicy> filter;
  std::optional<DeliveryPolicy> delivery_policy;
  bool raw = false;
  std::string dead_letter_arn;  // RedrivePolicy's deadLetterTargetArn
  void refresh();
};

// One published message, shared by its deliveries.
struct Message {
  std::string id, topic_arn, subject, text;  // text: the Message parameter
  json structured;                           // MessageStructure=json: protocol → text (else null)
  json attributes = json::object();          // Publish's MessageAttributes
  std::string group_id, dedup_id, sequence_number;
  int64_t timestamp_ms = 0;
  int signature_version = 1;
  std::string account, region;
  // The text a protocol receives (MessageStructure=json picks its key, else "default").
  const std::string& text_for(const std::string& protocol) const;
  // Signature of the Notification document, computed once by the first delivery that needs it.
  std::once_flag signed_once;
  std::string signature;
};

enum class DeliveryKind { Notification, SubscriptionConfirmation, UnsubscribeConfirmation };

// One message to one subscription, until delivered or given up.
struct Delivery {
  uint64_t id = 0;
  DeliveryKind kind = DeliveryKind::Notification;
  std::shared_ptr<Message> message;
  std::string subscription_arn, protocol, endpoint, token;  // token: confirmations
  bool raw = false;
  RetryPolicy retry;  // HTTP/S
  std::string content_type;
  std::string dead_letter_arn;
  int attempts = 0;
};

// What GET /_awan/sns/messages lists: one entry per delivery, its latest state.
struct DeliveryRecord {
  uint64_t id = 0;
  std::string kind, topic_arn, subscription_arn, protocol, endpoint, message_id, subject, body;
  std::string status = "pending";  // pending | delivered | retrying | failed | dead-lettered
  std::string error, outbox_path;
  int attempts = 0;
  int64_t created_ms = 0, updated_ms = 0;
};

class SnsService final : public Service {
 public:
  explicit SnsService(const ServiceEnv& env);
  ~SnsService() override;
  std::string_view name() const override { return "sns"; }
  Result call(const RequestContext& ctx, const std::string& operation, json input) override;
  void reset() override;
  bool internal_endpoint(std::string_view method, std::string_view path, const std::string& body, int& status,
                         json& out) override;
  std::optional<InternalDocument> internal_document(std::string_view method, std::string_view path,
                                                    const std::string& query) override;
  void shutdown() override;

  using Handler = Result (SnsService::*)(json& in);

 private:
  // ---- shared helpers (service.cpp) ----
  int64_t now_ms() const;
  std::string endpoint_url() const;  // "https://127.0.0.1:4567" (else http, the plain port): links in messages
  std::string region() const;        // the request's
  std::string account() const;
  Topic& require_topic(const json& in, const char* member = "TopicArn");
  Topic* topic_by_arn(const std::string& arn);
  Subscription& require_subscription(const json& in);
  bool confirm_endpoint(const std::string& body, int& status, json& out);

  // ---- topics.cpp ----
  Result create_topic(json& in);
  Result delete_topic(json& in);
  Result list_topics(json& in);
  Result get_topic_attributes(json& in);
  Result set_topic_attributes(json& in);
  Result tag_resource(json& in);
  Result untag_resource(json& in);
  Result list_tags_for_resource(json& in);
  Result add_permission(json& in);
  Result remove_permission(json& in);
  Result get_data_protection_policy(json& in);
  Result put_data_protection_policy(json& in);
  json default_policy(const Topic& t) const;

  // ---- subscriptions.cpp ----
  Result subscribe(json& in);
  Result confirm_subscription(json& in);
  Result unsubscribe(json& in);
  Result list_subscriptions(json& in);
  Result list_subscriptions_by_topic(json& in);
  Result get_subscription_attributes(json& in);
  Result set_subscription_attributes(json& in);
  // A Subscribe / SetSubscriptionAttributes attribute, checked for the protocol.
  void check_subscription_attribute(const std::string& name, const std::string& value, const std::string& protocol,
                                    bool fifo_topic);
  json list_page(const json& in, const std::string& topic_arn);
  // The confirmation (or unsubscribe) message to an HTTP/S or email endpoint.
  void send_confirmation(const Subscription& s, DeliveryKind kind);
  void delete_subscription(const std::string& arn);

  // ---- publish.cpp ----
  Result publish(json& in);
  Result publish_batch(json& in);
  // Validates one message (Publish or a batch entry) and fans it out; the output or the error.
  json publish_one(Topic& t, const json& entry);
  void check_message_attributes(const json& attrs) const;
  void fan_out(Topic& t, const std::shared_ptr<Message>& m);
  json publish_direct(const std::string& target, const std::string& protocol, const json& in);
  std::string fifo_sequence(Topic& t, bool next = false);  // the topic's latest (or next) SequenceNumber

  // ---- delivery.cpp ----
  void start_lanes();
  void stop_lanes();
  void enqueue(Delivery d);                          // after the operation, outside mu_
  void schedule_retry(Delivery d, std::chrono::seconds after);
  void deliver(Delivery& d);
  void deliver_sqs_batch(std::vector<Delivery>& batch);  // notifications to one queue
  // Each transport: "" when delivered, else why not.
  std::string deliver_sqs(Delivery& d, const std::string& queue_arn, const std::string& body);
  std::string deliver_lambda(Delivery& d);
  std::string deliver_http(Delivery& d, int& status);
  std::string deliver_email(Delivery& d, std::string& outbox_path);
  void dead_letter(Delivery& d, const std::string& reason);
  std::string notification_document(Delivery& d);  // the JSON envelope, signed
  std::string confirmation_document(Delivery& d);
  std::string subscribe_url(const std::string& topic_arn, const std::string& token) const;
  std::string unsubscribe_url(const std::string& subscription_arn) const;
  std::string signing_cert_url() const;
  uint64_t record(const Delivery& d, const std::string& body);
  void update_record(const Delivery& d, const std::string& status, const std::string& error,
                     const std::string& outbox_path = "", const std::string& body = "");
  json list_records(const std::string& query);

  // ---- mobile.cpp ----
  Result record_operation(json& in);  // the SMS / platform operations (one handler, by operation_)

  ServiceEnv env_;
  std::mutex mu_;
  Store store_;
  std::unique_ptr<Signer> signer_;
  std::map<std::string, std::unique_ptr<Topic>> topics_;                // by ARN
  std::map<std::string, std::unique_ptr<Subscription>> subscriptions_;  // by ARN
  std::unordered_map<std::string, std::pair<std::string, int64_t>> fifo_dedup_;  // (topic, id) → (message id, expiry)
  std::vector<Delivery> outgoing_;  // to enqueue once the operation is done
  const RequestContext* ctx_ = nullptr;
  std::string operation_;  // of the request being served

  // Delivery lanes: a subscription's deliveries always take the same lane (order kept).
  struct Lane {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Delivery> queue;
    std::thread thread;
  };
  std::vector<std::unique_ptr<Lane>> lanes_;
  void lane_loop(Lane& lane);
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> next_delivery_{0};
  std::mutex log_mu_;
  std::deque<DeliveryRecord> log_;  // the latest deliveries (bounded)
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace awan::sns
