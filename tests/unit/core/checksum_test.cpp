// S3 checksums (core/checksum.hpp): known answers, and the sliced CRCs against a bytewise
// reference over every length and alignment up to a few blocks.
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

}  // namespace
}  // namespace awan
