// Log groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, the retention policy, and the
// tags of a group by name (TagLogGroup …, legacy) and by ARN (TagResource …).
#include <algorithm>
#include <array>

#include "logs/errors.hpp"
#include "logs/input.hpp"
#include "logs/service_impl.hpp"

namespace awan::logs {

namespace {
constexpr std::array<int64_t, 22> kRetentionDays = {1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
                                                    365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};

std::string retention_values() {
  std::string out = "[";
  for (size_t i = 0; i < kRetentionDays.size(); ++i) out += (i ? ", " : "") + std::to_string(kRetentionDays[i]);
  return out + "]";
}

void check_log_group_class(const std::string& v) {
  if (v != "STANDARD" && v != "INFREQUENT_ACCESS" && v != "DELIVERY")
    throw errors::constraint("'" + v + "'", "logGroupClass",
                             "satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]");
}
}  // namespace

json LogsService::log_group_document(const LogGroupRow& g) {
  std::string arn = log_group_arn(g);
  json d = {{"logGroupName", g.name},
            {"creationTime", g.creation_time},
            {"metricFilterCount", store_.metric_filters(g.id).size()},
            {"arn", arn + ":*"},
            {"logGroupArn", arn},
            {"storedBytes", store_.stored_bytes(g.id)},
            {"logGroupClass", g.log_group_class}};
  if (g.retention_in_days > 0) d["retentionInDays"] = g.retention_in_days;
  if (!g.kms_key_id.empty()) d["kmsKeyId"] = g.kms_key_id;
  return d;
}

Result LogsService::create_log_group(json& in) {
  LogGroupRow g;
  g.name = input::required_text(in, "logGroupName");
  input::check_log_group_name(g.name, "logGroupName");
  if (auto kms = input::text(in, "kmsKeyId")) {
    input::check_length(*kms, "kmsKeyId", 0, 256);
    g.kms_key_id = *kms;
  }
  if (auto cls = input::text(in, "logGroupClass")) {
    check_log_group_class(*cls);
    g.log_group_class = *cls;
  }
  if (in.contains("tags") && !in["tags"].is_null()) {
    input::check_tags(in["tags"], "tags");
    g.tags = in["tags"];
  }
  if (store_.group(account(), region(), g.name)) throw errors::log_group_exists();
  g.account = account();
  g.region = region();
  g.creation_time = now_ms();
  store_.insert_group(g);
  return Result::ok();
}

Result LogsService::delete_log_group(json& in) {
  std::string name = input::required_text(in, "logGroupName");
  input::check_log_group_name(name, "logGroupName");
  LogGroupRow g = require_group_named(name);
  storage::Transaction tx(store_.db());
  store_.delete_group(g.id);
  tx.commit();
  return Result::ok();
}

Result LogsService::describe_log_groups(json& in) {
  auto prefix = input::text(in, "logGroupNamePrefix");
  auto pattern = input::text(in, "logGroupNamePattern");
  if (prefix && pattern)
    throw errors::invalid_parameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
  if (prefix) input::check_log_group_name(*prefix, "logGroupNamePrefix");
  if (pattern) input::check_length(*pattern, "logGroupNamePattern", 0, 512);
  auto cls = input::text(in, "logGroupClass");
  if (cls) check_log_group_class(*cls);
  size_t limit = static_cast<size_t>(input::integer(in, "limit", 1, 50).value_or(50));
  size_t offset = input::page_offset(in);
  std::vector<LogGroupRow> groups = store_.groups(account(), region(), prefix.value_or(""));
  std::erase_if(groups, [&](const LogGroupRow& g) {
    return (pattern && g.name.find(*pattern) == std::string::npos) || (cls && g.log_group_class != *cls);
  });
  json list = json::array();
  for (size_t i = offset; i < groups.size() && list.size() < limit; ++i) list.push_back(log_group_document(groups[i]));
  json out = {{"logGroups", std::move(list)}};
  if (offset + limit < groups.size()) out["nextToken"] = input::page_token(offset + limit);
  return Result::ok(std::move(out));
}

Result LogsService::put_retention_policy(json& in) {
  LogGroupRow g = require_group_named(input::required_text(in, "logGroupName"));
  if (!in.contains("retentionInDays") || in["retentionInDays"].is_null()) throw errors::missing("retentionInDays");
  auto days = input::integer(in, "retentionInDays", INT64_MIN, INT64_MAX);
  if (std::find(kRetentionDays.begin(), kRetentionDays.end(), *days) == kRetentionDays.end())
    throw errors::constraint("'" + std::to_string(*days) + "'", "retentionInDays",
                             "satisfy enum value set: " + retention_values());
  g.retention_in_days = *days;
  store_.update_group(g);
  return Result::ok();
}

Result LogsService::delete_retention_policy(json& in) {
  LogGroupRow g = require_group_named(input::required_text(in, "logGroupName"));
  g.retention_in_days = 0;
  store_.update_group(g);
  return Result::ok();
}

void LogsService::add_tags(LogGroupRow& g, const json& tags) {
  input::check_tags(tags, "tags");
  json merged = g.tags;
  for (const auto& [k, v] : tags.items()) merged[k] = v;
  if (merged.size() > 50) throw errors::too_many_tags(log_group_arn(g));
  g.tags = std::move(merged);
  store_.update_group(g);
}

namespace {
std::vector<std::string> tag_keys(const json& in, const char* member) {
  auto it = in.find(member);
  if (it == in.end() || !it->is_array()) throw errors::missing(member);
  if (it->empty()) throw errors::constraint("'[]'", member, "have length greater than or equal to 1");
  std::vector<std::string> keys;
  for (const auto& k : *it) {
    if (!k.is_string()) throw errors::invalid_parameter("Tag keys must be strings.");
    keys.push_back(k.get<std::string>());
  }
  return keys;
}
}  // namespace

Result LogsService::tag_log_group(json& in) {
  LogGroupRow g = require_group_named(input::required_text(in, "logGroupName"));
  if (!in.contains("tags")) throw errors::missing("tags");
  add_tags(g, in["tags"]);
  return Result::ok();
}

Result LogsService::untag_log_group(json& in) {
  LogGroupRow g = require_group_named(input::required_text(in, "logGroupName"));
  for (const auto& k : tag_keys(in, "tags")) g.tags.erase(k);
  store_.update_group(g);
  return Result::ok();
}

Result LogsService::list_tags_log_group(json& in) {
  LogGroupRow g = require_group_named(input::required_text(in, "logGroupName"));
  return Result::ok({{"tags", g.tags}});
}

LogGroupRow LogsService::require_resource(const json& in) {
  std::string arn = input::required_text(in, "resourceArn");
  input::check_length(arn, "resourceArn", 1, 1011);
  auto g = group_by_arn(arn);
  if (!g) throw errors::log_group_not_found();
  return *g;
}

Result LogsService::tag_resource(json& in) {
  LogGroupRow g = require_resource(in);
  if (!in.contains("tags")) throw errors::missing("tags");
  add_tags(g, in["tags"]);
  return Result::ok();
}

Result LogsService::untag_resource(json& in) {
  LogGroupRow g = require_resource(in);
  for (const auto& k : tag_keys(in, "tagKeys")) g.tags.erase(k);
  store_.update_group(g);
  return Result::ok();
}

Result LogsService::list_tags_for_resource(json& in) {
  LogGroupRow g = require_resource(in);
  return Result::ok({{"tags", g.tags}});
}

}  // namespace awan::logs
