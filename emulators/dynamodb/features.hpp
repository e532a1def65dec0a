#pragma once
// DynamoDB Streams, TTL expiry, point-in-time recovery and on-demand backups.
//
// One change log (table ddb_changes) is written in the same SQLite transaction as every item
// write that changes something, while the table has an enabled stream or point-in-time recovery.
// Streams read it (one shard per stream, sequence numbers are the log's row ids); PITR restores
// take the table's current rows and undo the logged changes made after the requested time;
// backups copy a table's rows. The TTL sweeper deletes expired items through the same write path
// (REMOVE records with the service identity).
//
// The Features object belongs to the DynamoDB service and runs under its lock; the
// DynamoDBStreams service reaches it through a Link that the owner clears on destruction.
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/service.hpp"

namespace awan::dynamodb {

class Store;
struct TableInfo;

// What the DynamoDB service offers these features. Called with the service lock held.
class TableHost {
 public:
  virtual ~TableHost() = default;
  virtual TableInfo* host_find(const std::string& account, const std::string& region, const std::string& name) = 0;
  virtual std::vector<TableInfo*> host_tables() = 0;
  // Creates a table from complete metadata (as stored); returns it.
  virtual TableInfo& host_create(const std::string& account, const std::string& region, const std::string& name,
                                 nlohmann::json meta) = 0;
  // The write_item choke point (indexes + change log), inside the caller's transaction.
  virtual void host_write(const TableInfo& t, const std::string& pk, const std::string& sk,
                          const nlohmann::json* old_item, const nlohmann::json* new_item) = 0;
  virtual nlohmann::json host_describe(const TableInfo& t, const std::string& status) = 0;
  virtual std::mutex& host_mutex() = 0;
};

class Features;

// Shared between the DynamoDB service (owner) and the DynamoDBStreams service.
struct FeaturesLink {
  std::mutex mu;
  Features* features = nullptr;  // null once the owner is gone
};

// Implemented by the DynamoDB service: how make_streams_service finds the shared backend.
class FeaturesOwner {
 public:
  virtual ~FeaturesOwner() = default;
  virtual std::shared_ptr<FeaturesLink> features_link() = 0;
};

class Features {
 public:
  static constexpr int64_t kStreamRetentionMs = 24LL * 3600 * 1000;
  static constexpr int64_t kIteratorLifetimeMs = 15LL * 60 * 1000;

  Features(const ServiceEnv& env, Store& store, TableHost& host);
  ~Features();
  Features(const Features&) = delete;
  Features& operator=(const Features&) = delete;

  std::shared_ptr<FeaturesLink> link() const { return link_; }

  // ---- hooks of the DynamoDB service (service lock held) ----
  // Every item write, inside its transaction. Writes one change record when something changed
  // and the table has an enabled stream or PITR. `ts_ms` is the write's time (0: now; global
  // tables pass their last-writer-wins timestamp); `replicated` marks a write that replication
  // applied from another region (not replicated again, no userIdentity in stream records).
  void on_write(const TableInfo& t, const std::string& pk, const std::string& sk, const nlohmann::json* old_item,
                const nlohmann::json* new_item, int64_t ts_ms = 0, bool replicated = false);
  // The highest sequence number written to the change log so far.
  int64_t last_seq() { return next_seq() - 1; }
  // Whether on_write needs the item's old image on this table (a stream, PITR or TTL).
  bool observes(const TableInfo& t) const;
  // StreamSpecification of CreateTable (current = null) / UpdateTable: validates and sets
  // StreamSpecification and LatestStreamLabel in `meta`.
  void set_stream_spec(const std::string& table, const nlohmann::json* current, nlohmann::json& meta,
                       const nlohmann::json& spec);
  // After a table was created or updated: opens / closes its stream to match its metadata.
  void sync_stream(const TableInfo& t);
  // Before a table is deleted: closes its stream (records stay readable for 24 hours).
  void on_table_deleted(const TableInfo& t);
  void reset();

  // DynamoDB operations handled here (PITR, backups); `handles` says which.
  static bool handles(const std::string& op);
  nlohmann::json call(const RequestContext& ctx, const std::string& op, nlohmann::json& in);
  // DynamoDBStreams_20120810 operations (takes the service lock itself).
  nlohmann::json streams_call(const RequestContext& ctx, const std::string& op, nlohmann::json& in);

  // ---- TTL ----
  // Deletes expired items of the tables with TTL enabled, at most `limit`; returns how many
  // (lock held).
  int64_t sweep_ttl(int64_t limit = std::numeric_limits<int64_t>::max());
  // Arms the periodic sweeper on env.scheduler (no-op without one or with a zero interval).
  void start_sweeper();
  void stop_sweeper();
  // Drops change records older than every reader needs (lock held).
  void trim_log();

 private:
  struct Stream;
  struct Timer {
    std::mutex mu;
    bool alive = true;
  };

  // change log / streams (change_log.cpp)
  void ensure_schema();
  std::optional<Stream> stream_by_arn(const std::string& arn);
  std::optional<Stream> open_stream(int64_t table_id);
  int64_t next_seq();
  int64_t trimmed_upto(int64_t table_id);  // highest sequence number trimmed away, 0 if none
  nlohmann::json stream_records(const Stream& s, int64_t from_seq, int64_t limit, int64_t& next_from, bool& more);
  nlohmann::json list_streams(nlohmann::json& in);
  nlohmann::json describe_stream(nlohmann::json& in);
  nlohmann::json get_shard_iterator(nlohmann::json& in);
  nlohmann::json get_records(nlohmann::json& in);
  std::string make_iterator(const Stream& s, int64_t position);
  void arm_timer();
  void ttl_index_write(int64_t table, const std::string& attr, const std::string& pk, const std::string& sk,
                       const nlohmann::json* old_item, const nlohmann::json* new_item);
  void ttl_index_build(const TableInfo& t, const std::string& attr);

  // PITR and backups (backups.cpp)
  nlohmann::json update_continuous_backups(nlohmann::json& in);
  nlohmann::json describe_continuous_backups(nlohmann::json& in);
  nlohmann::json restore_to_point_in_time(nlohmann::json& in);
  nlohmann::json create_backup(nlohmann::json& in);
  nlohmann::json describe_backup(nlohmann::json& in);
  nlohmann::json list_backups(nlohmann::json& in);
  nlohmann::json delete_backup(nlohmann::json& in);
  nlohmann::json restore_from_backup(nlohmann::json& in);
  nlohmann::json continuous_description(const TableInfo& t);
  nlohmann::json backup_description(const std::string& arn);
  TableInfo& table_or_throw(const std::string& name_or_arn, bool table_not_found_code);
  nlohmann::json restored_meta(const nlohmann::json& source_meta, const nlohmann::json& in);
  TableInfo& create_restored(const std::string& name, nlohmann::json meta);
  void reindex(const TableInfo& t);

  ServiceEnv env_;
  Store& store_;
  TableHost& host_;
  std::shared_ptr<FeaturesLink> link_;
  std::shared_ptr<Timer> timer_;
  const RequestContext* ctx_ = nullptr;
  // The identity of the writes in progress (TTL deletions are the service's).
  bool service_write_ = false;
  // TTL index (table ddb_ttl: expiry per item) kept for these tables, by TTL attribute name;
  // built at the first sweep after TTL was enabled, then maintained by on_write.
  std::unordered_map<int64_t, std::string> ttl_indexed_;
  int64_t last_trim_ms_ = 0;
};

}  // namespace awan::dynamodb
