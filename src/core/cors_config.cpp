// CORS configurations of data-plane resources (cors_config.hpp).
#include "core/cors_config.hpp"

namespace awan::cors {

namespace {
using json = nlohmann::json;

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool list_allows(const json& list, const std::string& value, bool case_insensitive) {
  if (!list.is_array()) return false;
  for (const auto& v : list) {
    if (!v.is_string()) continue;
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "*" || s == value || (case_insensitive && lower(s) == lower(value))) return true;
  }
  return false;
}

std::string joined(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& v : list) {
    if (!v.is_string()) continue;
    if (!out.empty()) out += ',';
    out += v.get_ref<const std::string&>();
  }
  return out;
}

json member(const json& config, const char* name) {
  auto it = config.find(name);
  return it == config.end() ? json::array() : *it;
}

bool credentials_of(const json& config) {
  auto it = config.find("AllowCredentials");
  return it != config.end() && it->is_boolean() && it->get<bool>();
}
}  // namespace

Headers preflight_headers(const json& config, const std::string& origin, const std::string& method,
                          const std::string* request_headers) {
  Headers h;
  if (!config.is_object() || !list_allows(member(config, "AllowOrigins"), origin, false)) return h;
  if (!list_allows(member(config, "AllowMethods"), method, true)) return h;
  bool creds = credentials_of(config);
  h.emplace_back("Access-Control-Allow-Origin", origin);
  std::string methods = joined(member(config, "AllowMethods"));
  h.emplace_back("Access-Control-Allow-Methods", methods == "*" ? method : methods);
  if (request_headers) {
    std::string allowed = joined(member(config, "AllowHeaders"));
    if (!allowed.empty()) h.emplace_back("Access-Control-Allow-Headers", allowed == "*" ? *request_headers : allowed);
  }
  if (creds) h.emplace_back("Access-Control-Allow-Credentials", "true");
  if (auto it = config.find("MaxAge"); it != config.end() && it->is_number_integer())
    h.emplace_back("Access-Control-Max-Age", std::to_string(it->get<int64_t>()));
  return h;
}

Headers response_headers(const json& config, const std::string& origin) {
  Headers h;
  if (!config.is_object() || !list_allows(member(config, "AllowOrigins"), origin, false)) return h;
  h.emplace_back("Access-Control-Allow-Origin", origin);
  if (credentials_of(config)) h.emplace_back("Access-Control-Allow-Credentials", "true");
  if (std::string e = joined(member(config, "ExposeHeaders")); !e.empty()) h.emplace_back("Access-Control-Expose-Headers", e);
  h.emplace_back("Vary", "Origin");
  return h;
}

bool is_text_media_type(const std::string& content_type) {
  std::string t = lower(content_type);
  return t.starts_with("text/") || t.find("json") != std::string::npos || t.find("xml") != std::string::npos ||
         t.find("javascript") != std::string::npos || t.find("x-www-form-urlencoded") != std::string::npos;
}

}  // namespace awan::cors
