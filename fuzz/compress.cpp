// libFuzzer target: Accept-Encoding negotiation and gzip/deflate decoding (core/compress.hpp),
// with a small output limit (a decompression bomb must stop at it); and the gateway stage that
// inflates request bodies (gateway/content_encoding.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/compress.hpp"
#include "gateway/content_encoding.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)awan::compress::negotiate(in);
  for (auto e : {awan::compress::Encoding::gzip, awan::compress::Encoding::deflate}) {
    auto out = awan::compress::decode(in, e, 1 << 16);
    if (out && out->size() > (1 << 16)) __builtin_trap();
  }
  // The input as a Content-Encoding list over a gzip body, and as a body declared gzip.
  awan::gateway::Route route;
  route.service = "dynamodb";
  awan::http::Request as_header;
  as_header.headers.add("Content-Encoding", std::string(in));
  as_header.body = *awan::compress::encode("{}", awan::compress::Encoding::gzip);
  (void)awan::gateway::decode_content_encoding(as_header, route, 1 << 16);
  awan::http::Request as_body;
  as_body.headers.add("Content-Encoding", "gzip, deflate");
  as_body.body = std::string(in);
  (void)awan::gateway::decode_content_encoding(as_body, route, 1 << 16);
  return 0;
}
