#pragma once
// The concrete codecs (one per wire protocol), exposed for tests and for callers that need
// the model behind a codec. Most code only needs codec_for() from codec.hpp.
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/model.hpp"

namespace awan::protocol {

class ModelCodec : public Codec {
 public:
  ModelCodec(std::string service, const Model* model) : service_(std::move(service)), model_(model) {}
  std::string_view service() const override { return service_; }
  const Model& model() const { return *model_; }

 protected:
  std::string service_;
  const Model* model_;
};

// awsJson 1.0 / 1.1 (DynamoDB, DynamoDB Streams, SQS, CloudWatch Logs).
class JsonCodec final : public ModelCodec {
 public:
  JsonCodec(std::string service, const Model* model);
  std::variant<Decoded, AwsError> decode(const http::Request& req) const override;
  void encode_output(const std::string& operation, const nlohmann::json& output, const EncodeContext& ctx,
                     http::Response& out) const override;
  void encode_error(const AwsError& error, const EncodeContext& ctx, http::Response& out) const override;
  // "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException" etc.
  std::string error_type(const AwsError& error) const;

 private:
  std::string content_type_;
  std::string type_prefix_;
  bool crc32_ = false;
  const Model* query_model_ = nullptr;  // awsQueryCompatible: the query form's error codes
};

// awsQuery (IAM, STS, SNS, SQS's older form).
class QueryCodec final : public ModelCodec {
 public:
  using ModelCodec::ModelCodec;
  std::variant<Decoded, AwsError> decode(const http::Request& req) const override;
  void encode_output(const std::string& operation, const nlohmann::json& output, const EncodeContext& ctx,
                     http::Response& out) const override;
  void encode_error(const AwsError& error, const EncodeContext& ctx, http::Response& out) const override;
  // The code written on the wire: the error shape's error.code when it has one.
  std::string wire_code(const AwsError& error) const;
};

// restXml (S3) and restJson (Lambda, API Gateway).
class RestCodec final : public ModelCodec {
 public:
  RestCodec(std::string service, const Model* model, bool xml);
  std::variant<Decoded, AwsError> decode(const http::Request& req) const override;
  bool streams_payload(const http::Request& req) const override;
  void encode_output(const std::string& operation, const nlohmann::json& output, const EncodeContext& ctx,
                     http::Response& out) const override;
  void encode_error(const AwsError& error, const EncodeContext& ctx, http::Response& out) const override;
  // The operation a request routes to (nullptr when none matches).
  const Operation* route(const http::Request& req) const;

  struct Segment {
    std::string literal;  // literal text, or the text before the label
    std::string label;    // "" for a literal segment
    std::string suffix;   // text after the label within the segment
    bool greedy = false;
  };
  struct Route {
    const Operation* op = nullptr;
    std::vector<Segment> segments;
    std::vector<std::pair<std::string, std::string>> query;  // literal requirements (value "" = present)
    std::vector<std::pair<bool, std::string>> required;      // (is_header, wire name) of required members
    int literal_count = 0;
    bool greedy = false;
    size_t index = 0;
  };

 private:
  bool xml_;
  std::vector<Route> routes_;
};

}  // namespace awan::protocol
