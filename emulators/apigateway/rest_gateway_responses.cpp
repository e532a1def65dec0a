// Gateway responses: Put/Get/Update/DeleteGatewayResponse(s) over AWS's response types and
// their default statuses, and the data plane's own answers rendered through them (status,
// gatewayresponse.header.* parameters, templates over $context.error.*). rest_invocation.hpp.
#include "apigateway/rest_invocation.hpp"

namespace awan::apigateway {

using namespace rest_errors;

namespace {

struct ResponseType {
  const char* name;
  int status;  // 0: none (DEFAULT_4XX, DEFAULT_5XX)
  const char* error_type;
};

const ResponseType kTypes[] = {
    {"ACCESS_DENIED", 403, "AccessDeniedException"},
    {"API_CONFIGURATION_ERROR", 500, "InternalServerErrorException"},
    {"AUTHORIZER_CONFIGURATION_ERROR", 500, "AuthorizerConfigurationException"},
    {"AUTHORIZER_FAILURE", 500, "AuthorizerFailureException"},
    {"BAD_REQUEST_BODY", 400, "BadRequestException"},
    {"BAD_REQUEST_PARAMETERS", 400, "BadRequestException"},
    {"DEFAULT_4XX", 0, "ForbiddenException"},
    {"DEFAULT_5XX", 0, "InternalServerErrorException"},
    {"EXPIRED_TOKEN", 403, "ExpiredTokenException"},
    {"INTEGRATION_FAILURE", 504, "InternalServerErrorException"},
    {"INTEGRATION_TIMEOUT", 504, "InternalServerErrorException"},
    {"INVALID_API_KEY", 403, "ForbiddenException"},
    {"INVALID_SIGNATURE", 403, "InvalidSignatureException"},
    {"MISSING_AUTHENTICATION_TOKEN", 403, "MissingAuthenticationTokenException"},
    {"QUOTA_EXCEEDED", 429, "LimitExceededException"},
    {"REQUEST_TOO_LARGE", 413, "RequestTooLargeException"},
    {"RESOURCE_NOT_FOUND", 404, "NotFoundException"},
    {"THROTTLED", 429, "TooManyRequestsException"},
    {"UNAUTHORIZED", 401, "UnauthorizedException"},
    {"UNSUPPORTED_MEDIA_TYPE", 415, "UnsupportedMediaTypeException"},
    {"WAF_FILTERED", 403, "WAFFilteredException"},
};

const ResponseType* type_named(const std::string& name) {
  for (const auto& t : kTypes)
    if (name == t.name) return &t;
  return nullptr;
}

// The family a type falls back to when it is not customized.
std::string family_of(const ResponseType& t, int status) {
  if (std::string(t.name).rfind("DEFAULT_", 0) == 0) return "";
  return (status ? status : t.status) >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX";
}

json default_template(const ResponseType& t) {
  // The authorizer's denial keeps the capital "Message" AWS answers with.
  std::string key = std::string(t.name) == "ACCESS_DENIED" ? "Message" : "message";
  return {{"application/json", "{\"" + key + "\":$context.error.messageString}"}};
}

// The response a type has: its customization, else its family's parameters and templates with
// its own status (or the family's customized status), marked defaultResponse.
json effective(const json& customized, const ResponseType& t) {
  if (auto c = customized.find(t.name); c != customized.end()) return *c;
  json out = {{"responseType", t.name}, {"defaultResponse", true}, {"responseParameters", json::object()},
              {"responseTemplates", default_template(t)}};
  if (t.status) out["statusCode"] = std::to_string(t.status);
  std::string family = family_of(t, 0);
  if (auto f = customized.find(family); !family.empty() && f != customized.end()) {
    if (f->contains("statusCode")) out["statusCode"] = (*f)["statusCode"];
    out["responseParameters"] = f->value("responseParameters", json::object());
    out["responseTemplates"] = f->value("responseTemplates", json::object());
  }
  return out;
}

const ResponseType& checked_type(const std::string& name) {
  const ResponseType* t = type_named(name);
  if (!t) throw bad_request("Invalid response type specified: " + name);
  return *t;
}

void validate_gateway_response(const json& r) {
  if (auto s = r.find("statusCode"); s != r.end()) {
    std::string code = s->is_string() ? s->get<std::string>() : "";
    if (code.size() != 3 || code[0] < '1' || code[0] > '5' || !std::isdigit(static_cast<unsigned char>(code[1])) ||
        !std::isdigit(static_cast<unsigned char>(code[2])))
      throw bad_request("Invalid status code specified");
  }
  for (const char* member : {"responseParameters", "responseTemplates"}) {
    auto m = r.find(member);
    if (m == r.end()) continue;
    if (!m->is_object()) throw bad_request(std::string("Invalid ") + member + " specified");
    for (auto& [k, v] : m->items()) {
      if (!v.is_string()) throw bad_request(std::string("Invalid ") + member + " specified");
      if (std::string(member) == "responseParameters" && k.rfind("gatewayresponse.header.", 0) != 0 &&
          k.rfind("gatewayresponse.querystring.", 0) != 0 && k.rfind("gatewayresponse.path.", 0) != 0)
        throw bad_request("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: " + k + "]");
    }
  }
}

}  // namespace

json RestService::put_gateway_response(json& in) {
  json& api = api_doc(in);
  const ResponseType& t = checked_type(str(in, "responseType"));
  json r = {{"responseType", t.name}, {"defaultResponse", false},
            {"responseParameters", in.value("responseParameters", json::object())},
            {"responseTemplates", in.value("responseTemplates", default_template(t))}};
  if (in.contains("statusCode") && !in["statusCode"].is_null()) r["statusCode"] = in["statusCode"];
  validate_gateway_response(r);
  api["gatewayResponses"][t.name] = r;
  save_api(api["api"]["id"]);
  return r;
}

json RestService::get_gateway_response(json& in) {
  json& api = api_doc(in);
  const ResponseType& t = checked_type(str(in, "responseType"));
  return effective(api.value("gatewayResponses", json::object()), t);
}

json RestService::get_gateway_responses(json& in) {
  json& api = api_doc(in);
  json customized = api.value("gatewayResponses", json::object());
  json items = json::array();
  for (const auto& t : kTypes) items.push_back(effective(customized, t));
  return page(items, in, "responseType");
}

json RestService::update_gateway_response(json& in) {
  json& api = api_doc(in);
  const ResponseType& t = checked_type(str(in, "responseType"));
  json r = effective(api.value("gatewayResponses", json::object()), t);
  apply_patch(r, in.value("patchOperations", json::array()));
  r["responseType"] = t.name;
  r["defaultResponse"] = false;
  if (r.contains("statusCode") && r["statusCode"].is_null()) r.erase("statusCode");
  validate_gateway_response(r);
  api["gatewayResponses"][t.name] = r;
  save_api(api["api"]["id"]);
  return r;
}

json RestService::delete_gateway_response(json& in) {
  json& api = api_doc(in);
  const ResponseType& t = checked_type(str(in, "responseType"));
  json& customized = api["gatewayResponses"];
  if (!customized.is_object() || !customized.contains(t.name))
    throw not_found("Invalid Gateway Response identifier specified");
  customized.erase(t.name);
  save_api(api["api"]["id"]);
  return json::object();
}

// ---- the data plane ----

namespace {

std::string parameter_value(const RestInvocation& inv, const json& context, const std::string& s) {
  if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') return s.substr(1, s.size() - 2);
  if (s.rfind("method.request.header.", 0) == 0) return header_of(inv.call, s.substr(22));
  if (s.rfind("method.request.querystring.", 0) == 0) {
    for (auto& [k, v] : parse_query(inv.call.query))
      if (k == s.substr(27)) return v;
    return "";
  }
  if (s.rfind("method.request.path.", 0) == 0) {
    auto it = inv.path_parameters.find(s.substr(20));
    return it == inv.path_parameters.end() ? "" : it->second;
  }
  if (s.rfind("stageVariables.", 0) == 0) return inv.stage_variables().value(s.substr(15), "");
  if (s.rfind("context.", 0) == 0) {
    json v = json_path(context, "$." + s.substr(8));
    return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return "";
}

}  // namespace

HttpAnswer gateway_response(const RestInvocation& inv, const std::string& type, const std::optional<std::string>& text,
                            int status, const std::string& validation_errors) {
  const ResponseType* t = type_named(type);
  if (!t) t = type_named("DEFAULT_5XX");
  const json customized = inv.gateway_responses.is_object() ? inv.gateway_responses : json::object();
  json r = effective(customized, *t);
  // A status the caller knows better (502 for a malformed proxy result) holds unless the API
  // customized the status of this type or of its family.
  std::string family = family_of(*t, status);
  bool custom_status = (customized.contains(t->name) && customized[t->name].contains("statusCode")) ||
                       (!family.empty() && customized.contains(family) && customized[family].contains("statusCode"));
  HttpAnswer a;
  a.status = custom_status ? std::atoi(r.value("statusCode", "500").c_str())
             : status      ? status
             : t->status   ? t->status
                           : (type == "DEFAULT_4XX" ? 400 : 500);
  if (a.status < 100 || a.status > 599) a.status = 500;
  json context = inv.vtl_context();
  context["error"] = {{"message", text.value_or("")},
                      {"messageString", text ? json(*text).dump() : "null"},
                      {"responseType", t->name},
                      {"validationErrorString", validation_errors}};
  std::string content_type = "application/json", body;
  const json templates = r.value("responseTemplates", json::object());
  if (templates.is_object() && !templates.empty()) {
    auto it = templates.find("application/json");
    if (it == templates.end()) it = templates.begin();
    content_type = it.key();
    if (it->is_string()) {
      VtlInput in = inv.vtl_input("");
      in.context = context;
      auto v = render_vtl(*it, in);
      body = v.ok ? v.output : "{\"message\":\"Internal server error\"}";
    }
  }
  a.headers = {{"Content-Type", content_type}};
  if (*t->error_type) a.headers.emplace_back("x-amzn-ErrorType", t->error_type);
  const json params = r.value("responseParameters", json::object());
  if (params.is_object())
    for (auto& [dest, src] : params.items()) {
      const std::string prefix = "gatewayresponse.header.";
      if (dest.rfind(prefix, 0) != 0 || !src.is_string()) continue;
      std::string name = dest.substr(prefix.size()), value = parameter_value(inv, context, src);
      a.set_header(name, value);
    }
  a.body = std::move(body);
  return a;
}

}  // namespace awan::apigateway
