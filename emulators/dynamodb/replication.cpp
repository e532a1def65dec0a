// Global tables: replication groups, their SQLite rows, and the worker that replicates each
// member's change log to the other members (replication.hpp). The operations that manage the
// groups are in global_tables.cpp.
#include <cinttypes>
#include <cstdio>
#include <ctime>

#include <spdlog/spdlog.h>

#include "dynamodb/service_impl.hpp"

namespace awan::dynamodb {

RepVersion next_version(const RepVersion* current, int64_t now_ms, const std::string& region) {
  RepVersion v{now_ms, region};
  if (current && !(*current < v)) v.ts_ms = current->ts_ms + 1;
  return v;
}

bool is_known_region(std::string_view region) {
  static const char* kRegions[] = {
      "us-east-1",      "us-east-2",      "us-west-1",      "us-west-2",      "af-south-1",     "ap-east-1",
      "ap-east-2",      "ap-south-1",     "ap-south-2",     "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
      "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
      "ca-central-1",   "ca-west-1",      "eu-central-1",   "eu-central-2",   "eu-west-1",      "eu-west-2",
      "eu-west-3",      "eu-north-1",     "eu-south-1",     "eu-south-2",     "il-central-1",   "me-south-1",
      "me-central-1",   "mx-central-1",   "sa-east-1",      "us-gov-east-1",  "us-gov-west-1",  "cn-north-1",
      "cn-northwest-1"};
  for (const char* r : kRegions)
    if (region == r) return true;
  return false;
}

std::string java_date_utc(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buf;
}

namespace svc {

namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS ddb_global(
  account TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY(account, name));
CREATE TABLE IF NOT EXISTS ddb_replicas(
  account TEXT NOT NULL,
  name TEXT NOT NULL,
  region TEXT NOT NULL,
  status TEXT NOT NULL,
  since_ms INTEGER NOT NULL,
  settings TEXT NOT NULL,
  PRIMARY KEY(account, name, region));
CREATE TABLE IF NOT EXISTS ddb_rep_checkpoints(
  source_table INTEGER NOT NULL,
  target_region TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY(source_table, target_region));
CREATE TABLE IF NOT EXISTS ddb_rep_versions(
  table_id INTEGER NOT NULL,
  pk BLOB NOT NULL,
  sk BLOB NOT NULL,
  ts_ms INTEGER NOT NULL,
  region TEXT NOT NULL,
  PRIMARY KEY(table_id, pk, sk)) WITHOUT ROWID;
)sql";

// Records read from one member's change log per transaction (the service lock is held meanwhile).
constexpr int64_t kBatch = 200;

// Runs a statement that takes one id.
void run_for(storage::Database& db, const char* sql, int64_t id) {
  auto st = db.cached(sql);
  st->bind(1, id);
  st->run();
}

}  // namespace

// ---------------------------------------------------------------- groups

void DynamoDbService::load_groups() {
  auto& db = store_.db();
  db.exec(kSchema);
  {
    auto st = db.prepare("SELECT account, name, version, created_ms FROM ddb_global");
    while (st.step()) {
      GlobalGroup g{st.text(0), st.text(1), st.text(2), st.int64(3), {}};
      groups_[{g.account, g.name}] = std::move(g);
    }
  }
  auto st = db.prepare("SELECT account, name, region, status, since_ms, settings FROM ddb_replicas");
  while (st.step()) {
    auto it = groups_.find({st.text(0), st.text(1)});
    if (it == groups_.end()) continue;
    Replica r{st.text(2), st.text(3), json::parse(st.text_view(5)), st.int64(4)};
    it->second.replicas[r.region] = std::move(r);
  }
  refresh_members();
}

GlobalGroup& DynamoDbService::new_group(const std::string& account, const std::string& name, const std::string& version) {
  GlobalGroup& g = groups_[{account, name}] = GlobalGroup{account, name, version, env_.clock->epoch_millis(), {}};
  auto st = store_.db().cached("INSERT OR REPLACE INTO ddb_global(account, name, version, created_ms) VALUES(?, ?, ?, ?)");
  st->bind(1, account).bind(2, name).bind(3, version).bind(4, g.created_ms);
  st->run();
  return g;
}

void DynamoDbService::save_replica(const GlobalGroup& g, const Replica& r) {
  auto st = store_.db().cached(
      "INSERT OR REPLACE INTO ddb_replicas(account, name, region, status, since_ms, settings) VALUES(?, ?, ?, ?, ?, ?)");
  st->bind(1, g.account).bind(2, g.name).bind(3, r.region).bind(4, r.status).bind(5, r.since_ms);
  st->bind(6, r.settings.dump());
  st->run();
}

void DynamoDbService::erase_replica(GlobalGroup& g, const std::string& region) {
  auto st = store_.db().cached("DELETE FROM ddb_replicas WHERE account = ? AND name = ? AND region = ?");
  st->bind(1, g.account).bind(2, g.name).bind(3, region);
  st->run();
  // Nobody replicates to that region any more.
  for (const auto& [r, rep] : g.replicas)
    if (TableInfo* t = host_find(g.account, r, g.name)) {
      auto del = store_.db().cached("DELETE FROM ddb_rep_checkpoints WHERE source_table = ? AND target_region = ?");
      del->bind(1, t->id).bind(2, region);
      del->run();
    }
  g.replicas.erase(region);
}

void DynamoDbService::drop_group(const std::string& account, const std::string& name) {
  auto it = groups_.find({account, name});
  if (it == groups_.end()) return;
  while (!it->second.replicas.empty()) erase_replica(it->second, it->second.replicas.begin()->first);
  auto st = store_.db().cached("DELETE FROM ddb_global WHERE account = ? AND name = ?");
  st->bind(1, account).bind(2, name);
  st->run();
  groups_.erase(it);
}

void DynamoDbService::refresh_members() {
  member_of_.clear();
  for (auto& [key, g] : groups_)
    for (const auto& [region, r] : g.replicas)
      if (TableInfo* t = host_find(g.account, region, g.name)) member_of_[t->id] = &g;
}

GlobalGroup* DynamoDbService::group_of(const TableInfo& t) {
  if (member_of_.empty()) return nullptr;
  auto it = member_of_.find(t.id);
  return it == member_of_.end() ? nullptr : it->second;
}

bool DynamoDbService::group_busy(const GlobalGroup& g) const {
  return std::any_of(g.replicas.begin(), g.replicas.end(),
                     [](const auto& r) { return r.second.status != "ACTIVE"; });
}

void DynamoDbService::leave_group(const TableInfo& t) {
  GlobalGroup* g = group_of(t);
  if (!g) return;
  erase_replica(*g, t.region);
  run_for(store_.db(), "DELETE FROM ddb_rep_checkpoints WHERE source_table = ?", t.id);
  run_for(store_.db(), "DELETE FROM ddb_rep_versions WHERE table_id = ?", t.id);
  if (g->replicas.size() < 2 && !group_busy(*g)) drop_group(g->account, g->name);
  refresh_members();
}

// ---------------------------------------------------------------- versions and checkpoints

std::optional<RepVersion> DynamoDbService::version_of(int64_t table, const std::string& pk, const std::string& sk) {
  auto st = store_.db().cached("SELECT ts_ms, region FROM ddb_rep_versions WHERE table_id = ? AND pk = ? AND sk = ?");
  st->bind(1, table).bind_blob(2, pk).bind_blob(3, sk);
  std::optional<RepVersion> v;
  if (st->step()) v = RepVersion{st->int64(0), st->text(1)};
  st->reset();
  return v;
}

void DynamoDbService::set_version(int64_t table, const std::string& pk, const std::string& sk, const RepVersion& v) {
  auto st = store_.db().cached(
      "INSERT OR REPLACE INTO ddb_rep_versions(table_id, pk, sk, ts_ms, region) VALUES(?, ?, ?, ?, ?)");
  st->bind(1, table).bind_blob(2, pk).bind_blob(3, sk).bind(4, v.ts_ms).bind(5, v.region);
  st->run();
}

int64_t DynamoDbService::checkpoint(int64_t source_table, const std::string& target_region) {
  auto st = store_.db().cached("SELECT seq FROM ddb_rep_checkpoints WHERE source_table = ? AND target_region = ?");
  st->bind(1, source_table).bind(2, target_region);
  int64_t seq = st->step() ? st->int64(0) : -1;
  st->reset();
  if (seq < 0) {  // a pair that never had one replicates from now on
    seq = features_->last_seq();
    set_checkpoint(source_table, target_region, seq);
  }
  return seq;
}

void DynamoDbService::set_checkpoint(int64_t source_table, const std::string& target_region, int64_t seq) {
  auto st = store_.db().cached(
      "INSERT OR REPLACE INTO ddb_rep_checkpoints(source_table, target_region, seq) VALUES(?, ?, ?)");
  st->bind(1, source_table).bind(2, target_region).bind(3, seq);
  st->run();
}

int64_t DynamoDbService::replicated_write(const TableInfo& t, const GlobalGroup& g, const std::string& pk,
                                          const std::string& sk, const json*& new_item, json& stamped) {
  RepVersion v;
  if (replicating_) {
    v = *replicating_;
  } else {
    auto cur = version_of(t.id, pk, sk);
    v = next_version(cur ? &*cur : nullptr, env_.clock->epoch_millis(), t.region);
    if (g.version == kGlobalTablesLegacy && new_item) {
      // Version 2017.11.29 keeps its replication state in the items themselves.
      stamped = *new_item;
      char when[48];
      std::snprintf(when, sizeof when, "%" PRId64 ".%03" PRId64, v.ts_ms / 1000, v.ts_ms % 1000);
      stamped["aws:rep:updateregion"] = {{"S", t.region}};
      stamped["aws:rep:updatetime"] = {{"N", when}};
      stamped["aws:rep:deleting"] = {{"BOOL", false}};
      new_item = &stamped;
    }
    wake_replication();
  }
  set_version(t.id, pk, sk, v);
  return v.ts_ms;
}

// ---------------------------------------------------------------- the worker

size_t DynamoDbService::replicate_pass() {
  int64_t now = env_.clock->epoch_millis();
  bool pending = false;
  size_t applied = 0;
  std::vector<std::pair<std::string, std::string>> dissolved;
  for (auto& [key, g] : groups_) {
    for (auto it = g.replicas.begin(); it != g.replicas.end();) {
      Replica& r = it->second;
      if (r.status == "CREATING") {
        create_replica_table(g, r);
        if (now >= r.since_ms + kReplicaTransitionMillis) {
          r.status = "ACTIVE";
          r.since_ms = now;
          save_replica(g, r);
        } else {
          pending = true;
        }
      } else if (r.status == "DELETING") {
        TableInfo* t = host_find(g.account, r.region, g.name);
        if (t && g.version == kGlobalTablesCurrent) drop_replica_table(*t);
        if (now >= r.since_ms + kReplicaTransitionMillis) {
          std::string region = r.region;
          ++it;
          erase_replica(g, region);
          if (t && g.version == kGlobalTablesLegacy) {
            run_for(store_.db(), "DELETE FROM ddb_rep_checkpoints WHERE source_table = ?", t->id);
            run_for(store_.db(), "DELETE FROM ddb_rep_versions WHERE table_id = ?", t->id);
          }
          refresh_members();
          continue;
        }
        pending = true;
      }
      ++it;
    }
    if (g.replicas.size() < 2 && g.version == kGlobalTablesCurrent && !group_busy(g)) dissolved.push_back(key);
    for (auto& [region, r] : g.replicas) {
      if (r.status == "DELETING") continue;
      if (TableInfo* src = host_find(g.account, region, g.name)) applied += replicate_from(g, *src);
    }
  }
  for (const auto& [account, name] : dissolved) drop_group(account, name);
  if (!dissolved.empty()) refresh_members();
  transitions_pending_ = pending;
  return applied;
}

size_t DynamoDbService::replicate_from(const GlobalGroup& g, TableInfo& src) {
  struct Target {
    TableInfo* table;
    int64_t seq;
  };
  std::vector<Target> targets;
  for (const auto& [region, r] : g.replicas) {
    if (region == src.region || r.status == "DELETING") continue;
    if (TableInfo* t = host_find(g.account, region, g.name)) targets.push_back({t, checkpoint(src.id, region)});
  }
  if (targets.empty()) return 0;
  size_t applied = 0;
  while (true) {
    int64_t from = targets[0].seq;
    for (const auto& t : targets) from = std::min(from, t.seq);
    struct Change {
      int64_t seq, ts;
      std::string pk, sk;
      std::optional<json> item;
      bool replicated;
    };
    std::vector<Change> changes;
    {
      auto st = store_.db().cached(
          "SELECT seq, ts_ms, pk, sk, new, by_service FROM ddb_changes WHERE table_id = ? AND seq > ? ORDER BY seq "
          "LIMIT ?");
      st->bind(1, src.id).bind(2, from).bind(3, kBatch);
      while (st->step()) {
        Change c{st->int64(0), st->int64(1), st->blob(2), st->blob(3), std::nullopt, st->int64(5) == 2};
        if (!c.replicated && !st->is_null(4)) c.item = Store::decode(st->blob_view(4));
        changes.push_back(std::move(c));
      }
      st->reset();
    }
    if (changes.empty()) return applied;
    storage::Transaction tx(store_.db());
    for (const auto& c : changes) {
      if (c.replicated) continue;  // another region's write: that region replicates it
      for (auto& t : targets)
        if (c.seq > t.seq && apply_change(*t.table, src.region, c.ts, c.pk, c.sk, c.item ? &*c.item : nullptr))
          ++applied;
    }
    for (auto& t : targets) {
      t.seq = std::max(t.seq, changes.back().seq);
      set_checkpoint(src.id, t.table->region, t.seq);
    }
    tx.commit();
    if (static_cast<int64_t>(changes.size()) < kBatch) return applied;
  }
}

bool DynamoDbService::apply_change(TableInfo& target, const std::string& source_region, int64_t ts_ms,
                                   const std::string& pk, const std::string& sk, const json* new_item) {
  RepVersion incoming{ts_ms, source_region};
  auto cur = version_of(target.id, pk, sk);
  if (cur && !(*cur < incoming)) return false;  // the replica holds a later write
  std::optional<json> old = store_.get_item(target.id, pk, sk);
  if (!old && !new_item) {
    set_version(target.id, pk, sk, incoming);  // remember the delete (a tombstone)
    return true;
  }
  replicating_ = &incoming;
  try {
    write_item(target, pk, sk, old ? &*old : nullptr, new_item);
  } catch (...) {
    replicating_ = nullptr;
    throw;
  }
  replicating_ = nullptr;
  return true;
}

void DynamoDbService::create_replica_table(GlobalGroup& g, const Replica& r) {
  TableInfo* existing = host_find(g.account, r.region, g.name);
  if (existing && group_of(*existing) == &g) return;  // created by an earlier pass
  TableInfo* src = nullptr;
  for (const auto& [region, m] : g.replicas)
    if (m.status == "ACTIVE" && (src = host_find(g.account, region, g.name))) break;
  if (!src) return;
  TableInfo* target = existing;  // version 2017.11.29 joins a table that exists (and is empty)
  if (!target) {
    json meta = json::object();
    for (const char* k : {"AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
                          "LocalSecondaryIndexes", "GlobalSecondaryIndexes", "SSESpecification", "TableClass",
                          "TimeToLive"})
      if (src->meta.contains(k)) meta[k] = src->meta[k];
    if (const json* tc = member(r.settings, "TableClassOverride")) meta["TableClass"] = *tc;
    meta["CreationDateTime"] = now_seconds(env_.clock);
    meta["TableId"] = ids::uuid4();
    if (src->meta.contains("StreamSpecification")) features_->set_stream_spec(g.name, nullptr, meta, src->meta["StreamSpecification"]);
    target = &host_create(g.account, r.region, g.name, std::move(meta));
    features_->sync_stream(*target);
  }
  storage::Transaction tx(store_.db());
  for (const auto& s : store_.all_items(src->id)) {
    store_.put_item(target->id, s.pk, s.sk, s.item, item_size(s.item));
    for (const auto& ix : target->indexes)
      if (auto ik = index_keys(ix, s.item)) store_.put_index_entry(target->id, ix.name, ik->first, ik->second, s.pk, s.sk);
  }
  {
    auto st = store_.db().cached(
        "INSERT OR REPLACE INTO ddb_rep_versions(table_id, pk, sk, ts_ms, region) SELECT ?, pk, sk, ts_ms, region FROM "
        "ddb_rep_versions WHERE table_id = ?");
    st->bind(1, target->id).bind(2, src->id);
    st->run();
  }
  // The copy holds everything logged so far: both directions replicate from here on.
  int64_t top = features_->last_seq();
  for (const auto& [region, m] : g.replicas) {
    if (region == r.region) continue;
    if (TableInfo* t = host_find(g.account, region, g.name)) {
      set_checkpoint(t->id, r.region, top);
      set_checkpoint(target->id, region, top);
    }
  }
  tx.commit();
  refresh_members();
}

void DynamoDbService::drop_replica_table(TableInfo& t) {
  run_for(store_.db(), "DELETE FROM ddb_rep_checkpoints WHERE source_table = ?", t.id);
  run_for(store_.db(), "DELETE FROM ddb_rep_versions WHERE table_id = ?", t.id);
  features_->on_table_deleted(t);
  store_.delete_table(t.id);
  buckets_.forget(t.id);
  member_of_.erase(t.id);
  tables_.erase(table_key(t.account, t.region, t.name));
}

void DynamoDbService::wake_replication() {
  {
    std::lock_guard lk(wake_mu_);
    if (wake_) return;  // the worker is already due: one wake-up serves every write until its pass
    wake_ = true;
  }
  wake_cv_.notify_one();
}

void DynamoDbService::start_replication() {
  if (!env_.scheduler) return;  // unit tests run passes themselves (POST /_awan/dynamodb/replicate)
  worker_ = std::thread([this] { replication_loop(); });
}

void DynamoDbService::stop_replication() {
  {
    std::lock_guard lk(wake_mu_);
    stop_ = true;
  }
  wake_cv_.notify_one();
  if (worker_.joinable()) worker_.join();
}

void DynamoDbService::replication_loop() {
  std::unique_lock lk(wake_mu_);
  bool first = true;  // catch up on what a restart left behind
  while (!stop_) {
    if (!first) {
      auto wait = transitions_pending_ ? std::chrono::milliseconds(10) : std::chrono::milliseconds(1000);
      wake_cv_.wait_for(lk, wait, [this] { return wake_ || stop_; });
    }
    first = false;
    if (stop_) break;
    wake_ = false;
    lk.unlock();
    try {
      std::lock_guard lock(mu_);
      if (!groups_.empty()) replicate_pass();
    } catch (const std::exception& e) {
      spdlog::error("dynamodb replication: {}", e.what());
    }
    lk.lock();
  }
}

}  // namespace svc
}  // namespace awan::dynamodb
