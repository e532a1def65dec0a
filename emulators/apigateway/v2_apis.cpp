// HTTP and WebSocket APIs themselves: CreateApi (with quick create), GetApi(s), UpdateApi,
// DeleteApi, and OpenAPI 3 ImportApi/ReimportApi/ExportApi (JSON; x-amazon-apigateway-*).
#include <algorithm>
#include <cctype>

#include "apigateway/v2_impl.hpp"
#include "apigateway/v2_routes.hpp"
#include "core/document.hpp"
#include "core/ids.hpp"

namespace awan::apigateway::v2 {

namespace {
double epoch(std::chrono::system_clock::time_point t) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}
std::string new_id(size_t n) { return ids::random_string(n, "abcdefghijklmnopqrstuvwxyz0123456789"); }
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

Result V2Service::create_api(json& in) {
  std::string name = in.value("Name", ""), protocol = in.value("ProtocolType", "");
  if (name.empty()) throw errors::bad_request("Name is required");
  if (name.size() > 128) throw errors::bad_request("Name must be at most 128 characters");
  if (protocol != "HTTP" && protocol != "WEBSOCKET")
    throw errors::bad_request("Invalid protocol type " + protocol + ". Must be one of [HTTP, WEBSOCKET]");
  bool ws = protocol == "WEBSOCKET";
  if (ws && in.value("RouteSelectionExpression", "").empty())
    throw errors::bad_request("RouteSelectionExpression is required for WEBSOCKET APIs");
  if (ws && (in.contains("Target") || in.contains("RouteKey") || in.contains("CorsConfiguration")))
    throw errors::bad_request("Target, RouteKey and CorsConfiguration are supported only for HTTP APIs");
  auto api = std::make_unique<Api>();
  api->account = ctx_->account_id;
  api->region = ctx_->region;
  std::string id;
  do id = new_id(10);
  while (apis_.count(id));
  json doc = in;
  for (const char* m : {"Target", "RouteKey", "CredentialsArn"}) doc.erase(m);
  doc["ApiId"] = id;
  doc["ApiEndpoint"] = endpoint_of(id, ws);
  doc["CreatedDate"] = epoch(now());
  if (!doc.contains("ApiKeySelectionExpression")) doc["ApiKeySelectionExpression"] = "$request.header.x-api-key";
  if (!doc.contains("RouteSelectionExpression")) doc["RouteSelectionExpression"] = "$request.method $request.path";
  if (!doc.contains("DisableExecuteApiEndpoint")) doc["DisableExecuteApiEndpoint"] = false;
  if (!doc.contains("Tags")) doc["Tags"] = json::object();
  if (ws) doc["DisableSchemaValidation"] = doc.value("DisableSchemaValidation", false);
  api->doc = std::move(doc);
  Api& a = *api;
  apis_[id] = std::move(api);
  save_api(a);
  if (in.contains("Target")) {
    std::string target = in.value("Target", "");
    std::string route_key = in.value("RouteKey", "$default");
    std::string why;
    if (!parse_route_key(route_key, &why)) {
      apis_.erase(id);
      store_.remove_api(id);
      throw errors::bad_request(why);
    }
    bool http = target.starts_with("http://") || target.starts_with("https://");
    json integ = {{"ApiId", id}, {"IntegrationType", http ? "HTTP_PROXY" : "AWS_PROXY"}, {"IntegrationUri", target}};
    if (http) integ["IntegrationMethod"] = "ANY";
    if (in.contains("CredentialsArn")) integ["CredentialsArn"] = in["CredentialsArn"];
    Result ir = create_child(*kind_of("Integration"), a, integ);
    json route = {{"ApiId", id}, {"RouteKey", route_key}, {"Target", "integrations/" + ir.output["IntegrationId"].get<std::string>()}};
    create_child(*kind_of("Route"), a, route);
    json stage = {{"ApiId", id}, {"StageName", "$default"}, {"AutoDeploy", true}};
    create_child(*kind_of("Stage"), a, stage);
  }
  return Result::ok(a.doc);
}

Result V2Service::get_api(json& in) { return Result::ok(require_api(in).doc); }

Result V2Service::get_apis(json& in) {
  json items = json::array();
  for (const auto& [id, api] : apis_)
    if (api->account == ctx_->account_id && api->region == ctx_->region) items.push_back(api->doc);
  std::sort(items.begin(), items.end(), [](const json& a, const json& b) { return a.value("Name", "") < b.value("Name", ""); });
  size_t start = 0, max = 500;
  if (in.contains("NextToken") && in["NextToken"].is_string()) start = std::strtoul(in["NextToken"].get<std::string>().c_str(), nullptr, 10);
  if (in.contains("MaxResults") && in["MaxResults"].is_string()) max = std::clamp<size_t>(std::strtoul(in["MaxResults"].get<std::string>().c_str(), nullptr, 10), 1, 500);
  json page = json::array();
  for (size_t i = start; i < items.size() && page.size() < max; ++i) page.push_back(items[i]);
  json out = {{"Items", page}};
  if (start + page.size() < items.size()) out["NextToken"] = std::to_string(start + page.size());
  return Result::ok(out);
}

Result V2Service::update_api(json& in) {
  Api& api = require_api(in);
  bool ws = api.websocket();
  if (ws && in.contains("CorsConfiguration")) throw errors::bad_request("CorsConfiguration is supported only for HTTP APIs");
  for (auto it = in.begin(); it != in.end(); ++it) {
    if (it.key() == "ApiId" || it.key() == "Target" || it.key() == "RouteKey" || it.key() == "CredentialsArn") continue;
    api.doc[it.key()] = *it;
  }
  save_api(api);
  return Result::ok(api.doc);
}

Result V2Service::delete_api(json& in) {
  Api& api = require_api(in);
  std::string id = api.id();
  store_.remove_api(id);
  apis_.erase(id);
  return Result::ok();
}

namespace {
// A string member of an imported definition, `fallback` when absent or of another type (the
// definition is whatever its author wrote; json::value would throw on another type).
std::string spec_text(const json& o, const char* key, const std::string& fallback = "") {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : fallback;
}
}  // namespace

// OpenAPI 3 import: paths → routes and integrations, securitySchemes → JWT authorizers,
// x-amazon-apigateway-cors → the CORS configuration.
void V2Service::import_openapi(Api& api, const json& spec, bool replace) {
  if (replace) {
    for (const char* k : {"Route", "Integration", "Authorizer", "RouteResponse", "IntegrationResponse", "Model"}) {
      for (const auto& [key, d] : api.children[k]) store_.remove(k, api.id(), key);
      api.children[k].clear();
    }
  }
  if (spec.contains("info") && spec["info"].is_object()) {
    if (spec["info"].contains("title") && spec["info"]["title"].is_string()) api.doc["Name"] = spec["info"]["title"];
    if (spec["info"].contains("version") && spec["info"]["version"].is_string()) api.doc["Version"] = spec["info"]["version"];
    if (spec["info"].contains("description") && spec["info"]["description"].is_string())
      api.doc["Description"] = spec["info"]["description"];
  }
  if (spec.contains("x-amazon-apigateway-cors") && spec["x-amazon-apigateway-cors"].is_object()) {
    json cors = json::object();
    static const std::pair<const char*, const char*> kCors[] = {
        {"allowOrigins", "AllowOrigins"}, {"allowMethods", "AllowMethods"}, {"allowHeaders", "AllowHeaders"},
        {"exposeHeaders", "ExposeHeaders"}, {"allowCredentials", "AllowCredentials"}, {"maxAge", "MaxAge"}};
    for (auto [from, to] : kCors) {
      auto v = spec["x-amazon-apigateway-cors"].find(from);
      if (v == spec["x-amazon-apigateway-cors"].end()) continue;
      // Only members of the model's types: string lists, a boolean, an integer.
      bool list = v->is_array() && std::all_of(v->begin(), v->end(), [](const json& e) { return e.is_string(); });
      if (std::string_view(to) == "AllowCredentials" ? v->is_boolean()
          : std::string_view(to) == "MaxAge"         ? v->is_number_integer()
                                                     : list)
        cors[to] = *v;
    }
    api.doc["CorsConfiguration"] = cors;
  }
  std::map<std::string, std::string> authorizer_ids;
  if (spec.contains("components") && spec["components"].is_object() && spec["components"].contains("securitySchemes") &&
      spec["components"]["securitySchemes"].is_object()) {
    for (const auto& [name, scheme] : spec["components"]["securitySchemes"].items()) {
      if (!scheme.is_object() || !scheme.contains("x-amazon-apigateway-authorizer")) continue;
      const json& az = scheme["x-amazon-apigateway-authorizer"];
      if (!az.is_object()) continue;
      json a = {{"ApiId", api.id()}, {"Name", name}};
      if (lower(spec_text(az, "type")) == "jwt") {
        a["AuthorizerType"] = "JWT";
        json jc = json::object();
        if (az.contains("jwtConfiguration") && az["jwtConfiguration"].is_object()) {
          jc["Issuer"] = spec_text(az["jwtConfiguration"], "issuer");
          if (az["jwtConfiguration"].contains("audience")) jc["Audience"] = az["jwtConfiguration"]["audience"];
        }
        a["JwtConfiguration"] = jc;
        std::string src = spec_text(az, "identitySource", "$request.header.Authorization");
        a["IdentitySource"] = json::array({src});
      } else {
        a["AuthorizerType"] = "REQUEST";
        a["AuthorizerUri"] = spec_text(az, "authorizerUri");
        a["AuthorizerPayloadFormatVersion"] = spec_text(az, "authorizerPayloadFormatVersion", "2.0");
        auto simple = az.find("enableSimpleResponses");
        a["EnableSimpleResponses"] = simple != az.end() && simple->is_boolean() && simple->get<bool>();
        if (az.contains("identitySource") && az["identitySource"].is_string())
          a["IdentitySource"] = json::array({az["identitySource"]});
      }
      authorizer_ids[name] = create_child(*kind_of("Authorizer"), api, a).output["AuthorizerId"];
    }
  }
  if (!spec.contains("paths") || !spec["paths"].is_object()) return;
  for (const auto& [path, item] : spec["paths"].items()) {
    if (!item.is_object()) continue;
    for (const auto& [method, op] : item.items()) {
      std::string m = method == "x-amazon-apigateway-any-method" ? "ANY" : upper(method);
      static const std::vector<std::string> kMethods = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"};
      if (std::find(kMethods.begin(), kMethods.end(), m) == kMethods.end() || !op.is_object()) continue;
      std::string key = path == "/$default" ? "$default" : m + " " + path;
      json route = {{"ApiId", api.id()}, {"RouteKey", key}};
      if (op.contains("x-amazon-apigateway-integration") && op["x-amazon-apigateway-integration"].is_object()) {
        const json& x = op["x-amazon-apigateway-integration"];
        json integ = {{"ApiId", api.id()}, {"IntegrationType", upper(spec_text(x, "type", "aws_proxy"))},
                      {"IntegrationUri", spec_text(x, "uri")}};
        if (x.contains("httpMethod") && x["httpMethod"].is_string()) integ["IntegrationMethod"] = x["httpMethod"];
        if (x.contains("payloadFormatVersion") && x["payloadFormatVersion"].is_string())
          integ["PayloadFormatVersion"] = x["payloadFormatVersion"];
        if (x.contains("timeoutInMillis") && x["timeoutInMillis"].is_number_integer())
          integ["TimeoutInMillis"] = x["timeoutInMillis"];
        if (x.contains("connectionType") && x["connectionType"].is_string()) integ["ConnectionType"] = x["connectionType"];
        route["Target"] = "integrations/" + create_child(*kind_of("Integration"), api, integ).output["IntegrationId"].get<std::string>();
      }
      if (op.contains("security") && op["security"].is_array())
        for (const auto& req : op["security"]) {
          if (!req.is_object()) continue;
          for (const auto& [name, scopes] : req.items())
            if (auto it = authorizer_ids.find(name); it != authorizer_ids.end()) {
              route["AuthorizerId"] = it->second;
              route["AuthorizationType"] = api.children["Authorizer"][it->second].value("AuthorizerType", "") == "JWT" ? "JWT" : "CUSTOM";
              if (scopes.is_array() && !scopes.empty()) route["AuthorizationScopes"] = scopes;
            }
        }
      if (op.contains("operationId") && op["operationId"].is_string()) route["OperationName"] = op["operationId"];
      create_child(*kind_of("Route"), api, route);
    }
  }
}

namespace {
json parse_spec(const json& in) {
  std::string body = in.value("Body", "");
  json spec = json::parse(body, nullptr, false);
  if (spec.is_discarded() || !spec.is_object())
    throw errors::bad_request("Invalid OpenAPI input: only OpenAPI 3 definitions in JSON are supported");
  if (!spec.contains("openapi") || !spec["openapi"].is_string() || !spec["openapi"].get<std::string>().starts_with("3."))
    throw errors::bad_request("Invalid OpenAPI input: only OpenAPI 3 definitions are supported");
  return spec;
}
}  // namespace

Result V2Service::import_api(json& in) {
  json spec = parse_spec(in);
  std::string title = spec.contains("info") ? spec_text(spec["info"], "title") : "";
  json create = {{"Name", title.empty() ? "imported" : title}, {"ProtocolType", "HTTP"}};
  Result r = create_api(create);
  Api& api = *apis_[r.output["ApiId"].get<std::string>()];
  try {
    import_openapi(api, spec, false);
  } catch (...) {
    store_.remove_api(api.id());
    apis_.erase(api.id());
    throw;
  }
  save_api(api);
  return Result::ok(api.doc);
}

Result V2Service::reimport_api(json& in) {
  Api& api = require_api(in);
  json spec = parse_spec(in);
  import_openapi(api, spec, true);
  save_api(api);
  after_change(api);
  return Result::ok(api.doc);
}

json V2Service::export_openapi(const Api& api, bool extensions) const {
  json spec = {{"openapi", "3.0.1"},
               {"info", {{"title", api.doc.value("Name", "")}, {"version", api.doc.value("Version", "1.0")}}},
               {"paths", json::object()}};
  if (api.doc.contains("Description")) spec["info"]["description"] = api.doc["Description"];
  if (extensions) spec["x-amazon-apigateway-importexport-version"] = "1.0";
  auto children = [&](const char* k) -> const std::map<std::string, json>& {
    static const std::map<std::string, json> kNone;
    auto it = api.children.find(k);
    return it == api.children.end() ? kNone : it->second;
  };
  for (const auto& [id, route] : children("Route")) {
    std::string key = route.value("RouteKey", "");
    std::string method = "x-amazon-apigateway-any-method", path = "/$default";
    if (key != "$default") {
      size_t sp = key.find(' ');
      method = key.substr(0, sp) == "ANY" ? "x-amazon-apigateway-any-method" : lower(key.substr(0, sp));
      path = key.substr(sp + 1);
    }
    json op = {{"responses", {{"default", {{"description", "Default response for " + key}}}}}};
    auto params = json::array();
    for (size_t i = path.find('{'); i != std::string::npos; i = path.find('{', i + 1)) {
      size_t j = path.find('}', i);
      std::string n = path.substr(i + 1, j - i - 1);
      if (n.ends_with("+")) n.pop_back();
      params.push_back({{"name", n}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    }
    if (!params.empty()) op["parameters"] = params;
    std::string target = route.value("Target", "");
    if (extensions && target.starts_with("integrations/")) {
      auto& ints = children("Integration");
      if (auto it = ints.find(target.substr(13)); it != ints.end()) {
        const json& i = it->second;
        json x = {{"type", lower(i.value("IntegrationType", ""))}, {"uri", i.value("IntegrationUri", "")},
                  {"connectionType", i.value("ConnectionType", "INTERNET")}};
        if (i.contains("IntegrationMethod")) x["httpMethod"] = i["IntegrationMethod"];
        if (i.contains("PayloadFormatVersion")) x["payloadFormatVersion"] = i["PayloadFormatVersion"];
        if (i.contains("TimeoutInMillis")) x["timeoutInMillis"] = i["TimeoutInMillis"];
        op["x-amazon-apigateway-integration"] = x;
      }
    }
    if (route.contains("AuthorizerId")) {
      auto& auths = children("Authorizer");
      if (auto it = auths.find(route["AuthorizerId"].get<std::string>()); it != auths.end())
        op["security"] = json::array({{{it->second.value("Name", ""), route.value("AuthorizationScopes", json::array())}}});
    }
    spec["paths"][path][method] = op;
  }
  json schemes = json::object();
  for (const auto& [id, a] : children("Authorizer")) {
    json x;
    if (a.value("AuthorizerType", "") == "JWT") {
      const json jc = a.value("JwtConfiguration", json::object());
      x = {{"type", "jwt"}, {"jwtConfiguration", {{"issuer", jc.value("Issuer", "")}, {"audience", jc.value("Audience", json::array())}}}};
    } else {
      x = {{"type", "request"}, {"authorizerUri", a.value("AuthorizerUri", "")},
           {"authorizerPayloadFormatVersion", a.value("AuthorizerPayloadFormatVersion", "2.0")},
           {"enableSimpleResponses", a.value("EnableSimpleResponses", false)}};
    }
    if (a.contains("IdentitySource") && a["IdentitySource"].is_array() && !a["IdentitySource"].empty())
      x["identitySource"] = a["IdentitySource"][0];
    json scheme = {{"type", "oauth2"}, {"flows", json::object()}};
    if (a.value("AuthorizerType", "") != "JWT") scheme = {{"type", "apiKey"}, {"name", "Authorization"}, {"in", "header"}};
    if (extensions) scheme["x-amazon-apigateway-authorizer"] = x;
    schemes[a.value("Name", id)] = scheme;
  }
  if (!schemes.empty()) spec["components"] = {{"securitySchemes", schemes}};
  if (extensions && api.doc.contains("CorsConfiguration")) {
    json cors = json::object();
    static const std::pair<const char*, const char*> kCors[] = {
        {"AllowOrigins", "allowOrigins"}, {"AllowMethods", "allowMethods"}, {"AllowHeaders", "allowHeaders"},
        {"ExposeHeaders", "exposeHeaders"}, {"AllowCredentials", "allowCredentials"}, {"MaxAge", "maxAge"}};
    for (auto [from, to] : kCors)
      if (api.doc["CorsConfiguration"].contains(from)) cors[to] = api.doc["CorsConfiguration"][from];
    spec["x-amazon-apigateway-cors"] = cors;
  }
  return spec;
}

Result V2Service::export_api(json& in) {
  Api& api = require_api(in);
  if (api.websocket()) throw errors::bad_request("Export is supported only for HTTP APIs");
  if (in.value("Specification", "") != "OAS30") throw errors::bad_request("Invalid specification: must be OAS30");
  std::string type = in.value("OutputType", "");
  if (type != "JSON" && type != "YAML") throw errors::bad_request("Invalid output type: must be JSON or YAML");
  bool extensions = !in.contains("IncludeExtensions") || in["IncludeExtensions"] == true || in["IncludeExtensions"] == "true";
  // A JSON document is also valid YAML 1.2.
  return Result::ok({{"body", export_openapi(api, extensions).dump(2)}});
}

}  // namespace awan::apigateway::v2
