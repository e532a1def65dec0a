#pragma once
// S3 bucket names (the general purpose bucket naming rules) and CreateBucket's
// LocationConstraint against the region of the endpoint the request was sent to.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "awan/error.hpp"

namespace awan::s3 {

// InvalidBucketName (400) "The specified bucket is not valid." with {"BucketName": name} when
// `name` breaks a rule: 3-63 characters of a-z 0-9 . -, first and last a letter or digit, no
// "..", not an IPv4 address, none of the reserved prefixes (xn--, sthree-, amzn-s3-demo-) and
// suffixes (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3).
std::optional<AwsError> validate_bucket_name(std::string_view name);
AwsError invalid_bucket_name(std::string_view name);

// The regions a LocationConstraint may name (commercial, China and GovCloud), sorted.
std::span<const std::string_view> known_regions();
bool is_known_region(std::string_view region);

// The region a bucket created with `constraint` lives in: "" -> us-east-1, "EU" -> eu-west-1,
// otherwise the constraint itself.
std::string bucket_region(std::string_view constraint);

// CreateBucket's CreateBucketConfiguration.LocationConstraint ("" when absent) against the
// region of the request's endpoint:
//   unknown name, or "us-east-1" given explicitly -> InvalidLocationConstraint (400)
//       "The specified location-constraint is not valid" with {"LocationConstraint": c}
//   none given, request region not us-east-1 -> IllegalLocationConstraintException (400)
//       "The unspecified location constraint is incompatible for the region specific endpoint
//        this request was sent to."
//   a region other than the request's (and the request region not us-east-1, whose endpoint
//   creates buckets in any region) -> IllegalLocationConstraintException
//       "The <c> location constraint is incompatible for the region specific endpoint this
//        request was sent to."
std::optional<AwsError> validate_location_constraint(std::string_view constraint, std::string_view request_region);

}  // namespace awan::s3
