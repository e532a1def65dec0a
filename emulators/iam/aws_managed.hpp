#pragma once
// A small built-in table of the AWS managed policies (arn:aws:iam::aws:policy/...) that
// serverless stacks commonly attach. Attaching any other AWS policy ARN fails like AWS does
// for a policy that does not exist.
#include <string>
#include <string_view>
#include <vector>

namespace awan::iam {

struct AwsManagedPolicy {
  std::string name;
  std::string path;  // "/" or "/service-role/"
  std::string arn;
  std::string policy_id;  // ANPA..., stable
  std::string description;
  std::string document;   // JSON, as stored (not url-encoded)
  int64_t create_date = 0;
  int64_t update_date = 0;
  std::string default_version = "v1";
};

const std::vector<AwsManagedPolicy>& aws_managed_policies();
// nullptr when the ARN is not in the table.
const AwsManagedPolicy* find_aws_managed_policy(std::string_view arn);

}  // namespace awan::iam
