// SQS queue operations: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, Get/SetQueueAttributes,
// PurgeQueue, tags, ListDeadLetterSourceQueues and Add/RemovePermission.
#include <algorithm>

#include "core/crypto.hpp"
#include "core/document.hpp"
#include "sqs/errors.hpp"
#include "sqs/service_impl.hpp"

namespace awan::sqs {

namespace {

constexpr size_t kMaxTags = 50;
constexpr int64_t kPurgeInterval_ms = 60'000;

std::string required_string(const json& in, const char* name) {
  auto it = in.find(name);
  if (it == in.end() || !it->is_string() || it->get<std::string>().empty()) throw errors::missing_parameter(name);
  return it->get<std::string>();
}

const json& object_member(const json& in, const char* name) {
  static const json empty = json::object();
  auto it = in.find(name);
  if (it == in.end() || it->is_null()) return empty;
  if (!it->is_object()) throw errors::invalid_parameter("Invalid value for the parameter " + std::string(name) + ".");
  return *it;
}

std::vector<std::string> string_list(const json& in, const char* name) {
  std::vector<std::string> out;
  auto it = in.find(name);
  if (it == in.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Read-only attributes GetQueueAttributes adds to the stored ones.
bool is_fifo_only(std::string_view name) {
  return name == "FifoQueue" || name == "ContentBasedDeduplication" || name == "DeduplicationScope" ||
         name == "FifoThroughputLimit";
}

std::optional<int64_t> max_results(const json& in, int64_t limit) {
  auto it = in.find("MaxResults");
  if (it == in.end() || it->is_null()) return std::nullopt;
  int64_t n = it->is_number_integer() ? it->get<int64_t>() : -1;
  if (n < 1 || n > limit)
    throw errors::invalid_value(it->dump(), "MaxResults",
                                "MaxResults must be an integer between 1 and " + std::to_string(limit) + ".");
  return n;
}

// Opaque list tokens: base64 of the last key returned.
std::string make_token(const std::string& key) { return crypto::base64_encode(key); }
std::string read_token(const json& in) {
  auto it = in.find("NextToken");
  if (it == in.end() || !it->is_string() || it->get<std::string>().empty()) return "";
  auto raw = crypto::base64_decode(it->get<std::string>());
  if (!raw) throw errors::invalid_parameter("Invalid or expired next token.");
  return *raw;
}

void check_tags(const json& tags) {
  for (auto& [k, v] : tags.items()) {
    if (k.empty() || k.size() > 128) throw errors::invalid_parameter("Tag keys must be between 1 and 128 characters in length.");
    if (!v.is_string() || v.get<std::string>().size() > 256)
      throw errors::invalid_parameter("Tag values must be less than 256 characters in length.");
  }
}

}  // namespace


Result SqsService::create_queue(json& in) {
  std::string name = required_string(in, "QueueName");
  if (auto err = check_queue_name(name)) throw *err;
  json attrs = object_member(in, "Attributes");
  json tags = object_member(in, "tags");
  if (tags.empty()) tags = object_member(in, "Tags");
  bool fifo = attrs.contains("FifoQueue") && attrs["FifoQueue"].is_string() && attrs["FifoQueue"] == "true";
  if (fifo != ends_with(name, ".fifo"))
    throw errors::invalid_parameter(
        "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with "
        ".fifo suffix and be 1 to 80 in length.");
  if (auto err = check_queue_attributes(attrs, fifo, true)) throw *err;
  check_redrive(attrs, fifo, "arn:aws:sqs:" + ctx_->region + ":" + ctx_->account_id + ":" + name);
  check_tags(tags);
  if (tags.size() > kMaxTags) throw errors::invalid_parameter("Too many tags added for queue " + name + ".");

  const std::string& account = ctx_->account_id;
  if (Queue* existing = find_queue(account, ctx_->region, name)) {
    // Idempotent when every given attribute matches.
    for (auto& [k, v] : attrs.items()) {
      auto cur = existing->row.attributes.find(k);
      std::string have = cur != existing->row.attributes.end() && cur->is_string() ? cur->get<std::string>() : "";
      if (!v.is_string() || v.get<std::string>() != have) throw errors::queue_name_exists(k);
    }
    return Result::ok({{"QueueUrl", queue_url(existing->row)}});
  }
  QueueRow row;
  row.account = account;
  row.region = ctx_->region;
  row.name = name;
  row.fifo = fifo;
  row.attributes = default_attributes(fifo);
  for (auto& [k, v] : attrs.items()) {
    if (v.is_string() && v.get<std::string>().empty() && (k == "Policy" || k == "RedrivePolicy" || k == "RedriveAllowPolicy"))
      row.attributes.erase(k);
    else
      row.attributes[k] = v;
  }
  row.tags = tags;
  row.created = row.modified = now_ms() / 1000;
  store_.insert_queue(row);
  Queue& q = add_queue(std::move(row));
  return Result::ok({{"QueueUrl", queue_url(q.row)}});
}

void SqsService::check_redrive(const json& attrs, bool fifo, const std::string& source_arn) {
  auto it = attrs.find("RedrivePolicy");
  if (it == attrs.end() || !it->is_string() || it->get<std::string>().empty()) return;
  auto parsed = parse_redrive_policy(it->get<std::string>());
  if (auto* err = std::get_if<AwsError>(&parsed)) throw *err;
  const auto& policy = std::get<std::optional<RedrivePolicy>>(parsed);
  if (!policy) return;
  Queue* target = queue_by_arn(policy->dead_letter_target_arn);
  if (!target)
    throw errors::invalid_value(it->get<std::string>(), "RedrivePolicy", "Dead letter target does not exist.");
  if (target->row.fifo != fifo)
    throw errors::invalid_value(it->get<std::string>(), "RedrivePolicy",
                                "Dead-letter queue must be same type of queue as the source.");
  // The dead-letter queue's RedriveAllowPolicy says which sources may use it.
  if (target->redrive_allow && !target->redrive_allow->allows(source_arn))
    throw errors::invalid_value(it->get<std::string>(), "RedrivePolicy",
                                "The RedriveAllowPolicy of " + target->arn + " does not allow " + source_arn +
                                    " to use it as its dead-letter queue.");
}

Result SqsService::get_queue_url(json& in) {
  std::string name = required_string(in, "QueueName");
  std::string account = in.value("QueueOwnerAWSAccountId", "");
  if (account.empty()) account = ctx_->account_id;
  Queue* q = find_queue(account, ctx_->region, name);
  if (!q) throw errors::queue_does_not_exist();
  return Result::ok({{"QueueUrl", queue_url(q->row)}});
}

Result SqsService::list_queues(json& in) {
  std::string prefix = in.value("QueueNamePrefix", "");
  auto limit = max_results(in, 1000);
  std::string after = read_token(in);
  std::string base = ctx_->account_id + "/" + ctx_->region + "/";
  json urls = json::array();
  std::string last;
  bool more = false;
  for (auto it = queues_.lower_bound(base + prefix); it != queues_.end(); ++it) {
    if (it->first.compare(0, base.size() + prefix.size(), base + prefix) != 0) break;
    if (!after.empty() && it->first <= after) continue;
    if (urls.size() >= static_cast<size_t>(limit.value_or(1000))) {
      more = true;
      break;
    }
    urls.push_back(queue_url(it->second->row));
    last = it->first;
  }
  json out = json::object();
  if (!urls.empty()) out["QueueUrls"] = std::move(urls);
  if (more && limit) out["NextToken"] = make_token(last);
  return Result::ok(std::move(out));
}

Result SqsService::delete_queue(json& in) {
  Queue& q = require_queue(in);
  int64_t id = q.row.id;
  store_.delete_queue(id);
  drop_waiters(id);
  forget_queue(id);
  return Result::ok();
}

json SqsService::queue_attribute_values(const Queue& q, const std::vector<std::string>& names) {
  bool all = std::find(names.begin(), names.end(), "All") != names.end();
  auto wanted = [&](std::string_view n) { return all || std::find(names.begin(), names.end(), n) != names.end(); };
  json out = json::object();
  for (auto& [k, v] : q.row.attributes.items()) {
    if (!q.row.fifo && is_fifo_only(k)) continue;
    if (wanted(k)) out[k] = v;
  }
  int64_t now = now_ms();
  if (wanted("ApproximateNumberOfMessages") || wanted("ApproximateNumberOfMessagesNotVisible") ||
      wanted("ApproximateNumberOfMessagesDelayed")) {
    MessageCounts c = store_.counts(q.row.id, now, now - q.retention_s * 1000);
    if (wanted("ApproximateNumberOfMessages")) out["ApproximateNumberOfMessages"] = std::to_string(c.visible);
    if (wanted("ApproximateNumberOfMessagesNotVisible"))
      out["ApproximateNumberOfMessagesNotVisible"] = std::to_string(c.not_visible);
    if (wanted("ApproximateNumberOfMessagesDelayed"))
      out["ApproximateNumberOfMessagesDelayed"] = std::to_string(c.delayed);
  }
  if (wanted("CreatedTimestamp")) out["CreatedTimestamp"] = std::to_string(q.row.created);
  if (wanted("LastModifiedTimestamp")) out["LastModifiedTimestamp"] = std::to_string(q.row.modified);
  if (wanted("QueueArn")) out["QueueArn"] = q.arn;
  return out;
}

Result SqsService::get_queue_attributes(json& in) {
  Queue& q = require_queue(in);
  std::vector<std::string> names = string_list(in, "AttributeNames");
  if (auto err = check_attribute_names(names)) throw *err;
  json attrs = queue_attribute_values(q, names);
  json out = json::object();
  if (!attrs.empty()) out["Attributes"] = std::move(attrs);
  return Result::ok(std::move(out));
}

Result SqsService::set_queue_attributes(json& in) {
  Queue& q = require_queue(in);
  json attrs = object_member(in, "Attributes");
  if (auto err = check_queue_attributes(attrs, q.row.fifo, false)) throw *err;
  check_redrive(attrs, q.row.fifo, q.arn);
  for (auto& [k, v] : attrs.items()) {
    if (v.is_string() && v.get<std::string>().empty() && (k == "Policy" || k == "RedrivePolicy" || k == "RedriveAllowPolicy"))
      q.row.attributes.erase(k);
    else
      q.row.attributes[k] = v;
  }
  q.row.modified = now_ms() / 1000;
  store_.update_queue(q.row);
  q.refresh();
  return Result::ok();
}

Result SqsService::purge_queue(json& in) {
  Queue& q = require_queue(in);
  int64_t now = now_ms();
  if (q.row.last_purge_ms && now - q.row.last_purge_ms < kPurgeInterval_ms) throw errors::purge_in_progress(q.row.name);
  storage::Transaction tx(store_.db());
  store_.delete_sent_before(q.row.id, now);
  q.row.last_purge_ms = now;
  store_.update_queue(q.row);
  tx.commit();
  return Result::ok();
}

Result SqsService::tag_queue(json& in) {
  Queue& q = require_queue(in);
  const json& tags = object_member(in, "Tags");
  check_tags(tags);
  json merged = q.row.tags;
  for (auto& [k, v] : tags.items()) merged[k] = v;
  if (merged.size() > kMaxTags) throw errors::invalid_parameter("Too many tags added for queue " + q.row.name + ".");
  q.row.tags = std::move(merged);
  store_.update_queue(q.row);
  return Result::ok();
}

Result SqsService::untag_queue(json& in) {
  Queue& q = require_queue(in);
  for (const auto& k : string_list(in, "TagKeys")) q.row.tags.erase(k);
  store_.update_queue(q.row);
  return Result::ok();
}

Result SqsService::list_queue_tags(json& in) {
  Queue& q = require_queue(in);
  json out = json::object();
  if (!q.row.tags.empty()) out["Tags"] = q.row.tags;
  return Result::ok(std::move(out));
}

Result SqsService::list_dead_letter_source_queues(json& in) {
  Queue& dlq = require_queue(in);
  auto limit = max_results(in, 1000);
  std::string after = read_token(in);
  json urls = json::array();
  std::string last;
  bool more = false;
  for (auto& [key, q] : queues_) {
    if (!q->redrive || q->redrive->dead_letter_target_arn != dlq.arn) continue;
    if (!after.empty() && key <= after) continue;
    if (urls.size() >= static_cast<size_t>(limit.value_or(1000))) {
      more = true;
      break;
    }
    urls.push_back(queue_url(q->row));
    last = key;
  }
  json out = {{"queueUrls", std::move(urls)}};
  if (more && limit) out["NextToken"] = make_token(last);
  return Result::ok(std::move(out));
}

Result SqsService::add_permission(json& in) {
  Queue& q = require_queue(in);
  std::string label = required_string(in, "Label");
  if (label.size() > 80 || label.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
                               std::string::npos)
    throw errors::invalid_value(label, "Label",
                                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  std::vector<std::string> accounts = string_list(in, "AWSAccountIds");
  std::vector<std::string> actions = string_list(in, "Actions");
  if (accounts.empty()) throw errors::missing_parameter("AWSAccountIds");
  if (actions.empty()) throw errors::missing_parameter("Actions");
  static const char* kActions[] = {"*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
                                   "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue",
                                   "ListQueueTags"};
  json principals = json::array(), action_list = json::array();
  for (const auto& a : actions) {
    if (std::find(std::begin(kActions), std::end(kActions), a) == std::end(kActions))
      throw errors::invalid_value(a, "ActionName", "Only the queue owner is allowed to invoke this action.");
    action_list.push_back("SQS:" + a);
  }
  for (const auto& a : accounts) principals.push_back("arn:aws:iam::" + a + ":root");
  json policy = json::object();
  if (auto it = q.row.attributes.find("Policy"); it != q.row.attributes.end() && it->is_string())
    policy = json::parse(it->get<std::string>(), nullptr, false);
  if (!policy.is_object()) policy = json::object();
  if (!policy.contains("Statement") || !policy["Statement"].is_array()) {
    policy["Version"] = "2012-10-17";
    policy["Id"] = q.arn + "/SQSDefaultPolicy";
    policy["Statement"] = json::array();
  }
  for (const auto& s : policy["Statement"])
    if (text_of(s, "Sid") == label)
      throw errors::invalid_value(label, "Label", "Already exists.");
  policy["Statement"].push_back({{"Sid", label},
                                 {"Effect", "Allow"},
                                 {"Principal", {{"AWS", principals.size() == 1 ? principals[0] : principals}}},
                                 {"Action", action_list.size() == 1 ? action_list[0] : action_list},
                                 {"Resource", q.arn}});
  q.row.attributes["Policy"] = policy.dump();
  store_.update_queue(q.row);
  return Result::ok();
}

Result SqsService::remove_permission(json& in) {
  Queue& q = require_queue(in);
  std::string label = required_string(in, "Label");
  json policy = json::object();
  if (auto it = q.row.attributes.find("Policy"); it != q.row.attributes.end() && it->is_string())
    policy = json::parse(it->get<std::string>(), nullptr, false);
  bool found = false;
  if (policy.is_object() && policy.contains("Statement") && policy["Statement"].is_array()) {
    json& st = policy["Statement"];
    for (auto it = st.begin(); it != st.end(); ++it) {
      if (text_of(*it, "Sid") == label) {
        st.erase(it);
        found = true;
        break;
      }
    }
  }
  if (!found) throw errors::invalid_value(label, "Label", "can't find label on existing policy.");
  if (policy["Statement"].empty())
    q.row.attributes.erase("Policy");
  else
    q.row.attributes["Policy"] = policy.dump();
  store_.update_queue(q.row);
  return Result::ok();
}

}  // namespace awan::sqs
