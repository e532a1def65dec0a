#pragma once
// Which service does a request address? From X-Amz-Target, the SigV4 credential scope
// (Authorization header or presigned query), the query/form Action and Version, the path and
// the Host, as AWS endpoints do. Cheap: runs on every request.
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace awan::gateway {

// execute_api: an API Gateway invocation; function_url: a Lambda function URL invocation (both
// the data plane, Service::invoke_http).
enum class RouteKind { service, internal, execute_api, function_url, unknown };

struct Route {
  RouteKind kind = RouteKind::unknown;
  std::string service;   // botocore service id ("sts", "iam", "dynamodb", "sqs", "s3", ...)
  std::string protocol;  // wire form when the service speaks several: "json" or "query"; else ""
  std::string region;    // from the credential scope or the Host; "" when neither says
  // From the credential scope (SigV4 header or X-Amz-Credential), else from the SigV2 key id
  // position (header "AWS AKID:..." or AWSAccessKeyId=); "" when unsigned. Not verified: the
  // authentication stage (authenticate.hpp) decides whether it may name the caller.
  std::string access_key_id;
  // execute_api: the API's id and the rest of the path ("/<stage>/<path>", raw); function_url:
  // the URL id and the path ("/<path>", raw). Also set for
  // the @connections management API reached under /_aws/execute-api/<apiId>/<stage>: the codec
  // then decodes `invoke_path` (the path from "/@connections").
  std::string api_id;
  std::string invoke_path;
};

// Lower-level pieces, exposed for tests.
// Service id for an X-Amz-Target prefix ("DynamoDB_20120810" → "dynamodb"), or "".
std::string_view service_for_target_prefix(std::string_view prefix);
// Service id for a SigV4 signing name ("dynamodb", "execute-api", "monitoring", ...), or "".
std::string_view service_for_signing_name(std::string_view name);
// Service id for an awsQuery API version ("2011-06-15" → "sts"), or "".
std::string_view service_for_query_version(std::string_view version);
// Extracts "AKID/20150830/us-east-1/iam/aws4_request" parts from an Authorization header or
// X-Amz-Credential value. False when absent or malformed (routing then falls back).
struct CredentialScope {
  std::string_view access_key_id, date, region, service;
};
bool parse_credential_scope(std::string_view credential, CredentialScope& out);
// The credential of a SigV4 Authorization header, read only at its proper place: right after
// "AWS4-HMAC-SHA256 " as the first component ("AKID/20150830/us-east-1/iam/aws4_request"), up
// to ',' or a space. "" for any other header: text elsewhere in a header is never read, so
// "AWS x:y Credential=999988887777/..." names no account.
std::string_view header_credential(std::string_view authorization);
// The access key of a SigV2 header ("AWS AKID:signature"), or "".
std::string_view sigv2_access_key(std::string_view authorization);
// The value of a form/query parameter (raw, not percent-decoded), or "".
std::string_view raw_param(std::string_view query, std::string_view name);

// The API id and invoke path of the three execute-api URL forms (/_aws/execute-api/<id>/...,
// Host <id>.execute-api.*, /restapis/<id>/<stage>/_user_request_/...); false for other requests.
bool execute_api_target(std::string_view path, std::string_view host, std::string& api_id, std::string& invoke_path);

// The URL id and path of the two function URL forms (Host <id>.lambda-url.<anything> with path
// /<path>, and /_aws/lambda-url/<id>/<path> for clients that cannot set Host); false otherwise.
bool function_url_target(std::string_view path, std::string_view host, std::string& url_id, std::string& invoke_path);

Route route(const http::Request& req);

}  // namespace awan::gateway
