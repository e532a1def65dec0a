// SNS delivery: the lanes (threads) that send each message to each subscription — SQS and
// Lambda through the operation interface, HTTP/S and email through outbound.cpp — with the
// delivery policy's retries, the subscription's dead-letter queue, and the delivery log behind
// GET /_awan/sns/messages. A subscription always takes the same lane, so its order is kept.
#include <spdlog/spdlog.h>

#include "awan/function.hpp"
#include "core/arn.hpp"
#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "core/timefmt.hpp"
#include "sns/outbound.hpp"
#include "sns/service_impl.hpp"

namespace awan::sns {

namespace {
constexpr size_t kLanes = 4;
constexpr size_t kLogEntries = 10000;
constexpr int kEmailAttempts = 3;

const char* kind_name(DeliveryKind k) {
  switch (k) {
    case DeliveryKind::Notification: return "Notification";
    case DeliveryKind::SubscriptionConfirmation: return "SubscriptionConfirmation";
    case DeliveryKind::UnsubscribeConfirmation: return "UnsubscribeConfirmation";
  }
  return "Notification";
}

std::string iso_ms(int64_t ms) {
  return timefmt::iso8601(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)), true);
}

// Publish's MessageAttributes as the JSON envelope carries them: {"name": {"Type", "Value"}}.
template <class Json>
Json envelope_attributes(const json& attrs) {
  Json out = Json::object();
  for (auto& [name, a] : attrs.items()) {
    std::string type = a.value("DataType", "String");
    std::string value = type.rfind("Binary", 0) == 0 ? a.value("BinaryValue", "") : a.value("StringValue", "");
    out[name] = {{"Type", type}, {"Value", value}};
  }
  return out;
}

// Publish's MessageAttributes as SQS SendMessage takes them (raw delivery).
json sqs_attributes(const json& attrs) {
  json out = json::object();
  for (auto& [name, a] : attrs.items()) {
    std::string type = a.value("DataType", "String");
    json v = {{"DataType", type}};
    if (type.rfind("Binary", 0) == 0)
      v["BinaryValue"] = a.value("BinaryValue", "");
    else
      v["StringValue"] = a.value("StringValue", "");
    out[name] = std::move(v);
  }
  return out;
}

bool is_fifo_name(std::string_view name) { return name.size() > 5 && name.substr(name.size() - 5) == ".fifo"; }
}  // namespace

// ---- lanes ----
// Cross-service calls from a lane wait for their completion (awan::Client: lanes are not I/O
// threads).

void SnsService::start_lanes() {
  // Every lane exists before any thread starts: a thread must not read lanes_ while it grows.
  for (size_t i = 0; i < kLanes; ++i) lanes_.push_back(std::make_unique<Lane>());
  for (auto& lane : lanes_) lane->thread = std::thread([this, l = lane.get()] { lane_loop(*l); });
}

void SnsService::stop_lanes() {
  if (stopping_.exchange(true)) return;
  for (auto& lane : lanes_) {
    {
      std::lock_guard l(lane->mu);
    }
    lane->cv.notify_all();
  }
  for (auto& lane : lanes_)
    if (lane->thread.joinable()) lane->thread.join();
}

void SnsService::enqueue(Delivery d) {
  if (stopping_) return;
  if (d.id == 0) {
    d.id = ++next_delivery_;
    record(d, "");
  }
  size_t lane = std::hash<std::string>{}(d.subscription_arn.empty() ? d.endpoint : d.subscription_arn) % lanes_.size();
  Lane& l = *lanes_[lane];
  {
    std::lock_guard lock(l.mu);
    l.queue.push_back(std::move(d));
  }
  l.cv.notify_one();
}

// Notifications to one SQS queue waiting back to back go out as one SendMessageBatch (up to 10).
static bool batches_with(const Delivery& first, const Delivery& d) {
  return d.protocol == "sqs" && d.kind == DeliveryKind::Notification && d.endpoint == first.endpoint;
}

void SnsService::lane_loop(Lane& l) {
  for (;;) {
    std::vector<Delivery> batch;
    {
      std::unique_lock lock(l.mu);
      l.cv.wait(lock, [&] { return stopping_ || !l.queue.empty(); });
      if (stopping_) return;
      do {
        batch.push_back(std::move(l.queue.front()));
        l.queue.pop_front();
      } while (batch.size() < 10 && !l.queue.empty() && batches_with(batch.front(), batch.front()) &&
               batches_with(batch.front(), l.queue.front()));
    }
    try {
      if (batch.size() == 1) deliver(batch.front());
      else deliver_sqs_batch(batch);
    } catch (const std::exception& e) {
      for (auto& d : batch) {
        spdlog::error("sns delivery {}: {}", d.id, e.what());
        update_record(d, "failed", e.what());
      }
    }
  }
}

void SnsService::deliver_sqs_batch(std::vector<Delivery>& batch) {
  const std::string& queue_arn = batch.front().endpoint;
  auto a = parse_arn(queue_arn);
  if (!a || a->service != "sqs") {
    for (auto& d : batch) deliver(d);
    return;
  }
  json entries = json::array();
  for (size_t i = 0; i < batch.size(); ++i) {
    Delivery& d = batch[i];
    ++d.attempts;
    const Message& m = *d.message;
    json e = {{"Id", std::to_string(i)}, {"MessageBody", d.raw ? m.text_for("sqs") : notification_document(d)}};
    if (d.raw && !m.attributes.empty()) e["MessageAttributes"] = sqs_attributes(m.attributes);
    if (is_fifo_name(a->resource)) {
      e["MessageGroupId"] = m.group_id;
      e["MessageDeduplicationId"] = m.dedup_id.empty() ? m.id : m.dedup_id;
    }
    entries.push_back(std::move(e));
  }
  RequestContext ctx;
  ctx.request_id = ids::uuid4();
  ctx.account_id = a->account;
  ctx.region = a->region;
  ctx.service = "sqs";
  ctx.operation = "SendMessageBatch";
  ctx.clock = env_.clock;
  Result r = Client(env_.call_service, ctx).call("sqs", "SendMessageBatch",
                           {{"QueueUrl", "http://localhost/" + a->account + "/" + a->resource}, {"Entries", entries}});
  std::map<std::string, std::string> failed;
  if (r.error) {
    for (size_t i = 0; i < batch.size(); ++i) failed[std::to_string(i)] = r.error->code + ": " + r.error->message;
  } else {
    for (const auto& f : r.output.value("Failed", json::array()))
      failed[f.value("Id", "")] = f.value("Code", "") + ": " + f.value("Message", "");
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    Delivery& d = batch[i];
    auto it = failed.find(std::to_string(i));
    if (it == failed.end()) {
      spdlog::info("sns Notification {} → sqs {}: delivered", d.message->id, d.endpoint);
      update_record(d, "delivered", "");
    } else {
      dead_letter(d, it->second);
    }
  }
}

void SnsService::schedule_retry(Delivery d, std::chrono::seconds after) {
  if (!env_.scheduler) return dead_letter(d, "no retries without a scheduler");
  update_record(d, "retrying", "");
  env_.scheduler->post_after(after, [this, alive = alive_, d = std::move(d)]() mutable {
    if (*alive) enqueue(std::move(d));
  });
}

// ---- one attempt ----

void SnsService::deliver(Delivery& d) {
  ++d.attempts;
  const std::string& p = d.protocol;
  std::string error;
  if (p == "sqs") {
    std::string body = d.raw ? d.message->text_for("sqs") : notification_document(d);
    error = deliver_sqs(d, d.endpoint, body);
  } else if (p == "lambda") {
    error = deliver_lambda(d);
  } else if (p == "http" || p == "https") {
    int status = 0;
    error = deliver_http(d, status);
    if (!error.empty() && d.kind == DeliveryKind::Notification) {
      if (auto delay = retry_delay(d.retry, d.attempts)) {
        spdlog::info("sns {} → {} {}: {} (retry {} in {} s)", d.message->id, p, d.endpoint, error, d.attempts,
                     delay->count());
        return schedule_retry(std::move(d), *delay);
      }
    }
  } else if (p == "email" || p == "email-json") {
    std::string path;
    error = deliver_email(d, path);
    if (error.empty()) {
      spdlog::info("sns {} {} → {} {}: delivered{}", kind_name(d.kind), d.message->id, p, d.endpoint,
                   path.empty() ? std::string(" over SMTP") : " to " + path);
      return update_record(d, "delivered", "", path);
    }
    if (d.attempts < kEmailAttempts) return schedule_retry(std::move(d), std::chrono::seconds(d.attempts));
  }
  // sms, application, firehose: recorded in the log, not sent anywhere.
  if (error.empty()) {
    spdlog::info("sns {} {} → {} {}: delivered", kind_name(d.kind), d.message->id, p, d.endpoint);
    return update_record(d, "delivered", "");
  }
  if (d.kind != DeliveryKind::Notification) {
    spdlog::warn("sns {} → {} {}: {}", kind_name(d.kind), p, d.endpoint, error);
    return update_record(d, "failed", error);
  }
  dead_letter(d, error);
}

void SnsService::dead_letter(Delivery& d, const std::string& reason) {
  if (d.dead_letter_arn.empty() || d.kind != DeliveryKind::Notification) {
    spdlog::warn("sns {} → {} {}: failed after {} attempt(s): {}", d.message->id, d.protocol, d.endpoint, d.attempts,
                 reason);
    return update_record(d, "failed", reason);
  }
  std::string err = deliver_sqs(d, d.dead_letter_arn, notification_document(d));
  if (!err.empty()) {
    spdlog::warn("sns {} → {} {}: failed ({}); dead-letter queue {}: {}", d.message->id, d.protocol, d.endpoint,
                 reason, d.dead_letter_arn, err);
    return update_record(d, "failed", reason + "; dead-letter queue: " + err);
  }
  spdlog::info("sns {} → {} {}: failed ({}), moved to {}", d.message->id, d.protocol, d.endpoint, reason,
               d.dead_letter_arn);
  update_record(d, "dead-lettered", reason);
}

std::string SnsService::deliver_sqs(Delivery& d, const std::string& queue_arn, const std::string& body) {
  auto a = parse_arn(queue_arn);
  if (!a || a->service != "sqs") return "not an SQS queue ARN: " + queue_arn;
  RequestContext ctx;
  ctx.request_id = ids::uuid4();
  ctx.account_id = a->account;
  ctx.region = a->region;
  ctx.service = "sqs";
  ctx.operation = "SendMessage";
  ctx.caller_arn = "arn:aws:iam::" + a->account + ":root";
  ctx.clock = env_.clock;
  json in = {{"QueueUrl", "http://localhost/" + a->account + "/" + a->resource}, {"MessageBody", body}};
  const Message& m = *d.message;
  if (d.raw && !m.attributes.empty() && queue_arn == d.endpoint) in["MessageAttributes"] = sqs_attributes(m.attributes);
  if (is_fifo_name(a->resource)) {
    if (m.group_id.empty()) return "a FIFO queue needs a MessageGroupId";
    in["MessageGroupId"] = m.group_id;
    in["MessageDeduplicationId"] = m.dedup_id.empty() ? m.id : m.dedup_id;
  }
  Result r = Client(env_.call_service, ctx).call("sqs", "SendMessage", std::move(in));
  if (r.error) return r.error->code + ": " + r.error->message;
  return "";
}

std::string SnsService::deliver_lambda(Delivery& d) {
  const Message& m = *d.message;
  json sns = {{"Type", "Notification"},
              {"MessageId", m.id},
              {"TopicArn", m.topic_arn},
              {"Subject", m.subject.empty() ? json(nullptr) : json(m.subject)},
              {"Message", m.text_for("lambda")},
              {"Timestamp", iso_ms(m.timestamp_ms)},
              {"SignatureVersion", std::to_string(m.signature_version)},
              {"Signature", ""},
              {"SigningCertUrl", signing_cert_url()},
              {"UnsubscribeUrl", unsubscribe_url(d.subscription_arn)},
              {"MessageAttributes", envelope_attributes<json>(m.attributes)}};
  json signed_fields = {{"Type", "Notification"}, {"MessageId", m.id}, {"TopicArn", m.topic_arn},
                        {"Message", sns["Message"]}, {"Timestamp", sns["Timestamp"]}};
  if (!m.subject.empty()) signed_fields["Subject"] = m.subject;
  if (signer_) sns["Signature"] = signer_->sign(signed_fields, m.signature_version);
  json event = {{"Records", json::array({{{"EventSource", "aws:sns"},
                                           {"EventVersion", "1.0"},
                                           {"EventSubscriptionArn", d.subscription_arn},
                                           {"Sns", std::move(sns)}}})}};
  auto a = parse_arn(d.endpoint);
  RequestContext ctx;
  ctx.request_id = ids::uuid4();
  ctx.account_id = a ? a->account : m.account;
  ctx.region = a ? a->region : m.region;
  ctx.service = "lambda";
  ctx.operation = "Invoke";
  ctx.clock = env_.clock;
  Result r = Client(env_.call_service, ctx).call("lambda", "Invoke",
                           {{"FunctionName", d.endpoint}, {"InvocationType", "Event"}, {"Payload", event.dump()}});
  if (r.error) return r.error->code + ": " + r.error->message;
  return "";
}

std::string SnsService::deliver_http(Delivery& d, int& status) {
  HttpPost post;
  post.url = d.endpoint;
  bool notification = d.kind == DeliveryKind::Notification;
  post.body = !notification ? confirmation_document(d) : d.raw ? d.message->text_for(d.protocol) : notification_document(d);
  post.headers = {{"x-amz-sns-message-type", kind_name(d.kind)},
                  {"x-amz-sns-message-id", d.message->id},
                  {"x-amz-sns-topic-arn", d.message->topic_arn},
                  {"Content-Type", d.content_type.empty() ? "text/plain; charset=UTF-8" : d.content_type},
                  {"User-Agent", "Amazon Simple Notification Service Agent"}};
  if (d.kind != DeliveryKind::SubscriptionConfirmation)
    post.headers.emplace_back("x-amz-sns-subscription-arn", d.subscription_arn);
  if (notification && d.raw) post.headers.emplace_back("x-amz-sns-rawdelivery", "true");
  if (d.attempts == 1) update_record(d, "pending", "", "", post.body);
  HttpOutcome out = http_post(post);
  status = out.status;
  if (out.delivered()) return "";
  return out.status ? "HTTP " + std::to_string(out.status) : out.error;
}

std::string SnsService::deliver_email(Delivery& d, std::string& outbox_path) {
  const Message& m = *d.message;
  EmailMessage e;
  e.from = "AWS Notifications <no-reply@sns.amazonaws.com>";
  e.to = d.endpoint;
  e.message_id = m.id + "@sns.amazonaws.com";
  e.date_ms = m.timestamp_ms;
  if (d.kind == DeliveryKind::SubscriptionConfirmation) {
    e.subject = "AWS Notification - Subscription Confirmation";
    e.body = "You have chosen to subscribe to the topic: \n" + m.topic_arn +
             "\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is "
             "necessary): \nConfirm subscription\n" + subscribe_url(m.topic_arn, d.token) + "\n";
  } else if (d.protocol == "email-json") {
    e.subject = m.subject.empty() ? "AWS Notification Message" : m.subject;
    e.body = notification_document(d);
  } else {
    e.subject = m.subject.empty() ? "AWS Notification Message" : m.subject;
    e.body = m.text_for("email") +
             "\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link "
             "below to unsubscribe:\n" + unsubscribe_url(d.subscription_arn) +
             "\n\nPlease do not reply directly to this email. If you have any questions or comments regarding this "
             "email, please contact us at https://aws.amazon.com/support\n";
  }
  if (d.attempts == 1) update_record(d, "pending", "", "", e.body);
  if (!env_.smtp_server.empty()) return send_smtp(env_.smtp_server, e, std::chrono::milliseconds(10000));
  std::string error;
  auto path = write_outbox(env_.outbox_dir, e, error);
  if (!path) return error;
  outbox_path = *path;
  return "";
}

// ---- documents ----

std::string SnsService::signing_cert_url() const { return endpoint_url() + "/_awan/sns/SimpleNotificationService.pem"; }

std::string SnsService::subscribe_url(const std::string& topic_arn, const std::string& token) const {
  return endpoint_url() + "/?Action=ConfirmSubscription&TopicArn=" + text::percent_encode(topic_arn) +
         "&Token=" + token + "&Version=2010-03-31";
}

std::string SnsService::unsubscribe_url(const std::string& subscription_arn) const {
  return endpoint_url() + "/?Action=Unsubscribe&SubscriptionArn=" + text::percent_encode(subscription_arn) +
         "&Version=2010-03-31";
}

std::string SnsService::notification_document(Delivery& d) {
  Message& m = *d.message;
  const std::string& text = m.text_for(d.protocol);
  std::string timestamp = iso_ms(m.timestamp_ms);
  auto sign = [&] {
    json fields = {{"Type", "Notification"}, {"MessageId", m.id}, {"TopicArn", m.topic_arn},
                   {"Message", text}, {"Timestamp", timestamp}};
    if (!m.subject.empty()) fields["Subject"] = m.subject;
    return signer_ ? signer_->sign(fields, m.signature_version) : std::string();
  };
  std::string signature;
  if (m.structured.is_object()) {
    signature = sign();  // each protocol's text is signed apart
  } else {
    std::call_once(m.signed_once, [&] { m.signature = sign(); });
    signature = m.signature;
  }
  nlohmann::ordered_json doc;
  doc["Type"] = "Notification";
  doc["MessageId"] = m.id;
  if (!m.sequence_number.empty()) doc["SequenceNumber"] = m.sequence_number;
  doc["TopicArn"] = m.topic_arn;
  if (!m.subject.empty()) doc["Subject"] = m.subject;
  doc["Message"] = text;
  doc["Timestamp"] = timestamp;
  doc["SignatureVersion"] = std::to_string(m.signature_version);
  doc["Signature"] = signature;
  doc["SigningCertURL"] = signing_cert_url();
  doc["UnsubscribeURL"] = unsubscribe_url(d.subscription_arn);
  if (!m.attributes.empty()) doc["MessageAttributes"] = envelope_attributes<nlohmann::ordered_json>(m.attributes);
  return doc.dump();
}

std::string SnsService::confirmation_document(Delivery& d) {
  const Message& m = *d.message;
  std::string url = subscribe_url(m.topic_arn, d.token);
  std::string timestamp = iso_ms(m.timestamp_ms);
  json fields = {{"Type", kind_name(d.kind)}, {"MessageId", m.id},       {"Token", d.token},
                 {"TopicArn", m.topic_arn},  {"Message", m.text},       {"SubscribeURL", url},
                 {"Timestamp", timestamp}};
  nlohmann::ordered_json doc;
  doc["Type"] = kind_name(d.kind);
  doc["MessageId"] = m.id;
  doc["Token"] = d.token;
  doc["TopicArn"] = m.topic_arn;
  doc["Message"] = m.text;
  doc["SubscribeURL"] = url;
  doc["Timestamp"] = timestamp;
  doc["SignatureVersion"] = std::to_string(m.signature_version);
  doc["Signature"] = signer_ ? signer_->sign(fields, m.signature_version) : std::string();
  doc["SigningCertURL"] = signing_cert_url();
  return doc.dump();
}

void SnsService::send_confirmation(const Subscription& s, DeliveryKind kind) {
  auto m = std::make_shared<Message>();
  m->id = ids::uuid4();
  m->topic_arn = s.row.topic_arn;
  m->timestamp_ms = now_ms();
  m->account = s.row.owner;
  m->region = region();
  // The topic's SignatureVersion signs its confirmations too, as it does its notifications.
  if (const Topic* t = topic_by_arn(s.row.topic_arn)) m->signature_version = t->signature_version;
  if (kind == DeliveryKind::SubscriptionConfirmation) {
    m->text = "You have chosen to subscribe to the topic " + s.row.topic_arn +
              ".\nTo confirm the subscription, visit the SubscribeURL included in this message.";
  } else {
    m->text = "You have chosen to deactivate subscription " + s.row.arn +
              ".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this "
              "message.";
  }
  Delivery d;
  d.kind = kind;
  d.message = std::move(m);
  d.subscription_arn = s.row.arn;
  d.protocol = s.row.protocol;
  d.endpoint = s.row.endpoint;
  d.token = s.row.token.empty() ? crypto::hex(crypto::random_bytes(64)) : s.row.token;
  outgoing_.push_back(std::move(d));
}

// ---- the delivery log ----

uint64_t SnsService::record(const Delivery& d, const std::string& body) {
  DeliveryRecord r;
  r.id = d.id;
  r.kind = kind_name(d.kind);
  r.topic_arn = d.message->topic_arn;
  r.subscription_arn = d.subscription_arn;
  r.protocol = d.protocol;
  r.endpoint = d.endpoint;
  r.message_id = d.message->id;
  r.subject = d.message->subject;
  r.body = body.empty() ? d.message->text_for(d.protocol) : body;
  r.created_ms = r.updated_ms = now_ms();
  std::lock_guard lock(log_mu_);
  log_.push_back(std::move(r));
  if (log_.size() > kLogEntries) log_.pop_front();
  return d.id;
}

void SnsService::update_record(const Delivery& d, const std::string& status, const std::string& error,
                               const std::string& outbox_path, const std::string& body) {
  std::lock_guard lock(log_mu_);
  auto it = std::lower_bound(log_.begin(), log_.end(), d.id,
                             [](const DeliveryRecord& r, uint64_t id) { return r.id < id; });
  if (it == log_.end() || it->id != d.id) return;
  it->status = status;
  it->error = error;
  it->attempts = d.attempts;
  it->updated_ms = now_ms();
  if (!outbox_path.empty()) it->outbox_path = outbox_path;
  if (!body.empty()) it->body = body;
}

json SnsService::list_records(const std::string& query) {
  std::map<std::string, std::string> filter;
  std::string_view q(query);
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    filter[std::string(pair.substr(0, eq))] = text::percent_decode(pair.substr(eq + 1), true).value_or("");
  }
  auto wanted = [&](const char* name, const std::string& value) {
    auto it = filter.find(name);
    return it == filter.end() || it->second == value;
  };
  json list = json::array();
  std::lock_guard lock(log_mu_);
  for (const auto& r : log_) {
    if (!wanted("TopicArn", r.topic_arn) || !wanted("Endpoint", r.endpoint) || !wanted("Protocol", r.protocol) ||
        !wanted("Status", r.status) || !wanted("SubscriptionArn", r.subscription_arn) ||
        !wanted("MessageId", r.message_id))
      continue;
    json e = {{"Id", r.id},           {"Type", r.kind},         {"TopicArn", r.topic_arn},
              {"SubscriptionArn", r.subscription_arn}, {"Protocol", r.protocol}, {"Endpoint", r.endpoint},
              {"MessageId", r.message_id}, {"Message", r.body}, {"Status", r.status},
              {"Attempts", r.attempts},  {"Created", iso_ms(r.created_ms)}, {"Updated", iso_ms(r.updated_ms)}};
    if (!r.subject.empty()) e["Subject"] = r.subject;
    if (!r.error.empty()) e["Error"] = r.error;
    if (!r.outbox_path.empty()) e["OutboxPath"] = r.outbox_path;
    list.push_back(std::move(e));
  }
  return {{"Messages", std::move(list)}};
}

}  // namespace awan::sns
