// libFuzzer target: SNS delivery policies (sns/delivery_policy.hpp). The input is a topic's and a
// subscription's DeliveryPolicy; valid ones give a bounded retry schedule and an effective
// policy that parses back; parsed as a message document it also gives a canonical string.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "protocol/wire.hpp"
#include "sns/delivery_policy.hpp"
#include "sns/signature.hpp"

namespace {

// A valid policy's schedule stays within AWS's limits: at most numRetries delays, each within
// [0, maxDelayTarget], 3600 s in all.
void check_schedule(const awan::sns::RetryPolicy& p) {
  long total = 0;
  for (int attempt = 1; attempt <= 120; ++attempt) {
    auto delay = awan::sns::retry_delay(p, attempt);
    if (!delay) {
      if (attempt <= p.num_retries) __builtin_trap();
      continue;
    }
    if (attempt > p.num_retries || delay->count() < 0 || delay->count() > p.max_delay_target_s) __builtin_trap();
    total += delay->count();
  }
  if (total > 3600) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::sns;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<DeliveryPolicy> topic, subscription;
  for (bool is_topic : {true, false}) {
    auto r = parse_delivery_policy(text, is_topic);
    auto* p = std::get_if<DeliveryPolicy>(&r);
    if (!p) continue;
    check_schedule(p->retry);
    (is_topic ? topic : subscription) = *p;
  }
  DeliveryPolicy effective = effective_policy(topic, subscription);
  if (!std::holds_alternative<DeliveryPolicy>(parse_delivery_policy(effective_policy_json(effective).dump(), false)))
    __builtin_trap();
  if (awan::protocol::wire::json_nesting_exceeds(text)) return 0;
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_discarded()) (void)canonical_string(doc);
  return 0;
}
