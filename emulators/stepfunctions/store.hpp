#pragma once
// Step Functions' SQLite schema: state machines, activities and executions as JSON documents,
// each execution's history events, and the checkpoint a running STANDARD execution resumes
// from after a restart (the top-level state it is in, its input, variables, Wait deadline).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/sqlite.hpp"

namespace awan::stepfunctions {

class Store {
 public:
  Store(const std::string& path, storage::Database::Durability durability);
  void reset();

  // kind: "sm" (state machines, versions, aliases), "activity", "execution".
  void put(const std::string& kind, const std::string& key, const nlohmann::json& doc);
  void remove(const std::string& kind, const std::string& key);
  std::vector<nlohmann::json> all(const std::string& kind);

  void add_event(const std::string& execution, int64_t id, const nlohmann::json& event);
  std::vector<nlohmann::json> events(const std::string& execution);
  void remove_events(const std::string& execution);

 private:
  storage::Database db_;
};

}  // namespace awan::stepfunctions
