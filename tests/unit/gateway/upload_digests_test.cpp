// Which digests the HTTP layer computes over an upload as it arrives (gateway/upload_digests.hpp):
// S3 object and part PUTs only, the default CRC64NVME, the named checksum, the claimed SHA-256.
#include "request_builder.hpp"
#include "gateway/upload_digests.hpp"

#include <gtest/gtest.h>

#include "core/checksum.hpp"
#include "core/crypto.hpp"

using namespace awan;

namespace {
http::Request make(std::string method, std::string target,
                   std::vector<std::pair<std::string, std::string>> headers = {}, std::string body = "") {
  return gateway::testing_support::request(std::move(method), std::move(target), std::move(headers), std::move(body));
}

// The algorithm names the digester computes, in order.
std::vector<std::string> names(const http::Request& head, bool decoded = false) {
  auto d = gateway::upload_digester(head, decoded);
  if (!d) return {};
  d->update("abc");
  std::vector<std::string> out;
  for (auto& [name, digest] : d->finish().values) out.push_back(name);
  return out;
}
using Names = std::vector<std::string>;
const std::string kS3Auth =
    "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc";
}  // namespace

TEST(UploadDigests, ObjectAndPartPutsGetMd5AndCrc64Nvme) {
  EXPECT_EQ(names(make("PUT", "/bucket/key")), (Names{"MD5", "CRC64NVME"}));
  EXPECT_EQ(names(make("PUT", "/bucket/key?partNumber=1&uploadId=u", {{"Authorization", kS3Auth}})),
            (Names{"MD5", "CRC64NVME"}));
}

TEST(UploadDigests, TheDigestsAreOfTheBytesFed) {
  auto d = gateway::upload_digester(make("PUT", "/bucket/key", {{"x-amz-checksum-crc32c", "AAAAAA=="}}));
  ASSERT_TRUE(d);
  d->update("hello ");
  d->update("world");
  PayloadDigests out = d->finish();
  EXPECT_EQ(*out.find("MD5"), crypto::md5("hello world"));
  EXPECT_EQ(crypto::base64_encode(*out.find("CRC32C")), checksum_base64(ChecksumAlgorithm::Crc32c, "hello world"));
}

TEST(UploadDigests, TheNamedChecksumAndTheClaimedSha256AreAdded) {
  EXPECT_EQ(names(make("PUT", "/b/k", {{"X-Amz-Checksum-SHA1", "x"}})), (Names{"MD5", "CRC64NVME", "SHA1"}));
  EXPECT_EQ(names(make("PUT", "/b/k", {{"x-amz-sdk-checksum-algorithm", "CRC32"}})), (Names{"MD5", "CRC64NVME", "CRC32"}));
  EXPECT_EQ(names(make("PUT", "/b/k", {{"x-amz-checksum-crc64nvme", "x"}})), (Names{"MD5", "CRC64NVME"}));
  EXPECT_EQ(names(make("PUT", "/b/k", {{"x-amz-content-sha256", std::string(64, 'a')}})),
            (Names{"MD5", "CRC64NVME", "SHA256"}));
  EXPECT_EQ(names(make("PUT", "/b/k", {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}})), (Names{"MD5", "CRC64NVME"}));
  EXPECT_EQ(names(make("PUT", "/b/k", {{"x-amz-sdk-checksum-algorithm", "MD6"}})), (Names{"MD5", "CRC64NVME"}));
}

TEST(UploadDigests, AwsChunkedBodiesAreDigestedOnlyOnceDecoded) {
  auto head = make("PUT", "/b/k", {{"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
                                   {"x-amz-trailer", " x-amz-checksum-crc32 "}});
  EXPECT_EQ(names(head), Names{});  // the bytes received are the framing
  EXPECT_EQ(names(head, true), (Names{"MD5", "CRC64NVME", "CRC32"}));
}

TEST(UploadDigests, OtherRequestsGetNone) {
  EXPECT_EQ(names(make("GET", "/b/k")), Names{});
  EXPECT_EQ(names(make("POST", "/b/k?uploads")), Names{});
  EXPECT_EQ(names(make("PUT", "/b/k", {{"x-amz-copy-source", "/b/other"}})), Names{});
  EXPECT_EQ(names(make("PUT", "/2015-03-31/functions/f/code",
                       {{"Authorization",
                         "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/lambda/aws4_request, "
                         "SignedHeaders=host, Signature=abc"}})),
            Names{});
}
