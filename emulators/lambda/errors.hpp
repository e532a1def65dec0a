#pragma once
// Lambda's errors with AWS's codes, statuses and messages.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "awan/error.hpp"

namespace awan::lambda::errors {

inline AwsError not_found(const std::string& what) { return {"ResourceNotFoundException", what, 404}; }
inline AwsError function_not_found(const std::string& arn) { return not_found("Function not found: " + arn); }
inline AwsError conflict(const std::string& message) { return {"ResourceConflictException", message, 409}; }
inline AwsError invalid(const std::string& message) { return {"InvalidParameterValueException", message, 400}; }
inline AwsError validation(const std::string& message) { return AwsError::validation(message); }
// "1 validation error detected: Value 'x' at 'member' failed to satisfy constraint: ..."
inline AwsError constraint(const std::string& value, const std::string& member, const std::string& constraint) {
  return validation("1 validation error detected: Value '" + value + "' at '" + member +
                    "' failed to satisfy constraint: " + constraint);
}
inline AwsError too_many_requests(const std::string& message, const std::string& reason) {
  AwsError e{"TooManyRequestsException", message, 429};
  e.details = std::make_shared<const nlohmann::json>(nlohmann::json{{"Reason", reason}});
  return e;
}

}  // namespace awan::lambda::errors
