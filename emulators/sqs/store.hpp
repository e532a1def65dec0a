#pragma once
// The SQS emulator's SQLite schema and statements: queues (their attributes and tags),
// messages (body, attributes, visibility, receive counts, FIFO group and sequence) and the FIFO
// deduplication window. Times are epoch milliseconds.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/sqlite.hpp"

namespace awan::sqs {

struct QueueRow {
  int64_t id = 0;
  std::string account, region, name;
  bool fifo = false;
  nlohmann::json attributes = nlohmann::json::object();  // the settable attributes, as strings
  nlohmann::json tags = nlohmann::json::object();
  int64_t created = 0, modified = 0;  // epoch seconds
  int64_t last_purge_ms = 0;
};

struct MessageRow {
  int64_t queue = 0, seq = 0;
  std::string id, body;
  std::string attributes;         // the MessageAttributes document as JSON text ("" = none)
  std::string system_attributes;  // the MessageSystemAttributes document ("" = none)
  std::string md5_body, md5_attributes, md5_system;
  int64_t sent_ms = 0, visible_ms = 0;
  int64_t receive_count = 0, first_receive_ms = 0;
  std::string token;  // of the latest receive: a receipt handle carries it
  std::string group_id, dedup_id, sequence_number, sender_id, dead_letter_source;
};

struct MessageCounts {
  int64_t visible = 0, not_visible = 0, delayed = 0;
};

class Store {
 public:
  Store(const std::string& path, storage::Database::Durability durability);

  storage::Database& db() { return db_; }
  void reset();

  std::vector<QueueRow> queues();
  void insert_queue(QueueRow& q);  // sets q.id
  void update_queue(const QueueRow& q);
  void delete_queue(int64_t id);   // with its messages and deduplication entries
  int64_t max_seq();

  void insert_message(const MessageRow& m);
  std::optional<MessageRow> message(int64_t queue, int64_t seq);
  // Standard queues: up to `limit` visible, unexpired messages, the longest visible first.
  std::vector<MessageRow> visible(int64_t queue, int64_t now_ms, int64_t min_sent_ms, int limit);
  // Every message of a queue in sending order, until fn returns false (FIFO receives).
  void scan(int64_t queue, const std::function<bool(MessageRow&)>& fn);
  void mark_received(const MessageRow& m);  // visible_ms, receive_count, first_receive_ms, token
  void set_visible(int64_t queue, int64_t seq, int64_t visible_ms);
  void delete_message(int64_t queue, int64_t seq);
  int64_t delete_sent_before(int64_t queue, int64_t before_ms);  // purge
  // Retention: deletes the queue's oldest messages in sending order up to the first one sent
  // after `before_ms` (cheap when nothing expired; a message moved in from a dead-letter source
  // that keeps an older send time waits behind newer ones, and receives and counts skip it).
  int64_t expire_oldest(int64_t queue, int64_t before_ms);
  MessageCounts counts(int64_t queue, int64_t now_ms, int64_t min_sent_ms);
  // The earliest time after now_ms at which a message becomes visible (0 = none).
  int64_t next_visible(int64_t queue, int64_t now_ms);

  struct Dedup {
    std::string message_id, sequence_number;
  };
  std::optional<Dedup> dedup(int64_t queue, const std::string& scope, const std::string& id, int64_t now_ms);
  void put_dedup(int64_t queue, const std::string& scope, const std::string& id, int64_t expires_ms,
                 const Dedup& d);
  void expire_dedup(int64_t now_ms);

 private:
  void create_schema();
  storage::Database db_;
};

}  // namespace awan::sqs
