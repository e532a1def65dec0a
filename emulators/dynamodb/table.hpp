#pragma once
// In-memory view of a table's metadata (persisted as JSON in the store).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::dynamodb {

struct KeyDef {
  std::string name;
  std::string type;  // "S", "N", "B"
};

struct IndexInfo {
  std::string name;
  bool global = true;
  KeyDef hash;                   // the first partition key attribute
  std::optional<KeyDef> range;   // the first sort key attribute
  // Every key attribute in schema order: a global secondary index may have up to four of each
  // (multi-attribute keys); its entries are then keyed by the tuples of their values.
  std::vector<KeyDef> hash_keys, range_keys;
  bool multi() const { return hash_keys.size() > 1 || range_keys.size() > 1; }
  std::string projection_type = "ALL";  // ALL, KEYS_ONLY, INCLUDE
  std::vector<std::string> non_key;
};

struct TableInfo {
  int64_t id = 0;
  std::string account, region, name, arn;
  KeyDef hash;
  std::optional<KeyDef> range;
  std::vector<IndexInfo> indexes;
  nlohmann::json meta;  // AttributeDefinitions, KeySchema, index inputs, billing, tags, ...

  const IndexInfo* find_index(const std::string& n) const {
    for (const auto& i : indexes)
      if (i.name == n) return &i;
    return nullptr;
  }
};

}  // namespace awan::dynamodb
