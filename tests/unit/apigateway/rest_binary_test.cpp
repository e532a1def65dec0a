// Binary media types and contentHandling of non-proxy integrations (CONVERT_TO_TEXT,
// CONVERT_TO_BINARY on integrations and integration responses), through the data plane.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "apigateway/rest_fixture.hpp"

namespace awan::apigateway {
namespace {

using json = nlohmann::json;

struct Binary : RestFixture {
  // POST / with an AWS (Lambda) integration and `png` as a binary media type.
  std::string lambda_api(const json& integration_extra, const json& response_extra) {
    std::string api = ok("CreateRestApi", {{"name", "b"}, {"binaryMediaTypes", {"image/png"}}})["id"];
    std::string root = ok("GetResources", {{"restApiId", api}})["items"][0]["id"];
    json m = {{"restApiId", api}, {"resourceId", root}, {"httpMethod", "POST"}};
    json pm = m;
    pm["authorizationType"] = "NONE";
    ok("PutMethod", pm);
    json pi = m;
    pi["type"] = "AWS";
    pi["integrationHttpMethod"] = "POST";
    pi["uri"] = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations";
    for (auto& [k, v] : integration_extra.items()) pi[k] = v;
    ok("PutIntegration", pi);
    json mr = m;
    mr["statusCode"] = "200";
    ok("PutMethodResponse", mr);
    for (auto& [k, v] : response_extra.items()) mr[k] = v;
    ok("PutIntegrationResponse", mr);
    ok("CreateDeployment", {{"restApiId", api}, {"stageName", "prod"}});
    return api;
  }
};

TEST_F(Binary, ConvertToTextGivesTemplatesBase64) {
  std::string api = lambda_api({{"contentHandling", "CONVERT_TO_TEXT"},
                                {"requestTemplates", {{"image/png", R"({"data": "$input.body"})"}}}},
                               json::object());
  json seen;
  lambda = [&](const json& ev) {
    seen = ev;
    return json{{"ok", true}};
  };
  HttpAnswer a = invoke(api, "/prod/", {{"Content-Type", "image/png"}}, "POST", std::string("\x89PNG\0\x01", 6));
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(seen["data"], "iVBORwAB");
}

TEST_F(Binary, ConvertToBinaryDecodesTheResponse) {
  std::string api = lambda_api(json::object(), {{"contentHandling", "CONVERT_TO_BINARY"},
                                                {"responseTemplates", {{"image/png", "$input.path('$.image')"}}}});
  lambda = [](const json&) { return json{{"image", "aGVsbG8="}}; };
  HttpAnswer a = invoke(api, "/prod/", {{"Content-Type", "application/json"}}, "POST", "{}");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "hello");
  lambda = [](const json&) { return json{{"image", "not base64!"}}; };
  a = invoke(api, "/prod/", {{"Content-Type", "application/json"}}, "POST", "{}");
  EXPECT_EQ(a.status, 500);
  EXPECT_EQ(json::parse(a.body), json({{"message", "Internal server error"}}));
}

TEST_F(Binary, ConvertToBinaryRequestThatIsNotBase64Fails) {
  std::string api = lambda_api({{"contentHandling", "CONVERT_TO_BINARY"}}, json::object());
  HttpAnswer a = invoke(api, "/prod/", {{"Content-Type", "text/plain"}}, "POST", "%%%");
  EXPECT_EQ(a.status, 500);
  EXPECT_EQ(lambda_calls, 0);
}

TEST_F(Binary, ContentHandlingIsValidated) {
  std::string api = ok("CreateRestApi", {{"name", "b"}})["id"];
  std::string root = ok("GetResources", {{"restApiId", api}})["items"][0]["id"];
  ok("PutMethod", {{"restApiId", api}, {"resourceId", root}, {"httpMethod", "GET"}, {"authorizationType", "NONE"}});
  AwsError e = fails("PutIntegration", {{"restApiId", api}, {"resourceId", root}, {"httpMethod", "GET"}, {"type", "MOCK"},
                                        {"contentHandling", "CONVERT_TO_JPEG"}});
  EXPECT_EQ(e.message, "Invalid content handling specified. Valid options are CONVERT_TO_BINARY,CONVERT_TO_TEXT");
}

}  // namespace
}  // namespace awan::apigateway
