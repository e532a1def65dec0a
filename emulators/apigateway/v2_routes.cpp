// HTTP API route keys, route matching, stage resolution and WebSocket route selection
// (v2_routes.hpp).
#include "apigateway/v2_routes.hpp"

#include <algorithm>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/proxy_event.hpp"

namespace awan::apigateway::v2 {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size() && path[i] == '/') ++i;
  while (i <= path.size() && i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

bool is_variable(const std::string& s) { return s.size() >= 3 && s.front() == '{' && s.back() == '}'; }
bool is_greedy(const std::string& s) { return s.size() >= 4 && s.front() == '{' && s.ends_with("+}"); }

const char* kMethods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"};

}  // namespace

std::optional<RouteKey> parse_route_key(std::string_view key, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<RouteKey> {
    if (error) *error = why;
    return std::nullopt;
  };
  RouteKey k;
  if (key == "$default") {
    k.is_default = true;
    return k;
  }
  size_t sp = key.find(' ');
  if (sp == std::string_view::npos || sp == 0)
    return fail("Unable to create route. RouteKey must be $default or of the form 'HTTP_METHOD /resourcePath'.");
  k.method = std::string(key.substr(0, sp));
  if (std::find(std::begin(kMethods), std::end(kMethods), k.method) == std::end(kMethods))
    return fail("Unsupported HTTP method " + k.method + " in route key.");
  std::string_view path = key.substr(sp + 1);
  if (path.empty() || path[0] != '/' || path.find(' ') != std::string_view::npos)
    return fail("Resource path must start with '/' and contain no spaces.");
  if (path.find("//") != std::string_view::npos) return fail("Resource path must not contain empty segments.");
  k.segments = split_path(path);
  for (size_t i = 0; i < k.segments.size(); ++i) {
    const std::string& s = k.segments[i];
    bool open = s.find('{') != std::string::npos, close = s.find('}') != std::string::npos;
    if ((open || close) && !is_variable(s)) return fail("Invalid path variable in route key: " + s);
    if (is_greedy(s) && i + 1 != k.segments.size())
      return fail("A greedy path variable must be the last segment of the resource path.");
    if (is_variable(s) && s.size() == 3 && s[1] == '+') return fail("Invalid path variable in route key: " + s);
  }
  return k;
}

std::optional<RouteMatch> match_route(const std::vector<RouteKey>& keys, std::string_view method, std::string_view path) {
  std::vector<std::string> segs = split_path(path);
  // (full match, literal pattern of the segments, method specific): greater is more specific.
  using Score = std::tuple<int, std::vector<int>, int>;
  std::optional<std::pair<Score, RouteMatch>> best;
  std::optional<size_t> fallback;
  for (size_t i = 0; i < keys.size(); ++i) {
    const RouteKey& k = keys[i];
    if (k.is_default) {
      fallback = i;
      continue;
    }
    if (k.method != "ANY" && k.method != method) continue;
    RouteMatch m;
    m.index = i;
    std::vector<int> pattern;
    bool greedy = false, ok = true;
    size_t n = k.segments.size();
    for (size_t s = 0; s < n && ok; ++s) {
      const std::string& ks = k.segments[s];
      if (is_greedy(ks)) {
        if (s >= segs.size()) {
          ok = false;
          break;
        }
        std::string rest;
        for (size_t r = s; r < segs.size(); ++r) rest += (r > s ? "/" : "") + segs[r];
        m.path_parameters[ks.substr(1, ks.size() - 3)] = decode_path(rest);
        greedy = true;
        pattern.push_back(0);
        break;
      }
      if (s >= segs.size()) {
        ok = false;
      } else if (is_variable(ks)) {
        m.path_parameters[ks.substr(1, ks.size() - 2)] = decode_path(segs[s]);
        pattern.push_back(1);
      } else if (ks == decode_path(segs[s]) || ks == segs[s]) {
        pattern.push_back(2);
      } else {
        ok = false;
      }
    }
    if (!ok || (!greedy && n != segs.size())) continue;
    Score score{greedy ? 0 : 1, pattern, k.method == "ANY" ? 0 : 1};
    if (!best || score > best->first) best.emplace(std::move(score), std::move(m));
  }
  if (best) return best->second;
  if (fallback) return RouteMatch{*fallback, {}};
  return std::nullopt;
}

std::optional<StagePath> resolve_stage(std::string_view path, const std::vector<std::string>& stages) {
  std::string_view rest = path;
  while (!rest.empty() && rest[0] == '/') rest.remove_prefix(1);
  size_t slash = rest.find('/');
  std::string first(rest.substr(0, slash));
  std::string first_decoded = decode_path(first);
  if (!first.empty() && first_decoded != "$default" &&
      std::find(stages.begin(), stages.end(), first_decoded) != stages.end()) {
    std::string after = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    return StagePath{first_decoded, after};
  }
  if (std::find(stages.begin(), stages.end(), "$default") != stages.end())
    return StagePath{"$default", path.empty() ? "/" : std::string(path)};
  return std::nullopt;
}

std::optional<std::string> select_route(std::string_view expression, std::string_view message) {
  std::string expr(expression);
  if (expr.size() > 3 && expr.starts_with("${") && expr.back() == '}') {
    expr.pop_back();
    expr.erase(1, 1);
  }
  static const std::string kBody = "$request.body";
  if (!expr.starts_with(kBody)) return expr.empty() || expr[0] == '$' ? std::nullopt : std::optional(expr);
  nlohmann::json doc = nlohmann::json::parse(message, nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  std::string_view rest = std::string_view(expr).substr(kBody.size());
  const nlohmann::json* cur = &doc;
  int depth = 0;
  while (!rest.empty()) {
    if (rest[0] != '.' || ++depth > 32) return std::nullopt;
    rest.remove_prefix(1);
    size_t dot = rest.find('.');
    std::string name(rest.substr(0, dot));
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot);
    if (!cur->is_object()) return std::nullopt;
    auto it = cur->find(name);
    if (it == cur->end()) return std::nullopt;
    cur = &*it;
  }
  if (cur->is_string()) return cur->get<std::string>();
  if (cur->is_number() || cur->is_boolean()) return cur->dump();
  return std::nullopt;
}

}  // namespace awan::apigateway::v2
