#pragma once
// HTTP API routing as API Gateway does it: route keys ("GET /items/{id}", "ANY /{proxy+}",
// "$default"), the most specific match, and which stage a request path names. Pure functions;
// v2_invoke.cpp uses them, tests/unit/apigateway/v2_routes_test.cpp checks them.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace awan::apigateway::v2 {

struct RouteKey {
  std::string method;                 // "GET", "ANY"; "" for $default
  std::vector<std::string> segments;  // "items", "{id}", "{proxy+}"
  bool is_default = false;
};
// nullopt (with `error` set to API Gateway's message) when the key is not valid for an HTTP API.
std::optional<RouteKey> parse_route_key(std::string_view key, std::string* error = nullptr);

struct RouteMatch {
  size_t index = 0;  // into the candidates
  std::map<std::string, std::string> path_parameters;  // decoded values
};
// The best of `keys` for method and path (percent-encoded; decoded per segment), AWS's order:
// full matches before greedy {proxy+} matches, literal segments before {variables}, a method
// before ANY, $default last. nullopt when nothing matches.
std::optional<RouteMatch> match_route(const std::vector<RouteKey>& keys, std::string_view method, std::string_view path);

struct StagePath {
  std::string stage;  // the stage's name, "$default" when the path does not name one
  std::string path;   // the rest, starting with '/'
};
// `path` is "/<first>/<rest>": a named stage when <first> is one of `stages`, else $default
// (when the API has it). nullopt when neither.
std::optional<StagePath> resolve_stage(std::string_view path, const std::vector<std::string>& stages);

// WebSocket route selection: evaluates "$request.body.action" (dotted JSON path into the message),
// or a literal/other expression; nullopt when the message gives no value (use $default).
std::optional<std::string> select_route(std::string_view expression, std::string_view message);

}  // namespace awan::apigateway::v2
