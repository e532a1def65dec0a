#pragma once
// What the identity services (IAM, STS) do alike around their operations: run one under the
// service's lock with unexpected exceptions turned into InternalFailure, and hand out the
// credential resolver a service implements. Header-only so that STS can share it without
// linking the IAM library.
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "awan/identity.hpp"
#include "awan/service.hpp"

namespace awan::iam {

// Runs fn() under `mu`. An exception becomes InternalFailure (500) and the error log line
// "<service> <operation>: <what>", never a crash.
template <class Fn>
Result run_locked(std::mutex& mu, std::string_view service, const std::string& operation, Fn&& fn) {
  std::lock_guard lock(mu);
  try {
    return fn();
  } catch (const std::exception& e) {
    spdlog::error("{} {}: {}", service, operation, e.what());
    return Result::fail(AwsError::internal());
  }
}

// The CredentialResolver a service of type Impl is; std::invalid_argument
// "credential_resolver: not the <title> service" for any other Service.
template <class Impl>
CredentialResolver& resolver_of(Service& service, std::string_view title) {
  auto* impl = dynamic_cast<Impl*>(&service);
  if (!impl) throw std::invalid_argument("credential_resolver: not the " + std::string(title) + " service");
  return *impl;
}

}  // namespace awan::iam
