// Digests of S3 object bodies (emulators/s3/object_support.cpp): one-pass hashing, Content-MD5
// and checksum checks, multipart ETags, COMPOSITE and FULL_OBJECT checksums, CRC combination.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/checksum.hpp"
#include "core/crypto.hpp"
#include "s3/object_support.hpp"

namespace awan::s3 {
namespace {

const std::vector<std::string> kParts = {std::string(10, 'a'), "hello world", "xyz"};

std::string hashed_md5_base64(std::string_view body) { return crypto::base64_encode(crypto::md5(body)); }

// verify_payload of `in` over `body`, with the claim the request makes.
std::optional<AwsError> verify(const json& in, std::string_view body) {
  RequestContext ctx;
  ChecksumClaim claim = checksum_claim(in, ctx, std::nullopt);
  PayloadHasher h(claim.algorithm, false);
  h.update(body);
  h.finish();
  try {
    verify_payload(in, claim, h, ctx);
    return std::nullopt;
  } catch (const AwsError& e) {
    return e;
  }
}

TEST(S3PayloadHasher, OnePassEqualsWhole) {
  PayloadHasher p(ChecksumAlgorithm::Crc32c, true);
  p.update("hello ");
  p.update("");
  p.update("world");
  p.finish();
  EXPECT_EQ(p.md5_hex(), "5eb63bbbe01eeed093cb22bb8f5acdc3");
  EXPECT_EQ(p.md5_raw(), crypto::md5("hello world"));
  EXPECT_EQ(p.sha256_hex(), crypto::sha256_hex("hello world"));
  EXPECT_EQ(p.checksum(), checksum_base64(ChecksumAlgorithm::Crc32c, "hello world"));
}

TEST(S3PayloadHasher, MinimalAndEmpty) {
  PayloadHasher empty(std::nullopt, false);
  empty.finish();
  EXPECT_EQ(empty.md5_hex(), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_TRUE(empty.checksum().empty());
  EXPECT_TRUE(empty.sha256_hex().empty());
  for (auto a : {ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Crc32c, ChecksumAlgorithm::Crc64Nvme,
                 ChecksumAlgorithm::Sha1, ChecksumAlgorithm::Sha256}) {
    PayloadHasher x(a, false);
    x.update("123456789");
    x.finish();
    EXPECT_EQ(x.checksum(), checksum_base64(a, "123456789"));
    EXPECT_EQ(crypto::base64_decode(x.checksum())->size(), checksum_size(a));
  }
}

TEST(S3ContentMd5, Checks) {
  EXPECT_FALSE(verify({{"ContentMD5", hashed_md5_base64("hello world")}}, "hello world"));
  auto bad = verify({{"ContentMD5", hashed_md5_base64("other")}}, "hello world");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->code, "BadDigest");
  EXPECT_EQ(bad->message, "The Content-MD5 you specified did not match what we received.");
  EXPECT_EQ((*bad->details)["ExpectedDigest"], crypto::md5_hex("other"));
  EXPECT_EQ((*bad->details)["CalculatedDigest"], hashed_md5_base64("hello world"));
  for (auto v : {"", "abc", "!!!!", "AAAA", "aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ="}) {
    auto e = verify({{"ContentMD5", v}}, "hello world");
    ASSERT_TRUE(e) << v;
    EXPECT_EQ(e->code, "InvalidDigest");
    EXPECT_EQ(e->message, "The Content-MD5 you specified was invalid.");
    EXPECT_EQ(e->http_status, 400);
    EXPECT_EQ((*e->details)["Content-MD5"], v);
  }
}

TEST(S3PayloadChecksum, UsesCoreCheck) {
  std::string good = checksum_base64(ChecksumAlgorithm::Sha256, "hello world");
  EXPECT_FALSE(verify({{"ChecksumSHA256", good}}, "hello world"));
  auto bad = verify({{"ChecksumSHA256", checksum_base64(ChecksumAlgorithm::Sha256, "x")}}, "hello world");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->code, "BadDigest");
  auto malformed = verify({{"ChecksumSHA256", "nope"}}, "hello world");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->code, "InvalidRequest");
}

TEST(S3ChecksumType, Support) {
  using enum ChecksumType;
  EXPECT_TRUE(supports_checksum_type(ChecksumAlgorithm::Crc32, Composite));
  EXPECT_TRUE(supports_checksum_type(ChecksumAlgorithm::Crc32, FullObject));
  EXPECT_TRUE(supports_checksum_type(ChecksumAlgorithm::Crc32c, FullObject));
  EXPECT_TRUE(supports_checksum_type(ChecksumAlgorithm::Crc64Nvme, FullObject));
  EXPECT_FALSE(supports_checksum_type(ChecksumAlgorithm::Crc64Nvme, Composite));
  EXPECT_TRUE(supports_checksum_type(ChecksumAlgorithm::Sha1, Composite));
  EXPECT_FALSE(supports_checksum_type(ChecksumAlgorithm::Sha1, FullObject));
  EXPECT_FALSE(supports_checksum_type(ChecksumAlgorithm::Sha256, FullObject));
  EXPECT_EQ(default_checksum_type(ChecksumAlgorithm::Crc64Nvme), FullObject);
  EXPECT_EQ(default_checksum_type(ChecksumAlgorithm::Crc32), Composite);
  EXPECT_EQ(checksum_type_from_name("FULL_OBJECT"), FullObject);
  EXPECT_EQ(checksum_type_from_name("COMPOSITE"), Composite);
  EXPECT_FALSE(checksum_type_from_name("composite"));
  EXPECT_EQ(checksum_type_name(FullObject), "FULL_OBJECT");
}

TEST(S3ChecksumType, Validation) {
  EXPECT_FALSE(validate_checksum_type(std::nullopt, std::nullopt));
  EXPECT_FALSE(validate_checksum_type(ChecksumAlgorithm::Sha1, std::nullopt));
  EXPECT_FALSE(validate_checksum_type(ChecksumAlgorithm::Crc32, ChecksumType::FullObject));
  auto no_algorithm = validate_checksum_type(std::nullopt, ChecksumType::Composite);
  ASSERT_TRUE(no_algorithm);
  EXPECT_EQ(no_algorithm->code, "InvalidRequest");
  EXPECT_EQ(no_algorithm->message,
            "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
  auto sha = validate_checksum_type(ChecksumAlgorithm::Sha256, ChecksumType::FullObject);
  ASSERT_TRUE(sha);
  EXPECT_EQ(sha->code, "InvalidRequest");
  EXPECT_EQ(sha->http_status, 400);
  EXPECT_EQ(sha->message, "The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.");
  auto sha1 = validate_checksum_type(ChecksumAlgorithm::Sha1, ChecksumType::FullObject);
  EXPECT_EQ(sha1->message, "The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm.");
  auto nvme = validate_checksum_type(ChecksumAlgorithm::Crc64Nvme, ChecksumType::Composite);
  ASSERT_TRUE(nvme);
  EXPECT_EQ(nvme->message, "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.");
}

TEST(S3Multipart, Etag) {
  std::vector<std::string> etags;
  for (const auto& p : kParts) etags.push_back(quoted(crypto::md5_hex(p)));
  EXPECT_EQ(multipart_etag(etags), "bd30b0886824a5c9255a4f529ada9a9d-3");
  etags[1] = crypto::md5_hex(kParts[1]);  // unquoted works too
  EXPECT_EQ(multipart_etag(etags), "bd30b0886824a5c9255a4f529ada9a9d-3");
  EXPECT_FALSE(multipart_etag({}));
  std::vector<std::string> bad = {"\"xyz\""};
  EXPECT_FALSE(multipart_etag(bad));
  bad = {std::string(32, 'g')};
  EXPECT_FALSE(multipart_etag(bad));
}

TEST(S3Multipart, Composite) {
  std::vector<std::string> crcs, shas;
  for (const auto& p : kParts) {
    crcs.push_back(checksum_base64(ChecksumAlgorithm::Crc32, p));
    shas.push_back(checksum_base64(ChecksumAlgorithm::Sha256, p));
  }
  EXPECT_EQ(composite_checksum(ChecksumAlgorithm::Crc32, crcs), "16jy3g==-3");
  EXPECT_EQ(composite_checksum(ChecksumAlgorithm::Sha256, shas), "4MKQIsNXWMOQh8dsni2i6q/6CmO27opFfp2+3msP1Y8=-3");
  EXPECT_FALSE(composite_checksum(ChecksumAlgorithm::Sha256, crcs));  // wrong size
  std::vector<std::string> bad = {"%%%"};
  EXPECT_FALSE(composite_checksum(ChecksumAlgorithm::Crc32, bad));
}

TEST(S3Multipart, FullObject) {
  std::string whole;
  for (const auto& p : kParts) whole += p;
  for (auto a : {ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Crc32c, ChecksumAlgorithm::Crc64Nvme}) {
    std::vector<PartChecksum> parts;
    for (const auto& p : kParts) parts.push_back({checksum_base64(a, p), p.size()});
    EXPECT_EQ(full_object_checksum(a, parts), checksum_base64(a, whole));
    parts.insert(parts.begin() + 1, PartChecksum{checksum_base64(a, ""), 0});  // an empty part
    EXPECT_EQ(full_object_checksum(a, parts), checksum_base64(a, whole));
  }
  EXPECT_EQ(full_object_checksum(ChecksumAlgorithm::Crc32, {}), checksum_base64(ChecksumAlgorithm::Crc32, ""));
  std::vector<PartChecksum> sha = {{checksum_base64(ChecksumAlgorithm::Sha1, "x"), 1}};
  EXPECT_FALSE(full_object_checksum(ChecksumAlgorithm::Sha1, sha));
  std::vector<PartChecksum> bad = {{"AAAA", 1}};  // 3 bytes
  EXPECT_FALSE(full_object_checksum(ChecksumAlgorithm::Crc32, bad));
}

TEST(S3CrcCombine, MatchesConcatenation) {
  const std::vector<std::string> samples = {"", "a", "123456789", std::string(1000, '\xff'),
                                            std::string(4097, 'z') + "tail"};
  for (const auto& a : samples) {
    for (const auto& b : samples) {
      std::string ab = a + b;
      EXPECT_EQ(crc32_combine(crypto::crc32(a), crypto::crc32(b), b.size()), crypto::crc32(ab));
      EXPECT_EQ(crc32c_combine(crypto::crc32c(a), crypto::crc32c(b), b.size()), crypto::crc32c(ab));
      EXPECT_EQ(crc64nvme_combine(crc64nvme(a), crc64nvme(b), b.size()), crc64nvme(ab));
    }
  }
}

TEST(S3CrcCombine, KnownValues) {
  EXPECT_EQ(crypto::crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crypto::crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc64nvme("123456789"), 0xAE8B14860A799888ULL);
  EXPECT_EQ(crc32_combine(crypto::crc32("12345"), crypto::crc32("6789"), 4), 0xCBF43926u);
  EXPECT_EQ(crc64nvme_combine(crc64nvme("1"), crc64nvme("23456789"), 8), 0xAE8B14860A799888ULL);
  // Large lengths: combining with the CRC of a long run of zero bytes.
  std::string zeros(1 << 20, '\0');
  EXPECT_EQ(crc32_combine(crypto::crc32("abc"), crypto::crc32(zeros), zeros.size()), crypto::crc32("abc" + zeros));
  EXPECT_EQ(crc64nvme_combine(crc64nvme("abc"), crc64nvme(zeros), zeros.size()), crc64nvme("abc" + zeros));
}

}  // namespace
}  // namespace awan::s3
