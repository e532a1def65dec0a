#pragma once
// Event source mapping FilterCriteria: up to five filter patterns (core/event_pattern.hpp, the
// engine SNS filter policies use), ORed, checked with Lambda's errors ("Invalid filter pattern
// definition."), and matched against the records a mapping reads — an SQS record with its body
// matched as JSON when it is a JSON object or array (a plain body only by string rules), a
// DynamoDB stream record as it is. Neighbours: event_sources.cpp (the pollers).
#include <optional>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/error.hpp"
#include "core/event_pattern.hpp"

namespace awan::lambda {

enum class RecordSource { Sqs, DynamoDbStream };

class EventFilters {
 public:
  // No filters: every record passes.
  bool empty() const { return patterns_.empty(); }
  // Whether `record` (as the function would get it) satisfies at least one filter.
  bool matches(const nlohmann::json& record, RecordSource source) const;

 private:
  friend std::variant<EventFilters, AwsError> parse_filter_criteria(const nlohmann::json& criteria);
  std::vector<event_pattern::Pattern> patterns_;
};

inline constexpr size_t kMaxFilters = 5;
inline constexpr size_t kMaxPatternLength = 4096;

// A mapping's FilterCriteria ({"Filters": [{"Pattern": "<json>"}]}; null or absent: none).
// Errors as CreateEventSourceMapping answers them: InvalidParameterValueException "Invalid
// filter pattern definition." for a pattern that is not a valid filter, ValidationException for
// a pattern longer than 4096 characters, InvalidParameterValueException for more than five filters.
std::variant<EventFilters, AwsError> parse_filter_criteria(const nlohmann::json& criteria);

}  // namespace awan::lambda
