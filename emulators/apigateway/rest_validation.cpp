// Request validators at invocation (rest_invocation.hpp): the method's required request
// parameters and its request model for the request's content type (json_schema.hpp), as the
// method's validator asks; failures answer BAD_REQUEST_PARAMETERS or BAD_REQUEST_BODY.
#include "apigateway/json_schema.hpp"
#include "apigateway/rest_invocation.hpp"

namespace awan::apigateway {

namespace {

// The names of the method's required parameters that the request lacks or leaves blank, in the
// order of their keys.
std::vector<std::string> missing_parameters(const RestInvocation& inv) {
  std::vector<std::string> missing;
  const json params = inv.method.value("requestParameters", json::object());
  if (!params.is_object()) return missing;
  auto query = parse_query(inv.call.query);
  for (auto& [name, required] : params.items()) {
    if (required != true) continue;
    if (name.rfind("method.request.header.", 0) == 0) {
      const std::string* h = inv.call.header(name.substr(22));
      if (!h || h->find_first_not_of(" \t") == std::string::npos) missing.push_back(name.substr(22));
    } else if (name.rfind("method.request.querystring.", 0) == 0) {
      std::string q = name.substr(27);
      bool found = false;
      for (auto& [k, v] : query) found = found || (k == q && !v.empty());
      if (!found) missing.push_back(q);
    } else if (name.rfind("method.request.path.", 0) == 0) {
      auto it = inv.path_parameters.find(name.substr(20));
      if (it == inv.path_parameters.end() || it->second.empty()) missing.push_back(name.substr(20));
    }
  }
  return missing;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out = "[";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ", ";
    out += parts[i];
  }
  return out + "]";
}

}  // namespace

std::optional<HttpAnswer> validate_request(const RestInvocation& inv) {
  std::string id = inv.method.value("requestValidatorId", "");
  if (id.empty() || !inv.validators.is_object() || !inv.validators.contains(id)) return std::nullopt;
  const json& validator = inv.validators[id];
  if (validator.value("validateRequestParameters", false)) {
    auto missing = missing_parameters(inv);
    if (!missing.empty()) {
      std::string text = "Missing required request parameters: " + joined(missing);
      return gateway_response(inv, "BAD_REQUEST_PARAMETERS", text, 0, text);
    }
  }
  if (!validator.value("validateRequestBody", false)) return std::nullopt;
  const json models = inv.method.value("requestModels", json::object());
  if (!models.is_object() || models.empty()) return std::nullopt;
  std::string type = header_of(inv.call, "content-type");
  type = text::ascii_lower(type.substr(0, type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (type.empty()) type = "application/json";
  std::string model;
  for (auto& [k, v] : models.items())
    if (text::ascii_lower(k) == type && v.is_string()) model = v;
  if (model.empty() && models.contains("$default") && models["$default"].is_string()) model = models["$default"];
  if (model.empty() || !inv.models.is_object() || !inv.models.contains(model)) return std::nullopt;
  std::vector<std::string> errors;
  json body = inv.call.body.empty() ? json::object() : json::parse(inv.call.body, nullptr, false);
  if (body.is_discarded()) {
    errors.push_back("Invalid request body: the body is not JSON");
  } else {
    const json& all = inv.models;
    ModelLookup lookup = [&all](const std::string& name) -> const json* {
      auto it = all.find(name);
      return it == all.end() ? nullptr : &*it;
    };
    errors = validate_schema(body, all[model], lookup);
  }
  if (errors.empty()) return std::nullopt;
  return gateway_response(inv, "BAD_REQUEST_BODY", "Invalid request body", 0, joined(errors));
}

}  // namespace awan::apigateway
