// libFuzzer target: S3 ACLs (s3/acl.hpp). Input: byte 0 picks what the rest is — an
// x-amz-grant-* header value, an AccessControlPolicy document (JSON), or a bucket policy judged
// by Block Public Access. A refusal is an AwsError, never a crash; accepted grants are checked
// for their shape.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "s3/acl.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::s3;
  using json = nlohmann::json;
  if (size < 1) return 0;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  const json owner = {{"ID", "owner-id"}, {"DisplayName", "awan"}};
  try {
    switch (data[0] % 3) {
      case 0: {
        json grantees;
        if (!acl::parse_grantees(text, grantees)) {
          if (!grantees.is_array() || grantees.empty()) std::abort();
          (void)acl::requested({{"GrantRead", text}, {"GrantWrite", text}}, owner, owner);
        }
        break;
      }
      case 1: {
        json policy = json::parse(text, nullptr, false);
        if (policy.is_discarded()) break;
        auto grants = acl::requested({{"AccessControlPolicy", policy}}, owner, owner, "AccessControlPolicy");
        if (grants) {
          if (!grants->is_array()) std::abort();
          (void)acl::is_public(*grants);
          (void)acl::owner_full_control_only(*grants, owner);
        }
        break;
      }
      default:
        (void)acl::policy_is_public(text);
    }
  } catch (const awan::AwsError&) {
  }
  return 0;
}
