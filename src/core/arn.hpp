#pragma once
// ARNs: "arn:<partition>:<service>:<region>:<account>:<resource>" split into their fields
// (S3 notification destinations, SQS queue ARNs, STS role ARNs).
#include <optional>
#include <string>
#include <string_view>

namespace awan {

struct Arn {
  std::string partition, service, region, account, resource;
};

// nullopt unless the text starts with "arn:" and has the five separators; fields may be empty
// (IAM ARNs have no region), the resource keeps any further ':'.
std::optional<Arn> parse_arn(std::string_view text);

}  // namespace awan
