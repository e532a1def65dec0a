// The Range header of GetObject / HeadObject (emulators/s3/object_rules.cpp, resolve_range).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "s3/object_support.hpp"

namespace awan::s3 {
namespace {

std::optional<ByteRange> partial(std::string_view h, uint64_t size) {
  auto r = resolve_range(h, size);
  EXPECT_FALSE(r.error) << h;
  return r.range;
}

bool whole(std::string_view h, uint64_t size) {
  auto r = resolve_range(h, size);
  return !r.range && !r.error;
}

bool unsatisfiable(std::string_view h, uint64_t size) {
  auto r = resolve_range(h, size);
  return r.error && !r.range;
}

TEST(S3Range, FirstLast) {
  EXPECT_EQ(partial("bytes=0-9", 100), (ByteRange{0, 9}));
  EXPECT_EQ(partial("bytes=0-0", 100), (ByteRange{0, 0}));
  EXPECT_EQ(partial("bytes=99-99", 100), (ByteRange{99, 99}));
  EXPECT_EQ(partial("bytes=10-200", 100), (ByteRange{10, 99}));  // clamped
  EXPECT_EQ(partial("bytes=5-99999999999999999999999", 100), (ByteRange{5, 99}));
  EXPECT_EQ(partial("bytes=0-9", 100)->length(), 10u);
}

TEST(S3Range, OpenEnded) {
  EXPECT_EQ(partial("bytes=0-", 100), (ByteRange{0, 99}));
  EXPECT_EQ(partial("bytes=42-", 100), (ByteRange{42, 99}));
}

TEST(S3Range, Suffix) {
  EXPECT_EQ(partial("bytes=-20", 100), (ByteRange{80, 99}));
  EXPECT_EQ(partial("bytes=-100", 100), (ByteRange{0, 99}));
  EXPECT_EQ(partial("bytes=-150", 100), (ByteRange{0, 99}));
  EXPECT_EQ(partial("bytes=-99999999999999999999999", 100), (ByteRange{0, 99}));
}

TEST(S3Range, Lenient) {
  EXPECT_EQ(partial(" bytes=1-2 ", 100), (ByteRange{1, 2}));
  EXPECT_EQ(partial("Bytes=1-2", 100), (ByteRange{1, 2}));
  EXPECT_EQ(partial("bytes = 1-2", 100), (ByteRange{1, 2}));
}

TEST(S3Range, IgnoredHeaders) {
  for (auto h : {"", "bytes", "bytes=", "bytes=-", "bytes=abc", "bytes=1", "bytes=a-b", "bytes=5-2",
                 "bytes=0-1,3-4", "bytes=-1,-2", "items=0-1", "bytes=0 - 1", "bytes=+1-2", "bytes=1--2",
                 "bytes=0x1-2", "bytes:0-1", "0-1"}) {
    EXPECT_TRUE(whole(h, 100)) << h;
  }
}

TEST(S3Range, Unsatisfiable) {
  EXPECT_TRUE(unsatisfiable("bytes=100-", 100));
  EXPECT_TRUE(unsatisfiable("bytes=100-200", 100));
  EXPECT_TRUE(unsatisfiable("bytes=99999999999999999999999-", 100));
  EXPECT_TRUE(unsatisfiable("bytes=-0", 100));
  auto r = resolve_range("bytes=100-", 100);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "InvalidRange");
  EXPECT_EQ(r.error->message, "The requested range is not satisfiable");
  EXPECT_EQ(r.error->http_status, 416);
  ASSERT_TRUE(r.error->details);
  EXPECT_EQ((*r.error->details)["ActualObjectSize"], "100");
  EXPECT_EQ((*r.error->details)["RangeRequested"], "bytes=100-");
}

TEST(S3Range, EmptyObject) {
  EXPECT_TRUE(unsatisfiable("bytes=0-", 0));
  EXPECT_TRUE(unsatisfiable("bytes=0-0", 0));
  EXPECT_TRUE(unsatisfiable("bytes=1-2", 0));
  EXPECT_TRUE(unsatisfiable("bytes=-0", 0));
  EXPECT_TRUE(whole("bytes=-1", 0));  // S3 answers 200 with the empty body
  EXPECT_TRUE(whole("bytes=-512", 0));
  EXPECT_TRUE(whole("bytes=5-2", 0));
}

TEST(S3Range, ContentRange) { EXPECT_EQ(content_range(0, 9, 100), "bytes 0-9/100"); }

}  // namespace
}  // namespace awan::s3
