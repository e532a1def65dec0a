// Lambda function URLs: Create/Get/Update/Delete/ListFunctionUrlConfigs with AWS's validation,
// and the data plane (Service::invoke_http): a request to http://<url-id>.lambda-url.<region>.
// localhost:<port>/ (or /_aws/lambda-url/<url-id>/) checked against the URL's AuthType, CORS
// preflights answered from its Cors, the function invoked with the payload 2.0 event
// (core/proxy_event.hpp) on an invocation thread and its result mapped back.
#include <spdlog/spdlog.h>

#include "core/cors_config.hpp"
#include "core/document.hpp"
#include "core/ids.hpp"
#include "core/proxy_event.hpp"
#include "core/timefmt.hpp"
#include "lambda/errors.hpp"
#include "lambda/service_impl.hpp"

namespace awan::lambda {

namespace {
constexpr const char* kQualifierPattern = "(^\\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))";
constexpr int64_t kMaxListItems = 50;

std::string function_key(const Function& f) { return f.account + "/" + f.region + "/" + f.name; }

// The qualifier of a URL: "" (the unqualified function), "$LATEST" or an alias name; a version
// number is refused as the model's pattern refuses it.
void check_qualifier(const std::string& q) {
  if (q.empty() || q == "$LATEST") return;
  bool digits = true, valid = q.size() <= 128;
  for (char c : q) {
    if (c < '0' || c > '9') digits = false;
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) valid = false;
  }
  if (digits || !valid)
    throw errors::constraint(q, "qualifier", std::string("Member must satisfy regular expression pattern: ") + kQualifierPattern);
}

void check_auth_type(const json& in, bool required) {
  auto it = in.find("AuthType");
  if (it == in.end() || it->is_null()) {
    if (required) throw errors::validation("1 validation error detected: Value null at 'authType' failed to satisfy constraint: Member must not be null");
    return;
  }
  std::string v = it->is_string() ? it->get<std::string>() : it->dump();
  if (v != "NONE" && v != "AWS_IAM")
    throw errors::constraint(v, "authType", "Member must satisfy enum value set: [NONE, AWS_IAM]");
}

void check_invoke_mode(const json& in) {
  auto it = in.find("InvokeMode");
  if (it == in.end() || it->is_null()) return;
  std::string v = it->is_string() ? it->get<std::string>() : it->dump();
  if (v != "BUFFERED" && v != "RESPONSE_STREAM")
    throw errors::constraint(v, "invokeMode", "Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]");
}

// A list member of Cors: strings, at most `max_items`, each at most `max_length`.
void check_cors_list(const json& cors, const char* member, const char* wire, size_t max_items, size_t min_length,
                     size_t max_length) {
  auto it = cors.find(member);
  if (it == cors.end() || it->is_null()) return;
  if (!it->is_array()) throw errors::invalid(std::string("Cors.") + member + " must be a list of strings");
  if (it->size() > max_items)
    throw errors::constraint(it->dump(), std::string("cors.") + wire,
                             "Member must have length less than or equal to " + std::to_string(max_items));
  for (const auto& v : *it) {
    if (!v.is_string()) throw errors::invalid(std::string("Cors.") + member + " must be a list of strings");
    size_t n = v.get_ref<const std::string&>().size();
    if (n < min_length || n > max_length)
      throw errors::constraint(v.get<std::string>(), std::string("cors.") + wire,
                               n < min_length ? "Member must have length greater than or equal to " + std::to_string(min_length)
                                              : "Member must have length less than or equal to " + std::to_string(max_length));
  }
}

void check_cors(const json& in) {
  auto it = in.find("Cors");
  if (it == in.end() || it->is_null()) return;
  if (!it->is_object()) throw errors::invalid("Cors must be a structure");
  const json& c = *it;
  check_cors_list(c, "AllowOrigins", "allowOrigins", 100, 1, 253);
  check_cors_list(c, "AllowMethods", "allowMethods", 6, 0, 6);
  check_cors_list(c, "AllowHeaders", "allowHeaders", 100, 0, 1024);
  check_cors_list(c, "ExposeHeaders", "exposeHeaders", 100, 0, 1024);
  if (auto m = c.find("MaxAge"); m != c.end() && !m->is_null()) {
    if (!m->is_number_integer()) throw errors::invalid("Cors.MaxAge must be an integer");
    int64_t v = m->get<int64_t>();
    if (v < 0) throw errors::constraint(std::to_string(v), "cors.maxAge", "Member must have value greater than or equal to 0");
    if (v > 86400) throw errors::constraint(std::to_string(v), "cors.maxAge", "Member must have value less than or equal to 86400");
  }
  if (auto a = c.find("AllowCredentials"); a != c.end() && !a->is_null() && !a->is_boolean())
    throw errors::invalid("Cors.AllowCredentials must be a boolean");
}

std::string url_time(int64_t ms) {
  return timefmt::iso8601(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)), true);
}

HttpAnswer message_answer(int status, const json& message) {
  HttpAnswer a;
  a.status = status;
  a.headers = {{"Content-Type", "application/json"}};
  a.body = json{{"Message", message}}.dump();
  return a;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// The HTTP answer to a function's result, as function URLs map it: an object with statusCode
// gives its status, headers, cookies and body; any other JSON is the body of a 200 JSON answer;
// a function error (or a malformed result) is 502.
HttpAnswer answer_of(const InvokeOutcome& o) {
  if (o.throttled) return message_answer(429, "Rate Exceeded.");
  if (o.function_error) return message_answer(502, nullptr);
  auto res = proxy_result_v2(o.payload);
  if (!res) return message_answer(502, nullptr);
  HttpAnswer a;
  a.status = res->status;
  a.headers = std::move(res->headers);
  a.body = std::move(res->body);
  bool typed = false;
  for (const auto& [k, v] : a.headers)
    if (iequal(k, "content-type")) typed = true;
  if (!typed) a.headers.emplace_back("Content-Type", "application/json");
  return a;
}

// A configured Cors replaces the CORS headers a function sets.
void apply_cors(const json& cors, const std::string* origin, HttpAnswer& a) {
  if (!cors.is_object()) return;
  std::erase_if(a.headers, [](const auto& h) {
    return h.first.size() > 15 && iequal(std::string_view(h.first).substr(0, 15), "access-control-");
  });
  if (origin)
    for (auto& h : cors::response_headers(cors, *origin)) a.headers.push_back(std::move(h));
}
}  // namespace

// ---- configurations ----

std::string LambdaService::function_url_of(const std::string& url_id, const std::string& region) const {
  std::string port = "4566";
  if (env_.endpoint_url) {
    std::string e = env_.endpoint_url();
    if (auto colon = e.rfind(':'); colon != std::string::npos && colon > e.find("://") + 2) port = e.substr(colon + 1);
  }
  return "http://" + url_id + ".lambda-url." + region + ".localhost:" + port + "/";
}

json LambdaService::url_output(const Function& f, const json& c) const {
  json out = {{"FunctionUrl", function_url_of(c.value("UrlId", ""), f.region)},
              {"FunctionArn", c.value("FunctionArn", f.arn())},
              {"AuthType", c.value("AuthType", "NONE")},
              {"CreationTime", c.value("CreationTime", "")},
              {"LastModifiedTime", c.value("LastModifiedTime", "")},
              {"InvokeMode", c.value("InvokeMode", "BUFFERED")}};
  if (c.contains("Cors")) out["Cors"] = c["Cors"];
  return out;
}

// The function and qualifier a configuration operation names, checked.
std::pair<Function*, std::string> LambdaService::url_target(json& in) {
  FunctionRef ref = parse_function_name(in);
  check_qualifier(ref.qualifier);
  Function& f = require_function(ref);
  if (!ref.qualifier.empty() && ref.qualifier != "$LATEST" && !f.doc["aliases"].contains(ref.qualifier))
    throw errors::function_not_found(f.arn() + ":" + ref.qualifier);
  return {&f, ref.qualifier};
}

Result LambdaService::create_function_url_config(json& in) {
  auto [f, qualifier] = url_target(in);
  check_auth_type(in, true);
  check_cors(in);
  check_invoke_mode(in);
  std::string arn = qualifier.empty() ? f->arn() : f->arn() + ":" + qualifier;
  if (f->doc["urls"].contains(qualifier))
    throw errors::conflict("Failed to create function url config for [functionArn = " + arn +
                           "]. Error message:  FunctionUrlConfig exists for this Lambda function");
  std::string id = ids::random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789");
  std::string now = url_time(now_ms());
  json c = {{"UrlId", id},           {"FunctionArn", arn},       {"AuthType", in["AuthType"]},
            {"CreationTime", now},   {"LastModifiedTime", now}, {"InvokeMode", in.value("InvokeMode", "BUFFERED")}};
  if (in.contains("Cors") && in["Cors"].is_object()) c["Cors"] = in["Cors"];
  f->doc["urls"][qualifier] = c;
  function_urls_[id] = {function_key(*f), qualifier};
  save(*f);
  json out = url_output(*f, c);
  out.erase("LastModifiedTime");
  return Result::ok(std::move(out));
}

Result LambdaService::get_function_url_config(json& in) {
  auto [f, qualifier] = url_target(in);
  auto it = f->doc["urls"].find(qualifier);
  if (it == f->doc["urls"].end()) throw errors::not_found("The resource you requested does not exist.");
  return Result::ok(url_output(*f, *it));
}

Result LambdaService::update_function_url_config(json& in) {
  auto [f, qualifier] = url_target(in);
  check_auth_type(in, false);
  check_cors(in);
  check_invoke_mode(in);
  auto it = f->doc["urls"].find(qualifier);
  if (it == f->doc["urls"].end()) throw errors::not_found("The resource you requested does not exist.");
  json& c = *it;
  if (in.contains("AuthType") && in["AuthType"].is_string()) c["AuthType"] = in["AuthType"];
  if (in.contains("Cors") && in["Cors"].is_object()) c["Cors"] = in["Cors"];
  if (in.contains("InvokeMode") && in["InvokeMode"].is_string()) c["InvokeMode"] = in["InvokeMode"];
  c["LastModifiedTime"] = url_time(now_ms());
  json out = url_output(*f, c);
  save(*f);
  return Result::ok(std::move(out));
}

Result LambdaService::delete_function_url_config(json& in) {
  auto [f, qualifier] = url_target(in);
  auto it = f->doc["urls"].find(qualifier);
  if (it == f->doc["urls"].end()) throw errors::not_found("The resource you requested does not exist.");
  function_urls_.erase(it->value("UrlId", ""));
  f->doc["urls"].erase(qualifier);
  save(*f);
  return Result::ok({{"StatusCode", 204}});
}

Result LambdaService::list_function_url_configs(json& in) {
  FunctionRef ref = parse_function_name(in);
  Function& f = require_function(ref);
  int64_t max = kMaxListItems;
  if (auto m = in.find("MaxItems"); m != in.end() && !m->is_null()) {
    max = m->is_number_integer() ? m->get<int64_t>() : 0;
    if (max < 1) throw errors::constraint(m->dump(), "maxItems", "Member must have value greater than or equal to 1");
    if (max > 10000) throw errors::constraint(m->dump(), "maxItems", "Member must have value less than or equal to 10000");
    max = std::min(max, kMaxListItems);
  }
  size_t start = 0;
  if (std::string marker = text_of(in, "Marker"); !marker.empty()) {
    try {
      start = std::stoul(marker);
    } catch (const std::exception&) {
      throw errors::invalid("Invalid marker: " + marker);
    }
  }
  json list = json::array();
  size_t i = 0;
  std::string next;
  for (auto& [q, c] : f.doc["urls"].items()) {
    if (i++ < start) continue;
    if (static_cast<int64_t>(list.size()) == max) {
      next = std::to_string(i - 1);
      break;
    }
    list.push_back(url_output(f, c));
  }
  json out = {{"FunctionUrlConfigs", std::move(list)}};
  if (!next.empty()) out["NextMarker"] = next;
  return Result::ok(std::move(out));
}

void LambdaService::forget_function_urls(const Function& f, const std::string& qualifier) {
  auto it = f.doc.find("urls");
  if (it == f.doc.end() || !it->is_object()) return;
  for (auto& [q, c] : it->items())
    if (qualifier.empty() || q == qualifier) function_urls_.erase(c.value("UrlId", ""));
}

// ---- the data plane ----

bool LambdaService::invoke_http(const RequestContext& ctx, const HttpCall& call, HttpCompletion done) {
  std::unique_lock lock(mu_);
  auto where = function_urls_.find(call.api_id);
  if (where == function_urls_.end()) return false;
  auto fit = functions_.find(where->second.first);
  if (fit == functions_.end()) return false;
  Function& f = *fit->second;
  const std::string qualifier = where->second.second;
  const json c = f.doc["urls"].value(qualifier, json::object());
  const json cors = c.value("Cors", json());
  const bool iam = c.value("AuthType", "NONE") == "AWS_IAM";
  const std::string* origin = call.header("Origin");
  if (cors.is_object() && call.method == "OPTIONS" && origin && call.header("Access-Control-Request-Method")) {
    lock.unlock();
    HttpAnswer a;
    a.headers = cors::preflight_headers(cors, *origin, *call.header("Access-Control-Request-Method"),
                                        call.header("Access-Control-Request-Headers"));
    done(std::move(a));
    return true;
  }
  if (iam && ctx.access_key_id.empty()) {
    lock.unlock();
    HttpAnswer a = message_answer(403, "Forbidden");
    apply_cors(cors, origin, a);
    done(std::move(a));
    return true;
  }
  Target t;
  try {
    t = resolve({f.account, f.region, f.name, qualifier == "$LATEST" ? "" : qualifier}, true);
  } catch (const AwsError&) {
    lock.unlock();
    done(message_answer(502, nullptr));
    return true;
  }
  bool active = configuration(f, t.config).value("State", "") == "Active";
  ProxyRequest r;
  r.api_id = call.api_id;
  r.stage = "$default";
  r.route_key = "$default";
  r.request_id = ctx.request_id;
  r.account_id = f.account;
  std::string domain = call.api_id + ".lambda-url.";
  r.domain_name = call.host.rfind(domain, 0) == 0 ? call.host : domain + f.region + ".localhost";
  r.http_method = call.method;
  r.path = decode_path(call.path);
  r.stage_path = call.path;
  r.raw_query = call.query;
  r.headers = call.headers;
  r.body = call.body;
  r.source_ip = call.source_ip;
  if (const std::string* ua = call.header("User-Agent")) r.user_agent = *ua;
  r.time = env_.clock->now();
  if (iam) {
    r.access_key = ctx.access_key_id;
    r.caller_arn = ctx.caller_arn;
    r.caller_user_id = ctx.caller_user_id;
    r.caller_account = ctx.account_id;
  }
  if (const std::string* ct = call.header("Content-Type")) r.binary_body = !cors::is_text_media_type(*ct) && !call.body.empty();
  lock.unlock();
  std::string origin_value = origin ? *origin : "";
  auto finish = [done = std::move(done), cors, origin_value, has_origin = origin != nullptr](HttpAnswer a) {
    apply_cors(cors, has_origin ? &origin_value : nullptr, a);
    done(std::move(a));
  };
  if (!active || (t.reserved && *t.reserved == 0)) {
    finish(active ? message_answer(429, "Rate Exceeded.") : message_answer(502, nullptr));
    return true;
  }
  std::string payload = event_text(proxy_event_v2(r));
  run_on_worker([this, t = std::move(t), id = ctx.request_id, payload = std::move(payload),
                 finish = std::move(finish)]() mutable { finish(answer_of(execute(t, id, payload, ""))); });
  return true;
}

}  // namespace awan::lambda
