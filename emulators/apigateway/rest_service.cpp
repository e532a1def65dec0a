// The REST API service: construction, reset, shared helpers and the operation dispatch. The
// operations live in rest_apis.cpp, rest_deployments.cpp, rest_keys.cpp and rest_authorizers.cpp;
// the data plane in rest_invoke.cpp.
#include <algorithm>
#include <unordered_map>

#include "apigateway/apigateway.hpp"
#include "apigateway/rest_impl.hpp"
#include "core/ids.hpp"
#include "core/operation.hpp"

namespace awan::apigateway {

RestService::RestService(const ServiceEnv& env) : env_(env), store_(env.db_path("apigateway"), storage::durability(env.sync_full)) {
  for (auto& [id, doc] : store_.all("restapi")) apis_[id] = std::move(doc);
  for (auto& [id, doc] : store_.all("apikey")) keys_[id] = std::move(doc);
  for (auto& [id, doc] : store_.all("usageplan")) plans_[id] = std::move(doc);
}

RestService::~RestService() { shutdown(); }

void RestService::shutdown() {
  std::lock_guard lock(mu_);
  *alive_ = false;
}

void RestService::reset() {
  std::lock_guard lock(mu_);
  store_.reset();
  apis_.clear();
  keys_.clear();
  plans_.clear();
  usage_.clear();
  buckets_.clear();
  auth_cache_.clear();
}

std::string RestService::scope() const {
  return ctx_ ? ctx_->account_id + "/" + ctx_->region : env_.default_account_id + "/" + env_.default_region;
}

int64_t RestService::now_s() const {
  return std::chrono::duration_cast<std::chrono::seconds>(env_.clock->now().time_since_epoch()).count();
}

std::string RestService::new_id(size_t n) const { return ids::random_string(n, "abcdefghijklmnopqrstuvwxyz0123456789"); }

std::string RestService::str(const json& in, const char* name, const std::string& fallback) {
  auto it = in.find(name);
  return it != in.end() && it->is_string() ? it->get<std::string>() : fallback;
}

json RestService::page(json items, const json& in, const char* key) {
  int64_t limit = 25;
  if (auto l = in.find("limit"); l != in.end() && !l->is_null()) {
    if (!l->is_number_integer() || l->get<int64_t>() < 1 || l->get<int64_t>() > 500)
      throw rest_errors::bad_request("Invalid limit specified. The value must be between 1 and 500.");
    limit = l->get<int64_t>();
  }
  auto by_key = [key](const json& a, const json& b) { return a.value(key, "") < b.value(key, ""); };
  std::stable_sort(items.begin(), items.end(), by_key);
  size_t start = 0;
  std::string position = str(in, "position");
  if (!position.empty()) {
    while (start < items.size() && items[start].value(key, "") < position) ++start;
  }
  json out = {{"items", json::array()}};
  size_t end = std::min(items.size(), start + static_cast<size_t>(limit));
  for (size_t i = start; i < end; ++i) out["items"].push_back(std::move(items[i]));
  if (end < items.size()) out["position"] = items[end].value(key, "");
  return out;
}

json& RestService::api_doc(const json& in) {
  auto it = apis_.find(str(in, "restApiId"));
  if (it == apis_.end() || it->second.value("scope", "") != scope()) throw rest_errors::api_not_found();
  return it->second;
}

void RestService::save_api(const std::string& id) { store_.put("restapi", id, apis_.at(id)); }
void RestService::save_key(const std::string& id) { store_.put("apikey", id, keys_.at(id)); }
void RestService::save_plan(const std::string& id) { store_.put("usageplan", id, plans_.at(id)); }

Result RestService::call(const RequestContext& ctx, const std::string& op, json input) {
  static const std::unordered_map<std::string, Handler> kOps = {
      {"CreateRestApi", &RestService::create_rest_api},
      {"GetRestApi", &RestService::get_rest_api},
      {"GetRestApis", &RestService::get_rest_apis},
      {"UpdateRestApi", &RestService::update_rest_api},
      {"DeleteRestApi", &RestService::delete_rest_api},
      {"GetResources", &RestService::get_resources},
      {"GetResource", &RestService::get_resource},
      {"CreateResource", &RestService::create_resource},
      {"UpdateResource", &RestService::update_resource},
      {"DeleteResource", &RestService::delete_resource},
      {"PutMethod", &RestService::put_method},
      {"GetMethod", &RestService::get_method},
      {"UpdateMethod", &RestService::update_method},
      {"DeleteMethod", &RestService::delete_method},
      {"PutMethodResponse", &RestService::put_method_response},
      {"GetMethodResponse", &RestService::get_method_response},
      {"UpdateMethodResponse", &RestService::update_method_response},
      {"DeleteMethodResponse", &RestService::delete_method_response},
      {"PutIntegration", &RestService::put_integration},
      {"GetIntegration", &RestService::get_integration},
      {"UpdateIntegration", &RestService::update_integration},
      {"DeleteIntegration", &RestService::delete_integration},
      {"PutIntegrationResponse", &RestService::put_integration_response},
      {"GetIntegrationResponse", &RestService::get_integration_response},
      {"UpdateIntegrationResponse", &RestService::update_integration_response},
      {"DeleteIntegrationResponse", &RestService::delete_integration_response},
      {"TagResource", &RestService::tag_resource},
      {"UntagResource", &RestService::untag_resource},
      {"GetTags", &RestService::get_tags},
      {"CreateDeployment", &RestService::create_deployment},
      {"GetDeployment", &RestService::get_deployment},
      {"GetDeployments", &RestService::get_deployments},
      {"UpdateDeployment", &RestService::update_deployment},
      {"DeleteDeployment", &RestService::delete_deployment},
      {"CreateStage", &RestService::create_stage},
      {"GetStage", &RestService::get_stage},
      {"GetStages", &RestService::get_stages},
      {"UpdateStage", &RestService::update_stage},
      {"DeleteStage", &RestService::delete_stage},
      {"ImportRestApi", &RestService::import_rest_api},
      {"PutRestApi", &RestService::put_rest_api},
      {"GetExport", &RestService::get_export},
      {"CreateApiKey", &RestService::create_api_key},
      {"GetApiKey", &RestService::get_api_key},
      {"GetApiKeys", &RestService::get_api_keys},
      {"UpdateApiKey", &RestService::update_api_key},
      {"DeleteApiKey", &RestService::delete_api_key},
      {"CreateUsagePlan", &RestService::create_usage_plan},
      {"GetUsagePlan", &RestService::get_usage_plan},
      {"GetUsagePlans", &RestService::get_usage_plans},
      {"UpdateUsagePlan", &RestService::update_usage_plan},
      {"DeleteUsagePlan", &RestService::delete_usage_plan},
      {"CreateUsagePlanKey", &RestService::create_usage_plan_key},
      {"GetUsagePlanKey", &RestService::get_usage_plan_key},
      {"GetUsagePlanKeys", &RestService::get_usage_plan_keys},
      {"DeleteUsagePlanKey", &RestService::delete_usage_plan_key},
      {"GetUsage", &RestService::get_usage},
      {"CreateAuthorizer", &RestService::create_authorizer},
      {"GetAuthorizer", &RestService::get_authorizer},
      {"GetAuthorizers", &RestService::get_authorizers},
      {"UpdateAuthorizer", &RestService::update_authorizer},
      {"DeleteAuthorizer", &RestService::delete_authorizer},
      {"FlushStageAuthorizersCache", &RestService::flush_stage_authorizers_cache},
      {"CreateModel", &RestService::create_model},
      {"GetModel", &RestService::get_model},
      {"GetModels", &RestService::get_models},
      {"UpdateModel", &RestService::update_model},
      {"DeleteModel", &RestService::delete_model},
      {"GetModelTemplate", &RestService::get_model_template},
      {"CreateRequestValidator", &RestService::create_request_validator},
      {"GetRequestValidator", &RestService::get_request_validator},
      {"GetRequestValidators", &RestService::get_request_validators},
      {"UpdateRequestValidator", &RestService::update_request_validator},
      {"DeleteRequestValidator", &RestService::delete_request_validator},
      {"PutGatewayResponse", &RestService::put_gateway_response},
      {"GetGatewayResponse", &RestService::get_gateway_response},
      {"GetGatewayResponses", &RestService::get_gateway_responses},
      {"UpdateGatewayResponse", &RestService::update_gateway_response},
      {"DeleteGatewayResponse", &RestService::delete_gateway_response},
  };
  auto it = kOps.find(op);
  if (it == kOps.end()) return Result::fail(AwsError::not_implemented("apigateway " + op));
  if (!input.is_object()) input = json::object();
  std::lock_guard lock(mu_);
  ctx_ = &ctx;
  Result r = run_operation(
      "apigateway", op, [&] { return Result::ok((this->*(it->second))(input)); },
      AwsError("InternalServerErrorException", "Internal server error", 500, false),
      rest_errors::bad_request("Invalid request input"));
  ctx_ = nullptr;
  return r;
}

std::unique_ptr<Service> make_rest_service(const ServiceEnv& env) { return std::make_unique<RestService>(env); }

}  // namespace awan::apigateway
