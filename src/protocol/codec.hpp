#pragma once
// The protocol layer: decode an HTTP request into (operation, input document), encode an
// output document or an AwsError into an HTTP response. Generic codecs driven by the AWS
// service models (awsJson 1.0/1.1, awsQuery, restXml, restJson).
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include "awan/error.hpp"
#include "http/message.hpp"

namespace awan::protocol {

struct Decoded {
  std::string operation;   // model operation name, e.g. "GetCallerIdentity"
  std::unique_ptr<nlohmann::json> input;  // input document (object)
};

struct EncodeContext {
  std::string request_id;
  std::string region;
  std::string account_id;
  std::string http_method;  // the request's method: HEAD responses carry no body
};

class Codec {
 public:
  virtual ~Codec() = default;
  // botocore service id this codec serves.
  virtual std::string_view service() const = 0;
  // Operation and input document for a request; an AwsError in the protocol's terms when the
  // request names no known operation or cannot be decoded.
  virtual std::variant<Decoded, AwsError> decode(const http::Request& req) const = 0;
  // Output document → response (status, headers, body).
  virtual void encode_output(const std::string& operation, const nlohmann::json& output,
                             const EncodeContext& ctx, http::Response& out) const = 0;
  // Error → response in the protocol's form.
  virtual void encode_error(const AwsError& error, const EncodeContext& ctx, http::Response& out) const = 0;
};

// The codec for a service id ("sts", "iam", "dynamodb", "s3", "lambda", ...), chosen by the
// protocol its model declares. nullptr for a service without a model. Codecs are created
// once and shared (thread-safe, immutable).
const Codec* codec_for(std::string_view service);
// The codec of a service for one wire protocol ("json", "query", "rest-xml", "rest-json"),
// for services that speak two (SQS: awsJson for new SDKs, awsQuery for older ones). nullptr
// when the service has no model for that protocol.
const Codec* codec_for(std::string_view service, std::string_view protocol);

}  // namespace awan::protocol
