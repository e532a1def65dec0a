// Event source mapping FilterCriteria (event_filters.hpp).
#include "lambda/event_filters.hpp"

#include <string>

#include "lambda/errors.hpp"

namespace awan::lambda {

namespace {
using json = nlohmann::json;

AwsError invalid_pattern() { return errors::invalid("Invalid filter pattern definition."); }

const event_pattern::Options& options() {
  static const event_pattern::Options o = [] {
    event_pattern::Options x;
    x.invalid = [](const std::string&) { return invalid_pattern(); };
    x.nested = true;
    x.max_bytes = kMaxPatternLength;
    x.max_keys = 0;
    x.max_combinations = 0;
    x.max_branches = 1024;  // "$or" unfolded: a 4 KB pattern could otherwise name millions
    return x;
  }();
  return o;
}
}  // namespace

bool EventFilters::matches(const json& record, RecordSource source) const {
  if (patterns_.empty()) return true;
  const json* doc = &record;
  json with_body;
  if (source == RecordSource::Sqs) {
    auto body = record.find("body");
    if (body != record.end() && body->is_string()) {
      json parsed = json::parse(body->get_ref<const std::string&>(), nullptr, false);
      if (parsed.is_object() || parsed.is_array()) {
        with_body = record;
        with_body["body"] = std::move(parsed);
        doc = &with_body;
      }
    }
  }
  for (const auto& p : patterns_)
    if (p.matches(doc)) return true;
  return false;
}

std::variant<EventFilters, AwsError> parse_filter_criteria(const json& criteria) {
  EventFilters out;
  if (criteria.is_null()) return out;
  if (!criteria.is_object()) return invalid_pattern();
  auto filters = criteria.find("Filters");
  if (filters == criteria.end() || filters->is_null()) return out;
  if (!filters->is_array()) return invalid_pattern();
  if (filters->size() > kMaxFilters)
    return errors::invalid("The maximum number of filters per event source mapping (" + std::to_string(kMaxFilters) +
                           ") has been exceeded.");
  size_t index = 0;
  for (const auto& f : *filters) {
    ++index;
    if (!f.is_object()) return invalid_pattern();
    auto p = f.find("Pattern");
    if (p == f.end() || !p->is_string()) return invalid_pattern();
    const std::string& text = p->get_ref<const std::string&>();
    if (text.size() > kMaxPatternLength)
      return errors::constraint(text, "filterCriteria.filters." + std::to_string(index) + ".member.pattern",
                                "Member must have length less than or equal to 4096");
    if (text.empty()) return invalid_pattern();
    auto parsed = event_pattern::parse(text, options());
    if (auto* e = std::get_if<AwsError>(&parsed)) return *e;
    out.patterns_.push_back(std::move(std::get<event_pattern::Pattern>(parsed)));
  }
  return out;
}

}  // namespace awan::lambda
