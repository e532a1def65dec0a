// The REST API service's SQLite documents (rest_store.hpp).
#include "apigateway/rest_store.hpp"

#include "storage/json_column.hpp"

namespace awan::apigateway {

RestStore::RestStore(const std::string& path, storage::Database::Durability durability) : db_(path, durability) {
  db_.exec(R"sql(
    CREATE TABLE IF NOT EXISTS docs(
      kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(kind, id)) WITHOUT ROWID;
  )sql");
}

void RestStore::reset() { db_.exec("DELETE FROM docs;"); }

std::vector<std::pair<std::string, nlohmann::json>> RestStore::all(const std::string& kind) {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  auto s = db_.cached("SELECT id, doc FROM docs WHERE kind = ? ORDER BY id");
  s->bind(1, kind);
  while (s->step()) out.emplace_back(s->text(0), storage::object_column(s->text_view(1)));
  return out;
}

void RestStore::put(const std::string& kind, const std::string& id, const nlohmann::json& doc) {
  auto s = db_.cached("INSERT OR REPLACE INTO docs(kind, id, doc) VALUES(?,?,?)");
  s->bind(1, kind).bind(2, id).bind(3, doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  s->run();
}

void RestStore::erase(const std::string& kind, const std::string& id) {
  auto s = db_.cached("DELETE FROM docs WHERE kind = ? AND id = ?");
  s->bind(1, kind).bind(2, id);
  s->run();
}

}  // namespace awan::apigateway
