// libFuzzer target: POST policies (s3/post_policy.hpp). The input is the decoded policy JSON; it
// is base64-encoded, parsed, and a parsed policy is evaluated against a fixed form, then the
// success answer is built from the same form; the raw input is also verified as a SigV2-signed
// policy.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/crypto.hpp"
#include "s3/post_policy.hpp"

namespace {
using namespace awan::s3;

PostForm make_form() {
  PostForm f;
  f.fields = {{"key", "user/${filename}", "key"},
              {"content-type", "image/png,image/gif", "Content-Type"},
              {"x-amz-meta-tag", "a", "x-amz-meta-tag"},
              {"x-amz-meta-tag", "b", "X-Amz-Meta-Tag"},
              {"success_action_status", "201", "success_action_status"},
              {"success_action_redirect", "http://x.test/?a", "success_action_redirect"},
              {"x-ignore-y", "z", "x-ignore-y"}};
  f.file.filename = "C:\\dir\\f.png";
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const PostForm form = make_form();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  PostPolicy policy;
  if (!parse_post_policy(awan::crypto::base64_encode(text), policy)) {
    const time_point now{std::chrono::seconds(1'700'000'000)};
    (void)evaluate_post_policy(policy, form, "photos", size, now);
    (void)post_success_answer(form, "photos", form.object_key(), "abc", "http://h/photos/k");
  }
  (void)parse_post_policy(text, policy);  // the raw input as base64 text too
  (void)verify_post_sigv2(PostSigV2{"AKID", std::string(text), "gXIBTrPeDkMakegS0Nl0IaRFsxA="}, "secret");
  return 0;
}
