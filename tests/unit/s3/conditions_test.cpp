// S3 conditional requests (emulators/s3/object_rules.cpp): entity-tag lists, HTTP dates, and the
// evaluation orders of reads, copy sources and conditional writes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "s3/object_support.hpp"

namespace awan::s3 {
namespace {

using json = nlohmann::json;

const std::string kEtag = "\"d41d8cd98f00b204e9800998ecf8427e\"";
constexpr int64_t kModified = 1700000000;

ObjectRow object() {
  ObjectRow o;
  o.etag = kEtag;
  o.modified = kModified + 0.75;  // the sub-second part is ignored
  return o;
}

// "" when the read proceeds, "304" for NotModified, else the failed Condition.
std::string read(const json& in) {
  try {
    check_read_conditions(in, object());
    return "";
  } catch (const AwsError& e) {
    if (e.http_status == 304) {
      EXPECT_EQ(e.code, "NotModified");
      return "304";
    }
    EXPECT_EQ(e.code, "PreconditionFailed");
    EXPECT_EQ(e.message, "At least one of the pre-conditions you specified did not hold");
    EXPECT_EQ(e.http_status, 412);
    return (*e.details)["Condition"].get<std::string>();
  }
}

std::string copy(const json& in) {
  try {
    check_copy_conditions(in, object());
    return "";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code, "PreconditionFailed");
    EXPECT_EQ(e.http_status, 412);
    return (*e.details)["Condition"].get<std::string>();
  }
}

std::optional<AwsError> write(const json& in, bool exists) {
  ObjectRow current = object();
  try {
    check_write_conditions(in, exists ? &current : nullptr);
    return std::nullopt;
  } catch (const AwsError& e) {
    return e;
  }
}

TEST(S3EtagList, Forms) {
  EXPECT_TRUE(etag_list_matches("\"d41d8cd98f00b204e9800998ecf8427e\"", kEtag));
  EXPECT_TRUE(etag_list_matches("d41d8cd98f00b204e9800998ecf8427e", kEtag));
  EXPECT_TRUE(etag_list_matches("W/\"d41d8cd98f00b204e9800998ecf8427e\"", kEtag));
  EXPECT_TRUE(etag_list_matches("\"x\", \"d41d8cd98f00b204e9800998ecf8427e\"", kEtag));
  EXPECT_TRUE(etag_list_matches("x,d41d8cd98f00b204e9800998ecf8427e", kEtag));
  EXPECT_TRUE(etag_list_matches("*", kEtag));
  EXPECT_TRUE(etag_list_matches(" * ", kEtag));
  EXPECT_FALSE(etag_list_matches("\"D41D8CD98F00B204E9800998ECF8427E\"", kEtag));
  EXPECT_FALSE(etag_list_matches("\"x\", \"y\"", kEtag));
  EXPECT_FALSE(etag_list_matches("", kEtag));
  EXPECT_FALSE(etag_list_matches(",,", kEtag));
  EXPECT_FALSE(etag_list_matches("\"\"", ""));
  EXPECT_FALSE(etag_list_matches("\"", kEtag));
}

TEST(S3ReadConditions, NoneProceeds) { EXPECT_EQ(read(json::object()), ""); }

TEST(S3ReadConditions, IfMatch) {
  EXPECT_EQ(read({{"IfMatch", kEtag}}), "");
  EXPECT_EQ(read({{"IfMatch", "*"}}), "");
  EXPECT_EQ(read({{"IfMatch", "\"other\""}}), "If-Match");
}

TEST(S3ReadConditions, IfUnmodifiedSince) {
  EXPECT_EQ(read({{"IfUnmodifiedSince", kModified}}), "");
  EXPECT_EQ(read({{"IfUnmodifiedSince", kModified + 10}}), "");
  EXPECT_EQ(read({{"IfUnmodifiedSince", kModified - 1}}), "If-Unmodified-Since");
}

TEST(S3ReadConditions, IfMatchTrueOverridesUnmodifiedSinceFalse) {
  EXPECT_EQ(read({{"IfMatch", kEtag}, {"IfUnmodifiedSince", kModified - 100}}), "");
  EXPECT_EQ(read({{"IfMatch", "\"x\""}, {"IfUnmodifiedSince", kModified + 100}}), "If-Match");
}

TEST(S3ReadConditions, IfNoneMatch) {
  EXPECT_EQ(read({{"IfNoneMatch", kEtag}}), "304");
  EXPECT_EQ(read({{"IfNoneMatch", "*"}}), "304");
  EXPECT_EQ(read({{"IfNoneMatch", "\"other\""}}), "");
}

TEST(S3ReadConditions, IfModifiedSince) {
  EXPECT_EQ(read({{"IfModifiedSince", kModified}}), "304");
  EXPECT_EQ(read({{"IfModifiedSince", kModified + 100}}), "304");
  EXPECT_EQ(read({{"IfModifiedSince", kModified - 1}}), "");
}

TEST(S3ReadConditions, IfNoneMatchFalseWithModifiedSinceTrueIsNotModified) {
  EXPECT_EQ(read({{"IfNoneMatch", kEtag}, {"IfModifiedSince", kModified - 100}}), "304");
  // If-None-Match true: If-Modified-Since is not evaluated.
  EXPECT_EQ(read({{"IfNoneMatch", "\"x\""}, {"IfModifiedSince", kModified + 100}}), "");
}

TEST(S3ReadConditions, FailureBeforeNotModified) {
  EXPECT_EQ(read({{"IfMatch", "\"x\""}, {"IfNoneMatch", kEtag}}), "If-Match");
  EXPECT_EQ(read({{"IfMatch", kEtag}, {"IfNoneMatch", kEtag}}), "304");
  EXPECT_EQ(read({{"IfModifiedSince", kModified + 5}, {"IfUnmodifiedSince", kModified - 5}}), "If-Unmodified-Since");
}

TEST(S3ReadConditions, DatesTheCodecCouldNotRead) {
  // RFC 850 and asctime dates come as text and are read here; other text is ignored.
  EXPECT_EQ(read({{"IfModifiedSince", "Tuesday, 14-Nov-23 22:13:20 GMT"}}), "304");
  EXPECT_EQ(read({{"IfModifiedSince", "Tue Nov 14 22:13:19 2023"}}), "");
  EXPECT_EQ(read({{"IfUnmodifiedSince", "Tue Nov 14 22:13:19 2023"}}), "If-Unmodified-Since");
  EXPECT_EQ(read({{"IfModifiedSince", "yesterday"}}), "");
  EXPECT_EQ(read({{"IfUnmodifiedSince", "not a date"}}), "");
}

TEST(S3CopySourceConditions, EachCondition) {
  EXPECT_EQ(copy(json::object()), "");
  EXPECT_EQ(copy({{"CopySourceIfMatch", kEtag}}), "");
  EXPECT_EQ(copy({{"CopySourceIfMatch", "\"x\""}}), "x-amz-copy-source-If-Match");
  EXPECT_EQ(copy({{"CopySourceIfNoneMatch", "\"x\""}}), "");
  EXPECT_EQ(copy({{"CopySourceIfNoneMatch", kEtag}}), "x-amz-copy-source-If-None-Match");
  EXPECT_EQ(copy({{"CopySourceIfModifiedSince", kModified - 1}}), "");
  EXPECT_EQ(copy({{"CopySourceIfModifiedSince", kModified}}), "x-amz-copy-source-If-Modified-Since");
  EXPECT_EQ(copy({{"CopySourceIfUnmodifiedSince", kModified}}), "");
  EXPECT_EQ(copy({{"CopySourceIfUnmodifiedSince", kModified - 1}}), "x-amz-copy-source-If-Unmodified-Since");
  // The read members do not apply to the source.
  EXPECT_EQ(copy({{"IfMatch", "\"x\""}}), "");
}

TEST(S3CopySourceConditions, Combinations) {
  // if-match true and if-unmodified-since false: the copy goes ahead.
  EXPECT_EQ(copy({{"CopySourceIfMatch", kEtag}, {"CopySourceIfUnmodifiedSince", kModified - 100}}), "");
  // if-none-match false and if-modified-since true: 412.
  EXPECT_EQ(copy({{"CopySourceIfNoneMatch", kEtag}, {"CopySourceIfModifiedSince", kModified - 100}}),
            "x-amz-copy-source-If-None-Match");
}

TEST(S3WriteConditions, IfNoneMatchStar) {
  EXPECT_FALSE(write({{"IfNoneMatch", "*"}}, false));
  auto e = write({{"IfNoneMatch", "*"}}, true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "PreconditionFailed");
  EXPECT_EQ(e->http_status, 412);
  EXPECT_EQ((*e->details)["Condition"], "If-None-Match");
}

TEST(S3WriteConditions, IfNoneMatchOtherValue) {
  auto e = write({{"IfNoneMatch", kEtag}}, true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "NotImplemented");
  EXPECT_EQ(e->message, "A header you provided implies functionality that is not implemented");
  EXPECT_EQ(e->http_status, 501);
  EXPECT_EQ((*e->details)["Header"], "If-None-Match");
  EXPECT_EQ((*e->details)["additionalMessage"], "We don't accept the provided value of If-None-Match header for this API");
}

TEST(S3WriteConditions, IfMatch) {
  EXPECT_FALSE(write({{"IfMatch", kEtag}}, true));
  EXPECT_FALSE(write({{"IfMatch", "d41d8cd98f00b204e9800998ecf8427e"}}, true));
  auto mismatch = write({{"IfMatch", "\"x\""}}, true);
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->code, "PreconditionFailed");
  EXPECT_EQ((*mismatch->details)["Condition"], "If-Match");
  auto missing = write({{"IfMatch", kEtag}, {"Key", "dir/k"}}, false);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->code, "NoSuchKey");
  EXPECT_EQ(missing->message, "The specified key does not exist.");
  EXPECT_EQ(missing->http_status, 404);
  EXPECT_EQ((*missing->details)["Key"], "dir/k");
}

TEST(S3WriteConditions, Both) {
  auto e = write({{"IfMatch", kEtag}, {"IfNoneMatch", "*"}}, true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "NotImplemented");
  EXPECT_EQ((*e->details)["Header"], "If-Match");
}

TEST(S3ConditionDate, Forms) {
  const int64_t t = 784111777;  // 1994-11-06T08:49:37Z
  EXPECT_EQ(parse_condition_date("Sun, 06 Nov 1994 08:49:37 GMT"), t);
  EXPECT_EQ(parse_condition_date("Sunday, 06-Nov-94 08:49:37 GMT"), t);
  EXPECT_EQ(parse_condition_date("Sun Nov  6 08:49:37 1994"), t);
  EXPECT_EQ(parse_condition_date("Sun Nov 6 08:49:37 1994"), t);
  EXPECT_EQ(parse_condition_date("1994-11-06T08:49:37Z"), t);
  EXPECT_EQ(parse_condition_date("1994-11-06T08:49:37.999Z"), t);
  EXPECT_EQ(parse_condition_date(" Sun, 06 Nov 1994 08:49:37 GMT "), t);
  EXPECT_EQ(parse_condition_date("Thursday, 01-Jan-04 00:00:00 GMT"), 1072915200);
}

TEST(S3ConditionDate, Malformed) {
  for (auto s : {"", "yesterday", "Sun, 06 Nov 1994 08:49:37", "Sun, 32 Nov 1994 08:49:37 GMT",
                 "Sun, 06 Foo 1994 08:49:37 GMT", "Sunday, 06-Nov-94 25:49:37 GMT", "Sun Nov 31 08:49:37 1994",
                 "Sun Nov  6 08:49 1994", "Sunday, 6-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994 extra",
                 "1994-13-06T08:49:37Z", "Sunday 06-Nov-94 08:49:37 GMT", "1700000000"}) {
    EXPECT_FALSE(parse_condition_date(s)) << s;
  }
}

}  // namespace
}  // namespace awan::s3
