// Compressed request bodies (gateway/content_encoding.hpp).
#include "gateway/content_encoding.hpp"

#include <gtest/gtest.h>

#include "core/compress.hpp"

namespace awan::gateway {
namespace {

http::Request with_body(std::string body, std::string encoding) {
  http::Request r;  // method and path do not matter here
  r.body = std::move(body);
  if (!encoding.empty()) r.headers.add("Content-Encoding", encoding);
  return r;
}

Route service(const char* name) {
  Route r;
  r.kind = RouteKind::service;
  r.service = name;
  return r;
}

TEST(ContentEncoding, InflatesGzipAndDeflate) {
  std::string json = R"({"TableName":"t"})";
  auto r = with_body(*compress::encode(json, compress::Encoding::gzip), "gzip");
  EXPECT_FALSE(decode_content_encoding(r, service("dynamodb"), 1 << 20));
  EXPECT_EQ(r.body, json);
  EXPECT_FALSE(r.headers.has("content-encoding"));
  EXPECT_EQ(r.headers.get("content-length"), std::to_string(json.size()));
  auto d = with_body(*compress::encode(json, compress::Encoding::deflate), "identity, Deflate");
  EXPECT_FALSE(decode_content_encoding(d, service("lambda"), 1 << 20));
  EXPECT_EQ(d.body, json);
  EXPECT_EQ(d.headers.get("content-encoding"), "identity");
}

TEST(ContentEncoding, LeavesS3AndOtherCodingsAlone) {
  std::string gz = *compress::encode("abc", compress::Encoding::gzip);
  auto s3 = with_body(gz, "gzip");
  EXPECT_FALSE(decode_content_encoding(s3, service("s3"), 1 << 20));
  EXPECT_EQ(s3.body, gz);
  EXPECT_EQ(s3.headers.get("content-encoding"), "gzip");
  auto br = with_body("xyz", "br");
  EXPECT_FALSE(decode_content_encoding(br, service("lambda"), 1 << 20));
  EXPECT_EQ(br.body, "xyz");
  auto identity = with_body("xyz", "identity");
  EXPECT_FALSE(decode_content_encoding(identity, service("dynamodb"), 1 << 20));
  auto none = with_body("xyz", "");
  EXPECT_FALSE(decode_content_encoding(none, service("dynamodb"), 1 << 20));
}

TEST(ContentEncoding, RefusesBrokenEmptyAndOversized) {
  auto broken = with_body("definitely not gzip", "gzip");
  auto e = decode_content_encoding(broken, service("lambda"), 1 << 20);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "SerializationException");
  auto empty = with_body("", "gzip");
  ASSERT_TRUE(decode_content_encoding(empty, service("lambda"), 1 << 20));
  // A small body that inflates beyond the limit (a decompression bomb) stops at the limit.
  auto bomb = with_body(*compress::encode(std::string(4 << 20, '\0'), compress::Encoding::gzip), "gzip");
  EXPECT_LT(bomb.body.size(), 10000u);
  auto big = decode_content_encoding(bomb, service("dynamodb"), 1 << 20);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->code, "RequestEntityTooLarge");
  EXPECT_EQ(big->http_status, 413);
}

// DynamoDB answers 500 InternalServerError to a coding it does not know and to a body that does
// not inflate, an empty one included.
TEST(ContentEncoding, DynamoDbAnswers500ToWhatItCannotDecode) {
  std::string gz = *compress::encode("{}", compress::Encoding::gzip);
  for (auto [body, coding] : {std::pair<std::string, std::string>{"{}", "br"}, {"{}", "compress"}, {gz, "gzip, br"},
                              {"{}", "gzip"}, {"", "gzip"}, {"", "deflate"}, {"{}", "deflate"}}) {
    auto r = with_body(body, coding);
    auto e = decode_content_encoding(r, service("dynamodb"), 1 << 20);
    ASSERT_TRUE(e) << coding;
    EXPECT_EQ(e->code, "InternalServerError") << coding;
    EXPECT_EQ(e->http_status, 500) << coding;
  }
  auto ok = with_body(gz, "identity, gzip");
  EXPECT_FALSE(decode_content_encoding(ok, service("dynamodb"), 1 << 20));
  EXPECT_EQ(ok.body, "{}");
}

}  // namespace
}  // namespace awan::gateway
