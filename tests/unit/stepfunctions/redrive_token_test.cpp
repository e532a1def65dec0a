// RedriveExecution's clientToken: the same token within 15 minutes of its first use answers
// that redrive again without redriving; the last 10 tokens of an execution are kept.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "fixture.hpp"

namespace awan::sfn_test {
namespace {

const json kFails = {{"StartAt", "Boom"}, {"States", {{"Boom", {{"Type", "Fail"}, {"Error", "E"}, {"Cause", "c"}}}}}};

struct RedriveFixture : Fixture {
  std::string exec;
  explicit RedriveFixture(std::string data_dir = "") : Fixture(nullptr, std::move(data_dir)) {
    std::string sm = create("fails", kFails);
    exec = call("StartExecution", {{"stateMachineArn", sm}}).output["executionArn"];
    scheduler.run();
  }
  Result redrive(const std::string& token, bool run_it = true) {
    json in = {{"executionArn", exec}};
    if (!token.empty()) in["clientToken"] = token;
    auto r = call("RedriveExecution", in);
    if (run_it) scheduler.run();
    return r;
  }
  int64_t count() { return call("DescribeExecution", {{"executionArn", exec}}).output.value("redriveCount", 0); }
};

TEST(StepFunctionsRedriveToken, SameTokenAnswersTheSameRedrive) {
  RedriveFixture fx;
  auto first = fx.redrive("t1");
  ASSERT_FALSE(first.is_error()) << first.error->message;
  EXPECT_EQ(fx.count(), 1);
  fx.clock.advance(std::chrono::seconds(30));
  auto again = fx.redrive("t1");
  ASSERT_FALSE(again.is_error());
  EXPECT_EQ(again.output["redriveDate"], first.output["redriveDate"]);
  EXPECT_EQ(fx.count(), 1);
  // Another token redrives.
  auto other = fx.redrive("t2");
  ASSERT_FALSE(other.is_error());
  EXPECT_NE(other.output["redriveDate"], first.output["redriveDate"]);
  EXPECT_EQ(fx.count(), 2);
  // Past 15 minutes from its first use the token is forgotten.
  fx.clock.advance(std::chrono::minutes(15));
  auto late = fx.redrive("t1");
  ASSERT_FALSE(late.is_error());
  EXPECT_EQ(fx.count(), 3);
  // Without a token every call redrives.
  ASSERT_FALSE(fx.redrive("").is_error());
  EXPECT_EQ(fx.count(), 4);
}

TEST(StepFunctionsRedriveToken, TheLastTenTokensAreKept) {
  RedriveFixture fx;
  for (int i = 0; i <= 10; ++i) ASSERT_FALSE(fx.redrive(std::to_string(i) + "k").is_error());
  EXPECT_EQ(fx.count(), 11);
  ASSERT_FALSE(fx.redrive("10k").is_error());  // kept
  EXPECT_EQ(fx.count(), 11);
  ASSERT_FALSE(fx.redrive("1k").is_error());  // kept (1k..10k)
  EXPECT_EQ(fx.count(), 11);
  ASSERT_FALSE(fx.redrive("0k").is_error());  // the eleventh back: redriven again
  EXPECT_EQ(fx.count(), 12);
}

TEST(StepFunctionsRedriveToken, WhileRunningTheTokenStillAnswers) {
  RedriveFixture fx;
  auto first = fx.redrive("w", false);  // not run yet: the execution is RUNNING
  ASSERT_FALSE(first.is_error());
  auto again = fx.redrive("w", false);
  ASSERT_FALSE(again.is_error());
  EXPECT_EQ(again.output["redriveDate"], first.output["redriveDate"]);
  auto other = fx.redrive("x", false);
  ASSERT_TRUE(other.is_error());
  EXPECT_EQ(other.error->code, "ExecutionNotRedrivable");
  EXPECT_EQ(other.error->message, "Execution is RUNNING and cannot be redriven");
}

TEST(StepFunctionsRedriveToken, MalformedTokensRefused) {
  RedriveFixture fx;
  for (const std::string& bad : {std::string(""), std::string("has space"), std::string(65, 'a'), std::string("caf\xc3\xa9")}) {
    auto r = fx.call("RedriveExecution", {{"executionArn", fx.exec}, {"clientToken", bad}});
    ASSERT_TRUE(r.is_error()) << bad;
    EXPECT_EQ(r.error->code, "ValidationException") << bad;
    EXPECT_NE(r.error->message.find("'clientToken'"), std::string::npos) << r.error->message;
  }
  EXPECT_EQ(fx.count(), 0);
  ASSERT_FALSE(fx.redrive(std::string(64, '~')).is_error());
}

TEST(StepFunctionsRedriveToken, KeptAcrossARestart) {
  auto dir = std::filesystem::temp_directory_path() / ("sfn-redrive-token-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string exec;
  json first;
  {
    RedriveFixture fx(dir.string());
    auto r = fx.redrive("kept");
    ASSERT_FALSE(r.is_error()) << r.error->message;
    first = r.output;
    exec = fx.exec;
  }
  Fixture fx(nullptr, dir.string());  // a new process with the same --data-dir
  auto again = fx.call("RedriveExecution", {{"executionArn", exec}, {"clientToken", "kept"}});
  ASSERT_FALSE(again.is_error()) << again.error->message;
  EXPECT_EQ(again.output, first);
  EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", exec}}).output["redriveCount"], 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace awan::sfn_test
