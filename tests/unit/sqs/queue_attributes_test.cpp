// SQS queue attributes: queue names, defaults, every range at and beyond its limits, FIFO-only
// attributes, Policy, RedrivePolicy and RedriveAllowPolicy documents, AttributeNames.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "sqs/queue_attributes.hpp"

using namespace awan::sqs;
using nlohmann::json;

namespace {

const std::string kArn = "arn:aws:sqs:us-east-1:123456789012:MyDLQ";

std::optional<awan::AwsError> check(const json& attrs, bool fifo = false, bool creating = true) {
  return check_queue_attributes(attrs, fifo, creating);
}

awan::AwsError redrive_fails(std::string_view text) {
  auto r = parse_redrive_policy(text);
  if (!std::holds_alternative<awan::AwsError>(r)) {
    ADD_FAILURE() << "accepted " << text;
    return {};
  }
  return std::get<awan::AwsError>(r);
}

awan::AwsError allow_fails(std::string_view text) {
  auto r = parse_redrive_allow_policy(text);
  if (!std::holds_alternative<awan::AwsError>(r)) {
    ADD_FAILURE() << "accepted " << text;
    return {};
  }
  return std::get<awan::AwsError>(r);
}

}  // namespace

TEST(SqsQueueName, Rules) {
  const std::string standard = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length";
  const std::string fifo =
      "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with "
      ".fifo suffix and be 1 to 80 in length";
  struct Case {
    std::string name;
    std::string message;
  };
  const Case cases[] = {
      {"a", ""},
      {"My_Queue-1", ""},
      {std::string(80, 'q'), ""},
      {std::string(75, 'q') + ".fifo", ""},
      {"x.fifo", ""},
      {std::string(81, 'q'), standard},
      {"in.fo", standard},
      {"space here", standard},
      {"\xC3\xA9", standard},
      {std::string(76, 'q') + ".fifo", fifo},
      {".fifo", fifo},
      {"a.b.fifo", fifo},
      {"", "Queue name cannot be empty"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto err = check_queue_name(c.name);
    if (c.message.empty()) {
      EXPECT_FALSE(err);
    } else {
      ASSERT_TRUE(err);
      EXPECT_EQ(err->code, "InvalidParameterValue");
      EXPECT_EQ(err->message, c.message);
    }
  }
}

TEST(SqsQueueAttributes, Defaults) {
  json standard = default_attributes(false);
  EXPECT_EQ(standard, json({{"DelaySeconds", "0"},
                            {"MaximumMessageSize", "1048576"},
                            {"MessageRetentionPeriod", "345600"},
                            {"ReceiveMessageWaitTimeSeconds", "0"},
                            {"VisibilityTimeout", "30"},
                            {"SqsManagedSseEnabled", "true"}}));
  json fifo = default_attributes(true);
  EXPECT_EQ(fifo["FifoQueue"], "true");
  EXPECT_EQ(fifo["ContentBasedDeduplication"], "false");
  EXPECT_EQ(fifo["DeduplicationScope"], "queue");
  EXPECT_EQ(fifo["FifoThroughputLimit"], "perQueue");
  EXPECT_FALSE(check(standard));
  EXPECT_FALSE(check(fifo, true));
}

TEST(SqsQueueAttributes, IntegerRanges) {
  struct Range {
    const char* name;
    long long min, max;
  };
  const Range ranges[] = {
      {"DelaySeconds", 0, 900},
      {"MaximumMessageSize", 1024, 1048576},
      {"MessageRetentionPeriod", 60, 1209600},
      {"ReceiveMessageWaitTimeSeconds", 0, 20},
      {"VisibilityTimeout", 0, 43200},
      {"KmsDataKeyReusePeriodSeconds", 60, 86400},
  };
  for (const auto& r : ranges) {
    SCOPED_TRACE(r.name);
    const std::string message = std::string("Invalid value for the parameter ") + r.name + ".";
    for (long long ok : {r.min, r.max, (r.min + r.max) / 2}) EXPECT_FALSE(check({{r.name, std::to_string(ok)}})) << ok;
    EXPECT_FALSE(check({{r.name, r.max}}));  // a JSON number is taken as its text
    for (const std::string& bad : {std::to_string(r.max + 1), std::to_string(r.min - 1), std::string(""),
                                  std::string(" 6"), std::string("6 "), std::string("+6"), std::string("5.5"),
                                  std::string("abc"), std::string("99999999999999999999999"), std::string("true")}) {
      auto err = check({{r.name, bad}});
      ASSERT_TRUE(err) << bad;
      EXPECT_EQ(err->code, "InvalidAttributeValue");
      EXPECT_EQ(err->message, message);
    }
    auto err = check({{r.name, true}});
    ASSERT_TRUE(err);
    EXPECT_EQ(err->message, message);
  }
}

TEST(SqsQueueAttributes, WrongJsonTypes) {
  EXPECT_FALSE(check(json(nullptr)));
  EXPECT_FALSE(check(json::object()));
  EXPECT_FALSE(check({{"DelaySeconds", nullptr}}));
  for (const json& doc : {json("x"), json(3), json::array({"DelaySeconds"})}) {
    auto err = check(doc);
    ASSERT_TRUE(err) << doc.dump();
    EXPECT_EQ(err->code, "SerializationException");
  }
  auto obj = check({{"DelaySeconds", json::object()}});
  ASSERT_TRUE(obj);
  EXPECT_EQ(obj->code, "SerializationException");
  EXPECT_EQ(obj->message, "Start of structure or map found where not expected.");
  auto arr = check({{"VisibilityTimeout", json::array()}});
  ASSERT_TRUE(arr);
  EXPECT_EQ(arr->message, "Unrecognized collection type class java.lang.String");
}

TEST(SqsQueueAttributes, UnknownNames) {
  auto err = check({{"Bogus", "1"}});
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, "InvalidAttributeName");
  EXPECT_EQ(err->message, "Unknown Attribute Bogus.");
  auto ro = check({{"QueueArn", "arn:aws:sqs:us-east-1:1:q"}});
  ASSERT_TRUE(ro);
  EXPECT_EQ(ro->message, "Unknown Attribute QueueArn.");
  auto lower = check({{"delayseconds", "1"}});
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->code, "InvalidAttributeName");
}

TEST(SqsQueueAttributes, Booleans) {
  for (const char* ok : {"true", "false", "True", "FALSE"}) EXPECT_FALSE(check({{"SqsManagedSseEnabled", ok}})) << ok;
  for (const char* bad : {"", "yes", "1", "truex"}) {
    auto err = check({{"SqsManagedSseEnabled", bad}});
    ASSERT_TRUE(err) << bad;
    EXPECT_EQ(err->message, "Invalid value for the parameter SqsManagedSseEnabled.");
  }
  EXPECT_FALSE(check({{"SqsManagedSseEnabled", false}}));
  auto both = check({{"SqsManagedSseEnabled", "true"}, {"KmsMasterKeyId", "alias/aws/sqs"}});
  ASSERT_TRUE(both);
  EXPECT_EQ(both->code, "InvalidAttributeName");
  EXPECT_EQ(both->message,
            "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS "
            "SSE.");
  EXPECT_FALSE(check({{"SqsManagedSseEnabled", "false"}, {"KmsMasterKeyId", "alias/aws/sqs"}}));
  EXPECT_FALSE(check({{"SqsManagedSseEnabled", "true"}, {"KmsMasterKeyId", ""}}));
}

TEST(SqsQueueAttributes, FifoOnlyOnStandardQueue) {
  struct Case {
    const char* name;
    const char* value;
    std::string message;
  };
  const Case cases[] = {
      {"FifoQueue", "true", "Unknown Attribute FifoQueue."},
      {"FifoQueue", "false", "Unknown Attribute FifoQueue."},
      {"ContentBasedDeduplication", "true", "Unknown Attribute ContentBasedDeduplication."},
      {"DeduplicationScope", "queue", "You can specify the DeduplicationScope only when FifoQueue is set to true."},
      {"FifoThroughputLimit", "perQueue",
       "You can specify the FifoThroughputLimit only when FifoQueue is set to true."},
  };
  for (const auto& c : cases) {
    for (bool creating : {true, false}) {
      auto err = check({{c.name, c.value}}, false, creating);
      ASSERT_TRUE(err) << c.name;
      EXPECT_EQ(err->code, "InvalidAttributeName");
      EXPECT_EQ(err->message, c.message);
    }
  }
}

TEST(SqsQueueAttributes, FifoAttributes) {
  const std::string modify = "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.";
  EXPECT_FALSE(check({{"FifoQueue", "true"}}, true, true));
  for (auto [value, creating] : {std::pair{"true", false}, std::pair{"false", true}, std::pair{"x", true}}) {
    auto err = check({{"FifoQueue", value}}, true, creating);
    ASSERT_TRUE(err) << value;
    EXPECT_EQ(err->code, "InvalidAttributeValue");
    EXPECT_EQ(err->message, modify);
  }
  EXPECT_FALSE(check({{"ContentBasedDeduplication", "true"}}, true, false));
  EXPECT_EQ(check({{"ContentBasedDeduplication", "maybe"}}, true)->message,
            "Invalid value for the parameter ContentBasedDeduplication.");
  for (const char* scope : {"queue", "messageGroup"}) EXPECT_FALSE(check({{"DeduplicationScope", scope}}, true));
  for (const char* scope : {"", "Queue", "group"})
    EXPECT_EQ(check({{"DeduplicationScope", scope}}, true)->message,
              "Invalid value for the parameter DeduplicationScope.");
  EXPECT_FALSE(check({{"FifoThroughputLimit", "perQueue"}}, true));
  for (const char* limit : {"", "perqueue", "perMessageGroup"})
    EXPECT_EQ(check({{"FifoThroughputLimit", limit}}, true)->message,
              "Invalid value for the parameter FifoThroughputLimit.");
}

TEST(SqsQueueAttributes, HighThroughputNeedsMessageGroupScope) {
  EXPECT_FALSE(check({{"DeduplicationScope", "messageGroup"}, {"FifoThroughputLimit", "perMessageGroupId"}}, true));
  EXPECT_FALSE(check({{"FifoThroughputLimit", "perMessageGroupId"}}, true, false));  // current scope: caller's
  for (auto [attrs, creating] : {std::pair{json({{"FifoThroughputLimit", "perMessageGroupId"}}), true},
                                 std::pair{json({{"FifoThroughputLimit", "perMessageGroupId"},
                                                 {"DeduplicationScope", "queue"}}),
                                           false}}) {
    auto err = check(attrs, true, creating);
    ASSERT_TRUE(err) << attrs.dump();
    EXPECT_EQ(err->code, "InvalidAttributeValue");
    EXPECT_NE(err->message.find("perMessageGroupId"), std::string::npos);
  }
}

TEST(SqsQueueAttributes, Policy) {
  EXPECT_FALSE(check({{"Policy", ""}}));
  EXPECT_FALSE(check({{"Policy", R"({"Version":"2012-10-17","Statement":[]})"}}));
  for (const char* bad : {"badjson", "[]", "\"s\"", "533", "null", "{"}) {
    auto err = check({{"Policy", bad}});
    ASSERT_TRUE(err) << bad;
    EXPECT_EQ(err->code, "InvalidAttributeValue");
    EXPECT_EQ(err->message, "Invalid value for the parameter Policy.");
  }
  auto statements = [](int n) {
    json p = {{"Version", "2012-10-17"}, {"Statement", json::array()}};
    for (int i = 0; i < n; ++i) p["Statement"].push_back({{"Effect", "Allow"}});
    return p.dump();
  };
  EXPECT_FALSE(check({{"Policy", statements(20)}}));
  auto err = check({{"Policy", statements(22)}});
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "22 statements were found in the submitted policy, max allowed is 20");
}

TEST(SqsRedrivePolicy, Accepted) {
  auto cleared = parse_redrive_policy("");
  ASSERT_TRUE(std::holds_alternative<std::optional<RedrivePolicy>>(cleared));
  EXPECT_FALSE(std::get<std::optional<RedrivePolicy>>(cleared));
  for (const std::string& count : {std::string("1"), std::string("1000"), std::string("\"5\"")}) {
    std::string text = R"({"deadLetterTargetArn":")" + kArn + R"(","maxReceiveCount":)" + count + "}";
    auto r = parse_redrive_policy(text);
    ASSERT_TRUE(std::holds_alternative<std::optional<RedrivePolicy>>(r)) << text;
    const auto& p = std::get<std::optional<RedrivePolicy>>(r);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->dead_letter_target_arn, kArn);
    EXPECT_EQ(p->max_receive_count, count == "\"5\"" ? 5 : std::stoi(count));
    EXPECT_FALSE(check({{"RedrivePolicy", text}}));
  }
}

TEST(SqsRedrivePolicy, Refused) {
  const std::string not_map =
      "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.";
  for (const char* text : {" ", "4", "[]", "\"x\"", "{", "null", "{\"a\":}"}) {
    auto err = redrive_fails(text);
    EXPECT_EQ(err.code, "InvalidParameterValue");
    EXPECT_EQ(err.message, not_map);
  }
  auto reason = [](const std::string& text, const std::string& why) {
    return "Value " + text + " for parameter RedrivePolicy is invalid. Reason: " + why;
  };
  std::string text = "{}";
  EXPECT_EQ(redrive_fails(text).message,
            reason(text, "Redrive policy does not contain mandatory attribute: maxReceiveCount."));
  text = R"({"maxReceiveCount":5})";
  EXPECT_EQ(redrive_fails(text).message,
            reason(text, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn."));
  for (const char* raw : {"0", "1001", "-36", "4023", "5.5", "\"abc\"", "\"\"", "true", "null"}) {
    const std::string count = raw;
    text = R"({"deadLetterTargetArn":")" + kArn + R"(","maxReceiveCount":)" + count + "}";
    std::string shown = count.front() == '"' ? count.substr(1, count.size() - 2) : count;
    EXPECT_EQ(redrive_fails(text).message,
              reason(text, "Invalid value for maxReceiveCount: " + shown +
                               ", valid values are from 1 to 1000 both inclusive."));
  }
  for (const char* arn : {"\"arn:aws:sns:us-east-1:123456789012:MyTopic\"", "\"\"", "\"arn:aws:sqs:us-east-1:1:\"", "5",
                          "\"not-an-arn\""}) {
    text = std::string(R"({"deadLetterTargetArn":)") + arn + R"(,"maxReceiveCount":5})";
    EXPECT_EQ(redrive_fails(text).message, reason(text, "Only SQS queues are valid resources for deadLetterTargetArn."));
  }
  text = R"({"deadLetterTargetArn":")" + kArn + R"(","maxReceiveCount":5,"dummyField":"dummy value"})";
  EXPECT_EQ(redrive_fails(text).message,
            reason(text, "Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn]."));
  auto via_check = check({{"RedrivePolicy", "{}"}});
  ASSERT_TRUE(via_check);
  EXPECT_EQ(via_check->code, "InvalidParameterValue");
}

TEST(SqsRedriveAllowPolicy, Accepted) {
  auto cleared = parse_redrive_allow_policy("");
  ASSERT_TRUE(std::holds_alternative<std::optional<RedriveAllowPolicy>>(cleared));
  EXPECT_FALSE(std::get<std::optional<RedriveAllowPolicy>>(cleared));

  auto all = std::get<std::optional<RedriveAllowPolicy>>(parse_redrive_allow_policy(R"({"redrivePermission":"allowAll"})"));
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->allows(kArn));
  auto deny = std::get<std::optional<RedriveAllowPolicy>>(parse_redrive_allow_policy(R"({"redrivePermission":"denyAll"})"));
  ASSERT_TRUE(deny);
  EXPECT_FALSE(deny->allows(kArn));

  json ten = {{"redrivePermission", "byQueue"}, {"sourceQueueArns", json::array()}};
  for (int i = 1; i <= 10; ++i) ten["sourceQueueArns"].push_back("arn:aws:sqs:us-east-1:123456789012:x" + std::to_string(i));
  auto by = std::get<std::optional<RedriveAllowPolicy>>(parse_redrive_allow_policy(ten.dump()));
  ASSERT_TRUE(by);
  EXPECT_EQ(by->source_arns.size(), 10u);
  EXPECT_TRUE(by->allows("arn:aws:sqs:us-east-1:123456789012:x7"));
  EXPECT_FALSE(by->allows("arn:aws:sqs:us-east-1:123456789012:x11"));
  EXPECT_FALSE(check({{"RedriveAllowPolicy", ten.dump()}}));
}

TEST(SqsRedriveAllowPolicy, Refused) {
  const std::string format =
      "Invalid value for the parameter RedriveAllowPolicy. Reason: Amazon SQS can't create the redrive allow "
      "policy, as it\u2019s in an unsupported format.";
  for (const char* text : {"badjson", "444", "[]", "{}", R"({"redrivePermission":"dummy"})",
                           R"({"redrivePermission":"allowAll","dummy":"value"})", R"({"redrivePermission":5})",
                           R"({"redrivePermission":"byQueue","sourceQueueArns":"arn:aws:sqs"})",
                           R"({"redrivePermission":"byQueue","sourceQueueArns":[{"dummy":"value"}]})"}) {
    auto err = allow_fails(text);
    EXPECT_EQ(err.code, "InvalidParameterValue");
    EXPECT_EQ(err.message, format) << text;
  }
  auto reason = [](const std::string& text, const std::string& why) {
    return "Value " + text +
           " for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't create the redrive allow policy. " +
           why;
  };
  const std::string need = "When you specify the byQueue permission type, you must also specify one or more "
                           "sourceQueueArns values.";
  for (const char* text : {R"({"redrivePermission":"byQueue"})", R"({"redrivePermission":"byQueue","sourceQueueArns":[]})"})
    EXPECT_EQ(allow_fails(text).message, reason(text, need));
  json eleven = {{"redrivePermission", "byQueue"}, {"sourceQueueArns", json::array()}};
  for (int i = 1; i <= 11; ++i) eleven["sourceQueueArns"].push_back("arn:aws:sqs:us-east-1:123456789012:x" + std::to_string(i));
  EXPECT_EQ(allow_fails(eleven.dump()).message,
            reason(eleven.dump(), "The maximum number of source queue ARNs you can specify is 10."));
  for (const char* perm : {"allowAll", "denyAll"}) {
    std::string text = std::string(R"({"redrivePermission":")") + perm +
                       R"(","sourceQueueArns":["arn:aws:sqs:us-east-1:123456789012:x7"]})";
    EXPECT_EQ(allow_fails(text).message,
              reason(text, "To specify one or more source queue ARNs, you must set redrivePermission to byQueue."));
  }
  EXPECT_TRUE(check({{"RedriveAllowPolicy", "{}"}}));
}

TEST(SqsQueueAttributes, AttributeNames) {
  EXPECT_FALSE(check_attribute_names({}));
  EXPECT_FALSE(check_attribute_names({"All"}));
  EXPECT_FALSE(check_attribute_names({"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
                                      "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp",
                                      "LastModifiedTimestamp", "QueueArn", "DelaySeconds", "MaximumMessageSize",
                                      "MessageRetentionPeriod", "Policy", "ReceiveMessageWaitTimeSeconds",
                                      "RedrivePolicy", "RedriveAllowPolicy", "VisibilityTimeout", "KmsMasterKeyId",
                                      "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "FifoQueue",
                                      "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"}));
  auto err = check_attribute_names({"QueueArn", "Nope", "Other"});
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, "InvalidAttributeName");
  EXPECT_EQ(err->message, "Unknown Attribute Nope.");
  EXPECT_TRUE(check_attribute_names({"all"}));
}
