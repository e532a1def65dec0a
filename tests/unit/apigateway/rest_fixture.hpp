#pragma once
// The REST API service under test (rest_*_test.cpp): an injected clock, a fake Lambda (a
// function of the event), helpers for operations and invocations, and a deployed MOCK API.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "apigateway/apigateway.hpp"
#include "awan/clock.hpp"
#include "awan/service.hpp"

namespace awan::apigateway {

struct RestFixture : ::testing::Test {
  using json = nlohmann::json;
  ManualClock clock;
  ServiceEnv env;
  std::unique_ptr<Service> svc;
  RequestContext ctx;
  int lambda_calls = 0;
  std::function<json(const json& event)> lambda = [](const json&) {
    return json{{"statusCode", 200}, {"body", "ok"}};
  };

  void SetUp() override {
    env.clock = &clock;
    env.call_service = [this](const RequestContext&, const std::string& service, const std::string& op, json in,
                              Completion done) {
      ++lambda_calls;
      EXPECT_EQ(service, "lambda");
      EXPECT_EQ(op, "Invoke");
      json event = json::parse(in["Payload"].get<std::string>());
      json out = lambda(event);
      json r = {{"StatusCode", 200}, {"Payload", out.dump()}};
      if (out.is_object() && out.contains("errorMessage")) r["FunctionError"] = "Unhandled";
      done(Result::ok(r));
    };
    svc = make_rest_service(env);
    ctx.clock = &clock;
  }

  json ok(const std::string& op, json in) {
    Result r = svc->call(ctx, op, std::move(in));
    EXPECT_FALSE(r.error) << op << ": " << (r.error ? r.error->code + " " + r.error->message : "");
    return r.output;
  }
  AwsError fails(const std::string& op, json in) {
    Result r = svc->call(ctx, op, std::move(in));
    EXPECT_TRUE(r.error) << op;
    return r.error.value_or(AwsError{});
  }
  HttpAnswer invoke(const std::string& api, const std::string& path, std::vector<std::pair<std::string, std::string>> headers = {},
                    const std::string& method = "GET", const std::string& body = "") {
    HttpCall call;
    call.api_id = api;
    call.method = method;
    auto q = path.find('?');
    call.path = path.substr(0, q);
    if (q != std::string::npos) call.query = path.substr(q + 1);
    call.headers = std::move(headers);
    call.body = body;
    call.host = api + ".execute-api.localhost";
    HttpAnswer out;
    bool called = false;
    EXPECT_TRUE(svc->invoke_http(ctx, call, [&](HttpAnswer a) {
      out = std::move(a);
      called = true;
    }));
    EXPECT_TRUE(called);
    return out;
  }

  // An API with GET /hello (MOCK) deployed to "prod"; returns the API id.
  std::string mock_api(bool key_required = false, const std::string& response = R"({"hello": "world"})") {
    std::string api = ok("CreateRestApi", {{"name", "a"}})["id"];
    std::string root = ok("GetResources", {{"restApiId", api}})["items"][0]["id"];
    std::string res = ok("CreateResource", {{"restApiId", api}, {"parentId", root}, {"pathPart", "hello"}})["id"];
    json m = {{"restApiId", api}, {"resourceId", res}, {"httpMethod", "GET"}};
    json pm = m;
    pm["authorizationType"] = "NONE";
    pm["apiKeyRequired"] = key_required;
    ok("PutMethod", pm);
    json pi = m;
    pi["type"] = "MOCK";
    pi["requestTemplates"] = {{"application/json", R"({"statusCode": 200})"}};
    ok("PutIntegration", pi);
    json mr = m;
    mr["statusCode"] = "200";
    ok("PutMethodResponse", mr);
    mr["responseTemplates"] = {{"application/json", response}};
    ok("PutIntegrationResponse", mr);
    ok("CreateDeployment", {{"restApiId", api}, {"stageName", "prod"}});
    return api;
  }
};

}  // namespace awan::apigateway
