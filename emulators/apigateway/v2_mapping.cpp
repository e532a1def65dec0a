// HTTP API parameter mapping (v2_mapping.hpp): parsing of mapping keys and of values with their
// references, and their application to requests and answers.
#include "apigateway/v2_mapping.hpp"

#include <algorithm>

#include "apigateway/vtl.hpp"
#include "core/text.hpp"

namespace awan::apigateway::v2 {

using json = nlohmann::json;

namespace {

struct Key {
  std::string action;  // append, overwrite, remove
  std::string target;  // header, querystring, path, statuscode
  std::string name;    // the header or query string name ("" for path and statuscode)
};

bool parse_key(const std::string& key, Key& k) {
  auto colon = key.find(':');
  if (colon == std::string::npos) return false;
  k.action = key.substr(0, colon);
  std::string rest = key.substr(colon + 1);
  if (k.action != "append" && k.action != "overwrite" && k.action != "remove") return false;
  if (rest == "path" || rest == "statuscode") {
    k.target = rest;
    return k.action == "overwrite";
  }
  auto dot = rest.find('.');
  if (dot == std::string::npos || dot + 1 == rest.size()) return false;
  k.target = rest.substr(0, dot);
  k.name = rest.substr(dot + 1);
  return k.target == "header" || k.target == "querystring";
}

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
}

void append_listed(std::string& out, const std::string& v) {
  if (!out.empty()) out += ',';
  out += v;
}

std::string header_value(const Headers& headers, const std::string& name) {
  std::string n = text::ascii_lower(name), out;
  for (const auto& [k, v] : headers)
    if (text::ascii_lower(k) == n) append_listed(out, v);
  return out;
}

std::string as_text(const json& v) {
  if (v.is_null()) return "";
  return v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// One reference ("request.header.x", "context.requestId", …) → its value.
std::string resolve(const std::string& ref, const MappingSource& src) {
  auto after = [&ref](const char* prefix) { return ref.substr(std::string(prefix).size()); };
  if (ref.rfind("request.header.", 0) == 0) return header_value(src.request_headers, after("request.header."));
  if (ref.rfind("request.querystring.", 0) == 0) {
    std::string name = after("request.querystring."), out;
    for (const auto& [k, v] : src.request_query)
      if (k == name) append_listed(out, v);
    return out;
  }
  if (ref == "request.path") return src.request_path;
  if (ref.rfind("request.path.", 0) == 0) {
    auto it = src.path_parameters.find(after("request.path."));
    return it == src.path_parameters.end() ? "" : it->second;
  }
  if (ref.rfind("request.body", 0) == 0 || ref.rfind("response.body", 0) == 0) {
    bool request = ref[2] == 'q';
    const std::string* body = request ? &src.request_body : src.response_body;
    if (!body) return "";
    json doc = json::parse(*body, nullptr, false);
    if (doc.is_discarded()) return "";
    std::string path = ref.substr(request ? 12 : 13);
    if (path.empty()) return as_text(doc);
    return as_text(json_path(doc, "$" + path));
  }
  if (ref.rfind("response.header.", 0) == 0)
    return src.response_headers ? header_value(*src.response_headers, after("response.header.")) : "";
  if (ref.rfind("context.", 0) == 0) return as_text(json_path(src.context, "$." + after("context.")));
  if (ref.rfind("stageVariables.", 0) == 0) {
    auto it = src.stage_variables.find(after("stageVariables."));
    return it == src.stage_variables.end() ? "" : it->second;
  }
  return "";
}

bool known_reference(const std::string& ref, bool response) {
  for (const char* p : {"request.header.", "request.querystring.", "request.path", "request.body", "context.",
                        "stageVariables."})
    if (ref.rfind(p, 0) == 0) return true;
  if (response)
    for (const char* p : {"response.header.", "response.body"})
      if (ref.rfind(p, 0) == 0) return true;
  return false;
}

// The references of a value, in order, and whether its ${...} are closed.
bool references(const std::string& value, std::vector<std::string>& out) {
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '$') continue;
    if (i + 1 < value.size() && value[i + 1] == '{') {
      size_t close = value.find('}', i + 2);
      if (close == std::string::npos) return false;
      out.push_back(value.substr(i + 2, close - i - 2));
      i = close;
    } else {
      size_t j = i + 1;
      while (j < value.size() && name_char(value[j])) ++j;
      if (j > i + 1) out.push_back(value.substr(i + 1, j - i - 1));
      i = j - 1;
    }
  }
  return true;
}

void set_header(Headers& headers, const Key& k, const std::string& value) {
  std::string n = text::ascii_lower(k.name);
  auto same = [&n](const std::pair<std::string, std::string>& h) { return text::ascii_lower(h.first) == n; };
  if (k.action == "remove" || k.action == "overwrite") headers.erase(std::remove_if(headers.begin(), headers.end(), same), headers.end());
  if (k.action == "remove") return;
  auto existing = std::find_if(headers.begin(), headers.end(), same);
  if (k.action == "append" && existing != headers.end()) existing->second += "," + value;
  else headers.emplace_back(k.name, value);
}

}  // namespace

std::string mapping_problem(const std::string& key, const json& value, bool response) {
  Key k;
  auto invalid = [&key] {
    return "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: " +
           key + "]";
  };
  if (!parse_key(key, k) || k.target == (response ? "path" : "statuscode")) return invalid();
  if (response && k.target == "querystring") return invalid();
  if (!value.is_string()) return "Invalid mapping expression specified: the value of " + key + " must be a string";
  std::vector<std::string> refs;
  if (!references(value, refs)) return "Invalid mapping expression specified: unclosed ${ in the value of " + key;
  for (const auto& r : refs)
    if (!known_reference(r, response)) return "Invalid mapping expression specified: unknown reference $" + r + " in " + key;
  return "";
}

std::string mapping_value(const std::string& value, const MappingSource& src) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '$') {
      out += value[i];
      continue;
    }
    if (i + 1 < value.size() && value[i + 1] == '{') {
      size_t close = value.find('}', i + 2);
      if (close == std::string::npos) {
        out += value.substr(i);
        break;
      }
      out += resolve(value.substr(i + 2, close - i - 2), src);
      i = close;
      continue;
    }
    size_t j = i + 1;
    while (j < value.size() && name_char(value[j])) ++j;
    std::string ref = value.substr(i + 1, j - i - 1);
    if (ref.empty() || !known_reference(ref, true)) {
      out += value.substr(i, j - i);
    } else {
      out += resolve(ref, src);
    }
    i = j - 1;
  }
  return out;
}

void apply_request_parameters(const json& params, const MappingSource& src, MappedRequest& out) {
  if (!params.is_object()) return;
  for (const auto& [key, v] : params.items()) {
    Key k;
    if (!parse_key(key, k) || !v.is_string()) continue;
    std::string value = mapping_value(v, src);
    if (k.target == "header") {
      set_header(out.headers, k, value);
    } else if (k.target == "querystring") {
      auto& q = out.query;
      if (k.action != "append") q.erase(std::remove_if(q.begin(), q.end(), [&k](const auto& p) { return p.first == k.name; }), q.end());
      if (k.action != "remove") q.emplace_back(k.name, value);
    } else if (k.target == "path") {
      out.path = value.empty() || value[0] != '/' ? "/" + value : value;
    }
  }
}

void apply_response_parameters(const json& by_status, const MappingSource& src, int& status, Headers& headers) {
  if (!by_status.is_object()) return;
  auto entry = by_status.find(std::to_string(status));
  if (entry == by_status.end() || !entry->is_object()) return;
  for (const auto& [key, v] : entry->items()) {
    Key k;
    if (!parse_key(key, k) || !v.is_string()) continue;
    std::string value = mapping_value(v, src);
    if (k.target == "header") {
      set_header(headers, k, value);
    } else if (k.target == "statuscode") {
      int code = std::atoi(value.c_str());
      if (code >= 100 && code <= 599) status = code;
    }
  }
}

}  // namespace awan::apigateway::v2
