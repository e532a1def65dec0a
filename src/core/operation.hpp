#pragma once
// Running one operation of a service: what its handler throws becomes the answer — an AwsError
// its own failure, a storage error the service's internal error, a JSON type error (a document
// member of an unexpected type reached a handler) the service's parameter error; both logged.
#include <functional>
#include <string>
#include <string_view>

#include "awan/service.hpp"

namespace awan {

Result run_operation(std::string_view service, const std::string& operation, const std::function<Result()>& handler,
                     const AwsError& internal, const AwsError& malformed);

}  // namespace awan
