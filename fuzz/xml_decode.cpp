// libFuzzer target: the restXml decoder (S3's model: XML bodies, headers, URI labels, query
// strings) and the XML encoder over what it decoded. Input: a request as fuzz_request.hpp
// lays it out.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_codec.hpp"
#include "fuzz/fuzz_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan;
  const protocol::Codec* codec = protocol::codec_for("s3");
  if (!codec) return 0;
  fuzz::decode_and_encode(*codec, fuzz::request_from_bytes(data, size));
  return 0;
}
