#pragma once
// The REST API (v1) service class. Operations by file: rest_apis.cpp (REST APIs, resources,
// methods, integrations and their responses, tags), rest_deployments.cpp (deployments, stages,
// import and export through openapi.hpp), rest_keys.cpp (API keys, usage plans and their keys,
// usage), rest_authorizers.cpp (authorizers and the Lambda authorizer calls), rest_invoke.cpp
// (the data plane, with rest_invocation.hpp), rest_models.cpp (models and request validators),
// rest_gateway_responses.cpp (gateway responses), rest_test_invoke.cpp (TestInvokeMethod).
// Patch operations: rest_patch.cpp. Resource matching: rest_match.hpp.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "apigateway/rest_store.hpp"
#include "apigateway/throttle.hpp"
#include "awan/service.hpp"

namespace awan::apigateway {

using json = nlohmann::json;

struct RestInvocation;  // rest_invoke.cpp

namespace rest_errors {
inline AwsError not_found(const std::string& m) { return {"NotFoundException", m, 404}; }
inline AwsError bad_request(const std::string& m) { return {"BadRequestException", m, 400}; }
inline AwsError conflict(const std::string& m) { return {"ConflictException", m, 409}; }
inline AwsError limit_exceeded(const std::string& m) { return {"LimitExceededException", m, 429}; }
inline AwsError api_not_found() { return not_found("Invalid REST API identifier specified"); }
}  // namespace rest_errors

// Applies API Gateway patch operations (op add|remove|replace, path, value) to a document
// (rest_patch.cpp). `special` handles paths the caller knows better (returns true when done).
using PatchHook = bool (*)(json& doc, const std::string& op, const std::string& path, const json& value);
void apply_patch(json& doc, const json& operations, PatchHook special = nullptr);
// "~1" → '/', "~0" → '~' (JSON pointer escapes used in patch paths).
std::string unescape_patch_segment(const std::string& s);

class RestService final : public Service {
 public:
  explicit RestService(const ServiceEnv& env);
  ~RestService() override;
  std::string_view name() const override { return "apigateway"; }
  Result call(const RequestContext& ctx, const std::string& operation, json input) override;
  // TestInvokeMethod runs asynchronously (rest_test_invoke.cpp); the rest goes to call().
  void invoke(const RequestContext& ctx, const std::string& operation, json input, Completion done) override;
  bool invoke_http(const RequestContext& ctx, const HttpCall& call, HttpCompletion done) override;
  void reset() override;
  void shutdown() override;

  // The in-memory state (under mu_). An API document:
  //   {"scope": "<account>/<region>", "api": RestApi, "rootId", "resources": {id: Resource with
  //    full Method documents}, "authorizers": {id: Authorizer}, "deployments": {id: {"deployment":
  //    Deployment, "resources": snapshot, "authorizers": snapshot, "binaryMediaTypes": snapshot,
  //    "models": {name: parsed schema}, "requestValidators": snapshot, "gatewayResponses":
  //    snapshot}}, "stages": {name: Stage}, "models": {name: Model}, "requestValidators": {id:
  //    RequestValidator}, "gatewayResponses": {type: customized GatewayResponse}}
  // A key: {"scope", "key": ApiKey}; a plan: {"scope", "plan": UsagePlan, "keys": [keyId...]}.
  using Handler = json (RestService::*)(json& in);

 private:
  friend struct RestInvocation;
  friend void after_auth_impl(const std::shared_ptr<RestInvocation>& inv, const ServiceEnv& env);
  // ---- helpers (rest_service.cpp) ----
  std::string scope() const;
  int64_t now_s() const;
  json& api_doc(const json& in);  // by "restApiId" in this scope, or NotFound
  void save_api(const std::string& id);
  void save_key(const std::string& id);
  void save_plan(const std::string& id);
  std::string new_id(size_t n) const;
  static std::string str(const json& in, const char* name, const std::string& fallback = "");
  // One page of `items` (sorted by `key`) per the input's limit (1-500, default 25) and
  // position (a token: the key of the page's first item): {"items", "position"?}.
  static json page(json items, const json& in, const char* key = "id");

  // ---- rest_apis.cpp ----
  json create_rest_api(json& in);
  json get_rest_api(json& in);
  json get_rest_apis(json& in);
  json update_rest_api(json& in);
  json delete_rest_api(json& in);
  json get_resources(json& in);
  json get_resource(json& in);
  json create_resource(json& in);
  json update_resource(json& in);
  json delete_resource(json& in);
  json put_method(json& in);
  json get_method(json& in);
  json update_method(json& in);
  json delete_method(json& in);
  json put_method_response(json& in);
  json get_method_response(json& in);
  json update_method_response(json& in);
  json delete_method_response(json& in);
  json put_integration(json& in);
  json get_integration(json& in);
  json update_integration(json& in);
  json delete_integration(json& in);
  json put_integration_response(json& in);
  json get_integration_response(json& in);
  json update_integration_response(json& in);
  json delete_integration_response(json& in);
  json tag_resource(json& in);
  json untag_resource(json& in);
  json get_tags(json& in);
  json& resource_of(json& api, const json& in);
  json& method_of(json& api, const json& in);
  json* tags_of(const std::string& arn);
  void refresh_paths(json& api);
  std::string create_api_record(json api_fields, json tags);  // returns the new id

  // ---- rest_deployments.cpp ----
  json create_deployment(json& in);
  json get_deployment(json& in);
  json get_deployments(json& in);
  json update_deployment(json& in);
  json delete_deployment(json& in);
  json create_stage(json& in);
  json get_stage(json& in);
  json get_stages(json& in);
  json update_stage(json& in);
  json delete_stage(json& in);
  json import_rest_api(json& in);
  json put_rest_api(json& in);
  json get_export(json& in);
  json& stage_of(json& api, const json& in);

  // ---- rest_keys.cpp ----
  json create_api_key(json& in);
  json get_api_key(json& in);
  json get_api_keys(json& in);
  json update_api_key(json& in);
  json delete_api_key(json& in);
  json create_usage_plan(json& in);
  json get_usage_plan(json& in);
  json get_usage_plans(json& in);
  json update_usage_plan(json& in);
  json delete_usage_plan(json& in);
  json create_usage_plan_key(json& in);
  json get_usage_plan_key(json& in);
  json get_usage_plan_keys(json& in);
  json delete_usage_plan_key(json& in);
  json get_usage(json& in);
  json& key_of(const std::string& id);
  json& plan_of(const std::string& id);
  json key_output(const json& key, bool include_value) const;

  // ---- rest_models.cpp ----
  json create_model(json& in);
  json get_model(json& in);
  json get_models(json& in);
  json update_model(json& in);
  json delete_model(json& in);
  json get_model_template(json& in);
  json create_request_validator(json& in);
  json get_request_validator(json& in);
  json get_request_validators(json& in);
  json update_request_validator(json& in);
  json delete_request_validator(json& in);
  // Checks a method's requestValidatorId and requestModels against the API.
  void check_method_references(const json& api, const json& method);

  // ---- rest_test_invoke.cpp ----
  void test_invoke_method(const RequestContext& ctx, json input, Completion done);

  // ---- rest_gateway_responses.cpp ----
  json put_gateway_response(json& in);
  json get_gateway_response(json& in);
  json get_gateway_responses(json& in);
  json update_gateway_response(json& in);
  json delete_gateway_response(json& in);

  // ---- rest_authorizers.cpp ----
  json create_authorizer(json& in);
  json get_authorizer(json& in);
  json get_authorizers(json& in);
  json update_authorizer(json& in);
  json delete_authorizer(json& in);
  json flush_stage_authorizers_cache(json& in);

  ServiceEnv env_;
  mutable std::mutex mu_;
  RestStore store_;
  const RequestContext* ctx_ = nullptr;
  std::map<std::string, json> apis_, keys_, plans_;
  // Data plane state (rest_invoke.cpp): request counts by plan, key and day (epoch days), token
  // buckets by plan/key and by stage/method, authorizer results by authorizer and identity.
  std::map<std::string, std::map<int64_t, int64_t>> usage_;
  std::map<std::string, std::shared_ptr<TokenBucket>> buckets_;
  struct CachedPolicy {
    std::chrono::system_clock::time_point expires;
    json result;
  };
  std::map<std::string, CachedPolicy> auth_cache_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace awan::apigateway
