// The SNS service through its operation interface (no HTTP), with an injected clock and a fake
// cross-service call that records what SNS sends to SQS and Lambda: fan-out, raw and enveloped
// bodies, filter policies, FIFO sequence numbers and deduplication, confirmations, the
// dead-letter queue, the delivery log and the error answers.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "awan/clock.hpp"
#include "awan/service.hpp"
#include "sns/sns.hpp"

namespace awan {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

struct Sent {
  std::string service, operation, account, region;
  json input;
};

class SnsTest : public ::testing::Test {
 protected:
  SnsTest() {
    env_.clock = &clock_;
    env_.outbox_dir = ::testing::TempDir() + "sns-outbox";
    env_.call_service = [this](const RequestContext& ctx, const std::string& service, const std::string& op,
                               json input, Completion done) {
      bool fail = false;
      {
        std::lock_guard lock(mu_);
        fail = input.value("QueueUrl", "").find("missing") != std::string::npos;
        if (op == "SendMessageBatch") {
          ++batches_;
          for (auto entry : input["Entries"]) {  // recorded as the messages SQS would hold
            entry["QueueUrl"] = input["QueueUrl"];
            sent_.push_back({service, "SendMessage", ctx.account_id, ctx.region, entry});
          }
        } else {
          sent_.push_back({service, op, ctx.account_id, ctx.region, input});
        }
      }
      cv_.notify_all();
      done(fail ? Result::fail(AwsError("QueueDoesNotExist", "The specified queue does not exist.", 400))
                : Result::ok({{"MessageId", "m"}}));
    };
    sns_ = sns::make_service(env_);
    ctx_.clock = &clock_;
  }
  ~SnsTest() override { sns_->shutdown(); }

  Result call(const std::string& op, json in) { return sns_->call(ctx_, op, std::move(in)); }
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
  // Waits until `n` cross-service calls were made; returns them.
  std::vector<Sent> wait_sent(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 5s, [&] { return sent_.size() >= n; });
    return sent_;
  }
  std::string topic(const std::string& name, json attrs = json::object()) {
    return ok("CreateTopic", {{"Name", name}, {"Attributes", attrs}})["TopicArn"];
  }
  std::string subscribe(const std::string& topic, const std::string& queue, json attrs = json::object()) {
    return ok("Subscribe", {{"TopicArn", topic},
                            {"Protocol", "sqs"},
                            {"Endpoint", "arn:aws:sqs:us-east-1:000000000000:" + queue},
                            {"Attributes", attrs}})["SubscriptionArn"];
  }
  json log() {
    int status = 0;
    json out;
    EXPECT_TRUE(sns_->internal_endpoint("GET", "messages", "", status, out));
    return out["Messages"];
  }

  ManualClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))};
  ServiceEnv env_;
  std::unique_ptr<Service> sns_;
  RequestContext ctx_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Sent> sent_;
  int batches_ = 0;
};

TEST_F(SnsTest, FanOutSendsEnvelopedAndRawMessagesToEachQueue) {
  std::string t = topic("fan");
  subscribe(t, "enveloped");
  subscribe(t, "raw", {{"RawMessageDelivery", "true"}});
  json attrs = {{"store", {{"DataType", "String"}, {"StringValue", "Berlin"}}}};
  std::string id = ok("Publish", {{"TopicArn", t}, {"Message", "hi"}, {"Subject", "S"}, {"MessageAttributes", attrs}})["MessageId"];
  auto sent = wait_sent(2);
  ASSERT_EQ(sent.size(), 2u);
  for (const auto& s : sent) {
    EXPECT_EQ(s.service, "sqs");
    EXPECT_EQ(s.operation, "SendMessage");
    EXPECT_EQ(s.account, "000000000000");
    EXPECT_EQ(s.region, "us-east-1");
    if (s.input["QueueUrl"] == "http://localhost/000000000000/raw") {
      EXPECT_EQ(s.input["MessageBody"], "hi");
      EXPECT_EQ(s.input["MessageAttributes"]["store"]["StringValue"], "Berlin");
    } else {
      EXPECT_EQ(s.input["QueueUrl"], "http://localhost/000000000000/enveloped");
      json doc = json::parse(s.input["MessageBody"].get<std::string>());
      EXPECT_EQ(doc["Type"], "Notification");
      EXPECT_EQ(doc["MessageId"], id);
      EXPECT_EQ(doc["Message"], "hi");
      EXPECT_EQ(doc["Subject"], "S");
      EXPECT_EQ(doc["Timestamp"], "2023-11-14T22:13:20.000Z");
      EXPECT_EQ(doc["MessageAttributes"]["store"], json({{"Type", "String"}, {"Value", "Berlin"}}));
      EXPECT_FALSE(doc["Signature"].get<std::string>().empty());
      EXPECT_FALSE(s.input.contains("MessageAttributes"));
    }
  }
}

TEST_F(SnsTest, FilterPoliciesSelectSubscriptions) {
  std::string t = topic("filtered");
  subscribe(t, "berlin", {{"RawMessageDelivery", "true"}, {"FilterPolicy", R"({"store": ["Berlin"]})"}});
  subscribe(t, "zero", {{"RawMessageDelivery", "true"},
                        {"FilterPolicyScope", "MessageBody"},
                        {"FilterPolicy", R"({"count": [0]})"}});
  ok("Publish", {{"TopicArn", t},
                 {"Message", R"({"count": 5})"},
                 {"MessageAttributes", {{"store", {{"DataType", "String"}, {"StringValue", "Berlin"}}}}}});
  ok("Publish", {{"TopicArn", t}, {"Message", R"({"count": 0})"}});
  auto sent = wait_sent(2);
  std::this_thread::sleep_for(100ms);
  std::lock_guard lock(mu_);
  ASSERT_EQ(sent_.size(), 2u);
  std::set<std::string> got;
  for (const auto& s : sent_) got.insert(s.input["QueueUrl"].get<std::string>() + " " + s.input["MessageBody"].get<std::string>());
  EXPECT_EQ(got, (std::set<std::string>{"http://localhost/000000000000/berlin {\"count\": 5}",
                                        "http://localhost/000000000000/zero {\"count\": 0}"}));
}

TEST_F(SnsTest, FifoTopicsNumberAndDeduplicateMessages) {
  std::string t = topic("o.fifo", {{"FifoTopic", "true"}});
  subscribe(t, "o.fifo", {{"RawMessageDelivery", "true"}});
  json a = ok("Publish", {{"TopicArn", t}, {"Message", "1"}, {"MessageGroupId", "g"}, {"MessageDeduplicationId", "d1"}});
  json b = ok("Publish", {{"TopicArn", t}, {"Message", "2"}, {"MessageGroupId", "g"}, {"MessageDeduplicationId", "d2"}});
  json again = ok("Publish", {{"TopicArn", t}, {"Message", "1"}, {"MessageGroupId", "g"}, {"MessageDeduplicationId", "d1"}});
  EXPECT_EQ(again["MessageId"], a["MessageId"]);
  EXPECT_LT(a["SequenceNumber"].get<std::string>(), b["SequenceNumber"].get<std::string>());
  EXPECT_EQ(a["SequenceNumber"].get<std::string>().size(), 20u);
  auto sent = wait_sent(2);
  std::this_thread::sleep_for(100ms);
  std::lock_guard lock(mu_);
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[0].input["MessageBody"], "1");
  EXPECT_EQ(sent_[0].input["MessageGroupId"], "g");
  EXPECT_EQ(sent_[0].input["MessageDeduplicationId"], "d1");
  EXPECT_EQ(sent_[1].input["MessageBody"], "2");
  // The window ends after five minutes.
  clock_.advance(301s);
  json later = ok("Publish", {{"TopicArn", t}, {"Message", "1"}, {"MessageGroupId", "g"}, {"MessageDeduplicationId", "d1"}});
  EXPECT_NE(later["MessageId"], a["MessageId"]);
}

TEST_F(SnsTest, FailedDeliveriesGoToTheDeadLetterQueueAndTheLog) {
  std::string t = topic("dlq");
  subscribe(t, "missing-queue",
            {{"RedrivePolicy", R"({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dead"})"}});
  std::string id = ok("Publish", {{"TopicArn", t}, {"Message", "m"}})["MessageId"];
  auto sent = wait_sent(2);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].input["QueueUrl"], "http://localhost/000000000000/dead");
  EXPECT_EQ(json::parse(sent[1].input["MessageBody"].get<std::string>())["MessageId"], id);
  for (int i = 0; i < 100 && log()[0]["Status"] == "pending"; ++i) std::this_thread::sleep_for(10ms);
  json entry = log()[0];
  EXPECT_EQ(entry["Status"], "dead-lettered");
  EXPECT_EQ(entry["MessageId"], id);
  EXPECT_EQ(entry["Attempts"], 1);
  EXPECT_NE(entry["Error"].get<std::string>().find("QueueDoesNotExist"), std::string::npos);
}

TEST_F(SnsTest, EmailSubscriptionsWaitForTheirToken) {
  std::string t = topic("mail");
  EXPECT_EQ(ok("Subscribe", {{"TopicArn", t}, {"Protocol", "email"}, {"Endpoint", "a@example.com"}})["SubscriptionArn"],
            "pending confirmation");
  json subs = ok("ListSubscriptionsByTopic", {{"TopicArn", t}})["Subscriptions"];
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(subs[0]["SubscriptionArn"], "PendingConfirmation");
  AwsError e = fails("ConfirmSubscription", {{"TopicArn", t}, {"Token", "nope"}});
  EXPECT_EQ(e.code, "InvalidParameter");
  EXPECT_EQ(e.message, "Invalid parameter: Token");
  json attrs = ok("GetTopicAttributes", {{"TopicArn", t}})["Attributes"];
  EXPECT_EQ(attrs["SubscriptionsPending"], "1");
}

TEST_F(SnsTest, ErrorsUseSnsCodesAndMessages) {
  AwsError e = fails("GetTopicAttributes", {{"TopicArn", "arn:aws:sns:us-east-1:000000000000:none"}});
  EXPECT_EQ(e.code, "NotFound");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(e.message, "Topic does not exist");
  e = fails("GetTopicAttributes", {{"TopicArn", "bad"}});
  EXPECT_EQ(e.code, "InvalidParameter");
  e = fails("CreateTopic", {{"Name", "a b"}});
  EXPECT_EQ(e.message, "Invalid parameter: Topic Name");
  std::string t = topic("t");
  e = fails("Publish", {{"TopicArn", t}, {"Message", "x"}, {"MessageStructure", "xml"}});
  EXPECT_EQ(e.message, "Invalid parameter: MessageStructure");
  e = fails("Subscribe", {{"TopicArn", t}, {"Protocol", "carrier-pigeon"}, {"Endpoint", "x"}});
  EXPECT_EQ(e.message, "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon");
  e = fails("NoSuchOperation", json::object());
  EXPECT_EQ(e.code, "InvalidAction");
}

// A topic's Policy is any JSON object its owner set: AddPermission and RemovePermission read
// statements of any shape (one object, members of the wrong type) without throwing.
TEST_F(SnsTest, PermissionsEditAPolicyOfAnyShape) {
  std::string t = topic("t");
  auto set_policy = [&](const std::string& p) {
    ok("SetTopicAttributes", {{"TopicArn", t}, {"AttributeName", "Policy"}, {"AttributeValue", p}});
  };
  auto statements = [&] {
    return json::parse(ok("GetTopicAttributes", {{"TopicArn", t}})["Attributes"]["Policy"].get<std::string>())["Statement"];
  };
  json add = {{"TopicArn", t}, {"Label", "a"}, {"AWSAccountId", {"111122223333"}}, {"ActionName", {"Publish"}}};
  set_policy(R"({"Statement": [{"Sid": 1}, "x"]})");
  ok("AddPermission", add);
  EXPECT_EQ(statements().size(), 3u);
  ok("RemovePermission", {{"TopicArn", t}, {"Label", "a"}});
  EXPECT_EQ(statements(), json::parse(R"([{"Sid": 1}, "x"])"));
  set_policy(R"({"Statement": {"Sid": "a"}})");
  EXPECT_EQ(fails("AddPermission", add).message, "Invalid parameter: Statement already exists");
  ok("RemovePermission", {{"TopicArn", t}, {"Label", "a"}});
  EXPECT_EQ(statements(), json::array());
}

TEST_F(SnsTest, BurstsToOneQueueGoOutInBatches) {
  std::string t = topic("burst");
  subscribe(t, "many", {{"RawMessageDelivery", "true"}});
  json entries = json::array();
  for (std::string i : {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"})
    entries.push_back({{"Id", "e" + i}, {"Message", i}});
  for (int round = 0; round < 20; ++round) ok("PublishBatch", {{"TopicArn", t}, {"PublishBatchRequestEntries", entries}});
  auto sent = wait_sent(200);
  ASSERT_EQ(sent.size(), 200u);
  for (size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(sent[i].input["MessageBody"], std::to_string(i % 10)) << i;
  std::lock_guard lock(mu_);
  EXPECT_LT(batches_, 200);  // some went out together, in order
}

TEST_F(SnsTest, ResetDropsEverything) {
  std::string t = topic("gone");
  subscribe(t, "q");
  sns_->reset();
  EXPECT_TRUE(ok("ListTopics", json::object())["Topics"].empty());
  EXPECT_TRUE(ok("ListSubscriptions", json::object())["Subscriptions"].empty());
}

}  // namespace
}  // namespace awan
