#pragma once
// The SQS emulator (model sqs 2012-11-05, awsJson 1.0 and awsQuery): standard and FIFO queues,
// visibility timeouts, delays, long polling, dead-letter queues and message move tasks.
#include <memory>

#include "awan/service.hpp"

namespace awan::sqs {

std::unique_ptr<Service> make_service(const ServiceEnv& env);

}  // namespace awan::sqs
