#pragma once
// IAM policy grammar checks: the MalformedPolicyDocument errors IAM returns for identity
// policies (inline and managed) and for role trust policies.
#include <optional>
#include <string>
#include <string_view>

#include "awan/error.hpp"

namespace awan::iam {

enum class PolicyKind {
  Identity,  // inline and managed policies: Action + Resource, no Principal
  Trust,     // role trust (assume role) policies: Action + Principal, no Resource
};

// nullopt when the document is acceptable, else MalformedPolicyDocument with IAM's message.
std::optional<AwsError> check_policy_document(std::string_view document, PolicyKind kind);

// Size of a policy as IAM counts it against its quotas (whitespace excluded).
size_t policy_size(std::string_view document);

}  // namespace awan::iam
