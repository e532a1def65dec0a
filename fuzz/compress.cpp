// libFuzzer target: Accept-Encoding negotiation and gzip/deflate decoding (core/compress.hpp),
// with a small output limit (a decompression bomb must stop at it).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/compress.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)awan::compress::negotiate(in);
  for (auto e : {awan::compress::Encoding::gzip, awan::compress::Encoding::deflate}) {
    auto out = awan::compress::decode(in, e, 1 << 16);
    if (out && out->size() > (1 << 16)) __builtin_trap();
  }
  return 0;
}
