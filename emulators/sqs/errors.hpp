#pragma once
// SQS's errors, with AWS's codes (the model's shape names: the codecs give the query form its
// "AWS.SimpleQueueService.*" codes), statuses and messages.
#include <string>

#include "awan/error.hpp"

namespace awan::sqs::errors {

inline AwsError queue_does_not_exist() { return {"QueueDoesNotExist", "The specified queue does not exist.", 400}; }
inline AwsError invalid_parameter(std::string message) { return {"InvalidParameterValue", std::move(message), 400}; }
// "Value <v> for parameter <name> is invalid. Reason: <reason>"
inline AwsError invalid_value(const std::string& value, const std::string& name, const std::string& reason) {
  return invalid_parameter("Value " + value + " for parameter " + name + " is invalid. Reason: " + reason);
}
inline AwsError missing_parameter(const std::string& name) {
  return {"MissingParameter", "The request must contain the parameter " + name + ".", 400};
}
inline AwsError invalid_address(const std::string& url) {
  return {"InvalidAddress", "The address " + url + " is not valid for this endpoint.", 404};
}
inline AwsError receipt_handle_invalid(const std::string& handle) {
  return {"ReceiptHandleIsInvalid", "The input receipt handle \"" + handle + "\" is not a valid receipt handle.",
          404};
}
inline AwsError receipt_handle_expired(const std::string& handle) {
  return invalid_value(handle, "ReceiptHandle", "The receipt handle has expired.");
}
inline AwsError not_available_for_visibility(const std::string& handle) {
  return invalid_value(handle, "ReceiptHandle",
                       "Message does not exist or is not available for visibility timeout change.");
}
inline AwsError empty_batch(const std::string& entry_shape) {
  return {"EmptyBatchRequest", "There should be at least one " + entry_shape + " in the request.", 400};
}
inline AwsError too_many_entries(size_t n) {
  return {"TooManyEntriesInBatchRequest",
          "Maximum number of entries per request are 10. You have sent " + std::to_string(n) + ".", 400};
}
inline AwsError ids_not_distinct(const std::string& id) {
  return {"BatchEntryIdsNotDistinct", "Id " + id + " repeated.", 400};
}
inline AwsError invalid_batch_id() {
  return {"InvalidBatchEntryId",
          "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 "
          "letters long.",
          400};
}
inline AwsError batch_too_long(int64_t limit, int64_t sent) {
  return {"BatchRequestTooLong",
          "Batch requests cannot be longer than " + std::to_string(limit) + " bytes. You have sent " +
              std::to_string(sent) + " bytes.",
          400};
}
inline AwsError purge_in_progress(const std::string& queue_name) {
  return {"PurgeQueueInProgress",
          "Only one PurgeQueue operation on " + queue_name + " is allowed every 60 seconds.", 403};
}
inline AwsError queue_name_exists(const std::string& attribute) {
  return {"QueueNameExists",
          "A queue already exists with the same name and a different value for attribute " + attribute, 400};
}
inline AwsError resource_not_found(std::string message) {
  return {"ResourceNotFoundException", std::move(message), 404};
}
inline AwsError unsupported(std::string message) { return {"UnsupportedOperation", std::move(message), 400}; }

}  // namespace awan::sqs::errors
