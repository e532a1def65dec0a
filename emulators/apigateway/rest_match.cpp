// Resource matching (rest_match.hpp): a depth-first walk of the resource tree, literal children
// first, then the variable child, then the greedy one; a step budget bounds backtracking.
#include "apigateway/rest_match.hpp"

#include <vector>

namespace awan::apigateway {

namespace {

struct Node {
  std::string id, part;
  std::vector<size_t> children;
};

struct Walker {
  std::vector<Node> nodes;
  std::vector<std::string> segments;
  std::map<std::string, std::string> params;
  int budget = 20000;

  bool walk(size_t node, size_t seg, std::string& found) {
    if (--budget < 0) return false;
    if (seg == segments.size()) {
      found = nodes[node].id;
      return true;
    }
    const auto& kids = nodes[node].children;
    for (size_t k : kids) {
      const std::string& p = nodes[k].part;
      if (!p.empty() && p.front() != '{' && p == segments[seg] && walk(k, seg + 1, found)) return true;
    }
    for (size_t k : kids) {
      const std::string& p = nodes[k].part;
      if (p.size() < 3 || p.front() != '{' || p[p.size() - 2] == '+') continue;
      std::string name = p.substr(1, p.size() - 2);
      params[name] = segments[seg];
      if (walk(k, seg + 1, found)) return true;
      params.erase(name);
    }
    for (size_t k : kids) {
      const std::string& p = nodes[k].part;
      if (p.size() < 4 || p.front() != '{' || p[p.size() - 2] != '+') continue;
      std::string rest;
      for (size_t i = seg; i < segments.size(); ++i) rest += (i > seg ? "/" : "") + segments[i];
      params[p.substr(1, p.size() - 3)] = rest;
      found = nodes[k].id;
      return true;
    }
    return false;
  }
};

}  // namespace

std::optional<ResourceMatch> match_resource(const nlohmann::json& resources, const std::string& path) {
  if (!resources.is_object()) return std::nullopt;
  Walker w;
  std::map<std::string, size_t> index;
  size_t root = SIZE_MAX;
  for (auto& [id, r] : resources.items()) {
    if (!r.is_object()) continue;
    index[id] = w.nodes.size();
    auto part = r.find("pathPart");
    w.nodes.push_back({id, part != r.end() && part->is_string() ? part->get<std::string>() : std::string(), {}});
  }
  for (auto& [id, r] : resources.items()) {
    if (!r.is_object()) continue;
    auto parent = r.find("parentId");
    if (parent == r.end() || !parent->is_string()) {
      if (root == SIZE_MAX) root = index[id];
      continue;
    }
    auto p = index.find(parent->get<std::string>());
    if (p != index.end() && p->second != index[id]) w.nodes[p->second].children.push_back(index[id]);
  }
  if (root == SIZE_MAX) return std::nullopt;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) w.segments.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  std::string found;
  if (!w.walk(root, 0, found)) return std::nullopt;
  return ResourceMatch{found, std::move(w.params)};
}

}  // namespace awan::apigateway
