// Private to the DynamoDB emulator: the service class shared by the operation files
// (service.cpp dispatch, tables.cpp, items.cpp, query_scan.cpp, batches.cpp,
// transactions.cpp, table_settings.cpp, global_tables.cpp, replication.cpp, capacity.cpp)
// and the request helpers they use.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "dynamodb/data_plane.hpp"
#include "dynamodb/dynamodb.hpp"
#include "dynamodb/expression.hpp"
#include "dynamodb/features.hpp"
#include "dynamodb/key_codec.hpp"
#include "dynamodb/partiql.hpp"
#include "dynamodb/request.hpp"
#include "dynamodb/store.hpp"
#include "dynamodb/replication.hpp"
#include "dynamodb/table.hpp"
#include "dynamodb/throughput.hpp"
#include "dynamodb/value.hpp"

namespace awan::dynamodb::svc {

inline constexpr size_t kMaxItemSize = 400 * 1024;
inline constexpr size_t kPageSize = 1024 * 1024;

using request::Constraints;
using request::invalid;
using request::member;
using request::java_object_list;
using request::str_member;

[[noreturn]] inline void not_found(std::string msg = "Requested resource not found") {
  throw AwsError("ResourceNotFoundException", std::move(msg));
}

inline std::string table_name_of(const std::string& name_or_arn) {
  if (name_or_arn.rfind("arn:", 0) == 0) {
    auto p = name_or_arn.find(":table/");
    if (p == std::string::npos) invalid("Invalid TableArn: " + name_or_arn);
    std::string rest = name_or_arn.substr(p + 7);
    auto slash = rest.find('/');
    return slash == std::string::npos ? rest : rest.substr(0, slash);
  }
  return name_or_arn;
}

inline double now_seconds(const Clock* clock) { return static_cast<double>(clock->epoch_millis()) / 1000.0; }

inline double read_units(size_t bytes, bool consistent) {
  double u = std::max<double>(1.0, std::ceil(static_cast<double>(bytes) / 4096.0));
  return consistent ? u : u / 2.0;
}
// ProvisionedThroughputExceededException's message for a table, or for one of its global
// secondary indexes (capacity.cpp).
std::string throughput_exceeded_message(bool index);

inline double write_units(size_t bytes) { return std::max<double>(1.0, std::ceil(static_cast<double>(bytes) / 1024.0)); }

// Expression attribute names/values of one request.
struct Expressions {
  expr::Context ctx;
};

// ---- request helpers (request_helpers.cpp)
// Checks and validates ExpressionAttributeNames/Values. `any_expression` says whether an
// expression member is present; `values_null_msg` is AWS's wording of which expressions were null.
void prepare_attrs(json& in, Expressions& ex, bool any_expression, const std::string& values_null_msg);
void no_mixing(const json& in, std::initializer_list<const char*> legacy, std::initializer_list<const char*> modern);
// Legacy conditions (Expected, KeyConditions, QueryFilter, ScanFilter) as expression trees.
expr::Node path_node(const std::string& name);
expr::Node value_node(const json& v);
expr::Node legacy_condition(json& conds, const std::string& conditional_operator, bool expected);
// ConditionalOperator combines two or more conditions of `conditions` (Expected, QueryFilter, ScanFilter).
void conditional_operator_needs(const json& in, const char* conditions);
// Projection from ProjectionExpression or AttributesToGet.
std::optional<std::vector<expr::Path>> projection_of(json& in, Expressions& ex);

struct Condition {
  bool present = false;
  expr::Node node;
};

// What a PutItem or GetItem checks and parses from the request alone, before the service's lock
// is taken (the lock is held only for the table and the store).
struct PutPlan {
  Expressions ex;
  std::string return_values;
  Condition cond;
  size_t size = 0;
};
struct GetPlan {
  Expressions ex;
  std::optional<std::vector<expr::Path>> projection;
  bool consistent = false;
};

class DynamoDbService final : public Service, public TableHost, public FeaturesOwner {
 public:
  explicit DynamoDbService(const ServiceEnv& env);
  ~DynamoDbService() override;

  // ---- TableHost / FeaturesOwner (features.hpp)
  TableInfo* host_find(const std::string& account, const std::string& region, const std::string& name) override;
  std::vector<TableInfo*> host_tables() override;
  TableInfo& host_create(const std::string& account, const std::string& region, const std::string& name,
                         json meta) override;
  void host_write(const TableInfo& t, const std::string& pk, const std::string& sk, const json* old_item,
                  const json* new_item) override;
  json host_describe(const TableInfo& t, const std::string& status) override { return describe(t, status); }
  std::mutex& host_mutex() override { return mu_; }
  std::shared_ptr<FeaturesLink> features_link() override { return features_->link(); }
  bool internal_endpoint(std::string_view method, std::string_view path, const std::string&, int& status,
                         json& out) override;
  void shutdown() override {
    features_->stop_sweeper();
    stop_replication();
  }

  std::string_view name() const override { return "dynamodb"; }

  void reset() override;

  Result call(const RequestContext& ctx, const std::string& op, json input) override;

 private:
  using Handler = json (DynamoDbService::*)(json&);

  json dispatch(const std::string& op, json& in);  // service.cpp, like the members above

  // ------------------------------------------------------------------ tables (tables.cpp)

  static std::string table_key(const std::string& account, const std::string& region, const std::string& name);

  void load();

  static TableInfo build_info(int64_t id, const std::string& account, const std::string& region, const std::string& name,
                              json meta);

  TableInfo& find_table(const json& in, const char* field = "TableName");
  // Control-plane operations name the table in their ResourceNotFoundException.
  TableInfo& find_table_named(const json& in);
  TableInfo* find_table_by_name(const std::string& name_or_arn);

  json describe(const TableInfo& t, const std::string& status = "ACTIVE");

  void check_index_definition(const json& index, bool global);
  static void check_multi_key_schema(const json& ks);
  void check_index_updates(const TableInfo& t, const json& updates);
  json create_table(json& in);

  void set_stream(json& meta, const json& spec, const TableInfo* current = nullptr);

  json describe_table(json& in);

  json list_tables(json& in);

  json delete_table(json& in);

  json update_table(json& in);

  // ------------------------------------------------------------------ keys and writes (item_support.cpp)

  // Encoded (pk, sk) of a Key parameter; "The provided key element does not match the schema".
  std::pair<std::string, std::string> key_of(const TableInfo& t, const json& key, const char* prefix = "");

  // Validates an item's key attributes (PutItem) and index keys; returns encoded (pk, sk).
  std::pair<std::string, std::string> item_key(const TableInfo& t, const json& item);

  static std::optional<std::pair<std::string, std::string>> index_keys(const IndexInfo& ix, const json& item);
  // The index's key attributes: partition attributes, then sort attributes, in schema order.
  static std::vector<const KeyDef*> index_key_defs(const IndexInfo& ix);
  static std::pair<std::string, std::string> start_index_key(const IndexInfo& ix, const json& esk);
  // A key condition on a multi-attribute index (multi_key.cpp): its partition tuple in `pk`,
  // the range of sort tuples it selects.
  static KeyRange multi_key_range(const expr::Node& root, const IndexInfo& ix, std::string& pk);

  // The one place every item write goes through: old and new image are known here (the
  // change log of streams/PITR hooks in here). new_size: the new image's item_size when the
  // caller has it already (else computed here).
  void write_item(const TableInfo& t, const std::string& pk, const std::string& sk, const json* old_item,
                  const json* new_item, std::optional<size_t> new_size = std::nullopt);

  double index_write_units(const TableInfo& t, const IndexInfo& ix, const json* old_item, const json* new_item);
  // Sums a ConsumedCapacity into `sum` (null at first): total, Table and every index.
  static void add_capacity(json& sum, const json& c);
  json capacity(const TableInfo& t, double units, const std::string& mode, bool write = false,
                const json* old_item = nullptr, const json* new_item = nullptr);

  static void return_capacity_constraint(Constraints& c, const json& in);
  static void attributes_to_get_constraint(Constraints& c, const json& in);
  static bool wants_capacity(const json& in);

  Condition condition_of(json& in, Expressions& ex, const char* expected_field = "Expected");

  // ReturnItemCollectionMetrics=SIZE on a table with local secondary indexes.
  void collection_metrics(json& out, const json& in, const TableInfo& t, const std::string& pk, const json& holder);

  // The same for batches and transactions: {table: [metrics of each item collection written]}.
  void collection_metrics_map(json& out, const json& in, const std::vector<std::pair<const TableInfo*, std::string>>& writes);

  // A global secondary index created by UpdateTable backfills for kBackfillMillis.
  void start_backfill(const TableInfo& t, const std::string& index);
  bool backfilling(const TableInfo& t, const std::string& index);

  // ReturnValuesOnConditionCheckFailure=ALL_OLD puts the item in the error's Item member.
  [[noreturn]] void condition_failed(const json* old_item, const json& in);

  // The request checks PutItem, DeleteItem and UpdateItem share; `body_field` is Item or Key.
  static void check_write_request(const json& in, const char* body_field, const char* body_path);
  // PutItem and DeleteItem: ReturnValues (NONE or ALL_OLD), Expected or ConditionExpression.
  std::string prepare_conditional_write(json& in, Expressions& ex);
  // The stored item at (pk, sk), after the write's condition held on it (else condition_failed).
  std::optional<json> checked_old_item(const TableInfo& t, const std::string& pk, const std::string& sk,
                                       const Condition& cond, const json& in);
  // Whether a PutItem must read the item it replaces: a condition, ReturnValues=ALL_OLD,
  // consumed capacity, secondary indexes, or a stream/PITR/TTL observing the table.
  bool needs_old_item(const TableInfo& t, const Condition& cond, const std::string& return_values, const json& in);

  // ------------------------------------------------------------------ item operations (items.cpp)

  json put_item(json& in);
  void plan_put(json& in, PutPlan& p);  // touches no shared state: runs unlocked
  json put_planned(json& in, PutPlan& p);

  json get_item(json& in);
  void plan_get(json& in, GetPlan& p);  // touches no shared state: runs unlocked
  // The locked part of a GetItem: the output without its Item, and the item's stored CBOR.
  json get_planned(json& in, GetPlan& p, std::optional<Store::RawItem>& raw);
  static void finish_get(json& out, const GetPlan& p, std::optional<Store::RawItem>& raw);

  json delete_item(json& in);

  expr::Update legacy_update(json& updates);

  json update_item(json& in);

  // ------------------------------------------------------------------ query and scan (query_scan.cpp)

  struct KeyCond {
    const json* pk = nullptr;
    std::string op;  // "", "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"
    const json* v1 = nullptr;
    const json* v2 = nullptr;
  };

  static void flatten_and(const expr::Node& n, std::vector<const expr::Node*>& out);

  KeyCond analyze_key_condition(const expr::Node& root, const KeyDef& hash, const std::optional<KeyDef>& range);

  static KeyRange range_of(const KeyCond& kc);

  // Attributes an index projects (nullopt = all).
  static std::optional<std::vector<expr::Path>> index_projection(const TableInfo& t, const IndexInfo& ix);

  json key_attrs(const TableInfo& t, const IndexInfo* ix, const json& item);

  struct ReadPlan {
    TableInfo* table = nullptr;
    const IndexInfo* index = nullptr;
    Condition filter;
    std::optional<std::vector<expr::Path>> projection;
    std::string select;
    int64_t limit = 0;
    bool consistent = false;
    std::optional<std::vector<expr::Path>> index_projection;  // the index's, unless it projects ALL
    bool fetch = false;  // a local index read that fetches table items
  };
  static bool needs_fetch(const ReadPlan& plan);

  void prepare_read(json& in, ReadPlan& plan, Expressions& ex, bool is_query);

  void finish_read_plan(json& in, ReadPlan& plan, Expressions& ex, bool is_query);

  void resolve_index(json& in, ReadPlan& plan);

  // Validates ExclusiveStartKey against the table (and index) schema.
  void check_start_key(const ReadPlan& plan, const json& esk);

  struct PageState {
    json items = json::array();
    int64_t count = 0, scanned = 0;
    size_t bytes = 0;
    double fetch_units = 0;
    std::optional<json> last_key;
  };

  // Handles one stored row; returns false when the page is full.
  bool visit_row(const ReadPlan& plan, const Row& row, PageState& st);

  json page_output(json& in, const ReadPlan& plan, PageState& st);

  json query(json& in);

  static uint32_t segment_hash(std::string_view s);

  json scan(json& in);

  // ------------------------------------------------------------------ batches (batches.cpp)

  json batch_get_item(json& in);

  json batch_write_item(json& in);

  // ------------------------------------------------------------------ transactions (transactions.cpp)

  struct TxOp {
    std::string kind;  // ConditionCheck, Put, Delete, Update
    TableInfo* t = nullptr;
    std::string pk, sk;
    json* body = nullptr;
    Expressions ex;
    Condition cond;
    expr::Update update;
  };

  json transact_write_items(json& in);

  json transact_get_items(json& in);

  // ------------------------------------------------------------------ tags, limits, TTL (table_settings.cpp)

  TableInfo& table_by_arn(const json& in);

  json tag_resource(json& in);

  json untag_resource(json& in);

  json list_tags_of_resource(json& in);

  json describe_limits(json&);

  // ------------------------------------------------------------------ global tables (global_tables.cpp)

  // UpdateTable ReplicaUpdates (version 2019.11.21): validated before anything changes,
  // applied once the table's new metadata is stored.
  struct ReplicaAction {
    std::string kind, region;  // Create, Update, Delete
    json settings;             // the action's members other than RegionName
  };
  std::vector<ReplicaAction> plan_replica_updates(const TableInfo& t, const json& updates);
  void apply_replica_updates(TableInfo& t, const std::vector<ReplicaAction>& actions);
  // DescribeTable's Replicas and GlobalTableVersion.
  void describe_replicas(const TableInfo& t, json& d);
  json replica_description(const GlobalGroup& g, const Replica& r);
  // UpdateTable on a member of a replication group that is adding or removing a replica.
  void check_not_updating(const TableInfo& t);
  // Version 2019.11.21 keeps replicas aligned: an UpdateTable of billing mode, throughput or
  // global secondary indexes, and an UpdateTimeToLive, are applied to the other replicas too.
  void align_replicas(const TableInfo& t, const std::string& op, const json& in);

  // Version 2017.11.29.
  GlobalGroup& legacy_group(const json& in);
  json global_table_description(const GlobalGroup& g, const std::string& status = "");
  json global_settings(const GlobalGroup& g);
  void check_legacy_member(const std::string& name, const std::string& region, const TableInfo* t);
  json create_global_table(json& in);
  json describe_global_table(json& in);
  json update_global_table(json& in);
  json list_global_tables(json& in);
  json describe_global_table_settings(json& in);
  json update_global_table_settings(json& in);

  // ------------------------------------------------------------------ replication (replication.cpp)

  void load_groups();
  GlobalGroup& new_group(const std::string& account, const std::string& name, const std::string& version);
  void save_replica(const GlobalGroup& g, const Replica& r);
  void erase_replica(GlobalGroup& g, const std::string& region);
  void drop_group(const std::string& account, const std::string& name);
  // The group a table belongs to (its region is a member), or null.
  GlobalGroup* group_of(const TableInfo& t);
  void refresh_members();
  bool group_busy(const GlobalGroup& g) const;
  // Before DeleteTable: the table leaves its group.
  void leave_group(const TableInfo& t);

  // The replicated-write bookkeeping of write_item: the write's last-writer-wins version
  // (stamping the aws:rep:* attributes of version 2017.11.29) and a wake-up of the worker.
  // Returns the change log timestamp.
  int64_t replicated_write(const TableInfo& t, const GlobalGroup& g, const std::string& pk, const std::string& sk,
                           const json*& new_item, json& stamped);
  std::optional<RepVersion> version_of(int64_t table, const std::string& pk, const std::string& sk);
  void set_version(int64_t table, const std::string& pk, const std::string& sk, const RepVersion& v);
  int64_t checkpoint(int64_t source_table, const std::string& target_region);
  void set_checkpoint(int64_t source_table, const std::string& target_region, int64_t seq);

  // One pass of the worker (lock held): replica tables created and deleted, every member's new
  // change records applied to the other members. Returns the records applied.
  size_t replicate_pass();
  size_t replicate_from(const GlobalGroup& g, TableInfo& src);
  bool apply_change(TableInfo& target, const std::string& source_region, int64_t ts_ms, const std::string& pk,
                    const std::string& sk, const json* new_item);
  void create_replica_table(GlobalGroup& g, const Replica& r);
  void drop_replica_table(TableInfo& t);
  void start_replication();
  void stop_replication();
  void replication_loop();
  void wake_replication();

  // ------------------------------------------------------------------ capacity (capacity.cpp)

  // --enforce-throughput: throws ProvisionedThroughputExceededException when the bucket of the
  // table (or index) is empty; writes also check the table's global secondary indexes.
  void admit(const TableInfo& t, const IndexInfo* ix, bool write, const json* new_item = nullptr);
  int throttle_reason(const TableInfo& t, const IndexInfo* ix, bool write, const json* new_item = nullptr);
  // Charges what a request consumed (writes: each global secondary index the write touched).
  void consume(const TableInfo& t, const IndexInfo* ix, bool write, double units, const json* old_item = nullptr,
               const json* new_item = nullptr);
  // UpdateTable BillingMode: AWS's once-a-day rule for switching to PAY_PER_REQUEST.
  void check_billing_switch(const TableInfo& t, const json& in);

  // ------------------------------------------------------------------ PartiQL (partiql.cpp; backend in table_settings.cpp)

  partiql::Backend partiql_backend();
  json execute_statement(json& in) { return partiql::execute_statement(in, partiql_backend()); }
  json batch_execute_statement(json& in) { return partiql::batch_execute_statement(in, partiql_backend()); }
  json execute_transaction(json& in) { return partiql::execute_transaction(in, partiql_backend()); }

  json describe_endpoints(json&);

  json describe_time_to_live(json& in);

  json update_time_to_live(json& in);

  ServiceEnv env_;
  Store store_;
  std::mutex mu_;
  std::unordered_map<std::string, TableInfo> tables_;
  std::unordered_map<std::string, std::pair<std::string, int64_t>> tokens_;
  std::map<std::pair<int64_t, std::string>, int64_t> backfill_until_;  // (table, index) -> ACTIVE at
  const RequestContext* ctx_ = nullptr;
  // Global tables: groups by (account, table name); the group of each member table id.
  std::map<std::pair<std::string, std::string>, GlobalGroup> groups_;
  std::unordered_map<int64_t, GlobalGroup*> member_of_;
  const RepVersion* replicating_ = nullptr;  // set while the worker applies another region's write
  bool aligning_ = false;                    // while align_replicas applies a change elsewhere
  std::thread worker_;
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool wake_ = false, stop_ = false;
  std::atomic<bool> transitions_pending_{false};
  ThroughputBuckets buckets_;
  std::unique_ptr<Features> features_;  // last: destroyed first
};

}  // namespace awan::dynamodb::svc
