// libFuzzer target: multipart/form-data for POST Object (s3/form_data.hpp). The first line of the
// input is a Content-Type value, the rest the body. Besides crashes, leaks and UB, the in-memory
// search and the block-wise one (tiny blocks, short reads) must agree on every body.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "s3/form_data.hpp"

namespace {
using namespace awan::s3;

class BlockSource final : public ByteSource {
 public:
  explicit BlockSource(std::string_view d) : data_(d) {}
  uint64_t size() const override { return data_.size(); }
  int64_t read(uint64_t offset, char* out, size_t n) const override {
    if (offset >= data_.size()) return 0;
    size_t k = std::min<size_t>({n, data_.size() - offset, 7});
    std::copy_n(data_.data() + offset, k, out);
    return static_cast<int64_t>(k);
  }

 private:
  std::string_view data_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t eol = in.find('\n');
  std::string_view content_type = in.substr(0, eol);
  std::string_view body = eol == std::string_view::npos ? std::string_view{} : in.substr(eol + 1);
  std::string boundary;
  if (form_boundary(content_type, boundary)) boundary = "B";
  FormLimits limits;
  limits.max_pre_data = 256;
  limits.max_fields = 8;
  limits.max_part_header = 128;
  PostForm a, b;
  auto ea = parse_post_form(MemorySource(body), boundary, a, limits);
  limits.scan_block = 3;
  auto eb = parse_post_form(BlockSource(body), boundary, b, limits);
  if (ea.has_value() != eb.has_value()) std::abort();
  if (ea) {
    if (ea->code != eb->code) std::abort();
    return 0;
  }
  if (a.file.offset != b.file.offset || a.file.length != b.file.length || a.fields.size() != b.fields.size()) {
    std::abort();
  }
  if (a.file.offset + a.file.length > body.size()) std::abort();
  (void)a.object_key();
  (void)require_key_field(a);
  return 0;
}
