#pragma once
// The CloudWatch Logs emulator's SQLite schema and statements: log groups (retention, class,
// tags), log streams (their event statistics), log events by (stream, timestamp, seq), metric
// and subscription filters. Times are epoch milliseconds.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/sqlite.hpp"

namespace awan::logs {

struct LogGroupRow {
  int64_t id = 0;
  std::string account, region, name;
  int64_t creation_time = 0;
  int64_t retention_in_days = 0;  // 0 = never expire
  std::string kms_key_id, log_group_class = "STANDARD";
  nlohmann::json tags = nlohmann::json::object();
};

struct LogStreamRow {
  int64_t id = 0, group = 0;
  std::string name;
  int64_t creation_time = 0;
  int64_t first_event_timestamp = 0, last_event_timestamp = 0, last_ingestion_time = 0;  // 0 = no events
  int64_t stored_bytes = 0, uploads = 0;
};

// A position in a stream's or a group's (timestamp, seq) order.
struct Cursor {
  int64_t timestamp = 0, seq = 0;
};

struct LogEventRow {
  int64_t stream = 0, timestamp = 0, seq = 0, ingestion_time = 0;
  std::string message;
};

struct MetricFilterRow {
  int64_t group = 0;
  std::string name, pattern;
  nlohmann::json transformations = nlohmann::json::array();
  int64_t creation_time = 0;
};

struct SubscriptionFilterRow {
  int64_t group = 0;
  std::string name, pattern, destination_arn, role_arn, distribution;
  int64_t creation_time = 0;
};

class Store {
 public:
  Store(const std::string& path, storage::Database::Durability durability);

  storage::Database& db() { return db_; }
  void reset();

  std::optional<LogGroupRow> group(const std::string& account, const std::string& region, const std::string& name);
  // The account's groups in the region whose names start with `prefix`, by name.
  std::vector<LogGroupRow> groups(const std::string& account, const std::string& region, const std::string& prefix);
  std::vector<LogGroupRow> groups_with_retention();
  void insert_group(LogGroupRow& g);  // sets g.id
  void update_group(const LogGroupRow& g);
  void delete_group(int64_t id);  // with its streams, events and filters
  int64_t stored_bytes(int64_t group);

  std::optional<LogStreamRow> stream(int64_t group, const std::string& name);
  std::vector<LogStreamRow> streams(int64_t group, const std::string& prefix);  // by name
  void insert_stream(LogStreamRow& s);  // sets s.id
  void update_stream(const LogStreamRow& s);
  void delete_stream(int64_t id);  // with its events

  int64_t max_seq();
  void insert_event(int64_t group, const LogEventRow& e);
  // A stream's events in [start, end) after (forward) or before (backward) the cursor, nearest
  // first, at most `limit`.
  std::vector<LogEventRow> events_after(int64_t stream, Cursor after, int64_t start, int64_t end, int limit);
  std::vector<LogEventRow> events_before(int64_t stream, Cursor before, int64_t start, int64_t end, int limit);
  // A group's events in [start, end] after the cursor, in (timestamp, seq) order, until fn
  // returns false. fn must not use the store.
  void scan_group(int64_t group, Cursor after, int64_t start, int64_t end,
                  const std::function<bool(const LogEventRow&)>& fn);
  // Retention: deletes the group's events older than before_ms and refreshes its streams'
  // statistics; returns the number of events deleted.
  int64_t expire(int64_t group, int64_t before_ms);

  std::vector<MetricFilterRow> metric_filters(int64_t group);
  void put_metric_filter(const MetricFilterRow& f);
  bool delete_metric_filter(int64_t group, const std::string& name);

  std::vector<SubscriptionFilterRow> subscription_filters(int64_t group);
  void put_subscription_filter(const SubscriptionFilterRow& f);
  bool delete_subscription_filter(int64_t group, const std::string& name);

 private:
  void create_schema();
  storage::Database db_;
};

}  // namespace awan::logs
