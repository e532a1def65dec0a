// S3 checksums (core/checksum.hpp): known answers, the sliced and folded CRCs against a bytewise
// reference over every length and alignment up to a few blocks, and the DigestSet.
#include "core/checksum.hpp"

#include <string>

#include <gtest/gtest.h>

#include "core/crypto.hpp"

namespace awan {
namespace {

uint64_t crc64_reference(std::string_view d) {
  uint64_t c = ~0ULL;
  for (unsigned char ch : d) {
    c ^= ch;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (0x9a6c9329ac4bc9b5ULL ^ (c >> 1)) : (c >> 1);
  }
  return ~c;
}

uint32_t crc32c_reference(std::string_view d) {
  uint32_t c = ~0u;
  for (unsigned char ch : d) {
    c ^= ch;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (0x82F63B78u ^ (c >> 1)) : (c >> 1);
  }
  return ~c;
}

TEST(Checksum, Crc64NvmeKnownAnswer) {
  // The CRC catalogue's check value of CRC-64/NVME.
  EXPECT_EQ(crc64nvme("123456789"), 0xAE8B14860A799888ULL);
  EXPECT_EQ(crc64nvme(""), 0u);
}

TEST(Checksum, SlicedCrcsMatchBytewiseAtEveryLengthAndOffset) {
  std::string data;
  for (int i = 0; i < 100; ++i) data.push_back(static_cast<char>(i * 37 + 11));
  for (size_t off = 0; off < 8; ++off) {
    for (size_t len = 0; off + len <= data.size(); ++len) {
      std::string_view v(data.data() + off, len);
      ASSERT_EQ(crc64nvme(v), crc64_reference(v)) << off << "/" << len;
      ASSERT_EQ(crypto::crc32c(v), crc32c_reference(v)) << off << "/" << len;
    }
  }
}

TEST(Checksum, FoldedCrc64MatchesTheTableAtEveryLengthAndOffset) {
  // Carry-less multiply folding (64 bytes a step, then 16, then the table) against the table
  // alone: every length across the step boundaries, at every alignment, and a few long ones.
  std::string data(300'000, '\0');
  uint64_t x = 88172645463325252ULL;
  for (char& c : data) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  for (size_t off = 0; off < 16; ++off) {
    for (size_t len = 0; len <= 600; ++len) {
      std::string_view v(data.data() + off, len);
      ASSERT_EQ(crc64nvme(v), crc64nvme_portable(v)) << off << "/" << len;
      ASSERT_EQ(crc64nvme(v, 0x0123456789abcdefULL), crc64nvme_portable(v, 0x0123456789abcdefULL)) << off << "/" << len;
    }
  }
  for (size_t len : {4096u, 65'537u, 299'990u}) {
    std::string_view v(data.data() + 3, len);
    ASSERT_EQ(crc64nvme(v), crc64nvme_portable(v)) << len;
    ASSERT_EQ(crc64nvme(v), crc64_reference(v)) << len;
  }
  EXPECT_EQ(crc64nvme(std::string(1000, 'a')), crc64_reference(std::string(1000, 'a')));
}

TEST(Checksum, ChainedCrcsEqualOnePass) {
  std::string a(1000, 'a'), b(333, 'b');
  EXPECT_EQ(crc64nvme(b, crc64nvme(a)), crc64nvme(a + b));
  EXPECT_EQ(crypto::crc32c(b, crypto::crc32c(a)), crypto::crc32c(a + b));
}

TEST(Checksum, ChecksummerIncrementalEqualsOneShot) {
  std::string data(5000, 'x');
  for (auto alg : {ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Crc32c, ChecksumAlgorithm::Crc64Nvme,
                   ChecksumAlgorithm::Sha1, ChecksumAlgorithm::Sha256}) {
    Checksummer c(alg);
    c.update(std::string_view(data).substr(0, 17));
    c.update(std::string_view(data).substr(17));
    EXPECT_EQ(c.base64(), checksum_base64(alg, data));
  }
}

TEST(Checksum, DigestSetComputesMd5AndEachChecksumOnce) {
  std::string data = "The quick brown fox jumps over the lazy dog";
  DigestSet d(true, {ChecksumAlgorithm::Crc64Nvme, ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Crc64Nvme});
  d.update(std::string_view(data).substr(0, 10));
  d.update(std::string_view(data).substr(10));
  PayloadDigests out = d.finish();
  ASSERT_EQ(out.values.size(), 3u);  // MD5, CRC64NVME, CRC32: the repeated algorithm once
  ASSERT_NE(out.find("MD5"), nullptr);
  EXPECT_EQ(crypto::hex(*out.find("MD5")), "9e107d9d372bb6826bd81d3542a419d6");
  ASSERT_NE(out.find("CRC32"), nullptr);
  EXPECT_EQ(crypto::base64_encode(*out.find("CRC32")), checksum_base64(ChecksumAlgorithm::Crc32, data));
  EXPECT_EQ(crypto::base64_encode(*out.find("CRC64NVME")), checksum_base64(ChecksumAlgorithm::Crc64Nvme, data));
  EXPECT_EQ(out.find("SHA256"), nullptr);
  DigestSet no_md5(false, {ChecksumAlgorithm::Sha256});
  no_md5.update(data);
  PayloadDigests s = no_md5.finish();
  EXPECT_EQ(s.find("MD5"), nullptr);
  ASSERT_NE(s.find("SHA256"), nullptr);
  EXPECT_EQ(*s.find("SHA256"), crypto::sha256(data));
}

}  // namespace
}  // namespace awan
