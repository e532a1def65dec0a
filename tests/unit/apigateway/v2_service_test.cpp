// The apigatewayv2 service in process: the control plane, the HTTP API data plane
// (invoke_http) with a fake Lambda, deployments, CORS, throttling with a ManualClock, WebSocket
// connections through a fake WebSocketPeer, the management operations, and persistence.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>

#include "apigateway/apigateway.hpp"
#include "apigateway/v2_impl.hpp"

namespace awan::apigateway::v2 {
namespace {

using json = nlohmann::json;

class FakePeer : public WebSocketPeer {
 public:
  void send(std::string message, bool) override {
    std::lock_guard lock(mu);
    sent.push_back(std::move(message));
  }
  void close() override { open_ = false; }
  bool open() const override { return open_; }
  std::vector<std::string> messages() {
    std::lock_guard lock(mu);
    return sent;
  }
  std::mutex mu;
  std::vector<std::string> sent;
  std::atomic<bool> open_{true};
};

class V2Fixture : public ::testing::Test {
 protected:
  void SetUp() override { make(""); }
  void make(const std::string& dir) {
    env.data_dir = dir;
    env.clock = &clock;
    env.call_service = [this](const RequestContext&, const std::string& svc, const std::string& op, json in,
                              Completion done) {
      ASSERT_EQ(svc, "lambda");
      ASSERT_EQ(op, "Invoke");
      std::string payload = in["Payload"];
      std::string fn = in["FunctionName"];
      {
        std::lock_guard lock(mu);
        events.push_back(json::parse(payload));
        functions.push_back(fn);
      }
      if (fn.find("fail") != std::string::npos) return done(Result::ok({{"StatusCode", 200}, {"FunctionError", "Unhandled"}, {"Payload", "{}"}}));
      done(Result::ok({{"StatusCode", 200}, {"Payload", reply}}));
    };
    svc.reset();
    svc = std::make_unique<V2Service>(env);
  }
  json ok(const std::string& op, json in) {
    Result r = svc->call(ctx, op, std::move(in));
    EXPECT_FALSE(r.is_error()) << op << ": " << (r.error ? r.error->code + " " + r.error->message : "");
    return r.output;
  }
  AwsError fail(const std::string& op, json in) {
    Result r = svc->call(ctx, op, std::move(in));
    EXPECT_TRUE(r.is_error()) << op;
    return r.error.value_or(AwsError());
  }
  HttpAnswer http(const std::string& api, const std::string& method, const std::string& path,
                  std::vector<std::pair<std::string, std::string>> headers = {}, bool upgrade = false) {
    HttpCall c;
    c.api_id = api;
    c.method = method;
    size_t q = path.find('?');
    c.path = path.substr(0, q);
    if (q != std::string::npos) c.query = path.substr(q + 1);
    c.headers = std::move(headers);
    c.host = api + ".execute-api.localhost:4566";
    c.source_ip = "127.0.0.1";
    c.websocket_upgrade = upgrade;
    std::optional<HttpAnswer> answer;
    EXPECT_TRUE(svc->invoke_http(ctx, c, [&](HttpAnswer a) { answer = std::move(a); }));
    EXPECT_TRUE(answer.has_value());  // the fake Lambda answers at once
    return answer.value_or(HttpAnswer{});
  }
  static std::string header(const HttpAnswer& a, const std::string& name) {
    for (const auto& [k, v] : a.headers)
      if (k == name) return v;
    return "";
  }
  std::string quick_api(json extra = json::object()) {
    json in = {{"Name", "a"}, {"ProtocolType", "HTTP"}, {"Target", "arn:aws:lambda:us-east-1:000000000000:function:f"}};
    in.update(extra);
    return ok("CreateApi", in)["ApiId"];
  }

  ManualClock clock{std::chrono::system_clock::from_time_t(1750000000)};
  ServiceEnv env;
  RequestContext ctx;
  std::unique_ptr<V2Service> svc;
  std::mutex mu;
  std::vector<json> events;
  std::vector<std::string> functions;
  std::string reply = R"({"statusCode": 201, "headers": {"x-a": "b"}, "body": "made"})";
};

TEST_F(V2Fixture, NotFoundMessage) {
  AwsError e = fail("GetApi", {{"ApiId", "zzz"}});
  EXPECT_EQ(e.code, "NotFoundException");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(e.message, "Invalid API identifier specified 000000000000:zzz");
  EXPECT_EQ(fail("CreateApi", {{"Name", "w"}, {"ProtocolType", "WEBSOCKET"}}).code, "BadRequestException");
}

TEST_F(V2Fixture, QuickCreateServesPayload2) {
  std::string api = quick_api();
  HttpAnswer a = http(api, "GET", "/items/1?x=1");
  EXPECT_EQ(a.status, 201);
  EXPECT_EQ(a.body, "made");
  EXPECT_EQ(header(a, "x-a"), "b");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["version"], "2.0");
  EXPECT_EQ(events[0]["routeKey"], "$default");
  EXPECT_EQ(events[0]["rawPath"], "/items/1");
  EXPECT_EQ(events[0]["requestContext"]["stage"], "$default");
  EXPECT_EQ(functions[0], "arn:aws:lambda:us-east-1:000000000000:function:f");
  HttpCall unknown;
  unknown.api_id = "nope";
  EXPECT_FALSE(svc->invoke_http(ctx, unknown, [](HttpAnswer) {}));
}

TEST_F(V2Fixture, LambdaUriFormAndFailures) {
  std::string api = ok("CreateApi", {{"Name", "a"}, {"ProtocolType", "HTTP"}})["ApiId"];
  std::string i = ok("CreateIntegration", {{"ApiId", api}, {"IntegrationType", "AWS_PROXY"},
                                           {"IntegrationUri", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:fail/invocations"}})["IntegrationId"];
  ok("CreateRoute", {{"ApiId", api}, {"RouteKey", "GET /x"}, {"Target", "integrations/" + i}});
  ok("CreateStage", {{"ApiId", api}, {"StageName", "prod"}, {"AutoDeploy", true}});
  HttpAnswer a = http(api, "GET", "/prod/x");
  EXPECT_EQ(a.status, 500);
  EXPECT_EQ(a.body, R"({"message":"Internal Server Error"})");
  EXPECT_EQ(functions.at(0), "arn:aws:lambda:us-east-1:000000000000:function:fail");
  EXPECT_EQ(http(api, "GET", "/prod/y").status, 404);
  EXPECT_EQ(http(api, "GET", "/x").status, 404);  // no $default stage
}

TEST_F(V2Fixture, StagesServeTheirDeployment) {
  std::string api = ok("CreateApi", {{"Name", "a"}, {"ProtocolType", "HTTP"}})["ApiId"];
  std::string i = ok("CreateIntegration", {{"ApiId", api}, {"IntegrationType", "AWS_PROXY"}, {"IntegrationUri", "f"}})["IntegrationId"];
  ok("CreateRoute", {{"ApiId", api}, {"RouteKey", "GET /a"}, {"Target", "integrations/" + i}});
  ok("CreateStage", {{"ApiId", api}, {"StageName", "prod"}});
  EXPECT_EQ(http(api, "GET", "/prod/a").status, 404);  // not deployed yet
  std::string d = ok("CreateDeployment", {{"ApiId", api}, {"StageName", "prod"}})["DeploymentId"];
  EXPECT_EQ(http(api, "GET", "/prod/a").status, 201);
  ok("CreateRoute", {{"ApiId", api}, {"RouteKey", "GET /b"}, {"Target", "integrations/" + i}});
  EXPECT_EQ(http(api, "GET", "/prod/b").status, 404);  // until redeployed
  ok("CreateDeployment", {{"ApiId", api}, {"StageName", "prod"}});
  EXPECT_EQ(http(api, "GET", "/prod/b").status, 201);
  EXPECT_EQ(fail("UpdateStage", {{"ApiId", api}, {"StageName", "prod"}, {"DeploymentId", "nope"}}).code, "NotFoundException");
  ok("UpdateStage", {{"ApiId", api}, {"StageName", "prod"}, {"DeploymentId", d}});
  EXPECT_EQ(http(api, "GET", "/prod/b").status, 404);  // back to the first deployment
  EXPECT_EQ(fail("DeleteDeployment", {{"ApiId", api}, {"DeploymentId", d}}).code, "BadRequestException");
}

TEST_F(V2Fixture, CorsPreflightAndHeaders) {
  std::string api = quick_api({{"CorsConfiguration", {{"AllowOrigins", {"https://a.example"}}, {"AllowMethods", {"GET", "PUT"}},
                                                       {"AllowHeaders", {"x-h"}}, {"ExposeHeaders", {"x-a"}}, {"MaxAge", 60}}}});
  HttpAnswer p = http(api, "OPTIONS", "/x", {{"Origin", "https://a.example"}, {"Access-Control-Request-Method", "PUT"},
                                             {"Access-Control-Request-Headers", "x-h"}});
  EXPECT_EQ(p.status, 204);
  EXPECT_EQ(header(p, "Access-Control-Allow-Origin"), "https://a.example");
  EXPECT_EQ(header(p, "Access-Control-Allow-Methods"), "GET,PUT");
  EXPECT_EQ(header(p, "Access-Control-Allow-Headers"), "x-h");
  EXPECT_EQ(header(p, "Access-Control-Max-Age"), "60");
  EXPECT_TRUE(events.empty());  // preflights never reach the function
  HttpAnswer other = http(api, "OPTIONS", "/x", {{"Origin", "https://b.example"}, {"Access-Control-Request-Method", "PUT"}});
  EXPECT_EQ(header(other, "Access-Control-Allow-Origin"), "");
  HttpAnswer a = http(api, "GET", "/x", {{"Origin", "https://a.example"}});
  EXPECT_EQ(header(a, "Access-Control-Allow-Origin"), "https://a.example");
  EXPECT_EQ(header(a, "Access-Control-Expose-Headers"), "x-a");
}

TEST_F(V2Fixture, RouteThrottling) {
  std::string api = quick_api();
  ok("UpdateStage", {{"ApiId", api}, {"StageName", "$default"},
                     {"RouteSettings", {{"$default", {{"ThrottlingBurstLimit", 2}, {"ThrottlingRateLimit", 1.0}}}}}});
  EXPECT_EQ(http(api, "GET", "/").status, 201);
  EXPECT_EQ(http(api, "GET", "/").status, 201);
  HttpAnswer a = http(api, "GET", "/");
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(a.body, R"({"message":"Too Many Requests"})");
  clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(http(api, "GET", "/").status, 201);
}

// A Lambda authorizer's answer is whatever the function returned: an isAuthorized that is not
// a boolean, or an Effect that is not a string, refuses the call (403) and never throws.
TEST_F(V2Fixture, LambdaAuthorizerAnswersOfTheWrongShapeAreRefused) {
  std::string api = quick_api();
  auto route_of = [&] { return ok("GetRoutes", {{"ApiId", api}})["Items"][0]["RouteId"].get<std::string>(); };
  auto authorizer = [&](bool simple) {
    std::string id = ok("CreateAuthorizer", {{"ApiId", api}, {"Name", simple ? "s" : "p"}, {"AuthorizerType", "REQUEST"},
                                             {"AuthorizerUri", "arn:aws:lambda:us-east-1:000000000000:function:auth"},
                                             {"AuthorizerPayloadFormatVersion", "2.0"}, {"EnableSimpleResponses", simple},
                                             {"AuthorizerResultTtlInSeconds", 0}})["AuthorizerId"];
    ok("UpdateRoute", {{"ApiId", api}, {"RouteId", route_of()}, {"AuthorizationType", "CUSTOM"}, {"AuthorizerId", id}});
  };
  authorizer(true);
  reply = R"({"isAuthorized": "true"})";
  EXPECT_EQ(http(api, "GET", "/").status, 403);
  reply = R"({"isAuthorized": 1})";
  EXPECT_EQ(http(api, "GET", "/").status, 403);
  reply = R"({"isAuthorized": true})";
  EXPECT_EQ(http(api, "GET", "/").status, 200);
  authorizer(false);
  reply = R"({"principalId": "me", "policyDocument": {"Statement": [{"Effect": ["Allow"], "Action": "execute-api:Invoke"}]}})";
  EXPECT_EQ(http(api, "GET", "/").status, 403);
  reply = R"({"principalId": "me", "policyDocument": {"Statement": "Allow"}})";
  EXPECT_EQ(http(api, "GET", "/").status, 403);
  reply = R"({"principalId": "me", "policyDocument": {"Statement": {"Effect": "Allow", "Action": "execute-api:Invoke"}}})";
  EXPECT_EQ(http(api, "GET", "/").status, 200);
}

// An imported definition is whatever its author wrote: members of the wrong type are skipped
// (json::value threw, and a ReimportApi that threw had already dropped the API's routes).
TEST_F(V2Fixture, ImportSkipsMembersOfTheWrongType) {
  json spec = json::parse(R"({"openapi": "3.0.1", "info": {"title": 5},
    "x-amazon-apigateway-cors": {"allowOrigins": 5, "allowMethods": ["GET"], "maxAge": "x", "allowCredentials": true},
    "components": {"securitySchemes": {"s": {"x-amazon-apigateway-authorizer": {"type": 3, "enableSimpleResponses": "yes",
                                                                                "authorizerUri": "arn:aws:lambda:us-east-1:000000000000:function:a",
                                                                                "authorizerPayloadFormatVersion": 2}}}},
    "paths": {"/a": {"get": {"x-amazon-apigateway-integration": {"type": 1, "uri": "arn:aws:lambda:us-east-1:000000000000:function:f", "httpMethod": 2}, "security": [{"s": []}]}}}})");
  json api = ok("ImportApi", {{"Body", spec.dump()}});
  EXPECT_EQ(api["Name"], "imported");
  EXPECT_EQ(api["CorsConfiguration"], json({{"AllowMethods", {"GET"}}, {"AllowCredentials", true}}));
  std::string id = api["ApiId"];
  ok("ReimportApi", {{"ApiId", id}, {"Body", spec.dump()}});
  json routes = ok("GetRoutes", {{"ApiId", id}})["Items"];
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0]["RouteKey"], "GET /a");
  EXPECT_EQ(routes[0]["AuthorizationType"], "CUSTOM");
  json authorizers = ok("GetAuthorizers", {{"ApiId", id}})["Items"];
  ASSERT_EQ(authorizers.size(), 1u);
  EXPECT_EQ(authorizers[0]["EnableSimpleResponses"], false);
  EXPECT_EQ(authorizers[0]["AuthorizerPayloadFormatVersion"], "2.0");
  spec["components"]["securitySchemes"]["s"]["x-amazon-apigateway-authorizer"]["authorizerUri"] = json::array({"u"});
  EXPECT_EQ(fail("ImportApi", {{"Body", spec.dump()}}).message, "AuthorizerUri is required for REQUEST authorizers");
}

TEST_F(V2Fixture, WebSocketConnectMessageDisconnect) {
  std::string api = ok("CreateApi", {{"Name", "w"}, {"ProtocolType", "WEBSOCKET"}, {"RouteSelectionExpression", "$request.body.action"}})["ApiId"];
  std::string i = ok("CreateIntegration", {{"ApiId", api}, {"IntegrationType", "AWS_PROXY"}, {"IntegrationUri", "f"}})["IntegrationId"];
  for (const char* k : {"$connect", "$disconnect", "send"}) ok("CreateRoute", {{"ApiId", api}, {"RouteKey", k}, {"Target", "integrations/" + i}});
  std::string send_id;
  json routes = ok("GetRoutes", {{"ApiId", api}});
  for (const auto& r : routes["Items"])
    if (r["RouteKey"] == "send") send_id = r["RouteId"];
  ok("CreateRouteResponse", {{"ApiId", api}, {"RouteId", send_id}, {"RouteResponseKey", "$default"}});
  ok("CreateStage", {{"ApiId", api}, {"StageName", "prod"}, {"AutoDeploy", true}});
  reply = R"({"statusCode": 200, "body": "pong"})";
  HttpAnswer up = http(api, "GET", "/prod?token=t", {{"User-Agent", "ua"}, {"Sec-WebSocket-Key", "k"}}, true);
  ASSERT_EQ(up.status, 101);
  ASSERT_TRUE(up.websocket);
  ASSERT_EQ(events.size(), 1u);
  const json& connect = events[0];
  EXPECT_EQ(connect["requestContext"]["eventType"], "CONNECT");
  EXPECT_EQ(connect["requestContext"]["routeKey"], "$connect");
  EXPECT_EQ(connect["requestContext"]["stage"], "prod");
  EXPECT_EQ(connect["requestContext"]["apiId"], api);
  EXPECT_EQ(connect["requestContext"]["identity"]["sourceIp"], "127.0.0.1");
  EXPECT_EQ(connect["requestContext"]["identity"]["userAgent"], "ua");
  EXPECT_EQ(connect["queryStringParameters"]["token"], "t");
  EXPECT_EQ(connect["headers"]["User-Agent"], "ua");
  EXPECT_EQ(connect["isBase64Encoded"], false);
  std::string cid = connect["requestContext"]["connectionId"];

  auto peer = std::make_shared<FakePeer>();
  up.websocket->on_open(peer);
  up.websocket->on_message(R"({"action":"send","x":1})", false);
  ASSERT_EQ(events.size(), 2u);
  const json& msg = events[1];
  EXPECT_EQ(msg["requestContext"]["eventType"], "MESSAGE");
  EXPECT_EQ(msg["requestContext"]["routeKey"], "send");
  EXPECT_EQ(msg["requestContext"]["connectionId"], cid);
  EXPECT_TRUE(msg["requestContext"].contains("messageId"));
  EXPECT_EQ(msg["body"], R"({"action":"send","x":1})");
  EXPECT_FALSE(msg.contains("headers"));
  EXPECT_EQ(peer->messages(), std::vector<std::string>{"pong"});
  up.websocket->on_message(R"({"action":"other"})", false);  // no $default route
  ASSERT_EQ(peer->messages().size(), 2u);
  EXPECT_EQ(json::parse(peer->messages()[1])["message"], "Forbidden");

  auto mgmt = make_management_service(*svc);
  EXPECT_FALSE(mgmt->call(ctx, "PostToConnection", {{"ConnectionId", cid}, {"Data", "hello"}}).is_error());
  EXPECT_EQ(peer->messages().back(), "hello");
  Result g = mgmt->call(ctx, "GetConnection", {{"ConnectionId", cid}});
  EXPECT_EQ(g.output["Identity"]["SourceIp"], "127.0.0.1");
  EXPECT_EQ(g.output["ConnectedAt"], 1750000000.0);
  EXPECT_EQ(mgmt->call(ctx, "GetConnection", {{"ConnectionId", "nope"}}).error->http_status, 410);
  EXPECT_FALSE(mgmt->call(ctx, "DeleteConnection", {{"ConnectionId", cid}}).is_error());
  EXPECT_FALSE(peer->open());
  up.websocket->on_close();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2]["requestContext"]["eventType"], "DISCONNECT");
  EXPECT_EQ(events[2]["requestContext"]["routeKey"], "$disconnect");
  EXPECT_EQ(mgmt->call(ctx, "PostToConnection", {{"ConnectionId", cid}, {"Data", "x"}}).error->code, "GoneException");
}

TEST_F(V2Fixture, WebSocketConnectRefused) {
  std::string api = ok("CreateApi", {{"Name", "w"}, {"ProtocolType", "WEBSOCKET"}, {"RouteSelectionExpression", "$request.body.action"}})["ApiId"];
  std::string i = ok("CreateIntegration", {{"ApiId", api}, {"IntegrationType", "AWS_PROXY"}, {"IntegrationUri", "f"}})["IntegrationId"];
  ok("CreateRoute", {{"ApiId", api}, {"RouteKey", "$connect"}, {"Target", "integrations/" + i}});
  ok("CreateStage", {{"ApiId", api}, {"StageName", "prod"}, {"AutoDeploy", true}});
  reply = R"({"statusCode": 401})";
  EXPECT_EQ(http(api, "GET", "/prod", {}, true).status, 401);
  EXPECT_EQ(http(api, "GET", "/prod", {}, false).status, 426);
}

TEST_F(V2Fixture, PersistsInDataDir) {
  auto dir = std::filesystem::temp_directory_path() / ("awan-v2-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  make(dir.string());
  std::string api = quick_api();
  make(dir.string());
  EXPECT_EQ(ok("GetApi", {{"ApiId", api}})["Name"], "a");
  EXPECT_EQ(ok("GetRoutes", {{"ApiId", api}})["Items"].size(), 1u);
  EXPECT_EQ(http(api, "GET", "/x").status, 201);
  svc.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace awan::apigateway::v2
