// Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams.
#include <algorithm>

#include "logs/errors.hpp"
#include "logs/input.hpp"
#include "logs/log_tokens.hpp"
#include "logs/service_impl.hpp"

namespace awan::logs {

json LogsService::log_stream_document(const LogGroupRow& g, const LogStreamRow& s) const {
  json d = {{"logStreamName", s.name},
            {"creationTime", s.creation_time},
            {"arn", log_group_arn(g) + ":log-stream:" + s.name},
            {"storedBytes", 0},  // deprecated by AWS for streams: always 0
            {"uploadSequenceToken", sequence_token(s.uploads)}};
  if (s.last_ingestion_time > 0) {
    d["firstEventTimestamp"] = s.first_event_timestamp;
    d["lastEventTimestamp"] = s.last_event_timestamp;
    d["lastIngestionTime"] = s.last_ingestion_time;
  }
  return d;
}

Result LogsService::create_log_stream(json& in) {
  LogGroupRow g = require_group_named(input::required_text(in, "logGroupName"));
  LogStreamRow s;
  s.name = input::required_text(in, "logStreamName");
  input::check_log_stream_name(s.name, "logStreamName");
  if (store_.stream(g.id, s.name)) throw errors::log_stream_exists();
  s.group = g.id;
  s.creation_time = now_ms();
  store_.insert_stream(s);
  return Result::ok();
}

Result LogsService::delete_log_stream(json& in) {
  LogGroupRow g = require_group_named(input::required_text(in, "logGroupName"));
  LogStreamRow s = require_stream(g, in);
  storage::Transaction tx(store_.db());
  store_.delete_stream(s.id);
  tx.commit();
  return Result::ok();
}

Result LogsService::describe_log_streams(json& in) {
  LogGroupRow g = require_group(in);
  auto prefix = input::text(in, "logStreamNamePrefix");
  if (prefix) input::check_log_stream_name(*prefix, "logStreamNamePrefix");
  std::string order = input::text(in, "orderBy").value_or("LogStreamName");
  if (order != "LogStreamName" && order != "LastEventTime")
    throw errors::constraint("'" + order + "'", "orderBy", "satisfy enum value set: [LogStreamName, LastEventTime]");
  if (order == "LastEventTime" && prefix)
    throw errors::invalid_parameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
  bool descending = input::boolean(in, "descending", false);
  size_t limit = static_cast<size_t>(input::integer(in, "limit", 1, 50).value_or(50));
  size_t offset = input::page_offset(in);
  std::vector<LogStreamRow> streams = store_.streams(g.id, prefix.value_or(""));
  if (order == "LastEventTime")
    std::stable_sort(streams.begin(), streams.end(), [](const LogStreamRow& a, const LogStreamRow& b) {
      return a.last_event_timestamp < b.last_event_timestamp;
    });
  if (descending) std::reverse(streams.begin(), streams.end());
  json list = json::array();
  for (size_t i = offset; i < streams.size() && list.size() < limit; ++i)
    list.push_back(log_stream_document(g, streams[i]));
  json out = {{"logStreams", std::move(list)}};
  if (offset + limit < streams.size()) out["nextToken"] = input::page_token(offset + limit);
  return Result::ok(std::move(out));
}

}  // namespace awan::logs
