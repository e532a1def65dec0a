#pragma once
// S3 "additional checksums": x-amz-checksum-{crc32,crc32c,crc64nvme,sha1,sha256} values (base64
// of the big-endian digest), computed incrementally, and checked the way S3 checks them
// (InvalidRequest for a malformed value, BadDigest for a mismatch).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awan/error.hpp"
#include "awan/payload.hpp"
#include "http/message.hpp"

namespace awan {

enum class ChecksumAlgorithm : uint8_t { Crc32, Crc32c, Crc64Nvme, Sha1, Sha256 };

// "x-amz-checksum-crc32" (any case) -> Crc32; nullopt for any other name.
std::optional<ChecksumAlgorithm> checksum_from_header(std::string_view header_name);
// "CRC32" / "crc32c" / "SHA256" (x-amz-sdk-checksum-algorithm, ChecksumAlgorithm members).
std::optional<ChecksumAlgorithm> checksum_from_name(std::string_view name);
std::string_view checksum_header(ChecksumAlgorithm a);  // "x-amz-checksum-crc32"
std::string_view checksum_name(ChecksumAlgorithm a);    // "CRC32"
size_t checksum_size(ChecksumAlgorithm a);              // digest bytes: 4, 4, 8, 20, 32

// CRC-64/NVME (the x-amz-checksum-crc64nvme digest); chainable like crypto::crc32.
uint64_t crc64nvme(std::string_view data, uint64_t previous = 0);
// The same without carry-less multiplication (the path of CPUs without PCLMULQDQ; tests).
uint64_t crc64nvme_portable(std::string_view data, uint64_t previous = 0);

// Incremental digest.
class Checksummer {
 public:
  explicit Checksummer(ChecksumAlgorithm a);
  ~Checksummer();
  Checksummer(const Checksummer&) = delete;
  Checksummer& operator=(const Checksummer&) = delete;
  Checksummer(Checksummer&& other) noexcept;
  Checksummer& operator=(Checksummer&& other) noexcept;

  ChecksumAlgorithm algorithm() const { return algorithm_; }
  void update(std::string_view data);
  // Base64 of the digest of everything fed so far (the x-amz-checksum-* form). May be called once.
  std::string base64();
  // The raw digest (big-endian for the CRCs), instead of base64(). May be called once.
  std::string digest();

 private:
  ChecksumAlgorithm algorithm_;
  uint64_t crc_ = 0;
  void* md_ = nullptr;  // EVP_MD_CTX* for SHA-1 / SHA-256
};

std::string checksum_base64(ChecksumAlgorithm a, std::string_view data);

// MD5 (optionally) and S3 checksums of one byte stream at once: what the HTTP layer computes over
// an upload while it arrives (PayloadDigests names: "MD5" and checksum_name()).
class DigestSet final : public PayloadDigester {
 public:
  DigestSet(bool md5, const std::vector<ChecksumAlgorithm>& checksums);
  ~DigestSet() override;
  DigestSet(const DigestSet&) = delete;
  DigestSet& operator=(const DigestSet&) = delete;
  void update(std::string_view bytes) override;
  PayloadDigests finish() override;

 private:
  void* md5_ = nullptr;  // EVP_MD_CTX*
  std::vector<Checksummer> sums_;
};

// Checks a claimed x-amz-checksum-* value against the digest computed over the body
// (`computed_base64`). `trailing` selects the wording for aws-chunked trailers.
//   malformed value -> InvalidRequest "Value for x-amz-checksum-crc32 header is invalid."
//                      ("... trailing header is invalid." for trailers)
//   mismatch        -> BadDigest "The CRC32 you specified did not match the calculated checksum."
std::optional<AwsError> check_checksum(ChecksumAlgorithm a, std::string_view claimed_base64,
                                       std::string_view computed_base64, bool trailing = false);
// Same, computing the digest of `body`.
std::optional<AwsError> verify_checksum(ChecksumAlgorithm a, std::string_view claimed_base64, std::string_view body,
                                        bool trailing = false);
// Checks the x-amz-checksum-* header of a request (if any) against its body. More than one
// checksum header -> InvalidRequest "Expecting a single x-amz-checksum- header. Multiple
// checksum Types are not allowed."
std::optional<AwsError> verify_checksum_headers(const http::Headers& headers, std::string_view body);

}  // namespace awan
