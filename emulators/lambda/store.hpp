#pragma once
// The Lambda emulator's SQLite schema and statements: one document per function (its $LATEST
// configuration, code location, versions, aliases, policy, concurrency, event-invoke
// configurations, tags) and one per event source mapping (its configuration and checkpoints).
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/sqlite.hpp"

namespace awan::lambda {

class Store {
 public:
  Store(const std::string& path, storage::Database::Durability durability);
  void reset();

  struct FunctionRecord {
    std::string account, region, name;
    nlohmann::json doc;
  };
  std::vector<FunctionRecord> functions();
  void put_function(const FunctionRecord& f);
  void delete_function(const std::string& account, const std::string& region, const std::string& name);

  std::vector<std::pair<std::string, nlohmann::json>> mappings();  // (UUID, document)
  void put_mapping(const std::string& uuid, const nlohmann::json& doc);
  void delete_mapping(const std::string& uuid);

  std::vector<std::pair<std::string, nlohmann::json>> layers();  // ("account/region/name", versions)
  void put_layer(const std::string& key, const nlohmann::json& doc);
  void delete_layer(const std::string& key);

 private:
  storage::Database db_;
};

}  // namespace awan::lambda
