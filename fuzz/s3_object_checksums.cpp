// libFuzzer target: S3 multipart digests (s3/object_support.hpp). Input: lines, each a part
// ETag / checksum as a client would send it; also checks that combining the CRCs of two halves
// of the input gives the CRC of the whole, and that a FULL_OBJECT checksum of the halves as
// parts is the checksum of the whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.hpp"
#include "s3/object_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan;
  using namespace awan::s3;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  std::vector<PartChecksum> parts;
  for (std::string_view rest = in; lines.size() < 64;) {
    size_t nl = rest.find('\n');
    lines.emplace_back(rest.substr(0, nl));
    parts.push_back({lines.back(), lines.back().size()});
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  (void)multipart_etag(lines);
  std::string_view a = in.substr(0, size / 2), b = in.substr(size / 2);
  for (auto alg : {ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Crc32c, ChecksumAlgorithm::Crc64Nvme,
                   ChecksumAlgorithm::Sha1, ChecksumAlgorithm::Sha256}) {
    (void)composite_checksum(alg, lines);
    (void)full_object_checksum(alg, parts);
    std::vector<PartChecksum> halves = {{checksum_base64(alg, a), a.size()}, {checksum_base64(alg, b), b.size()}};
    auto whole = full_object_checksum(alg, halves);
    if (whole.has_value() != supports_checksum_type(alg, ChecksumType::FullObject)) std::abort();
    if (whole && *whole != checksum_base64(alg, in)) std::abort();
  }
  if (crc32_combine(crypto::crc32(a), crypto::crc32(b), b.size()) != crypto::crc32(in)) std::abort();
  if (crc32c_combine(crypto::crc32c(a), crypto::crc32c(b), b.size()) != crypto::crc32c(in)) std::abort();
  if (crc64nvme_combine(crc64nvme(a), crc64nvme(b), b.size()) != crc64nvme(in)) std::abort();
  return 0;
}
