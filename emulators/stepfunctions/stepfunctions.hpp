#pragma once
// The Step Functions emulator (model stepfunctions 2016-11-23, awsJson1.0): state machines,
// executions run by an ASL interpreter, activities and task tokens.
#include <memory>

#include "awan/service.hpp"

namespace awan::stepfunctions {

std::unique_ptr<Service> make_service(const ServiceEnv& env);

}  // namespace awan::stepfunctions
