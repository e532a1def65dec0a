#pragma once
// The SQLite store of HTTP and WebSocket APIs (apigatewayv2): every resource (api, route,
// integration, stage, deployment, authorizer, model, route and integration responses) is one
// row holding its document as JSON, keyed by kind, API id and resource id. v2_impl.hpp keeps
// the live copy; this file only persists it.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/sqlite.hpp"

namespace awan::apigateway::v2 {

struct ResourceRow {
  std::string kind, api_id, id;
  std::string account, region;
  nlohmann::json doc;
};

class Store {
 public:
  Store(const std::string& path, storage::Database::Durability durability);
  void put(const ResourceRow& row);
  void remove(const std::string& kind, const std::string& api_id, const std::string& id);
  void remove_api(const std::string& api_id);  // the API and everything under it
  std::vector<ResourceRow> all();
  void clear();

 private:
  storage::Database db_;
};

}  // namespace awan::apigateway::v2
