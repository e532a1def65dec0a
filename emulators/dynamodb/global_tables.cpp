// DynamoDB global tables: UpdateTable ReplicaUpdates and DescribeTable Replicas (version
// 2019.11.21), and the legacy API of version 2017.11.29 (CreateGlobalTable, DescribeGlobalTable,
// UpdateGlobalTable, ListGlobalTables, Describe/UpdateGlobalTableSettings). The groups and the
// replication worker are in replication.cpp.
#include <spdlog/spdlog.h>

#include "dynamodb/service_impl.hpp"

namespace awan::dynamodb::svc {

namespace {

const char* kActions[] = {"Create", "Update", "Delete"};
const char* kActionPaths[] = {"create", "update", "delete"};  // their names in constraint messages

std::string billing_of(const json& meta) { return meta.value("BillingMode", "PROVISIONED"); }

[[noreturn]] void global_not_found(const std::string& name) {
  throw AwsError("GlobalTableNotFoundException", "Global table with name '" + name + "' does not exist.");
}

}  // namespace

// ---------------------------------------------------------------- version 2019.11.21

void DynamoDbService::check_not_updating(const TableInfo& t) {
  if (GlobalGroup* g = group_of(t); g && group_busy(*g))
    throw AwsError("ResourceInUseException", "Attempt to change a resource which is still in use: Table is being updated: " + t.name);
}

std::vector<DynamoDbService::ReplicaAction> DynamoDbService::plan_replica_updates(const TableInfo& t, const json& updates) {
  Constraints c;
  if (!updates.is_array()) throw AwsError::serialization("Unexpected value type for ReplicaUpdates");
  if (updates.empty()) c.add(&updates, "replicaUpdates", "Member must have length greater than or equal to 1");
  size_t i = 1;
  for (const auto& u : updates) {
    for (size_t k = 0; k < std::size(kActions); ++k) {
      const json* a = member(u, kActions[k]);
      if (!a) continue;
      std::string path = "replicaUpdates." + std::to_string(i) + ".member." + kActionPaths[k] + ".";
      if (!member(*a, "RegionName")) c.add(nullptr, path + "regionName", "Member must not be null");
      if (const json* cls = member(*a, "TableClassOverride"); cls && *cls != "STANDARD" && *cls != "STANDARD_INFREQUENT_ACCESS")
        c.add(cls, path + "tableClassOverride", "Member must satisfy enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]");
    }
    ++i;
  }
  c.raise();
  const GlobalGroup* g = group_of(t);
  if (g && g->version == kGlobalTablesLegacy)
    invalid("One or more parameter values were invalid: ReplicaUpdates apply to version 2019.11.21 global tables; table " +
            t.name + " is a version 2017.11.29 global table");
  std::vector<ReplicaAction> out;
  std::set<std::string> regions;
  for (const auto& u : updates) {
    ReplicaAction act;
    int kinds = 0;
    for (const char* kind : kActions)
      if (const json* a = member(u, kind)) {
        ++kinds;
        act.kind = kind;
        act.region = str_member(*a, "RegionName");
        act.settings = *a;
        act.settings.erase("RegionName");
      }
    if (kinds != 1)
      invalid("One or more parameter values were invalid: One of Create, Update, or Delete must be specified in each "
              "ReplicationGroupUpdate");
    if (act.region == t.region)
      invalid("Cannot add, delete, or update the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or "
              "UpdateTable as required.");
    if (!is_known_region(act.region))
      invalid("One or more parameter values were invalid: Region " + act.region + " is not a valid AWS region");
    if (!regions.insert(act.region).second)
      invalid("One or more parameter values were invalid: Only one replica update per region is allowed in a request. "
              "Region: " + act.region);
    bool member_there = g && g->replicas.count(act.region);
    if (act.kind == "Create" && (member_there || host_find(t.account, act.region, t.name)))
      invalid("Failed to create a the new replica of table with name: '" + t.name +
              "' because one or more replicas already existed as tables.");
    if (act.kind != "Create" && !member_there)
      invalid("One or more parameter values were invalid: Replica in region " + act.region + " does not exist for table " +
              t.name);
    if (const json* gsis = member(act.settings, "GlobalSecondaryIndexes"))
      for (const auto& x : *gsis) {
        std::string n = str_member(x, "IndexName");
        const IndexInfo* ix = t.find_index(n);
        if (!ix || !ix->global)
          invalid("One or more parameter values were invalid: Global Secondary Index " + n + " does not exist on table " +
                  t.name);
      }
    out.push_back(std::move(act));
  }
  return out;
}

void DynamoDbService::apply_replica_updates(TableInfo& t, const std::vector<ReplicaAction>& actions) {
  int64_t now = env_.clock->epoch_millis();
  GlobalGroup* g = group_of(t);
  if (!g) {
    g = &new_group(t.account, t.name, kGlobalTablesCurrent);
    Replica self{t.region, "ACTIVE", json::object(), now};
    g->replicas[t.region] = self;
    save_replica(*g, self);
  }
  for (const auto& a : actions) {
    if (a.kind == "Create") {
      Replica r{a.region, "CREATING", a.settings, now};
      g->replicas[a.region] = r;
      save_replica(*g, r);
    } else if (a.kind == "Update") {
      Replica& r = g->replicas[a.region];
      for (auto it = a.settings.begin(); it != a.settings.end(); ++it) r.settings[it.key()] = it.value();
      save_replica(*g, r);
      if (const json* cls = member(a.settings, "TableClassOverride"))
        if (TableInfo* rt = host_find(t.account, a.region, t.name)) {
          rt->meta["TableClass"] = *cls;
          rt->meta["TableClassUpdated"] = now_seconds(env_.clock);
          store_.update_table_meta(rt->id, rt->meta);
        }
    } else {
      Replica& r = g->replicas[a.region];
      r.status = "DELETING";
      r.since_ms = now;
      save_replica(*g, r);
    }
  }
  refresh_members();
  transitions_pending_ = true;
  wake_replication();
}

json DynamoDbService::replica_description(const GlobalGroup& g, const Replica& r) {
  json d = {{"RegionName", r.region}, {"ReplicaStatus", r.status}};
  if (r.status == "CREATING") d["ReplicaStatusPercentProgress"] = "0";
  for (const char* k : {"KMSMasterKeyId", "ProvisionedThroughputOverride"})
    if (const json* v = member(r.settings, k)) d[k] = *v;
  // Every global secondary index of the replica, with the override the replica has for it.
  const TableInfo* rt = host_find(g.account, r.region, g.name);
  json arr = json::array();
  for (const auto& ix : rt ? rt->indexes : std::vector<IndexInfo>{}) {
    if (!ix.global) continue;
    json e = {{"IndexName", ix.name}};
    if (const json* gsis = member(r.settings, "GlobalSecondaryIndexes"))
      for (const auto& x : *gsis)
        if (const json* o = member(x, "ProvisionedThroughputOverride"); o && str_member(x, "IndexName") == ix.name)
          e["ProvisionedThroughputOverride"] = *o;
    arr.push_back(std::move(e));
  }
  if (!arr.empty()) d["GlobalSecondaryIndexes"] = std::move(arr);
  std::string cls = "STANDARD";
  if (rt) cls = rt->meta.value("TableClass", cls);
  if (const json* o = member(r.settings, "TableClassOverride")) cls = o->get<std::string>();
  d["ReplicaTableClassSummary"] = {{"TableClass", cls}};
  return d;
}

void DynamoDbService::describe_replicas(const TableInfo& t, json& d) {
  GlobalGroup* g = group_of(t);
  if (!g || g->version != kGlobalTablesCurrent) return;
  json reps = json::array();
  for (const auto& [region, r] : g->replicas)
    if (region != t.region) reps.push_back(replica_description(*g, r));
  d["Replicas"] = std::move(reps);
  d["GlobalTableVersion"] = kGlobalTablesCurrent;
}

void DynamoDbService::align_replicas(const TableInfo& t, const std::string& op, const json& in) {
  GlobalGroup* g = group_of(t);
  if (!g || g->version != kGlobalTablesCurrent || aligning_) return;
  json change = json::object();
  if (op == "UpdateTable") {
    for (const char* k : {"AttributeDefinitions", "BillingMode", "ProvisionedThroughput", "GlobalSecondaryIndexUpdates"})
      if (const json* v = member(in, k)) change[k] = *v;
    if (!member(change, "BillingMode") && !member(change, "ProvisionedThroughput") &&
        !member(change, "GlobalSecondaryIndexUpdates"))
      return;
  } else {
    change["TimeToLiveSpecification"] = in["TimeToLiveSpecification"];
  }
  std::vector<std::string> regions;
  for (const auto& [region, r] : g->replicas)
    if (region != t.region && r.status == "ACTIVE" && host_find(t.account, region, t.name)) regions.push_back(region);
  const RequestContext* caller = ctx_;
  RequestContext there = *ctx_;
  aligning_ = true;
  for (const auto& region : regions) {
    there.region = region;
    ctx_ = &there;
    json req = change;
    req["TableName"] = t.name;
    try {
      if (op == "UpdateTable") update_table(req);
      else update_time_to_live(req);
    } catch (const AwsError& e) {  // a replica that already matches (e.g. TTL already enabled)
      spdlog::debug("dynamodb: aligning replica {} of {}: {}", region, t.name, e.message);
    } catch (...) {
      ctx_ = caller;
      aligning_ = false;
      throw;
    }
  }
  ctx_ = caller;
  aligning_ = false;
}

// ---------------------------------------------------------------- version 2017.11.29

GlobalGroup& DynamoDbService::legacy_group(const json& in) {
  Constraints c;
  c.table_name(in, "GlobalTableName", "globalTableName");
  c.raise();
  std::string name = str_member(in, "GlobalTableName");
  auto it = groups_.find({ctx_->account_id, name});
  if (it == groups_.end() || it->second.version != kGlobalTablesLegacy) global_not_found(name);
  return it->second;
}

json DynamoDbService::global_table_description(const GlobalGroup& g, const std::string& status) {
  json group = json::array();
  for (const auto& [region, r] : g.replicas) group.push_back({{"RegionName", region}, {"ReplicaStatus", r.status}});
  return {{"ReplicationGroup", std::move(group)},
          {"GlobalTableArn", "arn:aws:dynamodb::" + g.account + ":global-table/" + g.name},
          {"CreationDateTime", static_cast<double>(g.created_ms) / 1000.0},
          {"GlobalTableStatus", !status.empty() ? status : group_busy(g) ? "UPDATING" : "ACTIVE"},
          {"GlobalTableName", g.name}};
}

void DynamoDbService::check_legacy_member(const std::string& name, const std::string& region, const TableInfo* t) {
  if (!t) throw AwsError("TableNotFoundException", "Table not found: " + name + " in region " + region);
  const json& ss = t->meta.value("StreamSpecification", json::object());
  if (!ss.value("StreamEnabled", false) || ss.value("StreamViewType", "") != "NEW_AND_OLD_IMAGES")
    invalid("One or more parameter values were invalid: Table " + name + " in region " + region +
            " must have DynamoDB Streams enabled with StreamViewType NEW_AND_OLD_IMAGES");
  if (store_.table_stats(t->id).first != 0)
    invalid("One or more parameter values were invalid: Table " + name + " in region " + region + " is not empty");
  if (group_of(*t)) invalid("One or more parameter values were invalid: Table " + name + " in region " + region +
                            " is already a replica of a global table");
}

json DynamoDbService::create_global_table(json& in) {
  Constraints c;
  c.table_name(in, "GlobalTableName", "globalTableName");
  if (!member(in, "ReplicationGroup")) c.add(nullptr, "replicationGroup", "Member must not be null");
  c.raise();
  std::string name = str_member(in, "GlobalTableName");
  if (groups_.count({ctx_->account_id, name}))
    throw AwsError("GlobalTableAlreadyExistsException", "Global table with name '" + name + "' already exists.");
  std::set<std::string> regions;
  const TableInfo* first = nullptr;
  for (const auto& r : in["ReplicationGroup"]) {
    std::string region = str_member(r, "RegionName");
    if (!is_known_region(region)) invalid("One or more parameter values were invalid: Region " + region + " is not a valid AWS region");
    if (!regions.insert(region).second) invalid("One or more parameter values were invalid: Duplicate region: " + region);
    const TableInfo* t = host_find(ctx_->account_id, region, name);
    check_legacy_member(name, region, t);
    if (!first) first = t;
    if (t->meta["KeySchema"] != first->meta["KeySchema"])
      invalid("One or more parameter values were invalid: Table " + name + " in region " + region +
              " does not have the same key schema as the other replicas");
  }
  if (regions.empty()) invalid("One or more parameter values were invalid: ReplicationGroup must not be empty");
  GlobalGroup& g = new_group(ctx_->account_id, name, kGlobalTablesLegacy);
  int64_t now = env_.clock->epoch_millis();
  for (const auto& region : regions) {
    Replica r{region, "ACTIVE", json::object(), now};
    g.replicas[region] = r;
    save_replica(g, r);
  }
  refresh_members();
  int64_t top = features_->last_seq();  // the tables are empty: replicate from now on
  for (const auto& a : regions)
    for (const auto& b : regions)
      if (a != b) set_checkpoint(host_find(g.account, a, name)->id, b, top);
  return {{"GlobalTableDescription", global_table_description(g, "CREATING")}};
}

json DynamoDbService::describe_global_table(json& in) {
  return {{"GlobalTableDescription", global_table_description(legacy_group(in))}};
}

json DynamoDbService::update_global_table(json& in) {
  Constraints c;
  c.table_name(in, "GlobalTableName", "globalTableName");
  if (!member(in, "ReplicaUpdates")) c.add(nullptr, "replicaUpdates", "Member must not be null");
  c.raise();
  GlobalGroup& g = legacy_group(in);
  std::vector<std::pair<std::string, std::string>> plan;  // (Create|Delete, region)
  for (const auto& u : in["ReplicaUpdates"]) {
    const json* cr = member(u, "Create");
    const json* del = member(u, "Delete");
    if ((cr != nullptr) == (del != nullptr))
      invalid("One or more parameter values were invalid: One of Create or Delete must be specified in each ReplicaUpdate");
    std::string region = str_member(cr ? *cr : *del, "RegionName");
    if (cr) {
      if (g.replicas.count(region))
        throw AwsError("ReplicaAlreadyExistsException", "Replica already exists in region " + region + " for global table " + g.name);
      check_legacy_member(g.name, region, host_find(g.account, region, g.name));
    } else if (!g.replicas.count(region)) {
      throw AwsError("ReplicaNotFoundException", "Replica does not exist in region " + region + " for global table " + g.name);
    }
    plan.emplace_back(cr ? "Create" : "Delete", region);
  }
  int64_t now = env_.clock->epoch_millis();
  for (const auto& [kind, region] : plan) {
    Replica& r = g.replicas[region];
    r.region = region;
    r.status = kind == "Create" ? "CREATING" : "DELETING";
    r.since_ms = now;
    save_replica(g, r);
    if (kind == "Create") create_replica_table(g, r);  // copies the items into the (empty) table now
  }
  refresh_members();
  transitions_pending_ = true;
  wake_replication();
  return {{"GlobalTableDescription", global_table_description(g)}};
}

json DynamoDbService::list_global_tables(json& in) {
  Constraints c;
  c.table_name(in, "ExclusiveStartGlobalTableName", "exclusiveStartGlobalTableName", false);
  c.min_int(in, "Limit", "limit", 1);
  c.raise();
  int64_t limit = member(in, "Limit") ? in["Limit"].get<int64_t>() : 100;
  std::string start = str_member(in, "ExclusiveStartGlobalTableName");
  std::string region = str_member(in, "RegionName");
  json out = {{"GlobalTables", json::array()}};
  for (const auto& [key, g] : groups_) {  // ordered by (account, name)
    if (g.account != ctx_->account_id || g.version != kGlobalTablesLegacy || (!start.empty() && g.name <= start)) continue;
    if (!region.empty() && !g.replicas.count(region)) continue;
    if (static_cast<int64_t>(out["GlobalTables"].size()) == limit) {
      out["LastEvaluatedGlobalTableName"] = out["GlobalTables"].back()["GlobalTableName"];
      break;
    }
    json group = json::array();
    for (const auto& [r, rep] : g.replicas) group.push_back({{"RegionName", r}});
    out["GlobalTables"].push_back({{"GlobalTableName", g.name}, {"ReplicationGroup", std::move(group)}});
  }
  return out;
}

json DynamoDbService::global_settings(const GlobalGroup& g) {
  json reps = json::array();
  for (const auto& [region, r] : g.replicas) {
    json s = {{"RegionName", region}, {"ReplicaStatus", r.status}};
    if (const TableInfo* t = host_find(g.account, region, g.name)) {
      json d = describe(*t);
      s["ReplicaBillingModeSummary"] = d.value("BillingModeSummary", json{{"BillingMode", billing_of(t->meta)}});
      s["ReplicaProvisionedReadCapacityUnits"] = d["ProvisionedThroughput"]["ReadCapacityUnits"];
      s["ReplicaProvisionedWriteCapacityUnits"] = d["ProvisionedThroughput"]["WriteCapacityUnits"];
      json gsis = json::array();
      for (const auto& x : d.value("GlobalSecondaryIndexes", json::array()))
        gsis.push_back({{"IndexName", x["IndexName"]},
                        {"IndexStatus", x["IndexStatus"]},
                        {"ProvisionedReadCapacityUnits", x["ProvisionedThroughput"]["ReadCapacityUnits"]},
                        {"ProvisionedWriteCapacityUnits", x["ProvisionedThroughput"]["WriteCapacityUnits"]}});
      s["ReplicaGlobalSecondaryIndexSettings"] = std::move(gsis);
      s["ReplicaTableClassSummary"] = d.value("TableClassSummary", json{{"TableClass", "STANDARD"}});
    }
    reps.push_back(std::move(s));
  }
  return {{"GlobalTableName", g.name}, {"ReplicaSettings", std::move(reps)}};
}

json DynamoDbService::describe_global_table_settings(json& in) { return global_settings(legacy_group(in)); }

json DynamoDbService::update_global_table_settings(json& in) {
  Constraints c;
  c.enum_value(in, "GlobalTableBillingMode", "globalTableBillingMode", {"PROVISIONED", "PAY_PER_REQUEST"});
  c.min_int(in, "GlobalTableProvisionedWriteCapacityUnits", "globalTableProvisionedWriteCapacityUnits", 1);
  c.raise();
  GlobalGroup& g = legacy_group(in);
  const json* updates = member(in, "ReplicaSettingsUpdate");
  if (updates)
    for (const auto& u : *updates)
      if (!g.replicas.count(str_member(u, "RegionName")))
        throw AwsError("ReplicaNotFoundException", "Replica does not exist in region " + str_member(u, "RegionName") +
                                                       " for global table " + g.name);
  // Index write units for every replica, read units per replica: each index must exist.
  const json* gsi_updates = member(in, "GlobalTableGlobalSecondaryIndexSettingsUpdate");
  auto require_index = [&](TableInfo& t, const std::string& name) -> json& {
    if (auto gsis = t.meta.find("GlobalSecondaryIndexes"); gsis != t.meta.end() && gsis->is_array())
      for (auto& x : *gsis)
        if (x.value("IndexName", "") == name) return x;
    throw AwsError("IndexNotFoundException", "Requested resource not found: Index: " + name + " not found for table " + t.name, 400);
  };
  for (auto& [region, r] : g.replicas) {
    TableInfo* t = host_find(g.account, region, g.name);
    if (!t) continue;
    if (gsi_updates)
      for (const auto& u : *gsi_updates) require_index(*t, str_member(u, "IndexName"));
    if (updates)
      for (const auto& u : *updates)
        if (str_member(u, "RegionName") == region)
          for (const auto& iu : u.value("ReplicaGlobalSecondaryIndexSettingsUpdate", json::array()))
            require_index(*t, str_member(iu, "IndexName"));
  }
  std::string mode = str_member(in, "GlobalTableBillingMode");
  const json* wcu = member(in, "GlobalTableProvisionedWriteCapacityUnits");
  if (mode == "PAY_PER_REQUEST" && wcu)
    invalid("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  for (auto& [region, r] : g.replicas) {
    TableInfo* t = host_find(g.account, region, g.name);
    if (!t) continue;
    json& m = t->meta;
    if (mode == "PAY_PER_REQUEST" && billing_of(m) != mode) {
      m.erase("ProvisionedThroughput");
      m["LastUpdateToPayPerRequestDateTime"] = now_seconds(env_.clock);
    }
    if (!mode.empty()) m["BillingMode"] = mode;
    if (billing_of(m) == "PROVISIONED") {
      if (!m.contains("ProvisionedThroughput")) m["ProvisionedThroughput"] = {{"ReadCapacityUnits", 1}, {"WriteCapacityUnits", 1}};
      if (wcu) m["ProvisionedThroughput"]["WriteCapacityUnits"] = *wcu;
      if (updates)
        for (const auto& u : *updates)
          if (str_member(u, "RegionName") == region)
            if (const json* rcu = member(u, "ReplicaProvisionedReadCapacityUnits"))
              m["ProvisionedThroughput"]["ReadCapacityUnits"] = *rcu;
      auto set_units = [&](const std::string& index, const char* which, const json& units) {
        json& x = require_index(*t, index);
        if (!x.contains("ProvisionedThroughput")) x["ProvisionedThroughput"] = {{"ReadCapacityUnits", 1}, {"WriteCapacityUnits", 1}};
        x["ProvisionedThroughput"][which] = units;
      };
      if (gsi_updates)
        for (const auto& u : *gsi_updates)
          if (const json* w = member(u, "ProvisionedWriteCapacityUnits")) set_units(str_member(u, "IndexName"), "WriteCapacityUnits", *w);
      if (updates)
        for (const auto& u : *updates)
          if (str_member(u, "RegionName") == region)
            for (const auto& iu : u.value("ReplicaGlobalSecondaryIndexSettingsUpdate", json::array()))
              if (const json* rr = member(iu, "ProvisionedReadCapacityUnits"))
                set_units(str_member(iu, "IndexName"), "ReadCapacityUnits", *rr);
    }
    if (updates)
      for (const auto& u : *updates)
        if (str_member(u, "RegionName") == region)
          if (const json* cls = member(u, "ReplicaTableClass")) {
            m["TableClass"] = *cls;
            m["TableClassUpdated"] = now_seconds(env_.clock);
          }
    store_.update_table_meta(t->id, m);
  }
  return global_settings(g);
}

}  // namespace awan::dynamodb::svc
