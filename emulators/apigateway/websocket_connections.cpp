// WebSocket APIs: the upgrade ($connect, refused when its integration fails or answers
// non-2xx), messages routed by the API's route selection expression to custom routes or
// $default (the function's answer sent back when the route has a route response), $disconnect
// on close, the events API Gateway sends functions, and the connection operations behind
// @connections (websocket_management.cpp).
#include <ctime>

#include <spdlog/spdlog.h>

#include "apigateway/v2_impl.hpp"
#include "apigateway/v2_routes.hpp"
#include "core/ids.hpp"

namespace awan::apigateway::v2 {

namespace {

int64_t epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string request_time(std::chrono::system_clock::time_point t) {
  std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  return buf;
}

std::string new_request_id() { return ids::random_string(14, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") + "="; }

class ConnectionListener : public WebSocketListener {
 public:
  ConnectionListener(V2Service& svc, std::shared_ptr<Connection> c) : svc_(svc), c_(std::move(c)) {}
  void on_open(std::shared_ptr<WebSocketPeer> peer) override {
    c_->peer = std::move(peer);
    svc_.connection_opened(c_);
  }
  void on_message(std::string message, bool binary) override { svc_.connection_message(c_, std::move(message), binary); }
  void on_close() override { svc_.connection_closed(c_); }

 private:
  V2Service& svc_;
  std::shared_ptr<Connection> c_;
};

// The answer of a route's function: the "body" of a proxy-style result, else the output itself.
std::string route_answer(const std::string& out) {
  json r = json::parse(out, nullptr, false);
  if (r.is_object() && r.contains("body")) return r["body"].is_string() ? r["body"].get<std::string>() : r["body"].dump();
  if (r.is_object() && r.contains("statusCode")) return "";
  return out;
}

}  // namespace

json V2Service::websocket_event(const Connection& c, const std::string& route_key, const std::string& event_type,
                                const std::string& request_id, const std::string* body) const {
  auto t = now();
  json rc = {{"routeKey", route_key},
             {"eventType", event_type},
             {"extendedRequestId", request_id},
             {"requestTime", request_time(t)},
             {"messageDirection", "IN"},
             {"stage", c.stage},
             {"connectedAt", epoch_ms(c.connected_at)},
             {"requestTimeEpoch", epoch_ms(t)},
             {"identity", {{"sourceIp", c.source_ip}, {"userAgent", c.user_agent}}},
             {"requestId", request_id},
             {"domainName", c.domain_name},
             {"connectionId", c.id},
             {"apiId", c.api_id}};
  if (event_type == "MESSAGE") rc["messageId"] = ids::random_string(14, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") + "=";
  if (event_type == "DISCONNECT") {
    rc["disconnectStatusCode"] = 1005;
    rc["disconnectReason"] = "";
  }
  if (!c.authorizer.is_null()) rc["authorizer"] = c.authorizer;
  json ev = {{"requestContext", rc}, {"isBase64Encoded", false}};
  if (event_type != "MESSAGE") {
    json h = json::object(), mh = json::object();
    for (const auto& [k, v] : c.headers) {
      h[k] = v;
      mh[k].push_back(v);
    }
    ev["headers"] = h;
    ev["multiValueHeaders"] = mh;
  }
  if (event_type == "CONNECT" && !c.raw_query.empty()) {
    json q = json::object(), mq = json::object();
    for (const auto& [k, v] : parse_query(c.raw_query)) {
      q[k] = v;
      mq[k].push_back(v);
    }
    ev["queryStringParameters"] = q;
    ev["multiValueQueryStringParameters"] = mq;
  }
  if (body) ev["body"] = *body;
  return ev;
}

void V2Service::upgrade_websocket(const RequestContext& ctx, const HttpCall& call, const json& api, const std::string& stage,
                                  HttpCompletion done) {
  auto c = std::make_shared<Connection>();
  c->id = ids::random_string(15, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") + "=";
  c->api_id = call.api_id;
  c->stage = stage;
  c->account = ctx.account_id;
  c->domain_name = call.host;
  c->source_ip = call.source_ip;
  if (const std::string* ua = call.header("User-Agent")) c->user_agent = *ua;
  c->connected_at = c->last_active = now();
  c->headers = call.headers;
  c->raw_query = call.query;
  std::optional<RouteTarget> target;
  {
    std::lock_guard lock(mu_);
    auto it = apis_.find(call.api_id);
    if (it == apis_.end()) return done({404, {}, "", nullptr});
    c->account = it->second->account;
    c->region = it->second->region;
    const json* snapshot = deployed(*it->second, stage);
    if (!snapshot) return done({403, {}, "", nullptr});  // a stage without a deployment
    for (const auto& r : snapshot->value("Route", json::object()))
      if (r.value("RouteKey", "") == "$connect") target = target_for(*it->second, stage, r);
  }
  auto accept = [this, c, done] {
    HttpAnswer a;
    a.status = 101;
    a.websocket = std::make_shared<ConnectionListener>(*this, c);
    done(std::move(a));
  };
  if (!target || !target->integration.is_object() || target->integration.value("IntegrationType", "") != "AWS_PROXY")
    return accept();
  std::string rid = new_request_id();
  json event = websocket_event(*c, "$connect", "CONNECT", rid, nullptr);
  invoke_lambda(c->account, c->region, target->integration.value("IntegrationUri", ""), event_text(event),
                [accept, done](bool ok, std::string out) {
                  if (!ok) return done({500, {}, "", nullptr});
                  json r = json::parse(out, nullptr, false);
                  if (r.is_object() && r.contains("statusCode") && r["statusCode"].is_number_integer()) {
                    int s = r["statusCode"];
                    if (s < 200 || s > 299) return done({s >= 400 && s < 600 ? s : 500, {}, "", nullptr});
                  }
                  accept();
                });
}

void V2Service::connection_opened(const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(conn_mu_);
  connections_[c->id] = c;
}

void V2Service::connection_message(const std::shared_ptr<Connection>& c, std::string message, bool binary) {
  c->last_active = now();
  std::optional<RouteTarget> target;
  bool has_response = false;
  std::string route_key;
  {
    std::lock_guard lock(mu_);
    auto it = apis_.find(c->api_id);
    if (it == apis_.end()) return;
    Api& api = *it->second;
    const json* snapshot = deployed(api, c->stage);
    if (!snapshot) return;
    auto selected = binary ? std::nullopt : select_route(api.doc.value("RouteSelectionExpression", ""), message);
    const json* route = nullptr;
    std::string route_id, fallback_id;
    const json routes = snapshot->value("Route", json::object());
    for (const auto& [id, r] : routes.items()) {
      std::string k = r.value("RouteKey", "");
      if (selected && k == *selected && !k.empty() && k[0] != '$') route_id = id;
      if (k == "$default") fallback_id = id;
    }
    if (route_id.empty()) route_id = fallback_id;
    if (!route_id.empty()) route = &routes[route_id];
    if (route) {
      target = target_for(api, c->stage, *route);
      route_key = route->value("RouteKey", "");
      const json route_responses = snapshot->value("RouteResponse", json::object());
      for (const auto& [key, rr] : route_responses.items())
        if (key.starts_with(route_id + "/")) has_response = true;
    }
  }
  std::string rid = new_request_id();
  if (!target) {
    if (c->peer) c->peer->send(json{{"message", "Forbidden"}, {"connectionId", c->id}, {"requestId", rid}}.dump());
    return;
  }
  const json& integ = target->integration;
  std::string type = integ.is_object() ? integ.value("IntegrationType", "") : "";
  if (type == "MOCK") return;
  if (type != "AWS_PROXY") {
    if (c->peer) c->peer->send(json{{"message", "Internal server error"}, {"connectionId", c->id}, {"requestId", rid}}.dump());
    return;
  }
  json event = websocket_event(*c, route_key, "MESSAGE", rid, &message);
  invoke_lambda(c->account, c->region, integ.value("IntegrationUri", ""), event_text(event),
                [c, has_response, rid](bool ok, std::string out) {
                  if (!c->peer) return;
                  if (!ok) {
                    c->peer->send(json{{"message", "Internal server error"}, {"connectionId", c->id}, {"requestId", rid}}.dump());
                    return;
                  }
                  if (!has_response) return;
                  std::string answer = route_answer(out);
                  if (!answer.empty()) c->peer->send(std::move(answer));
                });
}

void V2Service::connection_closed(const std::shared_ptr<Connection>& c) {
  {
    std::lock_guard lock(conn_mu_);
    auto it = connections_.find(c->id);
    if (it == connections_.end() || it->second != c) return;
    connections_.erase(it);
  }
  std::optional<RouteTarget> target;
  {
    std::lock_guard lock(mu_);
    auto it = apis_.find(c->api_id);
    if (it == apis_.end()) return;
    const json* snapshot = deployed(*it->second, c->stage);
    if (!snapshot) return;
    for (const auto& r : snapshot->value("Route", json::object()))
      if (r.value("RouteKey", "") == "$disconnect") target = target_for(*it->second, c->stage, r);
  }
  if (!target || !target->integration.is_object() || target->integration.value("IntegrationType", "") != "AWS_PROXY") return;
  json event = websocket_event(*c, "$disconnect", "DISCONNECT", new_request_id(), nullptr);
  invoke_lambda(c->account, c->region, target->integration.value("IntegrationUri", ""), event_text(event), [](bool, std::string) {});
}

namespace {
AwsError gone() { return {"GoneException", "", 410}; }
double epoch_s(std::chrono::system_clock::time_point t) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()) / 1000.0;
}
}  // namespace

Result V2Service::post_to_connection(const std::string& id, const std::string& data) {
  std::shared_ptr<Connection> c;
  {
    std::lock_guard lock(conn_mu_);
    auto it = connections_.find(id);
    if (it != connections_.end()) c = it->second;
  }
  if (!c || !c->peer || !c->peer->open()) return Result::fail(gone());
  if (data.size() > 128 * 1024) return Result::fail({"PayloadTooLargeException", "Message too long", 413});
  c->peer->send(data);
  return Result::ok();
}

Result V2Service::get_connection(const std::string& id) {
  std::shared_ptr<Connection> c;
  {
    std::lock_guard lock(conn_mu_);
    auto it = connections_.find(id);
    if (it != connections_.end()) c = it->second;
  }
  if (!c || !c->peer || !c->peer->open()) return Result::fail(gone());
  return Result::ok({{"ConnectedAt", epoch_s(c->connected_at)},
                     {"LastActiveAt", epoch_s(c->last_active)},
                     {"Identity", {{"SourceIp", c->source_ip}, {"UserAgent", c->user_agent}}}});
}

Result V2Service::delete_connection(const std::string& id) {
  std::shared_ptr<Connection> c;
  {
    std::lock_guard lock(conn_mu_);
    auto it = connections_.find(id);
    if (it != connections_.end()) c = it->second;
  }
  if (!c || !c->peer || !c->peer->open()) return Result::fail(gone());
  c->peer->close();
  return Result::ok();
}

}  // namespace awan::apigateway::v2
