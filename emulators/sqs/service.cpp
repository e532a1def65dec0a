// The SQS service: construction, reset, shared helpers, internal endpoints and the operation
// dispatch. The operations live in queues.cpp, messages.cpp, long_poll.cpp and move_tasks.cpp.
#include "sqs/service_impl.hpp"

#include <spdlog/spdlog.h>

#include "core/arn.hpp"
#include "core/operation.hpp"
#include "core/text.hpp"
#include "sqs/errors.hpp"
#include "sqs/sqs.hpp"

namespace awan::sqs {

namespace {
int64_t attribute_int(const json& attrs, const char* name, int64_t fallback) {
  auto it = attrs.find(name);
  if (it == attrs.end() || !it->is_string()) return fallback;
  try {
    return std::stoll(it->get<std::string>());
  } catch (const std::exception&) {
    return fallback;
  }
}
std::string attribute_text(const json& attrs, const char* name) {
  auto it = attrs.find(name);
  return it != attrs.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::string queue_key(const std::string& account, const std::string& region, const std::string& name) {
  return account + "/" + region + "/" + name;
}
}  // namespace

void Queue::refresh() {
  const json& a = row.attributes;
  arn = "arn:aws:sqs:" + row.region + ":" + row.account + ":" + row.name;
  delay_s = attribute_int(a, "DelaySeconds", 0);
  max_size = attribute_int(a, "MaximumMessageSize", 1048576);
  retention_s = attribute_int(a, "MessageRetentionPeriod", 345600);
  wait_s = attribute_int(a, "ReceiveMessageWaitTimeSeconds", 0);
  visibility_s = attribute_int(a, "VisibilityTimeout", 30);
  content_dedup = attribute_text(a, "ContentBasedDeduplication") == "true";
  dedup_per_group = attribute_text(a, "DeduplicationScope") == "messageGroup";
  redrive.reset();
  if (auto p = parse_redrive_policy(attribute_text(a, "RedrivePolicy")); std::holds_alternative<std::optional<RedrivePolicy>>(p))
    redrive = std::get<std::optional<RedrivePolicy>>(p);
  redrive_allow.reset();
  if (auto p = parse_redrive_allow_policy(attribute_text(a, "RedriveAllowPolicy"));
      std::holds_alternative<std::optional<RedriveAllowPolicy>>(p))
    redrive_allow = std::get<std::optional<RedriveAllowPolicy>>(p);
}

SqsService::SqsService(const ServiceEnv& env)
    : env_(env), store_(env.db_path("sqs"), storage::durability(env.sync_full)) {
  seq_ = store_.max_seq();
  for (auto& row : store_.queues()) add_queue(std::move(row));
  schedule_sweep();
}

SqsService::~SqsService() { *alive_ = false; }

void SqsService::drain() {
  std::unique_lock lock(mu_);
  for (auto& [queue, list] : waiters_)
    for (auto& w : list) ready_.emplace_back(std::move(w.done), Result::ok());
  waiters_.clear();
  run_ready(lock);
}

void SqsService::shutdown() {
  drain();
  std::lock_guard lock(mu_);
  *alive_ = false;
}

void SqsService::reset() {
  std::unique_lock lock(mu_);
  for (auto& [queue, list] : waiters_)
    for (auto& w : list) ready_.emplace_back(std::move(w.done), Result::ok());
  waiters_.clear();
  store_.reset();
  queues_.clear();
  by_id_.clear();
  move_tasks_.clear();
  attempts_.clear();
  run_ready(lock);
}

int64_t SqsService::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(env_.clock->now().time_since_epoch()).count();
}

std::string SqsService::queue_url(const QueueRow& q) const {
  std::string host = ctx_ && !ctx_->host.empty() ? ctx_->host : "localhost:4566";
  return (ctx_ && ctx_->https ? "https://" : "http://") + host + "/" + q.account + "/" + q.name;
}

Queue& SqsService::add_queue(QueueRow row) {
  auto q = std::make_unique<Queue>();
  q->row = std::move(row);
  q->refresh();
  Queue& ref = *q;
  by_id_[ref.row.id] = &ref;
  queues_[queue_key(ref.row.account, ref.row.region, ref.row.name)] = std::move(q);
  return ref;
}

Queue* SqsService::find_queue(const std::string& account, const std::string& region, const std::string& name) {
  auto it = queues_.find(queue_key(account, region, name));
  return it == queues_.end() ? nullptr : it->second.get();
}

Queue* SqsService::queue_by_arn(std::string_view arn) {
  auto a = parse_arn(arn);
  if (!a || a->service != "sqs") return nullptr;
  return find_queue(a->account, a->region, a->resource);
}

void SqsService::forget_queue(int64_t id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  const QueueRow& r = it->second->row;
  std::string key = queue_key(r.account, r.region, r.name);
  by_id_.erase(it);
  queues_.erase(key);
}

// QueueUrl: "http(s)://host[:port]/<account>/<name>" (any host: clients build URLs from their
// endpoint). The region is the request's.
Queue& SqsService::require_queue(const json& in) {
  auto it = in.find("QueueUrl");
  if (it == in.end() || !it->is_string()) throw errors::missing_parameter("QueueUrl");
  std::string url = it->get<std::string>();
  std::string_view path(url);
  if (auto scheme = path.find("://"); scheme != std::string_view::npos) {
    path.remove_prefix(scheme + 3);
    auto slash = path.find('/');
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  auto slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= path.size()) throw errors::invalid_address(url);
  std::string account(path.substr(0, slash));
  std::string name(path.substr(slash + 1));
  if (name.find('/') != std::string::npos) throw errors::invalid_address(url);
  Queue* q = find_queue(account, ctx_ ? ctx_->region : env_.default_region, name);
  if (!q) throw errors::queue_does_not_exist();
  return *q;
}

void SqsService::schedule_sweep() {
  if (!env_.scheduler) return;
  env_.scheduler->post_after(std::chrono::milliseconds(1000), [this, alive = alive_] {
    if (!*alive) return;
    sweep();
    schedule_sweep();
  });
}

void SqsService::sweep() {
  std::unique_lock lock(mu_);
  try {
    int64_t now = now_ms();
    storage::Transaction tx(store_.db());
    for (auto& [key, q] : queues_) store_.expire_oldest(q->row.id, now - q->retention_s * 1000);
    store_.expire_dedup(now);
    tx.commit();
    for (auto it = attempts_.begin(); it != attempts_.end();)
      it = it->second.expires_ms <= now ? attempts_.erase(it) : std::next(it);
  } catch (const storage::SqliteError& e) {
    spdlog::error("sqs sweep: {}", e.what());
  }
}

// GET /_awan/sqs/messages?QueueUrl=...: a queue's messages, without receiving them.
bool SqsService::internal_endpoint(std::string_view method, std::string_view path, const std::string& body,
                                   int& status, json& out) {
  if (path != "messages") return false;
  std::string url;
  if (method == "GET") {
    std::string_view q(body);
    while (!q.empty()) {
      auto amp = q.find('&');
      std::string_view pair = q.substr(0, amp);
      q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
      if (pair.substr(0, 9) == "QueueUrl=") url = text::percent_decode(pair.substr(9), true).value_or("");
    }
  } else {
    json b = json::parse(body, nullptr, false);
    if (b.is_object() && b.contains("QueueUrl") && b["QueueUrl"].is_string()) url = b["QueueUrl"];
  }
  std::unique_lock lock(mu_);
  ctx_ = nullptr;
  try {
    Queue& q = require_queue(json{{"QueueUrl", url}});
    int64_t now = now_ms();
    json list = json::array();
    store_.scan(q.row.id, [&](MessageRow& m) {
      if (m.sent_ms <= now - q.retention_s * 1000) return true;
      json e = {{"MessageId", m.id},
                {"Body", m.body},
                {"MD5OfBody", m.md5_body},
                {"SentTimestamp", m.sent_ms},
                {"ApproximateReceiveCount", m.receive_count},
                {"Visible", m.visible_ms <= now},
                {"VisibleAt", m.visible_ms}};
      if (!m.attributes.empty()) e["MessageAttributes"] = json::parse(m.attributes, nullptr, false);
      if (!m.group_id.empty()) e["MessageGroupId"] = m.group_id;
      if (!m.dedup_id.empty()) e["MessageDeduplicationId"] = m.dedup_id;
      if (!m.sequence_number.empty()) e["SequenceNumber"] = m.sequence_number;
      list.push_back(std::move(e));
      return true;
    });
    out = {{"QueueUrl", url}, {"Messages", std::move(list)}};
    status = 200;
  } catch (const AwsError& e) {
    status = 404;
    out = {{"error", e.code}, {"message", e.message}};
  }
  return true;
}

void SqsService::run_ready(std::unique_lock<std::mutex>& lock) {
  serve_waiters();
  std::vector<std::pair<Completion, Result>> ready;
  ready.swap(ready_);
  ctx_ = nullptr;
  lock.unlock();
  for (auto& [done, result] : ready) done(std::move(result));
}

Result SqsService::call(const RequestContext& ctx, const std::string& op, json input) {
  static const std::unordered_map<std::string, Handler> kOps = {
      {"CreateQueue", &SqsService::create_queue},
      {"GetQueueUrl", &SqsService::get_queue_url},
      {"ListQueues", &SqsService::list_queues},
      {"DeleteQueue", &SqsService::delete_queue},
      {"GetQueueAttributes", &SqsService::get_queue_attributes},
      {"SetQueueAttributes", &SqsService::set_queue_attributes},
      {"PurgeQueue", &SqsService::purge_queue},
      {"TagQueue", &SqsService::tag_queue},
      {"UntagQueue", &SqsService::untag_queue},
      {"ListQueueTags", &SqsService::list_queue_tags},
      {"ListDeadLetterSourceQueues", &SqsService::list_dead_letter_source_queues},
      {"AddPermission", &SqsService::add_permission},
      {"RemovePermission", &SqsService::remove_permission},
      {"SendMessage", &SqsService::send_message},
      {"SendMessageBatch", &SqsService::send_message_batch},
      {"ReceiveMessage", &SqsService::receive_message},
      {"DeleteMessage", &SqsService::delete_message},
      {"DeleteMessageBatch", &SqsService::delete_message_batch},
      {"ChangeMessageVisibility", &SqsService::change_message_visibility},
      {"ChangeMessageVisibilityBatch", &SqsService::change_message_visibility_batch},
      {"StartMessageMoveTask", &SqsService::start_message_move_task},
      {"ListMessageMoveTasks", &SqsService::list_message_move_tasks},
      {"CancelMessageMoveTask", &SqsService::cancel_message_move_task},
  };
  auto it = kOps.find(op);
  if (it == kOps.end()) return Result::fail(AwsError::not_implemented("The SQS operation " + op));
  if (!input.is_object()) input = json::object();
  std::unique_lock lock(mu_);
  ctx_ = &ctx;
  Result result = run_operation("sqs", op, [&] { return (this->*(it->second))(input); }, AwsError::internal(),
                                AwsError("InvalidParameterValue", "One or more parameters are invalid.", 400));
  run_ready(lock);
  return result;
}

std::unique_ptr<Service> make_service(const ServiceEnv& env) { return std::make_unique<SqsService>(env); }

}  // namespace awan::sqs
