#pragma once
// The CloudWatch Logs emulator (model logs 2014-03-28, awsJson 1.1): log groups and streams,
// PutLogEvents, GetLogEvents, FilterLogEvents with filter patterns, retention, tags, metric and
// subscription filters (stored).
#include <memory>

#include "awan/service.hpp"

namespace awan::logs {

std::unique_ptr<Service> make_service(const ServiceEnv& env);

}  // namespace awan::logs
