// awan::http_client (include/awan/function.hpp): Client calls as SigV4-signed HTTP requests in
// each service's wire protocol (protocol/client_codec.hpp), over remote/http_client.
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "awan/function.hpp"
#include "gateway/sigv4.hpp"
#include "protocol/client_codec.hpp"
#include "protocol/model.hpp"
#include "remote/http_client.hpp"

namespace awan {

namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : std::move(fallback);
}

// "http://host:port/path" → "host:port" (the Host header) and the URL without a trailing '/'.
std::string authority_of(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

Result call_over_http(const Endpoint& ep, const RequestContext& ctx, const std::string& service,
                      const std::string& operation, const nlohmann::json& input) {
  const protocol::Model* model = protocol::Model::get(service);
  if (!model) return Result::fail(AwsError("UnknownService", "no model for service " + service, 400));
  auto encoded = protocol::encode_request(service, operation, input, ctx.payload.get());
  if (auto* e = std::get_if<AwsError>(&encoded)) return Result::fail(*e);
  http::Request req = std::move(std::get<http::Request>(encoded));
  std::string base = ep.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  req.headers.set("Host", authority_of(base));
  sigv4::SignParams sign;
  sign.access_key = ep.access_key_id;
  sign.secret_key = ep.secret_access_key;
  sign.session_token = ep.session_token;
  sign.region = ctx.region.empty() ? ep.region : ctx.region;
  const auto& md = model->metadata();
  sign.service = !md.signing_name.empty() ? md.signing_name : !md.endpoint_prefix.empty() ? md.endpoint_prefix : service;
  sign.time = std::chrono::system_clock::now();
  sign.s3 = service == "s3";
  sigv4::sign(req, sign);
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(req.headers.size());
  for (const auto& h : req.headers.items())
    if (!http::iequals(h.name, "Host")) headers.emplace_back(h.name, h.value);
  remote::HttpResponse res = remote::http_request(req.method, base + req.target, headers, req.body);
  if (!res.ok)
    return Result::fail(AwsError(res.status == 504 ? "RequestTimeout" : "ServiceUnavailable",
                                 "cannot reach " + base + ": " + res.error, res.status == 504 ? 504 : 503, false));
  http::Headers answer;
  for (auto& [k, v] : res.headers) answer.add(std::move(k), std::move(v));
  return protocol::decode_response(service, operation, res.status, answer, std::move(res.body));
}

}  // namespace

Endpoint Endpoint::from_environment() {
  Endpoint ep;
  ep.url = env_or("AWS_ENDPOINT_URL", ep.url);
  ep.region = env_or("AWS_REGION", env_or("AWS_DEFAULT_REGION", ep.region));
  ep.access_key_id = env_or("AWS_ACCESS_KEY_ID", ep.access_key_id);
  ep.secret_access_key = env_or("AWS_SECRET_ACCESS_KEY", ep.secret_access_key);
  ep.session_token = env_or("AWS_SESSION_TOKEN", "");
  return ep;
}

Client http_client(const Endpoint& endpoint) {
  RequestContext ctx;
  ctx.region = endpoint.region;
  ctx.access_key_id = endpoint.access_key_id;
  ctx.session_token = endpoint.session_token;
  auto transport = [endpoint](const RequestContext& c, const std::string& service, const std::string& operation,
                              nlohmann::json input, Completion done) {
    done(call_over_http(endpoint, c, service, operation, input));
  };
  return Client(std::move(transport), std::move(ctx));
}

}  // namespace awan
