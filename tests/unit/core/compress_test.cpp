// gzip/deflate bodies and Accept-Encoding negotiation (core/compress.hpp).
#include "core/compress.hpp"

#include <gtest/gtest.h>

namespace awan::compress {
namespace {

TEST(Compress, Negotiates) {
  EXPECT_EQ(negotiate(""), Encoding::identity);
  EXPECT_EQ(negotiate("gzip"), Encoding::gzip);
  EXPECT_EQ(negotiate("deflate, gzip;q=0.5"), Encoding::gzip);
  EXPECT_EQ(negotiate("GZIP"), Encoding::gzip);
  EXPECT_EQ(negotiate("gzip;q=0, deflate"), Encoding::deflate);
  EXPECT_EQ(negotiate("identity"), Encoding::identity);
  EXPECT_EQ(negotiate("br"), Encoding::identity);
  EXPECT_EQ(negotiate("*"), Encoding::gzip);
  EXPECT_EQ(negotiate("*;q=0"), Encoding::identity);
  EXPECT_EQ(negotiate(",,;;q=,"), Encoding::identity);
}

TEST(Compress, RoundTrips) {
  std::string data(10000, 'a');
  for (auto e : {Encoding::gzip, Encoding::deflate, Encoding::identity}) {
    auto z = encode(data, e);
    ASSERT_TRUE(z);
    if (e != Encoding::identity) {
      EXPECT_LT(z->size(), 200u);
    }
    auto back = decode(*z, e, 1 << 20);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, data);
  }
  EXPECT_EQ(encode("", Encoding::gzip).has_value(), true);
  EXPECT_EQ(*decode(*encode("", Encoding::gzip), Encoding::gzip, 10), "");
  auto gz = *encode(data, Encoding::gzip);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);  // the gzip magic
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
}

TEST(Compress, RefusesBrokenTruncatedAndOversized) {
  std::string data(10000, 'b');
  auto z = *encode(data, Encoding::gzip);
  EXPECT_FALSE(decode(z.substr(0, z.size() / 2), Encoding::gzip, 1 << 20));
  EXPECT_FALSE(decode("not gzip at all", Encoding::gzip, 1 << 20));
  EXPECT_FALSE(decode(z, Encoding::deflate, 1 << 20));  // wrong framing
  EXPECT_FALSE(decode(z, Encoding::gzip, 9999));       // inflates beyond the limit
  EXPECT_TRUE(decode(z, Encoding::gzip, 10000));
  EXPECT_FALSE(decode(std::string(20, 'x'), Encoding::identity, 10));
}

}  // namespace
}  // namespace awan::compress
