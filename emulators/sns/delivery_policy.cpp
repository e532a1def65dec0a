// SNS DeliveryPolicy documents of topics and subscriptions: validation with AWS's messages, the
// effective policy of a subscription, and the four-phase retry schedule.
#include "sns/delivery_policy.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>

#include "core/text.hpp"

namespace awan::sns {

namespace {

using nlohmann::json;

constexpr int kMaxNesting = 32;
constexpr int64_t kMaxRetries = 100;
constexpr int64_t kMaxDelaySeconds = 3600;
constexpr int64_t kMaxTotalRetrySeconds = 3600;  // "a hard limit and cannot be increased"

constexpr std::string_view kBackoffFunctions[] = {"linear", "arithmetic", "geometric", "exponential"};
// The media types headerContentType accepts (with or without parameters such as a charset).
constexpr std::string_view kContentTypes[] = {
    "application/atom+xml", "application/javascript", "application/json",
    "application/octet-stream", "application/soap+xml", "application/x-www-form-urlencoded",
    "application/xhtml+xml", "application/xml", "text/css", "text/csv", "text/html", "text/plain",
    "text/xml"};

AwsError invalid(const std::string& reason) {
  return {"InvalidParameter", "Invalid parameter: DeliveryPolicy: " + reason};
}

std::string received(const json& v) {
  switch (v.type()) {
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    default: return "a number";
  }
}

AwsError type_mismatch(const std::string& path, const char* expecting, const json& v) {
  return invalid(path + " type mismatch, expecting " + expecting + ", received " + received(v));
}

// The first member of `obj` not in `known`, as AWS reports it.
std::optional<AwsError> unexpected_member(const json& obj, std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : obj.items())
    if (std::find(known.begin(), known.end(), name) == known.end())
      return invalid("Unexpected JSON member: " + name);
  return std::nullopt;
}

const json* member(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

// An integer member (whole-valued doubles too), clamped to int64; nullopt when absent.
std::variant<std::optional<int64_t>, AwsError> integer(const json& obj, const std::string& path, const char* name) {
  const json* v = member(obj, name);
  if (!v) return std::optional<int64_t>{};
  if (v->is_number_unsigned())
    return std::optional<int64_t>(
        static_cast<int64_t>(std::min<uint64_t>(v->get<uint64_t>(), std::numeric_limits<int64_t>::max())));
  if (v->is_number_integer()) return std::optional<int64_t>(v->get<int64_t>());
  if (!v->is_number_float() || v->get<double>() != std::floor(v->get<double>()))
    return type_mismatch(path + "." + name, "integer", *v);
  double d = v->get<double>();
  return std::optional<int64_t>(static_cast<int64_t>(std::clamp(d, -9.0e18, 9.0e18)));
}

std::optional<AwsError> in_range(const std::string& field, int64_t v, int64_t lo, int64_t hi) {
  if (v < lo) return invalid(field + " must be greater than or equal to " + std::to_string(lo));
  if (v > hi) return invalid(field + " must be less than or equal to " + std::to_string(hi));
  return std::nullopt;
}

// One of the retry policy's integers: required or not, within [lo, hi], stored in `out`.
std::optional<AwsError> read_count(const json& obj, const std::string& path, const char* name, bool required,
                                   int64_t lo, int64_t hi, int& out) {
  auto r = integer(obj, path, name);
  if (auto* e = std::get_if<AwsError>(&r)) return *e;
  auto v = std::get<std::optional<int64_t>>(r);
  if (!v) return required ? std::optional(invalid(path + "." + name + " must be specified")) : std::nullopt;
  if (auto e = in_range(path + "." + name, *v, lo, hi)) return e;
  out = static_cast<int>(*v);
  return std::nullopt;
}

std::optional<AwsError> read_backoff_function(const json& obj, const std::string& path, RetryPolicy& p) {
  const json* v = member(obj, "backoffFunction");
  if (!v) return std::nullopt;
  if (!v->is_string()) return type_mismatch(path + ".backoffFunction", "string", *v);
  std::string name = text::ascii_lower(v->get<std::string>());
  if (std::find(std::begin(kBackoffFunctions), std::end(kBackoffFunctions), name) == std::end(kBackoffFunctions))
    return invalid(path + ".backoffFunction must be one of: linear, arithmetic, geometric, exponential");
  p.backoff_function = name;
  return std::nullopt;
}

int64_t total_retry_seconds(const RetryPolicy& p) {
  int64_t total = 0;
  for (int attempt = 1; attempt <= p.num_retries; ++attempt) total += retry_delay(p, attempt).value().count();
  return total;
}

std::variant<RetryPolicy, AwsError> parse_retry_policy(const json& v, const std::string& path) {
  if (!v.is_object()) return type_mismatch(path, "object", v);
  if (auto e = unexpected_member(v, {"minDelayTarget", "maxDelayTarget", "numRetries", "numNoDelayRetries",
                                     "numMinDelayRetries", "numMaxDelayRetries", "backoffFunction"}))
    return *e;
  RetryPolicy p;
  constexpr int64_t kNoLimit = std::numeric_limits<int>::max();
  std::optional<AwsError> e;
  if ((e = read_count(v, path, "minDelayTarget", true, 1, kNoLimit, p.min_delay_target_s)) ||
      (e = read_count(v, path, "maxDelayTarget", true, 1, kMaxDelaySeconds, p.max_delay_target_s)) ||
      (e = read_count(v, path, "numRetries", true, 0, kMaxRetries, p.num_retries)) ||
      (e = read_count(v, path, "numNoDelayRetries", false, 0, kNoLimit, p.num_no_delay_retries)) ||
      (e = read_count(v, path, "numMinDelayRetries", false, 0, kNoLimit, p.num_min_delay_retries)) ||
      (e = read_count(v, path, "numMaxDelayRetries", false, 0, kNoLimit, p.num_max_delay_retries)) ||
      (e = read_backoff_function(v, path, p)))
    return *e;
  if (p.max_delay_target_s < p.min_delay_target_s)
    return invalid(path + ".maxDelayTarget must be greater than or equal to minDelayTarget");
  if (int64_t{p.num_no_delay_retries} + p.num_min_delay_retries + p.num_max_delay_retries > p.num_retries)
    return invalid(path +
                   ".numRetries must be greater than or equal to total of numMinDelayRetries, numNoDelayRetries "
                   "and numMaxDelayRetries");
  if (total_retry_seconds(p) > kMaxTotalRetrySeconds)
    return invalid(path + " total retry time must be less than or equal to " +
                   std::to_string(kMaxTotalRetrySeconds) + " seconds");
  return p;
}

std::optional<AwsError> read_throttle_policy(const json& v, const std::string& path, DeliveryPolicy& p) {
  if (!v.is_object()) return type_mismatch(path, "object", v);
  if (auto e = unexpected_member(v, {"maxReceivesPerSecond"})) return e;
  int rate = 0;
  auto e = read_count(v, path, "maxReceivesPerSecond", false, 1, std::numeric_limits<int>::max(), rate);
  if (!e && member(v, "maxReceivesPerSecond")) p.max_receives_per_second = rate;
  return e;
}

bool known_content_type(std::string_view value) {
  std::string base = text::ascii_lower(value.substr(0, value.find(';')));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  return std::find(std::begin(kContentTypes), std::end(kContentTypes), base) != std::end(kContentTypes);
}

std::optional<AwsError> read_request_policy(const json& v, const std::string& path, DeliveryPolicy& p) {
  if (!v.is_object()) return type_mismatch(path, "object", v);
  if (auto e = unexpected_member(v, {"headerContentType"})) return e;
  p.has_request_policy = true;
  const json* type = member(v, "headerContentType");
  if (!type) return std::nullopt;
  if (!type->is_string()) return type_mismatch(path + ".headerContentType", "string", *type);
  if (!known_content_type(type->get<std::string>()))
    return invalid(path + ".headerContentType " + type->get<std::string>() + " is not supported");
  p.content_type = type->get<std::string>();
  return std::nullopt;
}

// The member names of a policy's sections: a subscription's, or a topic's "default..." ones.
struct SectionNames {
  const char* retry;
  const char* sickly;
  const char* throttle;
  const char* request;
};

std::optional<AwsError> read_sections(const json& obj, const std::string& prefix, const SectionNames& names,
                                      DeliveryPolicy& p) {
  if (const json* v = member(obj, names.retry)) {
    auto r = parse_retry_policy(*v, prefix + names.retry);
    if (auto* e = std::get_if<AwsError>(&r)) return *e;
    p.retry = std::get<RetryPolicy>(r);
    p.has_retry_policy = true;
  }
  if (const json* v = member(obj, names.sickly)) {  // accepted as AWS does; Awan has no sickly state
    auto r = parse_retry_policy(*v, prefix + names.sickly);
    if (auto* e = std::get_if<AwsError>(&r)) return *e;
  }
  if (const json* v = member(obj, names.throttle))
    if (auto e = read_throttle_policy(*v, prefix + names.throttle, p)) return e;
  if (const json* v = member(obj, names.request))
    if (auto e = read_request_policy(*v, prefix + names.request, p)) return e;
  return std::nullopt;
}

std::optional<AwsError> read_boolean(const json& obj, const std::string& path, const char* name, bool& out) {
  const json* v = member(obj, name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) return type_mismatch(path + name, "boolean", *v);
  out = v->get<bool>();
  return std::nullopt;
}

std::optional<AwsError> read_topic_policy(const json& doc, DeliveryPolicy& p) {
  if (auto e = unexpected_member(doc, {"http"})) return e;
  const json* http = member(doc, "http");
  if (!http) return std::nullopt;
  if (!http->is_object()) return type_mismatch("http", "object", *http);
  if (auto e = unexpected_member(*http, {"defaultHealthyRetryPolicy", "defaultSicklyRetryPolicy",
                                         "defaultThrottlePolicy", "defaultRequestPolicy",
                                         "disableSubscriptionOverrides"}))
    return e;
  if (auto e = read_boolean(*http, "http.", "disableSubscriptionOverrides", p.disable_subscription_overrides))
    return e;
  return read_sections(*http, "http.",
                       {"defaultHealthyRetryPolicy", "defaultSicklyRetryPolicy", "defaultThrottlePolicy",
                        "defaultRequestPolicy"},
                       p);
}

std::optional<AwsError> read_subscription_policy(const json& doc, DeliveryPolicy& p) {
  if (auto e = unexpected_member(
          doc, {"healthyRetryPolicy", "sicklyRetryPolicy", "throttlePolicy", "requestPolicy", "guaranteed"}))
    return e;
  bool guaranteed = false;  // part of AWS's EffectiveDeliveryPolicy; accepted, no effect
  if (auto e = read_boolean(doc, "", "guaranteed", guaranteed)) return e;
  return read_sections(doc, "", {"healthyRetryPolicy", "sicklyRetryPolicy", "throttlePolicy", "requestPolicy"},
                       p);
}

// The delay of backoff retry `index` (from 0) of `count`: minDelayTarget for the first,
// maxDelayTarget for the last. AWS does not publish its formulas; these keep each function's
// documented character.
double backoff_delay(const RetryPolicy& p, int index, int count) {
  double lo = p.min_delay_target_s, hi = p.max_delay_target_s;
  if (count <= 1) return lo;
  double t = static_cast<double>(index) / (count - 1);
  const std::string& f = p.backoff_function;
  if (f == "geometric") return lo * std::pow(hi / lo, t);  // a constant ratio between retries
  if (f == "arithmetic") return lo + (hi - lo) * t * t;    // steps growing by a constant amount
  if (f == "exponential") {                                // steps doubling
    double k = (count - 1) * std::log(2.0);
    return lo + (hi - lo) * std::expm1(k * t) / std::expm1(k);
  }
  return lo + (hi - lo) * t;  // linear
}

}  // namespace

std::variant<DeliveryPolicy, AwsError> parse_delivery_policy(std::string_view text, bool topic) {
  DeliveryPolicy p;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return p;
  bool too_deep = false;
  json doc = json::parse(
      text,
      [&too_deep](int depth, json::parse_event_t, json&) {
        if (depth > kMaxNesting) too_deep = true;
        return !too_deep;
      },
      false);
  if (too_deep || doc.is_discarded()) return invalid("failed to parse JSON");
  if (!doc.is_object()) return invalid("failed to parse JSON, expecting an object");
  auto e = topic ? read_topic_policy(doc, p) : read_subscription_policy(doc, p);
  if (e) return *e;
  return p;
}

DeliveryPolicy effective_policy(const std::optional<DeliveryPolicy>& topic,
                                const std::optional<DeliveryPolicy>& subscription) {
  DeliveryPolicy p;
  if (topic) p = *topic;
  if (!subscription || p.disable_subscription_overrides) return p;
  if (subscription->has_retry_policy) {
    p.retry = subscription->retry;
    p.has_retry_policy = true;
  }
  if (subscription->max_receives_per_second) p.max_receives_per_second = subscription->max_receives_per_second;
  if (subscription->has_request_policy) {
    p.content_type = subscription->content_type;
    p.has_request_policy = true;
  }
  return p;
}

nlohmann::json effective_policy_json(const DeliveryPolicy& p) {
  json out = {{"healthyRetryPolicy",
               {{"minDelayTarget", p.retry.min_delay_target_s},
                {"maxDelayTarget", p.retry.max_delay_target_s},
                {"numRetries", p.retry.num_retries},
                {"numMaxDelayRetries", p.retry.num_max_delay_retries},
                {"numNoDelayRetries", p.retry.num_no_delay_retries},
                {"numMinDelayRetries", p.retry.num_min_delay_retries},
                {"backoffFunction", p.retry.backoff_function}}},
              {"sicklyRetryPolicy", nullptr},
              {"throttlePolicy", nullptr},
              {"guaranteed", false}};
  if (p.max_receives_per_second) out["throttlePolicy"] = {{"maxReceivesPerSecond", *p.max_receives_per_second}};
  if (p.has_request_policy) out["requestPolicy"] = {{"headerContentType", p.content_type}};
  return out;
}

std::optional<std::chrono::seconds> retry_delay(const RetryPolicy& p, int attempt) {
  if (attempt < 1 || attempt > p.num_retries) return std::nullopt;
  if (attempt <= p.num_no_delay_retries) return std::chrono::seconds(0);
  int n = attempt - p.num_no_delay_retries;
  if (n <= p.num_min_delay_retries) return std::chrono::seconds(p.min_delay_target_s);
  n -= p.num_min_delay_retries;
  int backoff = p.num_retries - p.num_no_delay_retries - p.num_min_delay_retries - p.num_max_delay_retries;
  if (n > backoff) return std::chrono::seconds(p.max_delay_target_s);
  return std::chrono::seconds(std::lround(backoff_delay(p, n - 1, backoff)));
}

}  // namespace awan::sns
