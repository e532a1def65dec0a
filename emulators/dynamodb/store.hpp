#pragma once
// SQLite persistence of the DynamoDB emulator: table metadata (partitioned by account and
// region), items keyed by (table, encoded partition key, encoded sort key), and secondary index
// entries keyed by (table, index, encoded index keys, table keys). Keys use the
// order-preserving encoding of key_codec.hpp, so sort-key ranges are index range scans.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/sqlite.hpp"

namespace awan::dynamodb {

struct StoredTable {
  int64_t id = 0;
  std::string account;
  std::string region;
  std::string name;
  nlohmann::json meta;
};

// One row met by a range scan: the encoded keys and the stored item.
struct Row {
  std::string_view pk;
  std::string_view sk;
  std::string_view ipk;  // index scans only
  std::string_view isk;
  std::string_view item;  // CBOR
  int64_t size = -1;       // the item's DynamoDB size as stored (-1: unknown)
};

// Bounds on an encoded key column: [lo, hi] with optional strictness.
struct KeyRange {
  std::optional<std::string> lo, hi;
  bool lo_strict = false, hi_strict = false;
};

class Store {
 public:
  explicit Store(const std::string& path,
                 storage::Database::Durability durability = storage::Database::Durability::ProcessCrash);

  storage::Database& db() { return db_; }
  void reset();

  std::vector<StoredTable> load_tables();
  int64_t insert_table(const std::string& account, const std::string& region, const std::string& name,
                       const nlohmann::json& meta);
  void update_table_meta(int64_t id, const nlohmann::json& meta);
  void delete_table(int64_t id);

  // Items are stored as CBOR.
  std::optional<nlohmann::json> get_item(int64_t table, std::string_view pk, std::string_view sk);
  // The stored CBOR and DynamoDB size of an item, for a caller that decodes it later (outside
  // the service's lock).
  struct RawItem {
    std::string cbor;
    size_t size = 0;
  };
  std::optional<RawItem> get_item_raw(int64_t table, std::string_view pk, std::string_view sk);
  void put_item(int64_t table, std::string_view pk, std::string_view sk, const nlohmann::json& item, size_t size);
  void delete_item(int64_t table, std::string_view pk, std::string_view sk);
  void put_index_entry(int64_t table, const std::string& index, std::string_view ipk, std::string_view isk,
                       std::string_view pk, std::string_view sk);
  void delete_index_entry(int64_t table, const std::string& index, std::string_view ipk, std::string_view isk,
                          std::string_view pk, std::string_view sk);
  void delete_index(int64_t table, const std::string& index);

  // Item count and total size of a table / an index.
  std::pair<int64_t, int64_t> table_stats(int64_t table);
  std::pair<int64_t, int64_t> index_stats(int64_t table, const std::string& index);

  // Range scans; `visit` returns false to stop.
  // Items of one partition, sort key within `range`, after `start_sk` when given.
  void query_table(int64_t table, std::string_view pk, const KeyRange& range, bool forward,
                   const std::optional<std::string>& start_sk, const std::function<bool(const Row&)>& visit);
  // Entries of one index partition, index sort key within `range`, after (isk, pk, sk) when given.
  void query_index(int64_t table, const std::string& index, std::string_view ipk, const KeyRange& range, bool forward,
                   const std::optional<std::array<std::string, 3>>& start, const std::function<bool(const Row&)>& visit);
  // Whole table in (pk, sk) order after (pk, sk) when given.
  void scan_table(int64_t table, const std::optional<std::array<std::string, 2>>& start,
                  const std::function<bool(const Row&)>& visit);
  // Whole index in (ipk, isk, pk, sk) order after the given tuple.
  void scan_index(int64_t table, const std::string& index, const std::optional<std::array<std::string, 4>>& start,
                  const std::function<bool(const Row&)>& visit);

  // Every item of a table, decoded, in (pk, sk) order: for rebuilding index entries.
  struct StoredItem {
    std::string pk, sk;
    nlohmann::json item;
  };
  std::vector<StoredItem> all_items(int64_t table);

  static nlohmann::json decode(std::string_view cbor);

 private:
  storage::Database db_;
};

}  // namespace awan::dynamodb
