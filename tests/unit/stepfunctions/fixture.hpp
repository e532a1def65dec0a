#pragma once
// The Step Functions unit tests' fixture: the service on a ManualClock and a manual Scheduler
// (run() executes due work, advancing the clock to the next timer), and helpers to run a
// definition to its end.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepfunctions/stepfunctions.hpp"

namespace awan::sfn_test {

using nlohmann::json;

class ManualScheduler : public Scheduler {
 public:
  explicit ManualScheduler(ManualClock& c) : clock_(c) {}
  void post_after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    tasks_.emplace(clock_.now() + delay, std::move(fn));
  }
  // Runs due work; advances the clock to the next timer when nothing is due.
  void run(int max_steps = 100000) {
    for (int i = 0; i < max_steps && !tasks_.empty(); ++i) {
      auto it = tasks_.begin();
      if (it->first > clock_.now()) clock_.set(it->first);
      auto fn = std::move(it->second);
      tasks_.erase(it);
      fn();
    }
  }
  // Runs the work that is due now, without moving the clock.
  void run_due() {
    while (!tasks_.empty() && tasks_.begin()->first <= clock_.now()) {
      auto fn = std::move(tasks_.begin()->second);
      tasks_.erase(tasks_.begin());
      fn();
    }
  }

 private:
  ManualClock& clock_;
  std::multimap<std::chrono::system_clock::time_point, std::function<void()>> tasks_;
};

struct Fixture {
  ManualClock clock;
  ManualScheduler scheduler{clock};
  std::unique_ptr<Service> svc;
  RequestContext ctx;
  using CallService = std::function<void(const RequestContext&, const std::string&, const std::string&, json, Completion)>;
  explicit Fixture(CallService call_service = nullptr, std::string data_dir = "") {
    ServiceEnv env;
    env.clock = &clock;
    env.scheduler = &scheduler;
    env.call_service = std::move(call_service);
    env.data_dir = std::move(data_dir);
    svc = stepfunctions::make_service(env);
    ctx.clock = &clock;
  }
  Result call(const std::string& op, json in) { return svc->call(ctx, op, std::move(in)); }
  // An operation answered through its completion (TestState, StartSyncExecution).
  Result invoke(const std::string& op, json in) {
    Result out = Result::fail(AwsError("NoAnswer", "the completion was not called", 500));
    svc->invoke(ctx, op, std::move(in), [&out](Result r) { out = std::move(r); });
    scheduler.run();
    return out;
  }
  std::string create(const std::string& name, const json& definition, json extra = json::object()) {
    extra["name"] = name;
    extra["definition"] = definition.dump();
    extra["roleArn"] = "arn:aws:iam::000000000000:role/r";
    auto c = call("CreateStateMachine", extra);
    EXPECT_FALSE(c.is_error()) << (c.error ? c.error->message : "");
    return c.output.value("stateMachineArn", "");
  }
  // Starts `arn` (a machine, version or alias) and runs it to its end: DescribeExecution.
  json start(const std::string& arn, const json& input = json::object()) {
    auto s = call("StartExecution", {{"stateMachineArn", arn}, {"input", input.dump()}});
    EXPECT_FALSE(s.is_error()) << (s.error ? s.error->message : "");
    scheduler.run();
    return call("DescribeExecution", {{"executionArn", s.output.value("executionArn", "")}}).output;
  }
  std::vector<std::string> history(const std::string& execution_arn) {
    std::vector<std::string> out;
    auto h = call("GetExecutionHistory", {{"executionArn", execution_arn}, {"maxResults", 1000}});
    for (const auto& e : h.output["events"]) out.push_back(e["type"]);
    return out;
  }
  // Runs a definition to its end: the DescribeExecution document.
  json run(const json& definition, const json& input, std::vector<std::string>* events = nullptr) {
    auto c = call("CreateStateMachine", {{"name", "sm" + std::to_string(++n_)},
                                         {"definition", definition.dump()},
                                         {"roleArn", "arn:aws:iam::000000000000:role/r"}});
    EXPECT_FALSE(c.is_error()) << (c.error ? c.error->message : "");
    auto s = call("StartExecution", {{"stateMachineArn", c.output["stateMachineArn"]}, {"input", input.dump()}});
    EXPECT_FALSE(s.is_error()) << (s.error ? s.error->message : "");
    scheduler.run();
    auto d = call("DescribeExecution", {{"executionArn", s.output["executionArn"]}});
    if (events) {
      auto h = call("GetExecutionHistory", {{"executionArn", s.output["executionArn"]}, {"maxResults", 1000}});
      for (const auto& e : h.output["events"]) events->push_back(e["type"]);
    }
    return d.output;
  }
  int n_ = 0;
};

// The fixture with a Lambda stand-in: counts the calls per "<function>:<payload>", fails with
// {"errorType": "Broken", "errorMessage": key} while that key (or the function) is in
// `failing`, and otherwise answers answer(function, payload).
struct LambdaFixture : Fixture {
  using Answer = std::function<json(const std::string& fn, const json& payload)>;
  std::set<std::string> failing;
  std::map<std::string, int> calls;
  explicit LambdaFixture(Answer answer, std::string data_dir = "")
      : Fixture([this, answer = std::move(answer)](const RequestContext&, const std::string&, const std::string&,
                                                   json in, Completion done) {
          std::string fn = in.value("FunctionName", "");
          fn = fn.substr(fn.rfind(':') + 1);
          json payload = json::parse(in.value("Payload", "null"));
          std::string key = fn + ":" + payload.dump();
          ++calls[key];
          if (failing.count(key) || failing.count(fn)) {
            done(Result::ok({{"StatusCode", 200}, {"FunctionError", "Unhandled"},
                             {"Payload", json{{"errorType", "Broken"}, {"errorMessage", key}}.dump()}}));
            return;
          }
          done(Result::ok({{"StatusCode", 200}, {"Payload", answer(fn, payload).dump()}}));
        }, std::move(data_dir)) {}
  // The calls of `fn` with any payload.
  int calls_of(const std::string& fn) const {
    int n = 0;
    for (const auto& [k, v] : calls)
      if (k.rfind(fn + ":", 0) == 0) n += v;
    return n;
  }
};

}  // namespace awan::sfn_test
