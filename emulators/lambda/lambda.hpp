#pragma once
// The Lambda emulator (model lambda 2015-03-31, restJson): functions, versions, aliases,
// permissions, invocation (in-process C++ handlers and runtimes in execution environments),
// asynchronous invocation with retries and destinations, and event source mappings for DynamoDB
// streams and SQS queues.
#include <memory>

#include "awan/service.hpp"

namespace awan::lambda {

std::unique_ptr<Service> make_service(const ServiceEnv& env);

}  // namespace awan::lambda
