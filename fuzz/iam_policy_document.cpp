// libFuzzer target: IAM policy grammar checks (iam/policy_document.hpp). The input is a policy
// document (the text a CreatePolicy, PutRolePolicy or CreateRole caller sends), checked as an
// identity policy and as a trust policy: an answer is nullopt or MalformedPolicyDocument, never a
// thrown exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "iam/policy_document.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::iam;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (PolicyKind kind : {PolicyKind::Identity, PolicyKind::Trust})
    if (auto e = check_policy_document(text, kind); e && e->code != "MalformedPolicyDocument") std::abort();
  if (policy_size(text) > size) std::abort();
  return 0;
}
