// TestInvokeMethod: the current (undeployed) method on a simulated request, through the
// service's asynchronous entry point (rest_fixture.hpp).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "apigateway/rest_fixture.hpp"

namespace awan::apigateway {
namespace {

using json = nlohmann::json;

struct TestInvoke : RestFixture {
  Result test_invoke(json in) {
    Result out = Result::fail(AwsError("None", "not called", 500));
    svc->invoke(ctx, "TestInvokeMethod", std::move(in), [&](Result r) { out = std::move(r); });
    return out;
  }
};

TEST_F(TestInvoke, RunsTheCurrentMethodWithoutADeployment) {
  std::string api = ok("CreateRestApi", {{"name", "t"}})["id"];
  std::string root = ok("GetResources", {{"restApiId", api}})["items"][0]["id"];
  std::string res = ok("CreateResource", {{"restApiId", api}, {"parentId", root}, {"pathPart", "{id}"}})["id"];
  json m = {{"restApiId", api}, {"resourceId", res}, {"httpMethod", "GET"}};
  ok("PutMethod", {{"restApiId", api}, {"resourceId", res}, {"httpMethod", "GET"}, {"authorizationType", "AWS_IAM"}});
  json pi = m;
  pi["type"] = "MOCK";
  pi["requestTemplates"] = {{"application/json", R"({"statusCode": 200})"}};
  ok("PutIntegration", pi);
  json mr = m;
  mr["statusCode"] = "200";
  ok("PutMethodResponse", mr);
  mr["responseTemplates"] = {{"application/json", R"j({"id": "$input.params('id')", "q": "$input.params('q')", "v": "$stageVariables.v"})j"}};
  ok("PutIntegrationResponse", mr);
  json in = m;
  in["pathWithQueryString"] = "/42?q=x";
  in["stageVariables"] = {{"v", "1"}};
  Result r = test_invoke(in);
  ASSERT_FALSE(r.error) << r.error->code << " " << r.error->message;
  EXPECT_EQ(r.output["status"], 200);
  EXPECT_EQ(json::parse(r.output["body"].get<std::string>()), json({{"id", "42"}, {"q", "x"}, {"v", "1"}}));
  EXPECT_EQ(r.output["headers"]["Content-Type"], "application/json");
  EXPECT_NE(r.output["log"].get<std::string>().find("Method completed with status: 200"), std::string::npos);
  in["httpMethod"] = "POST";
  r = test_invoke(in);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "NotFoundException");
  EXPECT_EQ(test_invoke({{"restApiId", "nope"}}).error->code, "NotFoundException");
  EXPECT_EQ(svc->call(ctx, "TestInvokeMethod", m).error.has_value(), true);
}

}  // namespace
}  // namespace awan::apigateway
