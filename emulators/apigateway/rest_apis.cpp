// REST APIs, resources, methods, method responses, integrations, integration responses and tags
// (rest_impl.hpp).
#include <set>

#include "apigateway/rest_impl.hpp"
#include "core/ids.hpp"

namespace awan::apigateway {

using namespace rest_errors;

namespace {

const std::set<std::string> kHttpMethods = {"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"};
const std::set<std::string> kAuthorizationTypes = {"NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"};
const std::set<std::string> kIntegrationTypes = {"HTTP", "HTTP_PROXY", "AWS", "AWS_PROXY", "MOCK"};

bool valid_path_part(const std::string& p) {
  if (p.empty()) return false;
  std::string inner = p;
  if (p.front() == '{') {
    if (p.size() < 3 || p.back() != '}') return false;
    inner = p.substr(1, p.size() - 2);
    if (!inner.empty() && inner.back() == '+') inner.pop_back();
    if (inner.empty()) return false;
  }
  for (char c : inner) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-' || c == ':';
    if (!ok) return false;
  }
  return true;
}

bool is_variable(const std::string& p) { return !p.empty() && p.front() == '{'; }
bool is_greedy(const std::string& p) { return p.size() > 2 && p[p.size() - 2] == '+' && p.back() == '}'; }

void copy_members(json& to, const json& from, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (auto it = from.find(n); it != from.end() && !it->is_null()) to[n] = *it;
}

json resource_output(const json& r, bool embed) {
  json out = r;
  if (!embed && out.contains("resourceMethods")) {
    json brief = json::object();
    for (auto& [m, _] : out["resourceMethods"].items()) brief[m] = json::object();
    out["resourceMethods"] = brief;
  }
  if (out.contains("resourceMethods") && out["resourceMethods"].empty()) out.erase("resourceMethods");
  return out;
}

// The two models every new REST API has.
json default_models() {
  const std::string draft4 = "\"$schema\": \"http://json-schema.org/draft-04/schema#\"";
  return {{"Empty",
           {{"id", ids::random_string(6, "abcdefghijklmnopqrstuvwxyz0123456789")}, {"name", "Empty"},
            {"description", "This is a default empty schema model"}, {"contentType", "application/json"},
            {"schema", "{\n  " + draft4 + ",\n  \"title\" : \"Empty Schema\",\n  \"type\" : \"object\"\n}"}}},
          {"Error",
           {{"id", ids::random_string(6, "abcdefghijklmnopqrstuvwxyz0123456789")}, {"name", "Error"},
            {"description", "This is a default error schema model"}, {"contentType", "application/json"},
            {"schema", "{\n  " + draft4 + ",\n  \"title\" : \"Error Schema\",\n  \"type\" : \"object\",\n  "
                       "\"properties\" : {\n    \"message\" : { \"type\" : \"string\" }\n  }\n}"}}}};
}

void check_content_handling(const json& doc) {
  auto c = doc.find("contentHandling");
  if (c == doc.end() || c->is_null()) return;
  if (*c != "CONVERT_TO_BINARY" && *c != "CONVERT_TO_TEXT")
    throw bad_request("Invalid content handling specified. Valid options are CONVERT_TO_BINARY,CONVERT_TO_TEXT");
}

}  // namespace

std::string RestService::create_api_record(json fields, json tags) {
  std::string id;
  do id = new_id(10);
  while (apis_.count(id));
  std::string root;
  root = new_id(10);
  json api = {{"id", id}, {"createdDate", now_s()}, {"apiKeySource", "HEADER"},
              {"endpointConfiguration", {{"types", {"EDGE"}}}}, {"disableExecuteApiEndpoint", false}};
  for (auto& [k, v] : fields.items()) api[k] = v;
  if (!tags.is_object()) tags = json::object();
  api["tags"] = tags;
  json doc = {{"scope", scope()},
              {"api", api},
              {"rootId", root},
              {"resources", {{root, {{"id", root}, {"path", "/"}, {"resourceMethods", json::object()}}}}},
              {"authorizers", json::object()},
              {"deployments", json::object()},
              {"stages", json::object()},
              {"models", default_models()},
              {"requestValidators", json::object()},
              {"gatewayResponses", json::object()}};
  apis_[id] = std::move(doc);
  save_api(id);
  return id;
}

json RestService::create_rest_api(json& in) {
  std::string name = str(in, "name");
  if (name.empty()) throw bad_request("Invalid REST API name specified");
  json fields = {{"name", name}};
  copy_members(fields, in, {"description", "version", "binaryMediaTypes", "minimumCompressionSize", "apiKeySource",
                            "endpointConfiguration", "policy", "disableExecuteApiEndpoint"});
  if (fields.contains("apiKeySource") && fields["apiKeySource"] != "HEADER" && fields["apiKeySource"] != "AUTHORIZER")
    throw bad_request("Invalid apiKeySource specified");
  std::string clone = str(in, "cloneFrom");
  if (!clone.empty()) {
    json probe = {{"restApiId", clone}};
    json source = api_doc(probe);
    std::string id = create_api_record(fields, in.value("tags", json::object()));
    json& doc = apis_[id];
    doc["resources"] = source["resources"];
    doc["rootId"] = source["rootId"];
    doc["authorizers"] = source["authorizers"];
    for (const char* f : {"models", "requestValidators", "gatewayResponses"})
      if (source.contains(f)) doc[f] = source[f];
    save_api(id);
    return doc["api"];
  }
  std::string id = create_api_record(fields, in.value("tags", json::object()));
  return apis_[id]["api"];
}

json RestService::get_rest_api(json& in) { return api_doc(in)["api"]; }

json RestService::get_rest_apis(json& in) {
  json items = json::array();
  std::string sc = scope();
  for (auto& [id, doc] : apis_)
    if (doc.value("scope", "") == sc) items.push_back(doc["api"]);
  return page(items, in);
}

json RestService::update_rest_api(json& in) {
  json& doc = api_doc(in);
  json api = doc["api"];
  apply_patch(api, in.value("patchOperations", json::array()));
  api["id"] = doc["api"]["id"];
  if (str(api, "name").empty()) throw bad_request("Invalid REST API name specified");
  doc["api"] = api;
  save_api(api["id"]);
  return api;
}

json RestService::delete_rest_api(json& in) {
  json& doc = api_doc(in);
  std::string id = doc["api"]["id"];
  for (auto& [pid, plan] : plans_) {
    json& stages = plan["plan"]["apiStages"];
    if (!stages.is_array()) continue;
    json kept = json::array();
    for (auto& s : stages)
      if (s.value("apiId", "") != id) kept.push_back(s);
    if (kept.size() != stages.size()) {
      stages = kept;
      save_plan(pid);
    }
  }
  apis_.erase(id);
  store_.erase("restapi", id);
  return json::object();
}

// ---- resources ----

json& RestService::resource_of(json& api, const json& in) {
  json& resources = api["resources"];
  auto it = resources.find(str(in, "resourceId"));
  if (it == resources.end()) throw not_found("Invalid Resource identifier specified");
  return *it;
}

void RestService::refresh_paths(json& api) {
  json& resources = api["resources"];
  // Parents before children: repeat until stable (depth is bounded by the resource count).
  for (size_t round = 0; round <= resources.size(); ++round) {
    bool changed = false;
    for (auto& [id, r] : resources.items()) {
      if (!r.contains("parentId")) continue;
      auto p = resources.find(r["parentId"].get<std::string>());
      if (p == resources.end()) continue;
      std::string parent = (*p)["path"];
      std::string path = (parent == "/" ? "" : parent) + "/" + r["pathPart"].get<std::string>();
      if (r["path"] != path) {
        r["path"] = path;
        changed = true;
      }
    }
    if (!changed) break;
  }
}

json RestService::get_resources(json& in) {
  json& api = api_doc(in);
  bool embed = false;
  if (auto e = in.find("embed"); e != in.end() && e->is_array())
    for (auto& v : *e) embed = embed || v == "methods";
  json items = json::array();
  for (auto& [id, r] : api["resources"].items()) items.push_back(resource_output(r, embed));
  return page(items, in, "path");
}

json RestService::get_resource(json& in) {
  json& api = api_doc(in);
  bool embed = false;
  if (auto e = in.find("embed"); e != in.end() && e->is_array())
    for (auto& v : *e) embed = embed || v == "methods";
  return resource_output(resource_of(api, in), embed);
}

json RestService::create_resource(json& in) {
  json& api = api_doc(in);
  std::string parent_id = str(in, "parentId");
  std::string part = str(in, "pathPart");
  json& resources = api["resources"];
  auto p = resources.find(parent_id);
  if (p == resources.end()) throw not_found("Invalid Resource identifier specified");
  if (!valid_path_part(part))
    throw bad_request(
        "Resource's path part only allow a-zA-Z0-9._-: and curly braces at the beginning and the end and an optional "
        "plus sign before the closing brace.");
  if (p->contains("pathPart") && is_greedy((*p)["pathPart"]))
    throw bad_request("Cannot create a child of a resource with a greedy path variable: " +
                      (*p)["pathPart"].get<std::string>());
  for (auto& [id, r] : resources.items()) {
    if (r.value("parentId", "") != parent_id) continue;
    std::string sibling = r["pathPart"];
    if (sibling == part) throw conflict("Another resource with the same parent already has this name: " + part);
    if (is_variable(part) && is_variable(sibling))
      throw bad_request("A sibling (" + sibling + ") of this resource already has a variable path part -- only one is allowed");
  }
  std::string id;
  do id = new_id(6);
  while (resources.contains(id));
  std::string parent_path = (*p)["path"];
  json r = {{"id", id},
            {"parentId", parent_id},
            {"pathPart", part},
            {"path", (parent_path == "/" ? "" : parent_path) + "/" + part},
            {"resourceMethods", json::object()}};
  resources[id] = r;
  save_api(api["api"]["id"]);
  return resource_output(r, false);
}

json RestService::update_resource(json& in) {
  json& api = api_doc(in);
  json& r = resource_of(api, in);
  if (!r.contains("parentId")) throw bad_request("Root resource cannot be updated");
  json updated = r;
  apply_patch(updated, in.value("patchOperations", json::array()));
  if (!valid_path_part(str(updated, "pathPart")))
    throw bad_request("Resource's path part only allow a-zA-Z0-9._-: and curly braces at the beginning and the end and an optional plus sign before the closing brace.");
  if (!api["resources"].contains(str(updated, "parentId"))) throw not_found("Invalid Resource identifier specified");
  updated["id"] = r["id"];
  r = updated;
  refresh_paths(api);
  save_api(api["api"]["id"]);
  return resource_output(r, false);
}

json RestService::delete_resource(json& in) {
  json& api = api_doc(in);
  json& r = resource_of(api, in);
  if (!r.contains("parentId")) throw bad_request("Cannot delete the root resource");
  std::set<std::string> doomed = {r["id"].get<std::string>()};
  json& resources = api["resources"];
  for (size_t round = 0; round <= resources.size(); ++round) {
    size_t before = doomed.size();
    for (auto& [id, x] : resources.items())
      if (x.contains("parentId") && doomed.count(x["parentId"].get<std::string>())) doomed.insert(id);
    if (doomed.size() == before) break;
  }
  for (const auto& id : doomed) resources.erase(id);
  save_api(api["api"]["id"]);
  return json::object();
}

// ---- methods ----

json& RestService::method_of(json& api, const json& in) {
  json& r = resource_of(api, in);
  json& methods = r["resourceMethods"];
  auto it = methods.find(str(in, "httpMethod"));
  if (it == methods.end()) throw not_found("Invalid Method identifier specified");
  return *it;
}

json RestService::put_method(json& in) {
  json& api = api_doc(in);
  json& r = resource_of(api, in);
  std::string method = str(in, "httpMethod");
  if (!kHttpMethods.count(method))
    throw bad_request("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY");
  std::string auth = str(in, "authorizationType");
  if (!kAuthorizationTypes.count(auth))
    throw bad_request("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS");
  if (auth == "CUSTOM" || auth == "COGNITO_USER_POOLS") {
    if (!api["authorizers"].contains(str(in, "authorizerId")))
      throw bad_request("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.");
  }
  json& methods = r["resourceMethods"];
  if (methods.contains(method)) throw conflict("Method already exists for this resource");
  json m = {{"httpMethod", method}, {"authorizationType", auth}, {"apiKeyRequired", in.value("apiKeyRequired", false)}};
  copy_members(m, in, {"authorizerId", "operationName", "requestParameters", "requestModels", "requestValidatorId",
                       "authorizationScopes"});
  check_method_references(api, m);
  methods[method] = m;
  save_api(api["api"]["id"]);
  return m;
}

json RestService::get_method(json& in) {
  json& api = api_doc(in);
  return method_of(api, in);
}

json RestService::update_method(json& in) {
  json& api = api_doc(in);
  json& m = method_of(api, in);
  json updated = m;
  apply_patch(updated, in.value("patchOperations", json::array()));
  std::string auth = str(updated, "authorizationType");
  if (!kAuthorizationTypes.count(auth))
    throw bad_request("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS");
  if ((auth == "CUSTOM" || auth == "COGNITO_USER_POOLS") && !api["authorizers"].contains(str(updated, "authorizerId")))
    throw bad_request("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.");
  updated["httpMethod"] = m["httpMethod"];
  if (updated.contains("requestValidatorId") && updated["requestValidatorId"] == "") updated.erase("requestValidatorId");
  // "/requestParameters/method.request.querystring.q" patches carry "true"/"false": booleans, as AWS stores them.
  if (auto p = updated.find("requestParameters"); p != updated.end() && p->is_object())
    for (auto& [name, required] : p->items())
      if (required == "true" || required == "false") required = required == "true";
  check_method_references(api, updated);
  m = updated;
  save_api(api["api"]["id"]);
  return m;
}

json RestService::delete_method(json& in) {
  json& api = api_doc(in);
  method_of(api, in);
  resource_of(api, in)["resourceMethods"].erase(str(in, "httpMethod"));
  save_api(api["api"]["id"]);
  return json::object();
}

json RestService::put_method_response(json& in) {
  json& api = api_doc(in);
  json& m = method_of(api, in);
  std::string code = str(in, "statusCode");
  if (code.size() != 3 || code[0] < '1' || code[0] > '5') throw bad_request("Invalid status code specified");
  json resp = {{"statusCode", code}};
  copy_members(resp, in, {"responseParameters", "responseModels"});
  m["methodResponses"][code] = resp;
  save_api(api["api"]["id"]);
  return resp;
}

json RestService::get_method_response(json& in) {
  json& api = api_doc(in);
  json& m = method_of(api, in);
  auto it = m["methodResponses"].find(str(in, "statusCode"));
  if (!m["methodResponses"].is_object() || it == m["methodResponses"].end())
    throw not_found("Invalid Response status code specified");
  return *it;
}

json RestService::update_method_response(json& in) {
  json& api = api_doc(in);
  get_method_response(in);
  json& resp = method_of(api, in)["methodResponses"][str(in, "statusCode")];
  apply_patch(resp, in.value("patchOperations", json::array()));
  resp["statusCode"] = str(in, "statusCode");
  save_api(api["api"]["id"]);
  return resp;
}

json RestService::delete_method_response(json& in) {
  json& api = api_doc(in);
  get_method_response(in);
  method_of(api, in)["methodResponses"].erase(str(in, "statusCode"));
  save_api(api["api"]["id"]);
  return json::object();
}

// ---- integrations ----

json RestService::put_integration(json& in) {
  json& api = api_doc(in);
  json& m = method_of(api, in);
  std::string type = str(in, "type");
  if (type.empty()) throw bad_request("Enumeration value for IntegrationType must be non-empty");
  if (!kIntegrationTypes.count(type))
    throw bad_request("Invalid integration type specified. Valid options are HTTP,HTTP_PROXY,AWS,AWS_PROXY,MOCK");
  std::string http_method = str(in, "integrationHttpMethod");
  std::string uri = str(in, "uri");
  if (type != "MOCK") {
    if (http_method.empty()) throw bad_request("Enumeration value for HttpMethod must be non-empty");
    if (!kHttpMethods.count(http_method))
      throw bad_request("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY");
    if (uri.empty()) throw bad_request("Invalid HTTP endpoint specified for URI");
    if ((type == "HTTP" || type == "HTTP_PROXY") && uri.rfind("http://", 0) != 0 && uri.rfind("https://", 0) != 0 &&
        uri.find("${stageVariables.") == std::string::npos)
      throw bad_request("Invalid HTTP endpoint specified for URI");
    if ((type == "AWS" || type == "AWS_PROXY") && uri.rfind("arn:", 0) != 0)
      throw bad_request("AWS ARN for integration must contain path or action");
    if (type == "AWS_PROXY" && uri.find(":lambda:path/") == std::string::npos && uri.find(":firehose:") == std::string::npos)
      throw bad_request("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.");
  }
  std::string passthrough = str(in, "passthroughBehavior", "WHEN_NO_MATCH");
  if (passthrough != "WHEN_NO_MATCH" && passthrough != "WHEN_NO_TEMPLATES" && passthrough != "NEVER")
    throw bad_request("Invalid passthrough behavior specified. Valid options are WHEN_NO_MATCH,WHEN_NO_TEMPLATES,NEVER");
  json i = {{"type", type},
            {"passthroughBehavior", passthrough},
            {"timeoutInMillis", in.value("timeoutInMillis", 29000)},
            {"cacheNamespace", str(in, "cacheNamespace", str(in, "resourceId"))},
            {"cacheKeyParameters", in.value("cacheKeyParameters", json::array())}};
  if (!http_method.empty()) i["httpMethod"] = http_method;
  if (!uri.empty()) i["uri"] = uri;
  if (type == "HTTP" || type == "HTTP_PROXY") i["connectionType"] = str(in, "connectionType", "INTERNET");
  copy_members(i, in, {"credentials", "requestParameters", "requestTemplates", "contentHandling", "connectionId", "tlsConfig"});
  check_content_handling(i);
  m["methodIntegration"] = i;
  save_api(api["api"]["id"]);
  return i;
}

json RestService::get_integration(json& in) {
  json& api = api_doc(in);
  json& m = method_of(api, in);
  if (!m.contains("methodIntegration")) throw not_found("No integration defined for method");
  return m["methodIntegration"];
}

json RestService::update_integration(json& in) {
  json& api = api_doc(in);
  get_integration(in);
  json& i = method_of(api, in)["methodIntegration"];
  json responses = i.value("integrationResponses", json());
  json updated = i;
  apply_patch(updated, in.value("patchOperations", json::array()));
  check_content_handling(updated);
  i = updated;
  if (!responses.is_null()) i["integrationResponses"] = responses;
  save_api(api["api"]["id"]);
  return i;
}

json RestService::delete_integration(json& in) {
  json& api = api_doc(in);
  get_integration(in);
  method_of(api, in).erase("methodIntegration");
  save_api(api["api"]["id"]);
  return json::object();
}

json RestService::put_integration_response(json& in) {
  json& api = api_doc(in);
  json& m = method_of(api, in);
  if (!m.contains("methodIntegration")) throw not_found("No integration defined for method");
  std::string code = str(in, "statusCode");
  if (!m["methodResponses"].is_object() || !m["methodResponses"].contains(code))
    throw not_found("Invalid Response status code specified");
  json resp = {{"statusCode", code}};
  copy_members(resp, in, {"selectionPattern", "responseParameters", "responseTemplates", "contentHandling"});
  check_content_handling(resp);
  m["methodIntegration"]["integrationResponses"][code] = resp;
  save_api(api["api"]["id"]);
  return resp;
}

json RestService::get_integration_response(json& in) {
  json i = get_integration(in);
  json& responses = i["integrationResponses"];
  auto it = responses.is_object() ? responses.find(str(in, "statusCode")) : responses.end();
  if (!responses.is_object() || it == responses.end()) throw not_found("Invalid Response status code specified");
  return *it;
}

json RestService::update_integration_response(json& in) {
  json& api = api_doc(in);
  get_integration_response(in);
  json& resp = method_of(api, in)["methodIntegration"]["integrationResponses"][str(in, "statusCode")];
  json updated = resp;
  apply_patch(updated, in.value("patchOperations", json::array()));
  check_content_handling(updated);
  resp = updated;
  resp["statusCode"] = str(in, "statusCode");
  save_api(api["api"]["id"]);
  return resp;
}

json RestService::delete_integration_response(json& in) {
  json& api = api_doc(in);
  get_integration_response(in);
  method_of(api, in)["methodIntegration"]["integrationResponses"].erase(str(in, "statusCode"));
  save_api(api["api"]["id"]);
  return json::object();
}

// ---- tags: arn:aws:apigateway:<region>::/restapis/<id>[/stages/<name>], /apikeys/<id>, /usageplans/<id> ----

json* RestService::tags_of(const std::string& arn) {
  auto at = arn.find("::/");
  if (arn.rfind("arn:", 0) != 0 || at == std::string::npos) return nullptr;
  std::string path = arn.substr(at + 2);
  auto part = [&](size_t n) {
    size_t start = 0;
    for (size_t i = 0; i <= n; ++i) {
      size_t slash = path.find('/', start);
      if (slash == std::string::npos) return std::string();
      start = slash + 1;
    }
    size_t end = path.find('/', start);
    return path.substr(start, end == std::string::npos ? std::string::npos : end - start);
  };
  std::string kind = part(0), id = part(1);
  std::string sc = scope();
  if (kind == "restapis") {
    auto it = apis_.find(id);
    if (it == apis_.end() || it->second["scope"] != sc) return nullptr;
    if (part(2) == "stages") {
      json& stages = it->second["stages"];
      auto s = stages.find(part(3));
      return s == stages.end() ? nullptr : &(*s)["tags"];
    }
    return &it->second["api"]["tags"];
  }
  if (kind == "apikeys") {
    auto it = keys_.find(id);
    return it == keys_.end() || it->second["scope"] != sc ? nullptr : &it->second["key"]["tags"];
  }
  if (kind == "usageplans") {
    auto it = plans_.find(id);
    return it == plans_.end() || it->second["scope"] != sc ? nullptr : &it->second["plan"]["tags"];
  }
  return nullptr;
}

namespace {
void save_owner(const std::string& arn, RestStore& store, std::map<std::string, json>& apis,
                std::map<std::string, json>& keys, std::map<std::string, json>& plans) {
  for (auto* m : {&apis, &keys, &plans}) {
    const char* kind = m == &apis ? "restapi" : m == &keys ? "apikey" : "usageplan";
    const char* seg = m == &apis ? "/restapis/" : m == &keys ? "/apikeys/" : "/usageplans/";
    auto at = arn.find(seg);
    if (at == std::string::npos) continue;
    std::string id = arn.substr(at + std::string(seg).size());
    id = id.substr(0, id.find('/'));
    if (auto it = m->find(id); it != m->end()) store.put(kind, id, it->second);
  }
}
}  // namespace

json RestService::tag_resource(json& in) {
  std::string arn = str(in, "resourceArn");
  json* tags = tags_of(arn);
  if (!tags) throw not_found("Invalid resource identifier specified");
  if (!tags->is_object()) *tags = json::object();
  if (auto t = in.find("tags"); t != in.end() && t->is_object())
    for (auto& [k, v] : t->items()) (*tags)[k] = v;
  if (tags->size() > 50) throw bad_request("Too many tags: a resource can have up to 50 tags");
  save_owner(arn, store_, apis_, keys_, plans_);
  return json::object();
}

json RestService::untag_resource(json& in) {
  std::string arn = str(in, "resourceArn");
  json* tags = tags_of(arn);
  if (!tags) throw not_found("Invalid resource identifier specified");
  if (auto t = in.find("tagKeys"); t != in.end() && t->is_array() && tags->is_object())
    for (auto& k : *t)
      if (k.is_string()) tags->erase(k.get<std::string>());
  save_owner(arn, store_, apis_, keys_, plans_);
  return json::object();
}

json RestService::get_tags(json& in) {
  json* tags = tags_of(str(in, "resourceArn"));
  if (!tags) throw not_found("Invalid resource identifier specified");
  return {{"tags", tags->is_object() ? *tags : json::object()}};
}

}  // namespace awan::apigateway
