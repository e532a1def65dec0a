#pragma once
// Lambda proxy events: the event a function gets for an HTTP request (REST API proxy events,
// payload formats 1.0 and 2.0) and how the function's result becomes the HTTP answer. Shared by
// API Gateway (REST APIs rest_*.cpp, HTTP APIs v2_*.cpp; WebSocket events live in v2) and
// Lambda's function URLs (emulators/lambda/function_urls.cpp, payload 2.0).
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan {

// What the event builders read of an invocation, once routing resolved the resource or route.
struct ProxyRequest {
  std::string api_id, stage, request_id, account_id;
  std::string domain_name;  // the Host header as received ("abc123.execute-api.localhost:4566")
  std::string http_method;  // "GET"
  std::string path;         // as requested, without the stage, percent-decoded: "/items/1"
  std::string stage_path;   // as requested, with the stage unless it is $default, raw: "/prod/items/1"
  std::string raw_query;    // without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;         // the bytes as received
  bool binary_body = false; // send the body base64-encoded (binary media types; v2: not text)
  std::string resource, resource_id;  // REST: "/items/{id}" and its id
  std::string route_key;    // HTTP API: "GET /items/{id}" or "$default"
  std::map<std::string, std::string> path_parameters, stage_variables;
  std::string source_ip, user_agent, protocol = "HTTP/1.1";
  std::chrono::system_clock::time_point time;
  // Authorizer output for the event (REST: the context plus principalId; HTTP API: {"jwt":
  // {...}} or {"lambda": {...}}); null when none.
  nlohmann::json authorizer;
  // AWS_IAM callers: identity.accessKey, caller, user, userArn ("" when unsigned).
  std::string access_key, caller_arn, caller_user_id;
  std::string caller_account;  // payload 2.0 authorizer.iam.accountId ("": account_id)
  std::string api_key;  // REST methods with apiKeyRequired: identity.apiKey / apiKeyId
  std::string api_key_id;
};

// REST API Lambda proxy event (AWS_PROXY), also HTTP API payload format 1.0 when http_api.
nlohmann::json proxy_event_v1(const ProxyRequest& r, bool http_api = false);
// HTTP API payload format 2.0.
nlohmann::json proxy_event_v2(const ProxyRequest& r);

struct ProxyAnswer {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // decoded bytes
};
// A REST/1.0 result ({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}).
// nullopt when the function's output is not such an object: API Gateway answers 502
// {"message": "Internal server error"}.
std::optional<ProxyAnswer> proxy_result_v1(const std::string& function_output);
// A 2.0 result: the object form as above plus "cookies"; any other valid JSON (including an
// object without statusCode) is the body of a 200 application/json answer. nullopt when the
// output is not JSON or an object's fields are malformed (502).
std::optional<ProxyAnswer> proxy_result_v2(const std::string& function_output);

// The event as the function's payload: JSON text in which bytes that are not UTF-8 (a header or
// a body that is not a binary media type) become U+FFFD instead of failing the invocation.
std::string event_text(const nlohmann::json& event);

// Query string helpers shared by the events: every value of each parameter, in order,
// percent-decoded ('+' is a space).
std::vector<std::pair<std::string, std::string>> parse_query(const std::string& raw_query);
// Percent-decodes a path ("%20" → ' '; '+' stays).
std::string decode_path(const std::string& raw_path);

}  // namespace awan
