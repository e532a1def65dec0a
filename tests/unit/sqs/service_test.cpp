// The SQS service through its operation interface (no HTTP), with an injected clock and a
// scheduler the test fires by hand: visibility, delays, retention, receive counts and the
// dead-letter redrive, FIFO group locking and deduplication, long polls served by sends and
// by deadlines, receipt handles refused when stale.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "awan/clock.hpp"
#include "awan/service.hpp"
#include "sqs/receipt_handle.hpp"
#include "sqs/sqs.hpp"

namespace awan {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// Runs posted work only when the test says so.
class ManualScheduler final : public Scheduler {
 public:
  void post_after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    pending_.push_back({delay, std::move(fn)});
  }
  // Runs everything due within `horizon` of posting (and what that posts), in order.
  void run(std::chrono::milliseconds horizon) {
    for (size_t guard = 0; guard < 1000; ++guard) {
      auto it = std::find_if(pending_.begin(), pending_.end(), [&](const auto& p) { return p.first <= horizon; });
      if (it == pending_.end()) return;
      auto fn = std::move(it->second);
      pending_.erase(it);
      fn();
    }
  }
  size_t size() const { return pending_.size(); }

 private:
  std::vector<std::pair<std::chrono::milliseconds, std::function<void()>>> pending_;
};

class SqsTest : public ::testing::Test {
 protected:
  SqsTest() {
    env_.clock = &clock_;
    env_.scheduler = &scheduler_;
    sqs_ = sqs::make_service(env_);
    ctx_.clock = &clock_;
    ctx_.host = "localhost:4566";
    scheduler_.run(0ms);  // nothing due yet: the periodic sweep waits a second
  }

  Result call(const std::string& op, json in) { return sqs_->call(ctx_, op, std::move(in)); }
  json ok(const std::string& op, json in) {
    Result r = call(op, std::move(in));
    EXPECT_FALSE(r.error) << op << ": " << (r.error ? r.error->code + " " + r.error->message : "");
    return r.output;
  }
  std::string fail(const std::string& op, json in) {
    Result r = call(op, std::move(in));
    EXPECT_TRUE(r.error) << op << " succeeded: " << r.output.dump();
    return r.error ? r.error->code : "";
  }
  std::string queue(const std::string& name, json attrs = json::object()) {
    return ok("CreateQueue", {{"QueueName", name}, {"Attributes", attrs}})["QueueUrl"];
  }
  json receive(const std::string& url, json extra = json::object()) {
    extra["QueueUrl"] = url;
    json out = ok("ReceiveMessage", extra);
    return out.value("Messages", json::array());
  }
  std::string count(const std::string& url, const std::string& name) {
    return ok("GetQueueAttributes", {{"QueueUrl", url}, {"AttributeNames", {name}}})["Attributes"][name];
  }

  ManualClock clock_;
  ManualScheduler scheduler_;
  ServiceEnv env_;
  RequestContext ctx_;
  std::unique_ptr<Service> sqs_;
};

TEST_F(SqsTest, VisibilityTimeoutHidesThenReturnsTheMessage) {
  std::string url = queue("q", {{"VisibilityTimeout", "10"}});
  ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "m"}});
  ASSERT_EQ(receive(url).size(), 1u);
  EXPECT_EQ(receive(url).size(), 0u);
  EXPECT_EQ(count(url, "ApproximateNumberOfMessagesNotVisible"), "1");
  clock_.advance(9999ms);
  EXPECT_EQ(receive(url).size(), 0u);
  clock_.advance(1ms);
  json again = receive(url, {{"AttributeNames", {"ApproximateReceiveCount"}}});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["Attributes"]["ApproximateReceiveCount"], "2");
}

TEST_F(SqsTest, DelayQueuesAndPerMessageDelays) {
  std::string url = queue("delayed", {{"DelaySeconds", "5"}});
  ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "queue delay"}});
  ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "own delay"}, {"DelaySeconds", 1}});
  EXPECT_EQ(count(url, "ApproximateNumberOfMessagesDelayed"), "2");
  clock_.advance(1s);
  json m = receive(url);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0]["Body"], "own delay");
  clock_.advance(4s);
  EXPECT_EQ(receive(url)[0]["Body"], "queue delay");
  EXPECT_EQ(fail("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}, {"DelaySeconds", 901}}),
            "InvalidParameterValue");
}

TEST_F(SqsTest, RetentionExpiresMessages) {
  std::string url = queue("short", {{"MessageRetentionPeriod", "60"}});
  ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "old"}});
  clock_.advance(59s);
  EXPECT_EQ(count(url, "ApproximateNumberOfMessages"), "1");
  clock_.advance(1s);
  EXPECT_EQ(count(url, "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(receive(url).size(), 0u);
}

TEST_F(SqsTest, RedriveMovesAMessagePastMaxReceiveCount) {
  std::string dlq = queue("dlq");
  json redrive = {{"deadLetterTargetArn", "arn:aws:sqs:us-east-1:000000000000:dlq"}, {"maxReceiveCount", 3}};
  std::string src = queue("src", {{"RedrivePolicy", redrive.dump()}, {"VisibilityTimeout", "1"}});
  ok("SendMessage", {{"QueueUrl", src}, {"MessageBody", "poison"}});
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(receive(src).size(), 1u) << i;
    clock_.advance(1s);
  }
  EXPECT_EQ(receive(src).size(), 0u);
  json moved = receive(dlq, {{"AttributeNames", {"All"}}});
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0]["Attributes"]["DeadLetterQueueSourceArn"], "arn:aws:sqs:us-east-1:000000000000:src");
  EXPECT_EQ(moved[0]["Attributes"]["ApproximateReceiveCount"], "1");
}

TEST_F(SqsTest, RedriveToAMissingOrDifferentKindOfQueueIsRefused) {
  queue("fifo-dlq.fifo", {{"FifoQueue", "true"}});
  json to_fifo = {{"deadLetterTargetArn", "arn:aws:sqs:us-east-1:000000000000:fifo-dlq.fifo"}, {"maxReceiveCount", 1}};
  EXPECT_EQ(fail("CreateQueue", {{"QueueName", "std"}, {"Attributes", {{"RedrivePolicy", to_fifo.dump()}}}}),
            "InvalidParameterValue");
  json missing = {{"deadLetterTargetArn", "arn:aws:sqs:us-east-1:000000000000:none"}, {"maxReceiveCount", 1}};
  EXPECT_EQ(fail("CreateQueue", {{"QueueName", "std"}, {"Attributes", {{"RedrivePolicy", missing.dump()}}}}),
            "InvalidParameterValue");
}

TEST_F(SqsTest, RedriveAllowPolicyChoosesTheSources) {
  json allow = {{"redrivePermission", "byQueue"},
                {"sourceQueueArns", {"arn:aws:sqs:us-east-1:000000000000:allowed"}}};
  queue("guarded-dlq", {{"RedriveAllowPolicy", allow.dump()}});
  json redrive = {{"deadLetterTargetArn", "arn:aws:sqs:us-east-1:000000000000:guarded-dlq"}, {"maxReceiveCount", 2}};
  queue("allowed", {{"RedrivePolicy", redrive.dump()}});
  EXPECT_EQ(fail("CreateQueue", {{"QueueName", "other"}, {"Attributes", {{"RedrivePolicy", redrive.dump()}}}}),
            "InvalidParameterValue");
  std::string other = queue("other");
  EXPECT_EQ(fail("SetQueueAttributes", {{"QueueUrl", other}, {"Attributes", {{"RedrivePolicy", redrive.dump()}}}}),
            "InvalidParameterValue");
}

TEST_F(SqsTest, FifoGroupsStayInOrderAndLockWhileInFlight) {
  std::string url = queue("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  for (auto [body, group] : {std::pair{"a1", "a"}, {"b1", "b"}, {"a2", "a"}, {"b2", "b"}})
    ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", body}, {"MessageGroupId", group}});
  json first = receive(url, {{"MaxNumberOfMessages", 1}});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0]["Body"], "a1");
  json next = receive(url, {{"MaxNumberOfMessages", 10}});
  ASSERT_EQ(next.size(), 2u);  // group a is locked: b1, b2
  EXPECT_EQ(next[0]["Body"], "b1");
  EXPECT_EQ(next[1]["Body"], "b2");
  EXPECT_EQ(receive(url).size(), 0u);
  ok("DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", first[0]["ReceiptHandle"]}});
  EXPECT_EQ(receive(url)[0]["Body"], "a2");
}

TEST_F(SqsTest, FifoDeduplicatesForFiveMinutes) {
  std::string url = queue("d.fifo", {{"FifoQueue", "true"}});
  json in = {{"QueueUrl", url}, {"MessageBody", "x"}, {"MessageGroupId", "g"}, {"MessageDeduplicationId", "id-1"}};
  json one = ok("SendMessage", in);
  json two = ok("SendMessage", in);
  EXPECT_EQ(one["MessageId"], two["MessageId"]);
  EXPECT_EQ(count(url, "ApproximateNumberOfMessages"), "1");
  clock_.advance(5min);
  json three = ok("SendMessage", in);
  EXPECT_NE(three["MessageId"], one["MessageId"]);
  EXPECT_EQ(count(url, "ApproximateNumberOfMessages"), "2");
}

TEST_F(SqsTest, ReceiveRequestAttemptIdRepeatsAnUntouchedFifoReceive) {
  std::string url = queue("attempt.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  for (const char* body : {"one", "two"})
    ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", body}, {"MessageGroupId", "g"}});
  json first = receive(url, {{"ReceiveRequestAttemptId", "try-1"}, {"MaxNumberOfMessages", 1}});
  json retry = receive(url, {{"ReceiveRequestAttemptId", "try-1"}, {"MaxNumberOfMessages", 1}});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(retry, first);  // the same message, the same receipt handle
  ok("DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", first[0]["ReceiptHandle"]}});
  json after = receive(url, {{"ReceiveRequestAttemptId", "try-1"}, {"MaxNumberOfMessages", 1}});
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]["Body"], "two");
}

TEST_F(SqsTest, DeduplicationScopePerMessageGroup) {
  std::string url = queue("g.fifo", {{"FifoQueue", "true"}, {"DeduplicationScope", "messageGroup"},
                                     {"FifoThroughputLimit", "perMessageGroupId"}});
  ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}, {"MessageGroupId", "a"}, {"MessageDeduplicationId", "1"}});
  ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}, {"MessageGroupId", "b"}, {"MessageDeduplicationId", "1"}});
  EXPECT_EQ(count(url, "ApproximateNumberOfMessages"), "2");
}

TEST_F(SqsTest, ReceiptHandlesAreNewOnEveryReceiveAndRefusedWhenStale) {
  std::string url = queue("h.fifo", {{"FifoQueue", "true"}, {"VisibilityTimeout", "5"}});
  ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}, {"MessageGroupId", "g"}, {"MessageDeduplicationId", "1"}});
  std::string first = receive(url)[0]["ReceiptHandle"];
  clock_.advance(5s);
  std::string second = receive(url)[0]["ReceiptHandle"];
  EXPECT_NE(first, second);
  Result r = call("DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", first}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "InvalidParameterValue");
  EXPECT_NE(r.error->message.find("The receipt handle has expired."), std::string::npos);
  ok("DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", second}});
  ok("DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", second}});  // again: already gone, fine
  EXPECT_EQ(fail("DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", "AQEBbm9wZQ=="}}), "ReceiptHandleIsInvalid");
}

TEST_F(SqsTest, VisibilityCannotExceedTwelveHoursFromTheFirstReceive) {
  std::string url = queue("long");
  ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}});
  std::string h = receive(url)[0]["ReceiptHandle"];
  ok("ChangeMessageVisibility", {{"QueueUrl", url}, {"ReceiptHandle", h}, {"VisibilityTimeout", 43200}});
  clock_.advance(1h);
  Result r = call("ChangeMessageVisibility", {{"QueueUrl", url}, {"ReceiptHandle", h}, {"VisibilityTimeout", 43200}});
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("Total VisibilityTimeout"), std::string::npos);
}

TEST_F(SqsTest, LongPollIsServedBySendAndByItsDeadline) {
  std::string url = queue("poll");
  std::vector<Result> answers;
  sqs_->invoke(ctx_, "ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 20}},
               [&](Result r) { answers.push_back(std::move(r)); });
  EXPECT_TRUE(answers.empty());
  ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "wake"}});
  ASSERT_EQ(answers.size(), 1u);  // served by the send itself, no timer
  EXPECT_EQ(answers[0].output["Messages"][0]["Body"], "wake");

  sqs_->invoke(ctx_, "ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 1}},
               [&](Result r) { answers.push_back(std::move(r)); });
  EXPECT_EQ(answers.size(), 1u);
  scheduler_.run(1000ms);  // the deadline
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_FALSE(answers[1].error);
  EXPECT_FALSE(answers[1].output.contains("Messages"));
}

TEST_F(SqsTest, LongPollSeesADelayedMessageBecomeVisible) {
  std::string url = queue("later");
  ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "soon"}, {"DelaySeconds", 2}});
  std::vector<Result> answers;
  sqs_->invoke(ctx_, "ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 10}},
               [&](Result r) { answers.push_back(std::move(r)); });
  EXPECT_TRUE(answers.empty());
  clock_.advance(2s);
  scheduler_.run(2000ms);  // the wake-up at the message's visibility
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].output["Messages"][0]["Body"], "soon");
}

TEST_F(SqsTest, DeletingAQueueAnswersItsWaiters) {
  std::string url = queue("gone");
  std::vector<Result> answers;
  sqs_->invoke(ctx_, "ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 20}},
               [&](Result r) { answers.push_back(std::move(r)); });
  ok("DeleteQueue", {{"QueueUrl", url}});
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(fail("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}}), "QueueDoesNotExist");
}

// A queue's Policy is any JSON object its owner set: a statement whose Sid is not a string is
// no label, never a thrown type error.
TEST_F(SqsTest, PermissionsEditAPolicyWithStatementsOfAnyShape) {
  std::string url = queue("q");
  ok("SetQueueAttributes", {{"QueueUrl", url}, {"Attributes", {{"Policy", R"({"Statement": [{"Sid": 1}, {"Sid": ["a"]}]})"}}}});
  ok("AddPermission", {{"QueueUrl", url}, {"Label", "a"}, {"AWSAccountIds", {"111122223333"}}, {"Actions", {"SendMessage"}}});
  ok("RemovePermission", {{"QueueUrl", url}, {"Label", "a"}});
  EXPECT_EQ(fail("RemovePermission", {{"QueueUrl", url}, {"Label", "a"}}), "InvalidParameterValue");
}

TEST_F(SqsTest, PurgeOnlyOncePerMinute) {
  std::string url = queue("p");
  ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}});
  ok("PurgeQueue", {{"QueueUrl", url}});
  EXPECT_EQ(fail("PurgeQueue", {{"QueueUrl", url}}), "PurgeQueueInProgress");
  clock_.advance(60s);
  ok("PurgeQueue", {{"QueueUrl", url}});
}

TEST_F(SqsTest, MessageMoveTaskReturnsMessagesToTheirSource) {
  std::string dlq = queue("dlq");
  json redrive = {{"deadLetterTargetArn", "arn:aws:sqs:us-east-1:000000000000:dlq"}, {"maxReceiveCount", 1}};
  std::string src = queue("src", {{"RedrivePolicy", redrive.dump()}, {"VisibilityTimeout", "0"}});
  for (int i = 0; i < 3; ++i) ok("SendMessage", {{"QueueUrl", src}, {"MessageBody", "m" + std::to_string(i)}});
  receive(src, {{"MaxNumberOfMessages", 10}});
  receive(src, {{"MaxNumberOfMessages", 10}});  // past maxReceiveCount: all three move
  EXPECT_EQ(count(dlq, "ApproximateNumberOfMessages"), "3");
  EXPECT_EQ(fail("StartMessageMoveTask", {{"SourceArn", "arn:aws:sqs:us-east-1:000000000000:src"}}),
            "InvalidParameterValue");  // not a dead-letter queue
  json started = ok("StartMessageMoveTask", {{"SourceArn", "arn:aws:sqs:us-east-1:000000000000:dlq"},
                                             {"MaxNumberOfMessagesPerSecond", 2}});
  scheduler_.run(0ms);
  json tasks = ok("ListMessageMoveTasks", {{"SourceArn", "arn:aws:sqs:us-east-1:000000000000:dlq"}});
  EXPECT_EQ(tasks["Results"][0]["Status"], "RUNNING");
  EXPECT_EQ(tasks["Results"][0]["ApproximateNumberOfMessagesMoved"], 2);
  scheduler_.run(1000ms);
  tasks = ok("ListMessageMoveTasks", {{"SourceArn", "arn:aws:sqs:us-east-1:000000000000:dlq"}});
  EXPECT_EQ(tasks["Results"][0]["Status"], "COMPLETED");
  EXPECT_EQ(count(src, "ApproximateNumberOfMessages"), "3");
  EXPECT_EQ(fail("CancelMessageMoveTask", {{"TaskHandle", started["TaskHandle"]}}), "UnsupportedOperation");
}

TEST_F(SqsTest, QueueUrlsAreCheckedAndScopedToTheRegion) {
  std::string url = queue("regional");
  EXPECT_EQ(fail("SendMessage", {{"QueueUrl", "not-a-url"}, {"MessageBody", "x"}}), "InvalidAddress");
  RequestContext other = ctx_;
  other.region = "eu-west-1";
  Result r = sqs_->call(other, "SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "QueueDoesNotExist");
}

TEST(SqsReceiptHandle, RoundTripsAndRefusesAnythingElse) {
  sqs::ReceiptHandle h{7, 42, sqs::new_receive_token(), 1'700'000'000'000};
  std::string text = sqs::encode_receipt_handle(h);
  auto back = sqs::decode_receipt_handle(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->queue, 7);
  EXPECT_EQ(back->seq, 42);
  EXPECT_EQ(back->token, h.token);
  EXPECT_EQ(back->received_ms, h.received_ms);
  for (const std::string& bad : std::vector<std::string>{"", "AQEB", "AQEB====", "garbage", sqs::encode_receipt_handle({7, 42, "not-a-hex-token!", 1}),
                                                        sqs::encode_receipt_handle({7, 42, "abc", 1}), "x" + text,
                          std::string(2000, 'A')})
    EXPECT_FALSE(sqs::decode_receipt_handle(bad)) << bad;
}

}  // namespace
}  // namespace awan
