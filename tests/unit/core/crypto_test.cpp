#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "core/ids.hpp"

using namespace awan;

TEST(Crypto, Sha256KnownVectors) {
  EXPECT_EQ(crypto::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(crypto::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(crypto::hex(crypto::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, Md5) { EXPECT_EQ(crypto::md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72"); }

TEST(Crypto, Base64RoundTripAllLengths) {
  std::string s;
  for (int i = 0; i < 40; ++i) {
    auto enc = crypto::base64_encode(s);
    auto dec = crypto::base64_decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, s);
    s += static_cast<char>(i * 37);
  }
  EXPECT_EQ(crypto::base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(crypto::base64_encode("fo"), "Zm8=");
}

TEST(Crypto, Base64RejectsGarbage) {
  EXPECT_FALSE(crypto::base64_decode("Zm9v!mFy").has_value());
  EXPECT_FALSE(crypto::base64_decode("Z").has_value());
  EXPECT_FALSE(crypto::base64_decode("Zm8==").has_value());
}

TEST(Crypto, HexRoundTripAndRejects) {
  EXPECT_EQ(crypto::hex("\x01\xab"), "01ab");
  EXPECT_EQ(*crypto::unhex("01AB"), "\x01\xab");
  EXPECT_FALSE(crypto::unhex("0").has_value());
  EXPECT_FALSE(crypto::unhex("zz").has_value());
}

TEST(Crypto, Crc32AndCrc32c) {
  EXPECT_EQ(crypto::crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crypto::crc32c("123456789"), 0xE3069283u);
  // Incremental computation equals one-shot.
  EXPECT_EQ(crypto::crc32("6789", crypto::crc32("12345")), 0xCBF43926u);
  EXPECT_EQ(crypto::base64_be32(0xCBF43926u), "y/Q5Jg==");
}

TEST(Ids, Uuid4Shape) {
  auto u = ids::uuid4();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[8], '-');
  EXPECT_EQ(u[14], '4');
  EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b');
  EXPECT_NE(ids::uuid4(), u);
  for (int n = 0; n < 100; ++n) {
    u = ids::uuid4();
    for (size_t i = 0; i < u.size(); ++i) {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        EXPECT_EQ(u[i], '-') << u;
      else
        EXPECT_NE(std::string_view("0123456789abcdef").find(u[i]), std::string_view::npos) << u;
    }
  }
}

TEST(Ids, IamUniqueId) {
  auto id = ids::iam_unique_id("AROA");
  ASSERT_EQ(id.size(), 21u);
  EXPECT_EQ(id.substr(0, 4), "AROA");
  EXPECT_EQ(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), std::string::npos);
}
