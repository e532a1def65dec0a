#pragma once
// SNS's errors with AWS's wire codes (the model's error shapes: InvalidParameterException is
// "InvalidParameter", NotFoundException "NotFound", ...), statuses and messages.
#include <string>

#include "awan/error.hpp"

namespace awan::sns::errors {

// "Invalid parameter: <what>"
inline AwsError invalid_parameter(const std::string& what) {
  return {"InvalidParameter", "Invalid parameter: " + what, 400};
}
inline AwsError missing(const std::string& member) {
  return invalid_parameter(member + " Reason: no value for required parameter");
}
inline AwsError not_found(const std::string& message) { return {"NotFound", message, 404}; }
inline AwsError topic_not_found() { return not_found("Topic does not exist"); }
inline AwsError subscription_not_found() { return not_found("Subscription does not exist"); }
inline AwsError resource_not_found() { return {"ResourceNotFound", "Resource does not exist", 404}; }
inline AwsError invalid_arn(const std::string& member, const std::string& reason) {
  return invalid_parameter(member + " Reason: " + reason);
}
inline AwsError empty_batch() {
  return {"EmptyBatchRequest", "The batch request doesn't contain any entries.", 400};
}
inline AwsError too_many_entries() {
  return {"TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.", 400};
}
inline AwsError ids_not_distinct() {
  return {"BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.", 400};
}
inline AwsError invalid_batch_id() {
  return {"InvalidBatchEntryId",
          "The Id of a batch entry in a batch request doesn't abide by the specification.", 400};
}
inline AwsError batch_too_long() {
  return {"BatchRequestTooLong", "The length of all the messages put together is more than the limit.", 400};
}

}  // namespace awan::sns::errors
