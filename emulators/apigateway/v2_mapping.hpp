#pragma once
// HTTP API parameter mapping: an integration's RequestParameters ("append:header.x",
// "overwrite:querystring.q", "remove:header.x", "overwrite:path") applied to the request an
// HTTP_PROXY integration sends, and its ResponseParameters by status code ("append:header.x",
// "overwrite:header.x", "remove:header.x", "overwrite:statuscode") applied to any integration's
// answer. Values are literals with $request.*, $response.*, $context.* and $stageVariables.*
// references, bare or in ${...}. Used by v2_invoke.cpp and checked on CreateIntegration.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::apigateway::v2 {

using Headers = std::vector<std::pair<std::string, std::string>>;

// What references read.
struct MappingSource {
  Headers request_headers;
  std::vector<std::pair<std::string, std::string>> request_query;  // decoded
  std::map<std::string, std::string> path_parameters, stage_variables;
  std::string request_path, request_body;
  nlohmann::json context = nlohmann::json::object();  // $context.*
  const Headers* response_headers = nullptr;
  const std::string* response_body = nullptr;
};

// The request an HTTP_PROXY integration sends: mapped in place.
struct MappedRequest {
  std::string path;  // the integration URI's path ("/a/b"), replaced by overwrite:path
  Headers headers;
  std::vector<std::pair<std::string, std::string>> query;  // decoded
};

// "" when `key` (a RequestParameters key when !response, else a ResponseParameters mapping key)
// and its value are valid, else AWS's BadRequestException message.
std::string mapping_problem(const std::string& key, const nlohmann::json& value, bool response);

// A value with its references replaced ("" for what is absent).
std::string mapping_value(const std::string& value, const MappingSource& src);

void apply_request_parameters(const nlohmann::json& params, const MappingSource& src, MappedRequest& out);
// The ResponseParameters entry for `status` applied to the answer's status and headers.
void apply_response_parameters(const nlohmann::json& by_status, const MappingSource& src, int& status, Headers& headers);

}  // namespace awan::apigateway::v2
