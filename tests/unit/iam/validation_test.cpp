#include <gtest/gtest.h>

#include "iam/validation.hpp"

namespace {

using awan::iam::validation::matches;
using awan::iam::validation::Pattern;
using awan::iam::validation::url_decode;
using awan::iam::validation::url_encode;
using awan::iam::validation::Validator;

TEST(IamValidation, Paths) {
  EXPECT_TRUE(matches(Pattern::Path, "/"));
  EXPECT_TRUE(matches(Pattern::Path, "/a/b/"));
  EXPECT_FALSE(matches(Pattern::Path, "//"));
  EXPECT_FALSE(matches(Pattern::Path, "/a"));
  EXPECT_FALSE(matches(Pattern::Path, "a/"));
  EXPECT_FALSE(matches(Pattern::Path, "/a b/"));
  EXPECT_TRUE(matches(Pattern::PathPrefix, "/"));
  EXPECT_TRUE(matches(Pattern::PathPrefix, "/app"));
  EXPECT_FALSE(matches(Pattern::PathPrefix, "app"));
  EXPECT_TRUE(matches(Pattern::PolicyPath, "/"));
  EXPECT_TRUE(matches(Pattern::PolicyPath, "/service-role/"));
  EXPECT_FALSE(matches(Pattern::PolicyPath, "/a//b/"));
  EXPECT_FALSE(matches(Pattern::PolicyPath, "/a*b/"));
}

TEST(IamValidation, NamesVersionsAndDocuments) {
  EXPECT_TRUE(matches(Pattern::Name, "a_b+c=d,e.f@g-h"));
  EXPECT_FALSE(matches(Pattern::Name, ""));
  EXPECT_FALSE(matches(Pattern::Name, "a/b"));
  EXPECT_TRUE(matches(Pattern::SessionName, ""));
  EXPECT_TRUE(matches(Pattern::VersionId, "v1"));
  EXPECT_TRUE(matches(Pattern::VersionId, "v12.x-1"));
  EXPECT_FALSE(matches(Pattern::VersionId, "v0"));
  EXPECT_FALSE(matches(Pattern::VersionId, "1"));
  EXPECT_TRUE(matches(Pattern::PolicyDocument, "{\"a\":\"\xC3\xA9\"}\n"));  // é is U+00E9
  EXPECT_FALSE(matches(Pattern::PolicyDocument, "{\"a\":\"\xE2\x82\xAC\"}"));  // € is U+20AC
  EXPECT_TRUE(matches(Pattern::TagKey, "aws:cloudformation stack-name"));
  EXPECT_FALSE(matches(Pattern::TagKey, "a#b"));
  EXPECT_FALSE(matches(Pattern::Description, "line\nbreak"));
}

TEST(IamValidation, LengthCountsCharactersNotBytes) {
  nlohmann::json in = {{"Key", std::string(3, 'x') + "\xC3\xA9"}};
  Validator v(in);
  v.str("Key", true, 1, 4);
  EXPECT_TRUE(v.ok());
  Validator w(in);
  w.str("Key", true, 1, 3);
  ASSERT_TRUE(w.error().has_value());
  EXPECT_EQ(w.error()->code, "ValidationError");
}

TEST(IamValidation, UrlEncodingRoundTrips) {
  std::string doc = R"({"Version": "2012-10-17", "Action": "s3:*", "x": "a+b/c~"})";
  std::string enc = url_encode(doc);
  EXPECT_EQ(enc.find(' '), std::string::npos);
  EXPECT_EQ(enc.find('+'), std::string::npos);
  EXPECT_NE(enc.find("%20"), std::string::npos);
  EXPECT_EQ(url_decode(enc), doc);
}

}  // namespace
