#pragma once
// The apigatewayv2 service (HTTP and WebSocket APIs). Where things live:
//   v2_service.cpp       construction, reset, dispatch; the generic create/get/update/delete of
//                        routes, integrations, stages, deployments, authorizers, models and
//                        route/integration responses; tags
//   v2_apis.cpp          CreateApi (quick create), UpdateApi, DeleteApi, Import/Reimport/ExportApi
//   v2_routes.cpp        route keys, matching, stage resolution, WebSocket route selection
//   v2_invoke.cpp        the HTTP API data plane (invoke_http): CORS, throttling, authorizers,
//                        AWS_PROXY and HTTP_PROXY integrations
//   jwt.cpp              JWT parsing and RS256 verification against a JWKS
//   websocket_connections.cpp  WebSocket APIs: $connect/$disconnect/custom routes, events,
//                        PostToConnection/GetConnection/DeleteConnection
//   websocket_management.cpp   the @connections service (apigatewaymanagementapi)
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apigateway/jwt.hpp"
#include "core/proxy_event.hpp"
#include "apigateway/throttle.hpp"
#include "apigateway/v2_store.hpp"
#include "awan/service.hpp"

namespace awan::apigateway::v2 {

using json = nlohmann::json;

namespace errors {
inline AwsError not_found(const std::string& m) { return {"NotFoundException", m, 404}; }
inline AwsError bad_request(const std::string& m) { return {"BadRequestException", m, 400}; }
inline AwsError conflict(const std::string& m) { return {"ConflictException", m, 409}; }
}  // namespace errors

// One API: its document (the Api shape) and its resources, each kind keyed by id (route and
// integration responses by "<routeId>/<responseId>"). Kind "Snapshot" holds, by deployment id,
// what that deployment froze: {"Route": {...}, "Integration": {...}, "Authorizer": {...},
// "RouteResponse": {...}}; a stage serves the snapshot of its DeploymentId.
struct Api {
  std::string account, region;
  json doc;
  std::map<std::string, std::map<std::string, json>> children;
  bool websocket() const { return doc.value("ProtocolType", "") == "WEBSOCKET"; }
  const std::string id() const { return doc.value("ApiId", ""); }
};

// What the data plane needs of one route, copied under the lock.
struct RouteTarget {
  json api, route, integration, authorizer, stage;
  std::string account, region;
};

// A WebSocket connection of a WebSocket API.
struct Connection {
  std::string id, api_id, stage, account, region, domain_name, source_ip, user_agent;
  std::chrono::system_clock::time_point connected_at, last_active;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string raw_query;
  std::shared_ptr<WebSocketPeer> peer;
  json authorizer;  // the $connect authorizer's output, for later events
};

class V2Service : public Service {
 public:
  explicit V2Service(const ServiceEnv& env);
  std::string_view name() const override { return "apigatewayv2"; }
  Result call(const RequestContext& ctx, const std::string& op, json input) override;
  bool invoke_http(const RequestContext& ctx, const HttpCall& call, HttpCompletion done) override;
  void reset() override;

  // The management API (websocket_management.cpp calls these).
  Result post_to_connection(const std::string& id, const std::string& data);
  Result get_connection(const std::string& id);
  Result delete_connection(const std::string& id);

  // Shared by the data planes.
  const ServiceEnv& env() const { return env_; }
  void invoke_lambda(const std::string& account, const std::string& region, const std::string& uri,
                     const std::string& payload, std::function<void(bool ok, std::string output)> done);
  std::chrono::system_clock::time_point now() const { return env_.clock->now(); }
  JwksCache& jwks() { return jwks_; }

  // websocket_connections.cpp
  void connection_opened(const std::shared_ptr<Connection>& c);
  void connection_message(const std::shared_ptr<Connection>& c, std::string message, bool binary);
  void connection_closed(const std::shared_ptr<Connection>& c);
  json websocket_event(const Connection& c, const std::string& route_key, const std::string& event_type,
                       const std::string& request_id, const std::string* body) const;

 private:
  using Handler = Result (V2Service::*)(json&);
  // Resource kinds with the generic operations.
  struct Kind {
    const char* name;       // "Route"
    const char* id_member;  // "RouteId"
    const char* parent;     // "RouteId" for RouteResponse; nullptr
    size_t id_length;       // generated ids; 0 = given by the caller (StageName)
    const char* not_found;  // "Route"
  };
  static const Kind* kind_of(const std::string& name);
  Result generic(const std::string& verb, const Kind& k, json& in);
  Result create_child(const Kind& k, Api& api, json& in);
  Result update_child(const Kind& k, Api& api, json& doc, json& in);
  void after_change(Api& api);  // auto-deploying stages get a new deployment
  std::string deploy(Api& api, bool automatic);  // a new deployment with its snapshot
  // The snapshot a stage serves; nullptr when it has no deployment.
  static const json* deployed(const Api& api, const std::string& stage);

  Result create_api(json& in);
  Result get_api(json& in);
  Result get_apis(json& in);
  Result update_api(json& in);
  Result delete_api(json& in);
  Result import_api(json& in);
  Result reimport_api(json& in);
  Result export_api(json& in);
  Result delete_cors(json& in);
  Result delete_route_settings(json& in);
  Result delete_access_log_settings(json& in);
  Result delete_route_request_parameter(json& in);
  Result reset_authorizers_cache(json& in);
  Result get_model_template(json& in);
  Result tag_resource(json& in);
  Result untag_resource(json& in);
  Result get_tags(json& in);

  Api& require_api(const json& in);
  json& require_child(Api& api, const Kind& k, const std::string& key);
  void save_api(Api& api);
  void save_child(Api& api, const std::string& kind, const std::string& key);
  std::string endpoint_of(const std::string& id, bool websocket) const;
  void import_openapi(Api& api, const json& spec, bool replace);
  json export_openapi(const Api& api, bool extensions) const;
  std::optional<RouteTarget> target_for(const Api& api, const std::string& stage, const json& route) const;
  // v2_invoke.cpp
  void invoke_route(const RequestContext& ctx, const HttpCall& call, RouteTarget t, ProxyRequest r,
                    HttpCompletion done);
  void run_integration(const RouteTarget& t, const ProxyRequest& r, HttpCompletion done);
  bool throttled(const std::string& api_id, const json& stage, const std::string& route_key);
  void upgrade_websocket(const RequestContext& ctx, const HttpCall& call, const json& api, const std::string& stage,
                         HttpCompletion done);

  ServiceEnv env_;
  Store store_;
  mutable std::mutex mu_;
  const RequestContext* ctx_ = nullptr;
  std::map<std::string, std::unique_ptr<Api>> apis_;  // by API id
  std::mutex buckets_mu_;
  std::map<std::string, std::shared_ptr<TokenBucket>> buckets_;
  JwksCache jwks_;
  // REQUEST authorizer results by "<apiId>/<authorizerId>/<identity values>": until when, and
  // the context (null: denied).
  std::mutex auth_cache_mu_;
  std::map<std::string, std::pair<std::chrono::system_clock::time_point, json>> auth_cache_;
  std::mutex conn_mu_;
  std::map<std::string, std::shared_ptr<Connection>> connections_;
};

}  // namespace awan::apigateway::v2
