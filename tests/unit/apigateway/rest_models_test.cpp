// Models, request validators, gateway responses, Cognito user pool authorizers and list paging
// of the REST API service, through its operations and its data plane (rest_fixture.hpp).
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "apigateway/rest_fixture.hpp"
#include "core/crypto.hpp"

namespace awan::apigateway {
namespace {

using json = nlohmann::json;

struct Models : RestFixture {
  // POST /pets with a validator (body and parameters), the Pet model and a required query string.
  std::string validated_api(std::string* validator_id = nullptr) {
    std::string api = ok("CreateRestApi", {{"name", "v"}})["id"];
    std::string root = ok("GetResources", {{"restApiId", api}})["items"][0]["id"];
    std::string res = ok("CreateResource", {{"restApiId", api}, {"parentId", root}, {"pathPart", "pets"}})["id"];
    ok("CreateModel", {{"restApiId", api}, {"name", "Pet"}, {"contentType", "application/json"},
                       {"schema", R"({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}}})"}});
    std::string v = ok("CreateRequestValidator", {{"restApiId", api}, {"name", "all"}, {"validateRequestBody", true},
                                                  {"validateRequestParameters", true}})["id"];
    if (validator_id) *validator_id = v;
    json m = {{"restApiId", api}, {"resourceId", res}, {"httpMethod", "POST"}};
    json pm = m;
    pm["authorizationType"] = "NONE";
    pm["requestValidatorId"] = v;
    pm["requestModels"] = {{"application/json", "Pet"}};
    pm["requestParameters"] = {{"method.request.querystring.owner", true}, {"method.request.header.x-trace", false}};
    ok("PutMethod", pm);
    json pi = m;
    pi["type"] = "MOCK";
    pi["requestTemplates"] = {{"application/json", R"({"statusCode": 200})"}};
    ok("PutIntegration", pi);
    json mr = m;
    mr["statusCode"] = "200";
    ok("PutMethodResponse", mr);
    mr["responseTemplates"] = {{"application/json", R"({"ok": true})"}};
    ok("PutIntegrationResponse", mr);
    ok("CreateDeployment", {{"restApiId", api}, {"stageName", "prod"}});
    return api;
  }
};

TEST_F(Models, NewApisHaveEmptyAndErrorModels) {
  std::string api = ok("CreateRestApi", {{"name", "a"}})["id"];
  json items = ok("GetModels", {{"restApiId", api}})["items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["name"], "Empty");
  EXPECT_EQ(items[1]["name"], "Error");
  EXPECT_EQ(items[1]["contentType"], "application/json");
  json t = ok("GetModelTemplate", {{"restApiId", api}, {"modelName", "Error"}});
  EXPECT_EQ(t["value"], "#set($inputRoot = $input.path('$'))\n{\n  \"message\" : \"$inputRoot.message\"\n}");
}

TEST_F(Models, CreateValidatesNameAndSchema) {
  std::string api = ok("CreateRestApi", {{"name", "a"}})["id"];
  EXPECT_EQ(fails("CreateModel", {{"restApiId", api}, {"name", "a-b"}, {"contentType", "application/json"}}).message,
            "Model name must be alphanumeric");
  EXPECT_EQ(fails("CreateModel", {{"restApiId", api}, {"name", "Error"}, {"contentType", "application/json"}}).code,
            "ConflictException");
  AwsError e = fails("CreateModel", {{"restApiId", api}, {"name", "Bad"}, {"contentType", "application/json"}, {"schema", "{\"type\": \"text\"}"}});
  EXPECT_EQ(e.code, "BadRequestException");
  EXPECT_EQ(e.message.rfind("Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified", 0), 0u)
      << e.message;
  EXPECT_EQ(fails("CreateModel", {{"restApiId", api}, {"name", "Bad"}, {"contentType", "application/json"}, {"schema", "{"}}).code,
            "BadRequestException");
  EXPECT_EQ(fails("GetModel", {{"restApiId", api}, {"modelName", "Nope"}}).message, "Invalid model name specified: Nope");
  json m = ok("CreateModel", {{"restApiId", api}, {"name", "List"}, {"contentType", "application/json"},
                              {"schema", "{\"type\": \"array\", \"items\": {\"$ref\": \"https://apigateway.amazonaws.com/restapis/" + api + "/models/Error\"}}"}});
  EXPECT_EQ(m["id"].get<std::string>().size(), 6u);
  EXPECT_EQ(fails("DeleteModel", {{"restApiId", api}, {"modelName", "Error"}}).code, "ConflictException");
  json u = ok("UpdateModel", {{"restApiId", api}, {"modelName", "List"}, {"patchOperations", {{{"op", "replace"}, {"path", "/description"}, {"value", "d"}}}}});
  EXPECT_EQ(u["description"], "d");
  ok("DeleteModel", {{"restApiId", api}, {"modelName", "List"}});
  ok("DeleteModel", {{"restApiId", api}, {"modelName", "Error"}});
  EXPECT_EQ(ok("GetModels", {{"restApiId", api}})["items"].size(), 1u);
}

TEST_F(Models, MethodsNeedExistingValidatorsAndModels) {
  std::string api = ok("CreateRestApi", {{"name", "a"}})["id"];
  std::string root = ok("GetResources", {{"restApiId", api}})["items"][0]["id"];
  json pm = {{"restApiId", api}, {"resourceId", root}, {"httpMethod", "GET"}, {"authorizationType", "NONE"}, {"requestValidatorId", "nope"}};
  EXPECT_EQ(fails("PutMethod", pm).message, "Invalid Request Validator identifier specified");
  pm.erase("requestValidatorId");
  pm["requestModels"] = {{"application/json", "Missing"}};
  EXPECT_EQ(fails("PutMethod", pm).code, "BadRequestException");
  EXPECT_EQ(fails("GetRequestValidator", {{"restApiId", api}, {"requestValidatorId", "x"}}).message,
            "Invalid Request Validator identifier specified");
  json v = ok("CreateRequestValidator", {{"restApiId", api}, {"name", "body"}});
  EXPECT_EQ(v["validateRequestBody"], false);
  json u = ok("UpdateRequestValidator", {{"restApiId", api}, {"requestValidatorId", v["id"]},
                                         {"patchOperations", {{{"op", "replace"}, {"path", "/validateRequestBody"}, {"value", "true"}}}}});
  EXPECT_EQ(u["validateRequestBody"], true);
  EXPECT_EQ(ok("GetRequestValidators", {{"restApiId", api}})["items"].size(), 1u);
  ok("DeleteRequestValidator", {{"restApiId", api}, {"requestValidatorId", v["id"]}});
}

TEST_F(Models, ValidatorsRefuseBadRequests) {
  std::string api = validated_api();
  std::vector<std::pair<std::string, std::string>> json_type = {{"Content-Type", "application/json"}};
  HttpAnswer a = invoke(api, "/prod/pets", json_type, "POST", R"({"name": "rex"})");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(json::parse(a.body), json({{"message", "Missing required request parameters: [owner]"}}));
  a = invoke(api, "/prod/pets?owner=", json_type, "POST", R"({"name": "rex"})");
  EXPECT_EQ(json::parse(a.body), json({{"message", "Missing required request parameters: [owner]"}})) << "blank is missing";
  a = invoke(api, "/prod/pets?owner=me", json_type, "POST", R"({"age": -1})");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(json::parse(a.body), json({{"message", "Invalid request body"}}));
  a = invoke(api, "/prod/pets?owner=me", json_type, "POST", "not json");
  EXPECT_EQ(a.status, 400);
  a = invoke(api, "/prod/pets?owner=me", json_type, "POST", R"({"name": "rex", "age": 3})");
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body, R"({"ok": true})");
  // A parameter made required by a patch.
  std::string res = ok("GetResources", {{"restApiId", api}})["items"][1]["id"];
  json m = ok("UpdateMethod", {{"restApiId", api}, {"resourceId", res}, {"httpMethod", "POST"},
                               {"patchOperations", {{{"op", "add"}, {"path", "/requestParameters/method.request.header.x-trace"}, {"value", "true"}}}}});
  EXPECT_EQ(m["requestParameters"]["method.request.header.x-trace"], true);
  ok("CreateDeployment", {{"restApiId", api}, {"stageName", "prod"}});
  a = invoke(api, "/prod/pets?owner=me", json_type, "POST", R"({"name": "rex"})");
  EXPECT_EQ(json::parse(a.body), json({{"message", "Missing required request parameters: [x-trace]"}}));
}

TEST_F(Models, ValidationErrorsReachGatewayResponseTemplates) {
  std::string api = validated_api();
  ok("PutGatewayResponse", {{"restApiId", api}, {"responseType", "BAD_REQUEST_BODY"}, {"statusCode", "422"},
                            {"responseParameters", {{"gatewayresponse.header.x-why", "method.request.querystring.owner"}}},
                            {"responseTemplates", {{"application/json", R"j({"error": "$util.escapeJavaScript($context.error.validationErrorString)", "type": "$context.error.responseType"})j"}}}});
  ok("CreateDeployment", {{"restApiId", api}, {"stageName", "prod"}});
  HttpAnswer a = invoke(api, "/prod/pets?owner=me", {{"Content-Type", "application/json"}}, "POST", R"({"age": "x"})");
  EXPECT_EQ(a.status, 422);
  json body = json::parse(a.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << a.body;
  EXPECT_EQ(body["type"], "BAD_REQUEST_BODY");
  EXPECT_NE(body["error"].get<std::string>().find("missing required properties"), std::string::npos) << a.body;
  bool header = false;
  for (auto& [k, v] : a.headers) header = header || (k == "x-why" && v == "me");
  EXPECT_TRUE(header);
}

TEST_F(Models, GatewayResponsesListTheDefaults) {
  std::string api = ok("CreateRestApi", {{"name", "a"}})["id"];
  json all = ok("GetGatewayResponses", {{"restApiId", api}, {"limit", 500}})["items"];
  EXPECT_EQ(all.size(), 21u);
  json r = ok("GetGatewayResponse", {{"restApiId", api}, {"responseType", "THROTTLED"}});
  EXPECT_EQ(r["statusCode"], "429");
  EXPECT_EQ(r["defaultResponse"], true);
  EXPECT_EQ(r["responseTemplates"]["application/json"], "{\"message\":$context.error.messageString}");
  EXPECT_FALSE(ok("GetGatewayResponse", {{"restApiId", api}, {"responseType", "DEFAULT_4XX"}}).contains("statusCode"));
  EXPECT_EQ(fails("GetGatewayResponse", {{"restApiId", api}, {"responseType", "NOPE"}}).code, "BadRequestException");
  EXPECT_EQ(fails("DeleteGatewayResponse", {{"restApiId", api}, {"responseType", "THROTTLED"}}).code, "NotFoundException");
  EXPECT_EQ(fails("PutGatewayResponse", {{"restApiId", api}, {"responseType", "THROTTLED"}, {"statusCode", "99"}}).code,
            "BadRequestException");
  json u = ok("UpdateGatewayResponse", {{"restApiId", api}, {"responseType", "THROTTLED"},
                                        {"patchOperations", {{{"op", "replace"}, {"path", "/statusCode"}, {"value", "503"}}}}});
  EXPECT_EQ(u["statusCode"], "503");
  EXPECT_EQ(u["defaultResponse"], false);
  ok("DeleteGatewayResponse", {{"restApiId", api}, {"responseType", "THROTTLED"}});
  EXPECT_EQ(ok("GetGatewayResponse", {{"restApiId", api}, {"responseType", "THROTTLED"}})["statusCode"], "429");
}

TEST_F(Models, DataPlaneErrorsGoThroughGatewayResponses) {
  std::string api = mock_api(true);
  HttpAnswer a = invoke(api, "/prod/nowhere");
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(json::parse(a.body), json({{"message", "Missing Authentication Token"}}));
  ok("PutGatewayResponse", {{"restApiId", api}, {"responseType", "MISSING_AUTHENTICATION_TOKEN"}, {"statusCode", "404"},
                            {"responseTemplates", {{"application/json", R"({"error": "$context.error.message", "path": "$context.path"})"}}}});
  ok("PutGatewayResponse", {{"restApiId", api}, {"responseType", "DEFAULT_4XX"},
                            {"responseParameters", {{"gatewayresponse.header.Access-Control-Allow-Origin", "'*'"}}}});
  a = invoke(api, "/prod/nowhere");
  EXPECT_EQ(a.status, 403) << "changes need a deployment";
  ok("CreateDeployment", {{"restApiId", api}, {"stageName", "prod"}});
  a = invoke(api, "/prod/nowhere");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(json::parse(a.body), json({{"error", "Missing Authentication Token"}, {"path", "/prod/nowhere"}}));
  a = invoke(api, "/prod/hello");  // no API key: INVALID_API_KEY, a 4XX with DEFAULT_4XX's headers
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(json::parse(a.body), json({{"message", "Forbidden"}}));
  bool cors = false;
  for (auto& [k, v] : a.headers) cors = cors || (k == "Access-Control-Allow-Origin" && v == "*");
  EXPECT_TRUE(cors);
}

std::string b64url(const std::string& s) {
  std::string b = crypto::base64_encode(s);
  for (auto& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

std::string token(const json& claims) {
  return b64url(R"({"alg":"RS256","kid":"k"})") + "." + b64url(claims.dump()) + ".c2ln";
}

TEST_F(Models, CognitoAuthorizersCheckTheTokensClaims) {
  std::string api = ok("CreateRestApi", {{"name", "c"}})["id"];
  std::string root = ok("GetResources", {{"restApiId", api}})["items"][0]["id"];
  std::string auth = ok("CreateAuthorizer", {{"restApiId", api}, {"name", "pool"}, {"type", "COGNITO_USER_POOLS"},
                                             {"identitySource", "method.request.header.Authorization"},
                                             {"providerARNs", {"arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc"}}})["id"];
  for (const char* verb : {"GET", "POST"}) {
    json pm = {{"restApiId", api}, {"resourceId", root}, {"httpMethod", verb}, {"authorizationType", "COGNITO_USER_POOLS"}, {"authorizerId", auth}};
    if (std::string(verb) == "POST") pm["authorizationScopes"] = {"pets/write"};
    ok("PutMethod", pm);
    ok("PutIntegration", {{"restApiId", api}, {"resourceId", root}, {"httpMethod", verb}, {"type", "AWS_PROXY"}, {"integrationHttpMethod", "POST"},
                          {"uri", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations"}});
  }
  ok("CreateDeployment", {{"restApiId", api}, {"stageName", "prod"}});
  json seen;
  lambda = [&](const json& ev) {
    seen = ev;
    return json{{"statusCode", 200}, {"body", "ok"}};
  };
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  json id = {{"iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"}, {"sub", "u1"}, {"token_use", "id"},
             {"exp", now + 60}, {"iat", 0}, {"email", "a@b.c"}, {"cognito:groups", {"admin", "dev"}}, {"auth_time", now}};
  EXPECT_EQ(invoke(api, "/prod/").status, 401);
  EXPECT_EQ(invoke(api, "/prod/", {{"Authorization", "garbage"}}).status, 401);
  HttpAnswer a = invoke(api, "/prod/", {{"Authorization", token(id)}});
  ASSERT_EQ(a.status, 200) << a.body;
  json claims = seen["requestContext"]["authorizer"]["claims"];
  EXPECT_EQ(claims["email"], "a@b.c");
  EXPECT_EQ(claims["cognito:groups"], "admin,dev");
  EXPECT_EQ(claims["iat"], "Thu Jan 01 00:00:00 UTC 1970");
  EXPECT_EQ(claims["auth_time"], std::to_string(now));
  json wrong = id;
  wrong["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other";
  EXPECT_EQ(invoke(api, "/prod/", {{"Authorization", token(wrong)}}).status, 401);
  json access = id;
  access["token_use"] = "access";
  EXPECT_EQ(invoke(api, "/prod/", {{"Authorization", token(access)}}).status, 401);
  access["scope"] = "pets/read pets/write";
  EXPECT_EQ(invoke(api, "/prod/", {{"Authorization", token(access)}}, "POST").status, 200);
  EXPECT_EQ(invoke(api, "/prod/", {{"Authorization", token(id)}}, "POST").status, 401);
  clock.advance(std::chrono::seconds(61));
  a = invoke(api, "/prod/", {{"Authorization", token(id)}});
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(json::parse(a.body), json({{"message", "The incoming token has expired"}}));
}

TEST_F(Models, ListsArePaged) {
  for (const char* name : {"p0", "p1", "p2", "p3", "p4"}) ok("CreateRestApi", {{"name", name}});
  json first = ok("GetRestApis", {{"limit", 2}});
  ASSERT_EQ(first["items"].size(), 2u);
  ASSERT_TRUE(first.contains("position"));
  std::set<std::string> ids;
  json page = first;
  while (true) {
    for (auto& x : page["items"]) ids.insert(x["id"].get<std::string>());
    if (!page.contains("position")) break;
    page = ok("GetRestApis", {{"limit", 2}, {"position", page["position"]}});
  }
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(fails("GetRestApis", {{"limit", 0}}).code, "BadRequestException");
  EXPECT_EQ(fails("GetRestApis", {{"limit", 501}}).code, "BadRequestException");
  EXPECT_FALSE(ok("GetRestApis", json::object()).contains("position"));
}

}  // namespace
}  // namespace awan::apigateway

namespace awan::apigateway {
namespace {

TEST_F(Models, ImportedDefinitionsBringModelsValidatorsAndGatewayResponses) {
  json def = json::parse(R"({
    "openapi": "3.0.1", "info": {"title": "imported", "version": "1"},
    "x-amazon-apigateway-request-validators": {"all": {"validateRequestBody": true, "validateRequestParameters": true}},
    "x-amazon-apigateway-request-validator": "all",
    "x-amazon-apigateway-gateway-responses": {"BAD_REQUEST_BODY": {"statusCode": "422",
        "responseTemplates": {"application/json": "{\"why\": \"$context.error.responseType\"}"}}},
    "paths": {"/pets": {"post": {
      "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
      "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
        "responses": {"default": {"statusCode": "200", "responseTemplates": {"application/json": "{\"ok\": true}"}}}},
      "responses": {"200": {"description": "ok"}}}}},
    "components": {"schemas": {
      "Pet": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "tag": {"$ref": "#/components/schemas/Tag"}}},
      "Tag": {"type": "string", "maxLength": 3}}}
  })");
  json api = ok("ImportRestApi", {{"body", def.dump()}});
  std::string id = api["id"];
  json models = ok("GetModels", {{"restApiId", id}})["items"];
  EXPECT_EQ(models.size(), 4u);  // Empty, Error, Pet, Tag
  json pet = ok("GetModel", {{"restApiId", id}, {"modelName", "Pet"}});
  EXPECT_NE(pet["schema"].get<std::string>().find("/restapis/" + id + "/models/Tag"), std::string::npos);
  EXPECT_EQ(ok("GetRequestValidators", {{"restApiId", id}})["items"][0]["name"], "all");
  EXPECT_EQ(ok("GetGatewayResponse", {{"restApiId", id}, {"responseType", "BAD_REQUEST_BODY"}})["statusCode"], "422");
  ok("CreateDeployment", {{"restApiId", id}, {"stageName", "prod"}});
  std::vector<std::pair<std::string, std::string>> h = {{"Content-Type", "application/json"}};
  EXPECT_EQ(invoke(id, "/prod/pets", h, "POST", R"({"name": "rex", "tag": "ab"})").status, 200);
  HttpAnswer a = invoke(id, "/prod/pets", h, "POST", R"({"name": "rex", "tag": "long"})");
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(json::parse(a.body), json({{"why", "BAD_REQUEST_BODY"}}));
}

}  // namespace
}  // namespace awan::apigateway
