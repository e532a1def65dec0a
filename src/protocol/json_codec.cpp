// awsJson 1.0 / 1.1: the operation from X-Amz-Target, the input and output as JSON documents,
// errors as {"__type", "message"} (plus x-amzn-query-error for awsQueryCompatible services).
#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/compress.hpp"
#include "core/crypto.hpp"
#include "protocol/codec_support.hpp"
#include "protocol/codecs.hpp"
#include "protocol/json_parse.hpp"
#include "protocol/wire.hpp"

namespace awan::protocol {

namespace {
constexpr size_t kCompressAbove = 4096;

using json = nlohmann::json;

// Errors raised by the AWS request framework itself (not modelled by the services).
bool is_coral_service_error(std::string_view code) {
  static const std::string_view codes[] = {
      "SerializationException", "UnknownOperationException", "InternalFailure", "InternalServerError",
      "AccessDeniedException", "MissingAuthenticationTokenException", "IncompleteSignatureException",
      "InvalidSignatureException", "UnrecognizedClientException", "ThrottlingException",
      "RequestExpired", "ExpiredTokenException", "InvalidClientTokenId", "NotImplemented"};
  return std::find(std::begin(codes), std::end(codes), code) != std::end(codes);
}

}  // namespace

using support::add_request_id_headers;
using support::dump;

JsonCodec::JsonCodec(std::string service, const Model* model) : ModelCodec(std::move(service), model) {
  const Metadata& md = model->metadata();
  content_type_ = "application/x-amz-json-" + (md.json_version.empty() ? std::string("1.0") : md.json_version);
  if (service_ == "dynamodb" || service_ == "dynamodbstreams") {
    type_prefix_ = "com.amazonaws.dynamodb.v20120810#";
    crc32_ = service_ == "dynamodb";
  } else if (service_ == "sqs") {
    type_prefix_ = "com.amazonaws.sqs#";
  }
  if (md.aws_query_compatible) query_model_ = Model::get(service_ + "@query");
}

std::variant<Decoded, AwsError> JsonCodec::decode(const http::Request& req) const {
  std::string_view target = req.headers.get("X-Amz-Target");
  const std::string& prefix = model_->metadata().target_prefix;
  const Operation* op = nullptr;
  if (target.size() > prefix.size() + 1 && target.compare(0, prefix.size(), prefix) == 0 && target[prefix.size()] == '.')
    op = model_->operation(target.substr(prefix.size() + 1));
  if (!op) return AwsError::unknown_operation();

  Decoded d;
  d.operation = op->name;
  d.input = std::make_unique<json>(json::object());
  std::string_view body = req.body;
  while (!body.empty() && (body.front() == ' ' || body.front() == '\n' || body.front() == '\r' || body.front() == '\t'))
    body.remove_prefix(1);
  if (body.empty()) return d;
  json w;
  static_assert(kFastMaxDepth <= wire::kMaxNesting, "the fast path must not take what the limit refuses");
  if (!parse_json_fast(body, w)) {
    if (wire::json_nesting_exceeds(body)) return AwsError::serialization(wire::too_deep_message());
    w = json::parse(body.begin(), body.end(), nullptr, false);
  }
  if (w.is_discarded()) return AwsError::serialization(wire::json_syntax_message(body));
  if (!w.is_object()) return AwsError::serialization("Start of structure or map expected.");
  if (!op->input) return d;
  if (auto err = wire::json_struct_to_doc(*op->input, w, *d.input, false)) return AwsError::serialization(*err);
  return d;
}

void JsonCodec::encode_output(const std::string& operation, const nlohmann::json& output, const EncodeContext& ctx,
                              http::Response& out) const {
  const Operation* op = model_->operation(operation);
  out.status = 200;
  if (output.is_discarded())  // an operation that answers with an empty body (DynamoDB TagResource)
    out.body.clear();
  else if (!output.is_object())
    out.body = "{}";
  else if (op && op->output && !op->output->json_identity)  // identity: the same text without a deep copy
    out.body = dump(wire::doc_struct_to_json(*op->output, output, false));
  else
    out.body = dump(output);
  out.headers.set("Content-Type", content_type_);
  add_request_id_headers(ctx, out);
  if (crc32_) {
    // DynamoDB compresses answers above 4 KiB for clients that accept it; the CRC32 covers the
    // bytes sent (the compressed body).
    if (out.body.size() > kCompressAbove) {
      auto enc = compress::negotiate(ctx.accept_encoding);
      if (enc != compress::Encoding::identity) {
        if (auto z = compress::encode(out.body, enc)) {
          out.body = std::move(*z);
          out.headers.set("Content-Encoding", enc == compress::Encoding::gzip ? "gzip" : "deflate");
        }
      }
    }
    out.headers.set("x-amz-crc32", std::to_string(crypto::crc32(out.body)));
  }
}

std::string JsonCodec::error_type(const AwsError& error) const {
  const Shape* s = model_->error_shape(error.code);
  if (s) return type_prefix_ + s->name;
  if (query_model_) {  // a query-form code ("AWS.SimpleQueueService.NonExistentQueue")
    if (const Shape* q = query_model_->error_shape(error.code); q && model_->shape(q->name))
      return type_prefix_ + q->name;
  }
  if (is_coral_service_error(error.code)) return "com.amazon.coral.service#" + error.code;
  if (error.code == "ValidationException" && !type_prefix_.empty()) return "com.amazon.coral.validate#ValidationException";
  return type_prefix_ + error.code;
}

void JsonCodec::encode_error(const AwsError& error, const EncodeContext& ctx, http::Response& out) const {
  const Shape* s = model_->error_shape(error.code);
  json body = json::object();
  body["__type"] = error_type(error);
  if (!error.message.empty()) body[support::message_key(s)] = error.message;
  support::merge_details_json(error, body);
  out.status = error.http_status;
  out.body = dump(body);
  out.headers.set("Content-Type", content_type_);
  add_request_id_headers(ctx, out);
  if (model_->metadata().aws_query_compatible) {
    std::string code = error.code;
    const Shape* qs = s;
    if (qs && qs->error.code.empty() && query_model_) qs = query_model_->error_shape(qs->name);
    if (!qs && query_model_) qs = query_model_->error_shape(error.code);
    if (qs && !qs->error.code.empty()) code = qs->error.code;
    out.headers.set("x-amzn-query-error", code + (error.sender_fault ? ";Sender" : ";Receiver"));
  }
  if (crc32_) out.headers.set("x-amz-crc32", std::to_string(crypto::crc32(out.body)));
}

}  // namespace awan::protocol
