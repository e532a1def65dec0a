// The CloudWatch Logs service: construction, reset, shared helpers, the retention sweep,
// internal endpoints and the operation dispatch. The operations live in log_groups.cpp,
// log_streams.cpp, log_events.cpp and filters.cpp.
#include "logs/service_impl.hpp"

#include <unordered_map>

#include <spdlog/spdlog.h>

#include "core/arn.hpp"
#include "core/operation.hpp"
#include "core/text.hpp"
#include "logs/errors.hpp"
#include "logs/input.hpp"
#include "logs/logs.hpp"

namespace awan::logs {

namespace {
constexpr int64_t kDayMs = 86'400'000;
constexpr auto kSweepPeriod = std::chrono::milliseconds(60'000);
}  // namespace

LogsService::LogsService(const ServiceEnv& env)
    : env_(env), store_(env.db_path("logs"), storage::durability(env.sync_full)) {
  seq_ = store_.max_seq();
  schedule_sweep();
}

LogsService::~LogsService() { *alive_ = false; }

void LogsService::shutdown() {
  std::lock_guard lock(mu_);
  *alive_ = false;
}

void LogsService::reset() {
  std::lock_guard lock(mu_);
  store_.reset();
}

int64_t LogsService::now_ms() const { return env_.clock->epoch_millis(); }
const std::string& LogsService::account() const { return ctx_ ? ctx_->account_id : env_.default_account_id; }
const std::string& LogsService::region() const { return ctx_ ? ctx_->region : env_.default_region; }

std::string LogsService::log_group_arn(const LogGroupRow& g) const {
  return "arn:aws:logs:" + g.region + ":" + g.account + ":log-group:" + g.name;
}

LogGroupRow LogsService::require_group_named(const std::string& name) {
  auto g = store_.group(account(), region(), name);
  if (!g) throw errors::log_group_not_found();
  return *g;
}

// "arn:aws:logs:<region>:<account>:log-group:<name>[:*]"
std::optional<LogGroupRow> LogsService::group_by_arn(const std::string& text) {
  auto arn = parse_arn(text);
  if (!arn || arn->service != "logs" || arn->resource.rfind("log-group:", 0) != 0) return std::nullopt;
  std::string name = arn->resource.substr(10);
  if (name.size() >= 2 && name.compare(name.size() - 2, 2, ":*") == 0) name.resize(name.size() - 2);
  return store_.group(arn->account, arn->region, name);
}

LogGroupRow LogsService::require_group(const json& in) {
  auto name = input::text(in, "logGroupName");
  auto identifier = input::text(in, "logGroupIdentifier");
  if (name && identifier)
    throw errors::invalid_parameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  if (name) {
    input::check_log_group_name(*name, "logGroupName");
    return require_group_named(*name);
  }
  if (!identifier) throw errors::invalid_parameter("Either logGroupName or logGroupIdentifier must be specified.");
  input::check_length(*identifier, "logGroupIdentifier", 1, 2048);
  if (identifier->rfind("arn:", 0) == 0) {
    auto g = group_by_arn(*identifier);
    if (!g) throw errors::log_group_not_found();
    return *g;
  }
  return require_group_named(*identifier);
}

LogStreamRow LogsService::require_stream(const LogGroupRow& g, const json& in) {
  std::string name = input::required_text(in, "logStreamName");
  input::check_log_stream_name(name, "logStreamName");
  auto s = store_.stream(g.id, name);
  if (!s) throw errors::log_stream_not_found();
  return *s;
}

void LogsService::schedule_sweep() {
  if (!env_.scheduler) return;
  env_.scheduler->post_after(kSweepPeriod, [this, alive = alive_] {
    if (!*alive) return;
    sweep();
    schedule_sweep();
  });
}

void LogsService::sweep() {
  std::lock_guard lock(mu_);
  try {
    int64_t now = now_ms();
    storage::Transaction tx(store_.db());
    for (const auto& g : store_.groups_with_retention()) store_.expire(g.id, now - g.retention_in_days * kDayMs);
    tx.commit();
  } catch (const storage::SqliteError& e) {
    spdlog::error("logs sweep: {}", e.what());
  }
}

// GET /_awan/logs/events?logGroupName=...[&logStreamName=...]: stored events in (timestamp, seq)
// order, of the default account and region.
bool LogsService::internal_endpoint(std::string_view method, std::string_view path, const std::string& body,
                                    int& status, json& out) {
  if (path != "events") return false;
  json params = json::object();
  if (method == "GET") {
    std::string_view q(body);
    while (!q.empty()) {
      auto amp = q.find('&');
      std::string_view pair = q.substr(0, amp);
      q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
      auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      params[std::string(pair.substr(0, eq))] = text::percent_decode(pair.substr(eq + 1), true).value_or("");
    }
  } else {
    params = json::parse(body, nullptr, false);
    if (!params.is_object()) params = json::object();
  }
  std::lock_guard lock(mu_);
  ctx_ = nullptr;
  try {
    LogGroupRow g = require_group_named(input::required_text(params, "logGroupName"));
    std::unordered_map<int64_t, std::string> names;
    for (const auto& s : store_.streams(g.id, "")) names[s.id] = s.name;
    auto only = input::text(params, "logStreamName");
    json events = json::array();
    store_.scan_group(g.id, Cursor{-1, 0}, 0, INT64_MAX, [&](const LogEventRow& e) {
      const std::string& stream = names[e.stream];
      if (!only || *only == stream)
        events.push_back({{"logStreamName", stream}, {"timestamp", e.timestamp}, {"ingestionTime", e.ingestion_time},
                          {"message", e.message}});
      return true;
    });
    out = {{"logGroupName", g.name}, {"events", std::move(events)}};
    status = 200;
  } catch (const AwsError& e) {
    status = 404;
    out = {{"error", e.code}, {"message", e.message}};
  }
  return true;
}

Result LogsService::call(const RequestContext& ctx, const std::string& op, json input) {
  static const std::unordered_map<std::string, Handler> kOps = {
      {"CreateLogGroup", &LogsService::create_log_group},
      {"DeleteLogGroup", &LogsService::delete_log_group},
      {"DescribeLogGroups", &LogsService::describe_log_groups},
      {"PutRetentionPolicy", &LogsService::put_retention_policy},
      {"DeleteRetentionPolicy", &LogsService::delete_retention_policy},
      {"TagLogGroup", &LogsService::tag_log_group},
      {"UntagLogGroup", &LogsService::untag_log_group},
      {"ListTagsLogGroup", &LogsService::list_tags_log_group},
      {"TagResource", &LogsService::tag_resource},
      {"UntagResource", &LogsService::untag_resource},
      {"ListTagsForResource", &LogsService::list_tags_for_resource},
      {"CreateLogStream", &LogsService::create_log_stream},
      {"DeleteLogStream", &LogsService::delete_log_stream},
      {"DescribeLogStreams", &LogsService::describe_log_streams},
      {"PutLogEvents", &LogsService::put_log_events},
      {"GetLogEvents", &LogsService::get_log_events},
      {"FilterLogEvents", &LogsService::filter_log_events},
      {"PutMetricFilter", &LogsService::put_metric_filter},
      {"DescribeMetricFilters", &LogsService::describe_metric_filters},
      {"DeleteMetricFilter", &LogsService::delete_metric_filter},
      {"TestMetricFilter", &LogsService::test_metric_filter},
      {"PutSubscriptionFilter", &LogsService::put_subscription_filter},
      {"DescribeSubscriptionFilters", &LogsService::describe_subscription_filters},
      {"DeleteSubscriptionFilter", &LogsService::delete_subscription_filter},
  };
  auto it = kOps.find(op);
  if (it == kOps.end()) return Result::fail(AwsError::not_implemented("The CloudWatch Logs operation " + op));
  if (!input.is_object()) input = json::object();
  std::lock_guard lock(mu_);
  ctx_ = &ctx;
  Result result = run_operation("logs", op, [&] { return (this->*(it->second))(input); }, AwsError::internal(),
                                errors::invalid_parameter("One or more parameters are invalid."));
  ctx_ = nullptr;
  return result;
}

std::unique_ptr<Service> make_service(const ServiceEnv& env) { return std::make_unique<LogsService>(env); }

}  // namespace awan::logs
