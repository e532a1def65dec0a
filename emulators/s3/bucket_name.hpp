#pragma once
// General-purpose bucket naming rules and CreateBucket's location constraint rules.
#include <optional>
#include <string_view>

#include "awan/error.hpp"

namespace awan::s3 {

// InvalidBucketName ("The specified bucket is not valid.") for a name S3 refuses.
std::optional<AwsError> validate_bucket_name(std::string_view name);
// The LocationConstraint of a CreateBucket ("" = none) sent to an endpoint of request_region.
std::optional<AwsError> validate_location_constraint(std::string_view constraint, std::string_view request_region);

}  // namespace awan::s3
