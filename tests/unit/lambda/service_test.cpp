// The Lambda service through its operation interface (no HTTP): functions, versions, aliases,
// policies, concurrency and configuration validation; Invoke of in-process C++ handlers
// (RequestResponse, Event with destinations, errors, throttling); event source mappings over a
// fake DynamoDB stream and a fake SQS queue answering the cross-service calls.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lambda/service_fixture.hpp"

namespace awan {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using lambda::testing::LambdaTest;

TEST_F(LambdaTest, CreateDescribesTheFunctionAsAws) {
  json c = create("hello", "awan:echo", {{"Environment", {{"Variables", {{"STAGE", "1"}}}}}});
  EXPECT_EQ(c["FunctionArn"], "arn:aws:lambda:us-east-1:000000000000:function:hello");
  EXPECT_EQ(c["State"], "Pending");
  EXPECT_EQ(c["Version"], "$LATEST");
  EXPECT_EQ(c["Timeout"], 3);
  EXPECT_EQ(c["MemorySize"], 128);
  EXPECT_EQ(c["Environment"]["Variables"]["STAGE"], "1");
  EXPECT_EQ(c["LastModified"].get<std::string>().size(), 28u);
  EXPECT_EQ(c["LastModified"].get<std::string>().substr(23), "+0000");
  json g = ok("GetFunction", {{"FunctionName", "hello"}});
  EXPECT_EQ(g["Configuration"]["State"], "Active");
  EXPECT_EQ(g["Code"]["RepositoryType"], "S3");
  AwsError e = fails("CreateFunction", {{"FunctionName", "hello"}, {"Runtime", "provided.al2023"}, {"Handler", "awan:echo"},
                                        {"Role", "arn:aws:iam::000000000000:role/lambda-role"}});
  EXPECT_EQ(e.code, "ResourceConflictException");
  EXPECT_EQ(e.message, "Function already exist: hello");
  e = fails("GetFunction", {{"FunctionName", "nope"}});
  EXPECT_EQ(e.code, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
  EXPECT_EQ(e.http_status, 404);
}

TEST_F(LambdaTest, ConfigurationIsValidatedAsAws) {
  struct Case {
    json extra;
    std::string code, message_part;
  } cases[] = {
      {{{"Runtime", "python2.7"}}, "InvalidParameterValueException", "The runtime parameter of python2.7 is no longer supported"},
      {{{"Runtime", "cobol"}}, "ValidationException", "at 'runtime' failed to satisfy constraint"},
      {{{"Role", "not-a-role"}}, "ValidationException", "at 'role' failed to satisfy constraint"},
      {{{"Role", "arn:aws:iam::000000000000:role/missing"}}, "InvalidParameterValueException",
       "The role defined for the function cannot be assumed by Lambda."},
      {{{"Timeout", 901}}, "ValidationException", "Member must have value less than or equal to 900"},
      {{{"MemorySize", 64}}, "ValidationException", "Member must have value greater than or equal to 128"},
      {{{"Environment", {{"Variables", {{"AWS_REGION", "x"}}}}}}, "InvalidParameterValueException",
       "Reserved keys used in this request: AWS_REGION"},
      {{{"Handler", "lambda_function.handler"}, {"Code", json::object()}}, "InvalidParameterValueException",
       "Please provide a source for function code."},
  };
  int i = 0;
  for (const auto& c : cases) {
    // Names appended piece by piece: GCC 12 warns -Wrestrict (falsely, PR105329) on "lit" + string.
    std::string name = "f";
    name += std::to_string(i++);
    json in = {{"FunctionName", name}, {"Runtime", "provided.al2023"}, {"Handler", "awan:echo"},
               {"Role", "arn:aws:iam::000000000000:role/lambda-role"}};
    in.update(c.extra);
    AwsError e = fails("CreateFunction", in);
    EXPECT_EQ(e.code, c.code) << c.extra.dump();
    EXPECT_NE(e.message.find(c.message_part), std::string::npos) << e.message;
  }
}

TEST_F(LambdaTest, InvokeRunsTheInProcessHandler) {
  create("hello", "awan:echo");
  json r = ok("Invoke", {{"FunctionName", "hello"}, {"Payload", R"({"a": 1})"}, {"LogType", "Tail"}});
  EXPECT_EQ(r["StatusCode"], 200);
  EXPECT_EQ(r["ExecutedVersion"], "$LATEST");
  json out = json::parse(r["Payload"].get<std::string>());
  EXPECT_EQ(out["event"], json({{"a", 1}}));
  EXPECT_EQ(out["function"], "hello");
  EXPECT_FALSE(r.contains("FunctionError"));
  ASSERT_TRUE(r.contains("LogResult"));
  // The logs went to CloudWatch Logs: START, the function's line, END, REPORT.
  auto puts = calls("logs", "PutLogEvents");
  ASSERT_EQ(puts.size(), 1u);
  EXPECT_EQ(puts[0]["logGroupName"], "/aws/lambda/hello");
  auto events = puts[0]["logEvents"];
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0]["message"].get<std::string>().rfind("START RequestId: ", 0), 0u);
  EXPECT_EQ(events[1]["message"], "echoing");
  EXPECT_EQ(events[3]["message"].get<std::string>().rfind("REPORT RequestId: ", 0), 0u);
}

TEST_F(LambdaTest, HandlerErrorsAreUnhandledFunctionErrors) {
  create("bad", "awan:fail");
  json r = ok("Invoke", {{"FunctionName", "bad"}});
  EXPECT_EQ(r["StatusCode"], 200);
  EXPECT_EQ(r["FunctionError"], "Unhandled");
  json err = json::parse(r["Payload"].get<std::string>());
  EXPECT_EQ(err["errorType"], "InventoryError");
  EXPECT_EQ(err["errorMessage"], "no such store");
  create("ghost", "awan:not-registered");
  r = ok("Invoke", {{"FunctionName", "ghost"}});
  EXPECT_EQ(json::parse(r["Payload"].get<std::string>())["errorType"], "Runtime.HandlerNotFound");
  AwsError e = fails("Invoke", {{"FunctionName", "bad"}, {"Payload", "{not json"}});
  EXPECT_EQ(e.code, "InvalidRequestContentException");
  e = fails("Invoke", {{"FunctionName", "bad"}, {"InvocationType", "Sometimes"}});
  EXPECT_EQ(e.code, "ValidationException");
  EXPECT_EQ(ok("Invoke", {{"FunctionName", "bad"}, {"InvocationType", "DryRun"}})["StatusCode"], 204);
}

TEST_F(LambdaTest, VersionsAliasesAndQualifiers) {
  create("v", "awan:echo");
  json v1 = ok("PublishVersion", {{"FunctionName", "v"}});
  EXPECT_EQ(v1["Version"], "1");
  EXPECT_EQ(v1["FunctionArn"], "arn:aws:lambda:us-east-1:000000000000:function:v:1");
  EXPECT_EQ(ok("PublishVersion", {{"FunctionName", "v"}})["Version"], "1");  // nothing changed
  ok("UpdateFunctionConfiguration", {{"FunctionName", "v"}, {"Timeout", 10}});
  EXPECT_EQ(ok("PublishVersion", {{"FunctionName", "v"}})["Version"], "2");
  json alias = ok("CreateAlias", {{"FunctionName", "v"}, {"Name", "live"}, {"FunctionVersion", "1"}});
  EXPECT_EQ(alias["AliasArn"], "arn:aws:lambda:us-east-1:000000000000:function:v:live");
  json r = ok("Invoke", {{"FunctionName", "v:live"}});
  EXPECT_EQ(r["ExecutedVersion"], "1");
  EXPECT_EQ(json::parse(r["Payload"].get<std::string>())["version"], "1");
  EXPECT_EQ(ok("GetFunctionConfiguration", {{"FunctionName", "v"}, {"Qualifier", "2"}})["Timeout"], 10);
  EXPECT_EQ(ok("ListVersionsByFunction", {{"FunctionName", "v"}})["Versions"].size(), 3u);
  EXPECT_EQ(fails("CreateAlias", {{"FunctionName", "v"}, {"Name", "live"}, {"FunctionVersion", "1"}}).code,
            "ResourceConflictException");
  EXPECT_EQ(fails("DeleteFunction", {{"FunctionName", "v"}, {"Qualifier", "1"}}).code, "ResourceConflictException");
  EXPECT_EQ(fails("Invoke", {{"FunctionName", "v:9"}}).code, "ResourceNotFoundException");
}

TEST_F(LambdaTest, PermissionsAndConcurrency) {
  create("p", "awan:echo");
  json st = json::parse(ok("AddPermission", {{"FunctionName", "p"}, {"StatementId", "s3"}, {"Action", "lambda:InvokeFunction"},
                                             {"Principal", "s3.amazonaws.com"}, {"SourceArn", "arn:aws:s3:::bucket"}})["Statement"]
                            .get<std::string>());
  EXPECT_EQ(st["Principal"]["Service"], "s3.amazonaws.com");
  EXPECT_EQ(st["Condition"]["ArnLike"]["AWS:SourceArn"], "arn:aws:s3:::bucket");
  EXPECT_EQ(fails("AddPermission", {{"FunctionName", "p"}, {"StatementId", "s3"}, {"Action", "lambda:InvokeFunction"},
                                    {"Principal", "s3.amazonaws.com"}}).code,
            "ResourceConflictException");
  json policy = json::parse(ok("GetPolicy", {{"FunctionName", "p"}})["Policy"].get<std::string>());
  EXPECT_EQ(policy["Statement"].size(), 1u);
  ok("RemovePermission", {{"FunctionName", "p"}, {"StatementId", "s3"}});
  EXPECT_EQ(fails("GetPolicy", {{"FunctionName", "p"}}).code, "ResourceNotFoundException");
  ok("PutFunctionConcurrency", {{"FunctionName", "p"}, {"ReservedConcurrentExecutions", 0}});
  AwsError e = fails("Invoke", {{"FunctionName", "p"}});
  EXPECT_EQ(e.code, "TooManyRequestsException");
  EXPECT_EQ(e.http_status, 429);
  EXPECT_EQ(fails("PutFunctionConcurrency", {{"FunctionName", "p"}, {"ReservedConcurrentExecutions", 950}}).code,
            "InvalidParameterValueException");
  ok("DeleteFunctionConcurrency", {{"FunctionName", "p"}});
  EXPECT_EQ(ok("Invoke", {{"FunctionName", "p"}})["StatusCode"], 200);
}

TEST_F(LambdaTest, AsyncInvocationsReachTheirDestinations) {
  create("ok", "awan:echo");
  create("bad", "awan:fail");
  ok("PutFunctionEventInvokeConfig", {{"FunctionName", "ok"}, {"DestinationConfig",
      {{"OnSuccess", {{"Destination", "arn:aws:sqs:us-east-1:000000000000:done"}}}}}});
  ok("PutFunctionEventInvokeConfig", {{"FunctionName", "bad"}, {"MaximumRetryAttempts", 0}, {"DestinationConfig",
      {{"OnFailure", {{"Destination", "arn:aws:sns:us-east-1:000000000000:failed"}}}}}});
  EXPECT_EQ(ok("Invoke", {{"FunctionName", "ok"}, {"InvocationType", "Event"}, {"Payload", R"({"n": 1})"}})["StatusCode"], 202);
  ok("Invoke", {{"FunctionName", "bad"}, {"InvocationType", "Event"}, {"Payload", R"({"n": 2})"}});
  ASSERT_TRUE(wait_until([&] { return !calls("sqs", "SendMessage").empty() && !calls("sns", "Publish").empty(); }));
  json success = json::parse(calls("sqs", "SendMessage")[0]["MessageBody"].get<std::string>());
  EXPECT_EQ(success["requestContext"]["condition"], "Success");
  EXPECT_EQ(success["requestPayload"], json({{"n", 1}}));
  EXPECT_EQ(success["responsePayload"]["event"], json({{"n", 1}}));
  json failure = json::parse(calls("sns", "Publish")[0]["Message"].get<std::string>());
  EXPECT_EQ(failure["requestContext"]["condition"], "RetriesExhausted");
  EXPECT_EQ(failure["responseContext"]["functionError"], "Unhandled");
  EXPECT_EQ(failure["responsePayload"]["errorType"], "InventoryError");
}

TEST_F(LambdaTest, StreamMappingsDeliverInOrderAndCheckpoint) {
  create("consumer", "awan:record");
  std::string stream = "arn:aws:dynamodb:us-east-1:000000000000:table/Inventory/stream/2024-01-01T00:00:00.000";
  for (int i = 1; i <= 3; ++i)
    stream_.push_back({{"eventName", "INSERT"}, {"dynamodb", {{"SequenceNumber", std::to_string(i)}}}});
  json m = ok("CreateEventSourceMapping", {{"EventSourceArn", stream}, {"FunctionName", "consumer"},
                                           {"StartingPosition", "TRIM_HORIZON"}, {"BatchSize", 2}});
  EXPECT_EQ(m["State"], "Creating");
  EXPECT_EQ(m["BatchSize"], 2);
  ASSERT_TRUE(wait_until([&] { std::lock_guard l(mu_); return events_.size() >= 1; }));
  {
    std::lock_guard l(mu_);
    ASSERT_FALSE(events_.empty());
    EXPECT_EQ(events_[0]["Records"][0]["eventSourceARN"], stream);
    EXPECT_EQ(events_[0]["Records"][0]["dynamodb"]["SequenceNumber"], "1");
  }
  EXPECT_EQ(ok("GetEventSourceMapping", {{"UUID", m["UUID"]}})["State"], "Enabled");
  EXPECT_EQ(fails("CreateEventSourceMapping", {{"EventSourceArn", stream}, {"FunctionName", "consumer"},
                                               {"StartingPosition", "LATEST"}}).code,
            "ResourceConflictException");
  EXPECT_EQ(fails("CreateEventSourceMapping", {{"EventSourceArn", stream}, {"FunctionName", "other"},
                                               {"StartingPosition", "LATEST"}}).code,
            "ResourceNotFoundException");
  ok("DeleteEventSourceMapping", {{"UUID", m["UUID"]}});
  EXPECT_EQ(fails("GetEventSourceMapping", {{"UUID", m["UUID"]}}).code, "ResourceNotFoundException");
}

TEST_F(LambdaTest, QueueMappingsDeleteWhatSucceeded) {
  create("worker", "awan:record");
  for (std::string i : {"0", "1", "2"})
    queue_.push_back({{"MessageId", "m" + i}, {"ReceiptHandle", "h" + i}, {"Body", "b" + i},
                      {"Attributes", {{"ApproximateReceiveCount", "1"}}}});
  fail_items_ = json::array({{{"itemIdentifier", "m1"}}});
  std::string q = "arn:aws:sqs:us-east-1:000000000000:jobs";
  EXPECT_EQ(fails("CreateEventSourceMapping", {{"EventSourceArn", q}, {"FunctionName", "worker"},
                                               {"StartingPosition", "LATEST"}}).code,
            "InvalidParameterValueException");
  ok("CreateEventSourceMapping", {{"EventSourceArn", q}, {"FunctionName", "worker"},
                                  {"FunctionResponseTypes", json::array({"ReportBatchItemFailures"})}});
  ASSERT_TRUE(wait_until([&] { return !calls("sqs", "DeleteMessageBatch").empty(); }));
  std::lock_guard l(mu_);
  ASSERT_FALSE(events_.empty());
  EXPECT_EQ(events_[0]["Records"].size(), 3u);
  EXPECT_EQ(events_[0]["Records"][0]["eventSource"], "aws:sqs");
  EXPECT_EQ(events_[0]["Records"][0]["body"], "b0");
  json del;
  for (const auto& c : calls_)
    if (c["operation"] == "DeleteMessageBatch") del = c["input"]["Entries"];
  ASSERT_EQ(del.size(), 2u);
  EXPECT_EQ(del[0]["ReceiptHandle"], "h0");
  EXPECT_EQ(del[1]["ReceiptHandle"], "h2");
}

TEST_F(LambdaTest, QueueMappingsSendOnlyMatchingMessagesAndDeleteTheRest) {
  create("worker", "awan:record");
  queue_.push_back({{"MessageId", "m0"}, {"ReceiptHandle", "h0"}, {"Body", R"({"kind": "order", "n": 5})"}});
  queue_.push_back({{"MessageId", "m1"}, {"ReceiptHandle", "h1"}, {"Body", R"({"kind": "refund"})"}});
  queue_.push_back({{"MessageId", "m2"}, {"ReceiptHandle", "h2"}, {"Body", "plain order"}});
  std::string q = "arn:aws:sqs:us-east-1:000000000000:jobs";
  json bad = {{"Filters", json::array({{{"Pattern", R"({"body": {"kind": "order"}})"}}})}};
  AwsError e = fails("CreateEventSourceMapping", {{"EventSourceArn", q}, {"FunctionName", "worker"}, {"FilterCriteria", bad}});
  EXPECT_EQ(e.code, "InvalidParameterValueException");
  EXPECT_EQ(e.message, "Invalid filter pattern definition.");
  json filters = {{"Filters", json::array({{{"Pattern", R"({"body": {"kind": ["order"]}})"}},
                                           {{"Pattern", R"({"body": [{"prefix": "plain"}]})"}}})}};
  json m = ok("CreateEventSourceMapping", {{"EventSourceArn", q}, {"FunctionName", "worker"}, {"FilterCriteria", filters}});
  EXPECT_EQ(m["FilterCriteria"], filters);
  ASSERT_TRUE(wait_until([&] { return calls("sqs", "DeleteMessageBatch").size() >= 2; }));
  std::lock_guard l(mu_);
  ASSERT_EQ(events_.size(), 1u);
  ASSERT_EQ(events_[0]["Records"].size(), 2u);
  EXPECT_EQ(events_[0]["Records"][0]["messageId"], "m0");
  EXPECT_EQ(events_[0]["Records"][0]["body"], R"({"kind": "order", "n": 5})");  // sent as received
  EXPECT_EQ(events_[0]["Records"][1]["messageId"], "m2");
  std::vector<std::string> deleted;
  for (const auto& c : calls_)
    if (c["operation"] == "DeleteMessageBatch")
      for (const auto& entry : c["input"]["Entries"]) deleted.push_back(entry["ReceiptHandle"]);
  EXPECT_EQ(deleted, (std::vector<std::string>{"h1", "h0", "h2"}));  // the filtered one first
}

TEST_F(LambdaTest, StreamMappingsSkipFilteredRecordsAndCheckpointPastThem) {
  create("consumer", "awan:record");
  std::string stream = "arn:aws:dynamodb:us-east-1:000000000000:table/Inventory/stream/2024-01-01T00:00:00.000";
  for (int i = 1; i <= 4; ++i)
    stream_.push_back({{"eventName", i % 2 ? "INSERT" : "REMOVE"}, {"dynamodb", {{"SequenceNumber", std::to_string(i)}}}});
  json filters = {{"Filters", json::array({{{"Pattern", R"({"eventName": ["INSERT"]})"}}})}};
  json m = ok("CreateEventSourceMapping", {{"EventSourceArn", stream}, {"FunctionName", "consumer"},
                                           {"StartingPosition", "TRIM_HORIZON"}, {"FilterCriteria", filters}});
  ASSERT_TRUE(wait_until([&] { std::lock_guard l(mu_); return !events_.empty(); }));
  {
    std::lock_guard l(mu_);
    ASSERT_EQ(events_[0]["Records"].size(), 2u);
    EXPECT_EQ(events_[0]["Records"][0]["dynamodb"]["SequenceNumber"], "1");
    EXPECT_EQ(events_[0]["Records"][1]["dynamodb"]["SequenceNumber"], "3");
  }
  // Only removals from now on: none reaches the function, the checkpoint still moves on.
  {
    std::lock_guard l(mu_);
    stream_.push_back({{"eventName", "REMOVE"}, {"dynamodb", {{"SequenceNumber", "5"}}}});
  }
  ASSERT_TRUE(wait_until([&] {
    for (const auto& in : calls("dynamodbstreams", "GetShardIterator"))
      if (in.value("SequenceNumber", "") == "5") return true;
    for (const auto& in : calls("dynamodbstreams", "GetRecords"))
      if (in.value("ShardIterator", "") == "5") return true;
    return false;
  }));
  EXPECT_EQ(fails("UpdateEventSourceMapping", {{"UUID", m["UUID"]}, {"FilterCriteria", {{"Filters", json::array({{{"Pattern", "{"}}})}}}}).message,
            "Invalid filter pattern definition.");
  std::lock_guard l(mu_);
  EXPECT_EQ(events_.size(), 1u);
}

// Sequence numbers of the records of each invocation the "poisoned" handler got.
std::vector<std::vector<std::string>> batches_of(const std::vector<json>& events) {
  std::vector<std::vector<std::string>> out;
  for (const auto& e : events) {
    out.emplace_back();
    for (const auto& r : e["Records"]) out.back().push_back(r["dynamodb"]["SequenceNumber"]);
  }
  return out;
}

TEST_F(LambdaTest, StreamMappingsBisectFailingBatches) {
  env_.functions->add("poisoned", [this](const json& event, FunctionContext&) -> json {
    {
      std::lock_guard lock(mu_);
      events_.push_back(event);
      cv_.notify_all();
    }
    for (const auto& r : event["Records"])
      if (r["eventName"] == "POISON") throw FunctionError("Poison", "cannot digest");
    return json::object();
  });
  create("consumer", "awan:poisoned");
  std::string stream = "arn:aws:dynamodb:us-east-1:000000000000:table/Inventory/stream/2024-01-01T00:00:00.000";
  for (int i = 1; i <= 4; ++i)
    stream_.push_back({{"eventName", i == 3 ? "POISON" : "INSERT"}, {"dynamodb", {{"SequenceNumber", std::to_string(i)}}}});
  std::string dlq = "arn:aws:sqs:us-east-1:000000000000:failed";
  ok("CreateEventSourceMapping", {{"EventSourceArn", stream}, {"FunctionName", "consumer"},
                                  {"StartingPosition", "TRIM_HORIZON"}, {"BisectBatchOnFunctionError", true},
                                  {"MaximumRetryAttempts", 0},
                                  {"DestinationConfig", {{"OnFailure", {{"Destination", dlq}}}}}});
  ASSERT_TRUE(wait_until([&] { std::lock_guard l(mu_); return events_.size() >= 5; }));
  ASSERT_TRUE(wait_until([&] { return !calls("sqs", "SendMessage").empty(); }));
  {
    std::lock_guard l(mu_);
    using B = std::vector<std::vector<std::string>>;
    EXPECT_EQ(batches_of(events_), (B{{"1", "2", "3", "4"}, {"1", "2"}, {"3", "4"}, {"3"}, {"4"}}));
  }
  json failure = json::parse(calls("sqs", "SendMessage")[0]["MessageBody"].get<std::string>());
  EXPECT_EQ(failure["requestContext"]["condition"], "RetryAttemptsExhausted");
  EXPECT_EQ(failure["DDBStreamBatchInfo"]["startSequenceNumber"], "3");
  EXPECT_EQ(failure["DDBStreamBatchInfo"]["endSequenceNumber"], "3");
  // Past the bisected batch, batches are whole again.
  {
    std::lock_guard l(mu_);
    for (int i = 5; i <= 7; ++i)
      stream_.push_back({{"eventName", "INSERT"}, {"dynamodb", {{"SequenceNumber", std::to_string(i)}}}});
  }
  ASSERT_TRUE(wait_until([&] { std::lock_guard l(mu_); return events_.size() >= 6; }));
  std::lock_guard l(mu_);
  EXPECT_EQ(batches_of(events_).back(), (std::vector<std::string>{"5", "6", "7"}));
}

TEST_F(LambdaTest, StreamMappingsSkipRecordsOlderThanTheMaximumAge) {
  create("consumer", "awan:record");
  std::string stream = "arn:aws:dynamodb:us-east-1:000000000000:table/Inventory/stream/2024-01-01T00:00:00.000";
  double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (int i = 1; i <= 4; ++i)
    stream_.push_back({{"eventName", "INSERT"},
                       {"dynamodb", {{"SequenceNumber", std::to_string(i)}, {"ApproximateCreationDateTime", i <= 2 ? now - 3600 : now}}}});
  std::string dlq = "arn:aws:sqs:us-east-1:000000000000:failed";
  EXPECT_EQ(fails("CreateEventSourceMapping", {{"EventSourceArn", stream}, {"FunctionName", "consumer"},
                                               {"StartingPosition", "TRIM_HORIZON"}, {"MaximumRecordAgeInSeconds", 30}}).code,
            "InvalidParameterValueException");
  EXPECT_EQ(fails("CreateEventSourceMapping", {{"EventSourceArn", stream}, {"FunctionName", "consumer"},
                                               {"StartingPosition", "TRIM_HORIZON"}, {"MaximumRecordAgeInSeconds", 604801}}).code,
            "ValidationException");
  ok("CreateEventSourceMapping", {{"EventSourceArn", stream}, {"FunctionName", "consumer"},
                                  {"StartingPosition", "TRIM_HORIZON"}, {"MaximumRecordAgeInSeconds", 60},
                                  {"DestinationConfig", {{"OnFailure", {{"Destination", dlq}}}}}});
  ASSERT_TRUE(wait_until([&] { std::lock_guard l(mu_); return !events_.empty(); }));
  ASSERT_TRUE(wait_until([&] { return !calls("sqs", "SendMessage").empty(); }));
  {
    std::lock_guard l(mu_);
    ASSERT_EQ(events_[0]["Records"].size(), 2u);
    EXPECT_EQ(events_[0]["Records"][0]["dynamodb"]["SequenceNumber"], "3");
  }
  json skipped = json::parse(calls("sqs", "SendMessage")[0]["MessageBody"].get<std::string>());
  EXPECT_EQ(skipped["requestContext"]["condition"], "RecordAgeExceeded");
  EXPECT_EQ(skipped["DDBStreamBatchInfo"]["startSequenceNumber"], "1");
  EXPECT_EQ(skipped["DDBStreamBatchInfo"]["endSequenceNumber"], "2");
  EXPECT_EQ(skipped["DDBStreamBatchInfo"]["batchSize"], 2);
}

TEST_F(LambdaTest, StreamMappingsGatherRecordsForTheBatchingWindow) {
  create("consumer", "awan:record");
  std::string stream = "arn:aws:dynamodb:us-east-1:000000000000:table/Inventory/stream/2024-01-01T00:00:00.000";
  auto push = [&](int i) {
    std::lock_guard l(mu_);
    stream_.push_back({{"eventName", "INSERT"}, {"dynamodb", {{"SequenceNumber", std::to_string(i)}}}});
  };
  auto events = [&] {
    std::lock_guard l(mu_);
    return events_.size();
  };
  ok("CreateEventSourceMapping", {{"EventSourceArn", stream}, {"FunctionName", "consumer"},
                                  {"StartingPosition", "TRIM_HORIZON"}, {"BatchSize", 3},
                                  {"MaximumBatchingWindowInSeconds", 1}});
  push(1);
  push(2);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(events(), 0u);  // two of three records, inside the window: waiting
  push(3);                  // the batch is full: sent at once
  ASSERT_TRUE(wait_until([&] { return events() == 1; }));
  auto t0 = std::chrono::steady_clock::now();
  push(4);  // alone: sent when the window is over
  ASSERT_TRUE(wait_until([&] { return events() == 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(800));
  std::lock_guard l(mu_);
  using B = std::vector<std::vector<std::string>>;
  EXPECT_EQ(batches_of(events_), (B{{"1", "2", "3"}, {"4"}}));
}

}  // namespace
}  // namespace awan
