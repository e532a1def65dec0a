#include "core/checksum.hpp"

#include <immintrin.h>
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

namespace {

// CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout all ones. ISA-L 2.30
// (Debian 12) has no kernel for this polynomial (crc64_rocksoft came in 2.31), so it is computed
// here: carry-less multiply folding where the CPU has PCLMULQDQ, slicing by 8 otherwise and for
// the last bytes.
constexpr uint64_t kCrc64Poly = 0x9a6c9329ac4bc9b5ULL;

// Table-driven update of the raw register (no inversion), eight bytes per step ("slicing by 8":
// table k is the CRC of a byte followed by k zero bytes).
uint64_t crc64_sliced(uint64_t c, const unsigned char* p, size_t n) {
  using Tables = std::array<std::array<uint64_t, 256>, 8>;
  static const Tables t = [] {
    Tables tb{};
    for (uint64_t i = 0; i < 256; ++i) {
      uint64_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (kCrc64Poly ^ (c >> 1)) : (c >> 1);
      tb[0][i] = c;
    }
    for (size_t k = 1; k < 8; ++k)
      for (size_t i = 0; i < 256; ++i) tb[k][i] = (tb[k - 1][i] >> 8) ^ tb[0][tb[k - 1][i] & 0xFF];
    return tb;
  }();
  while (n >= 8) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];  // little-endian load (compiles to one)
    c ^= v;
    c = t[7][c & 0xFF] ^ t[6][(c >> 8) & 0xFF] ^ t[5][(c >> 16) & 0xFF] ^ t[4][(c >> 24) & 0xFF] ^
        t[3][(c >> 32) & 0xFF] ^ t[2][(c >> 40) & 0xFF] ^ t[1][(c >> 48) & 0xFF] ^ t[0][c >> 56];
    p += 8;
    n -= 8;
  }
  while (n--) c = t[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
  return c;
}

// x^n mod P in the reflected form (bit i is the coefficient of x^(63-i)): multiplying by x is
// one step of the bitwise CRC.
constexpr uint64_t x_pow_mod(unsigned n) {
  uint64_t v = 1ULL << 63;  // the polynomial 1
  for (unsigned i = 0; i < n; ++i) v = (v & 1) ? (kCrc64Poly ^ (v >> 1)) : (v >> 1);
  return v;
}

// Folding. A 16-byte block loaded little-endian is a 128-bit reflected polynomial S = H*x^64 + L
// (H the low lane, L the high lane). Moving it D bits further along the message multiplies it
// by x^D: H*x^(D+64) + L*x^D, congruent mod P to H*(x^(D+64) mod P) + L*(x^D mod P), two 64x64
// carry-less products of at most 127 bits that are XORed into the block D bits later. A
// reflected product comes out one bit short (bit k holds the coefficient of x^(126-k)), so the
// constants are x^(D+63) and x^(D-1). What is left at the end is a 16-byte block congruent to
// everything folded, whose CRC (from a zero register) the table finishes.
constexpr uint64_t kFold128Hi = x_pow_mod(128 + 63), kFold128Lo = x_pow_mod(128 - 1);
constexpr uint64_t kFold512Hi = x_pow_mod(512 + 63), kFold512Lo = x_pow_mod(512 - 1);

__attribute__((target("pclmul,sse4.1"))) inline __m128i fold(__m128i s, __m128i k) {
  return _mm_xor_si128(_mm_clmulepi64_si128(s, k, 0x00), _mm_clmulepi64_si128(s, k, 0x11));
}

__attribute__((target("pclmul,sse4.1"))) uint64_t crc64_clmul(uint64_t c, const unsigned char* p, size_t n) {
  auto load = [](const unsigned char* q) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q)); };
  __m128i x0 = _mm_xor_si128(load(p), _mm_cvtsi64_si128(static_cast<long long>(c)));
  __m128i x1 = load(p + 16), x2 = load(p + 32), x3 = load(p + 48);
  p += 64;
  n -= 64;
  const __m128i k512 = _mm_set_epi64x(static_cast<long long>(kFold512Lo), static_cast<long long>(kFold512Hi));
  while (n >= 64) {
    x0 = _mm_xor_si128(fold(x0, k512), load(p));
    x1 = _mm_xor_si128(fold(x1, k512), load(p + 16));
    x2 = _mm_xor_si128(fold(x2, k512), load(p + 32));
    x3 = _mm_xor_si128(fold(x3, k512), load(p + 48));
    p += 64;
    n -= 64;
  }
  const __m128i k128 = _mm_set_epi64x(static_cast<long long>(kFold128Lo), static_cast<long long>(kFold128Hi));
  x1 = _mm_xor_si128(fold(x0, k128), x1);
  x2 = _mm_xor_si128(fold(x1, k128), x2);
  x3 = _mm_xor_si128(fold(x2, k128), x3);
  while (n >= 16) {
    x3 = _mm_xor_si128(fold(x3, k128), load(p));
    p += 16;
    n -= 16;
  }
  alignas(16) unsigned char rest[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(rest), x3);
  return crc64_sliced(crc64_sliced(0, rest, sizeof rest), p, n);
}

const bool kHaveClmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");

}  // namespace

uint64_t crc64nvme(std::string_view data, uint64_t previous) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  if (kHaveClmul && data.size() >= 64) return ~crc64_clmul(~previous, p, data.size());
  return ~crc64_sliced(~previous, p, data.size());
}

uint64_t crc64nvme_portable(std::string_view data, uint64_t previous) {
  return ~crc64_sliced(~previous, reinterpret_cast<const unsigned char*>(data.data()), data.size());
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

std::string Checksummer::digest() {
  switch (algorithm_) {
    case ChecksumAlgorithm::Crc32:
    case ChecksumAlgorithm::Crc32c: return be_bytes(crc_, 4);
    case ChecksumAlgorithm::Crc64Nvme: return be_bytes(crc_, 8);
    case ChecksumAlgorithm::Sha1:
    case ChecksumAlgorithm::Sha256: {
      unsigned char out[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(md_), out, &len);
      return std::string(reinterpret_cast<const char*>(out), len);
    }
  }
  return "";
}

std::string Checksummer::base64() { return crypto::base64_encode(digest()); }

std::string checksum_base64(ChecksumAlgorithm a, std::string_view data) {
  Checksummer c(a);
  c.update(data);
  return c.base64();
}

DigestSet::DigestSet(bool md5, const std::vector<ChecksumAlgorithm>& checksums) {
  if (md5) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_md5(), nullptr) != 1) {
      EVP_MD_CTX_free(ctx);
      throw std::runtime_error("EVP_DigestInit_ex failed");
    }
    md5_ = ctx;
  }
  sums_.reserve(checksums.size());
  for (ChecksumAlgorithm a : checksums) {
    bool seen = false;
    for (const Checksummer& c : sums_) seen = seen || c.algorithm() == a;
    if (!seen) sums_.emplace_back(a);
  }
}

DigestSet::~DigestSet() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(md5_)); }

void DigestSet::update(std::string_view bytes) {
  if (md5_) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(md5_), bytes.data(), bytes.size());
  for (Checksummer& c : sums_) c.update(bytes);
}

PayloadDigests DigestSet::finish() {
  PayloadDigests out;
  if (md5_) {
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(md5_), buf, &len);
    out.values.emplace_back("MD5", std::string(reinterpret_cast<const char*>(buf), len));
  }
  for (Checksummer& c : sums_) out.values.emplace_back(std::string(checksum_name(c.algorithm())), c.digest());
  return out;
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
