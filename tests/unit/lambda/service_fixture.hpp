#pragma once
// The Lambda service fixture of the unit tests: the service through its operation interface with
// in-process handlers ("echo", "fail", "record"), a scheduler on threads, and fakes of the other
// services (IAM roles, a DynamoDB stream, an SQS queue) answering its cross-service calls.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "awan/clock.hpp"
#include "awan/function.hpp"
#include "awan/service.hpp"
#include "lambda/lambda.hpp"

namespace awan::lambda::testing {

using json = nlohmann::json;
using namespace std::chrono_literals;

// Runs posted work on a thread of its own after the delay (pollers, retries).
class ThreadScheduler final : public Scheduler {
 public:
  ~ThreadScheduler() override {
    for (auto& t : threads_) t.join();
  }
  void post_after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    if (stopped_) return;
    std::lock_guard lock(mu_);
    threads_.emplace_back([this, delay, fn = std::move(fn)] {
      std::this_thread::sleep_for(std::min(delay, std::chrono::milliseconds(200)));
      if (!stopped_) fn();
    });
  }
  std::atomic<bool> stopped_{false};

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

class LambdaTest : public ::testing::Test {
 protected:
  LambdaTest() {
    env_.functions = std::make_shared<FunctionRegistry>();
    env_.scheduler = &scheduler_;
    env_.call_service = [this](const RequestContext& ctx, const std::string& service, const std::string& op,
                               json input, Completion done) { fake(ctx, service, op, std::move(input), std::move(done)); };
    env_.functions->add("echo", [](const json& event, FunctionContext& ctx) {
      ctx.log("echoing");
      return json{{"event", event}, {"function", ctx.function_name}, {"version", ctx.function_version}};
    });
    env_.functions->add("fail", [](const json&, FunctionContext&) -> json {
      throw FunctionError("InventoryError", "no such store");
    });
    env_.functions->add("record", [this](const json& event, FunctionContext&) {
      std::lock_guard lock(mu_);
      events_.push_back(event);
      cv_.notify_all();
      return json{{"batchItemFailures", fail_items_}};
    });
    lambda_ = lambda::make_service(env_);
  }
  ~LambdaTest() override {
    scheduler_.stopped_ = true;
    lambda_->shutdown();
  }

  // The other services, as far as these tests need them.
  void fake(const RequestContext& ctx, const std::string& service, const std::string& op, json in, Completion done) {
    std::lock_guard lock(mu_);
    calls_.push_back({{"service", service}, {"operation", op}, {"input", in}});
    cv_.notify_all();
    if (service == "iam" && op == "GetRole")
      return done(in["RoleName"] == "missing" ? Result::fail(AwsError("NoSuchEntity", "", 404)) : Result::ok());
    if (service == "dynamodbstreams" && op == "DescribeStream")
      return done(Result::ok({{"StreamDescription", {{"Shards", json::array({{{"ShardId", "shardId-1"}}})}}}}));
    if (service == "dynamodbstreams" && op == "GetShardIterator")
      return done(Result::ok({{"ShardIterator", in.value("SequenceNumber", "start")}}));
    if (service == "dynamodbstreams" && op == "GetRecords") {
      // Records after the iterator's sequence number.
      std::string after = in["ShardIterator"];
      json out = json::array();
      for (const auto& r : stream_)
        if ((after == "start" || std::stoi(r["dynamodb"]["SequenceNumber"].get<std::string>()) > std::stoi(after)) &&
            out.size() < in.value("Limit", size_t{1000}))
          out.push_back(r);
      std::string next = out.empty() ? after : out.back()["dynamodb"]["SequenceNumber"].get<std::string>();
      return done(Result::ok({{"Records", out}, {"NextShardIterator", next}}));
    }
    if (service == "sqs" && op == "GetQueueUrl") return done(Result::ok({{"QueueUrl", "u"}}));
    if (service == "sqs" && op == "ReceiveMessage") {
      json msgs = json::array();
      while (!queue_.empty() && msgs.size() < in["MaxNumberOfMessages"].get<size_t>()) {
        msgs.push_back(queue_.front());
        queue_.pop_front();
      }
      return done(Result::ok({{"Messages", msgs}}));
    }
    done(Result::ok());
  }
  std::vector<json> calls(const std::string& service, const std::string& op) {
    std::lock_guard lock(mu_);
    std::vector<json> out;
    for (const auto& c : calls_)
      if (c["service"] == service && c["operation"] == op) out.push_back(c["input"]);
    return out;
  }
  bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      lock.unlock();
      bool ok = pred();
      lock.lock();
      return ok;
    });
  }

  Result call(const std::string& op, json in) {
    std::promise<Result> p;
    auto f = p.get_future();
    lambda_->invoke(ctx_, op, std::move(in), [&p](Result r) { p.set_value(std::move(r)); });
    return f.get();
  }
  json ok(const std::string& op, json in) {
    Result r = call(op, std::move(in));
    EXPECT_FALSE(r.error) << op << ": " << (r.error ? r.error->code + " " + r.error->message : "");
    return r.output;
  }
  AwsError fails(const std::string& op, json in) {
    Result r = call(op, std::move(in));
    EXPECT_TRUE(r.error) << op << " succeeded: " << r.output.dump();
    return r.error.value_or(AwsError());
  }
  json create(const std::string& name, const std::string& handler, json extra = json::object()) {
    json in = {{"FunctionName", name}, {"Runtime", "provided.al2023"}, {"Handler", handler},
               {"Role", "arn:aws:iam::000000000000:role/lambda-role"}};
    in.update(extra);
    return ok("CreateFunction", in);
  }

  ThreadScheduler scheduler_;
  ServiceEnv env_;
  std::unique_ptr<Service> lambda_;
  RequestContext ctx_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<json> calls_, events_, stream_;
  std::deque<json> queue_;
  json fail_items_ = json::array();
};

}  // namespace awan::lambda::testing
