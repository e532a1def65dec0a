// The REST API data plane (Service::invoke_http): stage and resource lookup, IAM and Lambda
// authorizers, API keys and usage plans, throttling, and the integrations (AWS_PROXY and AWS
// Lambda, HTTP and HTTP_PROXY, MOCK) with their mapping templates (vtl.hpp).
#include <regex>
#include <thread>

#include <spdlog/spdlog.h>

#include "apigateway/jwt.hpp"
#include "apigateway/rest_invocation.hpp"
#include "apigateway/rest_match.hpp"
#include "apigateway/vtl.hpp"
#include "core/crypto.hpp"
#include "core/document.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "core/timefmt.hpp"

namespace awan::apigateway {

HttpAnswer answer(int status, const std::string& type, const json& body) {
  HttpAnswer a;
  a.status = status;
  a.headers = {{"Content-Type", "application/json"}};
  if (!type.empty()) a.headers.emplace_back("x-amzn-ErrorType", type);
  a.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return a;
}
HttpAnswer message(int status, const std::string& type, const std::string& text) {
  return answer(status, type, {{"message", text}});
}

// "image/png" against "image/*", "*/*" or itself.
bool media_type_matches(const std::string& type, const std::string& pattern) {
  std::string t = text::ascii_lower(type.substr(0, type.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  std::string p = text::ascii_lower(pattern);
  if (p == "*/*" || p == t) return true;
  if (p.size() > 2 && p.compare(p.size() - 2, 2, "/*") == 0) return t.rfind(p.substr(0, p.size() - 1), 0) == 0;
  return false;
}

std::string header_of(const HttpCall& call, const std::string& name) {
  const std::string* v = call.header(name);
  return v ? *v : "";
}

namespace {

HttpAnswer missing_token(const RestInvocation& inv) {
  return gateway_response(inv, "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token");
}
HttpAnswer forbidden(const RestInvocation& inv) { return gateway_response(inv, "DEFAULT_4XX", "Forbidden", 403); }
HttpAnswer internal_error(const RestInvocation& inv) {
  return gateway_response(inv, "DEFAULT_5XX", "Internal server error", 502);
}
HttpAnswer server_error(const RestInvocation& inv) {
  return gateway_response(inv, "DEFAULT_5XX", "Internal server error", 500);
}
HttpAnswer configuration_error(const RestInvocation& inv) {
  return gateway_response(inv, "API_CONFIGURATION_ERROR", "Internal server error");
}
HttpAnswer unsupported_media_type(const RestInvocation& inv) {
  return gateway_response(inv, "UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type");
}
HttpAnswer unauthorized(const RestInvocation& inv) { return gateway_response(inv, "UNAUTHORIZED", "Unauthorized"); }
HttpAnswer authorizer_error(const RestInvocation& inv) {
  return gateway_response(inv, "AUTHORIZER_CONFIGURATION_ERROR", std::nullopt);
}


// IAM-style wildcard match ('*' any run, '?' one character), iterative.
bool wildcard(const std::string& pattern, const std::string& s) {
  size_t p = 0, i = 0, star = std::string::npos, mark = 0;
  while (i < s.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == s[i])) {
      ++p;
      ++i;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = i;
    } else if (star != std::string::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string substitute_stage_variables(std::string s, const json& vars) {
  const std::string open = "${stageVariables.";
  size_t at = 0;
  while ((at = s.find(open, at)) != std::string::npos) {
    size_t close = s.find('}', at);
    if (close == std::string::npos) break;
    std::string name = s.substr(at + open.size(), close - at - open.size());
    std::string value = vars.is_object() && vars.contains(name) && vars[name].is_string() ? vars[name].get<std::string>() : "";
    s.replace(at, close - at + 1, value);
    at += value.size();
  }
  return s;
}

// The function ARN of a Lambda integration URI
// ("arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations").
std::string function_of(const std::string& uri) {
  auto f = uri.find("/functions/");
  if (f == std::string::npos) return "";
  auto end = uri.rfind("/invocations");
  if (end == std::string::npos || end < f) end = uri.size();
  return uri.substr(f + 11, end - f - 11);
}

// A policy document's verdict for methodArn: "allow", "deny" or "" (no statement applies).
std::string policy_verdict(const json& policy, const std::string& method_arn) {
  if (!policy.is_object()) return "invalid";
  json statements = policy.contains("Statement") ? policy["Statement"] : json();
  if (statements.is_object()) statements = json::array({statements});
  if (!statements.is_array()) return "invalid";
  bool allowed = false;
  for (const auto& st : statements) {
    if (!st.is_object()) continue;
    std::string effect = text_of(st, "Effect");  // a function's answer: any member may be of any type
    auto list = [](const json& v) {
      std::vector<std::string> out;
      if (v.is_string()) out.push_back(v);
      if (v.is_array())
        for (auto& x : v)
          if (x.is_string()) out.push_back(x);
      return out;
    };
    bool action = false;
    for (const auto& a : list(st.value("Action", json())))
      action = action || wildcard(text::ascii_lower(a), "execute-api:invoke");
    if (!action) continue;
    bool resource = false;
    for (const auto& r : list(st.value("Resource", json()))) resource = resource || wildcard(r, method_arn);
    if (!resource) continue;
    if (effect == "Deny") return "deny";
    if (effect == "Allow") allowed = true;
  }
  return allowed ? "allow" : "";
}


}  // namespace


namespace {

void run_integration(const InvocationP& inv, const ServiceEnv& env);
void after_auth(const InvocationP& inv, const ServiceEnv& env);

// Selects the integration response for `selector` (an error message or a status code): a
// matching selectionPattern, else the default (no pattern).
const json* select_response(const json& integration, const std::string& selector) {
  auto found = integration.find("integrationResponses");
  if (found == integration.end() || !found->is_object()) return nullptr;
  const json& responses = *found;
  const json* fallback = nullptr;
  for (auto& [code, r] : responses.items()) {
    std::string pattern = r.value("selectionPattern", "");
    if (pattern.empty()) {
      if (!fallback) fallback = &r;
      continue;
    }
    try {
      if (std::regex_match(selector, std::regex(pattern, std::regex::ECMAScript))) return &r;
    } catch (const std::regex_error&) {
    }
  }
  return fallback;
}

// The method answer of a non-proxy integration: the selected integration response's status,
// response parameters and template over the integration's output.
HttpAnswer map_response(const RestInvocation& inv, const json& integration, const std::string& selector,
                        const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers) {
  const json* r = select_response(integration, selector);
  if (!r) return configuration_error(inv);
  HttpAnswer a;
  a.status = std::atoi(r->value("statusCode", "200").c_str());
  std::string content_type = "application/json";
  std::string out = body;
  // The integration's output is binary when its Content-Type is one of the binaryMediaTypes:
  // CONVERT_TO_TEXT makes it base64 text for the template; otherwise it passes through.
  std::string handling = r->value("contentHandling", "");
  bool binary = false;
  for (auto& [k, v] : headers)
    if (text::ascii_lower(k) == "content-type" && inv.binary_types.is_array())
      for (auto& b : inv.binary_types) binary = binary || (b.is_string() && media_type_matches(v, b));
  if (binary && handling == "CONVERT_TO_TEXT") {
    out = crypto::base64_encode(out);
    binary = false;
  }
  if (binary) {
    for (auto& [k, v] : headers)
      if (text::ascii_lower(k) == "content-type") content_type = v;
  } else if (auto t = r->find("responseTemplates"); t != r->end() && t->is_object() && !t->empty()) {
    auto it = t->find("application/json");
    if (it == t->end()) it = t->begin();
    content_type = it.key();
    if (it->is_string() && !it->get_ref<const std::string&>().empty()) {
      auto v = render_vtl(*it, inv.vtl_input(out));
      if (!v.ok) return server_error(inv);
      out = v.output;
    }
  }
  if (!binary && handling == "CONVERT_TO_BINARY") {
    auto bytes = crypto::base64_decode(out);
    if (!bytes) return configuration_error(inv);
    out = std::move(*bytes);
  }
  a.headers.emplace_back("Content-Type", content_type);
  if (auto p = r->find("responseParameters"); p != r->end() && p->is_object()) {
    json body_json;
    bool parsed = false;
    for (auto& [dest, src] : p->items()) {
      const std::string prefix = "method.response.header.";
      if (dest.rfind(prefix, 0) != 0 || !src.is_string()) continue;
      std::string name = dest.substr(prefix.size()), s = src, value;
      if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') {
        value = s.substr(1, s.size() - 2);
      } else if (s.rfind("integration.response.header.", 0) == 0) {
        std::string h = text::ascii_lower(s.substr(28));
        for (auto& [k, v] : headers)
          if (text::ascii_lower(k) == h) value = v;
      } else if (s == "integration.response.body") {
        value = body;
      } else if (s.rfind("integration.response.body.", 0) == 0) {
        if (!parsed) {
          body_json = json::parse(body, nullptr, false);
          parsed = true;
        }
        if (!body_json.is_discarded()) {
          json v = json_path(body_json, "$." + s.substr(26));
          value = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump(-1, ' ', false, json::error_handler_t::replace);
        }
      } else if (s.rfind("context.", 0) == 0) {
        json v = json_path(inv.vtl_context(), "$." + s.substr(8));
        value = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump(-1, ' ', false, json::error_handler_t::replace);
      } else {
        continue;
      }
      a.set_header(name, value);
    }
  }
  a.body = std::move(out);
  return a;
}

// The request template for the request's content type, per passthroughBehavior; nullopt → 415.
std::optional<std::string> request_body(const RestInvocation& inv, const json& integration, bool* failed) {
  std::string type = header_of(inv.call, "content-type");
  type = text::ascii_lower(type.substr(0, type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (type.empty()) type = "application/json";
  const json templates = integration.value("requestTemplates", json::object());
  std::string behavior = integration.value("passthroughBehavior", "WHEN_NO_MATCH");
  const json* chosen = nullptr;
  if (templates.is_object())
    for (auto& [k, v] : templates.items())
      if (text::ascii_lower(k) == type) chosen = &v;
  if (!chosen) {
    bool none = !templates.is_object() || templates.empty();
    if (behavior == "NEVER" || (behavior == "WHEN_NO_TEMPLATES" && !none)) return std::nullopt;
  }
  // contentHandling: a binary payload (binaryMediaTypes) becomes base64 text with
  // CONVERT_TO_TEXT and otherwise passes through untouched; text becomes bytes with
  // CONVERT_TO_BINARY (after its template). Undecodable text is API_CONFIGURATION_ERROR.
  std::string handling = integration.value("contentHandling", "");
  std::string payload = inv.call.body;
  bool binary = inv.binary_request();
  if (binary && handling == "CONVERT_TO_TEXT") {
    payload = crypto::base64_encode(payload);
    binary = false;
  }
  if (binary) return payload;
  if (chosen && chosen->is_string() && !chosen->get_ref<const std::string&>().empty()) {
    auto v = render_vtl(*chosen, inv.vtl_input(payload));
    if (!v.ok) {
      *failed = true;
      return std::string();
    }
    payload = std::move(v.output);
  }
  if (handling == "CONVERT_TO_BINARY") {
    auto bytes = crypto::base64_decode(payload);
    if (!bytes) {
      *failed = true;
      return std::string();
    }
    return *bytes;
  }
  return payload;
}

void invoke_lambda(const InvocationP& inv, const ServiceEnv& env, const std::string& arn, std::string payload,
                   std::function<void(Result)> then) {
  if (!env.call_service) return inv->finish(server_error(*inv));
  RequestContext ctx = inv->ctx;
  ctx.service = "lambda";
  ctx.operation = "Invoke";
  env.call_service(ctx, "lambda", "Invoke", {{"FunctionName", arn}, {"Payload", std::move(payload)}}, std::move(then));
}

std::string result_payload(const Result& r) {
  auto it = r.output.find("Payload");
  if (it == r.output.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

void integrate_aws_proxy(const InvocationP& inv, const ServiceEnv& env, const json& integration) {
  std::string arn = function_of(substitute_stage_variables(integration.value("uri", ""), inv->stage_variables()));
  if (arn.empty()) return inv->finish(server_error(*inv));
  json event = proxy_event_v1(inv->proxy_request());
  invoke_lambda(inv, env, arn, event.dump(-1, ' ', false, json::error_handler_t::replace), [inv](Result r) {
    if (r.error) {
      spdlog::warn("apigateway {}: Lambda invocation failed: {} {}", inv->api_id, r.error->code, r.error->message);
      return inv->finish(internal_error(*inv));
    }
    if (r.output.contains("FunctionError") && !r.output["FunctionError"].is_null() &&
        !r.output["FunctionError"].get<std::string>().empty())
      return inv->finish(internal_error(*inv));
    auto mapped = proxy_result_v1(result_payload(r));
    if (!mapped) return inv->finish(internal_error(*inv));
    HttpAnswer a;
    a.status = mapped->status;
    a.headers = std::move(mapped->headers);
    bool typed = false;
    for (auto& [k, v] : a.headers) typed = typed || text::ascii_lower(k) == "content-type";
    if (!typed) a.headers.emplace_back("Content-Type", "application/json");
    a.body = std::move(mapped->body);
    inv->finish(std::move(a));
  });
}

void integrate_aws(const InvocationP& inv, const ServiceEnv& env, const json& integration) {
  std::string uri = substitute_stage_variables(integration.value("uri", ""), inv->stage_variables());
  std::string arn = function_of(uri);
  if (arn.empty()) return inv->finish(server_error(*inv));  // only Lambda is an AWS integration here
  bool failed = false;
  auto body = request_body(*inv, integration, &failed);
  if (!body) return inv->finish(unsupported_media_type(*inv));
  if (failed) return inv->finish(server_error(*inv));
  invoke_lambda(inv, env, arn, *body, [inv, integration](Result r) {
    if (r.error) return inv->finish(server_error(*inv));
    std::string payload = result_payload(r);
    std::string selector;
    if (r.output.contains("FunctionError") && r.output["FunctionError"].is_string() &&
        !r.output["FunctionError"].get<std::string>().empty()) {
      json e = json::parse(payload, nullptr, false);
      selector = e.is_object() && e.contains("errorMessage") && e["errorMessage"].is_string()
                     ? e["errorMessage"].get<std::string>()
                     : payload;
    }
    inv->finish(map_response(*inv, integration, selector, payload, {}));
  });
}

void integrate_mock(const InvocationP& inv, const json& integration) {
  bool failed = false;
  auto body = request_body(*inv, integration, &failed);
  if (!body) return inv->finish(unsupported_media_type(*inv));
  if (failed) return inv->finish(server_error(*inv));
  int status = 200;
  json req = json::parse(*body, nullptr, false);
  if (req.is_object() && req.contains("statusCode") && req["statusCode"].is_number_integer())
    status = req["statusCode"].get<int>();
  else if (!integration.contains("requestTemplates") || integration["requestTemplates"].empty())
    status = 200;
  else if (!req.is_object())
    return inv->finish(server_error(*inv));
  inv->finish(map_response(*inv, integration, std::to_string(status), "", {}));
}

void integrate_http(const InvocationP& inv, const json& integration, bool proxy) {
  std::string url = substitute_stage_variables(integration.value("uri", ""), inv->stage_variables());
  // Path parameters: {name} from the request parameters mapping, {proxy} from the greedy one.
  json mapping = integration.value("requestParameters", json::object());
  for (auto& [name, value] : inv->path_parameters) {
    std::string source = value;
    if (mapping.is_object())
      for (auto& [dest, src] : mapping.items())
        if (dest == "integration.request.path." + name && src.is_string()) {
          std::string s = src;
          if (s.rfind("method.request.path.", 0) == 0) {
            auto it = inv->path_parameters.find(s.substr(20));
            if (it != inv->path_parameters.end()) source = it->second;
          }
        }
    for (const std::string& token : {"{" + name + "}", "{" + name + "+}"}) {
      size_t at;
      while ((at = url.find(token)) != std::string::npos)
        url.replace(at, token.size(), text::percent_encode(source, token.back() == '}' && token[token.size() - 2] == '+' ? true : name == "proxy"));
    }
  }
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  if (proxy) {
    for (auto& [k, v] : inv->call.headers) {
      std::string l = text::ascii_lower(k);
      if (l == "host" || l == "content-length" || l == "connection" || l == "transfer-encoding" || l == "expect") continue;
      headers.emplace_back(k, v);
    }
    if (!inv->call.query.empty()) url += (url.find('?') == std::string::npos ? "?" : "&") + inv->call.query;
    body = inv->call.body;
  } else {
    bool failed = false;
    auto b = request_body(*inv, integration, &failed);
    if (!b) return inv->finish(unsupported_media_type(*inv));
    if (failed) return inv->finish(server_error(*inv));
    body = *b;
    if (mapping.is_object())
      for (auto& [dest, src] : mapping.items()) {
        if (!src.is_string()) continue;
        std::string s = src, value;
        if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') value = s.substr(1, s.size() - 2);
        else if (s.rfind("method.request.header.", 0) == 0) value = header_of(inv->call, s.substr(22));
        else if (s.rfind("method.request.querystring.", 0) == 0) {
          for (auto& [k, v] : parse_query(inv->call.query))
            if (k == s.substr(27)) value = v;
        } else if (s.rfind("method.request.path.", 0) == 0) {
          auto it = inv->path_parameters.find(s.substr(20));
          if (it != inv->path_parameters.end()) value = it->second;
        } else if (s.rfind("stageVariables.", 0) == 0) {
          value = inv->stage_variables().value(s.substr(15), "");
        } else {
          continue;
        }
        if (dest.rfind("integration.request.header.", 0) == 0) headers.emplace_back(dest.substr(27), value);
        else if (dest.rfind("integration.request.querystring.", 0) == 0)
          url += (url.find('?') == std::string::npos ? "?" : "&") + text::percent_encode(dest.substr(32)) + "=" +
                 text::percent_encode(value);
      }
    std::string type = header_of(inv->call, "content-type");
    if (!type.empty()) headers.emplace_back("Content-Type", type);
  }
  std::string method = integration.value("httpMethod", inv->call.method);
  if (method == "ANY") method = inv->call.method;
  long timeout = integration.value("timeoutInMillis", 29000);
  std::thread([inv, integration, url, method, headers, body, timeout, proxy] {
    auto r = http_request(method, url, headers, body, std::chrono::milliseconds(timeout));
    if (!r.ok) {
      if (r.status == 504) return inv->finish(gateway_response(*inv, "INTEGRATION_TIMEOUT", "Endpoint request timed out"));
      return inv->finish(internal_error(*inv));
    }
    if (proxy) {
      HttpAnswer a;
      a.status = r.status;
      for (auto& [k, v] : r.headers) {
        std::string l = text::ascii_lower(k);
        if (l == "content-length" || l == "transfer-encoding" || l == "connection" || l == "date") continue;
        a.headers.emplace_back(k, v);
      }
      a.body = std::move(r.body);
      return inv->finish(std::move(a));
    }
    inv->finish(map_response(*inv, integration, std::to_string(r.status), r.body, r.headers));
  }).detach();
}

void run_integration(const InvocationP& inv, const ServiceEnv& env) {
  const json& integration = inv->method.value("methodIntegration", json::object());
  std::string type = integration.value("type", "");
  try {
    if (type == "AWS_PROXY") return integrate_aws_proxy(inv, env, integration);
    if (type == "AWS") return integrate_aws(inv, env, integration);
    if (type == "MOCK") return integrate_mock(inv, integration);
    if (type == "HTTP" || type == "HTTP_PROXY") return integrate_http(inv, integration, type == "HTTP_PROXY");
  } catch (const std::exception& e) {
    spdlog::error("apigateway {}: integration failed: {}", inv->api_id, e.what());
  }
  inv->finish(server_error(*inv));
}

// ---- Lambda authorizers ----

// The identity of a request for an authorizer (also its cache key); nullopt when a source is
// missing (401).
std::optional<std::string> identity_of(const RestInvocation& inv, const json& auth) {
  std::string sources = auth.value("identitySource", "");
  std::string type = auth.value("type", "TOKEN");
  std::string out;
  size_t i = 0;
  if (sources.empty()) return type == "REQUEST" ? std::optional<std::string>("") : std::nullopt;
  while (i <= sources.size()) {
    size_t j = sources.find(',', i);
    if (j == std::string::npos) j = sources.size();
    std::string s = sources.substr(i, j - i);
    i = j + 1;
    while (!s.empty() && s.front() == ' ') s.erase(0, 1);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    std::string value;
    if (s.rfind("method.request.header.", 0) == 0) value = header_of(inv.call, s.substr(22));
    else if (s.rfind("method.request.querystring.", 0) == 0) {
      for (auto& [k, v] : parse_query(inv.call.query))
        if (k == s.substr(27)) value = v;
    } else if (s.rfind("stageVariables.", 0) == 0) value = inv.stage_variables().value(s.substr(15), "");
    else if (s.rfind("context.", 0) == 0) {
      json v = json_path(inv.vtl_context(), "$." + s.substr(8));
      value = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    if (value.empty()) return std::nullopt;
    out += (out.empty() ? "" : ",") + value;
  }
  return out;
}

json authorizer_event(const RestInvocation& inv, const json& auth, const std::string& identity) {
  if (auth.value("type", "TOKEN") == "TOKEN")
    return {{"type", "TOKEN"}, {"authorizationToken", identity}, {"methodArn", inv.method_arn()}};
  json ev = proxy_event_v1(inv.proxy_request());
  json out = {{"type", "REQUEST"}, {"methodArn", inv.method_arn()}};
  for (const char* f : {"resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
                        "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext"})
    if (ev.contains(f)) out[f] = ev[f];
  return out;
}

// Applies an authorizer's output (a policy and context) to the invocation; false when it refused.
bool apply_policy(const InvocationP& inv, const json& result) {
  std::string verdict = policy_verdict(result.value("policyDocument", json()), inv->method_arn());
  if (verdict == "invalid" || !result.contains("principalId")) {
    inv->finish(authorizer_error(*inv));
    return false;
  }
  if (verdict == "deny") {
    inv->finish(gateway_response(*inv, "ACCESS_DENIED", "User is not authorized to access this resource with an explicit deny"));
    return false;
  }
  if (verdict != "allow") {
    inv->finish(gateway_response(*inv, "ACCESS_DENIED", "User is not authorized to access this resource"));
    return false;
  }
  json ctx = json::object();
  if (result.contains("context") && result["context"].is_object())
    for (auto& [k, v] : result["context"].items())
      if (v.is_string() || v.is_number() || v.is_boolean()) ctx[k] = v.is_string() ? v : json(v.dump(-1, ' ', false, json::error_handler_t::replace));
  ctx["principalId"] = result["principalId"].is_string() ? result["principalId"] : json(result["principalId"].dump(-1, ' ', false, json::error_handler_t::replace));
  inv->auth_context = ctx;
  inv->usage_key = text_of(result, "usageIdentifierKey");
  return true;
}

}  // namespace

bool RestService::invoke_http(const RequestContext& ctx, const HttpCall& call, HttpCompletion done) {
  auto inv = std::make_shared<RestInvocation>();
  {
    std::lock_guard lock(mu_);
    auto it = apis_.find(call.api_id);
    if (it == apis_.end()) return false;
    json& api = it->second;
    inv->svc = this;
    inv->alive = alive_;
    inv->ctx = ctx;
    auto slash = api["scope"].get<std::string>().find('/');
    inv->ctx.account_id = api["scope"].get<std::string>().substr(0, slash);
    inv->ctx.region = api["scope"].get<std::string>().substr(slash + 1);
    inv->call = call;
    inv->done = std::move(done);
    inv->api_id = call.api_id;
    std::string raw = call.path.empty() ? "/" : call.path;
    size_t second = raw.find('/', 1);
    inv->stage_name = text::percent_decode(raw.substr(1, second == std::string::npos ? std::string::npos : second - 1), false)
                          .value_or("");
    std::string rest = second == std::string::npos ? "/" : raw.substr(second);
    auto st = api["stages"].find(inv->stage_name);
    if (inv->stage_name.empty() || st == api["stages"].end()) {
      inv->finish(forbidden(*inv));
      return true;
    }
    inv->stage = *st;
    auto d = api["deployments"].find(inv->stage.value("deploymentId", ""));
    if (d == api["deployments"].end()) {
      inv->finish(forbidden(*inv));
      return true;
    }
    inv->models = d->value("models", json::object());
    inv->validators = d->value("requestValidators", json::object());
    inv->gateway_responses = d->value("gatewayResponses", json::object());
    inv->path = decode_path(rest);
    auto match = match_resource((*d)["resources"], inv->path);
    if (!match) {
      inv->finish(missing_token(*inv));
      return true;
    }
    const json& resource = (*d)["resources"][match->resource_id];
    const json& methods = resource.value("resourceMethods", json::object());
    auto m = methods.find(call.method);
    if (m == methods.end()) m = methods.find("ANY");
    if (m == methods.end()) {
      inv->finish(missing_token(*inv));
      return true;
    }
    inv->method = *m;
    inv->resource_id = match->resource_id;
    inv->resource_path = resource.value("path", "/");
    inv->path_parameters = std::move(match->path_parameters);
    inv->binary_types = d->value("binaryMediaTypes", json::array());
    inv->api_key_source = d->value("apiKeySource", "HEADER");
    std::string rp = inv->resource_path.size() > 1 ? inv->resource_path.substr(1) : "";
    inv->method_key = rp + "/" + call.method;
    std::string auth_type = inv->method.value("authorizationType", "NONE");
    if (auth_type == "CUSTOM" || auth_type == "COGNITO_USER_POOLS") {
      auto a = (*d)["authorizers"].find(inv->method.value("authorizerId", ""));
      if (a == (*d)["authorizers"].end()) {
        inv->finish(server_error(*inv));
        return true;
      }
      inv->authorizer = *a;
    }
  }
  std::string auth_type = inv->method.value("authorizationType", "NONE");
  if (auth_type == "AWS_IAM" && inv->ctx.access_key_id.empty()) {
    inv->finish(missing_token(*inv));
    return true;
  }
  if (auth_type == "COGNITO_USER_POOLS") {
    if (auto refused = check_cognito(*inv)) {
      inv->finish(std::move(*refused));
      return true;
    }
  }
  if (auth_type != "CUSTOM") {
    after_auth(inv, env_);
    return true;
  }
  // Lambda authorizer: a cached result for this identity, or a call.
  const json& auth = inv->authorizer;
  auto identity = identity_of(*inv, auth);
  if (!identity) {
    inv->finish(unauthorized(*inv));
    return true;
  }
  std::string expr = auth.value("identityValidationExpression", "");
  if (!expr.empty() && auth.value("type", "TOKEN") == "TOKEN") {
    bool ok = false;
    try {
      ok = std::regex_match(*identity, std::regex(expr));
    } catch (const std::regex_error&) {
    }
    if (!ok) {
      inv->finish(unauthorized(*inv));
      return true;
    }
  }
  int ttl = auth.value("authorizerResultTtlInSeconds", 300);
  std::string cache_key = inv->api_id + "/" + inv->stage_name + "/" + auth.value("id", "") + "/" + *identity;
  if (ttl > 0) {
    std::optional<json> cached;
    {
      std::lock_guard lock(mu_);
      auto c = auth_cache_.find(cache_key);
      if (c != auth_cache_.end() && c->second.expires > env_.clock->now()) cached = c->second.result;
    }
    if (cached) {
      if (apply_policy(inv, *cached)) after_auth(inv, env_);
      return true;
    }
  }
  std::string arn = function_of(substitute_stage_variables(auth.value("authorizerUri", ""), inv->stage_variables()));
  json event = authorizer_event(*inv, auth, *identity);
  const ServiceEnv& env = env_;
  invoke_lambda(inv, env_, arn, event.dump(-1, ' ', false, json::error_handler_t::replace), [inv, &env, ttl, cache_key](Result r) {
    if (r.error) return inv->finish(authorizer_error(*inv));
    std::string payload = result_payload(r);
    json out = json::parse(payload, nullptr, false);
    if (r.output.contains("FunctionError") && r.output["FunctionError"].is_string() &&
        !r.output["FunctionError"].get<std::string>().empty()) {
      std::string msg = text_of(out, "errorMessage");
      if (msg == "Unauthorized") return inv->finish(unauthorized(*inv));
      return inv->finish(authorizer_error(*inv));
    }
    if (!out.is_object()) return inv->finish(authorizer_error(*inv));
    if (ttl > 0 && *inv->alive) {
      std::lock_guard lock(inv->svc->mu_);
      inv->svc->auth_cache_[cache_key] = {env.clock->now() + std::chrono::seconds(ttl), out};
    }
    if (apply_policy(inv, out)) after_auth(inv, env);
  });
  return true;
}

namespace {

int64_t epoch_day(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::hours>(t.time_since_epoch()).count() / 24 -
         (t.time_since_epoch().count() < 0 ? 1 : 0);
}

// The first day of the quota period holding `day` (DAY, WEEK from Monday, MONTH), plus offset days.
int64_t period_start(int64_t day, const std::string& period) {
  if (period == "WEEK") return day - ((day + 3) % 7 + 7) % 7;
  if (period == "MONTH") {
    // civil_from_days, then back to the first of that month.
    int64_t z = day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    return day - (d - 1);
  }
  return day;
}

}  // namespace

// API keys, usage plans and throttling, then the integration.
void after_auth_impl(const InvocationP& inv, const ServiceEnv& env);

namespace {
void after_auth(const InvocationP& inv, const ServiceEnv& env) { after_auth_impl(inv, env); }
}  // namespace

void after_auth_impl(const InvocationP& inv, const ServiceEnv& env) {
  if (!*inv->alive) return inv->finish(server_error(*inv));
  RestService& svc = *inv->svc;
  std::optional<HttpAnswer> refused;
  {
    std::lock_guard lock(svc.mu_);
    auto now = env.clock->now();
    if (inv->method.value("apiKeyRequired", false)) {
      std::string value = inv->api_key_source == "AUTHORIZER" ? inv->usage_key : header_of(inv->call, "x-api-key");
      std::string scope = inv->ctx.account_id + "/" + inv->ctx.region;
      const json* key = nullptr;
      if (!value.empty())
        for (auto& [id, k] : svc.keys_)
          if (k.value("scope", "") == scope && k["key"].value("value", "") == value) key = &k;
      const json* plan = nullptr;
      if (key && (*key)["key"].value("enabled", false)) {
        std::string key_id = (*key)["key"]["id"];
        for (auto& [pid, p] : svc.plans_) {
          if (std::find(p["keys"].begin(), p["keys"].end(), key_id) == p["keys"].end()) continue;
          for (auto& s : p["plan"].value("apiStages", json::array()))
            if (s.value("apiId", "") == inv->api_id && s.value("stage", "") == inv->stage_name) plan = &p;
          if (plan) break;
        }
      }
      if (!plan) {
        refused = gateway_response(*inv, "INVALID_API_KEY", "Forbidden");
      } else {
        inv->api_key = value;
        inv->api_key_id = (*key)["key"]["id"];
        const json& pl = (*plan)["plan"];
        std::string pid = pl["id"];
        if (auto t = pl.find("throttle"); t != pl.end() && t->is_object() && (t->contains("rateLimit") || t->contains("burstLimit"))) {
          auto& bucket = svc.buckets_["plan/" + pid + "/" + inv->api_key_id];
          if (!bucket)
            bucket = std::make_shared<TokenBucket>(t->value("rateLimit", 0.0), static_cast<double>(t->value("burstLimit", 0)));
          if (!bucket->take(now)) refused = gateway_response(*inv, "THROTTLED", "Too Many Requests");
        }
        if (!refused) {
          auto& days = svc.usage_[pid + "/" + inv->api_key_id];
          int64_t today = epoch_day(now);
          if (auto q = pl.find("quota"); q != pl.end() && q->is_object() && q->value("limit", 0) > 0) {
            int64_t start = period_start(today, q->value("period", "DAY"));
            int64_t used = 0;
            for (auto x = days.lower_bound(start); x != days.end(); ++x) used += x->second;
            if (used >= q->value("limit", int64_t{0})) refused = gateway_response(*inv, "QUOTA_EXCEEDED", "Limit Exceeded");
          }
          if (!refused) ++days[today];
        }
      }
    }
    if (!refused) {
      // Stage and method throttling (methodSettings "*/*" and "<path>/<METHOD>").
      const json& settings = inv->stage.value("methodSettings", json::object());
      for (const std::string& k : {inv->method_key, std::string("*/*")}) {
        auto s = settings.find(k);
        if (s == settings.end() || !s->is_object()) continue;
        auto& bucket = svc.buckets_["stage/" + inv->api_id + "/" + inv->stage_name + "/" + k];
        if (!bucket)
          bucket = std::make_shared<TokenBucket>(s->value("throttlingRateLimit", 10000.0),
                                                 static_cast<double>(s->value("throttlingBurstLimit", 5000)));
        if (!bucket->take(now)) refused = gateway_response(*inv, "THROTTLED", "Too Many Requests");
        break;
      }
    }
  }
  if (!refused) refused = validate_request(*inv);
  if (refused) return inv->finish(std::move(*refused));
  run_integration(inv, env);
}

void run_method_integration(const InvocationP& inv, const ServiceEnv& env) { run_integration(inv, env); }

}  // namespace awan::apigateway
