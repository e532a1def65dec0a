// TestInvokeMethod (rest_impl.hpp): a method of the API as it is now (not as deployed) run on a
// simulated request — its request validator, then its integration — without authorizers, API
// keys or throttling, as AWS's test invocation; the answer becomes {status, body, headers,
// multiValueHeaders, log, latency}. The data plane's pieces come from rest_invocation.hpp.
#include "apigateway/rest_invocation.hpp"
#include "core/operation.hpp"

namespace awan::apigateway {

using namespace rest_errors;

void RestService::invoke(const RequestContext& ctx, const std::string& operation, json input, Completion done) {
  if (operation != "TestInvokeMethod") return done(call(ctx, operation, std::move(input)));
  test_invoke_method(ctx, std::move(input), std::move(done));
}

namespace {

std::map<std::string, std::string> string_map(const json& v) {
  std::map<std::string, std::string> out;
  if (v.is_object())
    for (auto& [k, x] : v.items())
      if (x.is_string()) out[k] = x;
  return out;
}

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The path parameters of `path` read through the resource's template ("/pets/{id}",
// "/files/{proxy+}"); what does not line up is left out.
std::map<std::string, std::string> path_parameters_of(const std::string& resource_path, const std::string& path) {
  std::map<std::string, std::string> out;
  auto parts = segments(resource_path), values = segments(path);
  for (size_t i = 0; i < parts.size() && i < values.size(); ++i) {
    const std::string& p = parts[i];
    if (p.size() < 3 || p.front() != '{' || p.back() != '}') continue;
    if (p[p.size() - 2] == '+') {
      std::string rest;
      for (size_t j = i; j < values.size(); ++j) rest += (j > i ? "/" : "") + values[j];
      out[p.substr(1, p.size() - 3)] = rest;
      break;
    }
    out[p.substr(1, p.size() - 2)] = values[i];
  }
  return out;
}

// The log AWS returns, in its shape: one line per step.
std::string log_of(const RestInvocation& inv, const HttpAnswer& a, const std::string& started) {
  std::string id = inv.ctx.request_id;
  std::string log = "Execution log for request " + id + "\n";
  auto line = [&](const std::string& text) { log += started + " : " + text + "\n"; };
  line("Starting execution for request: " + id);
  line("HTTP Method: " + inv.call.method + ", Resource Path: " + inv.path);
  line("Method request path: " + json(inv.path_parameters).dump());
  line("Method request query string: " + json(parse_query(inv.call.query)).dump());
  line("Method request body before transformations: " + inv.call.body);
  line("Method response body after transformations: " + a.body);
  line("Method completed with status: " + std::to_string(a.status));
  return log;
}

}  // namespace

void RestService::test_invoke_method(const RequestContext& ctx, json in, Completion done) {
  auto inv = std::make_shared<RestInvocation>();
  {
    std::lock_guard lock(mu_);
    ctx_ = &ctx;
    std::optional<AwsError> error;
    try {
      json& api = api_doc(in);
      json& resource = resource_of(api, in);
      inv->method = method_of(api, in);
      std::string scope = api["scope"];
      inv->ctx = ctx;
      inv->ctx.account_id = scope.substr(0, scope.find('/'));
      inv->ctx.region = scope.substr(scope.find('/') + 1);
      inv->svc = this;
      inv->alive = alive_;
      inv->api_id = api["api"]["id"];
      inv->stage_name = "test-invoke-stage";
      inv->stage = {{"stageName", inv->stage_name}, {"variables", in.value("stageVariables", json::object())}};
      inv->resource_id = resource["id"];
      inv->resource_path = resource.value("path", "/");
      inv->binary_types = api["api"].value("binaryMediaTypes", json::array());
      inv->models = json::object();
      const json models = api.value("models", json::object());
      for (auto& [name, m] : models.items()) {
        json schema = json::parse(m.value("schema", "{}"), nullptr, false);
        inv->models[name] = schema.is_discarded() ? json::object() : schema;
      }
      inv->validators = api.value("requestValidators", json::object());
      inv->gateway_responses = api.value("gatewayResponses", json::object());
      // The request: pathWithQueryString (default: the resource's path), headers, body.
      std::string target = str(in, "pathWithQueryString", inv->resource_path);
      auto q = target.find('?');
      inv->call.api_id = inv->api_id;
      inv->call.method = str(in, "httpMethod");
      inv->call.path = "/" + inv->stage_name + (q == std::string::npos ? target : target.substr(0, q));
      if (q != std::string::npos) inv->call.query = target.substr(q + 1);
      inv->call.body = str(in, "body");
      inv->call.host = inv->api_id + ".execute-api." + inv->ctx.region + ".amazonaws.com";
      inv->call.source_ip = "test-invoke-source-ip";
      for (auto& [k, v] : string_map(in.value("headers", json::object()))) inv->call.headers.emplace_back(k, v);
      if (auto mv = in.find("multiValueHeaders"); mv != in.end() && mv->is_object())
        for (auto& [k, list] : mv->items())
          if (list.is_array())
            for (auto& v : list)
              if (v.is_string()) inv->call.headers.emplace_back(k, v);
      inv->path = decode_path(inv->call.path.substr(inv->stage_name.size() + 1));
      if (inv->path.empty()) inv->path = "/";
      inv->path_parameters = path_parameters_of(inv->resource_path, inv->path);
    } catch (const AwsError& e) {
      error = e;
    } catch (const std::exception&) {
      error = AwsError("BadRequestException", "Invalid request input", 400);
    }
    ctx_ = nullptr;
    if (error) return done(Result::fail(*error));
  }
  std::string started = timefmt::http_date(ctx.clock->now());
  auto begun = std::chrono::steady_clock::now();
  inv->done = [inv_weak = std::weak_ptr<RestInvocation>(inv), done, started, begun](HttpAnswer a) {
    json headers = json::object(), multi = json::object();
    for (auto& [k, v] : a.headers) {
      headers[k] = v;
      multi[k].push_back(v);
    }
    json out = {{"status", a.status}, {"body", a.body}, {"headers", headers}, {"multiValueHeaders", multi},
                {"latency", std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begun).count()}};
    if (auto inv = inv_weak.lock()) out["log"] = log_of(*inv, a, started);
    done(Result::ok(out));
  };
  if (auto refused = validate_request(*inv)) return inv->finish(std::move(*refused));
  run_method_integration(inv, env_);
}

}  // namespace awan::apigateway
