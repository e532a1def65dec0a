#pragma once
// The client side of the codecs: what an AWS SDK does with the same models. An operation and its
// input document become the HTTP request the service's protocol expects (awsJson, awsQuery,
// restXml, restJson); the HTTP answer becomes the output document or the AwsError it carries.
// Used by awan::Client's HTTP transport (a handler running as a `bootstrap` outside the daemon).
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include "awan/service.hpp"
#include "http/message.hpp"

namespace awan::protocol {

// The request (method, target, path, query, headers, body) without Host and signature. The
// input's streaming payload member (S3 PutObject Body), when the operation has one, is taken
// from `payload` (or from the document's member when it is a string). Errors: the service has
// no model, the operation is unknown, or a URI label has no value.
std::variant<http::Request, AwsError> encode_request(std::string_view service, const std::string& operation,
                                                     const nlohmann::json& input, const Payload* payload = nullptr);

// The answer to a request encode_request built: the output document (a streaming payload member
// in Result::payload) or the error in the protocol's form, as an AwsError with its code, message
// and status (the answer to a HEAD has no body: its status names the error).
Result decode_response(std::string_view service, const std::string& operation, int status,
                       const http::Headers& headers, std::string body);

}  // namespace awan::protocol
