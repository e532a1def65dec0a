// The HTTP API data plane (Service::invoke_http): stage resolution, CORS preflights and
// response headers, route matching, route/stage throttling, JWT and Lambda REQUEST
// authorizers, AWS_PROXY (payload 1.0 and 2.0) and HTTP_PROXY integrations. WebSocket
// upgrades go on to websocket_connections.cpp.
#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>

#include "apigateway/v2_impl.hpp"
#include "apigateway/v2_mapping.hpp"
#include "apigateway/v2_routes.hpp"
#include "core/cors_config.hpp"
#include "core/crypto.hpp"
#include "core/document.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"

namespace awan::apigateway::v2 {

namespace {

HttpAnswer message_answer(int status, const std::string& message) {
  HttpAnswer a;
  a.status = status;
  a.headers = {{"Content-Type", "application/json"}};
  a.body = json{{"message", message}}.dump();
  return a;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string joined(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& v : list)
    if (v.is_string()) out += (out.empty() ? "" : ",") + v.get<std::string>();
  return out;
}

// The CORS headers of an actual (non-preflight) response from an allowed origin.
void add_cors_headers(const json& cors, const std::string* origin, HttpAnswer& a) {
  if (!origin) return;
  for (auto& h : cors::response_headers(cors, *origin)) a.headers.push_back(std::move(h));
}

std::string substitute_stage_variables(std::string s, const std::map<std::string, std::string>& vars) {
  for (size_t i = s.find("${stageVariables."); i != std::string::npos; i = s.find("${stageVariables.", i)) {
    size_t j = s.find('}', i);
    if (j == std::string::npos) break;
    std::string name = s.substr(i + 17, j - i - 17);
    auto it = vars.find(name);
    std::string v = it == vars.end() ? "" : it->second;
    s.replace(i, j - i + 1, v);
    i += v.size();
  }
  return s;
}

// "arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations" or
// a function ARN or name.
std::string function_of(const std::string& uri) {
  size_t f = uri.find(":lambda:path/");
  if (f == std::string::npos) return uri;
  size_t s = uri.find("/functions/", f);
  if (s == std::string::npos) return uri;
  std::string rest = uri.substr(s + 11);
  if (rest.ends_with("/invocations")) rest.resize(rest.size() - 12);
  return rest;
}

}  // namespace

void V2Service::invoke_lambda(const std::string& account, const std::string& region, const std::string& uri,
                              const std::string& payload, std::function<void(bool, std::string)> done) {
  if (!env_.call_service) return done(false, "");
  RequestContext ctx;
  ctx.request_id = ids::uuid4();
  ctx.account_id = account;
  ctx.region = region;
  ctx.service = "lambda";
  ctx.operation = "Invoke";
  ctx.clock = env_.clock;
  env_.call_service(ctx, "lambda", "Invoke", {{"FunctionName", function_of(uri)}, {"Payload", payload}},
                    [done = std::move(done)](Result r) {
                      if (r.error) {
                        spdlog::warn("apigatewayv2: Lambda integration failed: {}: {}", r.error->code, r.error->message);
                        return done(false, "");
                      }
                      if (r.output.contains("FunctionError")) return done(false, r.output.value("Payload", ""));
                      done(true, r.output.value("Payload", ""));
                    });
}

std::optional<RouteTarget> V2Service::target_for(const Api& api, const std::string& stage, const json& route) const {
  RouteTarget t;
  t.api = api.doc;
  t.route = route;
  t.account = api.account;
  t.region = api.region;
  if (auto st = api.children.find("Stage"); st != api.children.end())
    if (auto s = st->second.find(stage); s != st->second.end()) t.stage = s->second;
  const json* snapshot = deployed(api, stage);
  if (!snapshot) return std::nullopt;
  auto find = [&](const char* kind, const std::string& id) -> const json* {
    if (!snapshot->contains(kind) || !(*snapshot)[kind].contains(id)) return nullptr;
    return &(*snapshot)[kind][id];
  };
  std::string target = route.value("Target", "");
  if (target.starts_with("integrations/"))
    if (const json* i = find("Integration", target.substr(13))) t.integration = *i;
  if (route.contains("AuthorizerId") && route["AuthorizerId"].is_string())
    if (const json* a = find("Authorizer", route["AuthorizerId"].get<std::string>())) t.authorizer = *a;
  return t;
}

bool V2Service::throttled(const std::string& api_id, const json& stage, const std::string& route_key) {
  if (!stage.is_object()) return false;
  const json* settings = nullptr;
  if (stage.contains("RouteSettings") && stage["RouteSettings"].contains(route_key)) settings = &stage["RouteSettings"][route_key];
  const json* defaults = stage.contains("DefaultRouteSettings") ? &stage["DefaultRouteSettings"] : nullptr;
  auto pick = [&](const char* m) -> std::optional<double> {
    if (settings && settings->contains(m) && (*settings)[m].is_number()) return (*settings)[m].get<double>();
    if (defaults && defaults->contains(m) && (*defaults)[m].is_number()) return (*defaults)[m].get<double>();
    return std::nullopt;
  };
  auto rate = pick("ThrottlingRateLimit");
  auto burst = pick("ThrottlingBurstLimit");
  if (!rate && !burst) return false;
  double r = rate.value_or(10000), b = burst.value_or(5000);
  if (r <= 0 && b <= 0) return true;
  std::string key = api_id + "/" + stage.value("StageName", "") + "/" + route_key;
  std::shared_ptr<TokenBucket> bucket;
  {
    std::lock_guard lock(buckets_mu_);
    auto& slot = buckets_[key];
    if (!slot) slot = std::make_shared<TokenBucket>(r, b);
    else slot->set(r, b);
    bucket = slot;
  }
  return !bucket->take(now());
}

bool V2Service::invoke_http(const RequestContext& ctx, const HttpCall& call, HttpCompletion done) {
  std::unique_lock lock(mu_);
  auto it = apis_.find(call.api_id);
  if (it == apis_.end()) return false;
  Api& api = *it->second;
  if (api.doc.value("DisableExecuteApiEndpoint", false)) {
    lock.unlock();
    done(message_answer(403, "Forbidden"));
    return true;
  }
  std::vector<std::string> stages;
  for (const auto& [name, s] : api.children["Stage"]) stages.push_back(name);
  auto sp = resolve_stage(call.path, stages);
  if (!sp) {
    lock.unlock();
    done(message_answer(404, "Not Found"));
    return true;
  }
  if (api.websocket()) {
    json doc = api.doc;
    lock.unlock();
    if (!call.websocket_upgrade) done(message_answer(426, "Upgrade Required"));
    else upgrade_websocket(ctx, call, doc, sp->stage, done);
    return true;
  }
  json cors = api.doc.value("CorsConfiguration", json());
  const std::string* origin = call.header("Origin");
  if (cors.is_object() && call.method == "OPTIONS" && origin && call.header("Access-Control-Request-Method")) {
    lock.unlock();
    HttpAnswer a;
    a.status = 204;
    a.headers = cors::preflight_headers(cors, *origin, *call.header("Access-Control-Request-Method"),
                                        call.header("Access-Control-Request-Headers"));
    done(std::move(a));
    return true;
  }
  std::vector<RouteKey> keys;
  std::vector<const json*> routes;
  const json* snapshot = deployed(api, sp->stage);
  if (snapshot && snapshot->contains("Route"))
    for (const auto& r : (*snapshot)["Route"]) {
      if (auto k = parse_route_key(r.value("RouteKey", ""))) {
        keys.push_back(std::move(*k));
        routes.push_back(&r);
      }
    }
  auto m = match_route(keys, call.method, sp->path);
  if (!m) {
    lock.unlock();
    HttpAnswer a = message_answer(404, "Not Found");
    add_cors_headers(cors, origin, a);
    done(std::move(a));
    return true;
  }
  auto target = target_for(api, sp->stage, *routes[m->index]);
  lock.unlock();
  if (!target) {
    done(message_answer(404, "Not Found"));
    return true;
  }

  ProxyRequest r;
  r.api_id = call.api_id;
  r.stage = sp->stage;
  r.request_id = ids::random_string(14, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") + "=";
  r.account_id = target->account;
  r.domain_name = call.host;
  r.http_method = call.method;
  r.path = decode_path(sp->path);
  r.stage_path = sp->stage == "$default" ? sp->path : "/" + sp->stage + (sp->path == "/" ? "" : sp->path);
  r.raw_query = call.query;
  r.headers = call.headers;
  r.body = call.body;
  r.route_key = target->route.value("RouteKey", "");
  r.resource = r.route_key.find(' ') == std::string::npos ? r.route_key : r.route_key.substr(r.route_key.find(' ') + 1);
  r.path_parameters = m->path_parameters;
  if (target->stage.contains("StageVariables") && target->stage["StageVariables"].is_object())
    for (auto& [k, v] : target->stage["StageVariables"].items())
      if (v.is_string()) r.stage_variables[k] = v;
  r.source_ip = call.source_ip;
  if (const std::string* ua = call.header("User-Agent")) r.user_agent = *ua;
  r.time = now();
  r.access_key = ctx.access_key_id;
  r.caller_arn = ctx.caller_arn;
  r.caller_user_id = ctx.caller_user_id;
  if (const std::string* ct = call.header("Content-Type")) r.binary_body = !cors::is_text_media_type(*ct) && !call.body.empty();

  if (throttled(call.api_id, target->stage, r.route_key)) {
    HttpAnswer a = message_answer(429, "Too Many Requests");
    add_cors_headers(cors, origin, a);
    done(std::move(a));
    return true;
  }
  std::string origin_value = origin ? *origin : "";
  bool has_origin = origin != nullptr;
  auto finish = [done = std::move(done), cors, origin_value, has_origin, rid = r.request_id](HttpAnswer a) {
    add_cors_headers(cors, has_origin ? &origin_value : nullptr, a);
    a.headers.emplace_back("apigw-requestid", rid);
    done(std::move(a));
  };
  invoke_route(ctx, call, std::move(*target), std::move(r), std::move(finish));
  return true;
}

void V2Service::invoke_route(const RequestContext& ctx, const HttpCall& call, RouteTarget t, ProxyRequest r,
                             HttpCompletion done) {
  std::string auth = t.route.value("AuthorizationType", "NONE");
  if (auth == "AWS_IAM" && ctx.access_key_id.empty()) return done(message_answer(403, "Forbidden"));
  if ((auth == "JWT" || auth == "CUSTOM") && !t.authorizer.is_object()) return done(message_answer(500, "Internal Server Error"));
  if (auth == "JWT") {
    std::string source = "$request.header.Authorization";
    if (t.authorizer.contains("IdentitySource") && t.authorizer["IdentitySource"].is_array() &&
        !t.authorizer["IdentitySource"].empty() && t.authorizer["IdentitySource"][0].is_string())
      source = t.authorizer["IdentitySource"][0];
    std::string token;
    if (source.starts_with("$request.header.")) {
      if (const std::string* h = call.header(source.substr(16))) token = *h;
    }
    if (token.size() > 7 && lower(token.substr(0, 7)) == "bearer ") token = token.substr(7);
    if (token.empty()) return done(message_answer(401, "Unauthorized"));
    std::thread([this, t = std::move(t), r = std::move(r), token, done = std::move(done)]() mutable {
      auto unauthorized = [&](const std::string& why) {
        HttpAnswer a = message_answer(401, "Unauthorized");
        a.headers.emplace_back("www-authenticate", "Bearer scope=\"\" error=\"invalid_token\" error_description=\"" + why + "\"");
        done(std::move(a));
      };
      auto jwt = parse_jwt(token);
      if (!jwt) return unauthorized("the token is not a valid JWT");
      const json jc = t.authorizer.value("JwtConfiguration", json::object());
      JwtExpectations e;
      e.issuer = jc.value("Issuer", "");
      for (const auto& a : jc.value("Audience", json::array()))
        if (a.is_string()) e.audience.push_back(a);
      for (const auto& s : t.route.value("AuthorizationScopes", json::array()))
        if (s.is_string()) e.scopes.push_back(s);
      e.now = now();
      auto keys = jwks().keys_for(e.issuer);
      if (!keys) return unauthorized("the issuer's keys could not be fetched");
      if (!verify_rs256(*jwt, *keys)) return unauthorized("the token's signature is invalid");
      if (std::string why = check_claims(*jwt, e); !why.empty()) {
        if (why == "insufficient scope") return done(message_answer(403, "Forbidden"));
        return unauthorized(why == "expired" ? "the token has expired" : why);
      }
      json claims = json::object();
      for (auto& [k, v] : jwt->claims.items()) {
        if (v.is_string()) claims[k] = v;
        else if (v.is_array()) {
          std::string s = "[";
          for (size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + (v[i].is_string() ? v[i].get<std::string>() : v[i].dump());
          claims[k] = s + "]";
        } else claims[k] = v.dump();
      }
      json scopes = e.scopes.empty() ? json(nullptr) : json(e.scopes);
      r.authorizer = {{"jwt", {{"claims", claims}, {"scopes", scopes}}}};
      run_integration(t, r, std::move(done));
    }).detach();
    return;
  }
  if (auth == "CUSTOM") {
    json event = proxy_event_v2(r);
    event["type"] = "REQUEST";
    event["routeArn"] = "arn:aws:execute-api:" + t.region + ":" + t.account + ":" + r.api_id + "/" + r.stage + "/" +
                        r.http_method + r.path;
    json identity = json::array();
    bool missing = false;
    for (const auto& src : t.authorizer.value("IdentitySource", json::array())) {
      if (!src.is_string()) continue;
      std::string s = src;
      const std::string* v = nullptr;
      std::string qv;
      if (s.starts_with("$request.header.")) v = call.header(s.substr(16));
      else if (s.starts_with("$request.querystring.")) {
        for (auto& [k, val] : parse_query(r.raw_query))
          if (k == s.substr(21)) {
            qv = val;
            v = &qv;
            break;
          }
      }
      if (!v) missing = true;
      else identity.push_back(*v);
    }
    if (missing) return done(message_answer(401, "Unauthorized"));
    event["identitySource"] = identity;
    if (t.authorizer.value("AuthorizerPayloadFormatVersion", "2.0") == "1.0") {
      event = proxy_event_v1(r, true);
      event["type"] = "REQUEST";
      event["methodArn"] = "arn:aws:execute-api:" + t.region + ":" + t.account + ":" + r.api_id + "/" + r.stage + "/" +
                           r.http_method + r.path;
      event["identitySource"] = joined(identity);
    }
    bool simple = t.authorizer.value("EnableSimpleResponses", false);
    std::string uri = t.authorizer.value("AuthorizerUri", "");
    int ttl = t.authorizer.value("AuthorizerResultTtlInSeconds", 0);
    std::string cache_key = r.api_id + "/" + t.authorizer.value("AuthorizerId", "") + "/" + identity.dump(-1, ' ', false, json::error_handler_t::replace);
    if (ttl > 0 && !identity.empty()) {
      std::optional<json> cached;
      {
        std::lock_guard lock(auth_cache_mu_);
        auto it = auth_cache_.find(cache_key);
        if (it != auth_cache_.end() && it->second.first > now()) cached = it->second.second;
      }
      if (cached) {
        if (cached->is_null()) return done(message_answer(403, "Forbidden"));
        r.authorizer = {{"lambda", *cached}};
        return run_integration(t, r, std::move(done));
      }
    }
    invoke_lambda(t.account, t.region, uri, event_text(event),
                  [this, t, r, simple, ttl, cache_key, cacheable = !identity.empty(),
                   done = std::move(done)](bool ok, std::string out) mutable {
                    if (!ok) return done(message_answer(500, "Internal Server Error"));
                    json res = json::parse(out, nullptr, false);
                    bool allowed = false;
                    json context = json::object();
                    if (res.is_object()) {
                      // The function's answer is untrusted: a member of the wrong type refuses.
                      if (simple) {
                        auto a = res.find("isAuthorized");
                        allowed = a != res.end() && a->is_boolean() && a->get<bool>();
                      } else if (res.contains("policyDocument") && res["policyDocument"].is_object()) {
                        json statements = res["policyDocument"].value("Statement", json::array());
                        if (statements.is_object()) statements = json::array({statements});
                        if (!statements.is_array()) statements = json::array();
                        for (const auto& st : statements)
                          if (text_of(st, "Effect") == "Allow") allowed = true;
                        for (const auto& st : statements)
                          if (text_of(st, "Effect") == "Deny") allowed = false;
                      }
                      if (res.contains("context") && res["context"].is_object()) context = res["context"];
                    }
                    if (ttl > 0 && cacheable) {
                      std::lock_guard lock(auth_cache_mu_);
                      if (auth_cache_.size() > 10000) auth_cache_.clear();
                      auth_cache_[cache_key] = {now() + std::chrono::seconds(ttl), allowed ? context : json(nullptr)};
                    }
                    if (!allowed) return done(message_answer(403, "Forbidden"));
                    r.authorizer = {{"lambda", context}};
                    run_integration(t, r, std::move(done));
                  });
    return;
  }
  run_integration(t, r, std::move(done));
}

namespace {

// What parameter mappings read of a request (v2_mapping.hpp).
MappingSource mapping_source(const RouteTarget& t, const ProxyRequest& r) {
  MappingSource src;
  src.request_headers = r.headers;
  src.request_query = parse_query(r.raw_query);
  src.path_parameters = r.path_parameters;
  src.stage_variables = r.stage_variables;
  src.request_path = r.path;
  src.request_body = r.body;
  src.context = {{"requestId", r.request_id}, {"apiId", r.api_id}, {"stage", r.stage}, {"domainName", r.domain_name},
                 {"httpMethod", r.http_method}, {"path", r.stage_path}, {"routeKey", r.route_key},
                 {"accountId", t.account}, {"protocol", r.protocol},
                 {"identity", {{"sourceIp", r.source_ip}, {"userAgent", r.user_agent}}}};
  if (!r.authorizer.is_null()) src.context["authorizer"] = r.authorizer;
  return src;
}

// The integration's ResponseParameters for the answer's status.
void map_answer(const json& integration, const MappingSource& base, HttpAnswer& a) {
  auto p = integration.find("ResponseParameters");
  if (p == integration.end() || !p->is_object()) return;
  MappingSource src = base;
  src.response_headers = &a.headers;
  src.response_body = &a.body;
  Headers headers = a.headers;
  apply_response_parameters(*p, src, a.status, headers);
  a.headers = std::move(headers);
}

std::string encode_query(const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out;
  for (const auto& [k, v] : query) {
    if (!out.empty()) out += '&';
    out += text::percent_encode(k) + "=" + text::percent_encode(v);
  }
  return out;
}

}  // namespace

void V2Service::run_integration(const RouteTarget& t, const ProxyRequest& r, HttpCompletion done) {
  const json& i = t.integration;
  if (!i.is_object()) return done(message_answer(500, "Internal Server Error"));
  std::string type = i.value("IntegrationType", "");
  std::string uri = substitute_stage_variables(i.value("IntegrationUri", ""), r.stage_variables);
  MappingSource src = mapping_source(t, r);
  if (type == "AWS_PROXY") {
    bool v2 = i.value("PayloadFormatVersion", "2.0") == "2.0";
    json event = v2 ? proxy_event_v2(r) : proxy_event_v1(r, true);
    invoke_lambda(t.account, t.region, uri, event_text(event), [v2, i, src, done = std::move(done)](bool ok, std::string out) {
      if (!ok) return done(message_answer(500, "Internal Server Error"));
      auto res = v2 ? proxy_result_v2(out) : proxy_result_v1(out);
      if (!res) return done(message_answer(500, "Internal Server Error"));
      HttpAnswer a;
      a.status = res->status;
      a.headers = std::move(res->headers);
      a.body = std::move(res->body);
      map_answer(i, src, a);
      done(std::move(a));
    });
    return;
  }
  if (type == "HTTP_PROXY") {
    for (const auto& [k, v] : r.path_parameters) {
      std::string pat = "{" + k + "}";
      for (size_t p = uri.find(pat); p != std::string::npos; p = uri.find(pat, p + v.size())) uri.replace(p, pat.size(), v);
      pat = "{" + k + "+}";
      for (size_t p = uri.find(pat); p != std::string::npos; p = uri.find(pat, p + v.size())) uri.replace(p, pat.size(), v);
    }
    std::string method = i.value("IntegrationMethod", "ANY");
    if (method == "ANY") method = r.http_method;
    MappedRequest out;
    for (const auto& [k, v] : r.headers) {
      std::string l = lower(k);
      if (l == "host" || l == "content-length" || l == "connection" || l == "transfer-encoding" || l == "expect") continue;
      out.headers.emplace_back(k, v);
    }
    out.headers.emplace_back("X-Forwarded-For", r.source_ip);
    const json params = i.value("RequestParameters", json::object());
    if (params.is_object() && !params.empty()) {
      // Split the URI into its origin, path and query, map them, and put it back together.
      size_t scheme = uri.find("://");
      size_t path_at = uri.find('/', scheme == std::string::npos ? 0 : scheme + 3);
      size_t query_at = uri.find('?');
      std::string origin = uri.substr(0, std::min(path_at, query_at));
      out.path = path_at == std::string::npos || (query_at != std::string::npos && query_at < path_at)
                     ? "/"
                     : uri.substr(path_at, query_at == std::string::npos ? std::string::npos : query_at - path_at);
      if (query_at != std::string::npos) out.query = parse_query(uri.substr(query_at + 1));
      for (auto& q : src.request_query) out.query.push_back(q);
      apply_request_parameters(params, src, out);
      uri = origin + out.path;
      if (std::string q = encode_query(out.query); !q.empty()) uri += "?" + q;
    } else if (!r.raw_query.empty()) {
      uri += (uri.find('?') == std::string::npos ? "?" : "&") + r.raw_query;
    }
    auto timeout = std::chrono::milliseconds(i.value("TimeoutInMillis", 30000));
    std::thread([uri, method, headers = std::move(out.headers), body = r.body, timeout, i, src, done = std::move(done)] {
      HttpResponse res = http_request(method, uri, headers, body, timeout);
      if (!res.ok) return done(message_answer(res.error.find("imeout") != std::string::npos ? 504 : 500,
                                                  res.error.find("imeout") != std::string::npos ? "Service Unavailable"
                                                                                                  : "Internal Server Error"));
      HttpAnswer a;
      a.status = res.status;
      for (auto& [k, v] : res.headers) {
        std::string l = lower(k);
        if (l == "content-length" || l == "transfer-encoding" || l == "connection" || l == "keep-alive") continue;
        a.headers.emplace_back(k, v);
      }
      a.body = std::move(res.body);
      map_answer(i, src, a);
      done(std::move(a));
    }).detach();
    return;
  }
  done(message_answer(500, "Internal Server Error"));
}

}  // namespace awan::apigateway::v2
