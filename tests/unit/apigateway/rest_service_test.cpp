// The REST API service through its operation interface and its data plane (no HTTP), with an
// injected clock and a fake Lambda: persistence, MOCK and Lambda integrations, API keys, usage
// plan throttling and quotas over time, stage throttling, authorizers and their cache.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "apigateway/apigateway.hpp"
#include "apigateway/rest_fixture.hpp"
#include "awan/clock.hpp"
#include "awan/service.hpp"

namespace awan::apigateway {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

using Fixture = RestFixture;

TEST_F(Fixture, UnknownApiIsNotOurs) {
  HttpCall call;
  call.api_id = "nope";
  call.path = "/prod/x";
  EXPECT_FALSE(svc->invoke_http(ctx, call, [](HttpAnswer) { FAIL(); }));
}

TEST_F(Fixture, ErrorsAsAws) {
  auto e = fails("GetRestApi", {{"restApiId", "x"}});
  EXPECT_EQ(e.code, "NotFoundException");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(e.message, "Invalid REST API identifier specified");
  EXPECT_EQ(fails("CreateRestApi", json::object()).code, "BadRequestException");
  std::string api = ok("CreateRestApi", {{"name", "a"}})["id"];
  EXPECT_EQ(api.size(), 10u);
  EXPECT_EQ(fails("GetResource", {{"restApiId", api}, {"resourceId", "x"}}).message, "Invalid Resource identifier specified");
  EXPECT_EQ(fails("GetStage", {{"restApiId", api}, {"stageName", "x"}}).code, "NotFoundException");
  EXPECT_EQ(fails("CreateDeployment", {{"restApiId", api}}).message, "The REST API doesn't contain any methods");
}

TEST_F(Fixture, MockIntegration) {
  std::string api = mock_api();
  auto a = invoke(api, "/prod/hello");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, R"({"hello": "world"})");
  EXPECT_EQ(invoke(api, "/prod/nothing").status, 403);
  EXPECT_EQ(invoke(api, "/prod/nothing").body, R"({"message":"Missing Authentication Token"})");
  EXPECT_EQ(invoke(api, "/dev/hello").body, R"({"message":"Forbidden"})");
}

TEST_F(Fixture, StatePersistsInTheDataDir) {
  auto dir = std::filesystem::temp_directory_path() / ("awan-apigw-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  env.data_dir = dir.string();
  svc = make_rest_service(env);
  std::string api = mock_api();
  std::string key = ok("CreateApiKey", {{"name", "k"}})["id"];
  svc.reset();
  svc = make_rest_service(env);
  EXPECT_EQ(ok("GetRestApi", {{"restApiId", api}})["name"], "a");
  EXPECT_EQ(ok("GetApiKey", {{"apiKey", key}})["name"], "k");
  EXPECT_EQ(invoke(api, "/prod/hello").status, 200);
  svc.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(Fixture, ImportedApiInvokes) {
  json def = {{"openapi", "3.0.1"},
              {"info", {{"title", "imp"}}},
              {"paths",
               {{"/pets/{id}",
                 {{"get",
                   {{"responses", {{"200", {{"description", "ok"}}}}},
                    {"x-amazon-apigateway-integration",
                     {{"type", "mock"},
                      {"requestTemplates", {{"application/json", R"({"statusCode": 200})"}}},
                      {"responses",
                       {{"default",
                         {{"statusCode", "200"},
                          {"responseTemplates", {{"application/json", R"j({"id": "$input.params('id')"})j"}}}}}}}}}}}}}}}};
  std::string api = ok("ImportRestApi", {{"body", def.dump()}})["id"];
  ok("CreateDeployment", {{"restApiId", api}, {"stageName", "v1"}});
  auto a = invoke(api, "/v1/pets/42");
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body, R"({"id": "42"})");
}

TEST_F(Fixture, UsagePlanQuotaResetsWithTheDay) {
  std::string api = mock_api(true);
  json key = ok("CreateApiKey", {{"name", "k"}, {"enabled", true}, {"value", std::string(30, 'v')}});
  std::string plan = ok("CreateUsagePlan", {{"name", "p"},
                                            {"apiStages", {{{"apiId", api}, {"stage", "prod"}}}},
                                            {"quota", {{"limit", 2}, {"period", "DAY"}}}})["id"];
  ok("CreateUsagePlanKey", {{"usagePlanId", plan}, {"keyId", key["id"]}, {"keyType", "API_KEY"}});
  std::vector<std::pair<std::string, std::string>> h = {{"x-api-key", std::string(30, 'v')}};
  EXPECT_EQ(invoke(api, "/prod/hello").body, R"({"message":"Forbidden"})");
  EXPECT_EQ(invoke(api, "/prod/hello", h).status, 200);
  EXPECT_EQ(invoke(api, "/prod/hello", h).status, 200);
  auto a = invoke(api, "/prod/hello", h);
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(a.body, R"({"message":"Limit Exceeded"})");
  clock.advance(24h);
  EXPECT_EQ(invoke(api, "/prod/hello", h).status, 200);
  // 1700000000 is 2023-11-14.
  json usage = ok("GetUsage", {{"usagePlanId", plan}, {"startDate", "2023-11-14"}, {"endDate", "2023-11-15"}});
  EXPECT_EQ(usage["items"][key["id"].get<std::string>()], json::parse("[[2, 0], [1, 1]]"));
  // A disabled key is refused.
  ok("UpdateApiKey", {{"apiKey", key["id"]}, {"patchOperations", {{{"op", "replace"}, {"path", "/enabled"}, {"value", "false"}}}}});
  EXPECT_EQ(invoke(api, "/prod/hello", h).status, 403);
}

TEST_F(Fixture, UsagePlanThrottleRefills) {
  std::string api = mock_api(true);
  json key = ok("CreateApiKey", {{"name", "k"}, {"enabled", true}, {"value", std::string(30, 'v')}});
  std::string plan = ok("CreateUsagePlan", {{"name", "p"},
                                            {"apiStages", {{{"apiId", api}, {"stage", "prod"}}}},
                                            {"throttle", {{"rateLimit", 1.0}, {"burstLimit", 2}}}})["id"];
  ok("CreateUsagePlanKey", {{"usagePlanId", plan}, {"keyId", key["id"]}, {"keyType", "API_KEY"}});
  std::vector<std::pair<std::string, std::string>> h = {{"x-api-key", std::string(30, 'v')}};
  EXPECT_EQ(invoke(api, "/prod/hello", h).status, 200);
  EXPECT_EQ(invoke(api, "/prod/hello", h).status, 200);
  auto a = invoke(api, "/prod/hello", h);
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(a.body, R"({"message":"Too Many Requests"})");
  clock.advance(1s);
  EXPECT_EQ(invoke(api, "/prod/hello", h).status, 200);
  EXPECT_EQ(invoke(api, "/prod/hello", h).status, 429);
}

TEST_F(Fixture, StageMethodThrottling) {
  std::string api = mock_api();
  ok("UpdateStage", {{"restApiId", api}, {"stageName", "prod"},
                     {"patchOperations", {{{"op", "replace"}, {"path", "/~1hello/GET/throttling/burstLimit"}, {"value", "1"}},
                                          {{"op", "replace"}, {"path", "/~1hello/GET/throttling/rateLimit"}, {"value", "1"}}}}});
  EXPECT_EQ(invoke(api, "/prod/hello").status, 200);
  EXPECT_EQ(invoke(api, "/prod/hello").status, 429);
  clock.advance(1s);
  EXPECT_EQ(invoke(api, "/prod/hello").status, 200);
}

std::string proxy_api(Fixture& f, const std::string& auth_type = "NONE", const std::string& authorizer = "") {
  std::string api = f.ok("CreateRestApi", {{"name", "p"}})["id"];
  std::string root = f.ok("GetResources", {{"restApiId", api}})["items"][0]["id"];
  std::string res = f.ok("CreateResource", {{"restApiId", api}, {"parentId", root}, {"pathPart", "{proxy+}"}})["id"];
  json pm = {{"restApiId", api}, {"resourceId", res}, {"httpMethod", "ANY"}, {"authorizationType", auth_type}};
  if (!authorizer.empty()) {
    std::string id = f.ok("CreateAuthorizer", {{"restApiId", api}, {"name", "a"}, {"type", "TOKEN"},
                                               {"authorizerUri", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"},
                                               {"identitySource", "method.request.header.Authorization"}})["id"];
    pm["authorizerId"] = id;
  }
  f.ok("PutMethod", pm);
  f.ok("PutIntegration", {{"restApiId", api}, {"resourceId", res}, {"httpMethod", "ANY"}, {"type", "AWS_PROXY"},
                          {"integrationHttpMethod", "POST"},
                          {"uri", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:fn/invocations"}});
  f.ok("CreateDeployment", {{"restApiId", api}, {"stageName", "prod"}});
  return api;
}

TEST_F(Fixture, LambdaProxy) {
  std::string api = proxy_api(*this);
  json seen;
  lambda = [&](const json& ev) {
    seen = ev;
    return json{{"statusCode", 201}, {"headers", {{"X-A", "b"}}}, {"body", "made"}};
  };
  auto a = invoke(api, "/prod/a/b?x=1", {{"Content-Type", "text/plain"}}, "POST", "hi");
  EXPECT_EQ(a.status, 201);
  EXPECT_EQ(a.body, "made");
  EXPECT_EQ(seen["resource"], "/{proxy+}");
  EXPECT_EQ(seen["path"], "/a/b");
  EXPECT_EQ(seen["pathParameters"]["proxy"], "a/b");
  EXPECT_EQ(seen["body"], "hi");
  lambda = [](const json&) { return json{{"nope", 1}}; };
  a = invoke(api, "/prod/a");
  EXPECT_EQ(a.status, 502);
  EXPECT_EQ(a.body, R"({"message":"Internal server error"})");
}

TEST_F(Fixture, BinaryMediaTypesBase64TheBody) {
  std::string api = proxy_api(*this);
  ok("UpdateRestApi", {{"restApiId", api}, {"patchOperations", {{{"op", "add"}, {"path", "/binaryMediaTypes/image~1png"}}}}});
  ok("CreateDeployment", {{"restApiId", api}, {"stageName", "prod"}});
  json seen;
  lambda = [&](const json& ev) {
    seen = ev;
    return json{{"statusCode", 200}, {"body", "aGk="}, {"isBase64Encoded", true}};
  };
  auto a = invoke(api, "/prod/img", {{"Content-Type", "image/png"}}, "POST", "hi");
  EXPECT_EQ(seen["isBase64Encoded"], true);
  EXPECT_EQ(seen["body"], "aGk=");
  EXPECT_EQ(a.body, "hi");
}

TEST_F(Fixture, TokenAuthorizerCachesItsPolicy) {
  std::string api = proxy_api(*this, "CUSTOM", "auth");
  int auth_calls = 0;
  lambda = [&](const json& ev) {
    if (ev.value("type", "") == "TOKEN") {
      ++auth_calls;
      std::string effect = ev["authorizationToken"] == "good" ? "Allow" : "Deny";
      return json{{"principalId", "me"},
                  {"policyDocument", {{"Statement", {{{"Action", "execute-api:Invoke"}, {"Effect", effect},
                                                      {"Resource", "arn:aws:execute-api:*"}}}}}},
                  {"context", {{"k", "v"}}}};
    }
    return json{{"statusCode", 200}, {"body", ev["requestContext"]["authorizer"].dump()}};
  };
  auto a = invoke(api, "/prod/x", {{"Authorization", "good"}});
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(json::parse(a.body)["principalId"], "me");
  EXPECT_EQ(json::parse(a.body)["k"], "v");
  EXPECT_EQ(invoke(api, "/prod/y", {{"Authorization", "good"}}).status, 200);
  EXPECT_EQ(auth_calls, 1);
  a = invoke(api, "/prod/x", {{"Authorization", "bad"}});
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.body, R"({"Message":"User is not authorized to access this resource with an explicit deny"})");
  EXPECT_EQ(invoke(api, "/prod/x").status, 401);
  clock.advance(301s);
  EXPECT_EQ(invoke(api, "/prod/x", {{"Authorization", "good"}}).status, 200);
  EXPECT_EQ(auth_calls, 3);
}

// An authorizer's answer is whatever the function returned: members of the wrong type refuse
// the call (a statement without a string Effect applies no effect), they never throw.
TEST_F(Fixture, AuthorizerAnswersOfTheWrongShapeAreRefused) {
  std::string api = proxy_api(*this, "CUSTOM", "auth");
  lambda = [&](const json& ev) {
    if (ev.value("type", "") != "TOKEN") return json{{"statusCode", 200}, {"body", "in"}};
    std::string token = ev["authorizationToken"];
    json allow = {{"Action", "execute-api:Invoke"}, {"Effect", "Allow"}, {"Resource", "*"}};
    if (token == "effect") allow["Effect"] = json::array({"Allow"});
    json out = {{"principalId", "me"}, {"policyDocument", {{"Statement", json::array({allow})}}}};
    if (token == "key") out["usageIdentifierKey"] = 5;
    if (token == "error") return json{{"errorMessage", {{"m", "Unauthorized"}}}};
    return out;
  };
  EXPECT_EQ(invoke(api, "/prod/x", {{"Authorization", "effect"}}).status, 403);
  EXPECT_EQ(invoke(api, "/prod/x", {{"Authorization", "key"}}).status, 200);
  EXPECT_EQ(invoke(api, "/prod/x", {{"Authorization", "error"}}).status, 500);
  EXPECT_EQ(invoke(api, "/prod/x", {{"Authorization", "fine"}}).status, 200);
}

TEST_F(Fixture, IamMethodsNeedASignedCaller) {
  std::string api = proxy_api(*this, "AWS_IAM");
  EXPECT_EQ(invoke(api, "/prod/x").body, R"({"message":"Missing Authentication Token"})");
  ctx.access_key_id = "AKIDEXAMPLE";
  EXPECT_EQ(invoke(api, "/prod/x").status, 200);
}


TEST_F(Fixture, AwsIntegrationMapsErrorsBySelectionPattern) {
  std::string api = ok("CreateRestApi", {{"name", "a"}})["id"];
  std::string root = ok("GetResources", {{"restApiId", api}})["items"][0]["id"];
  json m = {{"restApiId", api}, {"resourceId", root}, {"httpMethod", "POST"}};
  json pm = m;
  pm["authorizationType"] = "NONE";
  ok("PutMethod", pm);
  json pi = m;
  pi["type"] = "AWS";
  pi["integrationHttpMethod"] = "POST";
  pi["uri"] = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}/invocations";
  pi["requestTemplates"] = {{"application/json", R"({"n": $input.path('$.n'), "stage": "$context.stage"})"}};
  pi["passthroughBehavior"] = "NEVER";
  ok("PutIntegration", pi);
  for (const char* code : {"200", "400"}) {
    json mr = m;
    mr["statusCode"] = code;
    ok("PutMethodResponse", mr);
    if (std::string(code) == "400") mr["selectionPattern"] = "Bad.*";
    mr["responseTemplates"] = {{"application/json", std::string(code) == "400" ? R"j({"error": "$input.path('$.errorMessage')"})j" : ""}};
    ok("PutIntegrationResponse", mr);
  }
  ok("CreateDeployment", {{"restApiId", api}, {"stageName", "prod"}, {"variables", {{"fn", "calc"}}}});
  json seen;
  lambda = [&](const json& ev) {
    seen = ev;
    if (ev["n"] == 0) return json{{"errorMessage", "Bad input"}, {"errorType", "ValueError"}};
    return json{{"doubled", ev["n"].get<int>() * 2}};
  };
  auto a = invoke(api, "/prod/", {{"Content-Type", "application/json"}}, "POST", R"({"n": 4})");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(json::parse(a.body), json({{"doubled", 8}}));
  EXPECT_EQ(seen, json({{"n", 4}, {"stage", "prod"}}));
  a = invoke(api, "/prod/", {{"Content-Type", "application/json"}}, "POST", R"({"n": 0})");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body, R"({"error": "Bad input"})");
  a = invoke(api, "/prod/", {{"Content-Type", "text/plain"}}, "POST", "x");
  EXPECT_EQ(a.status, 415);
}

TEST_F(Fixture, UsagePlanPatchesAndCleanup) {
  std::string api = mock_api();
  std::string plan = ok("CreateUsagePlan", {{"name", "p"}})["id"];
  auto e = fails("UpdateUsagePlan", {{"usagePlanId", plan},
                                     {"patchOperations", {{{"op", "add"}, {"path", "/apiStages"}, {"value", api + ":nope"}}}}});
  EXPECT_EQ(e.code, "NotFoundException");
  json out = ok("UpdateUsagePlan", {{"usagePlanId", plan},
                                    {"patchOperations", {{{"op", "add"}, {"path", "/apiStages"}, {"value", api + ":prod"}},
                                                         {{"op", "replace"}, {"path", "/throttle/rateLimit"}, {"value", "5"}},
                                                         {{"op", "replace"}, {"path", "/quota/limit"}, {"value", "10"}},
                                                         {{"op", "replace"}, {"path", "/quota/period"}, {"value", "WEEK"}}}}});
  EXPECT_EQ(out["apiStages"], json::parse(R"([{"apiId": ")" + api + R"(", "stage": "prod"}])"));
  EXPECT_EQ(out["throttle"]["rateLimit"], 5.0);
  EXPECT_EQ(out["quota"], json({{"limit", 10}, {"period", "WEEK"}}));
  ok("DeleteStage", {{"restApiId", api}, {"stageName", "prod"}});
  EXPECT_EQ(ok("GetUsagePlan", {{"usagePlanId", plan}})["apiStages"], json::array());
  EXPECT_EQ(fails("UpdateUsagePlan", {{"usagePlanId", plan},
                                      {"patchOperations", {{{"op", "replace"}, {"path", "/quota/period"}, {"value", "YEAR"}}}}})
                .code,
            "BadRequestException");
}

TEST_F(Fixture, RequestAuthorizerSeesHeadersAndQuery) {
  std::string api = proxy_api(*this);
  std::string auth = ok("CreateAuthorizer", {{"restApiId", api}, {"name", "r"}, {"type", "REQUEST"},
                                              {"authorizerUri", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"},
                                              {"identitySource", "method.request.header.X-Who, method.request.querystring.k"},
                                              {"authorizerResultTtlInSeconds", 0}})["id"];
  std::string res;
  json resources = ok("GetResources", {{"restApiId", api}});
  for (auto& r : resources["items"])
    if (r["path"] == "/{proxy+}") res = r["id"];
  ok("UpdateMethod", {{"restApiId", api}, {"resourceId", res}, {"httpMethod", "ANY"},
                      {"patchOperations", {{{"op", "replace"}, {"path", "/authorizationType"}, {"value", "CUSTOM"}},
                                           {{"op", "replace"}, {"path", "/authorizerId"}, {"value", auth}}}}});
  ok("CreateDeployment", {{"restApiId", api}, {"stageName", "prod"}});
  json auth_event;
  lambda = [&](const json& ev) {
    if (ev.value("type", "") == "REQUEST") {
      auth_event = ev;
      return json{{"principalId", "p"},
                  {"policyDocument", {{"Statement", {{"Action", "execute-api:*"}, {"Effect", "Allow"}, {"Resource", "*"}}}}}};
    }
    return json{{"statusCode", 200}, {"body", "in"}};
  };
  EXPECT_EQ(invoke(api, "/prod/x", {{"X-Who", "me"}}).status, 401);
  auto a = invoke(api, "/prod/x?k=1", {{"X-Who", "me"}});
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(auth_event["headers"]["X-Who"], "me");
  EXPECT_EQ(auth_event["queryStringParameters"]["k"], "1");
  EXPECT_EQ(auth_event["methodArn"], "arn:aws:execute-api:us-east-1:000000000000:" + api + "/prod/GET/x");
  EXPECT_EQ(fails("DeleteAuthorizer", {{"restApiId", api}, {"authorizerId", auth}}).code, "ConflictException");
}

TEST_F(Fixture, TagsAndExport) {
  std::string api = mock_api();
  std::string arn = "arn:aws:apigateway:us-east-1::/restapis/" + api + "/stages/prod";
  ok("TagResource", {{"resourceArn", arn}, {"tags", {{"a", "1"}}}});
  EXPECT_EQ(ok("GetTags", {{"resourceArn", arn}})["tags"], json({{"a", "1"}}));
  EXPECT_EQ(ok("GetStage", {{"restApiId", api}, {"stageName", "prod"}})["tags"], json({{"a", "1"}}));
  EXPECT_EQ(fails("GetTags", {{"resourceArn", "arn:aws:apigateway:us-east-1::/restapis/nope"}}).code, "NotFoundException");
  json out = ok("GetExport", {{"restApiId", api}, {"stageName", "prod"}, {"exportType", "swagger"}});
  json doc = json::parse(out["body"].get<std::string>());
  EXPECT_EQ(doc["swagger"], "2.0");
  EXPECT_TRUE(doc["paths"].contains("/hello"));
  EXPECT_FALSE(doc["paths"]["/hello"]["get"].contains("x-amazon-apigateway-integration"));
  EXPECT_EQ(fails("GetExport", {{"restApiId", api}, {"stageName", "prod"}, {"exportType", "postman"}}).code,
            "BadRequestException");
}

}  // namespace
}  // namespace awan::apigateway
