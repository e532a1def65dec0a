// The fixture the DynamoDB unit tests share: one service over a fresh store, and calls that
// expect success (ok) or an error (err), naming the operation when they fail.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "awan/clock.hpp"
#include "dynamodb/dynamodb.hpp"

namespace awan::dynamodb::test_support {

using nlohmann::json;

inline json call_ok(awan::Service& s, const awan::RequestContext& ctx, const std::string& op, json in) {
  auto r = s.call(ctx, op, std::move(in));
  EXPECT_FALSE(r.is_error()) << op << ": " << (r.error ? r.error->code + ": " + r.error->message : "");
  return r.output;
}

inline awan::AwsError call_err(awan::Service& s, const awan::RequestContext& ctx, const std::string& op, json in) {
  auto r = s.call(ctx, op, std::move(in));
  EXPECT_TRUE(r.is_error()) << op << " unexpectedly succeeded: " << r.output.dump();
  return r.error.value_or(awan::AwsError{});
}

class ServiceFixture : public ::testing::Test {
 protected:
  void SetUp() override { svc_ = awan::dynamodb::make_service(env_); }
  // The service and the requests read clock_ (call before SetUp creates the service).
  void use_manual_clock() {
    env_.clock = &clock_;
    ctx_.clock = &clock_;
  }

  json ok(const std::string& op, json in) { return call_ok(*svc_, ctx_, op, std::move(in)); }
  awan::AwsError err(const std::string& op, json in) { return call_err(*svc_, ctx_, op, std::move(in)); }

  awan::ManualClock clock_;
  awan::ServiceEnv env_;
  awan::RequestContext ctx_;
  std::unique_ptr<awan::Service> svc_;
};

}  // namespace awan::dynamodb::test_support
