#pragma once
// CloudWatch Logs' errors, with AWS's codes and messages (all 400).
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "awan/error.hpp"

namespace awan::logs::errors {

inline AwsError invalid_parameter(std::string message) { return {"InvalidParameterException", std::move(message), 400}; }
// The model-constraint form: "1 validation error detected: Value 'x' at 'member' failed to
// satisfy constraint: Member must ..."
inline AwsError constraint(const std::string& value, const std::string& member, const std::string& rule) {
  return invalid_parameter("1 validation error detected: Value " + value + " at '" + member +
                           "' failed to satisfy constraint: Member must " + rule);
}
inline AwsError missing(const std::string& member) { return constraint("null", member, "not be null"); }
inline AwsError log_group_not_found() {
  return {"ResourceNotFoundException", "The specified log group does not exist.", 400};
}
inline AwsError log_stream_not_found() {
  return {"ResourceNotFoundException", "The specified log stream does not exist.", 400};
}
inline AwsError filter_not_found() {
  return {"ResourceNotFoundException", "The specified filter does not exist.", 400};
}
inline AwsError log_group_exists() {
  return {"ResourceAlreadyExistsException", "The specified log group already exists", 400};
}
inline AwsError log_stream_exists() {
  return {"ResourceAlreadyExistsException", "The specified log stream already exists", 400};
}
inline AwsError limit_exceeded() { return {"LimitExceededException", "Resource limit exceeded.", 400}; }
inline AwsError too_many_tags(const std::string& arn) {
  AwsError e("TooManyTagsException", "A resource can have no more than 50 tags.", 400);
  e.details = std::make_shared<const nlohmann::json>(nlohmann::json{{"resourceName", arn}});
  return e;
}
inline AwsError invalid_token() { return invalid_parameter("The specified nextToken is invalid."); }

}  // namespace awan::logs::errors
