#include "awan/simulator.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "core/ids.hpp"
#include "core/timefmt.hpp"
#include "gateway/authenticate.hpp"
#include "gateway/content_encoding.hpp"
#include "gateway/internal_policy.hpp"
#include "gateway/origin_policy.hpp"
#include "gateway/request_limits.hpp"
#include "gateway/router.hpp"
#include "gateway/sigv4.hpp"
#include "gateway/upload_digests.hpp"
#include "http/aws_chunked.hpp"
#include "http/body_file.hpp"
#include "http/server.hpp"
#include "http/tls_cert.hpp"
#include "protocol/codec.hpp"
#include "simulator/builtin.hpp"
#include "storage/data_dir_lock.hpp"

#ifndef AWAN_VERSION
#define AWAN_VERSION "0.0.0"
#endif

namespace awan {

namespace {
using steady = std::chrono::steady_clock;
constexpr uint64_t kInMemoryBody = 8ull * 1024 * 1024;

bool is_account_id(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

http::Response json_response(int status, const nlohmann::json& body) {
  http::Response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = body.dump();
  return r;
}
}  // namespace

struct Simulator::Impl : Scheduler {
  SimulatorOptions options;
  ServiceEnv env;
  gateway::OriginPolicy origin_policy;
  std::map<std::string, std::unique_ptr<Service>, std::less<>> services;
  std::vector<std::pair<const CredentialResolver*, std::string>> resolvers;  // (resolver, owner)
  std::unique_ptr<http::Server> server;
  std::string tls_ca_pem;  // the local CA's certificate (GET /_awan/tls/ca.pem)
  std::unique_ptr<storage::DataDirLock> data_dir_lock;  // held from construction to destruction
  steady::time_point started = steady::now();
  std::atomic<bool> running{false};
  std::mutex pending_mu;
  std::vector<std::pair<std::chrono::milliseconds, std::function<void()>>> pending;  // before start

  void post_after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    std::lock_guard<std::mutex> lock(pending_mu);
    if (server && running) {
      server->post_after(delay, std::move(fn));
    } else {
      pending.emplace_back(delay, std::move(fn));
    }
  }
  void flush_pending() {
    std::lock_guard<std::mutex> lock(pending_mu);
    for (auto& [delay, fn] : pending) server->post_after(delay, std::move(fn));
    pending.clear();
  }

  // ---- identity ----
  // Fills the caller's account and principal; an error for expired session credentials.
  std::optional<AwsError> resolve_identity(const std::string& access_key, RequestContext& ctx) const {
    ctx.account_id = options.account_id;
    if (!access_key.empty()) {
      for (const auto& [r, owner] : resolvers) {
        if (auto p = r->lookup(access_key)) {
          ctx.account_id = p->account_id;
          ctx.caller_arn = p->arn;
          ctx.caller_user_id = p->user_id;
          if (p->expires && *p->expires <= env.clock->now()) {
            return AwsError("ExpiredToken", "The security token included in the request is expired", 403);
          }
          return std::nullopt;
        }
      }
      if (is_account_id(access_key)) ctx.account_id = access_key;
    }
    ctx.caller_arn = "arn:aws:iam::" + ctx.account_id + ":root";
    ctx.caller_user_id = ctx.account_id;
    return std::nullopt;
  }

  // ---- authentication (--verify-signatures) and aws-chunked bodies ----
  std::optional<sigv4::Credentials> credentials_for(std::string_view access_key) const {
    for (const auto& [key, secret] : options.credentials) {
      if (key == access_key) return sigv4::Credentials{secret, "", std::nullopt};
    }
    for (const auto& [r, owner] : resolvers) {
      if (auto p = r->lookup(access_key)) return sigv4::Credentials{p->secret_access_key, p->session_token, p->expires};
    }
    return std::nullopt;
  }
  gateway::CredentialLookup credential_lookup() const {
    return [this](std::string_view key) { return credentials_for(key); };
  }

  // Verifies the signature (when asked to; the verified key then names the caller) and
  // removes aws-chunked framing from the body. A spooled body is loaded into memory for the
  // codecs only when `load`: a service that is not served never needs its bytes, and the body
  // of an operation with a streaming payload (S3 PutObject) is handed to it as the file.
  std::optional<AwsError> authenticate_and_decode(http::Request& req, const gateway::Route& route,
                                                  RequestContext& ctx, bool load) const {
    bool chunked = http::is_aws_chunked(req.headers);
    // A spooled plain body is loaded for the codecs (the signature may cover its hash; S3's
    // x-amz-content-sha256 is checked by the service as it hashes the payload).
    if (req.body_file && !chunked && load) {
      if (auto err = http::load_body_file(req, options.max_body_bytes)) return err;
    }
    std::optional<http::ChunkSigningContext> chunk_signing;
    // A browser form upload is authenticated by its form (the POST policy's signature, S3's check).
    if (options.verify_signatures && !(route.service == "s3" && protocol::is_s3_post_object(req)) &&
        !gateway::anonymous_allowed(req, route)) {
      gateway::Authentication a = gateway::authenticate(req, route, credential_lookup(), *env.clock);
      if (a.error) return fix_status(*a.error, route);
      ctx.access_key_id = std::move(a.access_key);
      if (chunked) chunk_signing = std::move(a.chunk_signing);
    }
    if (chunked) {
      if (req.body_file) {
        // Decoded from file to file with bounded memory, then loaded for the codec.
        if (auto err = http::decode_aws_chunked_file(req, chunk_signing, gateway::upload_digester(req, true)))
          return err;
        if (load) {
          if (auto err = http::load_body_file(req, options.max_body_bytes)) return err;
        }
      } else if (auto err = http::decode_aws_chunked_body(req, chunk_signing)) {
        return *err;
      }
      ctx.trailers.clear();
      for (auto& t : req.trailers) ctx.trailers.emplace_back(t.name, t.value);
      if (auto ce = req.headers.find("content-encoding")) {
        std::string rest = http::strip_aws_chunked(*ce);
        if (rest.empty()) {
          req.headers.remove("content-encoding");
        } else {
          req.headers.set("Content-Encoding", rest);
        }
      }
    }
    return std::nullopt;
  }

  // Lambda answers authentication failures with 403 although it speaks a JSON dialect.
  static AwsError fix_status(AwsError err, const gateway::Route& route) {
    if (route.service == "lambda" && err.http_status == 400) err.http_status = 403;
    return err;
  }

  // ---- responses ----
  // An output payload becomes the response body: the bytes, or the file ranges (sent by the
  // HTTP layer with sendfile).
  static void attach_payload(Payload&& p, http::Response& r) {
    if (p.in_files()) {
      r.body.clear();
      r.body_files = p.file_ranges();
    } else {
      r.body = std::move(p.bytes);
    }
  }

  static void stamp(http::Response& r, const std::string& request_id, const Clock& clock) {
    if (!r.headers.has("x-amzn-RequestId")) r.headers.add("x-amzn-RequestId", request_id);
    if (!r.headers.has("x-amz-request-id")) r.headers.add("x-amz-request-id", request_id);
    r.headers.add("Date", http_date_cached(clock));
    r.headers.add("Server", "Awan");
  }

  // The Date header changes once a second: format it once a second per thread.
  static const std::string& http_date_cached(const Clock& clock) {
    thread_local int64_t second = -1;
    thread_local std::string text;
    auto now = clock.now();
    int64_t s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (s != second) {
      second = s;
      text = timefmt::http_date(now);
    }
    return text;
  }

  void log_request(const RequestContext& ctx, int status, const std::string& error_code, steady::time_point t0) {
    double ms = std::chrono::duration<double, std::milli>(steady::now() - t0).count();
    if (status >= 500) {
      spdlog::error("{} {} {} {} {:.2f}ms {}", ctx.service, ctx.operation.empty() ? "-" : ctx.operation, status,
                    error_code.empty() ? "-" : error_code, ms, ctx.request_id);
    } else {
      spdlog::info("{} {} {} {} {:.2f}ms {}", ctx.service, ctx.operation.empty() ? "-" : ctx.operation, status,
                   error_code.empty() ? "-" : error_code, ms, ctx.request_id);
    }
  }

  void respond_error(const protocol::Codec* codec, const AwsError& err, RequestContext& ctx, steady::time_point t0,
                     const http::Responder& respond) {
    http::Response r;
    if (codec) {
      protocol::EncodeContext ec{ctx.request_id, ctx.region, ctx.account_id, ctx.http_method, nullptr, {}};
      codec->encode_error(err, ec, r);
    } else {
      r.status = err.http_status;
      r.headers.add("Content-Type", "application/json");
      r.headers.add("x-amzn-ErrorType", err.code);
      r.body = nlohmann::json{{"__type", err.code}, {"message", err.message}}.dump();
    }
    stamp(r, ctx.request_id, *env.clock);
    log_request(ctx, r.status, err.code, t0);
    respond(std::move(r));
  }

  // The CORS rules of the S3 bucket a browser request names (nullopt: none, or not S3).
  std::optional<CorsAnswer> resource_cors_for(const http::Request& req, const std::string& origin) const {
    if (req.path.rfind("/_", 0) == 0) return std::nullopt;  // internal endpoints
    if (gateway::route(req).service != "s3") return std::nullopt;
    auto it = services.find("s3");
    if (it == services.end()) return std::nullopt;
    CorsQuery q;
    q.resource = protocol::s3_bucket_of(req);
    if (q.resource.empty()) return std::nullopt;
    q.origin = origin;
    q.object = protocol::s3_names_key(req);
    q.preflight = req.method == "OPTIONS" && req.headers.has("access-control-request-method");
    // On an actual request too, S3 matches the rules by Access-Control-Request-Method when sent.
    q.method = req.headers.has("access-control-request-method")
                   ? std::string(req.headers.get("access-control-request-method"))
                   : req.method;
    q.request_headers = std::string(req.headers.get("access-control-request-headers"));
    try {
      return it->second->cors(q);
    } catch (const std::exception& e) {
      spdlog::error("s3 cors: {}", e.what());
      return std::nullopt;
    }
  }

  // ---- internal endpoints ----
  nlohmann::json health() const {
    nlohmann::json svcs = nlohmann::json::object();
    for (const auto& [name, svc] : services) svcs[name] = svc->state();
    double uptime = std::chrono::duration<double>(steady::now() - started).count();
    return {{"status", "running"},  {"version", AWAN_VERSION}, {"edition", "awan"},
            {"uptime_seconds", uptime}, {"services", svcs}};
  }

  void reset_all() {
    for (auto& [name, svc] : services) svc->reset();
  }

  // "/_awan/<service>/<rest>" → (service, rest)
  std::pair<Service*, std::string> service_endpoint(std::string_view path) const {
    constexpr std::string_view prefix = "/_awan/";
    if (path.substr(0, prefix.size()) != prefix) return {nullptr, {}};
    auto rest = path.substr(prefix.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos) return {nullptr, {}};
    auto it = services.find(rest.substr(0, slash));
    if (it == services.end()) return {nullptr, {}};
    return {it->second.get(), std::string(rest.substr(slash + 1))};
  }

  void handle_internal(const http::Request& req, const std::string& request_id, const http::Responder& respond) {
    std::string_view path = req.path;
    http::Response r;
    bool get = req.method == "GET" || req.method == "HEAD";
    if ((path == "/_awan/health" || path == "/_localstack/health") && get) {
      r = json_response(200, health());
    } else if (path == "/_awan/tls/ca.pem" && get) {
      if (tls_ca_pem.empty()) {
        r = json_response(404, {{"error", "NotFound"},
                                {"message", options.tls_port ? "the HTTPS certificate was given (--tls-cert): no local CA"
                                                             : "HTTPS is off (--tls-port)"}});
      } else {
        r.status = 200;
        r.headers.add("Content-Type", "application/x-pem-file");
        r.body = tls_ca_pem;
      }
    } else if ((path == "/_awan/reset" || path == "/moto-api/reset" || path == "/_localstack/state/reset") &&
               req.method == "POST") {
      reset_all();
      spdlog::info("awan reset: all state dropped");
      r = json_response(200, {{"status", "ok"}});
    } else if (auto svc = service_endpoint(path); svc.first) {
      int status = 200;
      nlohmann::json out = nlohmann::json::object();
      const std::string& body = req.method == "GET" ? req.query : req.body;
      if (auto doc = get ? svc.first->internal_document(req.method, svc.second, req.query) : std::nullopt) {
        r.status = doc->status;
        r.headers.add("Content-Type", doc->content_type);
        r.body = std::move(doc->body);
      } else if (svc.first->internal_endpoint(req.method, svc.second, body, status, out)) {
        r = json_response(status, out);
      } else {
        r = json_response(404, {{"error", "NotFound"}, {"message", "no internal endpoint " + std::string(path)}});
      }
    } else if (path == "/_awan/health" || path == "/_awan/reset" || path == "/moto-api/reset") {
      r = json_response(405, {{"error", "MethodNotAllowed"}, {"message", "method not allowed"}});
    } else {
      r = json_response(404, {{"error", "NotFound"}, {"message", "no internal endpoint " + std::string(path)}});
    }
    stamp(r, request_id, *env.clock);
    respond(std::move(r));
  }

  // ---- API Gateway and function URL invocations (the data plane) ----
  // Authenticated when signed (AWS_IAM methods and URLs), then offered to the services that
  // serve the route: execute-api (REST APIs, then HTTP and WebSocket APIs) or function URLs
  // (Lambda); the owner of the id answers.
  void handle_data_plane(http::Request& req, const gateway::Route& route, RequestContext& ctx, steady::time_point t0,
                         const http::Responder& respond) {
    const bool url = route.kind == gateway::RouteKind::function_url;
    // Function URLs answer failures as {"Message": ...}; API Gateway as {"message": ...}.
    auto fail = [&](int status, const std::string& type, const std::string& message) {
      http::Response r;
      r.status = status;
      r.headers.add("Content-Type", "application/json");
      if (!url) r.headers.add("x-amzn-ErrorType", type);
      r.body = nlohmann::json{{url ? "Message" : "message", message}}.dump();
      stamp(r, ctx.request_id, *env.clock);
      log_request(ctx, r.status, type, t0);
      respond(std::move(r));
    };
    if (req.body_too_large) return fail(413, "RequestEntityTooLargeException", url ? "Request Entity Too Large" : "Request Too Long");
    if (auto err = authenticate_and_decode(req, route, ctx, true)) {
      if (url) return fail(403, err->code, "Forbidden");
      return fail(err->http_status, err->code, err->message);
    }
    if (auto err = resolve_identity(ctx.access_key_id, ctx)) {
      if (url) return fail(403, err->code, "Forbidden");
      return fail(err->http_status, err->code, err->message);
    }
    HttpCall call;
    call.api_id = route.api_id;
    call.method = req.method;
    call.path = route.invoke_path;
    call.query = req.query;
    call.websocket_upgrade = !url && http::is_websocket_upgrade(req);  // before the headers move out
    call.headers.reserve(req.headers.size());
    for (auto& h : req.headers.items()) call.headers.emplace_back(std::move(h.name), std::move(h.value));
    call.body = std::move(req.body);
    call.source_ip = req.remote_address;
    call.host = ctx.host;
    auto shared_ctx = std::make_shared<RequestContext>(std::move(ctx));
    shared_ctx->operation = call.websocket_upgrade ? "WebSocket" : url ? "InvokeFunctionUrl" : "Invoke";
    HttpCompletion done = [this, shared_ctx, t0, respond](HttpAnswer a) {
      http::Response r;
      r.status = a.status;
      for (auto& [k, v] : a.headers) r.headers.add(std::move(k), std::move(v));
      r.body = std::move(a.body);
      r.websocket = std::move(a.websocket);
      if (!r.headers.has("x-amzn-RequestId")) r.headers.add("x-amzn-RequestId", shared_ctx->request_id);
      r.headers.add("Date", http_date_cached(*env.clock));
      log_request(*shared_ctx, r.status, "", t0);
      respond(std::move(r));
    };
    static const std::vector<const char*> kApiOwners = {"apigateway", "apigatewayv2"};
    static const std::vector<const char*> kUrlOwners = {"lambda"};
    for (const char* owner : url ? kUrlOwners : kApiOwners) {
      auto it = services.find(owner);
      if (it == services.end()) continue;
      try {
        if (it->second->invoke_http(*shared_ctx, call, done)) return;
      } catch (const std::exception& e) {
        spdlog::error("{} {} threw: {}", url ? "function URL" : "execute-api", call.api_id, e.what());
        if (url) return fail(502, "InternalFailure", "Internal Server Error");
        return fail(500, "InternalServerErrorException", "Internal server error");
      }
    }
    if (url) return fail(404, "ResourceNotFound", "Not Found");
    fail(404, "NotFoundException", "Not Found");
  }

  // ---- the request path ----
  void handle(http::Request&& req, http::Responder respond) {
    auto t0 = steady::now();
    RequestContext ctx;
    ctx.request_id = ids::uuid4();
    // A bucket's own CORS rules answer preflights from allowed origins (and decorate answers).
    const std::string* origin = req.headers.find("origin");
    std::optional<CorsAnswer> resource_cors;
    if (origin && origin_policy.origin_allowed(*origin) && origin_policy.host_allowed(req.headers.get("host")))
      resource_cors = resource_cors_for(req, *origin);
    if (resource_cors && resource_cors->refused)
      return respond_error(protocol::codec_for("s3"), *resource_cors->refused, ctx, t0, respond);
    if (resource_cors && req.method == "OPTIONS" && req.headers.has("access-control-request-method")) {
      http::Response r;
      for (auto& [k, v] : resource_cors->headers) r.headers.add(k, v);
      stamp(r, ctx.request_id, *env.clock);
      return respond(std::move(r));
    }
    // An API Gateway or function URL invocation answers CORS itself (its CORS configuration).
    std::string invoked_api, invoked_path;
    const bool invocation =
        gateway::execute_api_target(req.path, req.headers.get("host"), invoked_api, invoked_path) ||
        gateway::function_url_target(req.path, req.headers.get("host"), invoked_api, invoked_path);
    // Foreign Host or Origin: refused before anything else; CORS preflights answered here.
    if (auto early = origin_policy.admit(req, !invocation)) {
      stamp(*early, ctx.request_id, *env.clock);
      return respond(std::move(*early));
    }
    if (origin && !invocation) {
      respond = [respond = std::move(respond), origin = *origin, resource_cors](http::Response r) {
        if (resource_cors) {
          for (const auto& [k, v] : resource_cors->headers) r.headers.set(k, v);
        } else {
          gateway::OriginPolicy::add_cors_headers(origin, r);
        }
        respond(std::move(r));
      };
    }
    ctx.clock = env.clock;
    ctx.http_method = req.method;
    // Small spooled bodies (chunked transfer coding) and forms are read back before routing:
    // awsQuery routing looks at the form body.
    bool form = req.headers.get("content-type").find("x-www-form-urlencoded") != std::string_view::npos;
    if (req.body_file && (form || req.body_file->size() <= kInMemoryBody) && !http::is_aws_chunked(req.headers)) {
      if (auto err = http::load_body_file(req, options.max_body_bytes)) {
        http::Response r = json_response(500, {{"message", err->message}});
        return respond(std::move(r));
      }
    }
    gateway::Route route = gateway::route(req);
    if (route.kind == gateway::RouteKind::internal) {
      gateway::InternalPolicyOptions ip{options.verify_signatures, options.admin_token};
      if (auto refused = gateway::check_internal(req, ip, credential_lookup(), *env.clock)) {
        stamp(*refused, ctx.request_id, *env.clock);
        return respond(std::move(*refused));
      }
      return handle_internal(req, ctx.request_id, respond);
    }

    ctx.service = route.service;
    ctx.region = route.region.empty() ? options.region : route.region;
    ctx.access_key_id = route.access_key_id;
    if (auto tok = req.headers.find("x-amz-security-token")) ctx.session_token = *tok;
    ctx.user_agent = std::string(req.headers.get("user-agent"));
    ctx.source_ip = req.remote_address;
    ctx.host = std::string(req.headers.get("host"));
    ctx.https = req.https;
    ctx.account_id = options.account_id;
    if (route.kind == gateway::RouteKind::execute_api || route.kind == gateway::RouteKind::function_url)
      return handle_data_plane(req, route, ctx, t0, respond);

    const protocol::Codec* codec = nullptr;
    if (!route.service.empty()) {
      codec = route.protocol.empty() ? protocol::codec_for(route.service)
                                     : protocol::codec_for(route.service, route.protocol);
    } else if (route.protocol == "query") {
      codec = protocol::codec_for("sts");  // any awsQuery codec renders the generic errors
    }
    if (req.body_too_large) {
      return respond_error(codec, gateway::request_too_large(req, options.max_body_bytes), ctx, t0, respond);
    }
    if (route.service.empty()) {
      auto action = gateway::raw_param(req.method == "POST" ? std::string_view(req.body) : req.query, "Action");
      return respond_error(codec,
                           action.empty() ? AwsError::missing_action() : AwsError::invalid_action(std::string(action)),
                           ctx, t0, respond);
    }
    auto it = services.find(route.service);
    // A service Awan does not serve (yet) never has its spooled, possibly multi-GiB body read
    // into memory (aws-chunked framing is still checked, from file to file).
    const bool served = it != services.end();
    if (!served && req.body_file && !http::is_aws_chunked(req.headers)) {
      return respond_error(codec, AwsError::not_implemented("The service " + route.service), ctx, t0, respond);
    }
    const bool streams = req.body_file && codec && codec->streams_payload(req);
    if (auto err = authenticate_and_decode(req, route, ctx, served && !streams))
      return respond_error(codec, *err, ctx, t0, respond);
    // Only a Content-Encoding needs the service's size limit (request_limit routes the request again).
    if (!req.body_file && req.headers.has("content-encoding")) {
      if (auto err = gateway::decode_content_encoding(req, route,
                                                      gateway::request_limit(req, options.max_body_bytes).max_bytes))
        return respond_error(codec, *err, ctx, t0, respond);
    }
    if (auto err = resolve_identity(ctx.access_key_id, ctx)) return respond_error(codec, *err, ctx, t0, respond);
    if (!codec) {
      return respond_error(nullptr,
                           AwsError("UnknownService", "Awan does not emulate the service '" + route.service + "'", 400),
                           ctx, t0, respond);
    }
    // The management API under /_aws/execute-api/<apiId>/<stage>: decoded from "/@connections".
    if (!route.invoke_path.empty()) req.path = route.invoke_path;
    auto decoded = codec->decode(req);
    if (auto* err = std::get_if<AwsError>(&decoded)) return respond_error(codec, *err, ctx, t0, respond);
    auto& d = std::get<protocol::Decoded>(decoded);
    ctx.operation = d.operation;
    if (d.streaming_payload) {
      ctx.payload = std::make_shared<Payload>(
          req.body_file ? Payload::of_file(req.body_file, 0, req.body_file->size()) : Payload::of_bytes(std::move(req.body)));
      req.body_file.reset();
      ctx.payload_sha256 = gateway::claimed_payload_sha256(req);
    } else if (route.service == "s3") {
      if (auto err = sigv4::check_payload_hash(req)) return respond_error(codec, *err, ctx, t0, respond);
    }
    if (it == services.end()) {
      return respond_error(codec, AwsError::not_implemented("The service " + route.service), ctx, t0, respond);
    }
    Service* svc = it->second.get();
    auto shared_ctx = std::make_shared<RequestContext>(std::move(ctx));
    auto done = [this, codec, shared_ctx, t0, respond,
                 accept_encoding = std::string(req.headers.get("accept-encoding"))](Result result) {
      if (result.error) return respond_error(codec, *result.error, *shared_ctx, t0, respond);
      http::Response r;
      try {
        protocol::EncodeContext ec{shared_ctx->request_id, shared_ctx->region, shared_ctx->account_id,
                                    shared_ctx->http_method, result.payload ? &*result.payload : nullptr,
                                    accept_encoding};
        codec->encode_output(shared_ctx->operation, result.output, ec, r);
        if (result.payload && !r.omit_body) attach_payload(std::move(*result.payload), r);
      } catch (const std::exception& e) {
        spdlog::error("encoding {} {} failed: {}", shared_ctx->service, shared_ctx->operation, e.what());
        return respond_error(codec, AwsError::internal(), *shared_ctx, t0, respond);
      }
      stamp(r, shared_ctx->request_id, *env.clock);
      log_request(*shared_ctx, r.status, "", t0);
      respond(std::move(r));
    };
    try {
      svc->invoke(*shared_ctx, shared_ctx->operation, std::move(*d.input), done);
    } catch (const std::exception& e) {
      spdlog::error("{} {} threw: {}", shared_ctx->service, shared_ctx->operation, e.what());
      respond_error(codec, AwsError::internal(), *shared_ctx, t0, respond);
    }
  }
};

Simulator::Simulator(SimulatorOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  auto& o = impl_->options;
  impl_->origin_policy = gateway::OriginPolicy({o.host, o.allowed_origins, o.hostnames});
  impl_->env.data_dir = o.data_dir;
  impl_->env.sync_full = o.sync_full;
  impl_->env.clock = o.clock;
  impl_->env.default_account_id = o.account_id;
  impl_->env.default_region = o.region;
  impl_->env.scheduler = impl_.get();
  impl_->env.call_service = [this](const RequestContext& ctx, const std::string& service, const std::string& operation,
                                   nlohmann::json input, Completion done) {
    call(ctx, service, operation, std::move(input), std::move(done));
  };
  impl_->env.ttl_interval = o.ttl_interval;
  impl_->env.enforce_throughput = o.enforce_throughput;
  impl_->env.endpoint_url = [this] { return endpoint(); };
  impl_->env.https_endpoint_url = [this] { return tls_endpoint(); };
  impl_->env.functions = std::make_shared<FunctionRegistry>();
  impl_->env.sns_auto_confirm = o.sns_auto_confirm;
  impl_->env.smtp_server = o.smtp_server;
  impl_->env.outbox_dir = o.outbox_dir;
  impl_->env.verify_signatures = o.verify_signatures;
  impl_->env.secret_for = [impl = impl_.get()](std::string_view key) -> std::optional<std::string> {
    auto c = impl->credentials_for(key);
    if (!c) return std::nullopt;
    return c->secret_access_key;
  };
  // Before any service opens its database: a second daemon on the same directory stops here.
  if (!o.data_dir.empty()) impl_->data_dir_lock = std::make_unique<storage::DataDirLock>(o.data_dir);
  if (o.builtin_services) register_builtin_services(*this, impl_->env);
}

Simulator::~Simulator() {
  stop();
  for (auto& [name, svc] : impl_->services) svc->shutdown();
}

void Simulator::add_service(std::unique_ptr<Service> service) {
  std::string name(service->name());
  auto& rs = impl_->resolvers;
  rs.erase(std::remove_if(rs.begin(), rs.end(), [&](const auto& r) { return r.second == name; }), rs.end());
  impl_->services[name] = std::move(service);
}

void Simulator::add_credential_resolver(const CredentialResolver* resolver, std::string_view owner) {
  impl_->resolvers.emplace_back(resolver, std::string(owner));
}

Service* Simulator::service(std::string_view name) const {
  auto it = impl_->services.find(name);
  return it == impl_->services.end() ? nullptr : it->second.get();
}

void Simulator::start() {
  http::ServerOptions so;
  so.host = impl_->options.host;
  so.port = impl_->options.port;
  so.threads = impl_->options.threads;
  so.body_limit = impl_->options.max_body_bytes;
  so.body_limit_for = [cap = so.body_limit](const http::Request& head) { return gateway::body_limit_for(head, cap); };
  so.spool_digester = [](const http::Request& head) { return gateway::upload_digester(head); };
  so.max_connections = impl_->options.max_connections;
  so.header_timeout = impl_->options.header_timeout;
  so.min_body_rate = impl_->options.min_body_rate;
  so.body_rate_grace = impl_->options.body_rate_grace;
  // With --data-dir, request bodies spool next to the stored objects, so that S3 renames an
  // upload into place instead of copying it across file systems.
  if (!impl_->options.data_dir.empty()) {
    so.spool_dir = impl_->options.data_dir + "/spool";
    std::error_code ec;
    std::filesystem::create_directories(so.spool_dir, ec);
    for (const auto& e : std::filesystem::directory_iterator(so.spool_dir, ec)) std::filesystem::remove(e.path(), ec);
  }
  if (impl_->options.tls_port) {
    const auto& o = impl_->options;
    auto material = http::load_or_create_tls_material(
        o.tls_cert_file, o.tls_key_file, o.data_dir.empty() ? "" : o.data_dir + "/tls",
        http::default_certificate_names(o.host, o.hostnames, o.region));
    http::TlsOptions t;
    t.port = *o.tls_port;
    t.cert_pem = std::move(material.server.cert_pem);
    t.key_pem = std::move(material.server.key_pem);
    t.handshake_timeout = o.header_timeout;
    so.tls = std::move(t);
    impl_->tls_ca_pem = std::move(material.ca_pem);
  }
  impl_->server = std::make_unique<http::Server>(
      so, [impl = impl_.get()](http::Request&& req, http::Responder respond) { impl->handle(std::move(req), respond); });
  // Before the I/O threads start: health() reads it on them (TSan found the race).
  impl_->started = steady::now();
  impl_->server->start();
  {
    std::lock_guard<std::mutex> lock(impl_->pending_mu);
    impl_->running = true;
  }
  impl_->flush_pending();
}

void Simulator::stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->pending_mu);
    impl_->running = false;
  }
  if (impl_->server) {
    for (auto& [name, svc] : impl_->services) svc->drain();
    impl_->server->stop();
    impl_->server.reset();
  }
  impl_->running = false;
}

uint16_t Simulator::port() const { return impl_->server ? impl_->server->port() : 0; }

uint16_t Simulator::tls_port() const { return impl_->server ? impl_->server->tls_port() : 0; }

std::string Simulator::tls_ca_pem() const { return impl_->tls_ca_pem; }

namespace {
// A host as it appears in a URL: IPv6 literals in brackets.
std::string url_host(const std::string& host) {
  if (host.find(':') != std::string::npos && host.front() != '[') return "[" + host + "]";
  return host;
}
}  // namespace

std::string Simulator::endpoint() const {
  std::string host = impl_->options.host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::" || host == "[::]") host = "::1";
  return "http://" + url_host(host) + ":" + std::to_string(port());
}

std::string Simulator::tls_endpoint() const {
  uint16_t p = tls_port();
  if (p == 0) return "";
  std::string url = endpoint();
  return "https://" + url.substr(std::string_view("http://").size(), url.rfind(':') - 7) + ":" + std::to_string(p);
}

std::string Simulator::listen_url() const {
  const std::string& host = impl_->options.host;
  return "http://" + url_host(host == "localhost" ? "127.0.0.1" : host) + ":" + std::to_string(port());  // as bound
}

bool Simulator::loopback_only() const { return gateway::is_loopback_bind(impl_->options.host); }

void Simulator::reset() { impl_->reset_all(); }

void Simulator::call(const RequestContext& ctx, const std::string& service, const std::string& operation,
                     nlohmann::json input, Completion done) {
  Service* svc = this->service(service);
  if (!svc) return done(Result::fail(AwsError::not_implemented("The service " + service)));
  RequestContext c = ctx;
  c.service = service;
  c.operation = operation;
  if (c.request_id.empty()) c.request_id = ids::uuid4();
  try {
    svc->invoke(c, operation, std::move(input), done);
  } catch (const std::exception& e) {
    spdlog::error("{} {} threw: {}", service, operation, e.what());
    done(Result::fail(AwsError::internal()));
  }
}

RequestContext Simulator::context() const {
  RequestContext ctx;
  ctx.account_id = impl_->options.account_id;
  ctx.region = impl_->options.region;
  ctx.caller_arn = "arn:aws:iam::" + ctx.account_id + ":root";
  ctx.caller_user_id = ctx.account_id;
  ctx.clock = impl_->env.clock;
  return ctx;
}

const SimulatorOptions& Simulator::options() const { return impl_->options; }

const ServiceEnv& Simulator::environment() const { return impl_->env; }
FunctionRegistry& Simulator::functions() { return *impl_->env.functions; }

}  // namespace awan
