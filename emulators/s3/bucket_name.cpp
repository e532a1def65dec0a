// Bucket naming and location constraint rules (bucket_name.hpp).
#include "s3/bucket_name.hpp"

#include <string>

#include <nlohmann/json.hpp>

namespace awan::s3 {

namespace {
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool is_ipv4(std::string_view s) {
  int parts = 0;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t dot = s.find('.', pos);
    if (dot == std::string_view::npos) dot = s.size();
    std::string_view p = s.substr(pos, dot - pos);
    if (p.empty() || p.size() > 3) return false;
    for (char c : p)
      if (c < '0' || c > '9') return false;
    ++parts;
    pos = dot + 1;
  }
  return parts == 4;
}

constexpr std::string_view kRegions[] = {
    "us-east-1",      "us-east-2",      "us-west-1",      "us-west-2",      "af-south-1",     "ap-east-1",
    "ap-east-2",      "ap-south-1",     "ap-south-2",     "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
    "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ca-central-1",   "ca-west-1",      "eu-central-1",   "eu-central-2",   "eu-west-1",      "eu-west-2",
    "eu-west-3",      "eu-south-1",     "eu-south-2",     "eu-north-1",     "il-central-1",   "me-south-1",
    "me-central-1",   "mx-central-1",   "sa-east-1",      "EU"};
}  // namespace

std::optional<AwsError> validate_bucket_name(std::string_view name) {
  bool ok = name.size() >= 3 && name.size() <= 63;
  for (size_t i = 0; ok && i < name.size(); ++i) {
    char c = name[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && c != '.' && c != '-') ok = false;
    if ((i == 0 || i + 1 == name.size()) && !alnum) ok = false;
    if (c == '.' && i > 0 && name[i - 1] == '.') ok = false;
  }
  if (ok && is_ipv4(name)) ok = false;
  for (std::string_view p : {"xn--", "sthree-", "amzn-s3-demo-"})
    if (ok && name.substr(0, p.size()) == p) ok = false;
  for (std::string_view s : {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"})
    if (ok && ends_with(name, s)) ok = false;
  if (ok) return std::nullopt;
  AwsError e("InvalidBucketName", "The specified bucket is not valid.", 400);
  e.details = std::make_shared<const nlohmann::json>(nlohmann::json{{"BucketName", std::string(name)}});
  return e;
}

std::optional<AwsError> validate_location_constraint(std::string_view constraint, std::string_view request_region) {
  if (constraint.empty()) {
    if (request_region == "us-east-1" || request_region.empty()) return std::nullopt;
    return AwsError("IllegalLocationConstraintException",
                    "The unspecified location constraint is incompatible for the region specific endpoint this "
                    "request was sent to.",
                    400);
  }
  bool known = false;
  for (auto r : kRegions) known = known || r == constraint;
  if (!known || constraint == "us-east-1") {
    AwsError e("InvalidLocationConstraint", "The specified location-constraint is not valid", 400);
    e.details = std::make_shared<const nlohmann::json>(nlohmann::json{{"LocationConstraint", std::string(constraint)}});
    return e;
  }
  std::string_view effective = constraint == "EU" ? "eu-west-1" : constraint;
  if (effective != request_region && !(request_region == "us-east-1"))
    return AwsError("IllegalLocationConstraintException",
                    "The " + std::string(constraint) +
                        " location constraint is incompatible for the region specific endpoint this request was sent to.",
                    400);
  return std::nullopt;
}

}  // namespace awan::s3
