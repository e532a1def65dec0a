// Lambda event source mappings: Create/Get/Update/Delete/ListEventSourceMappings with AWS's
// validation, and their pollers — DynamoDB streams (checkpoint per shard, retries, bisection on
// errors, partial batch failures, on-failure destinations) and SQS queues (batches, deletion on
// success, partial batch failures); FilterCriteria (event_filters.hpp) decide which records
// reach the function. Pollers run on the invocation threads, one poll in flight per mapping,
// rescheduled with the Scheduler (never a sleep).
#include <spdlog/spdlog.h>

#include "core/arn.hpp"
#include "core/document.hpp"
#include "core/ids.hpp"
#include "core/timefmt.hpp"
#include "lambda/errors.hpp"
#include "lambda/event_filters.hpp"
#include "lambda/service_impl.hpp"

namespace awan::lambda {

namespace {
using namespace std::chrono_literals;

void check_int(const json& in, const char* member, const char* wire, int64_t lo, int64_t hi) {
  auto it = in.find(member);
  if (it == in.end() || it->is_null()) return;
  int64_t v = it->is_number_integer() ? it->get<int64_t>() : lo - 1;
  if (v < lo)
    throw errors::constraint(it->dump(), wire, "Member must have value greater than or equal to " + std::to_string(lo));
  if (v > hi) throw errors::constraint(it->dump(), wire, "Member must have value less than or equal to " + std::to_string(hi));
}

RequestContext context_for(const std::string& arn, const Clock* clock) {
  RequestContext c;
  c.request_id = ids::uuid4();
  if (auto a = parse_arn(arn)) {
    c.account_id = a->account;
    c.region = a->region;
  }
  c.clock = clock;
  return c;
}

std::string queue_url(const std::string& arn) {
  auto a = parse_arn(arn);
  return a ? "http://localhost/" + a->account + "/" + a->resource : "";
}

// Records a function reported failed ({"batchItemFailures": [{"itemIdentifier": ...}]}).
std::set<std::string> failed_items(const std::string& payload) {
  std::set<std::string> out;
  json r = json::parse(payload, nullptr, false);
  if (!r.is_object()) return out;
  for (const auto& f : r.value("batchItemFailures", json::array()))
    if (f.is_object() && f.contains("itemIdentifier") && f["itemIdentifier"].is_string())
      out.insert(f["itemIdentifier"].get<std::string>());
  return out;
}

// The mapping's filters; a stored FilterCriteria was checked when it was set.
EventFilters filters_of(const json& mapping) {
  auto it = mapping.find("FilterCriteria");
  if (it == mapping.end()) return {};
  auto parsed = parse_filter_criteria(*it);
  if (auto* f = std::get_if<EventFilters>(&parsed)) return std::move(*f);
  return {};
}

// -1 (records of any age) or 60 seconds to 7 days.
void check_record_age(const json& in) {
  check_int(in, "MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds", -1, 604800);
  auto it = in.find("MaximumRecordAgeInSeconds");
  if (it != in.end() && it->is_number_integer() && it->get<int64_t>() >= 0 && it->get<int64_t>() < 60)
    throw errors::invalid("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800 seconds.");
}

// Stream sequence numbers are decimal: compared by value.
bool sequence_after(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() > b.size() : a > b;
}

std::string sequence_of(const json& record) {
  auto d = record.find("dynamodb");
  return d != record.end() && d->is_object() ? d->value("SequenceNumber", "") : "";
}

void check_filter_criteria(const json& in) {
  auto it = in.find("FilterCriteria");
  if (it == in.end()) return;
  auto parsed = parse_filter_criteria(*it);
  if (auto* e = std::get_if<AwsError>(&parsed)) throw *e;
}
}  // namespace

json LambdaService::mapping_output(const json& m) const {
  json out = m;
  for (const char* k : {"Checkpoint", "Iterator", "Attempts", "Bisect", "Kind", "Enabled", "StartMs"}) out.erase(k);
  if (out.value("State", "") == "Creating" || out.value("State", "") == "Updating" || out.value("State", "") == "Enabling")
    out["State"] = m.value("Enabled", true) ? "Enabled" : "Disabled";
  return out;
}

Result LambdaService::create_event_source_mapping(json& in) {
  std::string source = text_of(in, "EventSourceArn");
  auto a = parse_arn(source);
  if (source.empty()) throw errors::invalid("Unrecognized event source, must be kinesis, dynamodb stream or sqs.");
  bool stream = a && a->service == "dynamodb" && a->resource.find("/stream/") != std::string::npos;
  bool queue = a && a->service == "sqs";
  if (!stream && !queue) throw errors::invalid("Unrecognized event source, must be kinesis, dynamodb stream or sqs.");
  FunctionRef ref = parse_function_name(in);
  Target t = resolve(ref);
  check_int(in, "BatchSize", "batchSize", 1, 10000);
  check_int(in, "MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", 0, 300);
  check_int(in, "MaximumRetryAttempts", "maximumRetryAttempts", -1, 10000);
  if (in.contains("ScalingConfig") && in["ScalingConfig"].is_object())
    check_int(in["ScalingConfig"], "MaximumConcurrency", "scalingConfig.maximumConcurrency", 2, 1000);
  check_int(in, "ParallelizationFactor", "parallelizationFactor", 1, 10);
  check_record_age(in);
  check_filter_criteria(in);
  std::string position = text_of(in, "StartingPosition");
  int64_t batch = in.value("BatchSize", stream ? 100 : 10);
  if (stream) {
    if (position.empty()) throw errors::invalid("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null");
    if (position != "TRIM_HORIZON" && position != "LATEST" && position != "AT_TIMESTAMP")
      throw errors::constraint(position, "startingPosition", "Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]");
    if (batch > 10000) throw errors::invalid("BatchSize must be <= 10000 for DynamoDB streams");
    Result r = Client(env_.call_service, context_for(source, env_.clock)).call("dynamodbstreams", "DescribeStream", {{"StreamArn", source}});
    if (r.error) throw errors::invalid("Stream not found: " + source);
  } else {
    if (!position.empty()) throw errors::invalid("StartingPosition is not valid for SQS event sources.");
    if (batch > 10 && in.value("MaximumBatchingWindowInSeconds", 0) < 1)
      throw errors::invalid("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
    Result r = Client(env_.call_service, context_for(source, env_.clock)).call("sqs", "GetQueueUrl",
                         {{"QueueName", a->resource}, {"QueueOwnerAWSAccountId", a->account}});
    if (r.error) throw errors::invalid("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist for this wsdl version.");
  }
  for (auto& [uuid, m] : mappings_)
    if (m.value("EventSourceArn", "") == source && m.value("FunctionArn", "") == t.qualified_arn)
      throw errors::conflict("The event source arn (\" " + source + " \") and function (\" " + t.name +
                             " \") provided mapping already exists. Please update or delete the existing mapping with UUID " + uuid);
  std::string uuid = ids::uuid4();
  json m = {{"UUID", uuid},
            {"BatchSize", batch},
            {"MaximumBatchingWindowInSeconds", in.value("MaximumBatchingWindowInSeconds", 0)},
            {"EventSourceArn", source},
            {"FunctionArn", t.qualified_arn},
            {"LastModified", static_cast<double>(now_ms()) / 1000.0},
            {"State", "Creating"},
            {"StateTransitionReason", "USER_INITIATED"},
            {"FunctionResponseTypes", in.value("FunctionResponseTypes", json::array())},
            {"Enabled", in.value("Enabled", true)},
            {"Kind", stream ? "stream" : "queue"},
            {"StartMs", now_ms()}};
  if (in.contains("FilterCriteria")) m["FilterCriteria"] = in["FilterCriteria"];
  if (stream) {
    m["StartingPosition"] = position;
    m["LastProcessingResult"] = "No records processed";
    m["ParallelizationFactor"] = in.value("ParallelizationFactor", 1);
    m["MaximumRetryAttempts"] = in.value("MaximumRetryAttempts", -1);
    m["MaximumRecordAgeInSeconds"] = in.value("MaximumRecordAgeInSeconds", -1);
    m["BisectBatchOnFunctionError"] = in.value("BisectBatchOnFunctionError", false);
    m["TumblingWindowInSeconds"] = in.value("TumblingWindowInSeconds", 0);
    m["DestinationConfig"] = in.value("DestinationConfig", json{{"OnFailure", json::object()}});
    if (position == "LATEST") {
      // Records after now: the iterator is taken at creation.
      Result it = Client(env_.call_service, context_for(source, env_.clock)).call("dynamodbstreams", "DescribeStream", {{"StreamArn", source}});
      for (const auto& s : it.output["StreamDescription"].value("Shards", json::array())) {
        Result r = Client(env_.call_service, context_for(source, env_.clock)).call("dynamodbstreams", "GetShardIterator",
                             {{"StreamArn", source}, {"ShardId", s["ShardId"]}, {"ShardIteratorType", "LATEST"}});
        if (!r.error) m["Iterator"][s["ShardId"].get<std::string>()] = r.output["ShardIterator"];
      }
    }
  } else if (in.contains("ScalingConfig")) {
    if (in["ScalingConfig"].is_object())
      check_int(in["ScalingConfig"], "MaximumConcurrency", "scalingConfig.maximumConcurrency", 2, 1000);
    m["ScalingConfig"] = in["ScalingConfig"];
  }
  mappings_[uuid] = m;
  store_.put_mapping(uuid, m);
  schedule_poll(uuid, 0ms);
  json out = mapping_output(m);
  out["State"] = "Creating";
  return Result::ok(std::move(out));
}

static json& require_mapping(std::map<std::string, json>& all, const json& in) {
  std::string uuid = in.value("UUID", "");
  auto it = all.find(uuid);
  if (it == all.end()) throw errors::not_found("The resource you requested does not exist.");
  return it->second;
}

Result LambdaService::get_event_source_mapping(json& in) { return Result::ok(mapping_output(require_mapping(mappings_, in))); }

Result LambdaService::update_event_source_mapping(json& in) {
  json& m = require_mapping(mappings_, in);
  check_int(in, "BatchSize", "batchSize", 1, 10000);
  check_int(in, "MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", 0, 300);
  check_int(in, "MaximumRetryAttempts", "maximumRetryAttempts", -1, 10000);
  check_record_age(in);
  check_filter_criteria(in);
  for (const char* k : {"BatchSize", "MaximumBatchingWindowInSeconds", "FilterCriteria", "MaximumRetryAttempts",
                        "BisectBatchOnFunctionError", "MaximumRecordAgeInSeconds", "FunctionResponseTypes",
                        "DestinationConfig", "ScalingConfig", "ParallelizationFactor"})
    if (in.contains(k)) m[k] = in[k];
  if (in.contains("Enabled")) m["Enabled"] = in["Enabled"];
  if (in.contains("FunctionName")) m["FunctionArn"] = resolve(parse_function_name(in)).qualified_arn;
  m["LastModified"] = static_cast<double>(now_ms()) / 1000.0;
  m["State"] = "Updating";
  store_.put_mapping(m["UUID"], m);
  json out = mapping_output(m);
  out["State"] = "Updating";
  return Result::ok(std::move(out));
}

int LambdaService::queue_lane_limit(const json& m) {
  int limit = kMaxQueueLanes;
  if (const json sc = m.value("ScalingConfig", json::object()); sc.is_object() && sc.contains("MaximumConcurrency"))
    limit = std::min(limit, sc.value("MaximumConcurrency", limit));
  auto fa = parse_arn(m.value("FunctionArn", ""));
  if (fa && fa->resource.size() > 9) {
    std::string rest = fa->resource.substr(9);
    if (auto f = functions_.find(fa->account + "/" + fa->region + "/" + rest.substr(0, rest.find(':'))); f != functions_.end())
      if (f->second->doc.contains("concurrency")) limit = std::min<int>(limit, f->second->doc["concurrency"].get<int>());
  }
  return std::max(limit, 1);
}

Result LambdaService::delete_event_source_mapping(json& in) {
  json m = require_mapping(mappings_, in);
  queue_lanes_.erase(m["UUID"].get<std::string>());
  mappings_.erase(m["UUID"].get<std::string>());
  store_.delete_mapping(m["UUID"]);
  json out = mapping_output(m);
  out["State"] = "Deleting";
  return Result::ok(std::move(out));
}

Result LambdaService::list_event_source_mappings(json& in) {
  std::string source = text_of(in, "EventSourceArn");
  std::string function;
  if (in.contains("FunctionName")) function = resolve(parse_function_name(in)).qualified_arn;
  json list = json::array();
  for (auto& [uuid, m] : mappings_) {
    if (!source.empty() && m.value("EventSourceArn", "") != source) continue;
    if (!function.empty() && m.value("FunctionArn", "") != function) continue;
    if (parse_arn(m.value("FunctionArn", ""))->account != account()) continue;
    list.push_back(mapping_output(m));
  }
  return Result::ok({{"EventSourceMappings", std::move(list)}});
}

// ---- pollers ----

void LambdaService::schedule_poll(const std::string& uuid, std::chrono::milliseconds after) {
  if (!env_.scheduler) return;
  env_.scheduler->post_after(after, [this, alive = alive_, uuid] {
    if (!*alive) return;
    run_on_worker([this, alive, uuid] {
      if (*alive) poll(uuid);
    });
  });
}

void LambdaService::poll(const std::string& uuid) {
  json m;
  {
    std::lock_guard lock(mu_);
    auto it = mappings_.find(uuid);
    if (it == mappings_.end()) return;
    m = it->second;
  }
  if (!m.value("Enabled", true)) return schedule_poll(uuid, 500ms);
  bool busy = false;
  try {
    busy = m.value("Kind", "") == "stream" ? poll_stream(m) : poll_queue(m);
  } catch (const std::exception& e) {
    spdlog::warn("lambda mapping {}: {}", uuid, e.what());
  }
  {
    std::lock_guard lock(mu_);
    auto it = mappings_.find(uuid);
    if (it == mappings_.end()) return;
    for (const char* k : {"Checkpoint", "Iterator", "Attempts", "Bisect", "WindowStart", "LastProcessingResult"})
      if (m.contains(k)) it->second[k] = m[k];
    if (busy) store_.put_mapping(uuid, it->second);
  }
  bool stream = m.value("Kind", "") == "stream";
  if (!stream) {
    // SQS mappings scale their pollers with the backlog, as Lambda does: a poll that filled its
    // batch starts another lane (up to ScalingConfig.MaximumConcurrency, the function's reserved
    // concurrency and kMaxQueueLanes), a lane whose poll found nothing ends (one always stays).
    std::lock_guard lock(mu_);
    int& lanes = queue_lanes_[uuid];
    if (lanes == 0) lanes = 1;
    if (!busy && lanes > 1) {
      --lanes;
      return;
    }
    if (busy && lanes < queue_lane_limit(m)) {
      ++lanes;
      schedule_poll(uuid, 0ms);
    }
  }
  int attempts = m.value("Attempts", 0);
  auto delay = attempts > 0 ? std::chrono::milliseconds(std::min(100 << std::min(attempts, 6), 5000))
               : busy       ? 0ms
               : stream     ? 20ms
                            : 0ms;
  schedule_poll(uuid, delay);
}

bool LambdaService::poll_stream(json& m) {
  std::string arn = m["EventSourceArn"];
  RequestContext c = context_for(arn, env_.clock);
  Result d = Client(env_.call_service, c).call("dynamodbstreams", "DescribeStream", {{"StreamArn", arn}});
  if (d.error) return false;
  FunctionRef ref;
  Target t;
  {
    std::lock_guard lock(mu_);
    auto fa = parse_arn(m["FunctionArn"].get<std::string>());
    std::string rest = fa->resource.substr(9);
    ref = {fa->account, fa->region, rest.substr(0, rest.find(':')),
           rest.find(':') == std::string::npos ? "" : rest.substr(rest.find(':') + 1)};
    try {
      t = resolve(ref, true);
    } catch (const AwsError&) {
      return false;
    }
  }
  for (const char* k : {"Iterator", "Checkpoint", "Bisect", "WindowStart"})
    if (!m[k].is_object()) m[k] = json::object();
  const int64_t window_ms = m.value("MaximumBatchingWindowInSeconds", int64_t{0}) * 1000;
  const EventFilters filters = filters_of(m);
  bool any = false;
  for (const auto& shard : d.output["StreamDescription"].value("Shards", json::array())) {
    std::string id = shard["ShardId"];
    std::string iterator = m["Iterator"].value(id, "");
    if (iterator.empty()) {
      std::string checkpoint = m["Checkpoint"].value(id, "");
      json req = {{"StreamArn", arn}, {"ShardId", id}};
      if (!checkpoint.empty()) {
        req["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER";
        req["SequenceNumber"] = checkpoint;
      } else {
        req["ShardIteratorType"] = m.value("StartingPosition", "TRIM_HORIZON") == "LATEST" ? "LATEST" : "TRIM_HORIZON";
      }
      Result r = Client(env_.call_service, c).call("dynamodbstreams", "GetShardIterator", req);
      if (r.error) continue;
      iterator = r.output["ShardIterator"];
    }
    // A bisected batch is read half (a quarter, ...) at a time.
    int64_t limit = m["Bisect"].contains(id) ? m["Bisect"][id].value("size", int64_t{1}) : m.value("BatchSize", int64_t{100});
    Result r = Client(env_.call_service, c).call("dynamodbstreams", "GetRecords",
                         {{"ShardIterator", iterator}, {"Limit", std::min<int64_t>(limit, 1000)}});
    if (r.error) {
      m["Iterator"].erase(id);  // expired or trimmed: start again from the checkpoint
      continue;
    }
    json batch = r.output.value("Records", json::array());
    if (batch.empty()) {
      if (r.output.contains("NextShardIterator")) m["Iterator"][id] = r.output["NextShardIterator"];
      continue;
    }
    // MaximumBatchingWindowInSeconds: a batch short of BatchSize waits (its records are read
    // again from the same iterator) until the window since its first record was seen is over.
    if (window_ms > 0 && !m["Bisect"].contains(id) && static_cast<int64_t>(batch.size()) < limit) {
      int64_t first_seen = m["WindowStart"].value(id, int64_t{0});
      if (first_seen == 0) m["WindowStart"][id] = first_seen = now_ms();
      m["Iterator"][id] = iterator;
      if (now_ms() - first_seen < window_ms) continue;
    }
    m["WindowStart"].erase(id);
    any = true;
    process_stream_batch(m, t, filters, id, std::move(batch), r.output.value("NextShardIterator", ""));
  }
  return any;
}

// One batch read from a shard: records older than MaximumRecordAgeInSeconds go to the on-failure
// destination, records no filter matches are passed, the rest are sent. A failed batch is
// bisected (BisectBatchOnFunctionError: its first half, then the rest, until it is down to
// single records; bisection spends no retry) or retried until MaximumRetryAttempts, then sent
// to the on-failure destination and skipped.
void LambdaService::process_stream_batch(json& m, const Target& t, const EventFilters& filters, const std::string& id,
                                         json batch, const std::string& next_iterator) {
  const std::string arn = m["EventSourceArn"];
  json& bisect = m["Bisect"];
  bool truncated = false;  // the batch stops before the records read (the iterator is then read again)
  if (bisect.contains(id)) {
    const std::string until = bisect[id].value("until", "");
    json kept = json::array();
    for (auto& rec : batch)
      if (!sequence_after(sequence_of(rec), until)) kept.push_back(std::move(rec));
    truncated = kept.size() < batch.size();
    batch = std::move(kept);
    if (batch.empty()) {  // the bisected batch is behind us
      bisect.erase(id);
      m["Iterator"].erase(id);
      return;
    }
  }
  const std::string last = sequence_of(batch.back());
  auto pass = [&] {  // the checkpoint moves past the whole batch
    m["Checkpoint"][id] = last;
    if (truncated) m["Iterator"].erase(id);
    else m["Iterator"][id] = next_iterator;
    m["Attempts"] = 0;
    if (bisect.contains(id) && !sequence_after(bisect[id].value("until", ""), last)) bisect.erase(id);
  };
  const int64_t max_age = m.value("MaximumRecordAgeInSeconds", int64_t{-1});
  const double now_s = static_cast<double>(now_ms()) / 1000.0;
  json records = json::array(), expired = json::array();
  for (auto& rec : batch) {
    rec["eventSourceARN"] = arn;
    const json& created = rec["dynamodb"].is_object() ? rec["dynamodb"].value("ApproximateCreationDateTime", json()) : json();
    if (max_age >= 0 && created.is_number() && now_s - created.get<double>() > static_cast<double>(max_age))
      expired.push_back(rec);
    else if (filters.matches(rec, RecordSource::DynamoDbStream))
      records.push_back(rec);
  }
  if (!expired.empty()) {
    spdlog::warn("lambda mapping {}: {} record(s) older than {} s skipped", m["UUID"].get<std::string>(), expired.size(), max_age);
    send_stream_failure(m, t, id, expired, "RecordAgeExceeded", 0);
  }
  if (records.empty()) return pass();
  spdlog::info("lambda mapping {}: {} stream record(s) from {} → {}", m["UUID"].get<std::string>(), records.size(),
               arn.substr(arn.find(":table/") + 7, arn.find("/stream/") - arn.find(":table/") - 7), t.name);
  InvokeOutcome o = execute(t, ids::uuid4(), json{{"Records", records}}.dump(), "");
  std::string resume;  // ReportBatchItemFailures: the first failed record, where processing resumes
  if (!o.function_error && !m["FunctionResponseTypes"].empty()) {
    auto failed = failed_items(o.payload);
    for (const auto& rec : records)
      if (failed.count(sequence_of(rec))) {
        resume = sequence_of(rec);
        break;
      }
  }
  if (!o.function_error && resume.empty()) {
    pass();
    m["LastProcessingResult"] = "OK";
    return;
  }
  m["LastProcessingResult"] = "PROBLEM: Function call failed";
  m["Iterator"].erase(id);
  if (o.function_error && m.value("BisectBatchOnFunctionError", false) && records.size() > 1) {
    json until = bisect.contains(id) ? bisect[id]["until"] : json(last);
    bisect[id] = {{"size", (batch.size() + 1) / 2}, {"until", until}};
    spdlog::info("lambda mapping {}: batch of {} failed; retrying it in halves", m["UUID"].get<std::string>(), batch.size());
    return;
  }
  int attempts = m.value("Attempts", 0) + 1;
  int max = m.value("MaximumRetryAttempts", -1);
  if (!resume.empty()) {
    // Resume at the failed record: checkpoint just before it.
    for (size_t i = 1; i < records.size(); ++i)
      if (sequence_of(records[i]) == resume) m["Checkpoint"][id] = sequence_of(records[i - 1]);
  }
  if (max >= 0 && attempts > max) {
    send_stream_failure(m, t, id, records, "RetryAttemptsExhausted", attempts);
    spdlog::warn("lambda mapping {}: batch of {} records dropped after {} attempts", m["UUID"].get<std::string>(),
                 records.size(), attempts);
    m["Checkpoint"][id] = last;
    m["Attempts"] = 0;
    if (bisect.contains(id) && !sequence_after(bisect[id].value("until", ""), last)) bisect.erase(id);
  } else {
    m["Attempts"] = attempts;
  }
}

// The on-failure destination's record of stream records that were not processed.
void LambdaService::send_stream_failure(const json& m, const Target& t, const std::string& shard, const json& records,
                                        const std::string& condition, int attempts) {
  std::string dest = m.value("DestinationConfig", json::object()).value("OnFailure", json::object()).value("Destination", "");
  if (dest.empty()) return;
  json info = {{"shardId", shard},
               {"startSequenceNumber", sequence_of(records.front())},
               {"endSequenceNumber", sequence_of(records.back())},
               {"approximateArrivalOfFirstRecord", records.front()["dynamodb"].value("ApproximateCreationDateTime", json())},
               {"approximateArrivalOfLastRecord", records.back()["dynamodb"].value("ApproximateCreationDateTime", json())},
               {"batchSize", records.size()},
               {"streamArn", m["EventSourceArn"]}};
  json record = {{"requestContext", {{"requestId", ids::uuid4()}, {"functionArn", t.qualified_arn},
                                     {"condition", condition}, {"approximateInvokeCount", attempts}}},
                 {"responseContext", {{"statusCode", 200}, {"executedVersion", t.version}, {"functionError", "Unhandled"}}},
                 {"version", "1.0"},
                 {"timestamp", timefmt::iso8601(env_.clock->now(), true)},
                 {"DDBStreamBatchInfo", info}};
  send_to_destination(dest, record, t.region);
}

void LambdaService::delete_messages(const RequestContext& c, const std::string& arn,
                                    const std::vector<std::string>& receipt_handles) {
  json entries = json::array();
  for (size_t i = 0; i < receipt_handles.size(); ++i) {
    entries.push_back({{"Id", std::to_string(entries.size())}, {"ReceiptHandle", receipt_handles[i]}});
    if (entries.size() == 10 || i + 1 == receipt_handles.size()) {
      Client(env_.call_service, c).call("sqs", "DeleteMessageBatch", {{"QueueUrl", queue_url(arn)}, {"Entries", entries}});
      entries = json::array();
    }
  }
}

bool LambdaService::poll_queue(json& m) {
  std::string arn = m["EventSourceArn"];
  auto a = parse_arn(arn);
  RequestContext c = context_for(arn, env_.clock);
  Target t;
  {
    std::lock_guard lock(mu_);
    auto fa = parse_arn(m["FunctionArn"].get<std::string>());
    std::string rest = fa->resource.substr(9);
    FunctionRef ref{fa->account, fa->region, rest.substr(0, rest.find(':')),
                    rest.find(':') == std::string::npos ? "" : rest.substr(rest.find(':') + 1)};
    try {
      t = resolve(ref, true);
    } catch (const AwsError&) {
      return false;
    }
  }
  int64_t batch = m.value("BatchSize", 10);
  int64_t window_ms = m.value("MaximumBatchingWindowInSeconds", 0) * 1000LL;
  auto start = std::chrono::steady_clock::now();
  json messages = json::array();
  while (static_cast<int64_t>(messages.size()) < batch) {
    int64_t want = std::min<int64_t>(10, batch - static_cast<int64_t>(messages.size()));
    Result r = Client(env_.call_service, c).call("sqs", "ReceiveMessage",
                         {{"QueueUrl", queue_url(arn)}, {"MaxNumberOfMessages", want},
                          {"WaitTimeSeconds", messages.empty() ? 1 : 0}, {"AttributeNames", json::array({"All"})},
                          {"MessageAttributeNames", json::array({"All"})}});
    if (r.error) return false;
    json got = r.output.value("Messages", json::array());
    for (auto& msg : got) messages.push_back(std::move(msg));
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    if (static_cast<int64_t>(got.size()) < want && elapsed >= window_ms) break;
    if (got.empty() && elapsed >= window_ms) break;
  }
  if (messages.empty()) return false;
  spdlog::info("lambda mapping {}: {} message(s) from {} → {}", m["UUID"].get<std::string>(), messages.size(),
               a ? a->resource : arn, t.name);
  const EventFilters filters = filters_of(m);
  json records = json::array();
  std::vector<std::string> filtered_out;  // receipt handles
  for (const auto& msg : messages) {
    json attrs = msg.value("Attributes", json::object());
    json mattrs = json::object();
    const json given = msg.value("MessageAttributes", json::object());
    for (auto& [k, v] : given.items()) {
      json e = {{"dataType", v.value("DataType", "String")}, {"stringListValues", json::array()}, {"binaryListValues", json::array()}};
      if (v.contains("StringValue")) e["stringValue"] = v["StringValue"];
      if (v.contains("BinaryValue")) e["binaryValue"] = v["BinaryValue"];
      mattrs[k] = std::move(e);
    }
    json rec = {{"messageId", msg.value("MessageId", "")}, {"receiptHandle", msg.value("ReceiptHandle", "")},
                {"body", msg.value("Body", "")}, {"attributes", attrs}, {"messageAttributes", mattrs},
                {"md5OfBody", msg.value("MD5OfBody", "")}, {"eventSource", "aws:sqs"}, {"eventSourceARN", arn},
                {"awsRegion", a ? a->region : t.region}};
    if (msg.contains("MD5OfMessageAttributes")) rec["md5OfMessageAttributes"] = msg["MD5OfMessageAttributes"];
    if (filters.matches(rec, RecordSource::Sqs)) records.push_back(std::move(rec));
    else filtered_out.push_back(rec["receiptHandle"].get<std::string>());
  }
  // Messages no filter matches are deleted without invoking the function, as AWS does.
  delete_messages(c, arn, filtered_out);
  if (records.empty()) return true;
  InvokeOutcome o = execute(t, ids::uuid4(), json{{"Records", records}}.dump(), "");
  std::set<std::string> failed;
  if (o.function_error) {
    m["LastProcessingResult"] = "PROBLEM: Function call failed";
    return true;  // the messages become visible again after their visibility timeout
  }
  if (!m["FunctionResponseTypes"].empty()) failed = failed_items(o.payload);
  std::vector<std::string> processed;
  for (const auto& rec : records)
    if (!failed.count(rec["messageId"].get<std::string>())) processed.push_back(rec["receiptHandle"].get<std::string>());
  delete_messages(c, arn, processed);
  m["LastProcessingResult"] = "OK";
  return true;
}

}  // namespace awan::lambda
