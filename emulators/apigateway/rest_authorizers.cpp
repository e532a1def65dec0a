// Authorizers (TOKEN and REQUEST Lambda authorizers, Cognito user pools) and their cache
// (rest_impl.hpp). The data plane's authorizer calls live in rest_invoke.cpp.
#include "apigateway/rest_impl.hpp"

namespace awan::apigateway {

using namespace rest_errors;

namespace {

void validate_authorizer(const json& a) {
  if (a.value("name", "").empty()) throw bad_request("Authorizer name must be non-empty");
  std::string type = a.value("type", "");
  if (type != "TOKEN" && type != "REQUEST" && type != "COGNITO_USER_POOLS")
    throw bad_request("Invalid authorizer type specified. Valid options are TOKEN,REQUEST,COGNITO_USER_POOLS");
  if (type == "COGNITO_USER_POOLS") {
    if (!a.contains("providerARNs") || !a["providerARNs"].is_array() || a["providerARNs"].empty())
      throw bad_request("ProviderARNs need to be specified for COGNITO_USER_POOLS authorizer.");
  } else if (a.value("authorizerUri", "").empty()) {
    throw bad_request("Authorizer URI must be specified for authorizers of type " + type);
  }
  int ttl = a.value("authorizerResultTtlInSeconds", 300);
  if (ttl < 0 || ttl > 3600) throw bad_request("Invalid value for authorizerResultTtlInSeconds. Valid range is 0 to 3600.");
  std::string source = a.value("identitySource", "");
  if (type == "TOKEN" && source.rfind("method.request.header.", 0) != 0)
    throw bad_request("Invalid identity source specified. The identity source for a TOKEN authorizer must be a header: method.request.header.<name>");
  if (type == "REQUEST" && source.empty() && ttl > 0)
    throw bad_request("Identity source must be specified when caching is enabled");
}

}  // namespace

json RestService::create_authorizer(json& in) {
  json& api = api_doc(in);
  json a = {{"name", str(in, "name")}, {"type", str(in, "type")},
            {"authorizerResultTtlInSeconds", in.value("authorizerResultTtlInSeconds", 300)}};
  for (const char* f : {"providerARNs", "authType", "authorizerUri", "authorizerCredentials", "identitySource",
                        "identityValidationExpression"})
    if (in.contains(f)) a[f] = in[f];
  validate_authorizer(a);
  std::string id;
  do id = new_id(6);
  while (api["authorizers"].contains(id));
  a["id"] = id;
  api["authorizers"][id] = a;
  save_api(api["api"]["id"]);
  return a;
}

json RestService::get_authorizer(json& in) {
  json& api = api_doc(in);
  auto it = api["authorizers"].find(str(in, "authorizerId"));
  if (it == api["authorizers"].end()) throw not_found("Invalid Authorizer identifier specified");
  return *it;
}

json RestService::get_authorizers(json& in) {
  json& api = api_doc(in);
  json items = json::array();
  for (auto& [id, a] : api["authorizers"].items()) items.push_back(a);
  return page(items, in);
}

json RestService::update_authorizer(json& in) {
  json& api = api_doc(in);
  get_authorizer(in);
  json& a = api["authorizers"][str(in, "authorizerId")];
  json updated = a;
  apply_patch(updated, in.value("patchOperations", json::array()));
  updated["id"] = a["id"];
  validate_authorizer(updated);
  a = updated;
  auth_cache_.clear();
  save_api(api["api"]["id"]);
  return a;
}

json RestService::delete_authorizer(json& in) {
  json& api = api_doc(in);
  get_authorizer(in);
  std::string id = str(in, "authorizerId");
  for (auto& [rid, r] : api["resources"].items())
    for (auto& [name, m] : r["resourceMethods"].items())
      if (m.value("authorizerId", "") == id && m.value("authorizationType", "") != "NONE")
        throw conflict("Cannot delete authorizer, is referenced in method: " + name + " " + r["path"].get<std::string>());
  api["authorizers"].erase(id);
  save_api(api["api"]["id"]);
  return json::object();
}

json RestService::flush_stage_authorizers_cache(json& in) {
  json& api = api_doc(in);
  stage_of(api, in);
  std::string prefix = api["api"]["id"].get<std::string>() + "/" + str(in, "stageName") + "/";
  for (auto it = auth_cache_.begin(); it != auth_cache_.end();)
    it = it->first.rfind(prefix, 0) == 0 ? auth_cache_.erase(it) : std::next(it);
  return json::object();
}

}  // namespace awan::apigateway
