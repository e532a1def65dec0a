#pragma once
// The protocol layer: decode an HTTP request into (operation, input document), encode an
// output document or an AwsError into an HTTP response. Generic codecs driven by the AWS
// service models (awsJson 1.0/1.1, awsQuery, restXml, restJson).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include "awan/error.hpp"
#include "awan/payload.hpp"
#include "http/message.hpp"

namespace awan::protocol {

struct Decoded {
  std::string operation;   // model operation name, e.g. "GetCallerIdentity"
  std::unique_ptr<nlohmann::json> input;  // input document (object)
  // The operation's payload member is a streaming blob (S3 PutObject Body): the body is not in
  // the input document; the caller hands it to the service as RequestContext::payload.
  bool streaming_payload = false;
};

struct EncodeContext {
  std::string request_id;
  std::string region;
  std::string account_id;
  std::string http_method;  // the request's method: HEAD responses carry no body
  // The output payload (Result::payload) when the operation returns one: the codec sets the
  // content headers; the caller puts the bytes or the file in the response.
  const Payload* payload = nullptr;
  // The request's Accept-Encoding (DynamoDB compresses large answers when it allows).
  std::string_view accept_encoding;
};

class Codec {
 public:
  virtual ~Codec() = default;
  // botocore service id this codec serves.
  virtual std::string_view service() const = 0;
  // Operation and input document for a request; an AwsError in the protocol's terms when the
  // request names no known operation or cannot be decoded.
  virtual std::variant<Decoded, AwsError> decode(const http::Request& req) const = 0;
  // True when the request routes to an operation whose payload member is a streaming blob: its
  // body (possibly a multi-GiB spooled file) is handed over as is, never loaded for decode().
  virtual bool streams_payload(const http::Request& req) const { return false; }
  // Output document → response (status, headers, body).
  virtual void encode_output(const std::string& operation, const nlohmann::json& output,
                             const EncodeContext& ctx, http::Response& out) const = 0;
  // Error → response in the protocol's form.
  virtual void encode_error(const AwsError& error, const EncodeContext& ctx, http::Response& out) const = 0;
};

// The bucket an S3 request names (virtual-hosted or the first path segment, decoded); "" when
// none.
std::string s3_bucket_of(const http::Request& req);
// Whether it also names a key (a path segment after the bucket).
bool s3_names_key(const http::Request& req);
// A browser form upload (POST Object): POST to a bucket with a multipart/form-data body. Not in
// S3's model; the rest codec decodes it as "PostObject" {Bucket, ContentType, Host}, its body a
// streaming payload, and the form carries its own authentication.
bool is_s3_post_object(const http::Request& req);

// An XML document of one of a service's model shapes (e.g. S3's "Tagging" in a browser form's
// field) as the document the codecs would decode it to; nullopt when it is not well-formed XML
// or does not fit the shape.
std::optional<nlohmann::json> decode_xml_shape(std::string_view service, std::string_view shape, std::string_view xml);

// The codec for a service id ("sts", "iam", "dynamodb", "s3", "lambda", ...), chosen by the
// protocol its model declares. nullptr for a service without a model. Codecs are created
// once and shared (thread-safe, immutable).
const Codec* codec_for(std::string_view service);
// The codec of a service for one wire protocol ("json", "query", "rest-xml", "rest-json"),
// for services that speak two (SQS: awsJson for new SDKs, awsQuery for older ones). nullptr
// when the service has no model for that protocol.
const Codec* codec_for(std::string_view service, std::string_view protocol);

}  // namespace awan::protocol
