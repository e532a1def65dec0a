// HTTP API parameter mapping (apigateway/v2_mapping.hpp): keys and values checked as
// CreateIntegration checks them, references resolved, and the mappings applied to an outgoing
// request and to an answer.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "apigateway/v2_mapping.hpp"

namespace awan::apigateway::v2 {
namespace {

using json = nlohmann::json;

MappingSource source() {
  MappingSource s;
  s.request_headers = {{"Authorization", "Bearer t"}, {"X-Multi", "a"}, {"x-multi", "b"}};
  s.request_query = {{"q", "1"}, {"q", "2"}, {"page", "3"}};
  s.path_parameters = {{"id", "42"}};
  s.stage_variables = {{"env", "dev"}};
  s.request_path = "/items/42";
  s.request_body = R"({"user": {"name": "ann"}})";
  s.context = {{"requestId", "r-1"}, {"identity", {{"sourceIp", "10.0.0.1"}}}};
  return s;
}

TEST(V2Mapping, KeysAndValuesAreChecked) {
  EXPECT_EQ(mapping_problem("append:header.x-a", "static", false), "");
  EXPECT_EQ(mapping_problem("overwrite:querystring.q", "$request.querystring.page", false), "");
  EXPECT_EQ(mapping_problem("remove:header.authorization", "''", false), "");
  EXPECT_EQ(mapping_problem("overwrite:path", "/v2/${request.path.id}", false), "");
  EXPECT_EQ(mapping_problem("overwrite:statuscode", "204", true), "");
  EXPECT_EQ(mapping_problem("append:header.x-b", "$response.header.etag", true), "");
  EXPECT_NE(mapping_problem("overwrite:statuscode", "204", false), "");
  EXPECT_NE(mapping_problem("overwrite:path", "/x", true), "");
  EXPECT_NE(mapping_problem("append:path", "/x", false), "");
  EXPECT_NE(mapping_problem("replace:header.x", "v", false), "");
  EXPECT_NE(mapping_problem("append:header.", "v", false), "");
  EXPECT_NE(mapping_problem("append:cookie.x", "v", false), "");
  EXPECT_NE(mapping_problem("append:querystring.q", "v", true), "");
  EXPECT_NE(mapping_problem("append:header.x", "${request.header.y", false), "");
  EXPECT_NE(mapping_problem("append:header.x", "$response.header.y", false), "");
  EXPECT_NE(mapping_problem("append:header.x", 5, false), "");
  EXPECT_EQ(mapping_problem("append:header.x", "Bearer ${request.header.x}", false).find("Invalid mapping expression specified"),
            std::string::npos);
  EXPECT_EQ(mapping_problem("header.x", "v", false).rfind("Invalid mapping expression specified", 0), 0u);
}

TEST(V2Mapping, ReferencesResolve) {
  MappingSource s = source();
  EXPECT_EQ(mapping_value("$request.header.authorization", s), "Bearer t");
  EXPECT_EQ(mapping_value("$request.header.x-multi", s), "a,b");
  EXPECT_EQ(mapping_value("$request.querystring.q", s), "1,2");
  EXPECT_EQ(mapping_value("/v2/${request.path.id}/x", s), "/v2/42/x");
  EXPECT_EQ(mapping_value("$request.path", s), "/items/42");
  EXPECT_EQ(mapping_value("${request.body.user.name}!", s), "ann!");
  EXPECT_EQ(mapping_value("$context.identity.sourceIp", s), "10.0.0.1");
  EXPECT_EQ(mapping_value("${stageVariables.env}-${context.requestId}", s), "dev-r-1");
  EXPECT_EQ(mapping_value("$request.header.missing", s), "");
  EXPECT_EQ(mapping_value("costs $5", s), "costs $5");
  EXPECT_EQ(mapping_value("${unclosed", s), "${unclosed");
}

TEST(V2Mapping, RequestParametersApply) {
  MappingSource s = source();
  MappedRequest out;
  out.path = "/base";
  out.headers = {{"Authorization", "Bearer t"}, {"X-Keep", "1"}, {"X-Add", "a"}};
  out.query = {{"q", "1"}, {"q", "2"}, {"page", "3"}};
  json params = {{"remove:header.authorization", "''"}, {"append:header.x-add", "b"},
                 {"overwrite:header.x-keep", "2"},       {"append:header.x-user", "$request.body.user.name"},
                 {"overwrite:querystring.q", "9"},       {"append:querystring.page", "4"},
                 {"remove:querystring.none", "''"},      {"overwrite:path", "/v2/items/$request.path.id"}};
  apply_request_parameters(params, s, out);
  EXPECT_EQ(out.path, "/v2/items/42");
  Headers want = {{"X-Add", "a,b"}, {"x-user", "ann"}, {"x-keep", "2"}};  // the keys in order
  EXPECT_EQ(out.headers, want);
  std::vector<std::pair<std::string, std::string>> query = {{"page", "3"}, {"page", "4"}, {"q", "9"}};
  EXPECT_EQ(out.query, query);
}

TEST(V2Mapping, ResponseParametersApplyByStatus) {
  MappingSource s = source();
  Headers response = {{"ETag", "e1"}, {"Server", "x"}};
  std::string body = R"({"n": 7})";
  s.response_headers = &response;
  s.response_body = &body;
  json by_status = {{"200", {{"overwrite:statuscode", "201"}, {"append:header.x-etag", "$response.header.etag"},
                             {"overwrite:header.x-n", "${response.body.n}"}, {"remove:header.server", "''"}}},
                    {"404", {{"overwrite:statuscode", "410"}}}};
  int status = 200;
  Headers headers = response;
  apply_response_parameters(by_status, s, status, headers);
  EXPECT_EQ(status, 201);
  Headers want = {{"ETag", "e1"}, {"x-etag", "e1"}, {"x-n", "7"}};
  EXPECT_EQ(headers, want);
  status = 500;
  apply_response_parameters(by_status, s, status, headers);
  EXPECT_EQ(status, 500);
}

}  // namespace
}  // namespace awan::apigateway::v2
