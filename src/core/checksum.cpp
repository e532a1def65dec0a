#include "core/checksum.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>
#include <utility>

#include "core/crypto.hpp"

namespace awan {

namespace {

bool iequal(std::string_view a, std::string_view b) { return http::iequals(a, b); }

constexpr std::string_view kPrefix = "x-amz-checksum-";

std::string be_bytes(uint64_t v, size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[n - 1 - i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  return out;
}

}  // namespace

std::optional<ChecksumAlgorithm> checksum_from_name(std::string_view n) {
  if (iequal(n, "crc32")) return ChecksumAlgorithm::Crc32;
  if (iequal(n, "crc32c")) return ChecksumAlgorithm::Crc32c;
  if (iequal(n, "crc64nvme")) return ChecksumAlgorithm::Crc64Nvme;
  if (iequal(n, "sha1")) return ChecksumAlgorithm::Sha1;
  if (iequal(n, "sha256")) return ChecksumAlgorithm::Sha256;
  return std::nullopt;
}

std::optional<ChecksumAlgorithm> checksum_from_header(std::string_view h) {
  if (h.size() <= kPrefix.size() || !iequal(h.substr(0, kPrefix.size()), kPrefix)) return std::nullopt;
  return checksum_from_name(h.substr(kPrefix.size()));
}

std::string_view checksum_header(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::Crc32: return "x-amz-checksum-crc32";
    case ChecksumAlgorithm::Crc32c: return "x-amz-checksum-crc32c";
    case ChecksumAlgorithm::Crc64Nvme: return "x-amz-checksum-crc64nvme";
    case ChecksumAlgorithm::Sha1: return "x-amz-checksum-sha1";
    case ChecksumAlgorithm::Sha256: return "x-amz-checksum-sha256";
  }
  return "";
}

std::string_view checksum_name(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::Crc32: return "CRC32";
    case ChecksumAlgorithm::Crc32c: return "CRC32C";
    case ChecksumAlgorithm::Crc64Nvme: return "CRC64NVME";
    case ChecksumAlgorithm::Sha1: return "SHA1";
    case ChecksumAlgorithm::Sha256: return "SHA256";
  }
  return "";
}

size_t checksum_size(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::Crc32:
    case ChecksumAlgorithm::Crc32c: return 4;
    case ChecksumAlgorithm::Crc64Nvme: return 8;
    case ChecksumAlgorithm::Sha1: return 20;
    case ChecksumAlgorithm::Sha256: return 32;
  }
  return 0;
}

uint64_t crc64nvme(std::string_view data, uint64_t previous) {
  // CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout all ones.
  static const std::array<uint64_t, 256> table = [] {
    std::array<uint64_t, 256> t{};
    for (uint64_t i = 0; i < 256; ++i) {
      uint64_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (0x9a6c9329ac4bc9b5ULL ^ (c >> 1)) : (c >> 1);
      t[i] = c;
    }
    return t;
  }();
  uint64_t c = ~previous;
  for (unsigned char ch : data) c = table[(c ^ ch) & 0xFF] ^ (c >> 8);
  return ~c;
}

Checksummer::Checksummer(ChecksumAlgorithm a) : algorithm_(a) {
  if (a == ChecksumAlgorithm::Sha1 || a == ChecksumAlgorithm::Sha256) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, a == ChecksumAlgorithm::Sha1 ? EVP_sha1() : EVP_sha256(), nullptr) != 1) {
      EVP_MD_CTX_free(ctx);
      throw std::runtime_error("EVP_DigestInit_ex failed");
    }
    md_ = ctx;
  }
}

Checksummer::~Checksummer() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(md_)); }

Checksummer::Checksummer(Checksummer&& o) noexcept
    : algorithm_(o.algorithm_), crc_(o.crc_), md_(std::exchange(o.md_, nullptr)) {}

Checksummer& Checksummer::operator=(Checksummer&& o) noexcept {
  if (this != &o) {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(md_));
    algorithm_ = o.algorithm_;
    crc_ = o.crc_;
    md_ = std::exchange(o.md_, nullptr);
  }
  return *this;
}

void Checksummer::update(std::string_view data) {
  switch (algorithm_) {
    case ChecksumAlgorithm::Crc32: crc_ = crypto::crc32(data, static_cast<uint32_t>(crc_)); break;
    case ChecksumAlgorithm::Crc32c: crc_ = crypto::crc32c(data, static_cast<uint32_t>(crc_)); break;
    case ChecksumAlgorithm::Crc64Nvme: crc_ = crc64nvme(data, crc_); break;
    case ChecksumAlgorithm::Sha1:
    case ChecksumAlgorithm::Sha256: EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(md_), data.data(), data.size()); break;
  }
}

std::string Checksummer::base64() {
  switch (algorithm_) {
    case ChecksumAlgorithm::Crc32:
    case ChecksumAlgorithm::Crc32c: return crypto::base64_encode(be_bytes(crc_, 4));
    case ChecksumAlgorithm::Crc64Nvme: return crypto::base64_encode(be_bytes(crc_, 8));
    case ChecksumAlgorithm::Sha1:
    case ChecksumAlgorithm::Sha256: {
      unsigned char out[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(md_), out, &len);
      return crypto::base64_encode(std::string_view(reinterpret_cast<const char*>(out), len));
    }
  }
  return "";
}

std::string checksum_base64(ChecksumAlgorithm a, std::string_view data) {
  Checksummer c(a);
  c.update(data);
  return c.base64();
}

std::optional<AwsError> check_checksum(ChecksumAlgorithm a, std::string_view claimed, std::string_view computed,
                                       bool trailing) {
  auto raw = crypto::base64_decode(claimed);
  if (claimed.empty() || !raw || raw->size() != checksum_size(a))
    return AwsError{"InvalidRequest",
                    "Value for " + std::string(checksum_header(a)) + (trailing ? " trailing header" : " header") +
                        " is invalid.",
                    400};
  if (crypto::base64_encode(*raw) != computed)
    return AwsError{"BadDigest",
                    "The " + std::string(checksum_name(a)) + " you specified did not match the calculated checksum.",
                    400};
  return std::nullopt;
}

std::optional<AwsError> verify_checksum(ChecksumAlgorithm a, std::string_view claimed, std::string_view body,
                                        bool trailing) {
  return check_checksum(a, claimed, checksum_base64(a, body), trailing);
}

std::optional<AwsError> verify_checksum_headers(const http::Headers& headers, std::string_view body) {
  const http::Header* found = nullptr;
  std::optional<ChecksumAlgorithm> algo;
  for (const http::Header& h : headers.items()) {
    auto a = checksum_from_header(h.name);
    if (!a) continue;
    if (found && *a != *algo)
      return AwsError{"InvalidRequest",
                      "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.", 400};
    found = &h;
    algo = a;
  }
  if (!found) return std::nullopt;
  return verify_checksum(*algo, found->value, body, false);
}

}  // namespace awan
