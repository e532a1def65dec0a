#include "dynamodb/store.hpp"

#include "dynamodb/cbor.hpp"

namespace awan::dynamodb {

namespace {
const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS ddb_tables(
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  name TEXT NOT NULL,
  meta TEXT NOT NULL,
  UNIQUE(account, region, name));
CREATE TABLE IF NOT EXISTS ddb_items(
  table_id INTEGER NOT NULL,
  pk BLOB NOT NULL,
  sk BLOB NOT NULL,
  item BLOB NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY(table_id, pk, sk)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ddb_index_items(
  table_id INTEGER NOT NULL,
  index_name TEXT NOT NULL,
  ipk BLOB NOT NULL,
  isk BLOB NOT NULL,
  pk BLOB NOT NULL,
  sk BLOB NOT NULL,
  PRIMARY KEY(table_id, index_name, ipk, isk, pk, sk)) WITHOUT ROWID;
)sql";

std::string range_sql(const KeyRange& r, const char* col) {
  std::string s;
  if (r.lo) s += std::string(" AND ") + col + (r.lo_strict ? " > ?" : " >= ?");
  if (r.hi) s += std::string(" AND ") + col + (r.hi_strict ? " < ?" : " <= ?");
  return s;
}
int bind_range(storage::Statement& st, int idx, const KeyRange& r) {
  if (r.lo) st.bind_blob(idx++, *r.lo);
  if (r.hi) st.bind_blob(idx++, *r.hi);
  return idx;
}
}  // namespace

Store::Store(const std::string& path, storage::Database::Durability durability) : db_(path, durability) { db_.exec(kSchema); }

void Store::reset() { db_.exec("DELETE FROM ddb_index_items; DELETE FROM ddb_items; DELETE FROM ddb_tables;"); }

nlohmann::json Store::decode(std::string_view cbor) { return decode_cbor(cbor); }

std::vector<StoredTable> Store::load_tables() {
  std::vector<StoredTable> out;
  auto st = db_.prepare("SELECT id, account, region, name, meta FROM ddb_tables ORDER BY id");
  while (st.step()) {
    StoredTable t;
    t.id = st.int64(0);
    t.account = st.text(1);
    t.region = st.text(2);
    t.name = st.text(3);
    t.meta = nlohmann::json::parse(st.text_view(4));
    out.push_back(std::move(t));
  }
  return out;
}

int64_t Store::insert_table(const std::string& account, const std::string& region, const std::string& name,
                            const nlohmann::json& meta) {
  auto st = db_.cached("INSERT INTO ddb_tables(account, region, name, meta) VALUES(?, ?, ?, ?)");
  st->bind(1, account).bind(2, region).bind(3, name).bind(4, meta.dump());
  st->run();
  return db_.last_insert_rowid();
}

void Store::update_table_meta(int64_t id, const nlohmann::json& meta) {
  auto st = db_.cached("UPDATE ddb_tables SET meta = ? WHERE id = ?");
  st->bind(1, meta.dump()).bind(2, id);
  st->run();
}

void Store::delete_table(int64_t id) {
  storage::Transaction tx(db_);
  for (const char* sql : {"DELETE FROM ddb_index_items WHERE table_id = ?", "DELETE FROM ddb_items WHERE table_id = ?",
                          "DELETE FROM ddb_tables WHERE id = ?"}) {
    auto st = db_.cached(sql);
    st->bind(1, id);
    st->run();
  }
  tx.commit();
}

std::optional<nlohmann::json> Store::get_item(int64_t table, std::string_view pk, std::string_view sk) {
  auto st = db_.cached("SELECT item FROM ddb_items WHERE table_id = ? AND pk = ? AND sk = ?");
  st->bind(1, table).bind_blob(2, pk).bind_blob(3, sk);
  if (!st->step()) return std::nullopt;
  return decode(st->blob_view(0));
}

std::optional<Store::RawItem> Store::get_item_raw(int64_t table, std::string_view pk, std::string_view sk) {
  auto st = db_.cached("SELECT item, size FROM ddb_items WHERE table_id = ? AND pk = ? AND sk = ?");
  st->bind(1, table).bind_blob(2, pk).bind_blob(3, sk);
  if (!st->step()) return std::nullopt;
  RawItem r;
  r.cbor = std::string(st->blob_view(0));
  r.size = static_cast<size_t>(st->int64(1));
  return r;
}

void Store::put_item(int64_t table, std::string_view pk, std::string_view sk, const nlohmann::json& item, size_t size) {
  thread_local std::string cbor;  // reused: no allocation per write once it has grown
  encode_cbor(item, cbor);
  auto st = db_.cached("INSERT OR REPLACE INTO ddb_items(table_id, pk, sk, item, size) VALUES(?, ?, ?, ?, ?)");
  st->bind(1, table).bind_blob(2, pk).bind_blob(3, sk);
  st->bind_blob(4, cbor);
  st->bind(5, static_cast<int64_t>(size));
  st->run();
}

void Store::delete_item(int64_t table, std::string_view pk, std::string_view sk) {
  auto st = db_.cached("DELETE FROM ddb_items WHERE table_id = ? AND pk = ? AND sk = ?");
  st->bind(1, table).bind_blob(2, pk).bind_blob(3, sk);
  st->run();
}

void Store::put_index_entry(int64_t table, const std::string& index, std::string_view ipk, std::string_view isk,
                            std::string_view pk, std::string_view sk) {
  auto st = db_.cached(
      "INSERT OR REPLACE INTO ddb_index_items(table_id, index_name, ipk, isk, pk, sk) VALUES(?, ?, ?, ?, ?, ?)");
  st->bind(1, table).bind(2, index).bind_blob(3, ipk).bind_blob(4, isk).bind_blob(5, pk).bind_blob(6, sk);
  st->run();
}

void Store::delete_index_entry(int64_t table, const std::string& index, std::string_view ipk, std::string_view isk,
                               std::string_view pk, std::string_view sk) {
  auto st = db_.cached(
      "DELETE FROM ddb_index_items WHERE table_id = ? AND index_name = ? AND ipk = ? AND isk = ? AND pk = ? AND sk = ?");
  st->bind(1, table).bind(2, index).bind_blob(3, ipk).bind_blob(4, isk).bind_blob(5, pk).bind_blob(6, sk);
  st->run();
}

void Store::delete_index(int64_t table, const std::string& index) {
  auto st = db_.cached("DELETE FROM ddb_index_items WHERE table_id = ? AND index_name = ?");
  st->bind(1, table).bind(2, index);
  st->run();
}

std::pair<int64_t, int64_t> Store::table_stats(int64_t table) {
  auto st = db_.cached("SELECT count(*), coalesce(sum(size), 0) FROM ddb_items WHERE table_id = ?");
  st->bind(1, table);
  st->step();
  return {st->int64(0), st->int64(1)};
}

std::pair<int64_t, int64_t> Store::index_stats(int64_t table, const std::string& index) {
  auto st = db_.cached(
      "SELECT count(*), coalesce(sum(t.size), 0) FROM ddb_index_items i JOIN ddb_items t ON t.table_id = i.table_id "
      "AND t.pk = i.pk AND t.sk = i.sk WHERE i.table_id = ? AND i.index_name = ?");
  st->bind(1, table).bind(2, index);
  st->step();
  return {st->int64(0), st->int64(1)};
}

void Store::query_table(int64_t table, std::string_view pk, const KeyRange& range, bool forward,
                        const std::optional<std::string>& start_sk, const std::function<bool(const Row&)>& visit) {
  std::string sql = "SELECT sk, item, size FROM ddb_items WHERE table_id = ? AND pk = ?" + range_sql(range, "sk");
  if (start_sk) sql += forward ? " AND sk > ?" : " AND sk < ?";
  sql += forward ? " ORDER BY sk ASC" : " ORDER BY sk DESC";
  auto st = db_.cached(sql);
  st->bind(1, table).bind_blob(2, pk);
  int idx = bind_range(*st, 3, range);
  if (start_sk) st->bind_blob(idx, *start_sk);
  while (st->step()) {
    Row r{pk, st->blob_view(0), {}, {}, st->blob_view(1), st->int64(2)};
    if (!visit(r)) break;
  }
}

void Store::query_index(int64_t table, const std::string& index, std::string_view ipk, const KeyRange& range,
                        bool forward, const std::optional<std::array<std::string, 3>>& start,
                        const std::function<bool(const Row&)>& visit) {
  std::string sql =
      "SELECT i.isk, i.pk, i.sk, t.item, t.size FROM ddb_index_items i JOIN ddb_items t ON t.table_id = i.table_id AND "
      "t.pk = i.pk AND t.sk = i.sk WHERE i.table_id = ? AND i.index_name = ? AND i.ipk = ?" +
      range_sql(range, "i.isk");
  if (start) sql += forward ? " AND (i.isk, i.pk, i.sk) > (?, ?, ?)" : " AND (i.isk, i.pk, i.sk) < (?, ?, ?)";
  sql += forward ? " ORDER BY i.isk ASC, i.pk ASC, i.sk ASC" : " ORDER BY i.isk DESC, i.pk DESC, i.sk DESC";
  auto st = db_.cached(sql);
  st->bind(1, table).bind(2, index).bind_blob(3, ipk);
  int idx = bind_range(*st, 4, range);
  if (start)
    for (const auto& s : *start) st->bind_blob(idx++, s);
  while (st->step()) {
    Row r{st->blob_view(1), st->blob_view(2), ipk, st->blob_view(0), st->blob_view(3), st->int64(4)};
    if (!visit(r)) break;
  }
}

void Store::scan_table(int64_t table, const std::optional<std::array<std::string, 2>>& start,
                       const std::function<bool(const Row&)>& visit) {
  std::string sql = "SELECT pk, sk, item, size FROM ddb_items WHERE table_id = ?";
  if (start) sql += " AND (pk, sk) > (?, ?)";
  sql += " ORDER BY pk, sk";
  auto st = db_.cached(sql);
  st->bind(1, table);
  if (start) st->bind_blob(2, (*start)[0]).bind_blob(3, (*start)[1]);
  while (st->step()) {
    Row r{st->blob_view(0), st->blob_view(1), {}, {}, st->blob_view(2), st->int64(3)};
    if (!visit(r)) break;
  }
}

std::vector<Store::StoredItem> Store::all_items(int64_t table) {
  std::vector<StoredItem> out;
  scan_table(table, std::nullopt, [&](const Row& r) {
    out.push_back({std::string(r.pk), std::string(r.sk), decode(r.item)});
    return true;
  });
  return out;
}

void Store::scan_index(int64_t table, const std::string& index, const std::optional<std::array<std::string, 4>>& start,
                       const std::function<bool(const Row&)>& visit) {
  std::string sql =
      "SELECT i.ipk, i.isk, i.pk, i.sk, t.item, t.size FROM ddb_index_items i JOIN ddb_items t ON t.table_id = i.table_id AND "
      "t.pk = i.pk AND t.sk = i.sk WHERE i.table_id = ? AND i.index_name = ?";
  if (start) sql += " AND (i.ipk, i.isk, i.pk, i.sk) > (?, ?, ?, ?)";
  sql += " ORDER BY i.ipk, i.isk, i.pk, i.sk";
  auto st = db_.cached(sql);
  st->bind(1, table).bind(2, index);
  if (start) {
    int idx = 3;
    for (const auto& s : *start) st->bind_blob(idx++, s);
  }
  while (st->step()) {
    Row r{st->blob_view(2), st->blob_view(3), st->blob_view(0), st->blob_view(1), st->blob_view(4), st->int64(5)};
    if (!visit(r)) break;
  }
}

}  // namespace awan::dynamodb
