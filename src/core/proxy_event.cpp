// Lambda proxy events and results (proxy_event.hpp): the REST API / payload 1.0 shape and the
// HTTP API payload 2.0 shape, as the API Gateway developer guide documents them.
#include "core/proxy_event.hpp"

#include <cstdio>
#include <ctime>

#include "core/crypto.hpp"
#include "core/text.hpp"

namespace awan {

namespace {
using json = nlohmann::json;

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// "04/Mar/2020:19:15:17 +0000"
std::string request_time(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  return buf;
}

int64_t epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string domain_prefix(const std::string& domain) { return domain.substr(0, domain.find('.')); }

json or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json string_map(const std::map<std::string, std::string>& m) {
  json o = json::object();
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

json body_of(const ProxyRequest& r) {
  if (r.binary_body) return crypto::base64_encode(r.body);
  return r.body;
}
}  // namespace

std::string event_text(const json& event) { return event.dump(-1, ' ', false, json::error_handler_t::replace); }

std::vector<std::pair<std::string, std::string>> parse_query(const std::string& raw_query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < raw_query.size()) {
    size_t amp = raw_query.find('&', pos);
    if (amp == std::string::npos) amp = raw_query.size();
    std::string_view pair(raw_query.data() + pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string_view k = pair.substr(0, eq), v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto dk = text::percent_decode(k, true);
    auto dv = text::percent_decode(v, true);
    out.emplace_back(dk ? *dk : std::string(k), dv ? *dv : std::string(v));
  }
  return out;
}

std::string decode_path(const std::string& raw_path) {
  auto d = text::percent_decode(raw_path, false);
  return d ? *d : raw_path;
}

json proxy_event_v1(const ProxyRequest& r, bool http_api) {
  json headers = json::object(), multi_headers = json::object();
  for (const auto& [k, v] : r.headers) {
    headers[k] = v;  // the last value of a repeated header
    multi_headers[k].push_back(v);
  }
  json query = json::object(), multi_query = json::object();
  for (auto& [k, v] : parse_query(r.raw_query)) {
    query[k] = v;
    multi_query[k].push_back(v);
  }
  json identity = {{"cognitoIdentityPoolId", nullptr},
                   {"accountId", r.caller_arn.empty() ? json(nullptr) : json(r.account_id)},
                   {"cognitoIdentityId", nullptr},
                   {"caller", or_null(r.caller_user_id)},
                   {"sourceIp", r.source_ip},
                   {"principalOrgId", nullptr},
                   {"accessKey", or_null(r.access_key)},
                   {"cognitoAuthenticationType", nullptr},
                   {"cognitoAuthenticationProvider", nullptr},
                   {"userArn", or_null(r.caller_arn)},
                   {"userAgent", r.user_agent},
                   {"user", or_null(r.caller_user_id)}};
  if (!http_api) {
    identity["apiKey"] = or_null(r.api_key);
    identity["apiKeyId"] = or_null(r.api_key_id);
    identity["clientCert"] = nullptr;
  }
  json ctx = {{"resourceId", http_api ? json(r.route_key) : json(r.resource_id)},
              {"resourcePath", http_api ? json(r.resource.empty() ? r.route_key : r.resource) : json(r.resource)},
              {"httpMethod", r.http_method},
              {"extendedRequestId", r.request_id},
              {"requestTime", request_time(r.time)},
              {"path", r.stage_path},
              {"accountId", r.account_id},
              {"protocol", r.protocol},
              {"stage", r.stage},
              {"domainPrefix", domain_prefix(r.domain_name)},
              {"requestTimeEpoch", epoch_ms(r.time)},
              {"requestId", r.request_id},
              {"identity", std::move(identity)},
              {"domainName", r.domain_name},
              {"apiId", r.api_id}};
  if (!r.authorizer.is_null()) ctx["authorizer"] = r.authorizer;
  if (http_api) ctx["routeKey"] = r.route_key;
  json ev = json::object();
  if (http_api) ev["version"] = "1.0";
  ev["resource"] = http_api && r.resource.empty() ? r.route_key : r.resource;
  ev["path"] = r.path;
  ev["httpMethod"] = r.http_method;
  ev["headers"] = headers.empty() ? json(nullptr) : headers;
  ev["multiValueHeaders"] = multi_headers.empty() ? json(nullptr) : multi_headers;
  ev["queryStringParameters"] = query.empty() ? json(nullptr) : query;
  ev["multiValueQueryStringParameters"] = multi_query.empty() ? json(nullptr) : multi_query;
  ev["pathParameters"] = r.path_parameters.empty() ? json(nullptr) : string_map(r.path_parameters);
  ev["stageVariables"] = r.stage_variables.empty() ? json(nullptr) : string_map(r.stage_variables);
  ev["requestContext"] = std::move(ctx);
  ev["body"] = r.body.empty() ? json(nullptr) : body_of(r);
  ev["isBase64Encoded"] = r.binary_body && !r.body.empty();
  return ev;
}

json proxy_event_v2(const ProxyRequest& r) {
  // Header names lower-cased, repeated headers joined with commas; Cookie headers become the
  // cookies list.
  json headers = json::object();
  json cookies = json::array();
  for (const auto& [k, v] : r.headers) {
    if (iequal(k, "cookie")) {
      size_t pos = 0;
      while (pos < v.size()) {
        size_t semi = v.find(';', pos);
        if (semi == std::string::npos) semi = v.size();
        std::string c = v.substr(pos, semi - pos);
        while (!c.empty() && c.front() == ' ') c.erase(c.begin());
        if (!c.empty()) cookies.push_back(c);
        pos = semi + 1;
      }
      continue;
    }
    std::string name = lower(k);
    if (headers.contains(name)) {
      headers[name] = headers[name].get<std::string>() + "," + v;
    } else {
      headers[name] = v;
    }
  }
  json query = json::object();
  for (auto& [k, v] : parse_query(r.raw_query)) {
    if (query.contains(k)) {
      query[k] = query[k].get<std::string>() + "," + v;
    } else {
      query[k] = v;
    }
  }
  json ctx = {{"accountId", r.account_id},
              {"apiId", r.api_id},
              {"domainName", r.domain_name},
              {"domainPrefix", domain_prefix(r.domain_name)},
              {"http",
               {{"method", r.http_method},
                {"path", r.stage_path},
                {"protocol", r.protocol},
                {"sourceIp", r.source_ip},
                {"userAgent", r.user_agent}}},
              {"requestId", r.request_id},
              {"routeKey", r.route_key},
              {"stage", r.stage},
              {"time", request_time(r.time)},
              {"timeEpoch", epoch_ms(r.time)}};
  if (!r.authorizer.is_null()) ctx["authorizer"] = r.authorizer;
  if (!r.caller_arn.empty()) {
    ctx["authorizer"]["iam"] = {{"accessKey", r.access_key},
                                {"accountId", r.caller_account.empty() ? r.account_id : r.caller_account},
                                {"callerId", r.caller_user_id}, {"principalOrgId", nullptr},
                                {"userArn", r.caller_arn},      {"userId", r.caller_user_id}};
  }
  json ev = {{"version", "2.0"}, {"routeKey", r.route_key}, {"rawPath", r.stage_path}, {"rawQueryString", r.raw_query}};
  if (!cookies.empty()) ev["cookies"] = std::move(cookies);
  ev["headers"] = std::move(headers);
  if (!query.empty()) ev["queryStringParameters"] = std::move(query);
  ev["requestContext"] = std::move(ctx);
  if (!r.path_parameters.empty()) ev["pathParameters"] = string_map(r.path_parameters);
  if (!r.stage_variables.empty()) ev["stageVariables"] = string_map(r.stage_variables);
  if (!r.body.empty()) ev["body"] = body_of(r);
  ev["isBase64Encoded"] = r.binary_body && !r.body.empty();
  return ev;
}

namespace {
// statusCode: an integer (or a numeric string, which API Gateway also takes) in 100..599.
std::optional<int> status_of(const json& v) {
  int s = 0;
  if (v.is_number_integer()) {
    s = v.get<int>();
  } else if (v.is_string()) {
    const std::string& t = v.get_ref<const std::string&>();
    if (t.empty() || t.size() > 3) return std::nullopt;
    for (char c : t) {
      if (c < '0' || c > '9') return std::nullopt;
      s = s * 10 + (c - '0');
    }
  } else {
    return std::nullopt;
  }
  if (s < 100 || s > 599) return std::nullopt;
  return s;
}

// A header value: strings as they are, numbers and booleans in their JSON text.
std::optional<std::string> header_value(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return std::nullopt;
}

// The fields both formats share; false when one is malformed.
bool read_common(const json& o, ProxyAnswer& a, bool allow_multi) {
  if (o.contains("statusCode")) {
    auto s = status_of(o["statusCode"]);
    if (!s) return false;
    a.status = *s;
  }
  if (auto it = o.find("headers"); it != o.end() && !it->is_null()) {
    if (!it->is_object()) return false;
    for (const auto& [k, v] : it->items()) {
      auto t = header_value(v);
      if (!t) return false;
      a.headers.emplace_back(k, *t);
    }
  }
  if (auto it = o.find("multiValueHeaders"); allow_multi && it != o.end() && !it->is_null()) {
    if (!it->is_object()) return false;
    for (const auto& [k, vs] : it->items()) {
      if (!vs.is_array()) return false;
      // A name in both maps: the multi-value list replaces the single value. (A copy of the
      // binding: clang 14 cannot capture structured bindings.)
      const std::string& name = k;
      std::erase_if(a.headers, [&](const auto& h) { return iequal(h.first, name); });
      for (const auto& v : vs) {
        auto t = header_value(v);
        if (!t) return false;
        a.headers.emplace_back(k, *t);
      }
    }
  }
  bool base64 = false;
  if (auto it = o.find("isBase64Encoded"); it != o.end() && !it->is_null()) {
    if (!it->is_boolean()) return false;
    base64 = it->get<bool>();
  }
  if (auto it = o.find("body"); it != o.end() && !it->is_null()) {
    if (!it->is_string()) return false;
    if (base64) {
      auto raw = crypto::base64_decode(it->get_ref<const std::string&>());
      if (!raw) return false;
      a.body = std::move(*raw);
    } else {
      a.body = it->get<std::string>();
    }
  }
  return true;
}
}  // namespace

std::optional<ProxyAnswer> proxy_result_v1(const std::string& function_output) {
  json o = json::parse(function_output, nullptr, false);
  if (o.is_discarded() || !o.is_object()) return std::nullopt;
  for (const auto& [k, v] : o.items()) {
    if (k != "statusCode" && k != "headers" && k != "multiValueHeaders" && k != "body" && k != "isBase64Encoded")
      return std::nullopt;  // "Malformed Lambda proxy response"
  }
  ProxyAnswer a;
  if (!read_common(o, a, true)) return std::nullopt;
  return a;
}

std::optional<ProxyAnswer> proxy_result_v2(const std::string& function_output) {
  json o = json::parse(function_output, nullptr, false);
  if (o.is_discarded()) return std::nullopt;
  ProxyAnswer a;
  if (!o.is_object() || !o.contains("statusCode")) {
    // The shortcut: any JSON without a statusCode is the body of a 200 JSON answer.
    a.headers.emplace_back("Content-Type", "application/json");
    a.body = o.is_string() ? o.get<std::string>() : function_output;
    return a;
  }
  if (!read_common(o, a, false)) return std::nullopt;
  if (auto it = o.find("cookies"); it != o.end() && !it->is_null()) {
    if (!it->is_array()) return std::nullopt;
    for (const auto& c : *it) {
      if (!c.is_string()) return std::nullopt;
      a.headers.emplace_back("Set-Cookie", c.get<std::string>());
    }
  }
  return a;
}

}  // namespace awan
