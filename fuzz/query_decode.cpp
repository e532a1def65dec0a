// libFuzzer target: the awsQuery decoder (form bodies and query strings) of IAM and STS, and
// the output encoder over what it decoded. Input: a request as fuzz_request.hpp lays it out.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_request.hpp"
#include <nlohmann/json.hpp>

#include "protocol/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan;
  http::Request req = fuzz::request_from_bytes(data, size);
  for (const char* service : {"iam", "sts"}) {
    const protocol::Codec* codec = protocol::codec_for(service);
    if (!codec) continue;
    auto decoded = codec->decode(req);
    http::Response out;
    if (auto* d = std::get_if<protocol::Decoded>(&decoded))
      codec->encode_output(d->operation, *d->input, protocol::EncodeContext{}, out);
    else
      codec->encode_error(std::get<AwsError>(decoded), protocol::EncodeContext{}, out);
  }
  return 0;
}
