#pragma once
// Step Functions' API errors (the model's error shapes, AWS's messages) and the States.* runtime
// error an execution raises (StatesError: an error name and a cause, caught by Retry/Catch).
#include <stdexcept>
#include <string>

#include "awan/error.hpp"

namespace awan::stepfunctions {

// A runtime error of a state: States.Runtime, States.TaskFailed, a function's errorType...
struct StatesError {
  std::string error;
  std::string cause;
};

namespace errors {
inline AwsError invalid_arn(const std::string& arn) {
  return {"InvalidArn", "Invalid Arn: 'Resource type not valid in this context: " + arn + "'", 400};
}
inline AwsError invalid_arn_text(const std::string& message) { return {"InvalidArn", message, 400}; }
inline AwsError invalid_name(const std::string& name) { return {"InvalidName", "Invalid Name: '" + name + "'", 400}; }
inline AwsError invalid_definition(const std::string& message) {
  return {"InvalidDefinition", "Invalid State Machine Definition: '" + message + "'", 400};
}
inline AwsError state_machine_does_not_exist(const std::string& arn) {
  return {"StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'", 400};
}
inline AwsError state_machine_already_exists(const std::string& arn) {
  return {"StateMachineAlreadyExists", "State Machine Already Exists: '" + arn + "'", 400};
}
inline AwsError execution_does_not_exist(const std::string& arn) {
  return {"ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'", 400};
}
inline AwsError execution_already_exists(const std::string& arn) {
  return {"ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'", 400};
}
inline AwsError activity_does_not_exist(const std::string& arn) {
  return {"ActivityDoesNotExist", "Activity Does Not Exist: '" + arn + "'", 400};
}
inline AwsError invalid_token(const std::string& message = "Invalid Token: 'Invalid token'") {
  return {"InvalidToken", message, 400};
}
inline AwsError task_does_not_exist() { return {"TaskDoesNotExist", "Task Does Not Exist", 400}; }
inline AwsError task_timed_out() { return {"TaskTimedOut", "Task Timed Out", 400}; }
inline AwsError invalid_execution_input(const std::string& message) {
  return {"InvalidExecutionInput", message, 400};
}
inline AwsError resource_not_found(const std::string& message) { return {"ResourceNotFound", message, 400}; }
inline AwsError validation(const std::string& message) { return AwsError::validation(message); }
inline AwsError state_machine_type_not_supported(const std::string& message) {
  return {"StateMachineTypeNotSupported", message, 400};
}
inline AwsError execution_not_redrivable(const std::string& message) {
  return {"ExecutionNotRedrivable", message, 400};
}
inline AwsError conflict(const std::string& message) { return {"ConflictException", message, 400}; }
inline AwsError invalid_output(const std::string& message) { return {"InvalidOutput", message, 400}; }
inline AwsError invalid_encryption_configuration(const std::string& message) {
  return {"InvalidEncryptionConfiguration", message, 400};
}
}  // namespace errors

}  // namespace awan::stepfunctions
