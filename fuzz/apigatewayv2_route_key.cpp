// libFuzzer target: HTTP API route keys, route matching, stage resolution and WebSocket route
// selection (apigateway/v2_routes.hpp). The first line is a route key, the rest a request path
// and, after a tab, a WebSocket message.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "apigateway/v2_routes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::apigateway::v2;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t nl = text.find('\n');
  std::string_view key = text.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  size_t tab = rest.find('\t');
  std::string_view path = rest.substr(0, tab);
  std::string_view message = tab == std::string_view::npos ? rest : rest.substr(tab + 1);
  std::vector<RouteKey> keys;
  for (const char* k : {"ANY /{proxy+}", "GET /items/{id}", "$default"}) keys.push_back(*parse_route_key(k));
  std::string why;
  if (auto k = parse_route_key(key, &why)) {
    keys.push_back(*k);
  } else if (why.empty()) {
    __builtin_trap();
  }
  for (const char* m : {"GET", "POST", "ANY"}) (void)match_route(keys, m, path);
  (void)match_route(keys, "GET", key);
  (void)resolve_stage(path, {"prod", "$default"});
  (void)resolve_stage(path, {std::string(key)});
  (void)select_route(key, message);
  (void)select_route("$request.body.action", message);
  return 0;
}
