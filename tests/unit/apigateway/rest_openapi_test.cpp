// OpenAPI / Swagger import and export (emulators/apigateway/openapi.hpp) and the YAML subset.
#include <gtest/gtest.h>

#include "apigateway/openapi.hpp"

namespace awan::apigateway {
namespace {

using json = nlohmann::json;

TEST(RestOpenApi, YamlSubset) {
  auto v = parse_definition_text(R"(a: 1
b: 'x y' # comment
c:
  - one
  - k: v
    n: 2.5
  - [1, 2]
d: |
  line1
  line2
e: "q\"s"
f:
- same-indent
g: true
h: ~
)");
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)["a"], 1);
  EXPECT_EQ((*v)["b"], "x y");
  EXPECT_EQ((*v)["c"][0], "one");
  EXPECT_EQ((*v)["c"][1], json({{"k", "v"}, {"n", 2.5}}));
  EXPECT_EQ((*v)["c"][2], json::array({1, 2}));
  EXPECT_EQ((*v)["d"], "line1\nline2\n");
  EXPECT_EQ((*v)["e"], "q\"s");
  EXPECT_EQ((*v)["f"][0], "same-indent");
  EXPECT_EQ((*v)["g"], true);
  EXPECT_TRUE((*v)["h"].is_null());
}

TEST(RestOpenApi, RejectsWhatIsNeitherJsonNorYaml) {
  EXPECT_FALSE(parse_definition_text(""));
  EXPECT_FALSE(parse_definition_text("{broken"));
  EXPECT_FALSE(parse_definition_text(std::string(200, '[') + std::string(200, ']')));
  EXPECT_FALSE(parse_definition_text("a: 1\n    b: 2\n"));
}

TEST(RestOpenApi, ImportsPathsSecurityAndIntegrations) {
  json def = json::parse(R"({
    "swagger": "2.0", "info": {"title": "t", "version": 3},
    "x-amazon-apigateway-binary-media-types": ["image/png"],
    "securityDefinitions": {
      "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
      "tok": {"type": "apiKey", "name": "Auth", "in": "header", "x-amazon-apigateway-authtype": "custom",
              "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": "arn:u", "authorizerResultTtlInSeconds": 60}}},
    "paths": {"/a/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true}],
      "get": {"security": [{"api_key": []}, {"tok": []}], "parameters": [{"name": "q", "in": "query"}],
              "responses": {"200": {"description": "ok", "headers": {"X-R": {"type": "string"}}}},
              "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "uri": "arn:x",
                "responses": {"default": {"statusCode": "200"}, "Error.*": {"statusCode": "500"}}}},
      "x-amazon-apigateway-any-method": {}}}})");
  auto r = import_openapi(def);
  ASSERT_TRUE(std::holds_alternative<ImportedApi>(r)) << std::get<std::string>(r);
  auto& api = std::get<ImportedApi>(r);
  EXPECT_EQ(api.fields["name"], "t");
  EXPECT_EQ(api.fields["version"], "3");
  EXPECT_EQ(api.fields["binaryMediaTypes"], json::array({"image/png"}));
  ASSERT_EQ(api.paths.size(), 1u);
  const json& get = api.paths[0]["methods"]["GET"];
  EXPECT_EQ(get["apiKeyRequired"], true);
  EXPECT_EQ(get["authorizationType"], "CUSTOM");
  EXPECT_EQ(get["authorizerName"], "tok");
  EXPECT_EQ(get["requestParameters"], json({{"method.request.path.id", true}, {"method.request.querystring.q", false}}));
  EXPECT_EQ(get["methodResponses"]["200"]["responseParameters"], json({{"method.response.header.X-R", false}}));
  EXPECT_EQ(get["methodIntegration"]["type"], "AWS_PROXY");
  EXPECT_EQ(get["methodIntegration"]["integrationResponses"]["500"]["selectionPattern"], "Error.*");
  EXPECT_FALSE(get["methodIntegration"]["integrationResponses"]["200"].contains("selectionPattern"));
  EXPECT_EQ(api.authorizers["tok"]["identitySource"], "method.request.header.Auth");
  EXPECT_EQ(api.authorizers["tok"]["authorizerResultTtlInSeconds"], 60);
  EXPECT_TRUE(api.paths[0]["methods"].contains("ANY"));
  EXPECT_EQ(api.warnings.size(), 1u);  // ANY has no integration
}

TEST(RestOpenApi, ImportErrors) {
  EXPECT_TRUE(std::holds_alternative<std::string>(import_openapi(json::array())));
  EXPECT_TRUE(std::holds_alternative<std::string>(import_openapi({{"openapi", "3.0.1"}})));
  EXPECT_TRUE(std::holds_alternative<std::string>(import_openapi({{"swagger", "1.2"}, {"info", {{"title", "x"}}}})));
}

// A definition is whatever its author wrote: members of the wrong type are skipped, never thrown
// (json::value throws on a non-object and on a member of another type than its default).
TEST(RestOpenApi, MembersOfTheWrongTypeAreSkipped) {
  auto oas3 = import_openapi(json::parse(R"({"openapi": "3.0.1", "info": {"title": "t"}, "components": "x",
    "paths": {"/a": {"post": {"requestBody": [1], "parameters": [{"name": "q", "in": "query", "required": "yes"}],
                               "x-amazon-apigateway-integration": {"type": "mock"}}}}})"));
  auto* api = std::get_if<ImportedApi>(&oas3);
  ASSERT_NE(api, nullptr);
  ASSERT_EQ(api->paths.size(), 1u);
  EXPECT_EQ(api->paths[0]["methods"]["POST"]["requestParameters"], json({{"method.request.querystring.q", false}}));
  auto swagger = import_openapi(json::parse(R"({"swagger": "2.0", "info": {"title": "t"},
    "securityDefinitions": {"k": {"type": 7}, "n": {"type": "apiKey"}},
    "paths": {"/b": {"put": {"parameters": [{"in": 5, "schema": {"$ref": "#/definitions/M"}}], "security": [{"n": []}]}}}})"));
  api = std::get_if<ImportedApi>(&swagger);
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->paths[0]["methods"]["PUT"]["apiKeyRequired"], true);
  EXPECT_FALSE(api->paths[0]["methods"]["PUT"].contains("requestModels"));
}

TEST(RestOpenApi, ExportRoundTrips) {
  ExportInput x;
  x.api = {{"name", "n"}, {"binaryMediaTypes", {"image/png"}}};
  x.resources = json::parse(R"({"r": {"path": "/p/{id}", "resourceMethods": {"GET": {
      "httpMethod": "GET", "authorizationType": "CUSTOM", "authorizerId": "a1", "apiKeyRequired": true,
      "requestParameters": {"method.request.path.id": true},
      "methodResponses": {"200": {"statusCode": "200"}},
      "methodIntegration": {"type": "MOCK", "requestTemplates": {"application/json": "{}"}, "passthroughBehavior": "WHEN_NO_MATCH",
        "integrationResponses": {"200": {"statusCode": "200"}, "400": {"statusCode": "400", "selectionPattern": "4.."}}}}}}})");
  x.authorizers = {{"a1", {{"id", "a1"}, {"name", "auth"}, {"type", "TOKEN"}, {"authorizerUri", "arn:u"},
                            {"identitySource", "method.request.header.Authorization"}}}};
  x.stage = "prod";
  x.host = "h.example";
  json doc = export_openapi(x);
  EXPECT_EQ(doc["openapi"], "3.0.1");
  EXPECT_EQ(doc["servers"][0]["variables"]["basePath"]["default"], "prod");
  EXPECT_EQ(doc["paths"]["/p/{id}"]["get"]["x-amazon-apigateway-integration"]["responses"]["4.."]["statusCode"], "400");
  EXPECT_TRUE(doc["components"]["securitySchemes"].contains("api_key"));
  EXPECT_TRUE(doc["components"]["securitySchemes"].contains("auth"));
  auto again = import_openapi(doc);
  ASSERT_TRUE(std::holds_alternative<ImportedApi>(again));
  const json& get = std::get<ImportedApi>(again).paths[0]["methods"]["GET"];
  EXPECT_EQ(get["apiKeyRequired"], true);
  EXPECT_EQ(get["authorizerName"], "auth");
  EXPECT_EQ(get["methodIntegration"]["integrationResponses"]["400"]["selectionPattern"], "4..");
  auto yaml = parse_definition_text(to_yaml(doc));
  ASSERT_TRUE(yaml);
  EXPECT_EQ(*yaml, doc);
  x.swagger = true;
  EXPECT_EQ(export_openapi(x)["basePath"], "/prod");
}

}  // namespace
}  // namespace awan::apigateway
