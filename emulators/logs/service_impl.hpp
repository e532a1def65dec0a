#pragma once
// The CloudWatch Logs service class. Operations by file: log_groups.cpp (groups, retention,
// tags), log_streams.cpp (streams), log_events.cpp (PutLogEvents, GetLogEvents,
// FilterLogEvents), filters.cpp (metric and subscription filters); service.cpp holds
// construction, reset, shared helpers, the retention sweep, internal endpoints and the
// dispatch table.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "awan/service.hpp"
#include "logs/store.hpp"

namespace awan::logs {

using json = nlohmann::json;

class LogsService final : public Service {
 public:
  explicit LogsService(const ServiceEnv& env);
  ~LogsService() override;
  std::string_view name() const override { return "logs"; }
  Result call(const RequestContext& ctx, const std::string& operation, json input) override;
  void reset() override;
  bool internal_endpoint(std::string_view method, std::string_view path, const std::string& body, int& status,
                         json& out) override;
  void shutdown() override;

  using Handler = Result (LogsService::*)(json& in);

 private:
  // ---- shared helpers (service.cpp) ----
  int64_t now_ms() const;
  const std::string& account() const;
  const std::string& region() const;
  // arn:aws:logs:<region>:<account>:log-group:<name> (AWS's `arn` member adds ":*").
  std::string log_group_arn(const LogGroupRow& g) const;
  // By logGroupName or logGroupIdentifier (a name or an ARN), never both.
  LogGroupRow require_group(const json& in);
  LogGroupRow require_group_named(const std::string& name);
  std::optional<LogGroupRow> group_by_arn(const std::string& arn);
  LogStreamRow require_stream(const LogGroupRow& g, const json& in);
  void schedule_sweep();
  void sweep();  // retention

  // ---- log_groups.cpp ----
  Result create_log_group(json& in);
  Result delete_log_group(json& in);
  Result describe_log_groups(json& in);
  Result put_retention_policy(json& in);
  Result delete_retention_policy(json& in);
  Result tag_log_group(json& in);
  Result untag_log_group(json& in);
  Result list_tags_log_group(json& in);
  Result tag_resource(json& in);
  Result untag_resource(json& in);
  Result list_tags_for_resource(json& in);
  json log_group_document(const LogGroupRow& g);
  LogGroupRow require_resource(const json& in);  // by resourceArn
  void add_tags(LogGroupRow& g, const json& tags);

  // ---- log_streams.cpp ----
  Result create_log_stream(json& in);
  Result delete_log_stream(json& in);
  Result describe_log_streams(json& in);
  json log_stream_document(const LogGroupRow& g, const LogStreamRow& s) const;

  // ---- log_events.cpp ----
  Result put_log_events(json& in);
  Result get_log_events(json& in);
  Result filter_log_events(json& in);

  // ---- filters.cpp ----
  Result put_metric_filter(json& in);
  Result describe_metric_filters(json& in);
  Result delete_metric_filter(json& in);
  Result test_metric_filter(json& in);
  Result put_subscription_filter(json& in);
  Result describe_subscription_filters(json& in);
  Result delete_subscription_filter(json& in);

  ServiceEnv env_;
  std::mutex mu_;
  Store store_;
  int64_t seq_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // read by scheduled work
  const RequestContext* ctx_ = nullptr;  // the request being served (set under mu_ by call())
};

}  // namespace awan::logs
