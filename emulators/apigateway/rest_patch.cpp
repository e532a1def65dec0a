// API Gateway patch operations (rest_impl.hpp): [{"op": "replace", "path": "/name", "value":
// "x"}, ...] applied to a stored document. Values arrive as strings and take the type of the
// member they replace (booleans and numbers); "/list/item" adds or removes a list entry.
#include <cstdlib>
#include <set>

#include "apigateway/rest_impl.hpp"

namespace awan::apigateway {

std::string unescape_patch_segment(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '~' && i + 1 < s.size() && (s[i + 1] == '1' || s[i + 1] == '0')) {
      out += s[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

namespace {

const std::set<std::string> kBooleans = {"apiKeyRequired", "enabled", "cacheClusterEnabled", "tracingEnabled",
                                         "disableExecuteApiEndpoint", "metricsEnabled", "dataTraceEnabled",
                                         "cachingEnabled", "cacheDataEncrypted", "requireAuthorizationForCacheControl",
                                         "validateRequestBody", "validateRequestParameters"};
const std::set<std::string> kNumbers = {"minimumCompressionSize", "authorizerResultTtlInSeconds", "timeoutInMillis",
                                        "rateLimit", "burstLimit", "limit", "offset", "throttlingBurstLimit",
                                        "throttlingRateLimit", "cacheTtlInSeconds"};
const std::set<std::string> kLists = {"binaryMediaTypes", "cacheKeyParameters", "authorizationScopes", "providerARNs"};

json typed(const std::string& name, const json& value) {
  if (!value.is_string()) return value;
  const std::string& v = value.get_ref<const std::string&>();
  if (kBooleans.count(name)) {
    if (v != "true" && v != "false")
      throw rest_errors::bad_request("Invalid boolean value for " + name + ": " + v);
    return v == "true";
  }
  if (kNumbers.count(name)) {
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end) throw rest_errors::bad_request("Invalid number value for " + name + ": " + v);
    if (name == "throttlingRateLimit" || name == "rateLimit") return d;
    return static_cast<int64_t>(d);
  }
  return value;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    parts.push_back(unescape_patch_segment(path.substr(i, j - i)));
    i = j + 1;
  }
  return parts;
}

}  // namespace

void apply_patch(json& doc, const json& operations, PatchHook special) {
  if (!operations.is_array()) return;
  for (const auto& p : operations) {
    if (!p.is_object()) throw rest_errors::bad_request("Invalid patch operation");
    std::string op = p.value("op", "");
    std::string path = p.value("path", "");
    json value = p.contains("value") ? p["value"] : json();
    if (op != "add" && op != "remove" && op != "replace" && op != "move" && op != "copy" && op != "test")
      throw rest_errors::bad_request("Invalid patch operation specified. Must be 'add'|'remove'|'replace'|'move'|'copy'|'test'");
    if (path.empty() || path[0] != '/') throw rest_errors::bad_request("Invalid patch path " + path);
    if (special && special(doc, op, path, value)) continue;
    if (op != "add" && op != "remove" && op != "replace")
      throw rest_errors::bad_request("Invalid patch operation specified. Must be one of: [add, remove, replace]");
    auto parts = split_path(path);
    json* target = &doc;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      const std::string& seg = parts[i];
      if (target->is_array() || (kLists.count(seg) && i + 2 == parts.size())) {
        // "/binaryMediaTypes/image~1png": the last segment is the entry.
        json& list = (*target)[seg];
        if (!list.is_array()) list = json::array();
        const std::string& entry = parts.back();
        auto pos = std::find(list.begin(), list.end(), entry);
        if (op == "remove") {
          if (pos != list.end()) list.erase(pos);
        } else if (pos == list.end()) {
          list.push_back(op == "replace" && value.is_string() ? value : json(entry));
        }
        target = nullptr;
        break;
      }
      json& next = (*target)[seg];
      if (!next.is_object()) {
        if (op == "remove") throw rest_errors::bad_request("Invalid patch path " + path);
        next = json::object();
      }
      target = &next;
    }
    if (!target) continue;
    const std::string& last = parts.back();
    if (last.empty()) throw rest_errors::bad_request("Invalid patch path " + path);
    if (op == "remove") {
      target->erase(last);
    } else if (kLists.count(last)) {
      json& list = (*target)[last];
      if (!list.is_array()) list = json::array();
      if (value.is_string()) {
        if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
      } else if (value.is_array()) {
        list = value;
      }
    } else {
      (*target)[last] = typed(last, value);
    }
  }
}

}  // namespace awan::apigateway
