// Digests of S3 uploads computed as they arrive (upload_digests.hpp).
#include "core/trim.hpp"
#include "gateway/upload_digests.hpp"

#include <vector>

#include "core/checksum.hpp"
#include "gateway/authenticate.hpp"
#include "gateway/router.hpp"

namespace awan::gateway {

namespace {
std::string_view trim(std::string_view s) { return text::trim_blanks(s); }
// x-amz-content-sha256: STREAMING-... (http::is_aws_chunked; the gateway does not link src/http).
bool aws_chunked(const http::Request& head) {
  return trim(head.headers.get("x-amz-content-sha256")).substr(0, 10) == "STREAMING-";
}
}  // namespace

std::unique_ptr<PayloadDigester> upload_digester(const http::Request& head, bool decoded) {
  if (head.method != "PUT" || head.headers.has("x-amz-copy-source")) return nullptr;
  if (!decoded && aws_chunked(head)) return nullptr;
  if (route(head).service != "s3") return nullptr;
  // CRC64NVME: S3's checksum of an object or part whose request names none.
  std::vector<ChecksumAlgorithm> sums{ChecksumAlgorithm::Crc64Nvme};
  for (const http::Header& h : head.headers.items()) {
    std::optional<ChecksumAlgorithm> a;
    if (http::iequals(h.name, "x-amz-sdk-checksum-algorithm")) {
      a = checksum_from_name(h.value);
    } else if (http::iequals(h.name, "x-amz-trailer")) {
      a = checksum_from_header(trim(h.value));
    } else {
      a = checksum_from_header(h.name);
    }
    if (a) sums.push_back(*a);
  }
  if (!claimed_payload_sha256(head).empty()) sums.push_back(ChecksumAlgorithm::Sha256);
  return std::make_unique<DigestSet>(true, sums);
}

}  // namespace awan::gateway
