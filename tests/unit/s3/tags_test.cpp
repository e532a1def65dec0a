// Tag sets and the x-amz-tagging header (emulators/s3/tags.hpp).
#include "s3/tags.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace awan::s3 {
namespace {

using json = nlohmann::json;

TEST(TaggingHeader, ParsesUrlEncodedPairs) {
  json tags;
  EXPECT_FALSE(parse_tagging_header("a=1&b%20c=d%C3%A9&e", tags));
  EXPECT_EQ(tags, json::parse(R"([{"Key": "a", "Value": "1"}, {"Key": "b c", "Value": "dé"}, {"Key": "e", "Value": ""}])"));
}

// The fuzzer's input: raw bytes that are not UTF-8 once decoded are the header's InvalidArgument
// (they reached json::dump as a tag and threw type_error 316).
TEST(TaggingHeader, BytesThatAreNotUtf8AreRefused) {
  json tags;
  for (const char* header : {"a\xC9tr\x01 ld", "k=%C9t", "%FF=v"}) {
    auto e = parse_tagging_header(header, tags);
    ASSERT_TRUE(e) << header;
    EXPECT_EQ(e->code, "InvalidArgument");
  }
}

}  // namespace
}  // namespace awan::s3
