// Step Functions' SQLite statements (see store.hpp).
#include "stepfunctions/store.hpp"

namespace awan::stepfunctions {

using json = nlohmann::json;

Store::Store(const std::string& path, storage::Database::Durability durability) : db_(path, durability) {
  db_.exec(
      "CREATE TABLE IF NOT EXISTS docs(kind TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL,"
      " PRIMARY KEY(kind, key));"
      "CREATE TABLE IF NOT EXISTS events(execution TEXT NOT NULL, id INTEGER NOT NULL, doc TEXT NOT NULL,"
      " PRIMARY KEY(execution, id));");
}

void Store::reset() { db_.exec("DELETE FROM docs; DELETE FROM events;"); }

void Store::put(const std::string& kind, const std::string& key, const json& doc) {
  auto st = db_.cached("INSERT OR REPLACE INTO docs(kind, key, doc) VALUES(?1, ?2, ?3)");
  st->bind(1, kind).bind(2, key).bind(3, doc.dump());
  st->run();
}

void Store::remove(const std::string& kind, const std::string& key) {
  auto st = db_.cached("DELETE FROM docs WHERE kind = ?1 AND key = ?2");
  st->bind(1, kind).bind(2, key);
  st->run();
}

std::vector<json> Store::all(const std::string& kind) {
  std::vector<json> out;
  auto st = db_.cached("SELECT doc FROM docs WHERE kind = ?1 ORDER BY rowid");
  st->bind(1, kind);
  while (st->step()) {
    json d = json::parse(st->text_view(0), nullptr, false);
    if (!d.is_discarded()) out.push_back(std::move(d));
  }
  return out;
}

void Store::add_event(const std::string& execution, int64_t id, const json& event) {
  auto st = db_.cached("INSERT OR REPLACE INTO events(execution, id, doc) VALUES(?1, ?2, ?3)");
  st->bind(1, execution).bind(2, id).bind(3, event.dump());
  st->run();
}

std::vector<json> Store::events(const std::string& execution) {
  std::vector<json> out;
  auto st = db_.cached("SELECT doc FROM events WHERE execution = ?1 ORDER BY id");
  st->bind(1, execution);
  while (st->step()) {
    json d = json::parse(st->text_view(0), nullptr, false);
    if (!d.is_discarded()) out.push_back(std::move(d));
  }
  return out;
}

void Store::remove_events(const std::string& execution) {
  auto st = db_.cached("DELETE FROM events WHERE execution = ?1");
  st->bind(1, execution);
  st->run();
}

}  // namespace awan::stepfunctions
