// The CloudWatch Logs emulator's SQLite schema and statements (store.hpp).
#include "logs/store.hpp"

#include "storage/json_column.hpp"

namespace awan::logs {

namespace {
using json = nlohmann::json;
using storage::Statement;

constexpr const char* kGroupColumns =
    "id, account, region, name, creation_time, retention_in_days, kms_key_id, log_group_class, tags";
constexpr const char* kStreamColumns =
    "id, grp, name, creation_time, first_event_timestamp, last_event_timestamp, last_ingestion_time, stored_bytes, "
    "uploads";

LogGroupRow read_group(Statement& s) {
  LogGroupRow g;
  g.id = s.int64(0);
  g.account = s.text(1);
  g.region = s.text(2);
  g.name = s.text(3);
  g.creation_time = s.int64(4);
  g.retention_in_days = s.int64(5);
  g.kms_key_id = s.text(6);
  g.log_group_class = s.text(7);
  g.tags = storage::object_column(s.text_view(8));
  return g;
}

LogStreamRow read_stream(Statement& s) {
  LogStreamRow r;
  r.id = s.int64(0);
  r.group = s.int64(1);
  r.name = s.text(2);
  r.creation_time = s.int64(3);
  r.first_event_timestamp = s.int64(4);
  r.last_event_timestamp = s.int64(5);
  r.last_ingestion_time = s.int64(6);
  r.stored_bytes = s.int64(7);
  r.uploads = s.int64(8);
  return r;
}

LogEventRow read_event(Statement& s) {
  return {s.int64(0), s.int64(1), s.int64(2), s.int64(3), s.blob(4)};
}

// LIKE-free prefix match: names in [prefix, prefix + U+10FFFF).
std::string prefix_end(const std::string& prefix) { return prefix + "\xF4\x8F\xBF\xBF"; }
}  // namespace

Store::Store(const std::string& path, storage::Database::Durability durability) : db_(path, durability) {
  create_schema();
}

void Store::create_schema() {
  db_.exec(R"sql(
    CREATE TABLE IF NOT EXISTS log_groups(
      id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
      creation_time INTEGER NOT NULL, retention_in_days INTEGER NOT NULL, kms_key_id TEXT NOT NULL,
      log_group_class TEXT NOT NULL, tags TEXT NOT NULL, UNIQUE(account, region, name));
    CREATE TABLE IF NOT EXISTS log_streams(
      id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, name TEXT NOT NULL, creation_time INTEGER NOT NULL,
      first_event_timestamp INTEGER NOT NULL, last_event_timestamp INTEGER NOT NULL,
      last_ingestion_time INTEGER NOT NULL, stored_bytes INTEGER NOT NULL, uploads INTEGER NOT NULL,
      UNIQUE(grp, name));
    CREATE TABLE IF NOT EXISTS log_events(
      grp INTEGER NOT NULL, stream INTEGER NOT NULL, timestamp INTEGER NOT NULL, seq INTEGER NOT NULL,
      ingestion_time INTEGER NOT NULL, message BLOB NOT NULL,
      PRIMARY KEY(stream, timestamp, seq)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS log_events_by_group ON log_events(grp, timestamp, seq);
    CREATE TABLE IF NOT EXISTS metric_filters(
      grp INTEGER NOT NULL, name TEXT NOT NULL, pattern TEXT NOT NULL, transformations TEXT NOT NULL,
      creation_time INTEGER NOT NULL, PRIMARY KEY(grp, name)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS subscription_filters(
      grp INTEGER NOT NULL, name TEXT NOT NULL, pattern TEXT NOT NULL, destination_arn TEXT NOT NULL,
      role_arn TEXT NOT NULL, distribution TEXT NOT NULL, creation_time INTEGER NOT NULL,
      PRIMARY KEY(grp, name)) WITHOUT ROWID;
  )sql");
}

void Store::reset() {
  db_.exec(
      "DELETE FROM log_events; DELETE FROM log_streams; DELETE FROM metric_filters; "
      "DELETE FROM subscription_filters; DELETE FROM log_groups;");
}

std::optional<LogGroupRow> Store::group(const std::string& account, const std::string& region,
                                        const std::string& name) {
  static const std::string sql =
      std::string("SELECT ") + kGroupColumns + " FROM log_groups WHERE account=? AND region=? AND name=?";
  auto s = db_.cached(sql);
  s->bind(1, account).bind(2, region).bind(3, name);
  if (!s->step()) return std::nullopt;
  return read_group(*s);
}

std::vector<LogGroupRow> Store::groups(const std::string& account, const std::string& region,
                                       const std::string& prefix) {
  static const std::string sql = std::string("SELECT ") + kGroupColumns +
                                 " FROM log_groups WHERE account=? AND region=? AND name>=? AND name<? ORDER BY name";
  auto s = db_.cached(sql);
  s->bind(1, account).bind(2, region).bind(3, prefix).bind(4, prefix_end(prefix));
  std::vector<LogGroupRow> out;
  while (s->step()) out.push_back(read_group(*s));
  return out;
}

std::vector<LogGroupRow> Store::groups_with_retention() {
  static const std::string sql = std::string("SELECT ") + kGroupColumns + " FROM log_groups WHERE retention_in_days>0";
  auto s = db_.cached(sql);
  std::vector<LogGroupRow> out;
  while (s->step()) out.push_back(read_group(*s));
  return out;
}

void Store::insert_group(LogGroupRow& g) {
  auto s = db_.cached(
      "INSERT INTO log_groups(account, region, name, creation_time, retention_in_days, kms_key_id, log_group_class, "
      "tags) VALUES(?,?,?,?,?,?,?,?)");
  s->bind(1, g.account).bind(2, g.region).bind(3, g.name).bind(4, g.creation_time).bind(5, g.retention_in_days);
  s->bind(6, g.kms_key_id).bind(7, g.log_group_class).bind(8, g.tags.dump());
  s->run();
  g.id = db_.last_insert_rowid();
}

void Store::update_group(const LogGroupRow& g) {
  auto s = db_.cached("UPDATE log_groups SET retention_in_days=?, kms_key_id=?, tags=? WHERE id=?");
  s->bind(1, g.retention_in_days).bind(2, g.kms_key_id).bind(3, g.tags.dump()).bind(4, g.id);
  s->run();
}

void Store::delete_group(int64_t id) {
  for (const char* sql : {"DELETE FROM log_events WHERE grp=?", "DELETE FROM log_streams WHERE grp=?",
                          "DELETE FROM metric_filters WHERE grp=?", "DELETE FROM subscription_filters WHERE grp=?",
                          "DELETE FROM log_groups WHERE id=?"}) {
    auto s = db_.cached(sql);
    s->bind(1, id);
    s->run();
  }
}

int64_t Store::stored_bytes(int64_t group) {
  auto s = db_.cached("SELECT COALESCE(SUM(stored_bytes), 0) FROM log_streams WHERE grp=?");
  s->bind(1, group);
  return s->step() ? s->int64(0) : 0;
}

std::optional<LogStreamRow> Store::stream(int64_t group, const std::string& name) {
  static const std::string sql = std::string("SELECT ") + kStreamColumns + " FROM log_streams WHERE grp=? AND name=?";
  auto s = db_.cached(sql);
  s->bind(1, group).bind(2, name);
  if (!s->step()) return std::nullopt;
  return read_stream(*s);
}

std::vector<LogStreamRow> Store::streams(int64_t group, const std::string& prefix) {
  static const std::string sql = std::string("SELECT ") + kStreamColumns +
                                 " FROM log_streams WHERE grp=? AND name>=? AND name<? ORDER BY name";
  auto s = db_.cached(sql);
  s->bind(1, group).bind(2, prefix).bind(3, prefix_end(prefix));
  std::vector<LogStreamRow> out;
  while (s->step()) out.push_back(read_stream(*s));
  return out;
}

void Store::insert_stream(LogStreamRow& r) {
  auto s = db_.cached(
      "INSERT INTO log_streams(grp, name, creation_time, first_event_timestamp, last_event_timestamp, "
      "last_ingestion_time, stored_bytes, uploads) VALUES(?,?,?,0,0,0,0,0)");
  s->bind(1, r.group).bind(2, r.name).bind(3, r.creation_time);
  s->run();
  r.id = db_.last_insert_rowid();
}

void Store::update_stream(const LogStreamRow& r) {
  auto s = db_.cached(
      "UPDATE log_streams SET first_event_timestamp=?, last_event_timestamp=?, last_ingestion_time=?, "
      "stored_bytes=?, uploads=? WHERE id=?");
  s->bind(1, r.first_event_timestamp).bind(2, r.last_event_timestamp).bind(3, r.last_ingestion_time);
  s->bind(4, r.stored_bytes).bind(5, r.uploads).bind(6, r.id);
  s->run();
}

void Store::delete_stream(int64_t id) {
  for (const char* sql : {"DELETE FROM log_events WHERE stream=?", "DELETE FROM log_streams WHERE id=?"}) {
    auto s = db_.cached(sql);
    s->bind(1, id);
    s->run();
  }
}

int64_t Store::max_seq() {
  auto s = db_.cached("SELECT COALESCE(MAX(seq), 0) FROM log_events");
  return s->step() ? s->int64(0) : 0;
}

void Store::insert_event(int64_t group, const LogEventRow& e) {
  auto s = db_.cached("INSERT INTO log_events VALUES(?,?,?,?,?,?)");
  s->bind(1, group).bind(2, e.stream).bind(3, e.timestamp).bind(4, e.seq).bind(5, e.ingestion_time);
  s->bind_blob(6, e.message);
  s->run();
}

std::vector<LogEventRow> Store::events_after(int64_t stream, Cursor after, int64_t start, int64_t end, int limit) {
  auto s = db_.cached(
      "SELECT stream, timestamp, seq, ingestion_time, message FROM log_events WHERE stream=?1 AND "
      "(timestamp, seq) > (?2, ?3) AND timestamp>=?4 AND timestamp<?5 ORDER BY timestamp, seq LIMIT ?6");
  s->bind(1, stream).bind(2, after.timestamp).bind(3, after.seq).bind(4, start).bind(5, end).bind(6, limit);
  std::vector<LogEventRow> out;
  while (s->step()) out.push_back(read_event(*s));
  return out;
}

std::vector<LogEventRow> Store::events_before(int64_t stream, Cursor before, int64_t start, int64_t end, int limit) {
  auto s = db_.cached(
      "SELECT stream, timestamp, seq, ingestion_time, message FROM log_events WHERE stream=?1 AND "
      "(timestamp, seq) < (?2, ?3) AND timestamp>=?4 AND timestamp<?5 ORDER BY timestamp DESC, seq DESC LIMIT ?6");
  s->bind(1, stream).bind(2, before.timestamp).bind(3, before.seq).bind(4, start).bind(5, end).bind(6, limit);
  std::vector<LogEventRow> out;
  while (s->step()) out.push_back(read_event(*s));
  return out;
}

void Store::scan_group(int64_t group, Cursor after, int64_t start, int64_t end,
                       const std::function<bool(const LogEventRow&)>& fn) {
  auto s = db_.cached(
      "SELECT stream, timestamp, seq, ingestion_time, message FROM log_events WHERE grp=?1 AND "
      "(timestamp, seq) > (?2, ?3) AND timestamp>=?4 AND timestamp<=?5 ORDER BY timestamp, seq");
  s->bind(1, group).bind(2, after.timestamp).bind(3, after.seq).bind(4, start).bind(5, end);
  while (s->step()) {
    if (!fn(read_event(*s))) break;
  }
}

int64_t Store::expire(int64_t group, int64_t before_ms) {
  auto del = db_.cached("DELETE FROM log_events WHERE grp=? AND timestamp<?");
  del->bind(1, group).bind(2, before_ms);
  del->run();
  int64_t n = db_.changes();
  if (n == 0) return 0;
  auto stats = db_.cached(
      "UPDATE log_streams SET "
      "first_event_timestamp=COALESCE((SELECT MIN(timestamp) FROM log_events WHERE stream=log_streams.id), 0), "
      "last_event_timestamp=COALESCE((SELECT MAX(timestamp) FROM log_events WHERE stream=log_streams.id), 0), "
      "stored_bytes=COALESCE((SELECT SUM(length(message)) FROM log_events WHERE stream=log_streams.id), 0) "
      "WHERE grp=?");
  stats->bind(1, group);
  stats->run();
  return n;
}

std::vector<MetricFilterRow> Store::metric_filters(int64_t group) {
  auto s = db_.cached(
      "SELECT grp, name, pattern, transformations, creation_time FROM metric_filters WHERE grp=? ORDER BY name");
  s->bind(1, group);
  std::vector<MetricFilterRow> out;
  while (s->step()) {
    json t = json::parse(s->text_view(3), nullptr, false);
    out.push_back({s->int64(0), s->text(1), s->text(2), t.is_array() ? t : json::array(), s->int64(4)});
  }
  return out;
}

void Store::put_metric_filter(const MetricFilterRow& f) {
  auto s = db_.cached("INSERT OR REPLACE INTO metric_filters VALUES(?,?,?,?,?)");
  s->bind(1, f.group).bind(2, f.name).bind(3, f.pattern).bind(4, f.transformations.dump()).bind(5, f.creation_time);
  s->run();
}

bool Store::delete_metric_filter(int64_t group, const std::string& name) {
  auto s = db_.cached("DELETE FROM metric_filters WHERE grp=? AND name=?");
  s->bind(1, group).bind(2, name);
  s->run();
  return db_.changes() > 0;
}

std::vector<SubscriptionFilterRow> Store::subscription_filters(int64_t group) {
  auto s = db_.cached(
      "SELECT grp, name, pattern, destination_arn, role_arn, distribution, creation_time FROM subscription_filters "
      "WHERE grp=? ORDER BY name");
  s->bind(1, group);
  std::vector<SubscriptionFilterRow> out;
  while (s->step())
    out.push_back({s->int64(0), s->text(1), s->text(2), s->text(3), s->text(4), s->text(5), s->int64(6)});
  return out;
}

void Store::put_subscription_filter(const SubscriptionFilterRow& f) {
  auto s = db_.cached("INSERT OR REPLACE INTO subscription_filters VALUES(?,?,?,?,?,?,?)");
  s->bind(1, f.group).bind(2, f.name).bind(3, f.pattern).bind(4, f.destination_arn).bind(5, f.role_arn);
  s->bind(6, f.distribution).bind(7, f.creation_time);
  s->run();
}

bool Store::delete_subscription_filter(int64_t group, const std::string& name) {
  auto s = db_.cached("DELETE FROM subscription_filters WHERE grp=? AND name=?");
  s->bind(1, group).bind(2, name);
  s->run();
  return db_.changes() > 0;
}

}  // namespace awan::logs
