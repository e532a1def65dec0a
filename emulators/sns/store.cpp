// The SNS emulator's SQLite schema and statements (store.hpp).
#include "sns/store.hpp"

#include "storage/json_column.hpp"

namespace awan::sns {

using storage::object_column;

Store::Store(const std::string& path, storage::Database::Durability durability) : db_(path, durability) {
  create_schema();
}

void Store::create_schema() {
  db_.exec(R"sql(
    CREATE TABLE IF NOT EXISTS topics(
      id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
      fifo INTEGER NOT NULL, attributes TEXT NOT NULL, tags TEXT NOT NULL, created_ms INTEGER NOT NULL,
      UNIQUE(account, region, name));
    CREATE TABLE IF NOT EXISTS subscriptions(
      arn TEXT PRIMARY KEY, topic_arn TEXT NOT NULL, owner TEXT NOT NULL, protocol TEXT NOT NULL,
      endpoint TEXT NOT NULL, confirmed INTEGER NOT NULL, token TEXT NOT NULL, attributes TEXT NOT NULL,
      created_ms INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS records(
      kind TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(kind, key)) WITHOUT ROWID;
  )sql");
}

void Store::reset() { db_.exec("DELETE FROM subscriptions; DELETE FROM topics; DELETE FROM records;"); }

std::vector<TopicRow> Store::topics() {
  std::vector<TopicRow> out;
  auto s = db_.cached("SELECT id, account, region, name, fifo, attributes, tags, created_ms FROM topics ORDER BY id");
  while (s->step()) {
    TopicRow t;
    t.id = s->int64(0);
    t.account = s->text(1);
    t.region = s->text(2);
    t.name = s->text(3);
    t.fifo = s->int64(4) != 0;
    t.attributes = object_column(s->text_view(5));
    t.tags = object_column(s->text_view(6));
    t.created_ms = s->int64(7);
    out.push_back(std::move(t));
  }
  return out;
}

void Store::insert_topic(TopicRow& t) {
  auto s = db_.cached(
      "INSERT INTO topics(account, region, name, fifo, attributes, tags, created_ms) VALUES(?,?,?,?,?,?,?)");
  s->bind(1, t.account).bind(2, t.region).bind(3, t.name).bind(4, t.fifo ? 1 : 0);
  s->bind(5, t.attributes.dump()).bind(6, t.tags.dump()).bind(7, t.created_ms);
  s->run();
  t.id = db_.last_insert_rowid();
}

void Store::update_topic(const TopicRow& t) {
  auto s = db_.cached("UPDATE topics SET attributes = ?, tags = ? WHERE id = ?");
  s->bind(1, t.attributes.dump()).bind(2, t.tags.dump()).bind(3, t.id);
  s->run();
}

void Store::delete_topic(int64_t id) {
  auto s = db_.cached("DELETE FROM topics WHERE id = ?");
  s->bind(1, id);
  s->run();
}

std::vector<SubscriptionRow> Store::subscriptions() {
  std::vector<SubscriptionRow> out;
  auto s = db_.cached(
      "SELECT arn, topic_arn, owner, protocol, endpoint, confirmed, token, attributes, created_ms "
      "FROM subscriptions ORDER BY created_ms, arn");
  while (s->step()) {
    SubscriptionRow r;
    r.arn = s->text(0);
    r.topic_arn = s->text(1);
    r.owner = s->text(2);
    r.protocol = s->text(3);
    r.endpoint = s->text(4);
    r.confirmed = s->int64(5) != 0;
    r.token = s->text(6);
    r.attributes = object_column(s->text_view(7));
    r.created_ms = s->int64(8);
    out.push_back(std::move(r));
  }
  return out;
}

void Store::put_subscription(const SubscriptionRow& r) {
  auto s = db_.cached(
      "INSERT OR REPLACE INTO subscriptions(arn, topic_arn, owner, protocol, endpoint, confirmed, token, "
      "attributes, created_ms) VALUES(?,?,?,?,?,?,?,?,?)");
  s->bind(1, r.arn).bind(2, r.topic_arn).bind(3, r.owner).bind(4, r.protocol).bind(5, r.endpoint);
  s->bind(6, r.confirmed ? 1 : 0).bind(7, r.token).bind(8, r.attributes.dump()).bind(9, r.created_ms);
  s->run();
}

void Store::delete_subscription(const std::string& arn) {
  auto s = db_.cached("DELETE FROM subscriptions WHERE arn = ?");
  s->bind(1, arn);
  s->run();
}

std::optional<nlohmann::json> Store::record(const std::string& kind, const std::string& key) {
  auto s = db_.cached("SELECT doc FROM records WHERE kind = ? AND key = ?");
  s->bind(1, kind).bind(2, key);
  if (!s->step()) return std::nullopt;
  return object_column(s->text_view(0));
}

std::vector<std::pair<std::string, nlohmann::json>> Store::records(const std::string& kind) {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  auto s = db_.cached("SELECT key, doc FROM records WHERE kind = ? ORDER BY key");
  s->bind(1, kind);
  while (s->step()) out.emplace_back(s->text(0), object_column(s->text_view(1)));
  return out;
}

void Store::put_record(const std::string& kind, const std::string& key, const nlohmann::json& doc) {
  auto s = db_.cached("INSERT OR REPLACE INTO records(kind, key, doc) VALUES(?,?,?)");
  s->bind(1, kind).bind(2, key).bind(3, doc.dump());
  s->run();
}

bool Store::delete_record(const std::string& kind, const std::string& key) {
  auto s = db_.cached("DELETE FROM records WHERE kind = ? AND key = ?");
  s->bind(1, kind).bind(2, key);
  s->run();
  return db_.changes() > 0;
}

}  // namespace awan::sns
