#pragma once
// The SNS emulator (model sns 2010-03-31, awsQuery): topics (standard and FIFO), subscriptions
// with filter policies, and delivery to SQS, Lambda, HTTP/HTTPS and email (SMTP or an outbox).
#include <memory>

#include "awan/service.hpp"

namespace awan::sns {

std::unique_ptr<Service> make_service(const ServiceEnv& env);

}  // namespace awan::sns
