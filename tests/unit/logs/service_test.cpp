// The CloudWatch Logs service through its operation interface (no HTTP), with an injected
// clock and a scheduler the test fires by hand: groups and streams, PutLogEvents' batch
// rules, GetLogEvents' tokens, FilterLogEvents' patterns and pages, retention, tags, filters.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "awan/clock.hpp"
#include "awan/service.hpp"
#include "logs/logs.hpp"

namespace awan {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class ManualScheduler final : public Scheduler {
 public:
  void post_after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    pending_.push_back(std::move(fn));
  }
  void run_once() {
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& fn : pending) fn();
  }

 private:
  std::vector<std::function<void()>> pending_;
};

class LogsTest : public ::testing::Test {
 protected:
  LogsTest() {
    env_.clock = &clock_;
    env_.scheduler = &scheduler_;
    logs_ = logs::make_service(env_);
    ctx_.clock = &clock_;
    ctx_.account_id = "123456789012";
    ctx_.region = "eu-west-1";
  }

  Result call(const std::string& op, json in) { return logs_->call(ctx_, op, std::move(in)); }
  json ok(const std::string& op, json in) {
    Result r = call(op, std::move(in));
    EXPECT_FALSE(r.error) << op << ": " << (r.error ? r.error->code + " " + r.error->message : "");
    return r.output;
  }
  AwsError fail(const std::string& op, json in) {
    Result r = call(op, std::move(in));
    EXPECT_TRUE(r.error) << op << " succeeded: " << r.output.dump();
    return r.error.value_or(AwsError());
  }
  int64_t now() const { return clock_.epoch_millis(); }
  void group_and_stream(const std::string& g, const std::string& s) {
    ok("CreateLogGroup", {{"logGroupName", g}});
    ok("CreateLogStream", {{"logGroupName", g}, {"logStreamName", s}});
  }
  json put(const std::string& g, const std::string& s, json events) {
    return ok("PutLogEvents", {{"logGroupName", g}, {"logStreamName", s}, {"logEvents", std::move(events)}});
  }
  static std::vector<std::string> messages(const json& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e["message"]);
    return out;
  }

  ManualClock clock_;
  ManualScheduler scheduler_;
  ServiceEnv env_;
  RequestContext ctx_;
  std::unique_ptr<Service> logs_;
};

TEST_F(LogsTest, CreateAndDescribeLogGroups) {
  ok("CreateLogGroup", {{"logGroupName", "/aws/lambda/fn"}, {"tags", {{"team", "a"}}}});
  ok("CreateLogGroup", {{"logGroupName", "app#1"}, {"logGroupClass", "INFREQUENT_ACCESS"}});
  AwsError exists = fail("CreateLogGroup", {{"logGroupName", "app#1"}});
  EXPECT_EQ(exists.code, "ResourceAlreadyExistsException");
  EXPECT_EQ(exists.message, "The specified log group already exists");
  EXPECT_EQ(fail("CreateLogGroup", {{"logGroupName", "bad name"}}).code, "InvalidParameterException");
  EXPECT_EQ(fail("CreateLogGroup", {{"logGroupName", std::string(513, 'a')}}).code, "InvalidParameterException");
  EXPECT_EQ(fail("CreateLogGroup", json::object()).code, "InvalidParameterException");
  EXPECT_EQ(fail("CreateLogGroup", {{"logGroupName", "x"}, {"logGroupClass", "COLD"}}).code, "InvalidParameterException");

  json groups = ok("DescribeLogGroups", json::object())["logGroups"];
  ASSERT_EQ(groups.size(), 2u);
  const json& fn = groups[0];
  EXPECT_EQ(fn["logGroupName"], "/aws/lambda/fn");
  EXPECT_EQ(fn["arn"], "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn:*");
  EXPECT_EQ(fn["logGroupArn"], "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn");
  EXPECT_EQ(fn["creationTime"], now());
  EXPECT_EQ(fn["storedBytes"], 0);
  EXPECT_EQ(fn["metricFilterCount"], 0);
  EXPECT_EQ(fn["logGroupClass"], "STANDARD");
  EXPECT_FALSE(fn.contains("retentionInDays"));
  EXPECT_EQ(groups[1]["logGroupClass"], "INFREQUENT_ACCESS");

  EXPECT_EQ(ok("DescribeLogGroups", {{"logGroupNamePrefix", "/aws"}})["logGroups"].size(), 1u);
  EXPECT_EQ(ok("DescribeLogGroups", {{"logGroupNamePattern", "lambda"}})["logGroups"].size(), 1u);
  EXPECT_EQ(ok("DescribeLogGroups", {{"logGroupNamePattern", "LAMBDA"}})["logGroups"].size(), 0u);
  EXPECT_EQ(fail("DescribeLogGroups", {{"logGroupNamePrefix", "a"}, {"logGroupNamePattern", "b"}}).code,
            "InvalidParameterException");
  EXPECT_EQ(fail("DescribeLogGroups", {{"limit", 51}}).code, "InvalidParameterException");
  EXPECT_EQ(fail("DescribeLogGroups", {{"nextToken", "garbage"}}).code, "InvalidParameterException");

  json page = ok("DescribeLogGroups", {{"limit", 1}});
  ASSERT_EQ(page["logGroups"].size(), 1u);
  json rest = ok("DescribeLogGroups", {{"limit", 1}, {"nextToken", page["nextToken"]}});
  EXPECT_EQ(rest["logGroups"][0]["logGroupName"], "app#1");
  EXPECT_FALSE(rest.contains("nextToken"));

  // Groups belong to their account and region.
  ctx_.region = "us-east-1";
  EXPECT_EQ(ok("DescribeLogGroups", json::object())["logGroups"].size(), 0u);
  AwsError missing = fail("DeleteLogGroup", {{"logGroupName", "app#1"}});
  EXPECT_EQ(missing.code, "ResourceNotFoundException");
  EXPECT_EQ(missing.message, "The specified log group does not exist.");
  ctx_.region = "eu-west-1";
  ok("DeleteLogGroup", {{"logGroupName", "app#1"}});
  EXPECT_EQ(ok("DescribeLogGroups", json::object())["logGroups"].size(), 1u);
}

TEST_F(LogsTest, RetentionPolicyAndSweep) {
  group_and_stream("g", "s");
  AwsError bad = fail("PutRetentionPolicy", {{"logGroupName", "g"}, {"retentionInDays", 2}});
  EXPECT_EQ(bad.code, "InvalidParameterException");
  EXPECT_NE(bad.message.find("enum value set: [1, 3, 5, 7, 14"), std::string::npos) << bad.message;
  ok("PutRetentionPolicy", {{"logGroupName", "g"}, {"retentionInDays", 1}});
  EXPECT_EQ(ok("DescribeLogGroups", json::object())["logGroups"][0]["retentionInDays"], 1);
  put("g", "s", {{{"timestamp", now() - 3'600'000}, {"message", "old"}}, {{"timestamp", now()}, {"message", "new"}}});
  clock_.advance(23h);
  scheduler_.run_once();
  EXPECT_EQ(messages(ok("GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"}})["events"]),
            (std::vector<std::string>{"old", "new"}));
  clock_.advance(30min);
  scheduler_.run_once();
  json events = ok("GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"}})["events"];
  EXPECT_EQ(messages(events), (std::vector<std::string>{"new"}));
  EXPECT_EQ(ok("DescribeLogGroups", json::object())["logGroups"][0]["storedBytes"], 3);
  ok("DeleteRetentionPolicy", {{"logGroupName", "g"}});
  EXPECT_FALSE(ok("DescribeLogGroups", json::object())["logGroups"][0].contains("retentionInDays"));
}

TEST_F(LogsTest, LogStreams) {
  group_and_stream("g", "b-stream");
  AwsError exists = fail("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "b-stream"}});
  EXPECT_EQ(exists.code, "ResourceAlreadyExistsException");
  EXPECT_EQ(fail("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "a:b"}}).code, "InvalidParameterException");
  EXPECT_EQ(fail("CreateLogStream", {{"logGroupName", "nope"}, {"logStreamName", "x"}}).message,
            "The specified log group does not exist.");
  ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "a-stream"}});
  put("g", "b-stream", {{{"timestamp", now() - 10}, {"message", "x"}}});
  put("g", "a-stream", {{{"timestamp", now() - 20}, {"message", "y"}}});

  json streams = ok("DescribeLogStreams", {{"logGroupName", "g"}})["logStreams"];
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[0]["logStreamName"], "a-stream");
  EXPECT_EQ(streams[0]["arn"], "arn:aws:logs:eu-west-1:123456789012:log-group:g:log-stream:a-stream");
  EXPECT_EQ(streams[0]["firstEventTimestamp"], now() - 20);
  EXPECT_EQ(streams[0]["lastEventTimestamp"], now() - 20);
  EXPECT_EQ(streams[0]["lastIngestionTime"], now());
  EXPECT_EQ(streams[0]["uploadSequenceToken"].get<std::string>().size(), 56u);

  json by_time = ok("DescribeLogStreams", {{"logGroupName", "g"}, {"orderBy", "LastEventTime"}, {"descending", true}});
  EXPECT_EQ(by_time["logStreams"][0]["logStreamName"], "b-stream");
  EXPECT_EQ(fail("DescribeLogStreams", {{"logGroupName", "g"}, {"orderBy", "LastEventTime"}, {"logStreamNamePrefix", "a"}}).code,
            "InvalidParameterException");
  EXPECT_EQ(ok("DescribeLogStreams", {{"logGroupIdentifier", "arn:aws:logs:eu-west-1:123456789012:log-group:g"},
                                      {"logStreamNamePrefix", "b"}})["logStreams"].size(),
            1u);
  json page = ok("DescribeLogStreams", {{"logGroupName", "g"}, {"limit", 1}});
  EXPECT_EQ(ok("DescribeLogStreams", {{"logGroupName", "g"}, {"nextToken", page["nextToken"]}})["logStreams"][0]["logStreamName"],
            "b-stream");

  ok("DeleteLogStream", {{"logGroupName", "g"}, {"logStreamName", "a-stream"}});
  AwsError gone = fail("DeleteLogStream", {{"logGroupName", "g"}, {"logStreamName", "a-stream"}});
  EXPECT_EQ(gone.message, "The specified log stream does not exist.");
}

TEST_F(LogsTest, PutLogEventsBatchRules) {
  group_and_stream("g", "s");
  int64_t t = now();
  json out = put("g", "s", {{{"timestamp", t - 15 * 86'400'000LL}, {"message", "too old"}},
                           {{"timestamp", t - 1000}, {"message", "kept 1"}},
                           {{"timestamp", t}, {"message", "kept 2"}},
                           {{"timestamp", t + 3 * 3'600'000LL}, {"message", "too new"}}});
  EXPECT_EQ(out["rejectedLogEventsInfo"], json({{"tooOldLogEventEndIndex", 1}, {"tooNewLogEventStartIndex", 3}}));
  EXPECT_EQ(out["nextSequenceToken"].get<std::string>().size(), 56u);
  // Any order is accepted; events are kept in time order.
  put("g", "s", {{{"timestamp", t + 5}, {"message", "later"}}, {{"timestamp", t + 1}, {"message", "sooner"}}});
  EXPECT_EQ(messages(ok("GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"}})["events"]),
            (std::vector<std::string>{"kept 1", "kept 2", "sooner", "later"}));

  auto put_fails = [&](json events) {
    return fail("PutLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"}, {"logEvents", std::move(events)}});
  };
  EXPECT_EQ(put_fails(json::array()).code, "InvalidParameterException");
  EXPECT_EQ(put_fails({{{"timestamp", t - 86'400'001}, {"message", "a"}}, {{"timestamp", t}, {"message", "b"}}}).message,
            "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  json many = json::array();
  for (int i = 0; i < 10'001; ++i) many.push_back({{"timestamp", t}, {"message", "m"}});
  EXPECT_EQ(put_fails(many).code, "InvalidParameterException");
  std::string big(1'048'576 - 26, 'x');
  EXPECT_FALSE(call("PutLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"},
                                     {"logEvents", {{{"timestamp", t}, {"message", big}}}}}).error);
  big.push_back('x');
  EXPECT_EQ(put_fails({{{"timestamp", t}, {"message", big}}}).message,
            "Upload too large: 1048577 bytes exceeds limit of 1048576");
  EXPECT_EQ(fail("PutLogEvents", {{"logGroupName", "g"}, {"logStreamName", "nope"},
                                  {"logEvents", {{{"timestamp", t}, {"message", "m"}}}}}).message,
            "The specified log stream does not exist.");
  ok("PutRetentionPolicy", {{"logGroupName", "g"}, {"retentionInDays", 1}});
  out = put("g", "s", {{{"timestamp", t - 2 * 86'400'000LL}, {"message", "expired"}}, {{"timestamp", t}, {"message", "ok"}}});
  EXPECT_EQ(out["rejectedLogEventsInfo"], json({{"expiredLogEventEndIndex", 1}}));
  // Sequence tokens are ignored.
  EXPECT_FALSE(call("PutLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"}, {"sequenceToken", "bogus"},
                                     {"logEvents", {{{"timestamp", t}, {"message", "m"}}}}}).error);
}

TEST_F(LogsTest, GetLogEventsTokens) {
  group_and_stream("g", "s");
  int64_t t = now() - 100'000;
  json batch = json::array();
  for (int i = 0; i < 5; ++i) batch.push_back({{"timestamp", t + i}, {"message", "e" + std::to_string(i)}});
  put("g", "s", batch);
  json base = {{"logGroupName", "g"}, {"logStreamName", "s"}};

  json tail = base;
  tail["limit"] = 2;
  json last = ok("GetLogEvents", tail);  // without startFromHead: the newest events
  EXPECT_EQ(messages(last["events"]), (std::vector<std::string>{"e3", "e4"}));
  json back = base;
  back["nextToken"] = last["nextBackwardToken"];
  back["limit"] = 2;
  EXPECT_EQ(messages(ok("GetLogEvents", back)["events"]), (std::vector<std::string>{"e1", "e2"}));

  json head = base;
  head["startFromHead"] = true;
  head["limit"] = 3;
  json first = ok("GetLogEvents", head);
  EXPECT_EQ(messages(first["events"]), (std::vector<std::string>{"e0", "e1", "e2"}));
  EXPECT_EQ(first["nextForwardToken"].get<std::string>().substr(0, 2), "f/");
  EXPECT_EQ(first["nextBackwardToken"].get<std::string>().substr(0, 2), "b/");
  json next = base;
  next["nextToken"] = first["nextForwardToken"];
  json second = ok("GetLogEvents", next);
  EXPECT_EQ(messages(second["events"]), (std::vector<std::string>{"e3", "e4"}));
  next["nextToken"] = second["nextForwardToken"];
  json end = ok("GetLogEvents", next);
  EXPECT_TRUE(end["events"].empty());
  EXPECT_EQ(end["nextForwardToken"], second["nextForwardToken"]);  // the same token: paging stops
  // A later event is picked up from the end token.
  put("g", "s", {{{"timestamp", t + 10}, {"message", "e5"}}});
  EXPECT_EQ(messages(ok("GetLogEvents", next)["events"]), (std::vector<std::string>{"e5"}));

  json window = base;
  window["startTime"] = t + 1;
  window["endTime"] = t + 3;  // exclusive
  EXPECT_EQ(messages(ok("GetLogEvents", window)["events"]), (std::vector<std::string>{"e1", "e2"}));
  json bad = base;
  bad["nextToken"] = "f/123";
  EXPECT_EQ(fail("GetLogEvents", bad).code, "InvalidParameterException");
  EXPECT_EQ(fail("GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "nope"}}).code, "ResourceNotFoundException");

  ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "empty"}});
  json empty = ok("GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "empty"}});
  EXPECT_TRUE(empty["events"].empty());
  put("g", "empty", {{{"timestamp", t}, {"message", "first"}}});
  EXPECT_EQ(messages(ok("GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "empty"},
                                         {"nextToken", empty["nextForwardToken"]}})["events"]),
            (std::vector<std::string>{"first"}));
}

TEST_F(LogsTest, FilterLogEvents) {
  group_and_stream("g", "web-1");
  ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "web-2"}});
  ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "db"}});
  int64_t t = now() - 60'000;
  put("g", "web-1", {{{"timestamp", t}, {"message", "ERROR a"}}, {{"timestamp", t + 2}, {"message", "INFO b"}}});
  put("g", "web-2", {{{"timestamp", t + 1}, {"message", "ERROR c"}}, {{"timestamp", t + 3}, {"message", R"({"level":"warn","ms":900})"}}});
  put("g", "db", {{{"timestamp", t + 4}, {"message", "ERROR d"}}});

  json all = ok("FilterLogEvents", {{"logGroupName", "g"}});
  EXPECT_EQ(messages(all["events"]),
            (std::vector<std::string>{"ERROR a", "ERROR c", "INFO b", R"({"level":"warn","ms":900})", "ERROR d"}));
  const json& e = all["events"][1];
  EXPECT_EQ(e["logStreamName"], "web-2");
  EXPECT_EQ(e["timestamp"], t + 1);
  EXPECT_EQ(e["ingestionTime"], now());
  EXPECT_EQ(e["eventId"].get<std::string>().size(), 56u);
  EXPECT_FALSE(all.contains("nextToken"));
  EXPECT_EQ(all["searchedLogStreams"].size(), 3u);

  EXPECT_EQ(messages(ok("FilterLogEvents", {{"logGroupName", "g"}, {"filterPattern", "ERROR -d"}})["events"]),
            (std::vector<std::string>{"ERROR a", "ERROR c"}));
  EXPECT_EQ(messages(ok("FilterLogEvents", {{"logGroupName", "g"}, {"filterPattern", "{ $.ms > 500 }"}})["events"]),
            (std::vector<std::string>{R"({"level":"warn","ms":900})"}));
  EXPECT_EQ(messages(ok("FilterLogEvents", {{"logGroupName", "g"}, {"logStreamNamePrefix", "web"},
                                           {"filterPattern", "?ERROR ?INFO"}})["events"]),
            (std::vector<std::string>{"ERROR a", "ERROR c", "INFO b"}));
  EXPECT_EQ(messages(ok("FilterLogEvents", {{"logGroupIdentifier", "g"}, {"logStreamNames", {"db", "web-1"}},
                                           {"startTime", t + 1}, {"endTime", t + 4}})["events"]),
            (std::vector<std::string>{"INFO b", "ERROR d"}));
  EXPECT_EQ(fail("FilterLogEvents", {{"logGroupName", "g"}, {"filterPattern", "{ $.a = "}}).code, "InvalidParameterException");
  EXPECT_EQ(fail("FilterLogEvents", {{"logGroupName", "g"}, {"logStreamNames", {"db"}}, {"logStreamNamePrefix", "w"}}).code,
            "InvalidParameterException");
  EXPECT_EQ(fail("FilterLogEvents", {{"logGroupName", "g"}, {"logGroupIdentifier", "g"}}).code, "InvalidParameterException");
  EXPECT_EQ(fail("FilterLogEvents", {{"logGroupName", "nope"}}).code, "ResourceNotFoundException");

  std::vector<std::string> paged;
  json req = {{"logGroupName", "g"}, {"limit", 2}};
  for (int pages = 0; pages < 10; ++pages) {
    json page = ok("FilterLogEvents", req);
    for (const auto& m : messages(page["events"])) paged.push_back(m);
    if (!page.contains("nextToken")) break;
    req["nextToken"] = page["nextToken"];
  }
  EXPECT_EQ(paged, messages(all["events"]));
}

TEST_F(LogsTest, Tags) {
  ok("CreateLogGroup", {{"logGroupName", "g"}, {"tags", {{"a", "1"}}}});
  std::string arn = "arn:aws:logs:eu-west-1:123456789012:log-group:g";
  ok("TagResource", {{"resourceArn", arn}, {"tags", {{"b", "2"}}}});
  ok("TagLogGroup", {{"logGroupName", "g"}, {"tags", {{"c", "3"}}}});
  EXPECT_EQ(ok("ListTagsForResource", {{"resourceArn", arn}})["tags"], json({{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  ok("UntagResource", {{"resourceArn", arn + ":*"}, {"tagKeys", {"a"}}});
  ok("UntagLogGroup", {{"logGroupName", "g"}, {"tags", {"b"}}});
  EXPECT_EQ(ok("ListTagsLogGroup", {{"logGroupName", "g"}})["tags"], json({{"c", "3"}}));
  EXPECT_EQ(fail("ListTagsForResource", {{"resourceArn", arn + "x"}}).code, "ResourceNotFoundException");
  json many = json::object();
  for (int i = 0; i < 50; ++i) many[std::string(1, 'k').append(std::to_string(i))] = "v";
  EXPECT_EQ(fail("TagResource", {{"resourceArn", arn}, {"tags", many}}).code, "TooManyTagsException");
  EXPECT_EQ(fail("TagResource", {{"resourceArn", arn}, {"tags", {{"aws:x", "1"}}}}).code, "InvalidParameterException");
}

TEST_F(LogsTest, MetricAndSubscriptionFilters) {
  ok("CreateLogGroup", {{"logGroupName", "g"}});
  json transformation = {{{"metricName", "Errors"}, {"metricNamespace", "App"}, {"metricValue", "1"}}};
  ok("PutMetricFilter", {{"logGroupName", "g"}, {"filterName", "errors"}, {"filterPattern", "ERROR"},
                         {"metricTransformations", transformation}});
  EXPECT_EQ(fail("PutMetricFilter", {{"logGroupName", "g"}, {"filterName", "bad"}, {"filterPattern", "{ $.x"},
                                     {"metricTransformations", transformation}}).code,
            "InvalidParameterException");
  json filters = ok("DescribeMetricFilters", {{"logGroupName", "g"}})["metricFilters"];
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_EQ(filters[0]["filterPattern"], "ERROR");
  EXPECT_EQ(filters[0]["metricTransformations"], transformation);
  EXPECT_EQ(ok("DescribeMetricFilters", {{"metricName", "Errors"}, {"metricNamespace", "App"}})["metricFilters"].size(), 1u);
  EXPECT_EQ(ok("DescribeLogGroups", json::object())["logGroups"][0]["metricFilterCount"], 1);
  ok("DeleteMetricFilter", {{"logGroupName", "g"}, {"filterName", "errors"}});
  EXPECT_EQ(fail("DeleteMetricFilter", {{"logGroupName", "g"}, {"filterName", "errors"}}).code, "ResourceNotFoundException");

  json tested = ok("TestMetricFilter", {{"filterPattern", "{ $.level = \"error\" }"},
                                       {"logEventMessages", {R"({"level":"info"})", R"({"level":"error"})"}}});
  EXPECT_EQ(tested["matches"], json::parse(R"([{"eventNumber":2,"eventMessage":"{\"level\":\"error\"}","extractedValues":{}}])"));

  json sub = {{"logGroupName", "g"}, {"filterPattern", ""}, {"destinationArn", "arn:aws:lambda:eu-west-1:123456789012:function:f"}};
  for (const char* name : {"one", "two"}) {
    sub["filterName"] = name;
    ok("PutSubscriptionFilter", sub);
  }
  sub["filterName"] = "three";
  EXPECT_EQ(fail("PutSubscriptionFilter", sub).code, "LimitExceededException");
  json subs = ok("DescribeSubscriptionFilters", {{"logGroupName", "g"}})["subscriptionFilters"];
  ASSERT_EQ(subs.size(), 2u);
  EXPECT_EQ(subs[0]["distribution"], "ByLogStream");
  ok("DeleteSubscriptionFilter", {{"logGroupName", "g"}, {"filterName", "one"}});
  EXPECT_EQ(ok("DescribeSubscriptionFilters", {{"logGroupName", "g"}})["subscriptionFilters"].size(), 1u);
}

TEST_F(LogsTest, InternalEndpointAndUnknownOperations) {
  group_and_stream("g", "s");
  put("g", "s", {{{"timestamp", now()}, {"message", "hello"}}});
  int status = 0;
  json out;
  ctx_.account_id = env_.default_account_id;
  ASSERT_TRUE(logs_->internal_endpoint("GET", "events", "logGroupName=g", status, out));
  EXPECT_EQ(status, 404);  // the endpoint reads the default account and region
  ctx_.region = env_.default_region;
  group_and_stream("g", "s");
  put("g", "s", {{{"timestamp", now()}, {"message", "hello"}}});
  ASSERT_TRUE(logs_->internal_endpoint("GET", "events", "logGroupName=g&logStreamName=s", status, out));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(messages(out["events"]), (std::vector<std::string>{"hello"}));
  EXPECT_FALSE(logs_->internal_endpoint("GET", "other", "", status, out));
  EXPECT_EQ(fail("StartQuery", json::object()).code, "NotImplemented");
  logs_->reset();
  EXPECT_TRUE(ok("DescribeLogGroups", json::object())["logGroups"].empty());
}

}  // namespace
}  // namespace awan
