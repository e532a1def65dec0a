// libFuzzer target: Lambda event source mapping FilterCriteria (lambda/event_filters.hpp, on
// core/event_pattern.hpp). The input is a filter Pattern, and also a whole FilterCriteria
// document when it is JSON; what parses is matched against fixed SQS and DynamoDB stream records
// and against an SQS record whose body is the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "lambda/event_filters.hpp"

namespace {

using json = nlohmann::json;

const json& fixed_records() {
  static const json records = json::parse(R"([
    {"messageId": "m", "body": "{\"kind\": \"order\", \"n\": 5, \"tags\": [\"a\", [\"b\", null]], \"x\": {\"y\": 1e300}}",
     "attributes": {"ApproximateReceiveCount": "1"}, "eventSource": "aws:sqs"},
    {"messageId": "p", "body": "plain text body", "eventSource": "aws:sqs"},
    {"messageId": "a", "body": "[1, 2, {\"k\": \"v\"}]", "eventSource": "aws:sqs"}
  ])");
  return records;
}

const json& stream_record() {
  static const json record = json::parse(R"({"eventName": "INSERT", "eventSource": "aws:dynamodb",
    "dynamodb": {"Keys": {"Store": {"S": "Berlin"}}, "NewImage": {"Count": {"N": "0"}, "Ok": {"BOOL": true},
                 "Ip": {"S": "10.0.0.7"}, "L": {"L": [{"S": "x"}, {"N": "-0.00001"}]}}, "SequenceNumber": "1"}})");
  return record;
}

void exercise(const awan::lambda::EventFilters& f, const std::string& text) {
  using awan::lambda::RecordSource;
  for (const auto& r : fixed_records()) (void)f.matches(r, RecordSource::Sqs);
  (void)f.matches(stream_record(), RecordSource::DynamoDbStream);
  (void)f.matches(json{{"messageId", "i"}, {"body", text}}, RecordSource::Sqs);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::lambda;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto one = parse_filter_criteria(json{{"Filters", json::array({{{"Pattern", text}}})}});
  if (auto* f = std::get_if<EventFilters>(&one)) exercise(*f, text);
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_discarded()) {
    auto whole = parse_filter_criteria(doc);
    if (auto* f = std::get_if<EventFilters>(&whole)) exercise(*f, text);
  }
  return 0;
}
