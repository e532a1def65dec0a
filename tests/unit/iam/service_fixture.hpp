#pragma once
// A GoogleTest fixture for one emulated service called in-process (shared by the IAM and STS
// tests): a manual clock, a fresh service per test, a request context of account
// 111122223333, and call/ok/err helpers that report the unexpected outcome.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "awan/clock.hpp"
#include "awan/service.hpp"

namespace awan::test_support {

template <std::unique_ptr<Service> (*MakeService)(const ServiceEnv&)>
class ServiceTest : public ::testing::Test {
 protected:
  using json = nlohmann::json;

  void SetUp() override {
    env_.clock = &clock_;
    svc_ = MakeService(env_);
    ctx_.account_id = "111122223333";
  }

  Result call(const std::string& op, json in = json::object()) { return svc_->call(ctx_, op, std::move(in)); }
  json ok(const std::string& op, json in = json::object()) {
    auto r = call(op, std::move(in));
    EXPECT_FALSE(r.is_error()) << op << ": " << (r.error ? r.error->code + " " + r.error->message : "");
    return r.output;
  }
  AwsError err(const std::string& op, json in = json::object()) {
    auto r = call(op, std::move(in));
    EXPECT_TRUE(r.is_error()) << op << " unexpectedly succeeded: " << r.output.dump();
    return r.error.value_or(AwsError{});
  }

  ManualClock clock_;
  ServiceEnv env_;
  std::unique_ptr<Service> svc_;
  RequestContext ctx_;
};

}  // namespace awan::test_support
