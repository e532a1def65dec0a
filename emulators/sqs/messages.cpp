// SQS message operations: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch) and
// ChangeMessageVisibility(Batch); the dead-letter redrive happens on receive, as in AWS.
#include <functional>
#include <set>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "sqs/errors.hpp"
#include "sqs/message_attributes.hpp"
#include "sqs/receipt_handle.hpp"
#include "sqs/service_impl.hpp"

namespace awan::sqs {

namespace {

constexpr int64_t kMaxVisibility_s = 43200;
constexpr int64_t kDedupWindow_ms = 5 * 60 * 1000;
constexpr int64_t kMaxBatchBytes = 1048576;
constexpr size_t kMaxBatchEntries = 10;

// An optional integer parameter: nullopt when absent, the error when not an integer in range.
std::optional<int64_t> int_param(const json& in, const char* name, int64_t lo, int64_t hi, const std::string& reason) {
  auto it = in.find(name);
  if (it == in.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi)
    throw errors::invalid_value(it->is_string() ? it->get<std::string>() : it->dump(), name, reason);
  return it->get<int64_t>();
}

std::string string_param(const json& in, const char* name) {
  auto it = in.find(name);
  return it != in.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// MessageGroupId and MessageDeduplicationId: 1-128 alphanumeric and punctuation characters.
void check_fifo_id(const std::string& value, const char* name) {
  bool ok = !value.empty() && value.size() <= 128;
  for (unsigned char c : value) ok = ok && c > 0x20 && c < 0x7f;
  if (!ok)
    throw errors::invalid_value(value, name,
                                std::string(name) + " can only include alphanumeric and punctuation characters. 1 to "
                                                    "128 in length.");
}

// A batch's Entries: 1-10 of them, with distinct, well-formed ids.
const json& batch_entries(const json& in, const std::string& entry_shape) {
  auto it = in.find("Entries");
  if (it == in.end() || !it->is_array() || it->empty()) throw errors::empty_batch(entry_shape);
  if (it->size() > kMaxBatchEntries) throw errors::too_many_entries(it->size());
  std::set<std::string> ids;
  for (const auto& e : *it) {
    std::string id = e.is_object() ? string_param(e, "Id") : "";
    if (id.empty() || id.size() > 80 ||
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos)
      throw errors::invalid_batch_id();
    if (!ids.insert(id).second) throw errors::ids_not_distinct(id);
  }
  return *it;
}

json failure(const std::string& id, const AwsError& e) {
  return {{"Id", id}, {"SenderFault", e.sender_fault}, {"Code", e.code}, {"Message", e.message}};
}

bool wants(const std::vector<std::string>& names, std::string_view name) {
  for (const auto& n : names)
    if (n == "All" || n == name) return true;
  return false;
}

}  // namespace

std::variant<json, AwsError> SqsService::enqueue(Queue& q, const json& entry) {
  try {
    auto body_it = entry.find("MessageBody");
    if (body_it == entry.end() || !body_it->is_string() || body_it->get<std::string>().empty())
      throw errors::missing_parameter("MessageBody");
    const std::string& body = body_it->get_ref<const std::string&>();
    if (auto err = check_message_body(body)) throw *err;
    MessageAttributes attrs, system;
    if (auto it = entry.find("MessageAttributes"); it != entry.end() && !it->is_null()) {
      auto parsed = parse_message_attributes(*it);
      if (auto* err = std::get_if<AwsError>(&parsed)) throw *err;
      attrs = std::move(std::get<MessageAttributes>(parsed));
    }
    if (auto it = entry.find("MessageSystemAttributes"); it != entry.end() && !it->is_null()) {
      auto parsed = parse_system_attributes(*it);
      if (auto* err = std::get_if<AwsError>(&parsed)) throw *err;
      system = std::move(std::get<MessageAttributes>(parsed));
    }
    if (static_cast<int64_t>(body.size() + attributes_size(attrs)) > q.max_size)
      throw errors::invalid_parameter("One or more parameters are invalid. Reason: Message must be shorter than " +
                                      std::to_string(q.max_size) + " bytes.");
    auto delay = int_param(entry, "DelaySeconds", 0, 900, "DelaySeconds must be >= 0 and <= 900.");
    std::string group = string_param(entry, "MessageGroupId");
    std::string dedup = string_param(entry, "MessageDeduplicationId");
    if (!group.empty()) check_fifo_id(group, "MessageGroupId");
    if (q.row.fifo) {
      if (delay && *delay != 0)
        throw errors::invalid_value(std::to_string(*delay), "DelaySeconds",
                                    "The request include parameter that is not valid for this queue type.");
      if (group.empty()) throw errors::missing_parameter("MessageGroupId");
      if (dedup.empty()) {
        if (!q.content_dedup)
          throw errors::invalid_parameter(
              "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided "
              "explicitly");
        dedup = crypto::sha256_hex(body);
      } else {
        check_fifo_id(dedup, "MessageDeduplicationId");
      }
    } else if (!dedup.empty()) {
      throw errors::invalid_value(dedup, "MessageDeduplicationId",
                                  "The request includes a parameter that is not valid for this queue type.");
    }

    json out = {{"MD5OfMessageBody", md5_of_body(body)}};
    if (!attrs.empty()) out["MD5OfMessageAttributes"] = md5_of_attributes(attrs);
    if (!system.empty()) out["MD5OfMessageSystemAttributes"] = md5_of_attributes(system);
    int64_t now = now_ms();
    const std::string scope = q.dedup_per_group ? group : std::string();
    if (q.row.fifo) {
      if (auto seen = store_.dedup(q.row.id, scope, dedup, now)) {
        out["MessageId"] = seen->message_id;
        out["SequenceNumber"] = seen->sequence_number;
        return out;
      }
    }
    MessageRow m;
    m.queue = q.row.id;
    m.seq = ++seq_;
    m.id = ids::uuid4();
    m.body = body;
    if (!attrs.empty()) m.attributes = to_document(attrs).dump();
    if (!system.empty()) m.system_attributes = to_document(system).dump();
    m.md5_body = out["MD5OfMessageBody"];
    m.md5_attributes = out.value("MD5OfMessageAttributes", "");
    m.md5_system = out.value("MD5OfMessageSystemAttributes", "");
    m.sent_ms = now;
    m.visible_ms = now + delay.value_or(q.delay_s) * 1000;
    m.group_id = group;
    m.sender_id = ctx_ && !ctx_->caller_user_id.empty() ? ctx_->caller_user_id
                                                          : (ctx_ ? ctx_->account_id : q.row.account);
    if (q.row.fifo) {
      m.dedup_id = dedup;
      m.sequence_number = fifo_sequence_number(m.seq);
      store_.put_dedup(q.row.id, scope, dedup, now + kDedupWindow_ms, {m.id, m.sequence_number});
      out["SequenceNumber"] = m.sequence_number;
    }
    store_.insert_message(m);
    out["MessageId"] = m.id;
    if (m.visible_ms <= now)
      wake(q.row.id);
    else
      wake_at(q.row.id, m.visible_ms);
    return out;
  } catch (const AwsError& e) {
    return e;
  }
}

Result SqsService::send_message(json& in) {
  Queue& q = require_queue(in);
  auto r = enqueue(q, in);
  if (auto* err = std::get_if<AwsError>(&r)) throw *err;
  return Result::ok(std::move(std::get<json>(r)));
}

Result SqsService::send_message_batch(json& in) {
  Queue& q = require_queue(in);
  const json& entries = batch_entries(in, "SendMessageBatchRequestEntry");
  int64_t total = 0;
  for (const auto& e : entries) {
    total += static_cast<int64_t>(string_param(e, "MessageBody").size());
    if (auto it = e.find("MessageAttributes"); it != e.end() && it->is_object()) total += static_cast<int64_t>(it->dump().size());
  }
  if (total > kMaxBatchBytes) throw errors::batch_too_long(kMaxBatchBytes, total);
  json successful = json::array(), failed = json::array();
  storage::Transaction tx(store_.db());
  for (const auto& e : entries) {
    std::string id = e["Id"];
    auto r = enqueue(q, e);
    if (auto* err = std::get_if<AwsError>(&r)) {
      failed.push_back(failure(id, *err));
    } else {
      json s = std::move(std::get<json>(r));
      s["Id"] = id;
      successful.push_back(std::move(s));
    }
  }
  tx.commit();
  return Result::ok({{"Successful", std::move(successful)}, {"Failed", std::move(failed)}});
}

ReceiveRequest SqsService::parse_receive(Queue& q, const json& in) {
  ReceiveRequest r;
  r.queue = q.row.id;
  r.max = static_cast<int>(int_param(in, "MaxNumberOfMessages", 1, 10, "Must be between 1 and 10, if provided.").value_or(1));
  r.visibility_s = int_param(in, "VisibilityTimeout", 0, kMaxVisibility_s, "Must be >= 0 and <= 43200, if provided.");
  r.wait_s = int_param(in, "WaitTimeSeconds", 0, 20, "Must be >= 0 and <= 20, if provided.").value_or(q.wait_s);
  for (const char* member : {"AttributeNames", "MessageSystemAttributeNames"}) {
    auto it = in.find(member);
    if (it != in.end() && it->is_array())
      for (const auto& n : *it)
        if (n.is_string()) r.system_names.push_back(n);
  }
  if (auto it = in.find("MessageAttributeNames"); it != in.end() && it->is_array())
    for (const auto& n : *it)
      if (n.is_string()) r.attribute_names.push_back(n);
  if (q.row.fifo) {  // standard queues ignore it
    r.attempt_id = string_param(in, "ReceiveRequestAttemptId");
    if (!r.attempt_id.empty()) check_fifo_id(r.attempt_id, "ReceiveRequestAttemptId");
  }
  return r;
}

void SqsService::move_message(Queue& from, Queue& to, MessageRow m, const std::string& dead_letter_source) {
  store_.delete_message(from.row.id, m.seq);
  m.queue = to.row.id;
  m.seq = ++seq_;
  m.receive_count = 0;
  m.first_receive_ms = 0;
  m.visible_ms = now_ms();
  m.token.clear();
  m.dead_letter_source = dead_letter_source;
  if (to.row.fifo) m.sequence_number = fifo_sequence_number(m.seq);
  store_.insert_message(m);
  wake(to.row.id);
}

json SqsService::take_messages(Queue& q, const ReceiveRequest& r) {
  const int64_t now = now_ms();
  if (!r.attempt_id.empty()) {
    auto it = attempts_.find({q.row.id, r.attempt_id});
    if (it != attempts_.end() && it->second.expires_ms > now) {
      bool untouched = true;
      for (const auto& [seq, token, visible_ms] : it->second.messages) {
        auto m = store_.message(q.row.id, seq);
        untouched = untouched && m && m->token == token && m->visible_ms == visible_ms && visible_ms > now;
      }
      if (untouched) return it->second.output;
    }
  }
  const int64_t min_sent = now - q.retention_s * 1000;
  Queue* dlq = q.redrive ? queue_by_arn(q.redrive->dead_letter_target_arn) : nullptr;
  const int64_t max_receives = q.redrive ? q.redrive->max_receive_count : 0;
  std::vector<MessageRow> picked;
  // A new receive of m: its count, its visibility deadline, a new receipt handle token.
  auto mark_received = [&](MessageRow& m) {
    m.receive_count += 1;
    if (m.first_receive_ms == 0) m.first_receive_ms = now;
    m.visible_ms = now + r.visibility_s.value_or(q.visibility_s) * 1000;
    m.token = new_receive_token();
    store_.mark_received(m);
  };
  storage::Transaction tx(store_.db());
  if (!q.row.fifo) {
    while (static_cast<int>(picked.size()) < r.max) {
      auto batch = store_.visible(q.row.id, now, min_sent, r.max - static_cast<int>(picked.size()));
      if (batch.empty()) break;
      for (auto& m : batch) {
        if (dlq && m.receive_count >= max_receives) {
          move_message(q, *dlq, std::move(m), q.arn);
          continue;
        }
        mark_received(m);  // out of the next batch's way
        picked.push_back(std::move(m));
      }
    }
  } else {
    // In order; a group with a message in flight (or still delayed) yields nothing after it.
    std::set<std::string> blocked;
    std::vector<MessageRow> redrive;
    store_.scan(q.row.id, [&](MessageRow& m) {
      if (m.sent_ms <= min_sent || blocked.count(m.group_id)) return true;
      if (m.visible_ms > now) {
        blocked.insert(m.group_id);
        return true;
      }
      if (dlq && m.receive_count >= max_receives) {
        redrive.push_back(std::move(m));
        return true;
      }
      picked.push_back(std::move(m));
      return static_cast<int>(picked.size()) < r.max;
    });
    for (auto& m : redrive) move_message(q, *dlq, std::move(m), q.arn);
    for (auto& m : picked) mark_received(m);
  }
  json messages = json::array();
  for (auto& m : picked) {
    json msg = {{"MessageId", m.id},
                {"ReceiptHandle", encode_receipt_handle({q.row.id, m.seq, m.token, now})},
                {"MD5OfBody", m.md5_body},
                {"Body", m.body}};
    json sys = json::object();
    const auto& names = r.system_names;
    if (wants(names, "SenderId")) sys["SenderId"] = m.sender_id;
    if (wants(names, "SentTimestamp")) sys["SentTimestamp"] = std::to_string(m.sent_ms);
    if (wants(names, "ApproximateReceiveCount")) sys["ApproximateReceiveCount"] = std::to_string(m.receive_count);
    if (wants(names, "ApproximateFirstReceiveTimestamp"))
      sys["ApproximateFirstReceiveTimestamp"] = std::to_string(m.first_receive_ms);
    if (!m.group_id.empty() && wants(names, "MessageGroupId")) sys["MessageGroupId"] = m.group_id;
    if (q.row.fifo && wants(names, "MessageDeduplicationId")) sys["MessageDeduplicationId"] = m.dedup_id;
    if (q.row.fifo && wants(names, "SequenceNumber")) sys["SequenceNumber"] = m.sequence_number;
    if (!m.dead_letter_source.empty() && wants(names, "DeadLetterQueueSourceArn"))
      sys["DeadLetterQueueSourceArn"] = m.dead_letter_source;
    if (!m.system_attributes.empty() && wants(names, "AWSTraceHeader")) {
      json doc = json::parse(m.system_attributes, nullptr, false);
      if (doc.is_object() && doc.contains("AWSTraceHeader")) sys["AWSTraceHeader"] = doc["AWSTraceHeader"].value("StringValue", "");
    }
    if (!sys.empty()) msg["Attributes"] = std::move(sys);
    if (!m.attributes.empty() && !r.attribute_names.empty()) {
      auto parsed = parse_message_attributes(json::parse(m.attributes, nullptr, false));
      if (auto* attrs = std::get_if<MessageAttributes>(&parsed)) {
        MessageAttributes selected;
        for (const auto& a : *attrs)
          for (const auto& pattern : r.attribute_names)
            if (selects(pattern, a.first)) {
              selected.push_back(a);
              break;
            }
        if (!selected.empty()) {
          msg["MessageAttributes"] = to_document(selected);
          msg["MD5OfMessageAttributes"] = md5_of_attributes(selected);
        }
      }
    }
    messages.push_back(std::move(msg));
    wake_at(q.row.id, m.visible_ms);
  }
  tx.commit();
  json out = json::object();
  if (!messages.empty()) out["Messages"] = std::move(messages);
  if (!r.attempt_id.empty()) {
    ReceiveAttempt& a = attempts_[{q.row.id, r.attempt_id}];
    a.expires_ms = now + kDedupWindow_ms;
    a.messages.clear();
    for (const auto& m : picked) a.messages.emplace_back(m.seq, m.token, m.visible_ms);
    a.output = out;
  }
  return out;
}

Result SqsService::receive_message(json& in) {
  Queue& q = require_queue(in);
  return Result::ok(take_messages(q, parse_receive(q, in)));
}

std::optional<AwsError> SqsService::delete_by_handle(Queue& q, const std::string& handle) {
  auto h = decode_receipt_handle(handle);
  if (!h || h->queue != q.row.id) return errors::receipt_handle_invalid(handle);
  const int64_t now = now_ms();
  if (now - h->received_ms > kMaxVisibility_s * 1000) return errors::receipt_handle_expired(handle);
  auto m = store_.message(q.row.id, h->seq);
  if (!m) return std::nullopt;  // already deleted
  if (q.row.fifo && (m->token != h->token || m->visible_ms <= now)) return errors::receipt_handle_expired(handle);
  // A standard queue's older handle succeeds without deleting what a newer receive holds.
  if (m->token == h->token) store_.delete_message(q.row.id, h->seq);
  return std::nullopt;
}

// DeleteMessage and ChangeMessageVisibility, alone and in batches: `apply` to the entry's
// ReceiptHandle (required) and the entry itself.
namespace {
using HandleAction = std::function<std::optional<AwsError>(const std::string& handle, const json& entry)>;

std::optional<AwsError> with_handle(const json& entry, const HandleAction& apply) {
  std::string handle = string_param(entry, "ReceiptHandle");
  if (handle.empty()) return errors::missing_parameter("ReceiptHandle");
  return apply(handle, entry);
}
}  // namespace

Result SqsService::handle_batch(json& in, const std::string& entry_shape, const HandleAction& apply) {
  const json& entries = batch_entries(in, entry_shape);
  json successful = json::array(), failed = json::array();
  storage::Transaction tx(store_.db());
  for (const auto& e : entries) {
    std::string id = e["Id"];
    if (auto err = with_handle(e, apply))
      failed.push_back(failure(id, *err));
    else
      successful.push_back({{"Id", id}});
  }
  tx.commit();
  return Result::ok({{"Successful", std::move(successful)}, {"Failed", std::move(failed)}});
}

Result SqsService::delete_message(json& in) {
  Queue& q = require_queue(in);
  if (auto err = with_handle(in, [&](const std::string& h, const json&) { return delete_by_handle(q, h); })) throw *err;
  return Result::ok();
}

Result SqsService::delete_message_batch(json& in) {
  Queue& q = require_queue(in);
  return handle_batch(in, "DeleteMessageBatchRequestEntry",
                      [&](const std::string& h, const json&) { return delete_by_handle(q, h); });
}

std::optional<AwsError> SqsService::change_visibility(Queue& q, const std::string& handle, const json& timeout) {
  try {
    auto h = decode_receipt_handle(handle);
    if (!h || h->queue != q.row.id) return errors::receipt_handle_invalid(handle);
    json holder = {{"VisibilityTimeout", timeout}};
    auto t = int_param(holder, "VisibilityTimeout", 0, kMaxVisibility_s, "Must be between 0 and 43200, if provided.");
    if (!t) return errors::missing_parameter("VisibilityTimeout");
    const int64_t now = now_ms();
    auto m = store_.message(q.row.id, h->seq);
    if (!m || m->token != h->token) return errors::not_available_for_visibility(handle);
    if (q.row.fifo && m->visible_ms <= now) return errors::receipt_handle_expired(handle);
    if (now + *t * 1000 - m->first_receive_ms > kMaxVisibility_s * 1000)
      return errors::invalid_value(std::to_string(*t), "VisibilityTimeout",
                                   "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]");
    store_.set_visible(q.row.id, h->seq, now + *t * 1000);
    if (*t == 0)
      wake(q.row.id);
    else
      wake_at(q.row.id, now + *t * 1000);
    return std::nullopt;
  } catch (const AwsError& e) {
    return e;
  }
}

Result SqsService::change_message_visibility(json& in) {
  Queue& q = require_queue(in);
  auto change = [&](const std::string& h, const json& e) {
    return change_visibility(q, h, e.value("VisibilityTimeout", json()));
  };
  if (auto err = with_handle(in, change)) throw *err;
  return Result::ok();
}

Result SqsService::change_message_visibility_batch(json& in) {
  Queue& q = require_queue(in);
  return handle_batch(in, "ChangeMessageVisibilityBatchRequestEntry", [&](const std::string& h, const json& e) {
    return change_visibility(q, h, e.value("VisibilityTimeout", json()));
  });
}

}  // namespace awan::sqs
