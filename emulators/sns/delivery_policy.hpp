#pragma once
// SNS delivery policies for HTTP/HTTPS endpoints (the DeliveryPolicy topic and subscription
// attributes, and the EffectiveDeliveryPolicy): parsing and validating them as
// Set*Attributes do, and the retry schedule they give. Neighbours: delivery.cpp retries with it.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "awan/error.hpp"

namespace awan::sns {

struct RetryPolicy {  // healthyRetryPolicy, with AWS's defaults
  int min_delay_target_s = 20;
  int max_delay_target_s = 20;
  int num_retries = 3;
  int num_no_delay_retries = 0;
  int num_min_delay_retries = 0;
  int num_max_delay_retries = 0;
  std::string backoff_function = "linear";  // linear | arithmetic | geometric | exponential
};
struct DeliveryPolicy {
  RetryPolicy retry;
  std::optional<int> max_receives_per_second;  // throttlePolicy
  std::string content_type = "text/plain; charset=UTF-8";  // requestPolicy.headerContentType
  bool disable_subscription_overrides = false;  // topic policy only
  // Whether the policy sets a (default)HealthyRetryPolicy / (default)RequestPolicy: a
  // subscription's policy overrides the topic's section by section.
  bool has_retry_policy = false;
  bool has_request_policy = false;
};

// A DeliveryPolicy attribute value: a topic's ({"http": {"defaultHealthyRetryPolicy": ...,
// "disableSubscriptionOverrides": ..., "defaultThrottlePolicy": ..., "defaultRequestPolicy": ...}})
// when `topic`, else a subscription's ({"healthyRetryPolicy": ..., "throttlePolicy": ...,
// "requestPolicy": ...}). Errors as AWS answers them: code "InvalidParameter", message
// "Invalid parameter: DeliveryPolicy: <reason>" (AWS's limits: numRetries 0..100,
// minDelayTarget 1..maxDelayTarget, maxDelayTarget ..3600, the phase counts summing to at most
// numRetries, a known backoffFunction, headerContentType among AWS's list, the whole schedule
// within 3600 seconds). An empty text is AWS's defaults.
std::variant<DeliveryPolicy, AwsError> parse_delivery_policy(std::string_view text, bool topic);

// The policy a subscription delivers with: its own over the topic's unless the topic disables
// overrides; AWS's defaults when neither sets one.
DeliveryPolicy effective_policy(const std::optional<DeliveryPolicy>& topic,
                                const std::optional<DeliveryPolicy>& subscription);
// The EffectiveDeliveryPolicy attribute text of a subscription (AWS's JSON shape).
nlohmann::json effective_policy_json(const DeliveryPolicy& p);

// The wait before retry `attempt` (1 = the first retry) under `p`: the no-delay phase, the
// min-delay phase, the backoff phase from minDelayTarget to maxDelayTarget by the backoff
// function, then the max-delay phase; nullopt when the retries are exhausted.
std::optional<std::chrono::seconds> retry_delay(const RetryPolicy& p, int attempt);

}  // namespace awan::sns
