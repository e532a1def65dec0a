// The DynamoDB_20120810 service: construction, the TableHost/FeaturesOwner hooks and the
// operation dispatch. The operations live in tables.cpp, items.cpp, query_scan.cpp,
// batches.cpp, transactions.cpp, table_settings.cpp and global_tables.cpp.
#include "dynamodb/service_impl.hpp"

#include <spdlog/spdlog.h>

namespace awan::dynamodb {
namespace svc {

DynamoDbService::DynamoDbService(const ServiceEnv& env)
    : env_(env), store_(env.db_path("dynamodb"), storage::durability(env.sync_full)) {
  load();
  features_ = std::make_unique<Features>(env_, store_, *this);  // streams, TTL, PITR, backups
  features_->start_sweeper();
  load_groups();  // global tables
  start_replication();
}

DynamoDbService::~DynamoDbService() { stop_replication(); }

TableInfo* DynamoDbService::host_find(const std::string& account, const std::string& region, const std::string& name) {
  auto it = tables_.find(table_key(account, region, name));
  return it == tables_.end() ? nullptr : &it->second;
}

std::vector<TableInfo*> DynamoDbService::host_tables() {
  std::vector<TableInfo*> out;
  for (auto& [k, t] : tables_) out.push_back(&t);
  return out;
}

TableInfo& DynamoDbService::host_create(const std::string& account, const std::string& region, const std::string& name,
                       json meta) {
  int64_t id = store_.insert_table(account, region, name, meta);
  return tables_[table_key(account, region, name)] = build_info(id, account, region, name, std::move(meta));
}

void DynamoDbService::host_write(const TableInfo& t, const std::string& pk, const std::string& sk, const json* old_item,
                const json* new_item) {
  write_item(t, pk, sk, old_item, new_item);
}

bool DynamoDbService::internal_endpoint(std::string_view method, std::string_view path, const std::string&, int& status,
                       json& out) {
  if (path != "expire" && path != "replicate") return false;
  if (method != "POST") {
    status = 405;
    out = {{"error", "MethodNotAllowed"}, {"message", "POST /_awan/dynamodb/" + std::string(path)}};
    return true;
  }
  std::lock_guard lock(mu_);
  status = 200;
  if (path == "expire") out = {{"deleted", features_->sweep_ttl()}};
  else out = {{"applied", replicate_pass()}};  // a replication pass now (global tables)
  return true;
}

void DynamoDbService::reset() {
  std::lock_guard lock(mu_);
  store_.reset();
  features_->reset();
  tables_.clear();
  tokens_.clear();
  backfill_until_.clear();
  store_.db().exec("DELETE FROM ddb_global; DELETE FROM ddb_replicas; DELETE FROM ddb_rep_checkpoints; "
                   "DELETE FROM ddb_rep_versions;");
  groups_.clear();
  member_of_.clear();
  buckets_.clear();
}

Result DynamoDbService::call(const RequestContext& ctx, const std::string& op, json input) {
  try {
    if (!input.is_object()) {
      if (input.is_null()) input = json::object();
      else throw AwsError::serialization("Start of structure or map found where not expected.");
    }
    // The two hottest operations hold the lock only for the table and the store: the request is
    // checked and parsed before it, a GetItem's item decoded and projected after it.
    if (op == "PutItem") {
      PutPlan p;
      plan_put(input, p);
      std::lock_guard lock(mu_);
      ctx_ = &ctx;
      return Result::ok(put_planned(input, p));
    }
    if (op == "GetItem") {
      GetPlan p;
      plan_get(input, p);
      std::optional<Store::RawItem> raw;
      json out;
      {
        std::lock_guard lock(mu_);
        ctx_ = &ctx;
        out = get_planned(input, p, raw);
      }
      finish_get(out, p, raw);
      return Result::ok(std::move(out));
    }
    std::lock_guard lock(mu_);
    ctx_ = &ctx;
    return Result::ok(dispatch(op, input));
  } catch (const AwsError& e) {
    return Result::fail(e);
  } catch (const storage::SqliteError& e) {
    spdlog::error("dynamodb {}: {}", op, e.what());
    return Result::fail(AwsError::internal());
  } catch (const json::exception& e) {
    return Result::fail(AwsError::serialization(e.what()));
  }
}

json DynamoDbService::dispatch(const std::string& op, json& in) {
  static const std::unordered_map<std::string, Handler> kOps = {
      {"CreateTable", &DynamoDbService::create_table},
      {"DescribeTable", &DynamoDbService::describe_table},
      {"ListTables", &DynamoDbService::list_tables},
      {"DeleteTable", &DynamoDbService::delete_table},
      {"UpdateTable", &DynamoDbService::update_table},
      {"PutItem", &DynamoDbService::put_item},
      {"GetItem", &DynamoDbService::get_item},
      {"DeleteItem", &DynamoDbService::delete_item},
      {"UpdateItem", &DynamoDbService::update_item},
      {"Query", &DynamoDbService::query},
      {"Scan", &DynamoDbService::scan},
      {"BatchGetItem", &DynamoDbService::batch_get_item},
      {"BatchWriteItem", &DynamoDbService::batch_write_item},
      {"TransactWriteItems", &DynamoDbService::transact_write_items},
      {"TransactGetItems", &DynamoDbService::transact_get_items},
      {"ExecuteStatement", &DynamoDbService::execute_statement},
      {"BatchExecuteStatement", &DynamoDbService::batch_execute_statement},
      {"ExecuteTransaction", &DynamoDbService::execute_transaction},
      {"TagResource", &DynamoDbService::tag_resource},
      {"UntagResource", &DynamoDbService::untag_resource},
      {"ListTagsOfResource", &DynamoDbService::list_tags_of_resource},
      {"DescribeLimits", &DynamoDbService::describe_limits},
      {"DescribeEndpoints", &DynamoDbService::describe_endpoints},
      {"DescribeTimeToLive", &DynamoDbService::describe_time_to_live},
      {"UpdateTimeToLive", &DynamoDbService::update_time_to_live},
      {"CreateGlobalTable", &DynamoDbService::create_global_table},
      {"DescribeGlobalTable", &DynamoDbService::describe_global_table},
      {"UpdateGlobalTable", &DynamoDbService::update_global_table},
      {"ListGlobalTables", &DynamoDbService::list_global_tables},
      {"DescribeGlobalTableSettings", &DynamoDbService::describe_global_table_settings},
      {"UpdateGlobalTableSettings", &DynamoDbService::update_global_table_settings},
  };
  auto it = kOps.find(op);
  if (it == kOps.end() && Features::handles(op)) return features_->call(*ctx_, op, in);
  if (it == kOps.end()) throw AwsError::unknown_operation("An unknown operation was requested.");
  return (this->*(it->second))(in);
}

}  // namespace svc

std::unique_ptr<awan::Service> make_service(const ServiceEnv& env) { return std::make_unique<svc::DynamoDbService>(env); }

}  // namespace awan::dynamodb
