// SNS delivery policies: valid and invalid topic and subscription documents with AWS's messages,
// the effective policy and its JSON, and the retry schedule of each backoff function.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sns/delivery_policy.hpp"

using namespace awan::sns;
using nlohmann::json;

namespace {

struct Invalid {
  bool topic;
  std::string text;
  std::string message;  // after "Invalid parameter: DeliveryPolicy: "
};

const std::vector<Invalid> kInvalid = {
    {false, "not json", "failed to parse JSON"},
    {false, "[1,2]", "failed to parse JSON, expecting an object"},
    {false, std::string(200, '[') + std::string(200, ']'), "failed to parse JSON"},
    {false, std::string(100000, '{'), "failed to parse JSON"},
    {true, R"({"throttlePolicy":{"maxReceivesPerSecond":1}})", "Unexpected JSON member: throttlePolicy"},
    {true, R"({"healthyRetryPolicy":{"numRetries":1}})", "Unexpected JSON member: healthyRetryPolicy"},
    {false, R"({"http":{}})", "Unexpected JSON member: http"},
    {false, R"({"healthyRetryPolicy":{"numRetries":0,"minDelayTarget":0,"maxDelayTarget":0,"numMinDelayRetries":0,
        "numMaxDelayRetries":0,"numNoDelayRetries":0,"backoffFunction":"exponential"}})",
     "healthyRetryPolicy.minDelayTarget must be greater than or equal to 1"},
    {true, R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":101}}})",
     "http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100"},
    {true, R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":"5","maxDelayTarget":5,"numRetries":1}}})",
     "http.defaultHealthyRetryPolicy.minDelayTarget type mismatch, expecting integer, received a string"},
    {false, R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1.5}})",
     "healthyRetryPolicy.numRetries type mismatch, expecting integer, received a number"},
    {false, R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":true}})",
     "healthyRetryPolicy.numRetries type mismatch, expecting integer, received a boolean"},
    {false, R"({"healthyRetryPolicy":{"minDelayTarget":5,"numRetries":3}})",
     "healthyRetryPolicy.maxDelayTarget must be specified"},
    {false, R"({"healthyRetryPolicy":{"numRetries":5}})", "healthyRetryPolicy.minDelayTarget must be specified"},
    {false, R"({"healthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":5}})",
     "healthyRetryPolicy.numRetries must be specified"},
    {false, R"({"healthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":3,"numRetries":3}})",
     "healthyRetryPolicy.maxDelayTarget must be greater than or equal to minDelayTarget"},
    {false, R"({"healthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":3601,"numRetries":0}})",
     "healthyRetryPolicy.maxDelayTarget must be less than or equal to 3600"},
    {false, R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":-1}})",
     "healthyRetryPolicy.numRetries must be greater than or equal to 0"},
    {false, R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":3,"numNoDelayRetries":-1}})",
     "healthyRetryPolicy.numNoDelayRetries must be greater than or equal to 0"},
    {false, R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":5,
        "numNoDelayRetries":2,"numMinDelayRetries":2,"numMaxDelayRetries":2}})",
     "healthyRetryPolicy.numRetries must be greater than or equal to total of numMinDelayRetries, "
     "numNoDelayRetries and numMaxDelayRetries"},
    {false, R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1,"backoffFunction":"cubic"}})",
     "healthyRetryPolicy.backoffFunction must be one of: linear, arithmetic, geometric, exponential"},
    {false, R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1,"backoffFunction":2}})",
     "healthyRetryPolicy.backoffFunction type mismatch, expecting string, received a number"},
    {false, R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1,"delay":2}})",
     "Unexpected JSON member: delay"},
    {false, R"({"healthyRetryPolicy":{"minDelayTarget":3600,"maxDelayTarget":3600,"numRetries":2}})",
     "healthyRetryPolicy total retry time must be less than or equal to 3600 seconds"},
    {false, R"({"healthyRetryPolicy":[]})",
     "healthyRetryPolicy type mismatch, expecting object, received an array"},
    {false, R"({"sicklyRetryPolicy":{"minDelayTarget":0,"maxDelayTarget":1,"numRetries":1}})",
     "sicklyRetryPolicy.minDelayTarget must be greater than or equal to 1"},
    {false, R"({"throttlePolicy":{"maxReceivesPerSecond":0}})",
     "throttlePolicy.maxReceivesPerSecond must be greater than or equal to 1"},
    {true, R"({"http":{"defaultThrottlePolicy":{"maxReceivesPerSecond":"10"}}})",
     "http.defaultThrottlePolicy.maxReceivesPerSecond type mismatch, expecting integer, received a string"},
    {false, R"({"requestPolicy":{"headerContentType":"image/png"}})",
     "requestPolicy.headerContentType image/png is not supported"},
    {true, R"({"http":{"defaultRequestPolicy":{"headerContentType":7}}})",
     "http.defaultRequestPolicy.headerContentType type mismatch, expecting string, received a number"},
    {true, R"({"http":{"disableSubscriptionOverrides":"yes"}})",
     "http.disableSubscriptionOverrides type mismatch, expecting boolean, received a string"},
    {true, R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1},"x":1}})",
     "Unexpected JSON member: x"},
    {true, R"({"http":"text"})", "http type mismatch, expecting object, received a string"},
    {false, R"({"guaranteed":1})", "guaranteed type mismatch, expecting boolean, received a number"},
};

DeliveryPolicy valid(std::string_view text, bool topic) {
  auto r = parse_delivery_policy(text, topic);
  if (auto* e = std::get_if<awan::AwsError>(&r)) {
    ADD_FAILURE() << text << ": " << e->message;
    return {};
  }
  return std::get<DeliveryPolicy>(r);
}

std::vector<int> schedule(const RetryPolicy& p) {
  std::vector<int> delays;
  for (int attempt = 1; auto d = retry_delay(p, attempt); ++attempt) delays.push_back(static_cast<int>(d->count()));
  return delays;
}

RetryPolicy backoff_only(const std::string& function) {
  RetryPolicy p;
  p.min_delay_target_s = 5;
  p.max_delay_target_s = 260;
  p.num_retries = 10;
  p.backoff_function = function;
  return p;
}

}  // namespace

TEST(SnsDeliveryPolicy, InvalidPoliciesGiveAwsMessages) {
  for (const auto& c : kInvalid) {
    auto r = parse_delivery_policy(c.text, c.topic);
    auto* e = std::get_if<awan::AwsError>(&r);
    ASSERT_NE(e, nullptr) << c.text.substr(0, 200);
    EXPECT_EQ(e->code, "InvalidParameter");
    EXPECT_EQ(e->http_status, 400);
    EXPECT_EQ(e->message, "Invalid parameter: DeliveryPolicy: " + c.message) << c.text.substr(0, 200);
  }
}

TEST(SnsDeliveryPolicy, EmptyIsDefaults) {
  for (bool topic : {false, true}) {
    DeliveryPolicy p = valid("  ", topic);
    EXPECT_EQ(p.retry.num_retries, 3);
    EXPECT_EQ(p.retry.min_delay_target_s, 20);
    EXPECT_EQ(p.retry.max_delay_target_s, 20);
    EXPECT_EQ(p.retry.backoff_function, "linear");
    EXPECT_FALSE(p.max_receives_per_second);
    EXPECT_EQ(p.content_type, "text/plain; charset=UTF-8");
    EXPECT_FALSE(p.has_retry_policy);
  }
}

TEST(SnsDeliveryPolicy, DocumentedSubscriptionPolicy) {
  DeliveryPolicy p = valid(R"({
    "healthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 60, "numRetries": 50, "numNoDelayRetries": 3,
                           "numMinDelayRetries": 2, "numMaxDelayRetries": 35, "backoffFunction": "exponential"},
    "throttlePolicy": {"maxReceivesPerSecond": 10}})",
                           false);
  EXPECT_TRUE(p.has_retry_policy);
  EXPECT_EQ(p.retry.num_retries, 50);
  EXPECT_EQ(p.retry.num_no_delay_retries, 3);
  EXPECT_EQ(p.retry.num_min_delay_retries, 2);
  EXPECT_EQ(p.retry.num_max_delay_retries, 35);
  EXPECT_EQ(p.max_receives_per_second, 10);
  std::vector<int> expected = {0, 0, 0, 1, 1, 1, 1, 1, 2, 3, 5, 8, 16, 30, 60};
  expected.resize(50, 60);
  EXPECT_EQ(schedule(p.retry), expected);
}

TEST(SnsDeliveryPolicy, TopicPolicyWithEverySection) {
  DeliveryPolicy p = valid(R"({"http": {
    "defaultHealthyRetryPolicy": {"minDelayTarget": 2, "maxDelayTarget": 30, "numRetries": 4,
                                  "backoffFunction": "GEOMETRIC"},
    "defaultSicklyRetryPolicy": null,
    "disableSubscriptionOverrides": true,
    "defaultThrottlePolicy": {"maxReceivesPerSecond": 5},
    "defaultRequestPolicy": {"headerContentType": "application/json"}}})",
                           true);
  EXPECT_EQ(p.retry.backoff_function, "geometric");
  EXPECT_EQ(p.retry.num_retries, 4);
  EXPECT_TRUE(p.disable_subscription_overrides);
  EXPECT_EQ(p.max_receives_per_second, 5);
  EXPECT_EQ(p.content_type, "application/json");
  EXPECT_TRUE(p.has_request_policy);
}

TEST(SnsDeliveryPolicy, AcceptedVariants) {
  for (const char* text : {
           R"({"healthyRetryPolicy":{"minDelayTarget":5.0,"maxDelayTarget":5,"numRetries":3}})",
           R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":0,"numNoDelayRetries":null}})",
           R"({"requestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}})",
           R"({"requestPolicy":{"headerContentType":"Application/XML"}})",
           R"({"throttlePolicy":{}})",
           R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":3600,"numRetries":1}})",
           R"({"healthyRetryPolicy":{"minDelayTarget":36,"maxDelayTarget":36,"numRetries":100}})",
       })
    valid(text, false);
}

TEST(SnsDeliveryPolicy, EffectivePolicyJsonRoundTrips) {
  json expected = json::parse(R"({"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,
      "numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},
      "sicklyRetryPolicy":null,"throttlePolicy":null,"guaranteed":false})");
  EXPECT_EQ(effective_policy_json(effective_policy(std::nullopt, std::nullopt)), expected);

  DeliveryPolicy p = valid(R"({"throttlePolicy":{"maxReceivesPerSecond":7},
      "requestPolicy":{"headerContentType":"application/json"}})",
                           false);
  json j = effective_policy_json(p);
  EXPECT_EQ(j["throttlePolicy"], json({{"maxReceivesPerSecond", 7}}));
  EXPECT_EQ(j["requestPolicy"], json({{"headerContentType", "application/json"}}));
  DeliveryPolicy again = valid(j.dump(), false);
  EXPECT_EQ(effective_policy_json(again), j);
}

TEST(SnsDeliveryPolicy, SubscriptionOverridesTopicBySection) {
  DeliveryPolicy topic = valid(R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":2,"maxDelayTarget":2,
      "numRetries":7},"defaultThrottlePolicy":{"maxReceivesPerSecond":3}}})",
                               true);
  DeliveryPolicy sub = valid(R"({"healthyRetryPolicy":{"minDelayTarget":9,"maxDelayTarget":9,"numRetries":1}})",
                             false);
  EXPECT_EQ(effective_policy(topic, std::nullopt).retry.num_retries, 7);
  EXPECT_EQ(effective_policy(std::nullopt, sub).retry.num_retries, 1);
  DeliveryPolicy both = effective_policy(topic, sub);
  EXPECT_EQ(both.retry.num_retries, 1);
  EXPECT_EQ(both.retry.min_delay_target_s, 9);
  EXPECT_EQ(both.max_receives_per_second, 3);  // the topic's throttle stays

  topic.disable_subscription_overrides = true;
  EXPECT_EQ(effective_policy(topic, sub).retry.num_retries, 7);
}

TEST(SnsDeliveryPolicy, DefaultScheduleIsThreeRetriesTwentySecondsApart) {
  EXPECT_EQ(schedule(RetryPolicy{}), (std::vector<int>{20, 20, 20}));
  EXPECT_FALSE(retry_delay(RetryPolicy{}, 0));
  EXPECT_FALSE(retry_delay(RetryPolicy{}, 4));
}

TEST(SnsDeliveryPolicy, BackoffFunctionsGoFromMinToMax) {
  EXPECT_EQ(schedule(backoff_only("linear")), (std::vector<int>{5, 33, 62, 90, 118, 147, 175, 203, 232, 260}));
  EXPECT_EQ(schedule(backoff_only("arithmetic")), (std::vector<int>{5, 8, 18, 33, 55, 84, 118, 159, 206, 260}));
  EXPECT_EQ(schedule(backoff_only("geometric")), (std::vector<int>{5, 8, 12, 19, 29, 45, 70, 108, 168, 260}));
  EXPECT_EQ(schedule(backoff_only("exponential")), (std::vector<int>{5, 5, 6, 8, 12, 20, 36, 68, 132, 260}));
}

TEST(SnsDeliveryPolicy, FourPhases) {
  RetryPolicy p;
  p.min_delay_target_s = 10;
  p.max_delay_target_s = 40;
  p.num_retries = 9;
  p.num_no_delay_retries = 2;
  p.num_min_delay_retries = 2;
  p.num_max_delay_retries = 2;
  EXPECT_EQ(schedule(p), (std::vector<int>{0, 0, 10, 10, 10, 25, 40, 40, 40}));
  p.num_retries = 7;  // one backoff retry: the minimum delay
  EXPECT_EQ(schedule(p), (std::vector<int>{0, 0, 10, 10, 10, 40, 40}));
  p.num_retries = 6;  // no backoff phase
  EXPECT_EQ(schedule(p), (std::vector<int>{0, 0, 10, 10, 40, 40}));
}
