// Metric filters (Put/Describe/DeleteMetricFilter, TestMetricFilter) and subscription filters
// (Put/Describe/DeleteSubscriptionFilter): stored and described; no metrics are published and
// nothing is delivered to the destinations.
#include <algorithm>

#include "logs/errors.hpp"
#include "logs/filter_pattern.hpp"
#include "logs/input.hpp"
#include "logs/service_impl.hpp"

namespace awan::logs {

namespace {
constexpr size_t kMaxMetricFilters = 100, kMaxSubscriptionFilters = 2;

std::string filter_name(const json& in) {
  std::string name = input::required_text(in, "filterName");
  input::check_log_stream_name(name, "filterName");  // the same rule: 1-512 of [^:*]
  return name;
}

std::string filter_pattern(const json& in) {
  std::string pattern = input::text(in, "filterPattern").value_or("");
  if (!in.contains("filterPattern")) throw errors::missing("filterPattern");
  input::check_length(pattern, "filterPattern", 0, 1024);
  auto parsed = FilterPattern::parse(pattern);
  if (auto* err = std::get_if<std::string>(&parsed)) throw errors::invalid_parameter("Invalid filter pattern: " + *err);
  return pattern;
}

json metric_transformations(const json& in) {
  auto it = in.find("metricTransformations");
  if (it == in.end() || it->is_null()) throw errors::missing("metricTransformations");
  if (!it->is_array() || it->size() != 1)
    throw errors::constraint("'[...]'", "metricTransformations", "have length equal to 1");
  const json& t = it->front();
  if (!t.is_object()) throw errors::invalid_parameter("A metric transformation must be a structure.");
  for (const char* member : {"metricName", "metricNamespace", "metricValue"}) {
    std::string v = input::required_text(t, member);
    input::check_length(v, member, 1, 255);
  }
  return *it;
}

template <typename Row>
json page_of(const std::vector<Row>& rows, const json& in, const char* key, json (*document)(const Row&)) {
  size_t limit = static_cast<size_t>(input::integer(in, "limit", 1, 50).value_or(50));
  size_t offset = input::page_offset(in);
  json list = json::array();
  for (size_t i = offset; i < rows.size() && list.size() < limit; ++i) list.push_back(document(rows[i]));
  json out = {{key, std::move(list)}};
  if (offset + limit < rows.size()) out["nextToken"] = input::page_token(offset + limit);
  return out;
}

struct NamedMetricFilter {
  MetricFilterRow row;
  std::string group_name;
};
json metric_filter_document(const NamedMetricFilter& f) {
  return {{"filterName", f.row.name},
          {"filterPattern", f.row.pattern},
          {"metricTransformations", f.row.transformations},
          {"creationTime", f.row.creation_time},
          {"logGroupName", f.group_name}};
}

struct NamedSubscriptionFilter {
  SubscriptionFilterRow row;
  std::string group_name;
};
json subscription_filter_document(const NamedSubscriptionFilter& f) {
  json d = {{"filterName", f.row.name},
            {"logGroupName", f.group_name},
            {"filterPattern", f.row.pattern},
            {"destinationArn", f.row.destination_arn},
            {"distribution", f.row.distribution},
            {"creationTime", f.row.creation_time}};
  if (!f.row.role_arn.empty()) d["roleArn"] = f.row.role_arn;
  return d;
}

template <typename Row>
const Row* named(const std::vector<Row>& rows, const std::string& name) {
  auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.name == name; });
  return it == rows.end() ? nullptr : &*it;
}
}  // namespace

Result LogsService::put_metric_filter(json& in) {
  LogGroupRow g = require_group_named(input::required_text(in, "logGroupName"));
  MetricFilterRow f{g.id, filter_name(in), filter_pattern(in), metric_transformations(in), now_ms()};
  auto existing = store_.metric_filters(g.id);
  if (const auto* old = named(existing, f.name)) f.creation_time = old->creation_time;
  else if (existing.size() >= kMaxMetricFilters) throw errors::limit_exceeded();
  store_.put_metric_filter(f);
  return Result::ok();
}

Result LogsService::describe_metric_filters(json& in) {
  auto group = input::text(in, "logGroupName");
  auto prefix = input::text(in, "filterNamePrefix");
  auto metric_name = input::text(in, "metricName");
  auto metric_namespace = input::text(in, "metricNamespace");
  if (prefix && !group) throw errors::invalid_parameter("If you specify filterNamePrefix, you must specify logGroupName.");
  if (metric_name.has_value() != metric_namespace.has_value())
    throw errors::invalid_parameter("metricName and metricNamespace must be specified together.");
  std::vector<LogGroupRow> groups;
  if (group) groups.push_back(require_group_named(*group));
  else groups = store_.groups(account(), region(), "");
  std::vector<NamedMetricFilter> rows;
  for (const auto& g : groups)
    for (auto& f : store_.metric_filters(g.id)) {
      if (prefix && f.name.rfind(*prefix, 0) != 0) continue;
      const json& t = f.transformations.front();
      if (metric_name && (t.value("metricName", "") != *metric_name || t.value("metricNamespace", "") != *metric_namespace))
        continue;
      rows.push_back({std::move(f), g.name});
    }
  return Result::ok(page_of(rows, in, "metricFilters", &metric_filter_document));
}

Result LogsService::delete_metric_filter(json& in) {
  LogGroupRow g = require_group_named(input::required_text(in, "logGroupName"));
  if (!store_.delete_metric_filter(g.id, filter_name(in))) throw errors::filter_not_found();
  return Result::ok();
}

// The pattern against each of 1-50 messages; matches numbered from 1 (no extracted values).
Result LogsService::test_metric_filter(json& in) {
  std::string pattern = filter_pattern(in);
  auto it = in.find("logEventMessages");
  if (it == in.end() || !it->is_array()) throw errors::missing("logEventMessages");
  if (it->empty() || it->size() > 50)
    throw errors::constraint("'[...]'", "logEventMessages", "have length between 1 and 50");
  FilterPattern filter = std::get<FilterPattern>(FilterPattern::parse(pattern));
  json matches = json::array();
  for (size_t i = 0; i < it->size(); ++i) {
    const json& m = (*it)[i];
    if (!m.is_string()) throw errors::invalid_parameter("logEventMessages must be strings.");
    if (filter.matches(m.get_ref<const std::string&>()))
      matches.push_back({{"eventNumber", i + 1}, {"eventMessage", m}, {"extractedValues", json::object()}});
  }
  return Result::ok({{"matches", std::move(matches)}});
}

Result LogsService::put_subscription_filter(json& in) {
  LogGroupRow g = require_group_named(input::required_text(in, "logGroupName"));
  SubscriptionFilterRow f{g.id, filter_name(in), filter_pattern(in), input::required_text(in, "destinationArn"),
                          input::text(in, "roleArn").value_or(""), input::text(in, "distribution").value_or("ByLogStream"),
                          now_ms()};
  input::check_length(f.destination_arn, "destinationArn", 1, 2048);
  if (f.distribution != "Random" && f.distribution != "ByLogStream")
    throw errors::constraint("'" + f.distribution + "'", "distribution", "satisfy enum value set: [Random, ByLogStream]");
  auto existing = store_.subscription_filters(g.id);
  if (const auto* old = named(existing, f.name)) f.creation_time = old->creation_time;
  else if (existing.size() >= kMaxSubscriptionFilters) throw errors::limit_exceeded();
  store_.put_subscription_filter(f);
  return Result::ok();
}

Result LogsService::describe_subscription_filters(json& in) {
  LogGroupRow g = require_group_named(input::required_text(in, "logGroupName"));
  auto prefix = input::text(in, "filterNamePrefix");
  std::vector<NamedSubscriptionFilter> rows;
  for (auto& f : store_.subscription_filters(g.id))
    if (!prefix || f.name.rfind(*prefix, 0) == 0) rows.push_back({std::move(f), g.name});
  return Result::ok(page_of(rows, in, "subscriptionFilters", &subscription_filter_document));
}

Result LogsService::delete_subscription_filter(json& in) {
  LogGroupRow g = require_group_named(input::required_text(in, "logGroupName"));
  if (!store_.delete_subscription_filter(g.id, filter_name(in))) throw errors::filter_not_found();
  return Result::ok();
}

}  // namespace awan::logs
