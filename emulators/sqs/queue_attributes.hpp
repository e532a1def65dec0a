#pragma once
// SQS queue attributes: names, defaults and validation for CreateQueue and SetQueueAttributes
// (ranges, booleans, FIFO-only attributes, RedrivePolicy and RedriveAllowPolicy documents,
// Policy JSON), queue name rules, and GetQueueAttributes' AttributeNames.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/error.hpp"

namespace awan::sqs {

// Queue names: 1-80 characters of [A-Za-z0-9_-], FIFO queues end in ".fifo" (counted in the
// 80). Returns AWS's error (InvalidParameterValue with its message) or nullopt.
std::optional<AwsError> check_queue_name(std::string_view name);

// The settable attributes with their defaults for a new queue, as strings (the API's form):
// DelaySeconds 0, MaximumMessageSize (AWS's current default), MessageRetentionPeriod 345600,
// ReceiveMessageWaitTimeSeconds 0, VisibilityTimeout 30, SqsManagedSseEnabled true, and for
// FIFO queues FifoQueue true, ContentBasedDeduplication false, DeduplicationScope queue,
// FifoThroughputLimit perQueue.
nlohmann::json default_attributes(bool fifo);

// Validates a CreateQueue / SetQueueAttributes Attributes map ({"Name": "value"}, strings).
// `fifo`: the queue is (or, for CreateQueue, is being created as) a FIFO queue. Unknown names
// → InvalidAttributeName; out-of-range or malformed values → InvalidAttributeValue, with AWS's
// messages; FifoQueue may only be set at creation (creating=true) and must match the name.
std::optional<AwsError> check_queue_attributes(const nlohmann::json& attrs, bool fifo, bool creating);

struct RedrivePolicy {
  std::string dead_letter_target_arn;
  int max_receive_count = 0;  // 1..1000
};
// The RedrivePolicy attribute's JSON text ({"deadLetterTargetArn": "...","maxReceiveCount": n},
// the count as a number or a string). "" (clearing it) gives nullopt without an error.
std::variant<std::optional<RedrivePolicy>, AwsError> parse_redrive_policy(std::string_view text);

struct RedriveAllowPolicy {
  std::string permission = "allowAll";    // allowAll | denyAll | byQueue
  std::vector<std::string> source_arns;   // byQueue: 1..10 queue ARNs
  bool allows(std::string_view source_queue_arn) const;
};
std::variant<std::optional<RedriveAllowPolicy>, AwsError> parse_redrive_allow_policy(std::string_view text);

// GetQueueAttributes / ReceiveMessage AttributeNames validation: every name must be "All" or a
// known queue attribute (read-only ones included: ApproximateNumberOfMessages, QueueArn,
// CreatedTimestamp, ...). Returns InvalidAttributeName for the first unknown one.
std::optional<AwsError> check_attribute_names(const std::vector<std::string>& names);

}  // namespace awan::sqs
