#pragma once
// AwsError: the one error type every layer uses. Codecs render it in their protocol's form.
#include <memory>
#include <string>
#include <utility>

#include <nlohmann/json_fwd.hpp>

namespace awan {

struct AwsError {
  std::string code;         // e.g. "ValidationException", "NoSuchEntity"
  std::string message;      // exact AWS message text where known
  int http_status = 400;
  bool sender_fault = true;  // awsQuery <Type>Sender</Type> vs Receiver
  // Extra members of the error shape (a JSON object keyed by member name), merged by the
  // codecs into the error body: DynamoDB CancellationReasons / Item, S3 <Key>, <BucketName>.
  std::shared_ptr<const nlohmann::json> details;

  AwsError() = default;
  AwsError(std::string c, std::string m, int status = 400, bool sender = true)
      : code(std::move(c)), message(std::move(m)), http_status(status), sender_fault(sender) {}

  // Named factories for errors shared by several services / protocols.
  static AwsError validation(std::string message) {
    return {"ValidationException", std::move(message), 400};
  }
  static AwsError validation_error(std::string message) {  // awsQuery services spell it so
    return {"ValidationError", std::move(message), 400};
  }
  static AwsError serialization(std::string message) {
    return {"SerializationException", std::move(message), 400};
  }
  static AwsError internal(std::string message = "We encountered an internal error. Please try again.") {
    return {"InternalFailure", std::move(message), 500, false};
  }
  static AwsError unknown_operation(std::string message = "") {
    return {"UnknownOperationException", std::move(message), 400};
  }
  static AwsError invalid_action(const std::string& action) {
    return {"InvalidAction", "The action " + action + " is not valid for this web service.", 400};
  }
  static AwsError missing_action() {
    return {"MissingAction", "Missing Action", 400};
  }
  static AwsError not_implemented(const std::string& what) {
    return {"NotImplemented", what + " is not implemented by Awan", 501, false};
  }
};

}  // namespace awan
