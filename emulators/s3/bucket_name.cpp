// S3 bucket naming rules and CreateBucket location constraints.
#include "s3/bucket_name.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <memory>

#include <nlohmann/json.hpp>

namespace awan::s3 {

namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Four dot-separated groups of 1-3 digits ("192.168.5.4").
bool looks_like_ipv4(std::string_view s) {
  int groups = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    size_t len = i - start;
    if (len == 0 || len > 3) return false;
    ++groups;
    if (i == s.size()) break;
    if (s[i] != '.') return false;
    ++i;
  }
  return groups == 4;
}

constexpr std::array<std::string_view, 3> kReservedPrefixes = {"xn--", "sthree-", "amzn-s3-demo-"};
constexpr std::array<std::string_view, 5> kReservedSuffixes = {"-s3alias", "--ol-s3", ".mrap", "--x-s3",
                                                                "--table-s3"};

// Sorted (std::binary_search).
constexpr std::string_view kRegions[] = {
    "af-south-1",     "ap-east-1",      "ap-east-2",      "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-south-1",     "ap-south-2",     "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
    "ca-central-1",   "ca-west-1",      "cn-north-1",     "cn-northwest-1", "eu-central-1",
    "eu-central-2",   "eu-north-1",     "eu-south-1",     "eu-south-2",     "eu-west-1",
    "eu-west-2",      "eu-west-3",      "il-central-1",   "me-central-1",   "me-south-1",
    "mx-central-1",   "sa-east-1",      "us-east-1",      "us-east-2",      "us-gov-east-1",
    "us-gov-west-1",  "us-west-1",      "us-west-2"};
static_assert(std::is_sorted(std::begin(kRegions), std::end(kRegions)));

AwsError invalid_location_constraint(std::string_view constraint) {
  AwsError e{"InvalidLocationConstraint", "The specified location-constraint is not valid", 400};
  e.details = std::make_shared<const nlohmann::json>(nlohmann::json{{"LocationConstraint", std::string(constraint)}});
  return e;
}

AwsError illegal_location_constraint(std::string_view what) {
  return {"IllegalLocationConstraintException",
          "The " + std::string(what) +
              " location constraint is incompatible for the region specific endpoint this request was sent to.",
          400};
}

}  // namespace

AwsError invalid_bucket_name(std::string_view name) {
  AwsError e{"InvalidBucketName", "The specified bucket is not valid.", 400};
  e.details = std::make_shared<const nlohmann::json>(nlohmann::json{{"BucketName", std::string(name)}});
  return e;
}

std::optional<AwsError> validate_bucket_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return invalid_bucket_name(name);
  for (char c : name) {
    if (!is_lower_alnum(c) && c != '.' && c != '-') return invalid_bucket_name(name);
  }
  if (!is_lower_alnum(name.front()) || !is_lower_alnum(name.back())) return invalid_bucket_name(name);
  if (name.find("..") != std::string_view::npos) return invalid_bucket_name(name);
  if (looks_like_ipv4(name)) return invalid_bucket_name(name);
  for (auto p : kReservedPrefixes) {
    if (name.starts_with(p)) return invalid_bucket_name(name);
  }
  for (auto s : kReservedSuffixes) {
    if (name.ends_with(s)) return invalid_bucket_name(name);
  }
  return std::nullopt;
}

std::span<const std::string_view> known_regions() { return kRegions; }

bool is_known_region(std::string_view region) {
  auto r = known_regions();
  return std::binary_search(r.begin(), r.end(), region);
}

std::string bucket_region(std::string_view constraint) {
  if (constraint.empty()) return "us-east-1";
  if (constraint == "EU") return "eu-west-1";
  return std::string(constraint);
}

std::optional<AwsError> validate_location_constraint(std::string_view constraint, std::string_view request_region) {
  const bool global_endpoint = request_region == "us-east-1" || request_region.empty();
  if (constraint.empty()) {
    if (global_endpoint) return std::nullopt;
    return illegal_location_constraint("unspecified");
  }
  if (constraint == "us-east-1") return invalid_location_constraint(constraint);
  if (constraint != "EU" && !is_known_region(constraint)) return invalid_location_constraint(constraint);
  if (global_endpoint) return std::nullopt;
  if (bucket_region(constraint) != request_region) return illegal_location_constraint(constraint);
  return std::nullopt;
}

}  // namespace awan::s3
