#pragma once
// Which resource of a REST API a request path reaches: literal path parts beat `{param}`, which
// beats `{proxy+}` (one or more trailing segments). Shared by the data plane and its tests.
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace awan::apigateway {

struct ResourceMatch {
  std::string resource_id;
  std::map<std::string, std::string> path_parameters;  // decoded values; greedy ones joined by '/'
};

// resources: {id: Resource} as the service stores them; path: percent-decoded, "/items/1".
std::optional<ResourceMatch> match_resource(const nlohmann::json& resources, const std::string& path);

}  // namespace awan::apigateway
