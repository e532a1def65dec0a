// libFuzzer target: the awsQuery decoder (form bodies and query strings) of IAM and STS, and
// the output encoder over what it decoded. Input: a request as fuzz_request.hpp lays it out.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_codec.hpp"
#include "fuzz/fuzz_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan;
  http::Request req = fuzz::request_from_bytes(data, size);
  for (const char* service : {"iam", "sts"}) {
    const protocol::Codec* codec = protocol::codec_for(service);
    if (codec) fuzz::decode_and_encode(*codec, req);
  }
  return 0;
}
