// The change log and the DynamoDBStreams_20120810 operations over it; the TTL sweeper.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <limits>

#include "core/crypto.hpp"
#include "dynamodb/cbor.hpp"
#include "dynamodb/features.hpp"
#include "dynamodb/request.hpp"
#include "dynamodb/store.hpp"
#include "dynamodb/table.hpp"
#include "dynamodb/value.hpp"

namespace awan::dynamodb {

namespace {

using request::invalid, request::member, request::null_member, request::str_member;

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS ddb_changes(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  table_id INTEGER NOT NULL,
  ts_ms INTEGER NOT NULL,
  event INTEGER NOT NULL,
  pk BLOB NOT NULL,
  sk BLOB NOT NULL,
  keys BLOB NOT NULL,
  old BLOB,
  new BLOB,
  by_service INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS ddb_changes_by_table ON ddb_changes(table_id, seq);
CREATE TABLE IF NOT EXISTS ddb_streams(
  id INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  table_id INTEGER NOT NULL,
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  table_name TEXT NOT NULL,
  label TEXT NOT NULL,
  view_type TEXT NOT NULL,
  key_schema TEXT NOT NULL,
  shard_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  start_seq INTEGER NOT NULL,
  end_seq INTEGER);
CREATE INDEX IF NOT EXISTS ddb_streams_by_table ON ddb_streams(table_id);
CREATE TABLE IF NOT EXISTS ddb_trimmed(
  table_id INTEGER PRIMARY KEY,
  upto_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ddb_ttl(
  table_id INTEGER NOT NULL,
  pk BLOB NOT NULL,
  sk BLOB NOT NULL,
  expiry REAL NOT NULL,
  PRIMARY KEY(table_id, pk, sk)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ddb_ttl_by_expiry ON ddb_ttl(table_id, expiry);
CREATE TABLE IF NOT EXISTS ddb_backups(
  arn TEXT PRIMARY KEY,
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  name TEXT NOT NULL,
  table_name TEXT NOT NULL,
  table_arn TEXT NOT NULL,
  meta TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  size INTEGER NOT NULL,
  item_count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ddb_backup_items(
  backup_arn TEXT NOT NULL,
  pk BLOB NOT NULL,
  sk BLOB NOT NULL,
  item BLOB NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY(backup_arn, pk, sk)) WITHOUT ROWID;
)sql";

constexpr const char* kEventNames[] = {"", "INSERT", "MODIFY", "REMOVE"};

std::string cbor(const json& j) {
  std::string out;
  encode_cbor(j, out);
  return out;
}

std::string format_seq(int64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%021" PRId64, seq);
  return buf;
}

std::optional<int64_t> parse_seq(const std::string& s) {
  if (s.empty() || s.size() > 40 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  size_t i = s.find_first_not_of('0');
  if (i == std::string::npos) return 0;
  if (s.size() - i > 18) return std::nullopt;
  return std::stoll(s.substr(i));
}

// The UTC time of `ms` (epoch milliseconds) in strftime's `format`, whole seconds.
std::string utc_time(int64_t ms, const char* format) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

// "Sat Nov 21 20:10:11 UTC 2026" (the form of AWS's iterator-expiry message).
std::string java_date(int64_t ms) { return utc_time(ms, "%a %b %d %H:%M:%S UTC %Y"); }

// 2015-05-20T20:51:10.252 (stream labels).
std::string label_of(int64_t ms) {
  char out[80];
  std::snprintf(out, sizeof out, "%s.%03d", utc_time(ms, "%Y-%m-%dT%H:%M:%S").c_str(), static_cast<int>(ms % 1000));
  return out;
}

bool items_equal(const json& a, const json& b) {
  if (a.size() != b.size()) return false;
  for (auto it = a.begin(); it != a.end(); ++it) {
    auto o = b.find(it.key());
    if (o == b.end() || !values_equal(it.value(), *o)) return false;
  }
  return true;
}

bool stream_enabled(const json& meta) {
  auto it = meta.find("StreamSpecification");
  return it != meta.end() && it->is_object() && it->value("StreamEnabled", false);
}

}  // namespace

struct Features::Stream {
  int64_t id = 0, table_id = 0;
  std::string arn, account, region, table_name, label, view_type, shard_id;
  json key_schema;
  int64_t created_ms = 0, start_seq = 0;
  std::optional<int64_t> end_seq;  // exclusive; set once closed
};

Features::Features(const ServiceEnv& env, Store& store, TableHost& host)
    : env_(env), store_(store), host_(host), link_(std::make_shared<FeaturesLink>()), timer_(std::make_shared<Timer>()) {
  ensure_schema();
  link_->features = this;
}

Features::~Features() {
  stop_sweeper();
  std::lock_guard lock(link_->mu);
  link_->features = nullptr;
}

void Features::ensure_schema() { store_.db().exec(kSchema); }

void Features::reset() {
  store_.db().exec(
      "DELETE FROM ddb_changes; DELETE FROM ddb_streams; DELETE FROM ddb_backups; DELETE FROM ddb_backup_items; "
      "DELETE FROM ddb_ttl; DELETE FROM ddb_trimmed;");
  ttl_indexed_.clear();
}

bool Features::handles(const std::string& op) {
  static const char* kOps[] = {"UpdateContinuousBackups", "DescribeContinuousBackups", "RestoreTableToPointInTime",
                               "CreateBackup",            "DescribeBackup",            "ListBackups",
                               "DeleteBackup",            "RestoreTableFromBackup"};
  return std::any_of(std::begin(kOps), std::end(kOps), [&](const char* o) { return op == o; });
}

// ---------------------------------------------------------------- change log

int64_t Features::next_seq() {
  auto st = store_.db().cached("SELECT seq FROM sqlite_sequence WHERE name = 'ddb_changes'");
  int64_t seq = st->step() ? st->int64(0) : 0;
  st->reset();
  return seq + 1;
}

bool Features::observes(const TableInfo& t) const {
  return ttl_indexed_.count(t.id) != 0 || stream_enabled(t.meta) || t.meta.contains("AwanPitr");
}

void Features::on_write(const TableInfo& t, const std::string& pk, const std::string& sk, const json* old_item,
                        const json* new_item, int64_t ts_ms, bool replicated) {
  if (!old_item && !new_item) return;
  if (!ttl_indexed_.empty())
    if (auto it = ttl_indexed_.find(t.id); it != ttl_indexed_.end())
      ttl_index_write(t.id, it->second, pk, sk, old_item, new_item);
  bool logged = stream_enabled(t.meta) || t.meta.contains("AwanPitr");
  if (!logged) return;
  if (old_item && new_item && items_equal(*old_item, *new_item)) return;
  const json& img = new_item ? *new_item : *old_item;
  json keys = json::object();
  if (auto h = img.find(t.hash.name); h != img.end()) keys[t.hash.name] = *h;
  if (t.range)
    if (auto r = img.find(t.range->name); r != img.end()) keys[t.range->name] = *r;
  int event = !old_item ? 1 : !new_item ? 3 : 2;
  auto st = store_.db().cached(
      "INSERT INTO ddb_changes(table_id, ts_ms, event, pk, sk, keys, old, new, by_service) VALUES(?, ?, ?, ?, ?, ?, ?, "
      "?, ?)");
  st->bind(1, t.id).bind(2, ts_ms ? ts_ms : env_.clock->epoch_millis()).bind(3, event).bind_blob(4, pk).bind_blob(5, sk);
  st->bind_blob(6, cbor(keys));
  if (old_item) st->bind_blob(7, cbor(*old_item));
  else st->bind_null(7);
  if (new_item) st->bind_blob(8, cbor(*new_item));
  else st->bind_null(8);
  // by_service: 0 a caller's write, 1 the service's own (TTL), 2 applied by replication.
  st->bind(9, replicated ? 2 : service_write_ ? 1 : 0);
  st->run();
}

void Features::trim_log() {
  int64_t now = env_.clock->epoch_millis();
  // Tables with PITR keep their recovery period (at least the 24 hours of streams).
  std::vector<std::pair<int64_t, int64_t>> keep;  // table id, cutoff
  for (TableInfo* t : host_.host_tables()) {
    auto it = t->meta.find("AwanPitr");
    if (it == t->meta.end()) continue;
    int64_t days = it->value("RecoveryPeriodInDays", 35);
    keep.emplace_back(t->id, now - std::max(days * 86400000, kStreamRetentionMs));
  }
  std::string not_in;
  for (const auto& [id, cutoff] : keep) {
    if (!not_in.empty()) not_in += ',';
    not_in += std::to_string(id);
  }
  auto& db = store_.db();
  storage::Transaction tx(db);
  // Remember how far each table's log was trimmed: readers positioned there get
  // TrimmedDataAccessException rather than silently skipping records.
  const char* kMark =
      "INSERT INTO ddb_trimmed(table_id, upto_seq) SELECT table_id, max(seq) FROM ddb_changes WHERE ts_ms < ?{} "
      "GROUP BY table_id ON CONFLICT(table_id) DO UPDATE SET upto_seq = max(upto_seq, excluded.upto_seq)";
  std::string filter = not_in.empty() ? std::string() : " AND table_id NOT IN (" + not_in + ")";
  std::string mark(kMark);
  mark.replace(mark.find("{}"), 2, filter);
  {
    auto m = db.prepare(mark);
    m.bind(1, now - kStreamRetentionMs);
    m.run();
    auto st = db.prepare("DELETE FROM ddb_changes WHERE ts_ms < ?" + filter);
    st.bind(1, now - kStreamRetentionMs);
    st.run();
  }
  for (const auto& [id, cutoff] : keep) {
    std::string one(kMark);
    one.replace(one.find("{}"), 2, " AND table_id = ?");
    auto m = db.cached(one);
    m->bind(1, cutoff).bind(2, id);
    m->run();
    auto st = db.cached("DELETE FROM ddb_changes WHERE table_id = ? AND ts_ms < ?");
    st->bind(1, id).bind(2, cutoff);
    st->run();
  }
  tx.commit();
}

// ---------------------------------------------------------------- stream lifecycle

void Features::set_stream_spec(const std::string& table, const json* current, json& meta, const json& spec) {
  if (!spec.is_object()) throw AwsError::serialization("Unexpected value type for StreamSpecification");
  const json* en = member(spec, "StreamEnabled");
  if (!en) null_member("streamSpecification.streamEnabled");
  bool enable = en->get<bool>();
  std::string view = str_member(spec, "StreamViewType");
  if (member(spec, "StreamViewType") && view != "NEW_IMAGE" && view != "OLD_IMAGE" && view != "NEW_AND_OLD_IMAGES" &&
      view != "KEYS_ONLY")
    invalid("1 validation error detected: Value '" + view +
            "' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: "
            "[NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]");
  if (enable && view.empty())
    invalid("One or more parameter values were invalid: You must specify a StreamViewType when enabling a stream");
  if (!enable && !view.empty())
    invalid("One or more parameter values were invalid: StreamViewType cannot be specified when disabling a stream");
  bool cur = current && stream_enabled(*current);
  if (current) {
    if (enable && cur) invalid("Table already has an enabled stream: TableName: " + table);
    if (!enable && !cur) invalid("Table has no stream to disable: TableName: " + table);
  }
  if (!enable) {
    if (current) meta["StreamSpecification"] = {{"StreamEnabled", false}};
    else meta.erase("StreamSpecification");
    return;
  }
  meta["StreamSpecification"] = {{"StreamEnabled", true}, {"StreamViewType", view}};
  int64_t ms = env_.clock->epoch_millis();
  // Labels are unique per table: a stream re-enabled (or a table re-created) within the same
  // millisecond moves on.
  if (current && current->contains("LatestStreamLabel")) {
    std::string prev = (*current)["LatestStreamLabel"].get<std::string>();
    while (label_of(ms) <= prev) ++ms;
  }
  auto taken = store_.db().cached("SELECT 1 FROM ddb_streams WHERE label = ? LIMIT 1");
  while (true) {
    taken->bind(1, label_of(ms));
    bool used = taken->step();
    taken->reset();
    if (!used) break;
    ++ms;
  }
  meta["LatestStreamLabel"] = label_of(ms);
}

std::optional<Features::Stream> Features::open_stream(int64_t table_id) {
  auto st = store_.db().cached("SELECT arn FROM ddb_streams WHERE table_id = ? AND end_seq IS NULL");
  st->bind(1, table_id);
  std::optional<std::string> arn;
  if (st->step()) arn = st->text(0);
  st->reset();
  if (!arn) return std::nullopt;
  return stream_by_arn(*arn);
}

std::optional<Features::Stream> Features::stream_by_arn(const std::string& arn) {
  auto st = store_.db().cached(
      "SELECT id, table_id, arn, account, region, table_name, label, view_type, key_schema, shard_id, created_ms, "
      "start_seq, end_seq FROM ddb_streams WHERE arn = ?");
  st->bind(1, arn);
  if (!st->step()) {
    st->reset();
    return std::nullopt;
  }
  Stream s;
  s.id = st->int64(0);
  s.table_id = st->int64(1);
  s.arn = st->text(2);
  s.account = st->text(3);
  s.region = st->text(4);
  s.table_name = st->text(5);
  s.label = st->text(6);
  s.view_type = st->text(7);
  s.key_schema = json::parse(st->text_view(8));
  s.shard_id = st->text(9);
  s.created_ms = st->int64(10);
  s.start_seq = st->int64(11);
  if (!st->is_null(12)) s.end_seq = st->int64(12);
  st->reset();
  return s;
}

void Features::sync_stream(const TableInfo& t) {
  auto open = open_stream(t.id);
  bool enabled = stream_enabled(t.meta);
  std::string label = enabled ? t.meta.value("LatestStreamLabel", "") : "";
  if (open && (!enabled || open->label != label)) {
    auto st = store_.db().cached("UPDATE ddb_streams SET end_seq = ? WHERE id = ?");
    st->bind(1, next_seq()).bind(2, open->id);
    st->run();
    open.reset();
  }
  if (enabled && !open) {
    int64_t ms = env_.clock->epoch_millis();
    std::string arn = t.arn + "/stream/" + label;
    char shard[80];
    std::snprintf(shard, sizeof shard, "shardId-%020" PRId64 "-%s", ms,
                  crypto::sha256_hex(arn).substr(0, 8).c_str());
    auto st = store_.db().cached(
        "INSERT INTO ddb_streams(arn, table_id, account, region, table_name, label, view_type, key_schema, "
        "shard_id, created_ms, start_seq) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st->bind(1, arn).bind(2, t.id).bind(3, t.account).bind(4, t.region).bind(5, t.name).bind(6, label);
    st->bind(7, t.meta["StreamSpecification"]["StreamViewType"].get<std::string>());
    st->bind(8, t.meta["KeySchema"].dump()).bind(9, std::string(shard)).bind(10, ms).bind(11, next_seq());
    st->run();
  }
}

int64_t Features::trimmed_upto(int64_t table_id) {
  auto st = store_.db().cached("SELECT upto_seq FROM ddb_trimmed WHERE table_id = ?");
  st->bind(1, table_id);
  int64_t upto = st->step() ? st->int64(0) : 0;
  st->reset();
  return upto;
}

void Features::on_table_deleted(const TableInfo& t) {
  auto st = store_.db().cached("UPDATE ddb_streams SET end_seq = ? WHERE table_id = ? AND end_seq IS NULL");
  st->bind(1, next_seq()).bind(2, t.id);
  st->run();
  // PITR's log of a deleted table is not kept (no restore of deleted tables).
  auto del = store_.db().cached(
      "DELETE FROM ddb_changes WHERE table_id = ? AND NOT EXISTS (SELECT 1 FROM ddb_streams WHERE table_id = ?)");
  del->bind(1, t.id).bind(2, t.id);
  del->run();
  auto ttl = store_.db().cached("DELETE FROM ddb_ttl WHERE table_id = ?");
  ttl->bind(1, t.id);
  ttl->run();
  ttl_indexed_.erase(t.id);
}

// ---------------------------------------------------------------- DynamoDBStreams_20120810

json Features::streams_call(const RequestContext& ctx, const std::string& op, json& in) {
  std::lock_guard lock(host_.host_mutex());
  ctx_ = &ctx;
  if (op == "ListStreams") return list_streams(in);
  if (op == "DescribeStream") return describe_stream(in);
  if (op == "GetShardIterator") return get_shard_iterator(in);
  if (op == "GetRecords") return get_records(in);
  throw AwsError::unknown_operation("An unknown operation was requested.");
}

namespace {
void check_limit(const json& in, const char* field, const char* path, int64_t max) {
  const json* l = member(in, field);
  if (!l) return;
  if (!l->is_number_integer()) throw AwsError::serialization(std::string("Unexpected value type for ") + field);
  int64_t v = l->get<int64_t>();
  if (v < 1)
    invalid("1 validation error detected: Value '" + std::to_string(v) + "' at '" + path +
            "' failed to satisfy constraint: Member must have value greater than or equal to 1");
  if (v > max) invalid("1 validation error detected: Value '" + std::to_string(v) + "' at '" + path +
                       "' failed to satisfy constraint: Member must have value less than or equal to " +
                       std::to_string(max));
}
// A stream ARN as the model constrains it (37 to 1024 characters), then as DynamoDB Streams
// parses it: arn:<partition>:dynamodb:<region>:<account>:table/<name>/stream/<label>. A
// malformed one is a ValidationException, a well-formed one of no stream ResourceNotFound.
void check_stream_arn(const std::string& arn, const char* path) {
  if (arn.size() < 37 || arn.size() > 1024)
    invalid("1 validation error detected: Value '" + arn + "' at '" + path + "' failed to satisfy constraint: " +
            (arn.size() < 37 ? "Member must have length greater than or equal to 37"
                             : "Member must have length less than or equal to 1024"));
  size_t colons = 0, pos = 0;
  for (; colons < 5 && pos < arn.size(); ++pos)
    if (arn[pos] == ':') ++colons;
  std::string_view rest = std::string_view(arn).substr(pos);
  size_t mark = rest.find("/stream/");
  bool ok = arn.rfind("arn:", 0) == 0 && arn.find(":dynamodb:") != std::string::npos && colons == 5 &&
            rest.rfind("table/", 0) == 0 && mark != std::string_view::npos && mark > 6 && mark + 8 < rest.size();
  if (!ok) invalid("Invalid StreamArn: " + arn);
}

[[noreturn]] void stream_not_found(const std::string& arn) {
  throw AwsError("ResourceNotFoundException", "Requested resource not found: Stream: " + arn + " not found");
}
}  // namespace

json Features::list_streams(json& in) {
  check_limit(in, "Limit", "limit", 100);
  int64_t limit = member(in, "Limit") ? in["Limit"].get<int64_t>() : 100;
  std::string table = str_member(in, "TableName");
  std::string start = str_member(in, "ExclusiveStartStreamArn");
  int64_t after = 0;
  if (!start.empty()) {
    check_stream_arn(start, "exclusiveStartStreamArn");
    auto s = stream_by_arn(start);
    if (!s) stream_not_found(start);
    after = s->id;
  }
  auto st = store_.db().cached(
      "SELECT id, arn, table_name, label FROM ddb_streams WHERE account = ? AND region = ? AND (? = '' OR table_name = "
      "?) AND id > ? ORDER BY id");
  st->bind(1, ctx_->account_id).bind(2, ctx_->region).bind(3, table).bind(4, table).bind(5, after);
  json out = {{"Streams", json::array()}};
  bool more = false;
  while (st->step()) {
    if (static_cast<int64_t>(out["Streams"].size()) == limit) {
      more = true;
      break;
    }
    out["Streams"].push_back({{"StreamArn", st->text(1)}, {"TableName", st->text(2)}, {"StreamLabel", st->text(3)}});
  }
  st->reset();
  if (more) out["LastEvaluatedStreamArn"] = out["Streams"].back()["StreamArn"];
  if (!table.empty() && out["Streams"].empty() && start.empty() && !host_.host_find(ctx_->account_id, ctx_->region, table))
    throw AwsError("ResourceNotFoundException", "Requested resource not found: Table: " + table + " not found");
  return out;
}

json Features::describe_stream(json& in) {
  std::string arn = str_member(in, "StreamArn");
  if (arn.empty()) null_member("streamArn");
  check_limit(in, "Limit", "limit", 100);
  check_stream_arn(arn, "streamArn");
  auto s = stream_by_arn(arn);
  if (!s || s->account != ctx_->account_id) stream_not_found(arn);
  json shard = {{"ShardId", s->shard_id},
                {"SequenceNumberRange", {{"StartingSequenceNumber", format_seq(s->start_seq)}}}};
  if (s->end_seq) {
    int64_t last = s->start_seq;
    auto st = store_.db().cached("SELECT max(seq) FROM ddb_changes WHERE table_id = ? AND seq >= ? AND seq < ?");
    st->bind(1, s->table_id).bind(2, s->start_seq).bind(3, *s->end_seq);
    if (st->step() && !st->is_null(0)) last = st->int64(0);
    st->reset();
    shard["SequenceNumberRange"]["EndingSequenceNumber"] = format_seq(last);
  }
  json shards = json::array();
  std::string start_shard = str_member(in, "ExclusiveStartShardId");
  if (start_shard.empty() || start_shard < s->shard_id) shards.push_back(shard);
  json d = {{"StreamArn", s->arn},
            {"StreamLabel", s->label},
            {"StreamStatus", s->end_seq ? "DISABLED" : "ENABLED"},
            {"StreamViewType", s->view_type},
            {"CreationRequestDateTime", static_cast<double>(s->created_ms) / 1000.0},
            {"TableName", s->table_name},
            {"KeySchema", s->key_schema},
            {"Shards", shards}};
  return {{"StreamDescription", d}};
}

std::string Features::make_iterator(const Stream& s, int64_t position) {
  std::string body = s.arn + "|1|" + std::to_string(position) + "|" + std::to_string(env_.clock->epoch_millis());
  return body + "|" + crypto::sha256_hex("awan-shard-iterator|" + body).substr(0, 16);
}

json Features::get_shard_iterator(json& in) {
  std::string arn = str_member(in, "StreamArn");
  std::string shard = str_member(in, "ShardId");
  std::string type = str_member(in, "ShardIteratorType");
  if (arn.empty()) null_member("streamArn");
  if (shard.empty()) null_member("shardId");
  if (type.empty()) null_member("shardIteratorType");
  if (type != "TRIM_HORIZON" && type != "LATEST" && type != "AT_SEQUENCE_NUMBER" && type != "AFTER_SEQUENCE_NUMBER")
    invalid("1 validation error detected: Value '" + type +
            "' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: "
            "[TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]");
  check_stream_arn(arn, "streamArn");
  auto s = stream_by_arn(arn);
  if (!s || s->account != ctx_->account_id) stream_not_found(arn);
  if (shard != s->shard_id)
    throw AwsError("ResourceNotFoundException", "Requested resource not found: Shard does not exist");
  int64_t end = s->end_seq.value_or(std::numeric_limits<int64_t>::max());
  int64_t cutoff = env_.clock->epoch_millis() - kStreamRetentionMs;
  auto& db = store_.db();
  int64_t pos = 0;
  if (type == "TRIM_HORIZON") {
    // The oldest record still retained; past the trimmed ones.
    auto st = db.cached("SELECT min(seq) FROM ddb_changes WHERE table_id = ? AND seq >= ? AND seq < ? AND ts_ms >= ?");
    st->bind(1, s->table_id).bind(2, s->start_seq).bind(3, end).bind(4, cutoff);
    bool found = st->step() && !st->is_null(0);
    pos = found ? st->int64(0) : 0;
    st->reset();
    if (!found) {
      auto m = db.cached("SELECT max(seq) FROM ddb_changes WHERE table_id = ? AND seq >= ? AND seq < ?");
      m->bind(1, s->table_id).bind(2, s->start_seq).bind(3, end);
      pos = m->step() && !m->is_null(0) ? m->int64(0) + 1 : s->start_seq;
      m->reset();
    }
  } else if (type == "LATEST") {
    pos = std::min(next_seq(), end);
  } else {
    const json* sn = member(in, "SequenceNumber");
    if (!sn) invalid("Must specify a sequence number when using ShardIteratorType " + type);
    auto seq = sn->is_string() ? parse_seq(sn->get<std::string>()) : std::nullopt;
    if (!seq || *seq < s->start_seq || *seq >= end)
      invalid("Invalid SequenceNumber: " + (sn->is_string() ? sn->get<std::string>() : sn->dump()) +
              " for shard: " + s->shard_id);
    auto st = db.cached("SELECT ts_ms FROM ddb_changes WHERE table_id = ? AND seq = ?");
    st->bind(1, s->table_id).bind(2, *seq);
    bool exists = st->step();
    int64_t ts = exists ? st->int64(0) : 0;
    st->reset();
    if ((exists && ts < cutoff) || (!exists && *seq <= trimmed_upto(s->table_id)))
      throw AwsError("TrimmedDataAccessException",
                     "The operation attempted to read past the oldest stream record in a shard.");
    if (!exists) {
      auto m = db.cached("SELECT min(seq) FROM ddb_changes WHERE table_id = ? AND seq >= ?");
      m->bind(1, s->table_id).bind(2, s->start_seq);
      bool any = m->step() && !m->is_null(0);
      int64_t first = any ? m->int64(0) : 0;
      m->reset();
      if (!any || *seq < first)
        throw AwsError("TrimmedDataAccessException",
                       "The operation attempted to read past the oldest stream record in a shard.");
      invalid("Invalid SequenceNumber: " + sn->get<std::string>() + " for shard: " + s->shard_id);
    }
    pos = type == "AT_SEQUENCE_NUMBER" ? *seq : *seq + 1;
  }
  return {{"ShardIterator", make_iterator(*s, pos)}};
}

json Features::stream_records(const Stream& s, int64_t from_seq, int64_t limit, int64_t& next_from, bool& more) {
  int64_t end = s.end_seq.value_or(std::numeric_limits<int64_t>::max());
  auto st = store_.db().cached(
      "SELECT seq, ts_ms, event, keys, old, new, by_service FROM ddb_changes WHERE table_id = ? AND seq >= ? AND seq < "
      "? ORDER BY seq LIMIT ?");
  st->bind(1, s.table_id).bind(2, from_seq).bind(3, end).bind(4, limit + 1);
  json records = json::array();
  next_from = from_seq;
  more = false;
  size_t bytes = 0;
  const bool keys_only = s.view_type == "KEYS_ONLY";
  const bool want_new = s.view_type == "NEW_IMAGE" || s.view_type == "NEW_AND_OLD_IMAGES";
  const bool want_old = s.view_type == "OLD_IMAGE" || s.view_type == "NEW_AND_OLD_IMAGES";
  while (st->step()) {
    if (static_cast<int64_t>(records.size()) == limit || bytes >= 1024 * 1024) {
      more = true;
      break;
    }
    int64_t seq = st->int64(0);
    json keys = Store::decode(st->blob_view(3));
    size_t size = item_size(keys);
    json d = {{"ApproximateCreationDateTime", static_cast<double>(st->int64(1) / 1000)}, {"Keys", keys}};
    if (!keys_only) {
      if (want_new && !st->is_null(5)) {
        d["NewImage"] = Store::decode(st->blob_view(5));
        size += item_size(d["NewImage"]);
      }
      if (want_old && !st->is_null(4)) {
        d["OldImage"] = Store::decode(st->blob_view(4));
        size += item_size(d["OldImage"]);
      }
    }
    d["SequenceNumber"] = format_seq(seq);
    d["SizeBytes"] = static_cast<int64_t>(size);
    d["StreamViewType"] = s.view_type;
    json r = {{"eventID", crypto::md5_hex(s.arn + "#" + std::to_string(seq))},
              {"eventName", kEventNames[st->int64(2)]},
              {"eventVersion", "1.1"},
              {"eventSource", "aws:dynamodb"},
              {"awsRegion", s.region},
              {"dynamodb", std::move(d)}};
    if (st->int64(6) == 1) r["userIdentity"] = {{"PrincipalId", "dynamodb.amazonaws.com"}, {"Type", "Service"}};
    bytes += size;
    records.push_back(std::move(r));
    next_from = seq + 1;
  }
  st->reset();
  return records;
}

json Features::get_records(json& in) {
  std::string it = str_member(in, "ShardIterator");
  if (!member(in, "ShardIterator")) null_member("shardIterator");
  check_limit(in, "Limit", "limit", 1000);
  int64_t limit = member(in, "Limit") ? in["Limit"].get<int64_t>() : 1000;
  // arn|1|position|created_ms|check
  std::vector<std::string> parts;
  size_t p = 0;
  while (true) {
    size_t q = it.find('|', p);
    parts.push_back(it.substr(p, q == std::string::npos ? std::string::npos : q - p));
    if (q == std::string::npos) break;
    p = q + 1;
  }
  auto bad = [] { invalid("Invalid ShardIterator"); };
  if (parts.size() != 5) bad();
  std::string body = it.substr(0, it.rfind('|'));
  if (crypto::sha256_hex("awan-shard-iterator|" + body).substr(0, 16) != parts[4]) bad();
  auto pos = parse_seq(parts[2]);
  auto created = parse_seq(parts[3]);
  if (!pos || !created) bad();
  auto s = stream_by_arn(parts[0]);
  if (!s || s->account != ctx_->account_id) stream_not_found(parts[0]);
  int64_t now = env_.clock->epoch_millis();
  if (now - *created > kIteratorLifetimeMs)
    throw AwsError("ExpiredIteratorException", "Iterator expired. The iterator was created at time " +
                                                   java_date(*created) + " while right now it is " + java_date(now) +
                                                   " which is further in the future than the tolerated delay of " +
                                                   std::to_string(kIteratorLifetimeMs) + " milliseconds.");
  int64_t end = s->end_seq.value_or(std::numeric_limits<int64_t>::max());
  {  // the next record to read must not have been trimmed
    auto st = store_.db().cached(
        "SELECT ts_ms FROM ddb_changes WHERE table_id = ? AND seq >= ? AND seq < ? ORDER BY seq LIMIT 1");
    st->bind(1, s->table_id).bind(2, *pos).bind(3, end);
    bool trimmed = st->step() && st->int64(0) < now - kStreamRetentionMs;
    st->reset();
    if (!trimmed && *pos <= trimmed_upto(s->table_id)) {
      // the records at the position were deleted by trimming (unless the stream had none there)
      auto any = store_.db().cached("SELECT 1 FROM ddb_streams WHERE id = ? AND start_seq <= ?");
      any->bind(1, s->id).bind(2, trimmed_upto(s->table_id));
      trimmed = any->step();
      any->reset();
    }
    if (trimmed)
      throw AwsError("TrimmedDataAccessException",
                     "The operation attempted to read past the oldest stream record in a shard.");
  }
  int64_t next = *pos;
  bool more = false;
  json records = stream_records(*s, *pos, limit, next, more);
  json out = {{"Records", std::move(records)}};
  if (!s->end_seq || more) out["NextShardIterator"] = make_iterator(*s, next);
  return out;
}

// ---------------------------------------------------------------- TTL

namespace {
// Expiry (epoch seconds) of an item under TTL attribute `attr`, when it has a Number there.
std::optional<double> expiry_of(const json* item, const std::string& attr) {
  if (!item) return std::nullopt;
  auto a = item->find(attr);
  if (a == item->end() || !a->is_object()) return std::nullopt;
  auto n = a->find("N");
  if (n == a->end() || !n->is_string()) return std::nullopt;
  try {
    return std::stod(n->get<std::string>());
  } catch (...) {
    return std::nullopt;
  }
}
}  // namespace

void Features::ttl_index_write(int64_t table, const std::string& attr, const std::string& pk, const std::string& sk,
                               const json* old_item, const json* new_item) {
  auto before = expiry_of(old_item, attr);
  auto after = expiry_of(new_item, attr);
  if (before == after) return;
  if (after) {
    auto st = store_.db().cached("INSERT OR REPLACE INTO ddb_ttl(table_id, pk, sk, expiry) VALUES(?, ?, ?, ?)");
    st->bind(1, table).bind_blob(2, pk).bind_blob(3, sk).bind(4, *after);
    st->run();
  } else {
    auto st = store_.db().cached("DELETE FROM ddb_ttl WHERE table_id = ? AND pk = ? AND sk = ?");
    st->bind(1, table).bind_blob(2, pk).bind_blob(3, sk);
    st->run();
  }
}

void Features::ttl_index_build(const TableInfo& t, const std::string& attr) {
  auto& db = store_.db();
  storage::Transaction tx(db);
  {
    auto st = db.cached("DELETE FROM ddb_ttl WHERE table_id = ?");
    st->bind(1, t.id);
    st->run();
  }
  auto ins = db.prepare("INSERT INTO ddb_ttl(table_id, pk, sk, expiry) VALUES(?, ?, ?, ?)");
  store_.scan_table(t.id, std::nullopt, [&](const Row& r) {
    json item = Store::decode(r.item);
    if (auto e = expiry_of(&item, attr)) {
      // std::string: a zero-length column view has no data pointer, which would bind NULL
      ins.bind(1, t.id).bind_blob(2, std::string(r.pk)).bind_blob(3, std::string(r.sk)).bind(4, *e);
      ins.run();
      ins.reset();
    }
    return true;
  });
  tx.commit();
  ttl_indexed_[t.id] = attr;
}

int64_t Features::sweep_ttl(int64_t limit) {
  double now = env_.clock->epoch_seconds_fractional();
  int64_t deleted = 0;
  std::unordered_map<int64_t, std::string> wanted;
  std::vector<TableInfo*> tables = host_.host_tables();
  for (TableInfo* t : tables) {
    auto ttl = t->meta.find("TimeToLive");
    if (ttl != t->meta.end() && ttl->value("Enabled", false)) wanted[t->id] = ttl->value("AttributeName", "");
  }
  for (auto it = ttl_indexed_.begin(); it != ttl_indexed_.end();) {  // TTL disabled or changed
    auto w = wanted.find(it->first);
    if (w != wanted.end() && w->second == it->second) {
      ++it;
      continue;
    }
    auto st = store_.db().cached("DELETE FROM ddb_ttl WHERE table_id = ?");
    st->bind(1, it->first);
    st->run();
    it = ttl_indexed_.erase(it);
  }
  for (TableInfo* t : tables) {
    auto w = wanted.find(t->id);
    if (w == wanted.end()) continue;
    if (deleted >= limit) break;
    if (!ttl_indexed_.count(t->id)) ttl_index_build(*t, w->second);
    // AWS ignores expiry times more than five years in the past.
    std::vector<std::pair<std::string, std::string>> keys;
    {
      auto st = store_.db().cached(
          "SELECT pk, sk FROM ddb_ttl WHERE table_id = ? AND expiry < ? AND expiry > ? ORDER BY expiry LIMIT ?");
      st->bind(1, t->id).bind(2, now).bind(3, now - 5.0 * 365 * 86400).bind(4, limit - deleted);
      while (st->step()) keys.emplace_back(st->blob(0), st->blob(1));
      st->reset();
    }
    if (keys.empty()) continue;
    storage::Transaction tx(store_.db());
    service_write_ = true;
    try {
      for (const auto& [pk, sk] : keys) {
        auto item = store_.get_item(t->id, pk, sk);
        if (!item) continue;
        host_.host_write(*t, pk, sk, &*item, nullptr);
        ++deleted;
      }
    } catch (...) {
      service_write_ = false;
      throw;
    }
    service_write_ = false;
    tx.commit();
  }
  return deleted;
}

void Features::start_sweeper() {
  if (!env_.scheduler || env_.ttl_interval.count() <= 0) return;
  arm_timer();
}

void Features::arm_timer() {
  std::weak_ptr<Timer> weak = timer_;
  Features* self = this;
  env_.scheduler->post_after(env_.ttl_interval, [weak, self] {
    auto timer = weak.lock();
    if (!timer) return;
    std::lock_guard tl(timer->mu);
    if (!timer->alive) return;
    try {
      // In slices of 1000 deletions, so that requests get the lock in between.
      constexpr int64_t kSlice = 1000;
      while (true) {
        std::lock_guard lock(self->host_.host_mutex());
        if (self->sweep_ttl(kSlice) < kSlice) break;
      }
      std::lock_guard lock(self->host_.host_mutex());
      int64_t now = self->env_.clock->epoch_millis();
      if (now - self->last_trim_ms_ >= 60'000) {
        self->trim_log();
        self->last_trim_ms_ = now;
      }
    } catch (...) {
      // a failed sweep is retried at the next tick
    }
    self->arm_timer();
  });
}

void Features::stop_sweeper() {
  std::lock_guard tl(timer_->mu);
  timer_->alive = false;
}

}  // namespace awan::dynamodb
