// libFuzzer target: REST API resource matching (apigateway/rest_match.hpp). The first line of
// the input is the request path; each further line "id parent part" adds a resource (the first
// without a parent is the root), so trees of any shape, cycles included, are walked.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "apigateway/rest_match.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::string path, line;
  std::getline(in, path);
  nlohmann::json resources = nlohmann::json::object();
  resources["root"] = {{"id", "root"}};
  if (resources.size() > 512) return 0;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string id, parent, part;
    l >> id >> parent >> part;
    if (id.empty()) continue;
    nlohmann::json r = {{"id", id}, {"pathPart", part}};
    if (parent != "-") r["parentId"] = parent;
    resources[id] = r;
  }
  auto m = awan::apigateway::match_resource(resources, path);
  if (m && !resources.contains(m->resource_id)) __builtin_trap();
  return 0;
}
