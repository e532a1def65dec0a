// libFuzzer target: whole S3 requests through the restXml decoder into the S3 service (an
// in-memory one, reset every 256 inputs) and back out through the encoder: ranges, conditions,
// tagging headers, copy sources, listings, multipart and versioning logic on arbitrary input.
// Input: a request as fuzz_request.hpp lays it out (the body becomes the payload).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <variant>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_request.hpp"
#include "protocol/codec.hpp"
#include "s3/s3.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan;
  static ServiceEnv env;
  static std::unique_ptr<Service> s3 = s3::make_service(env);
  static int calls = 0;
  if (++calls % 256 == 0) s3->reset();
  const protocol::Codec* codec = protocol::codec_for("s3");
  if (!codec) return 0;
  http::Request req = fuzz::request_from_bytes(data, size);
  if (req.headers.find("Host") == nullptr) req.headers.add("Host", "localhost");
  auto decoded = codec->decode(req);
  protocol::EncodeContext ec{"rid", "us-east-1", "000000000000", req.method, nullptr, {}};
  http::Response resp;
  if (auto* err = std::get_if<AwsError>(&decoded)) {
    codec->encode_error(*err, ec, resp);
    return 0;
  }
  auto& d = std::get<protocol::Decoded>(decoded);
  RequestContext ctx;
  ctx.service = "s3";
  ctx.operation = d.operation;
  ctx.http_method = req.method;
  if (d.streaming_payload) ctx.payload = std::make_shared<Payload>(Payload::of_bytes(req.body));
  Result r = s3->call(ctx, d.operation, std::move(*d.input));
  if (r.error) {
    codec->encode_error(*r.error, ec, resp);
  } else {
    ec.payload = r.payload ? &*r.payload : nullptr;
    codec->encode_output(d.operation, r.output, ec, resp);
  }
  return 0;
}
