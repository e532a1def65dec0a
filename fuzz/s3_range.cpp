// libFuzzer target: S3 Range headers (s3/object_support.hpp, resolve_range). Input: the first 8
// bytes are the object size (little endian, small sizes favoured), the rest is the header; a
// resolved range must lie inside the object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "s3/object_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t object_size = 0;
  size_t n = size < 8 ? size : 8;
  for (size_t i = 0; i < n; ++i) object_size |= static_cast<uint64_t>(data[i]) << (8 * i);
  if (n > 0 && (data[0] & 1)) object_size %= 1024;
  std::string_view header(reinterpret_cast<const char*>(data) + n, size - n);
  auto r = awan::s3::resolve_range(header, object_size);
  if (r.range && r.error) std::abort();
  if (r.range) {
    if (r.range->first > r.range->last || r.range->last >= object_size) std::abort();
    (void)awan::s3::content_range(r.range->first, r.range->last, object_size);
  }
  return 0;
}
