// SQLite statements of the apigatewayv2 store (v2_store.hpp).
#include "apigateway/v2_store.hpp"

#include "storage/json_column.hpp"

namespace awan::apigateway::v2 {

Store::Store(const std::string& path, storage::Database::Durability durability) : db_(path, durability) {
  db_.exec(
      "CREATE TABLE IF NOT EXISTS v2_resources (kind TEXT NOT NULL, api_id TEXT NOT NULL, id TEXT NOT NULL,"
      " account TEXT NOT NULL, region TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, api_id, id))");
}

void Store::put(const ResourceRow& row) {
  auto s = db_.cached("INSERT OR REPLACE INTO v2_resources (kind, api_id, id, account, region, doc) VALUES (?,?,?,?,?,?)");
  s->bind(1, row.kind).bind(2, row.api_id).bind(3, row.id).bind(4, row.account).bind(5, row.region).bind(6, row.doc.dump());
  s->run();
}

void Store::remove(const std::string& kind, const std::string& api_id, const std::string& id) {
  auto s = db_.cached("DELETE FROM v2_resources WHERE kind = ? AND api_id = ? AND id = ?");
  s->bind(1, kind).bind(2, api_id).bind(3, id);
  s->run();
}

void Store::remove_api(const std::string& api_id) {
  auto s = db_.cached("DELETE FROM v2_resources WHERE api_id = ?");
  s->bind(1, api_id);
  s->run();
}

std::vector<ResourceRow> Store::all() {
  std::vector<ResourceRow> out;
  auto s = db_.cached("SELECT kind, api_id, id, account, region, doc FROM v2_resources ORDER BY rowid");
  while (s->step())
    out.push_back({s->text(0), s->text(1), s->text(2), s->text(3), s->text(4), storage::object_column(s->text_view(5))});
  return out;
}

void Store::clear() { db_.exec("DELETE FROM v2_resources"); }

}  // namespace awan::apigateway::v2
