#pragma once
// The DynamoDB emulator (DynamoDB_20120810): documents in and out are the awsJson 1.0
// request/response shapes.
#include <memory>

#include "awan/service.hpp"

namespace awan::dynamodb {

std::unique_ptr<awan::Service> make_service(const ServiceEnv& env);

}  // namespace awan::dynamodb
