// The Lambda emulator's SQLite schema and statements (store.hpp).
#include "lambda/store.hpp"

#include "storage/json_column.hpp"

namespace awan::lambda {

Store::Store(const std::string& path, storage::Database::Durability durability) : db_(path, durability) {
  db_.exec(R"sql(
    CREATE TABLE IF NOT EXISTS functions(
      account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
      PRIMARY KEY(account, region, name)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS mappings(uuid TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS layers(key TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
  )sql");
}

void Store::reset() { db_.exec("DELETE FROM functions; DELETE FROM mappings; DELETE FROM layers;"); }

std::vector<Store::FunctionRecord> Store::functions() {
  std::vector<FunctionRecord> out;
  auto s = db_.cached("SELECT account, region, name, doc FROM functions");
  while (s->step()) out.push_back({s->text(0), s->text(1), s->text(2), storage::object_column(s->text_view(3))});
  return out;
}

void Store::put_function(const FunctionRecord& f) {
  auto s = db_.cached("INSERT OR REPLACE INTO functions(account, region, name, doc) VALUES(?,?,?,?)");
  s->bind(1, f.account).bind(2, f.region).bind(3, f.name).bind(4, f.doc.dump());
  s->run();
}

void Store::delete_function(const std::string& account, const std::string& region, const std::string& name) {
  auto s = db_.cached("DELETE FROM functions WHERE account = ? AND region = ? AND name = ?");
  s->bind(1, account).bind(2, region).bind(3, name);
  s->run();
}

std::vector<std::pair<std::string, nlohmann::json>> Store::mappings() {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  auto s = db_.cached("SELECT uuid, doc FROM mappings");
  while (s->step()) out.emplace_back(s->text(0), storage::object_column(s->text_view(1)));
  return out;
}

void Store::put_mapping(const std::string& uuid, const nlohmann::json& doc) {
  auto s = db_.cached("INSERT OR REPLACE INTO mappings(uuid, doc) VALUES(?,?)");
  s->bind(1, uuid).bind(2, doc.dump());
  s->run();
}

void Store::delete_mapping(const std::string& uuid) {
  auto s = db_.cached("DELETE FROM mappings WHERE uuid = ?");
  s->bind(1, uuid);
  s->run();
}

std::vector<std::pair<std::string, nlohmann::json>> Store::layers() {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  auto s = db_.cached("SELECT key, doc FROM layers");
  while (s->step()) out.emplace_back(s->text(0), storage::object_column(s->text_view(1)));
  return out;
}

void Store::put_layer(const std::string& key, const nlohmann::json& doc) {
  auto s = db_.cached("INSERT OR REPLACE INTO layers(key, doc) VALUES(?,?)");
  s->bind(1, key).bind(2, doc.dump());
  s->run();
}

void Store::delete_layer(const std::string& key) {
  auto s = db_.cached("DELETE FROM layers WHERE key = ?");
  s->bind(1, key);
  s->run();
}

}  // namespace awan::lambda
