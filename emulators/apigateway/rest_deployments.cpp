// Deployments (snapshots of an API), stages (variables, method settings), ImportRestApi,
// PutRestApi and GetExport (rest_impl.hpp, openapi.hpp).
#include "apigateway/openapi.hpp"
#include "apigateway/rest_impl.hpp"

namespace awan::apigateway {

using namespace rest_errors;

namespace {

bool valid_stage_name(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

// "/*/*/throttling/rateLimit", "/~1pets/GET/caching/enabled": a stage's method settings, keyed
// "*/*" or "pets/GET".
bool stage_patch(json& doc, const std::string& op, const std::string& path, const json& value) {
  std::vector<std::string> parts;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (parts.size() < 3 || parts[0] == "variables" || parts[0] == "accessLogSettings" || parts[0] == "canarySettings")
    return false;
  std::string resource = unescape_patch_segment(parts[0]);
  if (!resource.empty() && resource[0] == '/') resource.erase(0, 1);
  std::string key = resource + "/" + parts[1];
  std::string setting = parts[2] + (parts.size() > 3 ? "/" + parts[3] : "");
  static const std::map<std::string, std::pair<const char*, int>> kSettings = {
      {"throttling/rateLimit", {"throttlingRateLimit", 2}}, {"throttling/burstLimit", {"throttlingBurstLimit", 1}},
      {"metrics/enabled", {"metricsEnabled", 0}},           {"logging/loglevel", {"loggingLevel", 3}},
      {"logging/dataTrace", {"dataTraceEnabled", 0}},       {"caching/enabled", {"cachingEnabled", 0}},
      {"caching/ttlInSeconds", {"cacheTtlInSeconds", 1}},   {"caching/dataEncrypted", {"cacheDataEncrypted", 0}},
      {"caching/requireAuthorizationForCacheControl", {"requireAuthorizationForCacheControl", 0}},
      {"caching/unauthorizedCacheControlHeaderStrategy", {"unauthorizedCacheControlHeaderStrategy", 3}}};
  auto it = kSettings.find(setting);
  if (it == kSettings.end()) throw bad_request("Invalid method setting path: " + path);
  json& settings = doc["methodSettings"];
  if (!settings.is_object()) settings = json::object();
  if (op == "remove") {
    if (settings.contains(key)) settings[key].erase(it->second.first);
    return true;
  }
  if (!settings.contains(key))
    settings[key] = {{"metricsEnabled", false}, {"dataTraceEnabled", false}, {"throttlingBurstLimit", 5000},
                     {"throttlingRateLimit", 10000.0}, {"cachingEnabled", false}, {"cacheTtlInSeconds", 300},
                     {"cacheDataEncrypted", false}, {"requireAuthorizationForCacheControl", true},
                     {"unauthorizedCacheControlHeaderStrategy", "SUCCEED_WITH_RESPONSE_HEADER"}};
  std::string v = value.is_string() ? value.get<std::string>() : value.dump();
  json typed;
  char* end = nullptr;
  switch (it->second.second) {
    case 0:
      if (v != "true" && v != "false") throw bad_request("Invalid boolean value: " + v);
      typed = v == "true";
      break;
    case 1:
    case 2: {
      double d = std::strtod(v.c_str(), &end);
      if (v.empty() || *end) throw bad_request("Invalid number value: " + v);
      typed = it->second.second == 1 ? json(static_cast<int64_t>(d)) : json(d);
      break;
    }
    default:
      typed = v;
  }
  settings[key][it->second.first] = typed;
  return true;
}

// The models' schemas, parsed once for the data plane's validators.
json parsed_models(const json& models) {
  json out = json::object();
  for (auto& [name, m] : models.items()) {
    json schema = json::parse(m.value("schema", "{}"), nullptr, false);
    out[name] = schema.is_discarded() ? json::object() : schema;
  }
  return out;
}

}  // namespace

json RestService::create_deployment(json& in) {
  json& api = api_doc(in);
  bool any_method = false;
  for (auto& [id, r] : api["resources"].items())
    for (auto& [name, m] : r["resourceMethods"].items()) {
      any_method = true;
      if (!m.contains("methodIntegration")) throw bad_request("No integration defined for method");
    }
  if (!any_method) throw bad_request("The REST API doesn't contain any methods");
  std::string stage_name = str(in, "stageName");
  if (!stage_name.empty() && !valid_stage_name(stage_name))
    throw bad_request("Stage name only allows a-zA-Z0-9_");
  std::string id;
  do id = new_id(6);
  while (api["deployments"].contains(id));
  json summary = json::object();
  for (auto& [rid, r] : api["resources"].items())
    for (auto& [name, m] : r["resourceMethods"].items())
      summary[r["path"].get<std::string>()][name] = {{"authorizationType", m.value("authorizationType", "NONE")},
                                                     {"apiKeyRequired", m.value("apiKeyRequired", false)}};
  json d = {{"id", id}, {"createdDate", now_s()}, {"apiSummary", summary}};
  if (in.contains("description")) d["description"] = in["description"];
  api["deployments"][id] = {{"deployment", d},
                            {"resources", api["resources"]},
                            {"authorizers", api["authorizers"]},
                            {"binaryMediaTypes", api["api"].value("binaryMediaTypes", json::array())},
                            {"models", parsed_models(api.value("models", json::object()))},
                            {"requestValidators", api.value("requestValidators", json::object())},
                            {"gatewayResponses", api.value("gatewayResponses", json::object())},
                            {"apiKeySource", api["api"].value("apiKeySource", "HEADER")}};
  if (!stage_name.empty()) {
    json& stages = api["stages"];
    if (!stages.contains(stage_name)) {
      stages[stage_name] = {{"stageName", stage_name}, {"deploymentId", id}, {"cacheClusterEnabled", false},
                            {"cacheClusterStatus", "NOT_AVAILABLE"}, {"methodSettings", json::object()},
                            {"tracingEnabled", false}, {"tags", json::object()}, {"createdDate", now_s()},
                            {"lastUpdatedDate", now_s()}};
      if (in.contains("stageDescription")) stages[stage_name]["description"] = in["stageDescription"];
    }
    json& st = stages[stage_name];
    st["deploymentId"] = id;
    st["lastUpdatedDate"] = now_s();
    if (auto v = in.find("variables"); v != in.end() && v->is_object())
      for (auto& [k, x] : v->items()) st["variables"][k] = x;
  }
  save_api(api["api"]["id"]);
  return d;
}

json RestService::get_deployment(json& in) {
  json& api = api_doc(in);
  auto it = api["deployments"].find(str(in, "deploymentId"));
  if (it == api["deployments"].end()) throw not_found("Invalid Deployment identifier specified");
  json d = (*it)["deployment"];
  bool embed = false;
  if (auto e = in.find("embed"); e != in.end() && e->is_array())
    for (auto& v : *e) embed = embed || v == "apisummary";
  if (!embed) d.erase("apiSummary");
  return d;
}

json RestService::get_deployments(json& in) {
  json& api = api_doc(in);
  json items = json::array();
  for (auto& [id, d] : api["deployments"].items()) {
    json x = d["deployment"];
    x.erase("apiSummary");
    items.push_back(x);
  }
  return page(items, in);
}

json RestService::update_deployment(json& in) {
  json& api = api_doc(in);
  get_deployment(in);
  json& d = api["deployments"][str(in, "deploymentId")]["deployment"];
  json updated = d;
  apply_patch(updated, in.value("patchOperations", json::array()));
  if (updated.contains("description")) d["description"] = updated["description"];
  else d.erase("description");
  save_api(api["api"]["id"]);
  json out = d;
  out.erase("apiSummary");
  return out;
}

json RestService::delete_deployment(json& in) {
  json& api = api_doc(in);
  std::string id = str(in, "deploymentId");
  if (!api["deployments"].contains(id)) throw not_found("Invalid Deployment identifier specified");
  for (auto& [name, s] : api["stages"].items())
    if (s.value("deploymentId", "") == id)
      throw bad_request("Active stages pointing to this deployment must be moved or deleted");
  api["deployments"].erase(id);
  save_api(api["api"]["id"]);
  return json::object();
}

json& RestService::stage_of(json& api, const json& in) {
  auto it = api["stages"].find(str(in, "stageName"));
  if (it == api["stages"].end()) throw not_found("Invalid Stage identifier specified");
  return *it;
}

json RestService::create_stage(json& in) {
  json& api = api_doc(in);
  std::string name = str(in, "stageName");
  std::string deployment = str(in, "deploymentId");
  if (!valid_stage_name(name)) throw bad_request("Stage name only allows a-zA-Z0-9_");
  if (!api["deployments"].contains(deployment)) throw not_found("Invalid Deployment identifier specified");
  if (api["stages"].contains(name)) throw conflict("Stage already exists");
  json s = {{"stageName", name}, {"deploymentId", deployment},
            {"cacheClusterEnabled", in.value("cacheClusterEnabled", false)},
            {"cacheClusterStatus", "NOT_AVAILABLE"}, {"methodSettings", json::object()},
            {"tracingEnabled", in.value("tracingEnabled", false)}, {"tags", in.value("tags", json::object())},
            {"createdDate", now_s()}, {"lastUpdatedDate", now_s()}};
  for (const char* f : {"description", "variables", "documentationVersion", "cacheClusterSize", "canarySettings"})
    if (in.contains(f)) s[f] = in[f];
  api["stages"][name] = s;
  save_api(api["api"]["id"]);
  return s;
}

json RestService::get_stage(json& in) {
  json& api = api_doc(in);
  return stage_of(api, in);
}

json RestService::get_stages(json& in) {
  json& api = api_doc(in);
  json items = json::array();
  std::string deployment = str(in, "deploymentId");
  for (auto& [name, s] : api["stages"].items())
    if (deployment.empty() || s.value("deploymentId", "") == deployment) items.push_back(s);
  return {{"item", items}};
}

json RestService::update_stage(json& in) {
  json& api = api_doc(in);
  json& s = stage_of(api, in);
  json updated = s;
  apply_patch(updated, in.value("patchOperations", json::array()), stage_patch);
  if (!api["deployments"].contains(str(updated, "deploymentId"))) throw bad_request("Invalid deployment ID specified");
  updated["stageName"] = s["stageName"];
  updated["lastUpdatedDate"] = now_s();
  s = updated;
  // Throttle settings may have changed: buckets are rebuilt on the next request.
  buckets_.clear();
  save_api(api["api"]["id"]);
  return s;
}

json RestService::delete_stage(json& in) {
  json& api = api_doc(in);
  stage_of(api, in);
  std::string name = str(in, "stageName");
  std::string id = api["api"]["id"];
  api["stages"].erase(name);
  for (auto& [pid, plan] : plans_) {
    json& stages = plan["plan"]["apiStages"];
    if (!stages.is_array()) continue;
    json kept = json::array();
    for (auto& s : stages)
      if (!(s.value("apiId", "") == id && s.value("stage", "") == name)) kept.push_back(s);
    if (kept.size() != stages.size()) {
      stages = kept;
      save_plan(pid);
    }
  }
  save_api(id);
  return json::object();
}

// ---- OpenAPI ----

namespace {

// Builds the resource tree of `paths` into `api` (merge: existing methods are replaced).
void merge_paths(json& api, const ImportedApi& imported, const std::function<std::string()>& new_id) {
  json& resources = api["resources"];
  std::map<std::string, std::string> auth_ids;
  for (auto& [name, a] : imported.authorizers.items()) {
    std::string id;
    for (auto& [aid, existing] : api["authorizers"].items())
      if (existing.value("name", "") == name) id = aid;
    if (id.empty()) id = new_id();
    json auth = a;
    auth["id"] = id;
    api["authorizers"][id] = auth;
    auth_ids[name] = id;
  }
  // Models (their references name this API), validators by name, gateway responses.
  std::string api_id = api["api"]["id"];
  json& models = api["models"];
  if (!models.is_object()) models = json::object();
  for (auto& [name, m] : imported.models.items()) {
    std::string schema = m["schema"];
    for (size_t at = schema.find("{restapi_id}"); at != std::string::npos; at = schema.find("{restapi_id}", at))
      schema.replace(at, 12, api_id);
    json model = {{"name", name}, {"contentType", m["contentType"]}, {"schema", schema}};
    model["id"] = models.contains(name) ? models[name].value("id", new_id()) : new_id();
    models[name] = model;
  }
  std::map<std::string, std::string> validator_ids;
  json& validators = api["requestValidators"];
  if (!validators.is_object()) validators = json::object();
  for (auto& [name, v] : imported.validators.items()) {
    std::string id;
    for (auto& [vid, existing] : validators.items())
      if (existing.value("name", "") == name) id = vid;
    if (id.empty()) id = new_id();
    json doc = v;
    doc["id"] = id;
    validators[id] = doc;
    validator_ids[name] = id;
  }
  for (auto& [type, r] : imported.gateway_responses.items()) api["gatewayResponses"][type] = r;
  for (const auto& entry : imported.paths) {
    std::string path = entry["path"];
    std::string parent = api["rootId"];
    size_t i = 1;
    std::string current;
    while (i < path.size()) {
      size_t j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      std::string part = path.substr(i, j - i);
      i = j + 1;
      if (part.empty()) continue;
      current += "/" + part;
      std::string found;
      for (auto& [id, r] : resources.items())
        if (r.value("parentId", "") == parent && r.value("pathPart", "") == part) found = id;
      if (found.empty()) {
        found = new_id();
        resources[found] = {{"id", found}, {"parentId", parent}, {"pathPart", part}, {"path", current},
                            {"resourceMethods", json::object()}};
      }
      parent = found;
    }
    json& r = resources[parent];
    for (auto& [method, m] : entry["methods"].items()) {
      json doc = m;
      if (doc.contains("authorizerName")) {
        doc["authorizerId"] = auth_ids[doc["authorizerName"].get<std::string>()];
        doc.erase("authorizerName");
      }
      if (doc.contains("requestValidatorName")) {
        auto v = validator_ids.find(doc["requestValidatorName"].get<std::string>());
        if (v != validator_ids.end()) doc["requestValidatorId"] = v->second;
        doc.erase("requestValidatorName");
      }
      if (doc.contains("methodIntegration")) doc["methodIntegration"]["cacheNamespace"] = parent;
      r["resourceMethods"][method] = doc;
    }
  }
}

}  // namespace

json RestService::import_rest_api(json& in) {
  std::string body = str(in, "body");
  auto def = parse_definition_text(body);
  if (!def) throw bad_request("Invalid OpenAPI input.");
  auto parsed = import_openapi(*def);
  if (auto* e = std::get_if<std::string>(&parsed)) throw bad_request(*e);
  auto& imported = std::get<ImportedApi>(parsed);
  if (in.value("failOnWarnings", false) && !imported.warnings.empty())
    throw bad_request("Warnings found during import:\n\t" + imported.warnings.front());
  std::string id = create_api_record(imported.fields, json::object());
  json& api = apis_[id];
  merge_paths(api, imported, [this] { return new_id(6); });
  if (!imported.warnings.empty()) api["api"]["warnings"] = imported.warnings;
  save_api(id);
  json out = api["api"];
  api["api"].erase("warnings");
  save_api(id);
  return out;
}

json RestService::put_rest_api(json& in) {
  json& api = api_doc(in);
  auto def = parse_definition_text(str(in, "body"));
  if (!def) throw bad_request("Invalid OpenAPI input.");
  auto parsed = import_openapi(*def);
  if (auto* e = std::get_if<std::string>(&parsed)) throw bad_request(*e);
  auto& imported = std::get<ImportedApi>(parsed);
  if (in.value("failOnWarnings", false) && !imported.warnings.empty())
    throw bad_request("Warnings found during import:\n\t" + imported.warnings.front());
  std::string mode = str(in, "mode", "merge");
  if (mode != "merge" && mode != "overwrite") throw bad_request("Invalid mode specified. Valid options are merge,overwrite");
  if (mode == "overwrite") {
    std::string root = api["rootId"];
    api["resources"] = {{root, {{"id", root}, {"path", "/"}, {"resourceMethods", json::object()}}}};
    api["authorizers"] = json::object();
    api["requestValidators"] = json::object();
    api["gatewayResponses"] = json::object();
    for (const char* f : {"description", "binaryMediaTypes"}) api["api"].erase(f);
  }
  for (auto& [k, v] : imported.fields.items())
    if (k != "name" || mode == "overwrite") api["api"][k] = v;
  merge_paths(api, imported, [this] { return new_id(6); });
  save_api(api["api"]["id"]);
  return api["api"];
}

json RestService::get_export(json& in) {
  json& api = api_doc(in);
  json& stage = stage_of(api, in);
  std::string type = str(in, "exportType");
  if (type != "oas30" && type != "swagger") throw bad_request("No such export type: " + type);
  const json& d = api["deployments"][stage["deploymentId"].get<std::string>()];
  ExportInput x;
  x.api = api["api"];
  x.api["binaryMediaTypes"] = d.value("binaryMediaTypes", json::array());
  x.resources = d["resources"];
  x.authorizers = d["authorizers"];
  x.stage = stage["stageName"];
  x.swagger = type == "swagger";
  std::string region = ctx_ ? ctx_->region : env_.default_region;
  x.host = api["api"]["id"].get<std::string>() + ".execute-api." + region + ".amazonaws.com";
  x.extensions = false;
  if (auto p = in.find("parameters"); p != in.end() && p->is_object())
    x.extensions = p->value("extensions", "") == "integrations" || p->value("extensions", "") == "apigateway" ||
                   p->value("extensions", "") == "authorizers";
  json doc = export_openapi(x);
  std::string accepts = str(in, "accepts", "application/json");
  bool yaml = accepts.find("yaml") != std::string::npos;
  std::string name = std::string(x.swagger ? "swagger" : "oas30") + (yaml ? ".yaml" : ".json");
  return {{"contentType", yaml ? "application/yaml" : "application/json"},
          {"contentDisposition", "attachment; filename=\"" + name + "\""},
          {"body", yaml ? to_yaml(doc) : doc.dump(2, ' ', false, json::error_handler_t::replace)}};
}

}  // namespace awan::apigateway
