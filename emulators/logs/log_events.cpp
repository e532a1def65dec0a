// Log events: PutLogEvents (AWS's batch rules, rejected too-old / too-new / expired events),
// GetLogEvents (one stream, f/ and b/ tokens) and FilterLogEvents (a group's streams
// interleaved, filter patterns).
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "logs/errors.hpp"
#include "logs/filter_pattern.hpp"
#include "logs/input.hpp"
#include "logs/log_tokens.hpp"
#include "logs/service_impl.hpp"

namespace awan::logs {

namespace {
constexpr int64_t kHourMs = 3'600'000, kDayMs = 24 * kHourMs;
constexpr size_t kMaxBatchBytes = 1'048'576, kEventOverhead = 26;
constexpr size_t kMaxResponseBytes = 1'048'576;
constexpr size_t kMaxEventsScanned = 100'000;  // per FilterLogEvents call; the rest via nextToken

struct InputEvent {
  int64_t timestamp = 0;
  std::string message;
};

std::vector<InputEvent> read_log_events(const json& in) {
  auto it = in.find("logEvents");
  if (it == in.end() || it->is_null()) throw errors::missing("logEvents");
  if (!it->is_array()) throw errors::invalid_parameter("logEvents must be a list.");
  if (it->empty()) throw errors::constraint("'[]'", "logEvents", "have length greater than or equal to 1");
  if (it->size() > 10'000) throw errors::constraint("'[...]'", "logEvents", "have length less than or equal to 10000");
  std::vector<InputEvent> events;
  events.reserve(it->size());
  size_t bytes = 0;
  for (const auto& e : *it) {
    if (!e.is_object()) throw errors::invalid_parameter("Each log event must be a structure.");
    auto ts = input::integer(e, "timestamp", 0, INT64_MAX);
    if (!ts) throw errors::missing("logEvents.member.timestamp");
    std::string message = input::required_text(e, "message");
    if (message.empty()) throw errors::constraint("''", "logEvents.member.message", "have length greater than or equal to 1");
    bytes += message.size() + kEventOverhead;
    events.push_back({*ts, std::move(message)});
  }
  if (bytes > kMaxBatchBytes)
    throw errors::invalid_parameter("Upload too large: " + std::to_string(bytes) + " bytes exceeds limit of " +
                                    std::to_string(kMaxBatchBytes));
  // AWS accepts a batch in any order; events are stored and indexed as if sent in time order.
  std::stable_sort(events.begin(), events.end(),
                   [](const InputEvent& a, const InputEvent& b) { return a.timestamp < b.timestamp; });
  return events;
}

// Events before `cutoff` (a prefix of the sorted batch).
size_t count_before(const std::vector<InputEvent>& events, int64_t cutoff) {
  return static_cast<size_t>(std::lower_bound(events.begin(), events.end(), cutoff,
                                              [](const InputEvent& e, int64_t t) { return e.timestamp < t; }) -
                             events.begin());
}

json output_event(const LogEventRow& e) {
  return {{"timestamp", e.timestamp}, {"message", e.message}, {"ingestionTime", e.ingestion_time}};
}
}  // namespace

Result LogsService::put_log_events(json& in) {
  std::string group_name = input::required_text(in, "logGroupName");
  input::check_log_group_name(group_name, "logGroupName");
  LogGroupRow g = require_group_named(group_name);
  LogStreamRow s = require_stream(g, in);
  std::vector<InputEvent> events = read_log_events(in);
  int64_t now = now_ms();
  size_t too_old_end = count_before(events, now - 14 * kDayMs);
  size_t expired_end = g.retention_in_days > 0 ? count_before(events, now - g.retention_in_days * kDayMs) : 0;
  size_t too_new_start = static_cast<size_t>(
      std::upper_bound(events.begin(), events.end(), now + 2 * kHourMs,
                       [](int64_t t, const InputEvent& e) { return t < e.timestamp; }) -
      events.begin());
  size_t first = std::max(too_old_end, expired_end), last = std::max(first, too_new_start);
  if (last > first && events[last - 1].timestamp - events[first].timestamp > kDayMs)
    throw errors::invalid_parameter(
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  storage::Transaction tx(store_.db());
  for (size_t i = first; i < last; ++i) {
    LogEventRow row{s.id, events[i].timestamp, ++seq_, now, std::move(events[i].message)};
    store_.insert_event(g.id, row);
    s.stored_bytes += static_cast<int64_t>(row.message.size());
  }
  if (last > first) {
    bool had_events = s.last_ingestion_time > 0;
    s.first_event_timestamp = had_events ? std::min(s.first_event_timestamp, events[first].timestamp) : events[first].timestamp;
    s.last_event_timestamp = had_events ? std::max(s.last_event_timestamp, events[last - 1].timestamp) : events[last - 1].timestamp;
    s.last_ingestion_time = now;
  }
  ++s.uploads;
  store_.update_stream(s);
  tx.commit();
  json out = {{"nextSequenceToken", sequence_token(s.uploads)}};
  json rejected = json::object();
  if (too_old_end > 0) rejected["tooOldLogEventEndIndex"] = too_old_end;
  if (expired_end > 0) rejected["expiredLogEventEndIndex"] = expired_end;
  if (too_new_start < events.size()) rejected["tooNewLogEventStartIndex"] = too_new_start;
  if (!rejected.empty()) out["rejectedLogEventsInfo"] = std::move(rejected);
  return Result::ok(std::move(out));
}

Result LogsService::get_log_events(json& in) {
  LogGroupRow g = require_group(in);
  LogStreamRow s = require_stream(g, in);
  int64_t start = input::integer(in, "startTime", 0, INT64_MAX).value_or(0);
  int64_t end = input::integer(in, "endTime", 0, INT64_MAX).value_or(INT64_MAX);
  int limit = static_cast<int>(input::integer(in, "limit", 1, 10'000).value_or(10'000));
  PositionToken from{input::boolean(in, "startFromHead", false), Cursor{0, 0}};
  if (auto token = input::text(in, "nextToken")) {
    auto parsed = parse_position_token(*token);
    if (!parsed) throw errors::invalid_token();
    from = *parsed;
  } else if (!from.forward) {
    from.at = Cursor{INT64_MAX, INT64_MAX};
  }
  std::vector<LogEventRow> rows = from.forward ? store_.events_after(s.id, from.at, start, end, limit)
                                               : store_.events_before(s.id, from.at, start, end, limit);
  size_t bytes = 0, keep = 0;
  for (; keep < rows.size(); ++keep) {
    bytes += rows[keep].message.size() + kEventOverhead;
    if (bytes > kMaxResponseBytes && keep > 0) break;
  }
  rows.resize(keep);
  if (!from.forward) std::reverse(rows.begin(), rows.end());
  json events = json::array();
  for (const auto& e : rows) events.push_back(output_event(e));
  // At the end of the stream the caller's own position comes back: SDK paginators stop there.
  Cursor back = rows.empty() ? from.at : Cursor{rows.front().timestamp, rows.front().seq};
  Cursor fwd = rows.empty() ? from.at : Cursor{rows.back().timestamp, rows.back().seq};
  if (rows.empty() && from.at.timestamp == INT64_MAX) back = fwd = Cursor{0, 0};  // an empty stream
  return Result::ok({{"events", std::move(events)},
                     {"nextForwardToken", position_token({true, fwd})},
                     {"nextBackwardToken", position_token({false, back})}});
}

Result LogsService::filter_log_events(json& in) {
  LogGroupRow g = require_group(in);
  auto prefix = input::text(in, "logStreamNamePrefix");
  std::optional<std::unordered_set<std::string>> only;
  if (auto it = in.find("logStreamNames"); it != in.end() && !it->is_null()) {
    if (!it->is_array() || it->empty() || it->size() > 100)
      throw errors::constraint("'[...]'", "logStreamNames", "have length between 1 and 100");
    only.emplace();
    for (const auto& n : *it) {
      if (!n.is_string()) throw errors::invalid_parameter("logStreamNames must be strings.");
      only->insert(n.get<std::string>());
    }
  }
  if (prefix && only)
    throw errors::invalid_parameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
  int64_t start = input::integer(in, "startTime", 0, INT64_MAX).value_or(0);
  int64_t end = input::integer(in, "endTime", 0, INT64_MAX).value_or(INT64_MAX);
  size_t limit = static_cast<size_t>(input::integer(in, "limit", 1, 10'000).value_or(10'000));
  std::string pattern_text = input::text(in, "filterPattern").value_or("");
  input::check_length(pattern_text, "filterPattern", 0, 1024);
  auto pattern = FilterPattern::parse(pattern_text);
  if (auto* err = std::get_if<std::string>(&pattern)) throw errors::invalid_parameter("Invalid filter pattern: " + *err);
  const FilterPattern& filter = std::get<FilterPattern>(pattern);
  Cursor after{0, 0};
  if (auto token = input::text(in, "nextToken")) {
    auto parsed = parse_event_id(*token);
    if (!parsed) throw errors::invalid_token();
    after = *parsed;
  }
  std::unordered_map<int64_t, std::string> streams;
  json searched = json::array();
  for (auto& s : store_.streams(g.id, prefix.value_or(""))) {
    if (only && !only->count(s.name)) continue;
    searched.push_back({{"logStreamName", s.name}, {"searchedCompletely", true}});
    streams.emplace(s.id, std::move(s.name));
  }
  json events = json::array();
  size_t scanned = 0, bytes = 0;
  Cursor last = after;  // the last event examined
  bool more = false;
  store_.scan_group(g.id, after, start, end, [&](const LogEventRow& e) {
    if (events.size() >= limit || bytes >= kMaxResponseBytes || ++scanned > kMaxEventsScanned) {
      more = true;
      return false;
    }
    Cursor at{e.timestamp, e.seq};
    last = at;
    auto it = streams.find(e.stream);
    if (it == streams.end() || !filter.matches(e.message)) return true;
    bytes += e.message.size() + kEventOverhead;
    events.push_back({{"logStreamName", it->second}, {"timestamp", e.timestamp}, {"message", e.message},
                      {"ingestionTime", e.ingestion_time}, {"eventId", event_id(at)}});
    return true;
  });
  json out = {{"events", std::move(events)}, {"searchedLogStreams", std::move(searched)}};
  if (more) out["nextToken"] = event_id(last);
  return Result::ok(std::move(out));
}

}  // namespace awan::logs
