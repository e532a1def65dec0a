// S3 lifecycle validation and sweeper decisions (see lifecycle.hpp).
#include "s3/lifecycle.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "core/ids.hpp"

namespace awan::s3 {

using nlohmann::json;

namespace {

constexpr int64_t kDay = 86400;
constexpr double kMaxSeconds = 9.0e9;  // about 2255-03-14: within time_point's nanoseconds
constexpr size_t kMaxRuleId = 255;

AwsError malformed_xml() {
  return {"MalformedXML",
          "The XML you provided was not well-formed or did not validate against our published schema", 400};
}
AwsError invalid_argument(std::string message) { return {"InvalidArgument", std::move(message), 400}; }

const json* member(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

// An integer member: nullopt when absent; `bad` when present but not an integer.
std::optional<int64_t> int_member(const json& obj, const char* name, bool& bad) {
  const json* v = member(obj, name);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    bad = true;
    return std::nullopt;
  }
  return v->get<int64_t>();
}

std::optional<AwsError> positive(const json& obj, const char* name, const std::string& message,
                                 std::optional<int>& out, int64_t min = 1) {
  bool bad = false;
  auto v = int_member(obj, name, bad);
  if (bad) return malformed_xml();
  if (!v) return std::nullopt;
  if (*v < min || *v > INT32_MAX) return invalid_argument(message);
  out = static_cast<int>(*v);
  return std::nullopt;
}

std::optional<AwsError> parse_tag(const json& t, std::vector<std::pair<std::string, std::string>>& out) {
  if (!t.is_object()) return malformed_xml();
  const json* k = member(t, "Key");
  const json* v = member(t, "Value");
  if (!k || !v || !k->is_string() || !v->is_string()) return malformed_xml();
  out.emplace_back(k->get<std::string>(), v->get<std::string>());
  return std::nullopt;
}

std::optional<AwsError> parse_sizes(const json& obj, LifecycleFilter& f, int& predicates) {
  bool bad = false;
  f.size_greater_than = int_member(obj, "ObjectSizeGreaterThan", bad);
  f.size_less_than = int_member(obj, "ObjectSizeLessThan", bad);
  if (bad) return malformed_xml();
  predicates += f.size_greater_than.has_value() + f.size_less_than.has_value();
  // Negative bounds do not validate against the schema; bounds that leave no size are accepted
  // (the rule then matches nothing).
  if ((f.size_greater_than && *f.size_greater_than < 0) || (f.size_less_than && *f.size_less_than < 0)) {
    return malformed_xml();
  }
  return std::nullopt;
}

std::optional<AwsError> parse_filter(const json& filter, LifecycleFilter& f) {
  if (!filter.is_object()) return malformed_xml();
  int predicates = 0;
  if (const json* p = member(filter, "Prefix")) {
    if (!p->is_string()) return malformed_xml();
    f.prefix = p->get<std::string>();
    ++predicates;
  }
  if (const json* t = member(filter, "Tag")) {
    if (auto err = parse_tag(*t, f.tags)) return err;
    ++predicates;
  }
  if (auto err = parse_sizes(filter, f, predicates)) return err;
  if (const json* a = member(filter, "And")) {
    if (!a->is_object()) return malformed_xml();
    ++predicates;
    int inner = 0;
    if (const json* p = member(*a, "Prefix")) {
      if (!p->is_string()) return malformed_xml();
      f.prefix = p->get<std::string>();
      ++inner;
    }
    if (const json* tags = member(*a, "Tags")) {
      if (!tags->is_array()) return malformed_xml();
      for (const auto& t : *tags) {
        if (auto err = parse_tag(t, f.tags)) return err;
        ++inner;
      }
    }
    if (auto err = parse_sizes(*a, f, inner)) return err;
    if (inner == 0) return malformed_xml();
  }
  // A filter holds one predicate (several go in And); an empty filter matches every object.
  if (predicates > 1) return malformed_xml();
  std::set<std::string> keys;
  for (const auto& [k, v] : f.tags) {
    if (!keys.insert(k).second) return AwsError{"InvalidRequest", "Duplicate Tag Keys are not allowed.", 400};
  }
  return std::nullopt;
}

std::optional<AwsError> parse_expiration(const json& e, LifecycleRule& r) {
  if (!e.is_object()) return malformed_xml();
  if (auto err = positive(e, "Days", "'Days' for Expiration action must be a positive integer", r.expiration_days)) {
    return err;
  }
  if (const json* d = member(e, "Date")) {
    if (!d->is_number()) return malformed_xml();
    double secs = d->get<double>();
    // time_point counts nanoseconds: dates past 2255 (or before 1685) do not fit.
    if (!(secs > -kMaxSeconds && secs < kMaxSeconds)) return malformed_xml();
    if (secs != static_cast<double>(static_cast<int64_t>(secs)) || static_cast<int64_t>(secs) % kDay != 0) {
      return invalid_argument("'Date' must be at midnight GMT");
    }
    r.expiration_date = time_point{std::chrono::seconds(static_cast<int64_t>(secs))};
  }
  if (const json* m = member(e, "ExpiredObjectDeleteMarker")) {
    if (!m->is_boolean()) return malformed_xml();
    r.expired_object_delete_marker = m->get<bool>();
    if (member(e, "Days") || member(e, "Date")) {
      return invalid_argument(
          "ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy.");
    }
  }
  if (r.expiration_days && r.expiration_date) return malformed_xml();
  if (!r.expiration_days && !r.expiration_date && !member(e, "ExpiredObjectDeleteMarker")) return malformed_xml();
  return std::nullopt;
}

std::optional<AwsError> parse_transitions(const json& list, const char* days_name, const char* action) {
  if (!list.is_array()) return malformed_xml();
  for (const auto& t : list) {
    if (!t.is_object()) return malformed_xml();
    const json* sc = member(t, "StorageClass");
    if (!sc || !sc->is_string()) return malformed_xml();
    std::optional<int> days;
    if (auto err = positive(t, days_name, std::string("'") + days_name + "' for " + action +
                                              " action must be a positive integer",
                            days, 0)) {
      return err;
    }
    const json* date = member(t, "Date");
    if (date) {
      if (!date->is_number()) return malformed_xml();
      double secs = date->get<double>();
      if (secs != static_cast<double>(static_cast<int64_t>(secs)) || static_cast<int64_t>(secs) % kDay != 0) {
        return invalid_argument("'Date' must be at midnight GMT");
      }
    }
    if (days.has_value() == (date != nullptr) && std::string_view(days_name) == "Days") return malformed_xml();
  }
  return std::nullopt;
}

std::optional<AwsError> parse_rule(const json& d, LifecycleRule& r) {
  if (!d.is_object()) return malformed_xml();
  const json* status = member(d, "Status");
  if (!status || !status->is_string()) return malformed_xml();
  if (*status == "Enabled") {
    r.enabled = true;
  } else if (*status == "Disabled") {
    r.enabled = false;
  } else {
    return malformed_xml();
  }
  if (const json* id = member(d, "ID")) {
    if (!id->is_string()) return malformed_xml();
    r.id = id->get<std::string>();
    if (r.id.size() > kMaxRuleId) return invalid_argument("ID length should not exceed allowed limit of 255");
  }
  const json* filter = member(d, "Filter");
  const json* prefix = member(d, "Prefix");
  if ((filter != nullptr) == (prefix != nullptr)) return malformed_xml();
  if (prefix) {
    if (!prefix->is_string()) return malformed_xml();
    r.filter.prefix = prefix->get<std::string>();
  } else if (auto err = parse_filter(*filter, r.filter)) {
    return err;
  }
  if (r.filter.prefix && r.filter.prefix->size() > 1024) {
    return AwsError{"InvalidRequest", "The maximum size of a prefix is 1024.", 400};
  }
  bool any_action = false;
  if (const json* e = member(d, "Expiration")) {
    if (auto err = parse_expiration(*e, r)) return err;
    any_action = true;
  }
  if (const json* n = member(d, "NoncurrentVersionExpiration")) {
    if (!n->is_object()) return malformed_xml();
    if (auto err = positive(*n, "NoncurrentDays",
                            "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
                            r.noncurrent_days)) {
      return err;
    }
    if (!r.noncurrent_days) return malformed_xml();
    if (auto err = positive(*n, "NewerNoncurrentVersions",
                            "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive "
                            "integer",
                            r.newer_noncurrent_versions)) {
      return err;
    }
    any_action = true;
  }
  if (const json* a = member(d, "AbortIncompleteMultipartUpload")) {
    if (!a->is_object()) return malformed_xml();
    if (auto err = positive(*a, "DaysAfterInitiation",
                            "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive "
                            "integer",
                            r.abort_days_after_initiation)) {
      return err;
    }
    if (!r.abort_days_after_initiation) return malformed_xml();
    if (!r.filter.tags.empty()) {
      return AwsError{"InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags.", 400};
    }
    any_action = true;
  }
  if (const json* t = member(d, "Transitions")) {
    if (auto err = parse_transitions(*t, "Days", "Transition")) return err;
    any_action = any_action || !t->empty();
  }
  if (const json* t = member(d, "NoncurrentVersionTransitions")) {
    if (auto err = parse_transitions(*t, "NoncurrentDays", "NoncurrentVersionTransition")) return err;
    any_action = any_action || !t->empty();
  }
  if (!any_action) return AwsError{"InvalidRequest", "At least one action needs to be specified in a rule", 400};
  return std::nullopt;
}

bool has_tag(const LifecycleObject& o, const std::pair<std::string, std::string>& tag) {
  return std::find(o.tags.begin(), o.tags.end(), tag) != o.tags.end();
}

}  // namespace

std::optional<AwsError> parse_lifecycle_configuration(const json& doc, LifecycleConfig& out, json* normalized) {
  out = LifecycleConfig{};
  if (!doc.is_object()) return malformed_xml();
  const json* rules = member(doc, "Rules");
  if (!rules || !rules->is_array() || rules->empty() || rules->size() > kMaxLifecycleRules) return malformed_xml();
  json norm = json::array();
  std::set<std::string> ids;
  for (const auto& d : *rules) {
    LifecycleRule r;
    if (auto err = parse_rule(d, r)) return err;
    if (r.id.empty()) r.id = crypto::base64_encode(ids::uuid4()).substr(0, 48);
    if (!ids.insert(r.id).second) {
      return invalid_argument("Rule ID must be unique. Found same ID for more than one rule");
    }
    if (normalized) {
      json copy = d;
      copy["ID"] = r.id;
      norm.push_back(std::move(copy));
    }
    out.rules.push_back(std::move(r));
  }
  if (normalized) *normalized = json{{"Rules", std::move(norm)}};
  return std::nullopt;
}

time_point next_midnight_utc(time_point t) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  bool exact = time_point{std::chrono::seconds(secs)} == t && secs % kDay == 0;
  int64_t day = secs / kDay - (secs % kDay < 0 ? 1 : 0);  // floor
  if (!exact) ++day;
  return time_point{std::chrono::seconds(day * kDay)};
}

time_point lifecycle_due(time_point since, int days) {
  // Saturates instead of overflowing the nanosecond clock (a rule of two billion days never
  // comes due); the fuzzer found the overflow.
  int64_t since_s = std::chrono::duration_cast<std::chrono::seconds>(since.time_since_epoch()).count();
  int64_t due_s = since_s + static_cast<int64_t>(days) * kDay;
  if (due_s >= static_cast<int64_t>(kMaxSeconds) - kDay) return time_point::max();
  return next_midnight_utc(since + std::chrono::seconds(static_cast<int64_t>(days) * kDay));
}

bool filter_matches(const LifecycleFilter& f, const LifecycleObject& o) {
  if (f.prefix && o.key.compare(0, f.prefix->size(), *f.prefix) != 0) return false;
  for (const auto& t : f.tags) {
    if (!has_tag(o, t)) return false;
  }
  if (f.size_greater_than && !(o.size > *f.size_greater_than)) return false;
  if (f.size_less_than && !(o.size < *f.size_less_than)) return false;
  return true;
}

std::optional<std::pair<time_point, std::string>> current_expiration(const LifecycleConfig& config,
                                                                     const LifecycleObject& object) {
  std::optional<std::pair<time_point, std::string>> best;
  for (const auto& r : config.rules) {
    if (!r.enabled || !filter_matches(r.filter, object)) continue;
    std::optional<time_point> due;
    if (r.expiration_days) due = lifecycle_due(object.last_modified, *r.expiration_days);
    if (r.expiration_date) due = *r.expiration_date;
    if (due && (!best || *due < best->first)) best = std::make_pair(*due, r.id);
  }
  return best;
}

LifecycleDecision decide_object(const LifecycleConfig& config, const LifecycleObject& object, time_point now) {
  for (const auto& r : config.rules) {
    if (!r.enabled || !filter_matches(r.filter, object)) continue;
    if (object.is_latest && object.is_delete_marker) {
      if (r.expired_object_delete_marker && object.noncurrent_versions == 0) {
        return {LifecycleAction::RemoveDeleteMarker, r.id};
      }
      continue;
    }
    if (object.is_latest) {
      bool due = (r.expiration_days && now >= lifecycle_due(object.last_modified, *r.expiration_days)) ||
                 (r.expiration_date && now >= *r.expiration_date);
      if (due) return {LifecycleAction::ExpireCurrent, r.id};
      continue;
    }
    if (r.noncurrent_days && now >= lifecycle_due(object.noncurrent_since, *r.noncurrent_days) &&
        (!r.newer_noncurrent_versions || object.newer_noncurrent_versions >= *r.newer_noncurrent_versions)) {
      return {LifecycleAction::ExpireNoncurrent, r.id};
    }
  }
  return {};
}

std::optional<std::string> decide_upload(const LifecycleConfig& config, std::string_view key, time_point initiated,
                                         time_point now) {
  LifecycleObject probe;
  probe.key = std::string(key);
  for (const auto& r : config.rules) {
    if (!r.enabled || !r.abort_days_after_initiation) continue;
    // Only the prefix applies to uploads (tags are refused with this action; sizes are unknown).
    if (r.filter.prefix && probe.key.compare(0, r.filter.prefix->size(), *r.filter.prefix) != 0) continue;
    if (now >= lifecycle_due(initiated, *r.abort_days_after_initiation)) return r.id;
  }
  return std::nullopt;
}

}  // namespace awan::s3
