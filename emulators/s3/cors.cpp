// Bucket CORS rules (cors.hpp).
#include "s3/cors.hpp"

#include <nlohmann/json.hpp>

#include "core/text.hpp"

namespace awan::s3 {

namespace {
using json = nlohmann::json;

AwsError malformed() {
  return {"MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema",
          400};
}

// A list of strings; absent (or null) is fine unless required, then it must not be empty.
bool strings(const json& rule, const char* member, bool required) {
  auto it = rule.find(member);
  if (it == rule.end() || it->is_null()) return !required;
  if (!it->is_array() || (required && it->empty())) return false;
  for (const auto& v : *it)
    if (!v.is_string()) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string join(const json& list) {
  std::string out;
  for (const auto& v : list) {
    if (!out.empty()) out += ", ";
    out += v.get<std::string>();
  }
  return out;
}

std::string join(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& v : list) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

bool any_matches(const json& patterns, std::string_view value, bool ci) {
  for (const auto& p : patterns)
    if (cors_pattern_matches(p.get<std::string>(), value, ci)) return true;
  return false;
}

// The rule's answer headers for an origin (and a preflight's requested headers, lowercase).
void answer(const json& rule, std::string_view origin, const std::vector<std::string>& requested, CorsMatch& m) {
  // "*" answers "*" only when it is the origin that matched (then without credentials).
  bool wildcard = false;
  for (const auto& o : rule.value("AllowedOrigins", json::array())) {
    if (!cors_pattern_matches(o.get<std::string>(), origin, false)) continue;
    wildcard = o == "*";
    break;
  }
  m.headers.emplace_back("Access-Control-Allow-Origin", wildcard ? std::string("*") : std::string(origin));
  m.headers.emplace_back("Access-Control-Allow-Methods", join(rule.value("AllowedMethods", json::array())));
  if (!requested.empty()) m.headers.emplace_back("Access-Control-Allow-Headers", join(requested));
  if (auto e = rule.find("ExposeHeaders"); e != rule.end() && e->is_array() && !e->empty())
    m.headers.emplace_back("Access-Control-Expose-Headers", join(*e));
  if (auto a = rule.find("MaxAgeSeconds"); a != rule.end() && a->is_number_integer())
    m.headers.emplace_back("Access-Control-Max-Age", std::to_string(a->get<int64_t>()));
  if (!wildcard) m.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  m.headers.emplace_back("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
}

bool allows_method(const json& rule, std::string_view method) {
  for (const auto& m : rule.value("AllowedMethods", json::array()))
    if (m == method) return true;
  return false;
}
}  // namespace

std::optional<AwsError> validate_cors(const json& configuration) {
  if (!configuration.is_object()) return malformed();
  auto rules = configuration.find("CORSRules");
  if (rules == configuration.end() || !rules->is_array() || rules->empty()) return malformed();
  if (rules->size() > 100)
    return AwsError("InvalidRequest", "The number of CORS rules should not exceed allowed limit of 100 rules.", 400);
  for (const auto& rule : *rules) {
    if (!rule.is_object() || !strings(rule, "AllowedMethods", true) || !strings(rule, "AllowedOrigins", true) ||
        !strings(rule, "AllowedHeaders", false) || !strings(rule, "ExposeHeaders", false))
      return malformed();
    for (const auto& m : rule["AllowedMethods"]) {
      std::string v = m.get<std::string>();
      if (v != "GET" && v != "PUT" && v != "HEAD" && v != "POST" && v != "DELETE")
        return AwsError("InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is " + v, 400);
    }
    for (const char* member : {"AllowedOrigins", "AllowedHeaders"}) {
      auto it = rule.find(member);
      if (it == rule.end() || it->is_null()) continue;
      for (const auto& p : *it) {
        std::string v = p.get<std::string>();
        if (v.find('*') != v.rfind('*'))
          return AwsError("InvalidRequest",
                          std::string(member[7] == 'O' ? "AllowedOrigin" : "AllowedHeader") + " \"" + v +
                              "\" can not have more than one wildcard.",
                          400);
      }
    }
    if (auto e = rule.find("ExposeHeaders"); e != rule.end() && !e->is_null()) {
      for (const auto& h : *e) {
        std::string v = h.get<std::string>();
        if (v.find('*') != std::string::npos)
          return AwsError("InvalidRequest",
                          "ExposeHeader \"" + v + "\" contains wildcard. We currently do not support wildcard for ExposeHeader.",
                          400);
      }
    }
    if (auto a = rule.find("MaxAgeSeconds"); a != rule.end() && !a->is_null() && !a->is_number_integer())
      return malformed();
    if (auto id = rule.find("ID"); id != rule.end() && !id->is_null() && !id->is_string()) return malformed();
  }
  return std::nullopt;
}

bool cors_pattern_matches(std::string_view pattern, std::string_view value, bool ci) {
  std::string p = ci ? text::ascii_lower(pattern) : std::string(pattern);
  std::string v = ci ? text::ascii_lower(value) : std::string(value);
  size_t star = p.find('*');
  if (star == std::string::npos) return p == v;
  std::string_view head = std::string_view(p).substr(0, star), tail = std::string_view(p).substr(star + 1);
  return v.size() >= head.size() + tail.size() && v.compare(0, head.size(), head) == 0 &&
         v.compare(v.size() - tail.size(), tail.size(), tail) == 0;
}

CorsMatch match_preflight(const json& configuration, std::string_view origin, std::string_view method,
                          std::string_view request_headers) {
  CorsMatch m;
  std::vector<std::string> wanted;
  size_t pos = 0;
  while (pos <= request_headers.size()) {
    size_t comma = request_headers.find(',', pos);
    if (comma == std::string_view::npos) comma = request_headers.size();
    std::string_view h = trim(request_headers.substr(pos, comma - pos));
    if (!h.empty()) wanted.push_back(text::ascii_lower(h));
    pos = comma + 1;
  }
  for (const auto& rule : configuration.value("CORSRules", json::array())) {
    if (!any_matches(rule.value("AllowedOrigins", json::array()), origin, false) || !allows_method(rule, method))
      continue;
    json allowed = rule.value("AllowedHeaders", json::array());
    bool headers_ok = true;
    for (const auto& h : wanted) headers_ok = headers_ok && any_matches(allowed, h, true);
    if (!headers_ok) continue;
    m.matched = true;
    answer(rule, origin, wanted, m);
    return m;
  }
  return m;
}

CorsMatch match_actual(const json& configuration, std::string_view origin, std::string_view method) {
  CorsMatch m;
  for (const auto& rule : configuration.value("CORSRules", json::array())) {
    if (!any_matches(rule.value("AllowedOrigins", json::array()), origin, false) || !allows_method(rule, method))
      continue;
    m.matched = true;
    answer(rule, origin, {}, m);
    return m;
  }
  return m;
}

AwsError cors_forbidden(std::string_view method, bool object) {
  AwsError e("AccessForbidden",
             "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
             "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted "
             "by the resource's CORS spec.",
             403);
  e.details = std::make_shared<const json>(json{{"Method", method.empty() ? std::string("OPTIONS") : std::string(method)},
                                                  {"ResourceType", object ? "OBJECT" : "BUCKET"}});
  return e;
}

}  // namespace awan::s3
