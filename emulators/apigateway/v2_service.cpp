// The apigatewayv2 service: construction, reset, dispatch, the generic operations of an API's
// resources (routes, integrations, stages, deployments, authorizers, models, route and
// integration responses) and tags. APIs themselves: v2_apis.cpp; data plane: v2_invoke.cpp.
#include <spdlog/spdlog.h>

#include "apigateway/apigateway.hpp"
#include "apigateway/v2_impl.hpp"
#include "apigateway/v2_mapping.hpp"
#include "apigateway/v2_routes.hpp"
#include "core/ids.hpp"
#include "core/operation.hpp"

namespace awan::apigateway::v2 {

namespace {

// An HTTP API integration's RequestParameters and ResponseParameters (v2_mapping.hpp).
void check_parameter_mappings(const json& in) {
  if (auto p = in.find("RequestParameters"); p != in.end() && !p->is_null()) {
    if (!p->is_object()) throw errors::bad_request("RequestParameters must be a map");
    for (const auto& [key, value] : p->items())
      if (std::string why = mapping_problem(key, value, false); !why.empty()) throw errors::bad_request(why);
  }
  if (auto p = in.find("ResponseParameters"); p != in.end() && !p->is_null()) {
    if (!p->is_object()) throw errors::bad_request("ResponseParameters must be a map");
    for (const auto& [status, mappings] : p->items()) {
      int code = std::atoi(status.c_str());
      if (status.size() != 3 || code < 200 || code > 599 || !mappings.is_object())
        throw errors::bad_request("Invalid status code " + status + " in ResponseParameters: status codes must be between 200 and 599");
      for (const auto& [key, value] : mappings.items())
        if (std::string why = mapping_problem(key, value, true); !why.empty()) throw errors::bad_request(why);
    }
  }
}

double epoch(std::chrono::system_clock::time_point t) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}
}  // namespace

V2Service::V2Service(const ServiceEnv& env) : env_(env), store_(env.db_path("apigatewayv2"), storage::durability(env.sync_full)) {
  for (auto& row : store_.all()) {
    if (row.kind == "Api") {
      auto api = std::make_unique<Api>();
      api->account = row.account;
      api->region = row.region;
      api->doc = std::move(row.doc);
      apis_[row.api_id] = std::move(api);
    } else if (auto it = apis_.find(row.api_id); it != apis_.end()) {
      it->second->children[row.kind][row.id] = std::move(row.doc);
    }
  }
}

void V2Service::reset() {
  {
    std::lock_guard lock(mu_);
    apis_.clear();
    store_.clear();
  }
  {
    std::lock_guard lock(buckets_mu_);
    buckets_.clear();
  }
  jwks_.clear();
  {
    std::lock_guard lock(auth_cache_mu_);
    auth_cache_.clear();
  }
  std::map<std::string, std::shared_ptr<Connection>> conns;
  {
    std::lock_guard lock(conn_mu_);
    conns.swap(connections_);
  }
  for (auto& [id, c] : conns)
    if (c->peer) c->peer->close();
}

const V2Service::Kind* V2Service::kind_of(const std::string& name) {
  static const Kind kKinds[] = {
      {"Route", "RouteId", nullptr, 7, "Route"},
      {"Integration", "IntegrationId", nullptr, 7, "Integration"},
      {"Stage", "StageName", nullptr, 0, "stage"},
      {"Deployment", "DeploymentId", nullptr, 6, "Deployment"},
      {"Authorizer", "AuthorizerId", nullptr, 6, "Authorizer"},
      {"Model", "ModelId", nullptr, 6, "Model"},
      {"RouteResponse", "RouteResponseId", "RouteId", 6, "RouteResponse"},
      {"IntegrationResponse", "IntegrationResponseId", "IntegrationId", 6, "IntegrationResponse"},
  };
  for (const Kind& k : kKinds)
    if (name == k.name) return &k;
  return nullptr;
}

std::string V2Service::endpoint_of(const std::string& id, bool websocket) const {
  std::string base = env_.endpoint_url ? env_.endpoint_url() : "http://127.0.0.1:4566";
  size_t colon = base.rfind(':');
  std::string port = colon != std::string::npos && colon > 6 ? base.substr(colon) : "";
  return std::string(websocket ? "ws://" : "http://") + id + ".execute-api.localhost" + port;
}

Api& V2Service::require_api(const json& in) {
  std::string id = in.value("ApiId", "");
  auto it = apis_.find(id);
  if (it == apis_.end() || it->second->account != ctx_->account_id || it->second->region != ctx_->region)
    throw errors::not_found("Invalid API identifier specified " + ctx_->account_id + ":" + id);
  return *it->second;
}

json& V2Service::require_child(Api& api, const Kind& k, const std::string& key) {
  auto& m = api.children[k.name];
  auto it = m.find(key);
  if (it == m.end()) {
    std::string id = key.substr(key.find('/') + 1);
    throw errors::not_found("Invalid " + std::string(k.not_found) + " identifier specified " + ctx_->account_id + ":" + id);
  }
  return it->second;
}

void V2Service::save_api(Api& api) { store_.put({"Api", api.id(), api.id(), api.account, api.region, api.doc}); }

void V2Service::save_child(Api& api, const std::string& kind, const std::string& key) {
  auto& m = api.children[kind];
  auto it = m.find(key);
  if (it == m.end()) store_.remove(kind, api.id(), key);
  else store_.put({kind, api.id(), key, api.account, api.region, it->second});
}

std::string V2Service::deploy(Api& api, bool automatic) {
  std::string id = ids::random_string(6, "abcdefghijklmnopqrstuvwxyz0123456789");
  api.children["Deployment"][id] = {{"DeploymentId", id}, {"DeploymentStatus", "DEPLOYED"},
                                    {"AutoDeployed", automatic}, {"CreatedDate", epoch(now())}};
  save_child(api, "Deployment", id);
  json snapshot = json::object();
  for (const char* k : {"Route", "Integration", "Authorizer", "RouteResponse"}) {
    snapshot[k] = json::object();
    for (const auto& [key, doc] : api.children[k]) snapshot[k][key] = doc;
  }
  api.children["Snapshot"][id] = std::move(snapshot);
  save_child(api, "Snapshot", id);
  return id;
}

const json* V2Service::deployed(const Api& api, const std::string& stage) {
  auto stages = api.children.find("Stage");
  if (stages == api.children.end()) return nullptr;
  auto s = stages->second.find(stage);
  if (s == stages->second.end() || !s->second.contains("DeploymentId") || !s->second["DeploymentId"].is_string())
    return nullptr;
  auto snaps = api.children.find("Snapshot");
  if (snaps == api.children.end()) return nullptr;
  auto it = snaps->second.find(s->second["DeploymentId"].get<std::string>());
  return it == snaps->second.end() ? nullptr : &it->second;
}

void V2Service::after_change(Api& api) {
  for (auto& [name, stage] : api.children["Stage"]) {
    if (!stage.value("AutoDeploy", false)) continue;
    std::string id = deploy(api, true);
    stage["DeploymentId"] = id;
    stage["LastDeploymentStatusMessage"] = "Successfully deployed stage with deployment ID '" + id + "'";
    stage["LastUpdatedDate"] = epoch(now());
    save_child(api, "Stage", name);
  }
}

Result V2Service::create_child(const Kind& k, Api& api, json& in) {
  json doc = in;
  doc.erase("ApiId");
  std::string parent;
  if (k.parent) {
    parent = in.value(k.parent, "");
    const Kind* pk = kind_of(std::string(k.parent) == "RouteId" ? "Route" : "Integration");
    require_child(api, *pk, parent);
    doc.erase(k.parent);
  }
  std::string kind = k.name;
  bool ws = api.websocket();
  if (kind == "Route") {
    std::string key = in.value("RouteKey", "");
    if (key.empty()) throw errors::bad_request("RouteKey is required");
    std::string why;
    if (!ws && !parse_route_key(key, &why)) throw errors::bad_request(why);
    if (ws && key.find(' ') != std::string::npos && key[0] != '$')
      throw errors::bad_request("Route key " + key + " is not valid for a WebSocket API");
    for (const auto& [id, r] : api.children["Route"])
      if (r.value("RouteKey", "") == key)
        throw errors::conflict("Unable to create the Route. Route with key " + key + " already exists for this API");
    if (!doc.contains("ApiKeyRequired")) doc["ApiKeyRequired"] = false;
    if (!doc.contains("AuthorizationType")) doc["AuthorizationType"] = "NONE";
    if (doc.contains("Target")) {
      std::string t = doc["Target"].get<std::string>();
      if (!t.starts_with("integrations/") || !api.children["Integration"].count(t.substr(13)))
        throw errors::bad_request("Invalid target " + t + ". Target must be of the form integrations/{integrationId}");
    }
    if (ws && key == "$connect") doc.erase("RouteResponseSelectionExpression");
  } else if (kind == "Integration") {
    std::string type = in.value("IntegrationType", "");
    static const std::vector<std::string> kTypes = {"AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"};
    if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end())
      throw errors::bad_request("Invalid integration type " + type);
    if (type != "MOCK" && in.value("IntegrationUri", "").empty() && !in.contains("IntegrationSubtype"))
      throw errors::bad_request("IntegrationUri is required for " + type + " integrations");
    if (!ws && (type == "AWS" || type == "HTTP" || type == "MOCK"))
      throw errors::bad_request("Integration type " + type + " is not supported for HTTP APIs");
    if (!doc.contains("ConnectionType")) doc["ConnectionType"] = "INTERNET";
    if (!doc.contains("PayloadFormatVersion") && type == "AWS_PROXY") doc["PayloadFormatVersion"] = ws ? "1.0" : "2.0";
    if (!ws && type == "HTTP_PROXY" && !doc.contains("PayloadFormatVersion")) doc["PayloadFormatVersion"] = "1.0";
    if (!doc.contains("IntegrationMethod") && type == "AWS_PROXY") doc["IntegrationMethod"] = "POST";
    if (!doc.contains("TimeoutInMillis")) doc["TimeoutInMillis"] = ws ? 29000 : 30000;
    if (ws && type != "AWS_PROXY" && type != "HTTP_PROXY" && !doc.contains("PassthroughBehavior"))
      doc["PassthroughBehavior"] = "WHEN_NO_MATCH";
    if (std::string pfv = doc.value("PayloadFormatVersion", "1.0"); pfv != "1.0" && pfv != "2.0")
      throw errors::bad_request("PayloadFormatVersion must be 1.0 or 2.0");
    if (!ws) check_parameter_mappings(in);
  } else if (kind == "Stage") {
    std::string name = in.value("StageName", "");
    if (name.empty()) throw errors::bad_request("StageName is required");
    if (api.children["Stage"].count(name)) throw errors::conflict("Stage already exists");
    if (!doc.contains("DefaultRouteSettings")) doc["DefaultRouteSettings"] = json::object();
    json& d = doc["DefaultRouteSettings"];
    if (!d.contains("DetailedMetricsEnabled")) d["DetailedMetricsEnabled"] = false;
    if (ws && !d.contains("DataTraceEnabled")) d["DataTraceEnabled"] = false;
    if (ws && !d.contains("LoggingLevel")) d["LoggingLevel"] = "OFF";
    for (const char* m : {"RouteSettings", "StageVariables", "Tags"})
      if (!doc.contains(m)) doc[m] = json::object();
    if (!doc.contains("AutoDeploy") && !ws) doc["AutoDeploy"] = false;
    doc["CreatedDate"] = doc["LastUpdatedDate"] = epoch(now());
    if (doc.contains("DeploymentId") && !api.children["Deployment"].count(doc["DeploymentId"].get<std::string>()))
      throw errors::not_found("Invalid Deployment identifier specified " + ctx_->account_id + ":" +
                              doc["DeploymentId"].get<std::string>());
  } else if (kind == "Deployment") {
    std::string stage = in.value("StageName", "");
    if (!stage.empty() && !api.children["Stage"].count(stage))
      throw errors::not_found("Invalid stage identifier specified " + ctx_->account_id + ":" + stage);
    doc.erase("StageName");
    doc["DeploymentStatus"] = "DEPLOYED";
    doc["AutoDeployed"] = false;
    doc["CreatedDate"] = epoch(now());
  } else if (kind == "Authorizer") {
    std::string type = in.value("AuthorizerType", "");
    if (in.value("Name", "").empty()) throw errors::bad_request("Name is required");
    if (type != "JWT" && type != "REQUEST") throw errors::bad_request("Invalid authorizer type " + type);
    if (type == "JWT" && (!in.contains("JwtConfiguration") || in["JwtConfiguration"].value("Issuer", "").empty()))
      throw errors::bad_request("JwtConfiguration with an Issuer is required for JWT authorizers");
    if (type == "REQUEST" && in.value("AuthorizerUri", "").empty())
      throw errors::bad_request("AuthorizerUri is required for REQUEST authorizers");
    if (type == "REQUEST" && !ws && !doc.contains("AuthorizerPayloadFormatVersion"))
      throw errors::bad_request("AuthorizerPayloadFormatVersion is required for REQUEST authorizers");
    if (type == "REQUEST" && !doc.contains("AuthorizerResultTtlInSeconds") && !ws) doc["AuthorizerResultTtlInSeconds"] = 300;
  } else if (kind == "Model") {
    if (in.value("Name", "").empty() || in.value("Schema", "").empty())
      throw errors::bad_request("Name and Schema are required");
  } else if (kind == "RouteResponse") {
    if (in.value("RouteResponseKey", "").empty()) throw errors::bad_request("RouteResponseKey is required");
  } else if (kind == "IntegrationResponse") {
    if (in.value("IntegrationResponseKey", "").empty()) throw errors::bad_request("IntegrationResponseKey is required");
  }
  if (kind == "Deployment") {
    std::string id = deploy(api, false);
    json& d = api.children["Deployment"][id];
    if (doc.contains("Description")) d["Description"] = doc["Description"];
    save_child(api, "Deployment", id);
    if (!in.value("StageName", "").empty()) {
      json& st = api.children["Stage"][in["StageName"].get<std::string>()];
      st["DeploymentId"] = id;
      st["LastUpdatedDate"] = epoch(now());
      save_child(api, "Stage", in["StageName"]);
    }
    return Result::ok(d);
  }
  std::string id = k.id_length ? ids::random_string(k.id_length, "abcdefghijklmnopqrstuvwxyz0123456789")
                               : in.value(k.id_member, "");
  doc[k.id_member] = id;
  std::string key = k.parent ? parent + "/" + id : id;
  api.children[kind][key] = doc;
  save_child(api, kind, key);
  if (kind == "Stage" && doc.value("AutoDeploy", false)) after_change(api);
  else if (kind == "Route" || kind == "Integration" || kind == "Authorizer" || kind == "RouteResponse") after_change(api);
  return Result::ok(api.children[kind][key]);
}

Result V2Service::update_child(const Kind& k, Api& api, json& doc, json& in) {
  if (std::string(k.name) == "Integration" && !api.websocket()) check_parameter_mappings(in);
  for (auto it = in.begin(); it != in.end(); ++it) {
    if (it.key() == "ApiId" || it.key() == k.id_member || (k.parent && it.key() == k.parent)) continue;
    doc[it.key()] = *it;
  }
  std::string kind = k.name;
  if (kind == "Route" && !api.websocket() && in.contains("RouteKey")) {
    std::string why;
    if (!parse_route_key(in["RouteKey"].get<std::string>(), &why)) throw errors::bad_request(why);
  }
  if (kind == "Stage") {
    if (in.contains("DeploymentId") && !api.children["Deployment"].count(in["DeploymentId"].get<std::string>()))
      throw errors::not_found("Invalid Deployment identifier specified " + ctx_->account_id + ":" +
                              in["DeploymentId"].get<std::string>());
    doc["LastUpdatedDate"] = epoch(now());
  }
  return Result::ok(doc);
}

Result V2Service::generic(const std::string& verb, const Kind& k, json& in) {
  Api& api = require_api(in);
  std::string kind = k.name;
  std::string parent = k.parent ? in.value(k.parent, "") : "";
  auto key_of = [&] { return k.parent ? parent + "/" + in.value(k.id_member, "") : in.value(k.id_member, ""); };
  if (verb == "Create") return create_child(k, api, in);
  if (verb == "List") {
    if (k.parent) require_child(api, *kind_of(std::string(k.parent) == "RouteId" ? "Route" : "Integration"), parent);
    json items = json::array();
    for (const auto& [key, doc] : api.children[kind])
      if (!k.parent || key.starts_with(parent + "/")) items.push_back(doc);
    return Result::ok({{"Items", items}});
  }
  std::string key = key_of();
  json& doc = require_child(api, k, key);
  if (verb == "Get") return Result::ok(doc);
  if (verb == "Update") {
    update_child(k, api, doc, in);
    save_child(api, kind, key);
    if (kind == "Route" || kind == "Integration" || kind == "Authorizer" ||
        (kind == "Stage" && in.value("AutoDeploy", false)))
      after_change(api);
    return Result::ok(api.children[kind][key]);
  }
  // Delete
  if (kind == "Integration")
    for (const auto& [id, r] : api.children["Route"])
      if (r.value("Target", "") == "integrations/" + in.value("IntegrationId", ""))
        throw errors::conflict("Cannot delete an integration that a route targets");
  if (kind == "Authorizer")
    for (const auto& [id, r] : api.children["Route"])
      if (r.value("AuthorizerId", "") == in.value("AuthorizerId", ""))
        throw errors::conflict("Cannot delete authorizer " + in.value("AuthorizerId", "") + ", is referenced in route: " +
                               r.value("RouteKey", ""));
  if (kind == "Deployment") {
    for (const auto& [name, st] : api.children["Stage"])
      if (st.value("DeploymentId", "") == key)
        throw errors::bad_request("Active stages pointing to this deployment must be moved or deleted");
    api.children["Snapshot"].erase(key);
    save_child(api, "Snapshot", key);
  }
  api.children[kind].erase(key);
  save_child(api, kind, key);
  if (kind == "Route" || kind == "Integration") {
    const char* sub = kind == "Route" ? "RouteResponse" : "IntegrationResponse";
    auto& m = api.children[sub];
    for (auto it = m.begin(); it != m.end();) {
      if (it->first.starts_with(key + "/")) {
        std::string gone = it->first;
        it = m.erase(it);
        store_.remove(sub, api.id(), gone);
      } else {
        ++it;
      }
    }
    after_change(api);
  }
  return Result::ok();
}

Result V2Service::delete_cors(json& in) {
  Api& api = require_api(in);
  api.doc.erase("CorsConfiguration");
  save_api(api);
  return Result::ok();
}

Result V2Service::delete_route_settings(json& in) {
  Api& api = require_api(in);
  json& stage = require_child(api, *kind_of("Stage"), in.value("StageName", ""));
  std::string key = in.value("RouteKey", "");
  if (!stage.contains("RouteSettings") || !stage["RouteSettings"].contains(key))
    throw errors::not_found("Unable to find Route Settings for RouteKey " + key);
  stage["RouteSettings"].erase(key);
  save_child(api, "Stage", in.value("StageName", ""));
  return Result::ok();
}

Result V2Service::delete_access_log_settings(json& in) {
  Api& api = require_api(in);
  json& stage = require_child(api, *kind_of("Stage"), in.value("StageName", ""));
  stage.erase("AccessLogSettings");
  save_child(api, "Stage", in.value("StageName", ""));
  return Result::ok();
}

Result V2Service::delete_route_request_parameter(json& in) {
  Api& api = require_api(in);
  json& route = require_child(api, *kind_of("Route"), in.value("RouteId", ""));
  std::string key = in.value("RequestParameterKey", "");
  if (!route.contains("RequestParameters") || !route["RequestParameters"].contains(key))
    throw errors::not_found("Invalid request parameter key " + key);
  route["RequestParameters"].erase(key);
  save_child(api, "Route", in.value("RouteId", ""));
  return Result::ok();
}

Result V2Service::reset_authorizers_cache(json& in) {
  Api& api = require_api(in);
  require_child(api, *kind_of("Stage"), in.value("StageName", ""));
  std::lock_guard lock(auth_cache_mu_);
  for (auto it = auth_cache_.begin(); it != auth_cache_.end();)
    it = it->first.starts_with(api.id() + "/") ? auth_cache_.erase(it) : std::next(it);
  return Result::ok();
}

Result V2Service::get_model_template(json& in) {
  Api& api = require_api(in);
  require_child(api, *kind_of("Model"), in.value("ModelId", ""));
  return Result::ok({{"Value", "#set($inputRoot = $input.path('$'))\n{ }"}});
}

namespace {
// "arn:aws:apigateway:<region>::/apis/<id>[/stages/<name>]" → id and stage.
bool parse_resource_arn(const std::string& arn, std::string& api, std::string& stage) {
  size_t p = arn.find("::/apis/");
  if (!arn.starts_with("arn:aws:apigateway:") || p == std::string::npos) return false;
  std::string rest = arn.substr(p + 8);
  size_t s = rest.find("/stages/");
  api = rest.substr(0, s);
  stage = s == std::string::npos ? "" : rest.substr(s + 8);
  return !api.empty() && api.find('/') == std::string::npos;
}
}  // namespace

Result V2Service::tag_resource(json& in) {
  std::string api_id, stage;
  std::string arn = in.value("ResourceArn", "");
  if (!parse_resource_arn(arn, api_id, stage)) throw errors::bad_request("Invalid resource ARN " + arn);
  json q = {{"ApiId", api_id}};
  Api& api = require_api(q);
  json& doc = stage.empty() ? api.doc : require_child(api, *kind_of("Stage"), stage);
  if (!doc.contains("Tags") || !doc["Tags"].is_object()) doc["Tags"] = json::object();
  if (in.contains("Tags") && in["Tags"].is_object())
    for (auto it = in["Tags"].begin(); it != in["Tags"].end(); ++it) doc["Tags"][it.key()] = *it;
  if (doc["Tags"].size() > 50) throw errors::bad_request("Too many tags: an API Gateway resource has at most 50");
  stage.empty() ? save_api(api) : save_child(api, "Stage", stage);
  return Result::ok();
}

Result V2Service::untag_resource(json& in) {
  std::string api_id, stage;
  std::string arn = in.value("ResourceArn", "");
  if (!parse_resource_arn(arn, api_id, stage)) throw errors::bad_request("Invalid resource ARN " + arn);
  json q = {{"ApiId", api_id}};
  Api& api = require_api(q);
  json& doc = stage.empty() ? api.doc : require_child(api, *kind_of("Stage"), stage);
  if (doc.contains("Tags") && in.contains("TagKeys") && in["TagKeys"].is_array())
    for (const auto& k : in["TagKeys"])
      if (k.is_string()) doc["Tags"].erase(k.get<std::string>());
  stage.empty() ? save_api(api) : save_child(api, "Stage", stage);
  return Result::ok();
}

Result V2Service::get_tags(json& in) {
  std::string api_id, stage;
  std::string arn = in.value("ResourceArn", "");
  if (!parse_resource_arn(arn, api_id, stage)) throw errors::bad_request("Invalid resource ARN " + arn);
  json q = {{"ApiId", api_id}};
  Api& api = require_api(q);
  json& doc = stage.empty() ? api.doc : require_child(api, *kind_of("Stage"), stage);
  return Result::ok({{"Tags", doc.contains("Tags") ? doc["Tags"] : json::object()}});
}

Result V2Service::call(const RequestContext& ctx, const std::string& op, json input) {
  static const std::map<std::string, Handler> kOps = {
      {"CreateApi", &V2Service::create_api},
      {"GetApi", &V2Service::get_api},
      {"GetApis", &V2Service::get_apis},
      {"UpdateApi", &V2Service::update_api},
      {"DeleteApi", &V2Service::delete_api},
      {"ImportApi", &V2Service::import_api},
      {"ReimportApi", &V2Service::reimport_api},
      {"ExportApi", &V2Service::export_api},
      {"DeleteCorsConfiguration", &V2Service::delete_cors},
      {"DeleteRouteSettings", &V2Service::delete_route_settings},
      {"DeleteAccessLogSettings", &V2Service::delete_access_log_settings},
      {"DeleteRouteRequestParameter", &V2Service::delete_route_request_parameter},
      {"ResetAuthorizersCache", &V2Service::reset_authorizers_cache},
      {"GetModelTemplate", &V2Service::get_model_template},
      {"TagResource", &V2Service::tag_resource},
      {"UntagResource", &V2Service::untag_resource},
      {"GetTags", &V2Service::get_tags},
  };
  if (!input.is_object()) input = json::object();
  std::function<Result()> handler;
  if (auto it = kOps.find(op); it != kOps.end()) {
    handler = [&, h = it->second] { return (this->*h)(input); };
  } else {
    for (const char* verb : {"Create", "Get", "Update", "Delete"}) {
      if (!op.starts_with(verb)) continue;
      std::string rest = op.substr(std::string_view(verb).size());
      std::string v = verb;
      const Kind* k = kind_of(rest);
      if (!k && v == "Get" && rest.ends_with("s")) {
        k = kind_of(rest.substr(0, rest.size() - 1));
        v = "List";
      }
      if (k) handler = [&, k, v] { return generic(v, *k, input); };
      break;
    }
  }
  if (!handler) return Result::fail(AwsError::not_implemented("The API Gateway V2 operation " + op));
  std::lock_guard lock(mu_);
  ctx_ = &ctx;
  Result r = run_operation("apigatewayv2", op, handler, AwsError("InternalServerError", "Internal server error", 500, false),
                           errors::bad_request("Invalid request input"));
  ctx_ = nullptr;
  return r;
}

}  // namespace awan::apigateway::v2

namespace awan::apigateway {
std::unique_ptr<Service> make_v2_service(const ServiceEnv& env) { return std::make_unique<v2::V2Service>(env); }
}  // namespace awan::apigateway
