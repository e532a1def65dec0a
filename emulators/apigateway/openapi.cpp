// OpenAPI / Swagger import and export of REST APIs, and the YAML subset they may come in
// (openapi.hpp).
#include "apigateway/openapi.hpp"

#include "core/text.hpp"

#include <cctype>
#include <cstdlib>
#include <map>
#include <set>

namespace awan::apigateway {

using json = nlohmann::json;

namespace {

constexpr int kMaxDepth = 64;

// ---- YAML subset ----

struct Line {
  int indent;
  std::string text;  // without indentation and trailing comment
};

std::string strip_comment(const std::string& s) {
  bool single = false, dbl = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'' && !dbl) single = !single;
    else if (c == '"' && !single && (i == 0 || s[i - 1] != '\\')) dbl = !dbl;
    else if (c == '#' && !single && !dbl && (i == 0 || s[i - 1] == ' ')) return s.substr(0, i);
  }
  return s;
}

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

class Yaml {
 public:
  explicit Yaml(std::string_view text) {
    size_t i = 0;
    while (i <= text.size()) {
      size_t j = text.find('\n', i);
      if (j == std::string_view::npos) j = text.size();
      std::string raw(text.substr(i, j - i));
      raw_.push_back(rtrim(raw));
      i = j + 1;
    }
  }
  std::optional<json> parse() {
    next_content();
    if (pos_ >= raw_.size()) return std::nullopt;
    auto v = node(indent_of(raw_[pos_]), 0);
    if (!v) return std::nullopt;
    next_content();
    if (pos_ < raw_.size()) return std::nullopt;
    return v;
  }

 private:
  static int indent_of(const std::string& s) {
    int n = 0;
    while (n < static_cast<int>(s.size()) && s[n] == ' ') ++n;
    return n;
  }
  void next_content() {
    while (pos_ < raw_.size()) {
      std::string t = rtrim(strip_comment(raw_[pos_]));
      size_t k = t.find_first_not_of(' ');
      if (k != std::string::npos && t.compare(k, 3, "---") != 0) return;
      ++pos_;
    }
  }
  std::string content(size_t line) const {
    std::string t = rtrim(strip_comment(raw_[line]));
    return t.substr(std::min(t.size(), static_cast<size_t>(indent_of(t))));
  }

  static std::optional<json> scalar(const std::string& s) {
    if (s.empty() || s == "~" || s == "null") return json();
    if (s == "true" || s == "True") return json(true);
    if (s == "false" || s == "False") return json(false);
    if (s.front() == '"') {
      json v = json::parse(s, nullptr, false);
      if (v.is_discarded() || !v.is_string()) return std::nullopt;
      return v;
    }
    if (s.front() == '\'') {
      if (s.size() < 2 || s.back() != '\'') return std::nullopt;
      std::string out;
      for (size_t i = 1; i + 1 < s.size(); ++i) {
        out += s[i];
        if (s[i] == '\'' && s[i + 1] == '\'') ++i;
      }
      return json(out);
    }
    if (s.front() == '[' || s.front() == '{') {
      if (text::json_nesting_exceeds(s, kMaxDepth)) return std::nullopt;
      json v = json::parse(s, nullptr, false);
      if (v.is_discarded()) return std::nullopt;
      return v;
    }
    char* end = nullptr;
    if (std::isdigit(static_cast<unsigned char>(s[0])) || ((s[0] == '-' || s[0] == '+') && s.size() > 1)) {
      long long i = std::strtoll(s.c_str(), &end, 10);
      if (*end == 0) return json(static_cast<int64_t>(i));
      double d = std::strtod(s.c_str(), &end);
      if (*end == 0) return json(d);
    }
    return json(s);
  }

  // Splits "key: value" (key may be quoted); false when the text is not a mapping entry.
  static bool split_key(const std::string& t, std::string& key, std::string& rest) {
    size_t colon = std::string::npos;
    if (!t.empty() && (t[0] == '"' || t[0] == '\'')) {
      size_t close = t.find(t[0], 1);
      if (close == std::string::npos) return false;
      key = t.substr(1, close - 1);
      if (close + 1 >= t.size() || t[close + 1] != ':') return false;
      colon = close + 1;
    } else {
      for (size_t i = 0; i < t.size(); ++i)
        if (t[i] == ':' && (i + 1 == t.size() || t[i + 1] == ' ')) {
          colon = i;
          break;
        }
      if (colon == std::string::npos || colon == 0) return false;
      key = rtrim(t.substr(0, colon));
    }
    rest = colon + 1 < t.size() ? t.substr(t.find_first_not_of(' ', colon + 1) == std::string::npos
                                              ? t.size()
                                              : t.find_first_not_of(' ', colon + 1))
                                : "";
    return true;
  }

  std::optional<json> block_scalar(int parent_indent, bool literal) {
    std::string out;
    int block_indent = -1;
    while (pos_ < raw_.size()) {
      const std::string& l = raw_[pos_];
      if (l.find_first_not_of(' ') == std::string::npos) {
        out += '\n';
        ++pos_;
        continue;
      }
      int ind = indent_of(l);
      if (ind <= parent_indent) break;
      if (block_indent < 0) block_indent = ind;
      if (ind < block_indent) break;
      out += l.substr(block_indent);
      out += literal ? '\n' : ' ';
      ++pos_;
    }
    while (out.size() > 1 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
    if (!literal && !out.empty()) out.back() = '\n';
    return json(out);
  }

  // The value after "key:" or "- ": inline, a block scalar, or a nested node.
  std::optional<json> value(const std::string& rest, int indent, int depth, bool allow_same_indent_seq) {
    if (rest == "|" || rest == "|-" || rest == ">" || rest == ">-") {
      auto v = block_scalar(indent, rest[0] == '|');
      if (v && rest.size() == 2 && v->is_string()) {
        std::string s = *v;
        while (!s.empty() && s.back() == '\n') s.pop_back();
        return json(s);
      }
      return v;
    }
    if (!rest.empty()) return scalar(rest);
    next_content();
    if (pos_ >= raw_.size()) return json();
    int ind = indent_of(raw_[pos_]);
    std::string c = content(pos_);
    if (ind > indent || (allow_same_indent_seq && ind == indent && (c == "-" || c.rfind("- ", 0) == 0)))
      return node(ind, depth + 1);
    return json();
  }

  std::optional<json> node(int indent, int depth) {
    if (depth > kMaxDepth) return std::nullopt;
    next_content();
    if (pos_ >= raw_.size()) return json();
    std::string first = content(pos_);
    if (first == "-" || first.rfind("- ", 0) == 0) {
      json seq = json::array();
      while (true) {
        next_content();
        if (pos_ >= raw_.size() || indent_of(raw_[pos_]) != indent) break;
        std::string c = content(pos_);
        if (c != "-" && c.rfind("- ", 0) != 0) break;
        std::string rest = c.size() > 2 ? c.substr(c.find_first_not_of(' ', 1)) : "";
        std::string key, after;
        if (!rest.empty() && rest[0] != '"' && rest[0] != '\'' && rest[0] != '[' && rest[0] != '{' &&
            split_key(rest, key, after)) {
          // "- key: value ..." : a mapping indented past the dash.
          int inner = indent + static_cast<int>(c.find(rest));
          raw_[pos_] = std::string(inner, ' ') + rest;
          auto m = node(inner, depth + 1);
          if (!m) return std::nullopt;
          seq.push_back(*m);
          continue;
        }
        ++pos_;
        auto v = value(rest, indent, depth, false);
        if (!v) return std::nullopt;
        seq.push_back(*v);
      }
      return seq;
    }
    if (first.front() == '[' || first.front() == '{' || first.front() == '"') {
      std::string key, rest;
      if (!split_key(first, key, rest)) {
        ++pos_;
        return scalar(first);
      }
    }
    json map = json::object();
    while (true) {
      next_content();
      if (pos_ >= raw_.size()) break;
      int ind = indent_of(raw_[pos_]);
      if (ind < indent) break;
      if (ind > indent) return std::nullopt;
      std::string c = content(pos_);
      std::string key, rest;
      if (!split_key(c, key, rest)) {
        if (map.empty()) {
          ++pos_;
          return scalar(c);
        }
        return std::nullopt;
      }
      ++pos_;
      auto v = value(rest, indent, depth, true);
      if (!v) return std::nullopt;
      map[key] = *v;
    }
    return map;
  }

  std::vector<std::string> raw_;
  size_t pos_ = 0;
};

// ---- import ----

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string text_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A member of a definition's object, `fallback` when `v` is not an object or has no such member
// (json::value throws on a non-object: the definition is whatever its author wrote).
json member_of(const json& v, const char* key, json fallback = json::object()) {
  if (!v.is_object()) return fallback;
  auto it = v.find(key);
  return it == v.end() ? fallback : *it;
}

const char* kOperations[] = {"get", "put", "post", "delete", "patch", "head", "options", "x-amazon-apigateway-any-method"};

json integration_of(const json& x) {
  json i = json::object();
  i["type"] = upper(text_of(x.value("type", json("MOCK"))));
  if (x.contains("httpMethod")) i["httpMethod"] = upper(text_of(x["httpMethod"]));
  if (x.contains("uri")) i["uri"] = text_of(x["uri"]);
  i["passthroughBehavior"] = upper(text_of(x.value("passthroughBehavior", json("WHEN_NO_MATCH"))));
  auto timeout = x.find("timeoutInMillis");
  i["timeoutInMillis"] = timeout != x.end() && timeout->is_number_integer() ? *timeout : json(29000);
  for (const char* m : {"requestTemplates", "requestParameters"})
    if (x.contains(m) && x[m].is_object()) {
      json out = json::object();
      for (auto& [k, v] : x[m].items()) out[k] = text_of(v);
      i[m] = out;
    }
  for (const char* m : {"contentHandling", "credentials", "connectionType", "connectionId"})
    if (x.contains(m) && x[m].is_string()) i[m] = x[m];
  if (x.contains("cacheKeyParameters") && x["cacheKeyParameters"].is_array()) i["cacheKeyParameters"] = x["cacheKeyParameters"];
  if (i["type"] == "HTTP" || i["type"] == "HTTP_PROXY")
    if (!i.contains("connectionType")) i["connectionType"] = "INTERNET";
  if (x.contains("responses") && x["responses"].is_object()) {
    json responses = json::object();
    for (auto& [pattern, r] : x["responses"].items()) {
      if (!r.is_object()) continue;
      std::string code = text_of(r.value("statusCode", json("200")));
      json out = {{"statusCode", code}};
      if (pattern != "default") out["selectionPattern"] = pattern;
      for (const char* m : {"responseTemplates", "responseParameters"})
        if (r.contains(m) && r[m].is_object()) {
          json t = json::object();
          for (auto& [k, v] : r[m].items()) t[k] = text_of(v);
          out[m] = t;
        }
      if (r.contains("contentHandling") && r["contentHandling"].is_string()) out["contentHandling"] = r["contentHandling"];
      responses[code] = out;
    }
    i["integrationResponses"] = responses;
  }
  return i;
}

}  // namespace

std::optional<json> parse_definition_text(std::string_view text) {
  size_t k = text.find_first_not_of(" \t\r\n");
  if (k == std::string_view::npos) return std::nullopt;
  if (text[k] == '{') {
    int depth = 0, max_depth = 0;
    bool in_string = false;
    for (size_t i = k; i < text.size(); ++i) {
      char c = text[i];
      if (in_string) {
        if (c == '\\') ++i;
        else if (c == '"') in_string = false;
      } else if (c == '"') in_string = true;
      else if (c == '{' || c == '[') max_depth = std::max(max_depth, ++depth);
      else if (c == '}' || c == ']') --depth;
    }
    if (max_depth > kMaxDepth) return std::nullopt;
    json v = json::parse(text, nullptr, false);
    if (v.is_discarded()) return std::nullopt;
    return v;
  }
  Yaml y(text);
  return y.parse();
}

namespace {

// "#/components/schemas/X" and "#/definitions/X" → a model reference, through the document.
void rewrite_refs(json& v, int depth) {
  if (depth > 64) return;
  if (v.is_object()) {
    for (auto& [k, x] : v.items()) {
      if (k == "$ref" && x.is_string()) {
        std::string ref = x;
        for (const char* prefix : {"#/components/schemas/", "#/definitions/"})
          if (ref.rfind(prefix, 0) == 0)
            x = "https://apigateway.amazonaws.com/restapis/{restapi_id}/models/" + ref.substr(std::string(prefix).size());
      } else {
        rewrite_refs(x, depth + 1);
      }
    }
  } else if (v.is_array()) {
    for (auto& x : v) rewrite_refs(x, depth + 1);
  }
}

// The model a body schema names ("$ref": "#/components/schemas/X"), or "".
std::string model_named(const json& schema) {
  if (!schema.is_object() || !schema.contains("$ref") || !schema["$ref"].is_string()) return "";
  std::string ref = schema["$ref"];
  auto slash = ref.rfind('/');
  return ref.rfind("#/", 0) == 0 && slash != std::string::npos ? ref.substr(slash + 1) : "";
}

// The API Gateway pieces of a definition besides its paths: models, validators, gateway responses.
void import_extras(const json& def, bool oas3, ImportedApi& out) {
  json schemas = oas3 ? member_of(member_of(def, "components"), "schemas")
                      : def.value("definitions", json::object());
  if (schemas.is_object())
    for (auto& [name, schema] : schemas.items()) {
      if (!schema.is_object()) continue;
      json copy = schema;
      rewrite_refs(copy, 0);
      out.models[name] = {{"contentType", "application/json"}, {"schema", copy.dump()}};
    }
  if (auto v = def.find("x-amazon-apigateway-request-validators"); v != def.end() && v->is_object())
    for (auto& [name, x] : v->items())
      if (x.is_object())
        out.validators[name] = {{"name", name},
                                {"validateRequestBody", x.value("validateRequestBody", json(false)) == true},
                                {"validateRequestParameters", x.value("validateRequestParameters", json(false)) == true}};
  if (auto g = def.find("x-amazon-apigateway-gateway-responses"); g != def.end() && g->is_object())
    for (auto& [type, x] : g->items()) {
      if (!x.is_object()) continue;
      json r = {{"responseType", type}, {"defaultResponse", false}};
      if (x.contains("statusCode")) r["statusCode"] = text_of(x["statusCode"]);
      for (const char* f : {"responseParameters", "responseTemplates"})
        if (x.contains(f) && x[f].is_object()) r[f] = x[f];
      out.gateway_responses[type] = r;
    }
}

// requestModels and the validator of one operation.
void import_request_models(const json& op, const json& def, bool oas3, json& m) {
  json models = json::object();
  if (oas3) {
    json content = member_of(member_of(op, "requestBody"), "content");
    if (content.is_object())
      for (auto& [type, media] : content.items())
        if (media.is_object())
          if (std::string name = model_named(media.value("schema", json())); !name.empty()) models[type] = name;
  } else {
    json consumes = op.contains("consumes") ? op["consumes"] : def.value("consumes", json::array());
    std::string type = consumes.is_array() && !consumes.empty() && consumes[0].is_string() ? consumes[0].get<std::string>()
                                                                                          : "application/json";
    for (auto& p : op.value("parameters", json::array()))
      if (p.is_object() && text_of(p.value("in", json())) == "body")
        if (std::string name = model_named(p.value("schema", json())); !name.empty()) models[type] = name;
  }
  if (!models.empty()) m["requestModels"] = models;
  json validator = op.contains("x-amazon-apigateway-request-validator") ? op["x-amazon-apigateway-request-validator"]
                                                                        : def.value("x-amazon-apigateway-request-validator", json());
  if (validator.is_string()) m["requestValidatorName"] = validator;
}

}  // namespace

std::variant<ImportedApi, std::string> import_openapi(const json& def) {
  if (!def.is_object()) return std::string("Invalid OpenAPI input.");
  bool oas3 = def.contains("openapi");
  if (!oas3 && text_of(def.value("swagger", json())) != "2.0") return std::string("Invalid OpenAPI input.");
  ImportedApi out;
  json info = def.value("info", json::object());
  if (!info.is_object() || !info.contains("title") || text_of(info["title"]).empty())
    return std::string("Invalid OpenAPI input: the API's title (info.title) is required.");
  out.fields["name"] = text_of(info["title"]);
  if (info.contains("description")) out.fields["description"] = text_of(info["description"]);
  if (info.contains("version")) out.fields["version"] = text_of(info["version"]);
  if (auto b = def.find("x-amazon-apigateway-binary-media-types"); b != def.end() && b->is_array())
    out.fields["binaryMediaTypes"] = *b;
  if (auto s = def.find("x-amazon-apigateway-api-key-source"); s != def.end() && s->is_string())
    out.fields["apiKeySource"] = upper(*s);

  json schemes = oas3 ? member_of(member_of(def, "components"), "securitySchemes")
                      : def.value("securityDefinitions", json::object());
  std::set<std::string> key_schemes, iam_schemes;
  if (schemes.is_object()) {
    for (auto& [name, s] : schemes.items()) {
      if (!s.is_object()) continue;
      std::string authtype = text_of(s.value("x-amazon-apigateway-authtype", json("")));
      if (s.contains("x-amazon-apigateway-authorizer") && s["x-amazon-apigateway-authorizer"].is_object()) {
        const json& a = s["x-amazon-apigateway-authorizer"];
        std::string type = upper(text_of(a.value("type", json("token"))));
        json auth = {{"name", name}, {"type", type}, {"authType", authtype.empty() ? "custom" : authtype}};
        if (a.contains("authorizerUri")) auth["authorizerUri"] = text_of(a["authorizerUri"]);
        if (a.contains("authorizerCredentials")) auth["authorizerCredentials"] = text_of(a["authorizerCredentials"]);
        std::string header = text_of(s.value("name", json("Authorization")));
        auth["identitySource"] = a.contains("identitySource") ? text_of(a["identitySource"])
                                                             : "method.request.header." + header;
        if (a.contains("identityValidationExpression")) auth["identityValidationExpression"] = text_of(a["identityValidationExpression"]);
        auth["authorizerResultTtlInSeconds"] = a.value("authorizerResultTtlInSeconds", json(300));
        if (a.contains("providerARNs")) auth["providerARNs"] = a["providerARNs"];
        out.authorizers[name] = auth;
      } else if (authtype == "awsSigv4") {
        iam_schemes.insert(name);
      } else if (text_of(s.value("type", json())) == "apiKey") {
        key_schemes.insert(name);
      }
    }
  }
  import_extras(def, oas3, out);
  json global_security = def.value("security", json::array());
  if (!def.contains("paths") || !def["paths"].is_object()) return out;
  for (auto& [path, item] : def["paths"].items()) {
    if (path.empty() || path[0] != '/') return std::string("Invalid OpenAPI input: path " + path + " must start with '/'.");
    if (!item.is_object()) continue;
    json entry = {{"path", path}, {"methods", json::object()}};
    json shared_params = item.value("parameters", json::array());
    for (const char* opname : kOperations) {
      auto op = item.find(opname);
      if (op == item.end() || !op->is_object()) continue;
      std::string method = std::string(opname) == "x-amazon-apigateway-any-method" ? "ANY" : upper(opname);
      json m = {{"httpMethod", method}, {"authorizationType", "NONE"}, {"apiKeyRequired", false}};
      if (op->contains("operationId")) m["operationName"] = text_of((*op)["operationId"]);
      json security = op->contains("security") ? (*op)["security"] : global_security;
      if (security.is_array())
        for (auto& req : security) {
          if (!req.is_object()) continue;
          for (auto& [scheme, _] : req.items()) {
            if (key_schemes.count(scheme)) m["apiKeyRequired"] = true;
            else if (iam_schemes.count(scheme)) m["authorizationType"] = "AWS_IAM";
            else if (out.authorizers.contains(scheme)) {
              m["authorizationType"] = out.authorizers[scheme]["type"] == "COGNITO_USER_POOLS" ? "COGNITO_USER_POOLS" : "CUSTOM";
              m["authorizerName"] = scheme;
            }
          }
        }
      if (auto a = op->find("x-amazon-apigateway-auth"); a != op->end() && a->is_object() &&
                                                           upper(text_of(a->value("type", json("")))) == "AWS_IAM")
        m["authorizationType"] = "AWS_IAM";
      json params = json::object();
      json op_params = op->value("parameters", json::array());
      const json* lists[] = {&shared_params, &op_params};
      for (const json* list : lists) {
        if (!list->is_array()) continue;
        for (auto& p : *list) {
          if (!p.is_object() || !p.contains("name") || !p.contains("in")) continue;
          std::string where = text_of(p["in"]);
          if (where == "query") where = "querystring";
          if (where != "path" && where != "querystring" && where != "header") continue;
          params["method.request." + where + "." + text_of(p["name"])] = p.value("required", json(false)) == true;
        }
      }
      if (!params.empty()) m["requestParameters"] = params;
      import_request_models(*op, def, oas3, m);
      if (auto r = op->find("responses"); r != op->end() && r->is_object()) {
        json responses = json::object();
        for (auto& [code, resp] : r->items()) {
          if (code.size() != 3) continue;
          json mr = {{"statusCode", code}};
          if (resp.is_object() && resp.contains("headers") && resp["headers"].is_object()) {
            json rp = json::object();
            for (auto& [h, _] : resp["headers"].items()) rp["method.response.header." + h] = false;
            mr["responseParameters"] = rp;
          }
          responses[code] = mr;
        }
        if (!responses.empty()) m["methodResponses"] = responses;
      }
      if (auto x = op->find("x-amazon-apigateway-integration"); x != op->end() && x->is_object()) {
        m["methodIntegration"] = integration_of(*x);
      } else {
        out.warnings.push_back("No integration defined for method " + method + " " + path);
      }
      entry["methods"][method] = m;
    }
    out.paths.push_back(entry);
  }
  return out;
}

// ---- export ----

json export_openapi(const ExportInput& in) {
  json doc = json::object();
  if (in.swagger) doc["swagger"] = "2.0";
  else doc["openapi"] = "3.0.1";
  json info = {{"title", in.api.value("name", "")}};
  if (in.api.contains("description")) info["description"] = in.api["description"];
  info["version"] = in.api.contains("version") ? in.api["version"] : json(std::to_string(in.api.value("createdDate", 0)));
  doc["info"] = info;
  if (in.swagger) {
    doc["host"] = in.host;
    doc["basePath"] = "/" + in.stage;
    doc["schemes"] = {"https"};
  } else {
    doc["servers"] = {{{"url", "https://" + in.host + "/{basePath}"},
                       {"variables", {{"basePath", {{"default", in.stage}}}}}}};
  }
  json paths = json::object();
  json schemes = json::object();
  std::map<std::string, std::string> auth_names;
  if (in.authorizers.is_object())
    for (auto& [id, a] : in.authorizers.items()) auth_names[id] = a.value("name", id);
  bool any_key = false, any_iam = false;
  std::set<std::string> used_authorizers;
  if (in.resources.is_object()) {
    for (auto& [id, r] : in.resources.items()) {
      const json& methods = r.value("resourceMethods", json::object());
      if (!methods.is_object() || methods.empty()) continue;
      json item = json::object();
      for (auto& [method, m] : methods.items()) {
        json op = json::object();
        std::string key = method == "ANY" ? "x-amazon-apigateway-any-method" : std::string();
        if (key.empty())
          for (char c : method) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (m.contains("operationName")) op["operationId"] = m["operationName"];
        if (m.contains("requestParameters") && m["requestParameters"].is_object()) {
          json params = json::array();
          for (auto& [name, required] : m["requestParameters"].items()) {
            const std::string prefix = "method.request.";
            if (name.rfind(prefix, 0) != 0) continue;
            std::string rest = name.substr(prefix.size());
            size_t dot = rest.find('.');
            if (dot == std::string::npos) continue;
            std::string where = rest.substr(0, dot);
            if (where == "querystring") where = "query";
            json p = {{"name", rest.substr(dot + 1)}, {"in", where}, {"required", required == true || where == "path"}};
            if (in.swagger) p["type"] = "string";
            else p["schema"] = {{"type", "string"}};
            params.push_back(p);
          }
          if (!params.empty()) op["parameters"] = params;
        }
        json responses = json::object();
        if (m.contains("methodResponses") && m["methodResponses"].is_object())
          for (auto& [code, mr] : m["methodResponses"].items()) {
            json resp = {{"description", code + " response"}};
            if (mr.contains("responseParameters") && mr["responseParameters"].is_object()) {
              json headers = json::object();
              for (auto& [h, _] : mr["responseParameters"].items()) {
                const std::string prefix = "method.response.header.";
                if (h.rfind(prefix, 0) == 0)
                  headers[h.substr(prefix.size())] = in.swagger ? json{{"type", "string"}} : json{{"schema", {{"type", "string"}}}};
              }
              if (!headers.empty()) resp["headers"] = headers;
            }
            responses[code] = resp;
          }
        op["responses"] = responses;
        json security = json::array();
        if (m.value("apiKeyRequired", false)) {
          security.push_back({{"api_key", json::array()}});
          any_key = true;
        }
        std::string auth = m.value("authorizationType", "NONE");
        if (auth == "AWS_IAM") {
          security.push_back({{"sigv4", json::array()}});
          any_iam = true;
        } else if ((auth == "CUSTOM" || auth == "COGNITO_USER_POOLS") && m.contains("authorizerId")) {
          std::string aid = m["authorizerId"];
          std::string name = auth_names.count(aid) ? auth_names[aid] : aid;
          security.push_back({{name, json::array()}});
          used_authorizers.insert(aid);
        }
        if (!security.empty()) op["security"] = security;
        if (in.extensions && m.contains("methodIntegration")) {
          const json& i = m["methodIntegration"];
          json x = json::object();
          std::string type = i.value("type", "MOCK");
          for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          x["type"] = type;
          for (const char* f : {"httpMethod", "uri", "requestTemplates", "requestParameters", "passthroughBehavior",
                                "timeoutInMillis", "contentHandling", "credentials", "cacheKeyParameters",
                                "connectionType"})
            if (i.contains(f)) x[f] = i[f];
          if (x.contains("passthroughBehavior")) {
            std::string p = x["passthroughBehavior"];
            for (auto& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            x["passthroughBehavior"] = p;
          }
          if (i.contains("integrationResponses") && i["integrationResponses"].is_object()) {
            json rs = json::object();
            for (auto& [code, ir] : i["integrationResponses"].items()) {
              json r = {{"statusCode", code}};
              for (const char* f : {"responseTemplates", "responseParameters", "contentHandling"})
                if (ir.contains(f)) r[f] = ir[f];
              rs[ir.value("selectionPattern", "").empty() ? "default" : ir["selectionPattern"].get<std::string>()] = r;
            }
            x["responses"] = rs;
          }
          op["x-amazon-apigateway-integration"] = x;
        }
        item[key] = op;
      }
      paths[r.value("path", "/")] = item;
    }
  }
  doc["paths"] = paths;
  if (any_key) schemes["api_key"] = {{"type", "apiKey"}, {"name", "x-api-key"}, {"in", "header"}};
  if (any_iam)
    schemes["sigv4"] = {{"type", "apiKey"}, {"name", "Authorization"}, {"in", "header"}, {"x-amazon-apigateway-authtype", "awsSigv4"}};
  for (const auto& aid : used_authorizers) {
    if (!in.authorizers.contains(aid)) continue;
    const json& a = in.authorizers[aid];
    std::string source = a.value("identitySource", "method.request.header.Authorization");
    std::string header = source.rfind("method.request.header.", 0) == 0 ? source.substr(22) : "Unused";
    json s = {{"type", "apiKey"}, {"name", header}, {"in", "header"}, {"x-amazon-apigateway-authtype", a.value("authType", "custom")}};
    if (in.extensions) {
      json x = {{"type", [&] {
                   std::string t = a.value("type", "TOKEN");
                   for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                   return t;
                 }()}};
      for (const char* f : {"authorizerUri", "authorizerCredentials", "identityValidationExpression",
                            "authorizerResultTtlInSeconds", "providerARNs"})
        if (a.contains(f)) x[f] = a[f];
      if (a.value("type", "TOKEN") == "REQUEST") x["identitySource"] = source;
      s["x-amazon-apigateway-authorizer"] = x;
    }
    schemes[a.value("name", aid)] = s;
  }
  if (!schemes.empty()) {
    if (in.swagger) doc["securityDefinitions"] = schemes;
    else doc["components"]["securitySchemes"] = schemes;
  }
  if (in.extensions && in.api.contains("binaryMediaTypes") && !in.api["binaryMediaTypes"].empty())
    doc["x-amazon-apigateway-binary-media-types"] = in.api["binaryMediaTypes"];
  return doc;
}

namespace {
bool plain_ok(const std::string& s) {
  if (s.empty() || s == "true" || s == "false" || s == "null" || s == "~") return false;
  if (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == ' ' || s.back() == ' ') return false;
  for (char c : s)
    if (c == ':' || c == '#' || c == '\n' || c == '"' || c == '\'' || c == '{' || c == '}' || c == '[' || c == ']' ||
        c == ',' || c == '&' || c == '*' || c == '!' || c == '|' || c == '>' || c == '%' || c == '@' || c == '`')
      return false;
  return true;
}
std::string yaml_scalar(const json& v) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    return plain_ok(s) ? s : v.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}
void emit(const json& v, int indent, std::string& out, int depth) {
  std::string pad(indent, ' ');
  if (depth > kMaxDepth) return;
  if (v.is_object()) {
    for (auto& [k, x] : v.items()) {
      out += pad + yaml_scalar(json(k)) + ":";
      if ((x.is_object() || x.is_array()) && !x.empty()) {
        out += "\n";
        emit(x, indent + 2, out, depth + 1);
      } else {
        out += " " + (x.is_object() ? std::string("{}") : x.is_array() ? std::string("[]") : yaml_scalar(x)) + "\n";
      }
    }
  } else if (v.is_array()) {
    for (auto& x : v) {
      if ((x.is_object() || x.is_array()) && !x.empty()) {
        std::string inner;
        emit(x, indent + 2, inner, depth + 1);
        out += pad + "- " + inner.substr(indent + 2);
      } else {
        out += pad + "- " + (x.is_object() ? std::string("{}") : x.is_array() ? std::string("[]") : yaml_scalar(x)) + "\n";
      }
    }
  } else {
    out += pad + yaml_scalar(v) + "\n";
  }
}
}  // namespace

std::string to_yaml(const json& doc) {
  std::string out;
  emit(doc, 0, out, 0);
  return out;
}

}  // namespace awan::apigateway
