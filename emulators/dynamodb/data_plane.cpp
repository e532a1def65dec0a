#include "dynamodb/data_plane.hpp"

#include <algorithm>
#include <cmath>

#include "storage/sqlite.hpp"

namespace awan::dynamodb {

using json = nlohmann::json;

void mark_index_transitions(json& d, const std::vector<std::string>& created, const std::vector<std::string>& updated,
                            const json& deleted) {
  auto has = [](const std::vector<std::string>& v, const json& n) {
    return std::find(v.begin(), v.end(), n.get<std::string>()) != v.end();
  };
  if (d.contains("GlobalSecondaryIndexes"))
    for (auto& x : d["GlobalSecondaryIndexes"]) {
      if (has(created, x["IndexName"])) {
        x["IndexStatus"] = "CREATING";
        x["Backfilling"] = false;
      } else if (has(updated, x["IndexName"])) {
        x["IndexStatus"] = "UPDATING";
      }
    }
  for (json x : deleted) {
    x["IndexStatus"] = "DELETING";
    x.erase("Backfilling");
    if (!d.contains("GlobalSecondaryIndexes")) d["GlobalSecondaryIndexes"] = json::array();
    d["GlobalSecondaryIndexes"].push_back(std::move(x));
  }
}

void mark_indexes_creating(json& d) {
  if (d.contains("GlobalSecondaryIndexes"))
    for (auto& x : d["GlobalSecondaryIndexes"]) {
      x["IndexStatus"] = "CREATING";
      x.erase("Backfilling");
    }
}

int64_t collection_bytes(storage::Database& db, int64_t table, std::string_view pk) {
  auto st = db.cached("SELECT COALESCE(SUM(size), 0) FROM ddb_items WHERE table_id = ? AND pk = ?");
  st->bind(1, table).bind_blob(2, pk);
  return st->step() ? st->int64(0) : 0;
}

json item_collection_metrics(const std::string& hash_name, const json& hash_value, int64_t bytes) {
  // AWS reports a coarse range in whole gigabytes around the collection's size.
  double gb = static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0);
  double lo = std::floor(gb);
  return {{"ItemCollectionKey", {{hash_name, hash_value}}}, {"SizeEstimateRangeGB", {lo, lo + 1.0}}};
}

namespace {
size_t depth_of(const json& av) {
  if (!av.is_object() || av.size() != 1) return 0;
  auto it = av.begin();
  size_t best = 0;
  if (it.key() == "M" && it->is_object()) {
    for (const auto& [k, v] : it->items()) best = std::max(best, depth_of(v));
    return best + 1;
  }
  if (it.key() == "L" && it->is_array()) {
    for (const auto& v : *it) best = std::max(best, depth_of(v));
    return best + 1;
  }
  return 0;
}
}  // namespace

size_t nesting_depth(const json& item) {
  size_t best = 0;
  if (item.is_object())
    for (const auto& [k, v] : item.items()) best = std::max(best, depth_of(v));
  return best;
}

}  // namespace awan::dynamodb
