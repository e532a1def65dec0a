// SQS message move tasks: StartMessageMoveTask, ListMessageMoveTasks and CancelMessageMoveTask
// move messages out of a dead-letter queue (back to their source queues, or to a destination),
// in the background, at most MaxNumberOfMessagesPerSecond.
#include <spdlog/spdlog.h>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "sqs/errors.hpp"
#include "sqs/service_impl.hpp"

namespace awan::sqs {

namespace {
constexpr int64_t kUnthrottledBatch = 1000;

json task_entry(const MoveTask& t) {
  json e = {{"Status", t.status},
            {"SourceArn", t.source_arn},
            {"ApproximateNumberOfMessagesMoved", t.moved},
            {"ApproximateNumberOfMessagesToMove", t.to_move},
            {"StartedTimestamp", t.started_ms}};
  if (t.status == "RUNNING") e["TaskHandle"] = t.handle;
  if (!t.destination_arn.empty()) e["DestinationArn"] = t.destination_arn;
  if (t.max_per_second) e["MaxNumberOfMessagesPerSecond"] = *t.max_per_second;
  if (!t.failure_reason.empty()) e["FailureReason"] = t.failure_reason;
  return e;
}
}  // namespace

Result SqsService::start_message_move_task(json& in) {
  std::string source_arn = in.value("SourceArn", "");
  if (source_arn.empty()) throw errors::missing_parameter("SourceArn");
  Queue* source = queue_by_arn(source_arn);
  if (!source) throw errors::resource_not_found("The resource that you specified for the SourceArn parameter doesn't exist.");
  bool is_dead_letter = false;
  for (auto& [key, q] : queues_) is_dead_letter = is_dead_letter || (q->redrive && q->redrive->dead_letter_target_arn == source_arn);
  if (!is_dead_letter) throw errors::invalid_parameter("Source queue must be configured as a Dead Letter Queue.");
  std::string destination_arn = in.value("DestinationArn", "");
  if (!destination_arn.empty() && !queue_by_arn(destination_arn))
    throw errors::resource_not_found("The resource that you specified for the DestinationArn parameter doesn't exist.");
  MoveTask t;
  if (auto it = in.find("MaxNumberOfMessagesPerSecond"); it != in.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 500)
      throw errors::invalid_value(it->dump(), "MaxNumberOfMessagesPerSecond", "Must be between 1 and 500, if provided.");
    t.max_per_second = it->get<int64_t>();
  }
  for (const auto& other : move_tasks_)
    if (other.source_arn == source_arn && other.status == "RUNNING")
      throw errors::unsupported(
          "There is already a task running. Only one active task is allowed for a source queue arn at a given time.");
  int64_t now = now_ms();
  MessageCounts c = store_.counts(source->row.id, now, now - source->retention_s * 1000);
  t.handle = crypto::base64_encode(json{{"taskId", ids::uuid4()}, {"sourceArn", source_arn}}.dump());
  t.source_arn = source_arn;
  t.destination_arn = destination_arn;
  t.to_move = c.visible + c.not_visible + c.delayed;
  t.started_ms = now;
  move_tasks_.push_back(t);
  if (env_.scheduler) {
    env_.scheduler->post_after(std::chrono::milliseconds(0), [this, alive = alive_, h = t.handle] {
      if (*alive) run_move_task(h);
    });
  }
  return Result::ok({{"TaskHandle", t.handle}});
}

void SqsService::run_move_task(std::string handle) {
  std::unique_lock lock(mu_);
  MoveTask* task = nullptr;
  for (auto& t : move_tasks_)
    if (t.handle == handle) task = &t;
  if (!task || task->status != "RUNNING") return;
  Queue* source = queue_by_arn(task->source_arn);
  if (!source) {
    task->status = "FAILED";
    task->failure_reason = "AWS.SimpleQueueService.NonExistentQueue";
    return run_ready(lock);
  }
  const int64_t batch = task->max_per_second.value_or(kUnthrottledBatch);
  const int64_t now = now_ms();
  const int64_t min_sent = now - source->retention_s * 1000;
  std::vector<MessageRow> picked;
  store_.scan(source->row.id, [&](MessageRow& m) {
    if (m.sent_ms > min_sent && m.visible_ms <= now) picked.push_back(std::move(m));
    return static_cast<int64_t>(picked.size()) < batch;
  });
  try {
    storage::Transaction tx(store_.db());
    for (auto& m : picked) {
      Queue* to = queue_by_arn(task->destination_arn.empty() ? m.dead_letter_source : task->destination_arn);
      if (!to) {
        task->status = "FAILED";
        task->failure_reason = "Destination queue of message " + m.id + " does not exist.";
        break;
      }
      move_message(*source, *to, std::move(m), "");
      ++task->moved;
    }
    tx.commit();
  } catch (const storage::SqliteError& e) {
    spdlog::error("sqs move task: {}", e.what());
    task->status = "FAILED";
    task->failure_reason = "Internal error";
  }
  if (task->status == "RUNNING") {
    if (static_cast<int64_t>(picked.size()) < batch) {
      task->status = "COMPLETED";
    } else if (env_.scheduler) {
      auto delay = std::chrono::milliseconds(task->max_per_second ? 1000 : 0);
      env_.scheduler->post_after(delay, [this, alive = alive_, handle] {
        if (*alive) run_move_task(handle);
      });
    }
  }
  run_ready(lock);
}

Result SqsService::list_message_move_tasks(json& in) {
  std::string source_arn = in.value("SourceArn", "");
  if (source_arn.empty()) throw errors::missing_parameter("SourceArn");
  if (!queue_by_arn(source_arn))
    throw errors::resource_not_found("The resource that you specified for the SourceArn parameter doesn't exist.");
  int64_t max = 1;
  if (auto it = in.find("MaxResults"); it != in.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 10)
      throw errors::invalid_value(it->dump(), "MaxResults", "Must be between 1 and 10, if provided.");
    max = it->get<int64_t>();
  }
  json results = json::array();
  for (auto it = move_tasks_.rbegin(); it != move_tasks_.rend() && static_cast<int64_t>(results.size()) < max; ++it)
    if (it->source_arn == source_arn) results.push_back(task_entry(*it));
  return Result::ok({{"Results", std::move(results)}});
}

Result SqsService::cancel_message_move_task(json& in) {
  std::string handle = in.value("TaskHandle", "");
  if (handle.empty()) throw errors::missing_parameter("TaskHandle");
  for (auto& t : move_tasks_) {
    if (t.handle != handle) continue;
    if (t.status != "RUNNING") throw errors::unsupported("Only active tasks can be cancelled.");
    t.status = "CANCELLED";
    return Result::ok({{"ApproximateNumberOfMessagesMoved", t.moved}});
  }
  throw errors::resource_not_found("Task does not exist.");
}

}  // namespace awan::sqs
