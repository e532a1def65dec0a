#pragma once
// One REST API request on its way through the data plane (rest_invoke.cpp), shared by the
// data plane's files: rest_validation.cpp (request validators), rest_gateway_responses.cpp (the
// gateway's own answers), rest_cognito.cpp (Cognito user pool authorizers), rest_test_invoke.cpp
// (TestInvokeMethod).
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "apigateway/rest_impl.hpp"
#include "apigateway/vtl.hpp"
#include "core/proxy_event.hpp"
#include "core/text.hpp"
#include "core/timefmt.hpp"

namespace awan::apigateway {

HttpAnswer answer(int status, const std::string& type, const json& body);
HttpAnswer message(int status, const std::string& type, const std::string& text);
// "image/png" against "image/*", "*/*" or itself.
bool media_type_matches(const std::string& type, const std::string& pattern);
std::string header_of(const HttpCall& call, const std::string& name);

// One request on its way through the data plane; shared by the asynchronous steps.
struct RestInvocation {
  RestService* svc = nullptr;
  std::shared_ptr<bool> alive;
  RequestContext ctx;
  HttpCall call;
  HttpCompletion done;
  std::string api_id, stage_name, resource_id, resource_path, method_key;
  json method, stage, authorizer, binary_types;
  json models, validators, gateway_responses;  // the deployment's
  std::string api_key_source = "HEADER";
  std::map<std::string, std::string> path_parameters;
  std::string path;  // decoded, without the stage
  json auth_context;  // the authorizer's context plus principalId (null: none)
  std::string usage_key;  // from an authorizer's usageIdentifierKey
  std::string api_key, api_key_id;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  std::string method_arn() const {
    std::string p = resource_path.empty() ? path : path;
    return "arn:aws:execute-api:" + ctx.region + ":" + ctx.account_id + ":" + api_id + "/" + stage_name + "/" +
           call.method + (p.empty() ? "/" : p);
  }
  json stage_variables() const { return stage.is_object() ? stage.value("variables", json::object()) : json::object(); }
  bool binary_request() const {
    std::string type = header_of(call, "content-type");
    if (type.empty() || !binary_types.is_array()) return false;
    for (auto& b : binary_types)
      if (b.is_string() && media_type_matches(type, b)) return true;
    return false;
  }
  ProxyRequest proxy_request() const {
    ProxyRequest r;
    r.api_id = api_id;
    r.stage = stage_name;
    r.request_id = ctx.request_id;
    r.account_id = ctx.account_id;
    r.domain_name = call.host;
    r.http_method = call.method;
    r.path = path;
    r.stage_path = "/" + stage_name + call.path.substr(call.path.find('/', 1) == std::string::npos ? call.path.size()
                                                                                                  : call.path.find('/', 1));
    r.raw_query = call.query;
    r.headers = call.headers;
    r.body = call.body;
    r.binary_body = binary_request();
    r.resource = resource_path;
    r.resource_id = resource_id;
    r.path_parameters = path_parameters;
    json vars = stage_variables();
    for (auto& [k, v] : vars.items())
      if (v.is_string()) r.stage_variables[k] = v;
    r.source_ip = call.source_ip;
    r.user_agent = header_of(call, "user-agent");
    r.time = ctx.clock->now();
    r.authorizer = auth_context;
    r.access_key = ctx.access_key_id;
    r.caller_arn = ctx.caller_arn;
    r.caller_user_id = ctx.caller_user_id;
    r.api_key = api_key;
    r.api_key_id = api_key_id;
    return r;
  }
  json vtl_context() const {
    auto now = ctx.clock->now();
    json identity = {{"sourceIp", call.source_ip}, {"userAgent", header_of(call, "user-agent")},
                     {"apiKey", api_key},          {"apiKeyId", api_key_id},
                     {"accessKey", ctx.access_key_id}, {"caller", ctx.caller_user_id},
                     {"userArn", ctx.caller_arn},  {"user", ctx.caller_user_id},
                     {"accountId", ctx.access_key_id.empty() ? "" : ctx.account_id}};
    json c = {{"requestId", ctx.request_id}, {"extendedRequestId", ctx.request_id}, {"resourceId", resource_id},
              {"resourcePath", resource_path}, {"httpMethod", call.method}, {"stage", stage_name},
              {"apiId", api_id}, {"accountId", ctx.account_id}, {"identity", identity},
              {"path", proxy_request().stage_path}, {"protocol", "HTTP/1.1"}, {"domainName", call.host},
              {"requestTime", timefmt::http_date(now)},
              {"requestTimeEpoch", std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count()}};
    if (!auth_context.is_null()) c["authorizer"] = auth_context;
    return c;
  }
  VtlInput vtl_input(const std::string& body) const {
    VtlInput in;
    in.body = body;
    in.path = path_parameters;
    for (auto& [k, v] : parse_query(call.query)) in.querystring.emplace(k, v);
    for (auto& [k, v] : call.headers) in.header.emplace(k, v);
    in.context = vtl_context();
    in.stage_variables = stage_variables();
    return in;
  }
  void finish(HttpAnswer a) {
    if (!done) return;
    auto d = std::move(done);
    done = nullptr;
    d(std::move(a));
  }
};

using InvocationP = std::shared_ptr<RestInvocation>;

// ---- rest_invoke.cpp ----
// The method's integration, from its request mapping to the answer (TestInvokeMethod).
void run_method_integration(const InvocationP& inv, const ServiceEnv& env);

// ---- rest_gateway_responses.cpp ----
// The gateway's own answer of `type` (MISSING_AUTHENTICATION_TOKEN, THROTTLED, …) with its
// message (null: no message) through the deployment's gateway responses; `status` replaces the
// type's default status when the API customizes neither the type nor its DEFAULT_4XX/5XX.
HttpAnswer gateway_response(const RestInvocation& inv, const std::string& type, const std::optional<std::string>& text,
                            int status = 0, const std::string& validation_errors = "");

// ---- rest_validation.cpp ----
// The method's request validator applied to the request: nullopt when it passes, else the
// BAD_REQUEST_PARAMETERS or BAD_REQUEST_BODY answer.
std::optional<HttpAnswer> validate_request(const RestInvocation& inv);

// ---- rest_cognito.cpp ----
// A COGNITO_USER_POOLS authorizer's checks of the request's token: nullopt when it passes (the
// claims are then in inv.auth_context), else the UNAUTHORIZED answer.
std::optional<HttpAnswer> check_cognito(RestInvocation& inv);

}  // namespace awan::apigateway
