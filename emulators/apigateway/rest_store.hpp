#pragma once
// The REST API service's SQLite schema: every record is a JSON document by kind and id — a REST
// API with its resources, methods, integrations, authorizers, deployments and stages ("restapi"),
// API keys ("apikey"), usage plans with their keys ("usageplan") and usage counters ("usage").
// The service (rest_impl.hpp) keeps them in memory and writes each change through.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/sqlite.hpp"

namespace awan::apigateway {

class RestStore {
 public:
  RestStore(const std::string& path, storage::Database::Durability durability);
  void reset();
  std::vector<std::pair<std::string, nlohmann::json>> all(const std::string& kind);  // by id
  void put(const std::string& kind, const std::string& id, const nlohmann::json& doc);
  void erase(const std::string& kind, const std::string& id);

 private:
  storage::Database db_;
};

}  // namespace awan::apigateway
