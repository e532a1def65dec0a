#pragma once
// The SQS service class. Operations by file: queues.cpp (queues, their attributes, tags,
// permissions, dead-letter sources), messages.cpp (send, receive, delete, visibility),
// long_poll.cpp (waiting receives), move_tasks.cpp (message move tasks); service.cpp holds
// construction, reset, internal endpoints and the dispatch table.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/service.hpp"
#include "sqs/queue_attributes.hpp"
#include "sqs/store.hpp"

namespace awan::sqs {

using json = nlohmann::json;

// A queue as the operations use it: its row and the attributes parsed once.
struct Queue {
  QueueRow row;
  std::string arn;
  int64_t delay_s = 0, max_size = 0, retention_s = 0, wait_s = 0, visibility_s = 0;
  bool content_dedup = false, dedup_per_group = false;
  std::optional<RedrivePolicy> redrive;
  std::optional<RedriveAllowPolicy> redrive_allow;
  void refresh();  // after row.attributes changed
};

// A FIFO message's SequenceNumber: 20 digits, growing with the send order.
inline std::string fifo_sequence_number(int64_t seq) {
  return std::to_string(10'000'000'000'000'000'000ULL + static_cast<uint64_t>(seq));
}

// ReceiveMessage's parameters, checked.
struct ReceiveRequest {
  int64_t queue = 0;
  int max = 1;
  std::optional<int64_t> visibility_s;
  int64_t wait_s = 0;
  std::vector<std::string> system_names;     // MessageSystemAttributeNames + AttributeNames
  std::vector<std::string> attribute_names;  // MessageAttributeNames
  std::string attempt_id;                    // FIFO ReceiveRequestAttemptId
};

// A FIFO receive kept for 5 minutes under its ReceiveRequestAttemptId: a retry gets the same
// answer while none of its messages was deleted or had its visibility changed.
struct ReceiveAttempt {
  int64_t expires_ms = 0;
  std::vector<std::tuple<int64_t, std::string, int64_t>> messages;  // (seq, receive token, visible_ms)
  json output;
};

struct MoveTask {
  std::string handle, source_arn, destination_arn;
  std::optional<int64_t> max_per_second;
  std::string status = "RUNNING";  // RUNNING | COMPLETED | CANCELLED | FAILED
  int64_t moved = 0, to_move = 0, started_ms = 0;
  std::string failure_reason;
};

class SqsService final : public Service {
 public:
  explicit SqsService(const ServiceEnv& env);
  ~SqsService() override;
  std::string_view name() const override { return "sqs"; }
  void invoke(const RequestContext& ctx, const std::string& operation, json input, Completion done) override;
  Result call(const RequestContext& ctx, const std::string& operation, json input) override;
  void reset() override;
  bool internal_endpoint(std::string_view method, std::string_view path, const std::string& body, int& status,
                         json& out) override;
  void drain() override;  // waiting receives answer empty
  void shutdown() override;

  using Handler = Result (SqsService::*)(json& in);

 private:
  // ---- shared helpers (service.cpp) ----
  int64_t now_ms() const;
  std::string queue_url(const QueueRow& q) const;
  Queue& require_queue(const json& in);                  // by QueueUrl
  Queue* queue_by_arn(std::string_view arn);
  Queue* find_queue(const std::string& account, const std::string& region, const std::string& name);
  void forget_queue(int64_t id);
  void schedule_sweep();
  void sweep();  // retention and the deduplication window

  // ---- queues.cpp ----
  Result create_queue(json& in);
  Result get_queue_url(json& in);
  Result list_queues(json& in);
  Result delete_queue(json& in);
  Result get_queue_attributes(json& in);
  Result set_queue_attributes(json& in);
  Result purge_queue(json& in);
  Result tag_queue(json& in);
  Result untag_queue(json& in);
  Result list_queue_tags(json& in);
  Result list_dead_letter_source_queues(json& in);
  Result add_permission(json& in);
  Result remove_permission(json& in);
  json queue_attribute_values(const Queue& q, const std::vector<std::string>& names);
  Queue& add_queue(QueueRow row);
  // A RedrivePolicy among `attrs` must name an existing queue of the same kind whose
  // RedriveAllowPolicy admits `source_arn`.
  void check_redrive(const json& attrs, bool fifo, const std::string& source_arn);

  // ---- messages.cpp ----
  Result send_message(json& in);
  Result send_message_batch(json& in);
  Result receive_message(json& in);
  Result delete_message(json& in);
  Result delete_message_batch(json& in);
  Result change_message_visibility(json& in);
  Result change_message_visibility_batch(json& in);
  // One message into a queue (SendMessage and each batch entry): the output entry or the error.
  std::variant<json, AwsError> enqueue(Queue& q, const json& entry);
  ReceiveRequest parse_receive(Queue& q, const json& in);
  // Takes up to r.max messages (moving those past maxReceiveCount to the dead-letter queue).
  json take_messages(Queue& q, const ReceiveRequest& r);
  std::optional<AwsError> delete_by_handle(Queue& q, const std::string& handle);
  // DeleteMessageBatch / ChangeMessageVisibilityBatch: `apply` to each entry's handle, in one
  // transaction; per-entry failures in Failed.
  Result handle_batch(json& in, const std::string& entry_shape,
                      const std::function<std::optional<AwsError>(const std::string&, const json&)>& apply);
  std::optional<AwsError> change_visibility(Queue& q, const std::string& handle, const json& timeout);
  // Moves a message to another queue as a new, never received message (dead-letter redrive and
  // move tasks); `dead_letter_source` is the queue ARN it records ("" when moved back).
  void move_message(Queue& from, Queue& to, MessageRow m, const std::string& dead_letter_source);

  // ---- long_poll.cpp ----
  struct Waiter {
    uint64_t id = 0;
    ReceiveRequest request;
    int64_t deadline_ms = 0;
    Completion done;
  };
  // Registers a receive that found nothing; its deadline (and the next message becoming
  // visible) is scheduled.
  void wait_for_messages(ReceiveRequest r, Completion done);
  // The queue may have visible messages: its waiters are served once the current operation
  // is done (run_ready), outside its transaction.
  void wake(int64_t queue);
  void wake_at(int64_t queue, int64_t at_ms);
  void expire_waiter(int64_t queue, uint64_t id);
  void drop_waiters(int64_t queue);  // the queue is gone: they answer empty
  // Serves the woken queues' waiters, then releases mu_ and runs the completions.
  void run_ready(std::unique_lock<std::mutex>& lock);
  void serve_waiters();

  // ---- move_tasks.cpp ----
  Result start_message_move_task(json& in);
  Result list_message_move_tasks(json& in);
  Result cancel_message_move_task(json& in);
  void run_move_task(std::string handle);

  ServiceEnv env_;
  std::mutex mu_;
  Store store_;
  int64_t seq_ = 0;
  std::map<std::string, std::unique_ptr<Queue>> queues_;  // "account/region/name", sorted for ListQueues
  std::unordered_map<int64_t, Queue*> by_id_;
  std::unordered_map<int64_t, std::vector<Waiter>> waiters_;
  uint64_t next_waiter_ = 0;
  std::set<int64_t> to_wake_;  // queues whose waiters may be served (after the current operation)
  std::vector<std::pair<Completion, Result>> ready_;  // to complete once mu_ is released
  std::vector<MoveTask> move_tasks_;
  std::map<std::pair<int64_t, std::string>, ReceiveAttempt> attempts_;  // (queue, attempt id)
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // read by scheduled work
  // The request being served (set under mu_ by call()).
  const RequestContext* ctx_ = nullptr;
};

}  // namespace awan::sqs
