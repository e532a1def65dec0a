#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "s3/bucket_name.hpp"

namespace {

using awan::s3::bucket_region;
using awan::s3::validate_bucket_name;
using awan::s3::validate_location_constraint;

bool valid(std::string_view n) { return !validate_bucket_name(n).has_value(); }

TEST(S3BucketName, AcceptsGoodNames) {
  EXPECT_TRUE(valid("abc"));
  EXPECT_TRUE(valid("my-bucket.example.com"));
  EXPECT_TRUE(valid("1bucket2"));
  EXPECT_TRUE(valid(std::string(63, 'a')));
  EXPECT_TRUE(valid("a-b"));
  EXPECT_TRUE(valid("192.168.5"));       // three groups: not an address
  EXPECT_TRUE(valid("192.168.5.4.5"));   // five groups
  EXPECT_TRUE(valid("1234.168.5.4"));    // a group of four digits
  EXPECT_TRUE(valid("xn-bucket"));
  EXPECT_TRUE(valid("bucket-s3alias-x"));
  EXPECT_TRUE(valid("sthree"));
}

TEST(S3BucketName, Length) {
  EXPECT_FALSE(valid(""));
  EXPECT_FALSE(valid("ab"));
  EXPECT_FALSE(valid(std::string(64, 'a')));
}

TEST(S3BucketName, Characters) {
  EXPECT_FALSE(valid("MyBucket"));
  EXPECT_FALSE(valid("my_bucket"));
  EXPECT_FALSE(valid("my bucket"));
  EXPECT_FALSE(valid("bucket/x"));
  EXPECT_FALSE(valid("b\xC3\xA9" "ucket"));
  EXPECT_FALSE(valid(std::string("abc\0def", 7)));
}

TEST(S3BucketName, FirstAndLast) {
  EXPECT_FALSE(valid("-bucket"));
  EXPECT_FALSE(valid("bucket-"));
  EXPECT_FALSE(valid(".bucket"));
  EXPECT_FALSE(valid("bucket."));
}

TEST(S3BucketName, AdjacentPeriodsAndAddresses) {
  EXPECT_FALSE(valid("my..bucket"));
  EXPECT_FALSE(valid("192.168.5.4"));
  EXPECT_FALSE(valid("1.2.3.4"));
  EXPECT_FALSE(valid("999.999.999.999"));
}

TEST(S3BucketName, ReservedPrefixesAndSuffixes) {
  EXPECT_FALSE(valid("xn--bucket"));
  EXPECT_FALSE(valid("sthree-bucket"));
  EXPECT_FALSE(valid("sthree-configurator"));
  EXPECT_FALSE(valid("amzn-s3-demo-bucket"));
  EXPECT_FALSE(valid("bucket-s3alias"));
  EXPECT_FALSE(valid("bucket--ol-s3"));
  EXPECT_FALSE(valid("bucket.mrap"));
  EXPECT_FALSE(valid("bucket--usw2-az1--x-s3"));
  EXPECT_FALSE(valid("bucket--table-s3"));
}

TEST(S3BucketName, ErrorShape) {
  auto e = validate_bucket_name("Bad_Name");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "InvalidBucketName");
  EXPECT_EQ(e->message, "The specified bucket is not valid.");
  EXPECT_EQ(e->http_status, 400);
  ASSERT_TRUE(e->details);
  EXPECT_EQ((*e->details)["BucketName"], "Bad_Name");
}

TEST(S3LocationConstraint, DefaultRegion) {
  EXPECT_FALSE(validate_location_constraint("", "us-east-1"));
  EXPECT_EQ(bucket_region(""), "us-east-1");
  EXPECT_EQ(bucket_region("EU"), "eu-west-1");
  EXPECT_EQ(bucket_region("ap-south-2"), "ap-south-2");
}

TEST(S3LocationConstraint, MatchingRegion) {
  EXPECT_FALSE(validate_location_constraint("eu-west-1", "eu-west-1"));
  EXPECT_FALSE(validate_location_constraint("EU", "eu-west-1"));
  EXPECT_FALSE(validate_location_constraint("mx-central-1", "mx-central-1"));
  // The us-east-1 endpoint creates buckets in any region.
  EXPECT_FALSE(validate_location_constraint("eu-central-1", "us-east-1"));
  EXPECT_FALSE(validate_location_constraint("EU", "us-east-1"));
}

TEST(S3LocationConstraint, ExplicitUsEast1) {
  for (auto region : {"us-east-1", "eu-west-1"}) {
    auto e = validate_location_constraint("us-east-1", region);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, "InvalidLocationConstraint");
    EXPECT_EQ(e->message, "The specified location-constraint is not valid");
    EXPECT_EQ(e->http_status, 400);
    EXPECT_EQ((*e->details)["LocationConstraint"], "us-east-1");
  }
}

TEST(S3LocationConstraint, UnknownRegion) {
  for (auto c : {"mars-1", "eu", "EU-WEST-1", "eu-west-1 ", "us-iso-east-1"}) {
    auto e = validate_location_constraint(c, "us-east-1");
    ASSERT_TRUE(e) << c;
    EXPECT_EQ(e->code, "InvalidLocationConstraint");
  }
}

TEST(S3LocationConstraint, Unspecified) {
  auto e = validate_location_constraint("", "eu-west-2");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IllegalLocationConstraintException");
  EXPECT_EQ(e->message,
            "The unspecified location constraint is incompatible for the region specific endpoint this request "
            "was sent to.");
  EXPECT_EQ(e->http_status, 400);
}

TEST(S3LocationConstraint, OtherRegion) {
  auto e = validate_location_constraint("eu-south-1", "us-west-2");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IllegalLocationConstraintException");
  EXPECT_EQ(e->message,
            "The eu-south-1 location constraint is incompatible for the region specific endpoint this request "
            "was sent to.");
  auto eu = validate_location_constraint("EU", "eu-west-2");
  ASSERT_TRUE(eu);
  EXPECT_EQ(eu->message,
            "The EU location constraint is incompatible for the region specific endpoint this request was sent to.");
}

}  // namespace
