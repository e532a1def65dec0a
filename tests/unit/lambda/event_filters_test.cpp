// Event source mapping FilterCriteria (event_filters.hpp): tables of (pattern, record, match?)
// for every rule of Lambda's filter syntax on SQS records (JSON and plain bodies) and DynamoDB
// stream records, ORed filters, and malformed criteria with Lambda's errors.
#include "lambda/event_filters.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace awan::lambda {
namespace {

using json = nlohmann::json;

json criteria(const std::vector<std::string>& patterns) {
  json filters = json::array();
  for (const auto& p : patterns) filters.push_back({{"Pattern", p}});
  return {{"Filters", filters}};
}

EventFilters parse_ok(const json& c) {
  auto r = parse_filter_criteria(c);
  if (auto* e = std::get_if<AwsError>(&r)) {
    ADD_FAILURE() << "rejected " << c.dump() << ": " << e->code << " " << e->message;
    return {};
  }
  return std::move(std::get<EventFilters>(r));
}

json sqs(const std::string& body) {
  return {{"messageId", "m1"}, {"body", body}, {"attributes", {{"ApproximateReceiveCount", "1"}}},
          {"messageAttributes", json::object()}, {"eventSource", "aws:sqs"}, {"awsRegion", "us-east-1"}};
}

struct Case {
  std::string pattern;
  std::string body;
  bool expected;
};

TEST(EventFilters, SqsRulesOnJsonBodies) {
  const std::string order = R"({"RecordNumber": 1234, "RequestCode": "AAAA", "Customer": {"Name": "Ann", "Tier": null},
                                "Note": "", "Tags": ["red", "blue"], "Price": 10.5, "City": "Berlin"})";
  const std::vector<Case> cases = {
      {R"({"body": {"RequestCode": ["AAAA"]}})", order, true},
      {R"({"body": {"RequestCode": ["BBBB"]}})", order, false},
      {R"({"body": {"RequestCode": ["BBBB", "AAAA"]}})", order, true},  // OR within a key
      {R"({"body": {"RecordNumber": [{"numeric": [">", 9999]}]}})", order, false},
      {R"({"body": {"RecordNumber": [{"numeric": [">", 1000, "<=", 1234]}]}})", order, true},
      {R"({"body": {"RecordNumber": [{"numeric": ["=", 1234]}]}})", order, true},
      {R"({"body": {"RecordNumber": [1234]}})", order, true},
      {R"({"body": {"Price": [{"numeric": ["<", 10.5]}]}})", order, false},
      {R"({"body": {"Customer": {"Name": [{"prefix": "A"}]}}})", order, true},
      {R"({"body": {"Customer": {"Name": [{"suffix": "nn"}]}}})", order, true},
      {R"({"body": {"Customer": {"Name": [{"equals-ignore-case": "ANN"}]}}})", order, true},
      {R"({"body": {"City": [{"anything-but": ["Paris", "Rome"]}]}})", order, true},
      {R"({"body": {"City": [{"anything-but": "Berlin"}]}})", order, false},
      {R"({"body": {"City": [{"anything-but": {"prefix": "Ber"}}]}})", order, false},
      {R"({"body": {"City": [{"anything-but": {"suffix": "lin"}}]}})", order, false},
      {R"({"body": {"Customer": {"Tier": [null]}}})", order, true},  // null
      {R"({"body": {"Note": [""]}})", order, true},                  // empty
      {R"({"body": {"Customer": {"Name": [{"exists": true}]}}})", order, true},
      {R"({"body": {"Missing": [{"exists": false}]}})", order, true},
      {R"({"body": {"City": [{"exists": false}]}})", order, false},
      {R"({"body": {"Tags": ["blue"]}})", order, true},  // arrays: any element
      {R"({"body": {"RequestCode": ["AAAA"], "City": ["Paris"]}})", order, false},  // AND between keys
      {R"({"body": {"$or": [{"RequestCode": ["BBBB"]}, {"City": ["Berlin"]}]}})", order, true},
      {R"({"body": {"$or": [{"RequestCode": ["BBBB"]}, {"City": ["Paris"]}]}})", order, false},
      {R"({"eventSource": ["aws:sqs"]})", order, true},  // metadata keys
      {R"({"attributes": {"ApproximateReceiveCount": ["1"]}})", order, true},
  };
  for (const auto& c : cases) {
    EventFilters f = parse_ok(criteria({c.pattern}));
    EXPECT_EQ(f.matches(sqs(c.body), RecordSource::Sqs), c.expected) << c.pattern;
  }
}

TEST(EventFilters, SqsPlainBodiesMatchOnlyAsStrings) {
  const std::vector<Case> cases = {
      {R"({"body": ["hello world"]})", "hello world", true},
      {R"({"body": [{"prefix": "hello"}]})", "hello world", true},
      {R"({"body": [{"suffix": "planet"}]})", "hello world", false},
      {R"({"body": {"greeting": ["hello"]}})", "hello world", false},  // a JSON rule on a plain body
      {R"({"body": {"greeting": ["hello"]}})", R"({"greeting": "hello"})", true},
      {R"({"body": ["{\"greeting\": \"hello\"}"]})", R"({"greeting": "hello"})", false},  // parsed, not a string
      {R"({"body": ["42"]})", "42", true},  // a JSON scalar stays the plain string
  };
  for (const auto& c : cases) {
    EventFilters f = parse_ok(criteria({c.pattern}));
    EXPECT_EQ(f.matches(sqs(c.body), RecordSource::Sqs), c.expected) << c.pattern << " on " << c.body;
  }
}

TEST(EventFilters, DynamoDbStreamRecords) {
  json insert = {{"eventName", "INSERT"},
                 {"eventSource", "aws:dynamodb"},
                 {"dynamodb",
                  {{"Keys", {{"Store", {{"S", "Berlin"}}}}},
                   {"NewImage", {{"Store", {{"S", "Berlin"}}}, {"Count", {{"N", "0"}}}, {"Open", {{"BOOL", true}}}}},
                   {"SequenceNumber", "100"}}}};
  json remove = {{"eventName", "REMOVE"}, {"dynamodb", {{"Keys", {{"Store", {{"S", "Paris"}}}}}}}};
  const std::vector<std::pair<std::string, std::pair<bool, bool>>> cases = {
      {R"({"eventName": ["INSERT"]})", {true, false}},
      {R"({"eventName": ["INSERT", "MODIFY"]})", {true, false}},
      {R"({"dynamodb": {"NewImage": {"Count": {"N": ["0"]}}}})", {true, false}},
      {R"({"dynamodb": {"NewImage": {"Open": {"BOOL": [true]}}}})", {true, false}},
      {R"({"dynamodb": {"Keys": {"Store": {"S": [{"prefix": "P"}]}}}})", {false, true}},
      {R"({"dynamodb": {"NewImage": {"Count": {"N": [{"exists": false}]}}}})", {false, true}},
      {R"({"eventName": [{"anything-but": "REMOVE"}]})", {true, false}},
  };
  for (const auto& [pattern, expected] : cases) {
    EventFilters f = parse_ok(criteria({pattern}));
    EXPECT_EQ(f.matches(insert, RecordSource::DynamoDbStream), expected.first) << pattern;
    EXPECT_EQ(f.matches(remove, RecordSource::DynamoDbStream), expected.second) << pattern;
  }
}

TEST(EventFilters, FiltersAreOred) {
  EventFilters f = parse_ok(criteria({R"({"body": {"a": [1]}})", R"({"body": {"b": [2]}})"}));
  EXPECT_TRUE(f.matches(sqs(R"({"a": 1})"), RecordSource::Sqs));
  EXPECT_TRUE(f.matches(sqs(R"({"b": 2})"), RecordSource::Sqs));
  EXPECT_FALSE(f.matches(sqs(R"({"c": 3})"), RecordSource::Sqs));
}

TEST(EventFilters, NoCriteriaPassEverything) {
  for (const json& c : {json(nullptr), json::object(), json{{"Filters", nullptr}}, json{{"Filters", json::array()}}}) {
    EventFilters f = parse_ok(c);
    EXPECT_TRUE(f.empty()) << c.dump();
    EXPECT_TRUE(f.matches(sqs("x"), RecordSource::Sqs));
  }
  EventFilters all = parse_ok(criteria({"{}"}));
  EXPECT_TRUE(all.matches(sqs("x"), RecordSource::Sqs));
}

TEST(EventFilters, MalformedPatternsAreInvalidParameterValue) {
  const std::vector<std::string> bad = {
      "",
      "not json",
      "[1, 2]",
      "\"text\"",
      R"({"body": "AAAA"})",
      R"({"body": {"a": []}})",
      R"({"body": {"a": [[1]]}})",
      R"({"a": [{"prefix": 5}]})",
      R"({"a": [{"suffix": ["x"]}]})",
      R"({"a": [{"equals-ignore-case": 1}]})",
      R"({"a": [{"unknown-rule": "x"}]})",
      R"({"a": [{"prefix": "x", "suffix": "y"}]})",
      R"({"a": [{"numeric": [">", "ten"]}]})",
      R"({"a": [{"numeric": ["<", 5, ">", 1]}]})",
      R"({"a": [{"numeric": [">", 5, "<", 1]}]})",
      R"({"a": [{"numeric": [">", 1e300]}]})",
      R"({"a": [{"numeric": []}]})",
      R"({"a": [{"numeric": "5"}]})",
      R"({"a": [{"exists": "yes"}]})",
      R"({"a": [{"anything-but": []}]})",
      R"({"a": [{"anything-but": [true]}]})",
      R"({"a": [{"anything-but": ["x", 1]}]})",
      R"({"a": [{"anything-but": {"contains": "x"}}]})",
      R"({"a": [{"anything-but": {"prefix": ""}}]})",
      R"({"a": [{"wildcard": "x*"}]})",
      std::string(70, '{') + std::string(70, '}'),
      "{\"a\": [\"\xff\xfe\"]}",
  };
  for (const auto& p : bad) {
    auto r = parse_filter_criteria(criteria({p}));
    auto* e = std::get_if<AwsError>(&r);
    ASSERT_TRUE(e) << "accepted " << p;
    EXPECT_EQ(e->code, "InvalidParameterValueException") << p;
    EXPECT_EQ(e->message, "Invalid filter pattern definition.") << p;
    EXPECT_EQ(e->http_status, 400);
  }
}

TEST(EventFilters, MalformedCriteria) {
  for (const json& c : {json("x"), json{{"Filters", "x"}}, json{{"Filters", json::array({1})}},
                        json{{"Filters", json::array({json::object()})}},
                        json{{"Filters", json::array({{{"Pattern", 5}}})}}}) {
    auto r = parse_filter_criteria(c);
    auto* e = std::get_if<AwsError>(&r);
    ASSERT_TRUE(e) << "accepted " << c.dump();
    EXPECT_EQ(e->code, "InvalidParameterValueException");
  }
  auto six = parse_filter_criteria(criteria(std::vector<std::string>(6, R"({"a": [1]})")));
  ASSERT_TRUE(std::holds_alternative<AwsError>(six));
  EXPECT_EQ(std::get<AwsError>(six).code, "InvalidParameterValueException");
  auto five = parse_filter_criteria(criteria(std::vector<std::string>(5, R"({"a": [1]})")));
  EXPECT_TRUE(std::holds_alternative<EventFilters>(five));
  std::string long_pattern = R"({"a": [")" + std::string(4100, 'x') + R"("]})";
  auto too_long = parse_filter_criteria(criteria({long_pattern}));
  ASSERT_TRUE(std::holds_alternative<AwsError>(too_long));
  EXPECT_EQ(std::get<AwsError>(too_long).code, "ValidationException");
}

TEST(EventFilters, OrExpansionIsBounded) {
  // Eleven "$or"s of two alternatives each unfold into 2048 branches: refused, not expanded.
  std::string p = "{";
  for (int i = 0; i < 11; ++i) p += std::string(i ? "," : "") + "\"k" + std::to_string(i) + R"(": {"$or": [{"a": [1]}, {"b": [2]}]})";
  p += "}";
  ASSERT_LE(p.size(), kMaxPatternLength);
  auto r = parse_filter_criteria(criteria({p}));
  ASSERT_TRUE(std::holds_alternative<AwsError>(r));
  EXPECT_EQ(std::get<AwsError>(r).message, "Invalid filter pattern definition.");
}

}  // namespace
}  // namespace awan::lambda
