// DynamoDB Streams, TTL, point-in-time recovery and backups against an injected clock.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <vector>

#include "awan/clock.hpp"
#include "dynamodb/dynamodb.hpp"
#include "service_fixture.hpp"

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

class FakeScheduler : public awan::Scheduler {
 public:
  void post_after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    delays.push_back(delay);
    pending.push_back(std::move(fn));
  }
  void run_one() {
    auto fn = std::move(pending.front());
    pending.erase(pending.begin());
    fn();
  }
  std::vector<std::chrono::milliseconds> delays;
  std::vector<std::function<void()>> pending;
};

class StreamsTest : public awan::dynamodb::test_support::ServiceFixture {
 protected:
  void SetUp() override {
    use_manual_clock();
    ServiceFixture::SetUp();
    streams_ = awan::dynamodb::make_streams_service(*svc_);
    ASSERT_TRUE(streams_);
  }

  json sok(const std::string& op, json in) { return awan::dynamodb::test_support::call_ok(*streams_, ctx_, op, std::move(in)); }
  awan::AwsError serr(const std::string& op, json in) {
    return awan::dynamodb::test_support::call_err(*streams_, ctx_, op, std::move(in));
  }

  // Table "Tbl" (pk S, sk N) with a stream of the given view type ("" = none); returns its ARN.
  std::string create(const std::string& view = "NEW_AND_OLD_IMAGES", const std::string& name = "Tbl") {
    json in = {{"TableName", name},
               {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                                         {{"AttributeName", "sk"}, {"AttributeType", "N"}}}},
               {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}, {{"AttributeName", "sk"}, {"KeyType", "RANGE"}}}},
               {"BillingMode", "PAY_PER_REQUEST"}};
    if (!view.empty()) in["StreamSpecification"] = {{"StreamEnabled", true}, {"StreamViewType", view}};
    auto d = ok("CreateTable", in)["TableDescription"];
    return d.value("LatestStreamArn", "");
  }
  json item(const std::string& pk, int sk, const std::string& v) {
    return {{"pk", {{"S", pk}}}, {"sk", {{"N", std::to_string(sk)}}}, {"v", {{"S", v}}}};
  }
  void put(const json& it, const std::string& table = "Tbl") { ok("PutItem", {{"TableName", table}, {"Item", it}}); }
  void del(const std::string& pk, int sk, const std::string& table = "Tbl") {
    ok("DeleteItem", {{"TableName", table}, {"Key", {{"pk", {{"S", pk}}}, {"sk", {{"N", std::to_string(sk)}}}}}});
  }
  std::string shard(const std::string& arn) {
    return sok("DescribeStream", {{"StreamArn", arn}})["StreamDescription"]["Shards"][0]["ShardId"];
  }
  std::string iterator(const std::string& arn, const std::string& type, const std::string& seq = "") {
    json in = {{"StreamArn", arn}, {"ShardId", shard(arn)}, {"ShardIteratorType", type}};
    if (!seq.empty()) in["SequenceNumber"] = seq;
    return sok("GetShardIterator", in)["ShardIterator"];
  }
  json records(const std::string& it, int limit = 0) {
    json in = {{"ShardIterator", it}};
    if (limit) in["Limit"] = limit;
    return sok("GetRecords", in);
  }
  json scan(const std::string& table) {
    auto items = ok("Scan", {{"TableName", table}})["Items"];
    std::sort(items.begin(), items.end(), [](const json& a, const json& b) { return a.dump() < b.dump(); });
    return items;
  }

  std::unique_ptr<awan::Service> streams_;
};

TEST_F(StreamsTest, RecordsForInsertModifyRemoveAndNoChangeWrites) {
  std::string arn = create();
  EXPECT_EQ(arn.rfind("arn:aws:dynamodb:us-east-1:000000000000:table/Tbl/stream/2023-11-14T22:13:20.000", 0), 0u) << arn;
  auto d = ok("DescribeTable", {{"TableName", "Tbl"}})["Table"];
  EXPECT_EQ(d["LatestStreamArn"], arn);
  EXPECT_EQ(d["LatestStreamLabel"], "2023-11-14T22:13:20.000");
  EXPECT_EQ(d["StreamSpecification"]["StreamViewType"], "NEW_AND_OLD_IMAGES");
  std::string it = iterator(arn, "TRIM_HORIZON");
  put(item("a", 1, "x"));
  put(item("a", 1, "x"));  // no change: no record
  ok("UpdateItem", {{"TableName", "Tbl"},
                    {"Key", {{"pk", {{"S", "a"}}}, {"sk", {{"N", "1"}}}}},
                    {"UpdateExpression", "SET v = :v"},
                    {"ExpressionAttributeValues", {{":v", {{"S", "x"}}}}}});  // no change either
  put(item("a", 1, "y"));
  del("a", 1);
  del("a", 1);  // nothing to delete: no record
  auto out = records(it);
  auto& r = out["Records"];
  ASSERT_EQ(r.size(), 3u) << out.dump();
  EXPECT_EQ(r[0]["eventName"], "INSERT");
  EXPECT_EQ(r[1]["eventName"], "MODIFY");
  EXPECT_EQ(r[2]["eventName"], "REMOVE");
  EXPECT_EQ(r[0]["eventSource"], "aws:dynamodb");
  EXPECT_EQ(r[0]["eventVersion"], "1.1");
  EXPECT_EQ(r[0]["awsRegion"], "us-east-1");
  EXPECT_FALSE(r[0].contains("userIdentity"));
  EXPECT_EQ(r[0]["dynamodb"]["Keys"], json({{"pk", {{"S", "a"}}}, {"sk", {{"N", "1"}}}}));
  EXPECT_EQ(r[0]["dynamodb"]["NewImage"], item("a", 1, "x"));
  EXPECT_FALSE(r[0]["dynamodb"].contains("OldImage"));
  EXPECT_EQ(r[1]["dynamodb"]["OldImage"], item("a", 1, "x"));
  EXPECT_EQ(r[1]["dynamodb"]["NewImage"], item("a", 1, "y"));
  EXPECT_EQ(r[2]["dynamodb"]["OldImage"], item("a", 1, "y"));
  EXPECT_FALSE(r[2]["dynamodb"].contains("NewImage"));
  EXPECT_EQ(r[0]["dynamodb"]["ApproximateCreationDateTime"], 1700000000.0);
  EXPECT_EQ(r[0]["dynamodb"]["StreamViewType"], "NEW_AND_OLD_IMAGES");
  EXPECT_GT(r[0]["dynamodb"]["SizeBytes"].get<int64_t>(), 0);
  std::string s0 = r[0]["dynamodb"]["SequenceNumber"], s1 = r[1]["dynamodb"]["SequenceNumber"],
              s2 = r[2]["dynamodb"]["SequenceNumber"];
  EXPECT_EQ(s0.size(), 21u);
  EXPECT_LT(s0, s1);
  EXPECT_LT(s1, s2);
  EXPECT_NE(r[0]["eventID"], r[1]["eventID"]);
  // the next iterator of an open shard sees later writes
  ASSERT_TRUE(out.contains("NextShardIterator"));
  put(item("b", 2, "z"));
  auto more = records(out["NextShardIterator"]);
  ASSERT_EQ(more["Records"].size(), 1u);
  EXPECT_EQ(more["Records"][0]["eventName"], "INSERT");
  EXPECT_EQ(records(more["NextShardIterator"])["Records"].size(), 0u);
}

TEST_F(StreamsTest, ViewTypes) {
  for (std::string view : {"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"}) {
    std::string table = "T_" + view;
    std::string arn = create(view, table);
    put(item("a", 1, "x"), table);
    put(item("a", 1, "y"), table);
    auto r = records(iterator(arn, "TRIM_HORIZON"))["Records"];
    ASSERT_EQ(r.size(), 2u) << view;
    const json& m = r[1]["dynamodb"];
    EXPECT_EQ(m["StreamViewType"], view);
    EXPECT_TRUE(m.contains("Keys"));
    EXPECT_EQ(m.contains("NewImage"), view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES") << view;
    EXPECT_EQ(m.contains("OldImage"), view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES") << view;
  }
}

TEST_F(StreamsTest, IteratorTypesAndLimit) {
  std::string arn = create();
  put(item("a", 1, "1"));
  put(item("a", 2, "2"));
  put(item("a", 3, "3"));
  std::string latest = iterator(arn, "LATEST");
  auto all = records(iterator(arn, "TRIM_HORIZON"))["Records"];
  ASSERT_EQ(all.size(), 3u);
  std::string seq2 = all[1]["dynamodb"]["SequenceNumber"];
  auto at = records(iterator(arn, "AT_SEQUENCE_NUMBER", seq2))["Records"];
  ASSERT_EQ(at.size(), 2u);
  EXPECT_EQ(at[0]["dynamodb"]["SequenceNumber"], seq2);
  auto after = records(iterator(arn, "AFTER_SEQUENCE_NUMBER", seq2))["Records"];
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]["dynamodb"]["NewImage"]["v"]["S"], "3");
  EXPECT_EQ(records(latest)["Records"].size(), 0u);
  put(item("a", 4, "4"));
  EXPECT_EQ(records(latest)["Records"].size(), 1u);
  // Limit pages through the shard
  auto page = records(iterator(arn, "TRIM_HORIZON"), 2);
  EXPECT_EQ(page["Records"].size(), 2u);
  auto page2 = records(page["NextShardIterator"], 2);
  EXPECT_EQ(page2["Records"].size(), 2u);
  EXPECT_EQ(page2["Records"][0]["dynamodb"]["SequenceNumber"], all[2]["dynamodb"]["SequenceNumber"]);
  // validation
  auto e = serr("GetShardIterator", {{"StreamArn", arn}, {"ShardId", shard(arn)}, {"ShardIteratorType", "AT_SEQUENCE_NUMBER"}});
  EXPECT_EQ(e.code, "ValidationException");
  e = serr("GetShardIterator", {{"StreamArn", arn}, {"ShardId", shard(arn)}, {"ShardIteratorType", "OLDEST"}});
  EXPECT_EQ(e.code, "ValidationException");
  e = serr("GetShardIterator", {{"StreamArn", arn}, {"ShardId", "shardId-00000000000000000000-00000000"}, {"ShardIteratorType", "LATEST"}});
  EXPECT_EQ(e.code, "ResourceNotFoundException");
  e = serr("GetRecords", {{"ShardIterator", "garbage"}});
  EXPECT_EQ(e.code, "ValidationException");
  std::string forged = latest;
  forged[forged.size() - 1] = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(serr("GetRecords", {{"ShardIterator", forged}}).code, "ValidationException");
  e = serr("GetRecords", {{"ShardIterator", latest}, {"Limit", 1001}});
  EXPECT_EQ(e.message,
            "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value "
            "less than or equal to 1000");
  e = serr("DescribeStream", {{"StreamArn", arn + "x"}});
  EXPECT_EQ(e.code, "ResourceNotFoundException");
}

TEST_F(StreamsTest, IteratorExpiresAfterFifteenMinutes) {
  std::string arn = create();
  std::string it = iterator(arn, "TRIM_HORIZON");
  clock_.advance(15min);
  EXPECT_EQ(records(it)["Records"].size(), 0u);
  clock_.advance(1ms);
  auto e = serr("GetRecords", {{"ShardIterator", it}});
  EXPECT_EQ(e.code, "ExpiredIteratorException");
  EXPECT_NE(e.message.find("Iterator expired. The iterator was created at time Tue Nov 14 22:13:20 UTC 2023"),
            std::string::npos)
      << e.message;
}

TEST_F(StreamsTest, RecordsAreTrimmedAfterTwentyFourHours) {
  std::string arn = create();
  put(item("a", 1, "old"));
  clock_.advance(23h + 50min);
  put(item("a", 2, "new"));
  std::string horizon = iterator(arn, "TRIM_HORIZON");
  auto r = records(horizon)["Records"];
  ASSERT_EQ(r.size(), 2u);
  std::string old_seq = r[0]["dynamodb"]["SequenceNumber"];
  clock_.advance(11min);  // the first record is now older than 24 hours
  auto e = serr("GetRecords", {{"ShardIterator", horizon}});
  EXPECT_EQ(e.code, "TrimmedDataAccessException");
  EXPECT_EQ(e.message, "The operation attempted to read past the oldest stream record in a shard.");
  e = serr("GetShardIterator",
           {{"StreamArn", arn}, {"ShardId", shard(arn)}, {"ShardIteratorType", "AT_SEQUENCE_NUMBER"}, {"SequenceNumber", old_seq}});
  EXPECT_EQ(e.code, "TrimmedDataAccessException");
  // a fresh TRIM_HORIZON starts after the trimmed records
  r = records(iterator(arn, "TRIM_HORIZON"))["Records"];
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["dynamodb"]["NewImage"]["v"]["S"], "new");
}

TEST_F(StreamsTest, IteratorOnRecordsDeletedByTheSweeperIsTrimmed) {
  FakeScheduler sched;
  env_.scheduler = &sched;
  streams_.reset();
  svc_ = awan::dynamodb::make_service(env_);
  streams_ = awan::dynamodb::make_streams_service(*svc_);
  std::string arn = create();
  put(item("a", 1, "old"));
  clock_.advance(23h + 55min);
  put(item("a", 2, "new"));
  std::string horizon = iterator(arn, "TRIM_HORIZON");  // at the old record
  std::string seq1 = records(iterator(arn, "TRIM_HORIZON"))["Records"][0]["dynamodb"]["SequenceNumber"];
  clock_.advance(6min);
  sched.run_one();  // trims the old record from the database
  auto e = serr("GetRecords", {{"ShardIterator", horizon}});
  EXPECT_EQ(e.code, "TrimmedDataAccessException");
  e = serr("GetShardIterator",
           {{"StreamArn", arn}, {"ShardId", shard(arn)}, {"ShardIteratorType", "AFTER_SEQUENCE_NUMBER"}, {"SequenceNumber", seq1}});
  EXPECT_EQ(e.code, "TrimmedDataAccessException");
  e = serr("GetShardIterator",
           {{"StreamArn", arn}, {"ShardId", shard(arn)}, {"ShardIteratorType", "AT_SEQUENCE_NUMBER"}, {"SequenceNumber", seq1}});
  EXPECT_EQ(e.code, "TrimmedDataAccessException");
  auto r = records(iterator(arn, "TRIM_HORIZON"))["Records"];
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["dynamodb"]["NewImage"]["v"]["S"], "new");
}

TEST_F(StreamsTest, DisablingClosesTheStreamAndReEnablingMakesANewOne) {
  std::string arn = create("KEYS_ONLY");
  put(item("a", 1, "x"));
  std::string it = iterator(arn, "TRIM_HORIZON");
  auto e = err("UpdateTable", {{"TableName", "Tbl"}, {"StreamSpecification", {{"StreamEnabled", true}, {"StreamViewType", "NEW_IMAGE"}}}});
  EXPECT_EQ(e.message, "Table already has an enabled stream: TableName: Tbl");
  ok("UpdateTable", {{"TableName", "Tbl"}, {"StreamSpecification", {{"StreamEnabled", false}}}});
  e = err("UpdateTable", {{"TableName", "Tbl"}, {"StreamSpecification", {{"StreamEnabled", false}}}});
  EXPECT_EQ(e.message, "Table has no stream to disable: TableName: Tbl");
  put(item("a", 2, "not streamed"));
  auto td = ok("DescribeTable", {{"TableName", "Tbl"}})["Table"];
  EXPECT_FALSE(td.contains("StreamSpecification"));
  EXPECT_EQ(td["LatestStreamArn"], arn);  // kept after disabling
  auto d = sok("DescribeStream", {{"StreamArn", arn}})["StreamDescription"];
  EXPECT_EQ(d["StreamStatus"], "DISABLED");
  EXPECT_EQ(d["TableName"], "Tbl");
  EXPECT_EQ(d["KeySchema"][0]["AttributeName"], "pk");
  ASSERT_TRUE(d["Shards"][0]["SequenceNumberRange"].contains("EndingSequenceNumber"));
  auto out = records(it);
  EXPECT_EQ(out["Records"].size(), 1u);
  EXPECT_FALSE(out.contains("NextShardIterator"));  // closed shard, read to its end
  clock_.advance(1s);
  ok("UpdateTable", {{"TableName", "Tbl"}, {"StreamSpecification", {{"StreamEnabled", true}, {"StreamViewType", "NEW_IMAGE"}}}});
  std::string arn2 = ok("DescribeTable", {{"TableName", "Tbl"}})["Table"]["LatestStreamArn"];
  EXPECT_NE(arn2, arn);
  EXPECT_EQ(sok("DescribeStream", {{"StreamArn", arn2}})["StreamDescription"]["StreamStatus"], "ENABLED");
  put(item("a", 3, "streamed"));
  auto r = records(iterator(arn2, "TRIM_HORIZON"))["Records"];
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["dynamodb"]["NewImage"]["v"]["S"], "streamed");
  // ListStreams: both, per table, paginated
  create("NEW_IMAGE", "Ubl");
  EXPECT_EQ(sok("ListStreams", json::object())["Streams"].size(), 3u);
  auto l = sok("ListStreams", {{"TableName", "Tbl"}, {"Limit", 1}});
  ASSERT_EQ(l["Streams"].size(), 1u);
  EXPECT_EQ(l["Streams"][0]["StreamArn"], arn);
  auto l2 = sok("ListStreams", {{"TableName", "Tbl"}, {"ExclusiveStartStreamArn", l["LastEvaluatedStreamArn"]}});
  ASSERT_EQ(l2["Streams"].size(), 1u);
  EXPECT_EQ(l2["Streams"][0]["StreamArn"], arn2);
  EXPECT_FALSE(l2.contains("LastEvaluatedStreamArn"));
  EXPECT_EQ(serr("ListStreams", {{"TableName", "Nope"}}).code, "ResourceNotFoundException");
}

TEST_F(StreamsTest, BatchAndTransactionWritesMakeOneRecordPerChangedItem) {
  std::string arn = create();
  put(item("a", 1, "x"));
  json writes = json::array();
  writes.push_back({{"PutRequest", {{"Item", item("a", 1, "x")}}}});  // unchanged
  writes.push_back({{"PutRequest", {{"Item", item("a", 2, "y")}}}});
  writes.push_back({{"PutRequest", {{"Item", item("a", 3, "z")}}}});
  json batch = {{"RequestItems", json::object()}};
  batch["RequestItems"]["Tbl"] = writes;
  ok("BatchWriteItem", batch);
  json tx = json::array();
  tx.push_back({{"Put", {{"TableName", "Tbl"}, {"Item", item("b", 1, "t")}}}});
  json key = {{"pk", {{"S", "a"}}}, {"sk", {{"N", "2"}}}};
  tx.push_back({{"Delete", {{"TableName", "Tbl"}, {"Key", key}}}});
  ok("TransactWriteItems", {{"TransactItems", tx}});
  auto r = records(iterator(arn, "TRIM_HORIZON"))["Records"];
  ASSERT_EQ(r.size(), 5u);
  std::vector<std::string> names;
  for (const auto& x : r) names.push_back(x["eventName"]);
  EXPECT_EQ(names, (std::vector<std::string>{"INSERT", "INSERT", "INSERT", "INSERT", "REMOVE"}));
}

TEST_F(StreamsTest, TtlSweepDeletesExpiredNumbersOnly) {
  std::string arn = create();
  auto e = err("UpdateTimeToLive", {{"TableName", "Tbl"}, {"TimeToLiveSpecification", {{"Enabled", false}, {"AttributeName", "exp"}}}});
  EXPECT_EQ(e.code, "ValidationException");
  ok("UpdateTimeToLive", {{"TableName", "Tbl"}, {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "exp"}}}});
  e = err("UpdateTimeToLive", {{"TableName", "Tbl"}, {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "exp"}}}});
  EXPECT_EQ(e.message, "TimeToLive is already enabled");
  e = err("UpdateTimeToLive", {{"TableName", "Tbl"}, {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "other"}}}});
  EXPECT_EQ(e.message, "TimeToLive is active on a different AttributeName: current AttributeName is exp");
  auto with = [&](int sk, json exp) {
    json it = item("a", sk, "v");
    if (!exp.is_null()) it["exp"] = exp;
    put(it);
  };
  with(1, {{"N", "1700000100"}});                 // expires in 100 s
  with(2, {{"N", "1700000500.5"}});               // expires in 500.5 s
  with(3, {{"S", "1600000000"}});                 // a string: ignored
  with(4, nullptr);                               // no attribute
  with(5, {{"N", "1500000000"}});                 // more than five years ago: ignored
  with(6, {{"N", "1699999999"}});                 // already expired
  std::string it = iterator(arn, "LATEST");
  // expired but not yet swept: still returned
  EXPECT_TRUE(ok("GetItem", {{"TableName", "Tbl"}, {"Key", {{"pk", {{"S", "a"}}}, {"sk", {{"N", "6"}}}}}}).contains("Item"));
  int status = 0;
  json out;
  ASSERT_TRUE(svc_->internal_endpoint("POST", "expire", "", status, out));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(out["deleted"], 1);
  clock_.advance(101s);
  ASSERT_TRUE(svc_->internal_endpoint("POST", "expire", "", status, out));
  EXPECT_EQ(out["deleted"], 1);
  ASSERT_TRUE(svc_->internal_endpoint("POST", "expire", "", status, out));
  EXPECT_EQ(out["deleted"], 0);
  EXPECT_EQ(ok("Scan", {{"TableName", "Tbl"}})["Count"], 4);
  auto r = records(it)["Records"];
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["eventName"], "REMOVE");
  EXPECT_EQ(r[0]["userIdentity"], json({{"PrincipalId", "dynamodb.amazonaws.com"}, {"Type", "Service"}}));
  EXPECT_EQ(r[0]["dynamodb"]["Keys"]["sk"]["N"], "6");
  EXPECT_EQ(r[1]["dynamodb"]["Keys"]["sk"]["N"], "1");
  EXPECT_FALSE(svc_->internal_endpoint("POST", "nothing", "", status, out));
}

TEST_F(StreamsTest, TtlIndexFollowsWritesAndSettings) {
  create("");
  ok("UpdateTimeToLive", {{"TableName", "Tbl"}, {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "exp"}}}});
  auto with = [&](int sk, json extra) {
    json it = item("a", sk, "v");
    for (auto& [k, v] : extra.items()) it[k] = v;
    put(it);
  };
  auto sweep = [&] {
    int status = 0;
    json out;
    EXPECT_TRUE(svc_->internal_endpoint("POST", "expire", "", status, out));
    return out["deleted"].get<int64_t>();
  };
  with(1, {{"exp", {{"N", "1700000050"}}}});
  with(2, {{"exp", {{"N", "1700000050"}}}});
  with(3, {{"exp", {{"N", "1700000050"}}}, {"alt", {{"N", "1700000010"}}}});
  EXPECT_EQ(sweep(), 0);  // builds the index; nothing expired yet
  with(1, {{"exp", {{"N", "1800000000"}}}});  // pushed into the future after indexing
  with(2, json::object());                    // attribute removed
  with(4, {{"exp", {{"N", "1700000020"}}}});   // written after indexing
  clock_.advance(60s);
  EXPECT_EQ(sweep(), 2);  // items 3 and 4
  EXPECT_EQ(ok("Scan", {{"TableName", "Tbl"}})["Count"], 2);
  // disabling stops expiry; enabling on another attribute re-indexes
  ok("UpdateTimeToLive", {{"TableName", "Tbl"}, {"TimeToLiveSpecification", {{"Enabled", false}, {"AttributeName", "exp"}}}});
  with(5, {{"exp", {{"N", "1600000000"}}}, {"alt", {{"N", "1700000030"}}}});
  EXPECT_EQ(sweep(), 0);
  ok("UpdateTimeToLive", {{"TableName", "Tbl"}, {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "alt"}}}});
  EXPECT_EQ(sweep(), 1);  // item 5 by alt
  EXPECT_EQ(ok("Scan", {{"TableName", "Tbl"}})["Count"], 2);
}

TEST_F(StreamsTest, TtlSweeperRunsOnTheScheduler) {
  FakeScheduler sched;
  env_.scheduler = &sched;
  env_.ttl_interval = 200ms;
  streams_.reset();
  svc_ = awan::dynamodb::make_service(env_);
  ASSERT_EQ(sched.pending.size(), 1u);
  EXPECT_EQ(sched.delays[0], 200ms);
  create("");
  ok("UpdateTimeToLive", {{"TableName", "Tbl"}, {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "exp"}}}});
  json it = item("a", 1, "v");
  it["exp"] = {{"N", "1700000010"}};
  put(it);
  sched.run_one();
  EXPECT_EQ(ok("Scan", {{"TableName", "Tbl"}})["Count"], 1);
  ASSERT_EQ(sched.pending.size(), 1u);  // re-armed
  clock_.advance(11s);
  sched.run_one();
  EXPECT_EQ(ok("Scan", {{"TableName", "Tbl"}})["Count"], 0);
  svc_->shutdown();
  sched.run_one();  // stopped: does not re-arm
  EXPECT_EQ(sched.pending.size(), 0u);
}

TEST_F(StreamsTest, PointInTimeRecoveryRestoresEachSecond) {
  create("");
  auto e = err("RestoreTableToPointInTime", {{"SourceTableName", "Tbl"}, {"TargetTableName", "Rtb"}, {"UseLatestRestorableTime", true}});
  EXPECT_EQ(e.code, "PointInTimeRecoveryUnavailableException");
  auto d = ok("DescribeContinuousBackups", {{"TableName", "Tbl"}})["ContinuousBackupsDescription"];
  EXPECT_EQ(d["ContinuousBackupsStatus"], "ENABLED");
  EXPECT_EQ(d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "DISABLED");
  EXPECT_EQ(err("DescribeContinuousBackups", {{"TableName", "Nope"}}).code, "TableNotFoundException");
  put(item("pre", 1, "before pitr"));
  d = ok("UpdateContinuousBackups", {{"TableName", "Tbl"}, {"PointInTimeRecoverySpecification", {{"PointInTimeRecoveryEnabled", true}}}})
          ["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"];
  EXPECT_EQ(d["PointInTimeRecoveryStatus"], "ENABLED");
  EXPECT_EQ(d["EarliestRestorableDateTime"], 1700000000.0);
  EXPECT_EQ(d["RecoveryPeriodInDays"], 35);
  std::vector<json> snapshots;  // state at 1700000000 + i + 1
  for (int i = 0; i < 5; ++i) {
    clock_.advance(200ms);
    put(item("k", i, std::string("v").append(std::to_string(i))));
    if (i > 0) put(item("k", i - 1, std::string("changed").append(std::to_string(i))));
    if (i > 1) del("k", i - 2);
    if (i == 3) del("pre", 1);
    clock_.advance(800ms);
    snapshots.push_back(scan("Tbl"));
  }
  clock_.advance(1s);
  for (int i = 0; i < 5; ++i) {
    std::string target = "Res" + std::to_string(i);
    auto r = ok("RestoreTableToPointInTime", {{"SourceTableName", "Tbl"}, {"TargetTableName", target},
                                              {"RestoreDateTime", 1700000000 + i + 1}})["TableDescription"];
    EXPECT_EQ(r["TableName"], target);
    EXPECT_EQ(r["RestoreSummary"]["SourceTableArn"], "arn:aws:dynamodb:us-east-1:000000000000:table/Tbl");
    EXPECT_EQ(scan(target), snapshots[i]) << "second " << i;
  }
  ok("RestoreTableToPointInTime", {{"SourceTableArn", "arn:aws:dynamodb:us-east-1:000000000000:table/Tbl"},
                                   {"TargetTableName", "Latest"}, {"UseLatestRestorableTime", true}});
  EXPECT_EQ(scan("Latest"), scan("Tbl"));
  EXPECT_EQ(ok("DescribeTable", {{"TableName", "Latest"}})["Table"]["RestoreSummary"]["RestoreInProgress"], false);
  e = err("RestoreTableToPointInTime", {{"SourceTableName", "Tbl"}, {"TargetTableName", "Res0"}, {"UseLatestRestorableTime", true}});
  EXPECT_EQ(e.code, "TableAlreadyExistsException");
  e = err("RestoreTableToPointInTime", {{"SourceTableName", "Tbl"}, {"TargetTableName", "Xtb"}, {"RestoreDateTime", 1699999990}});
  EXPECT_EQ(e.code, "InvalidRestoreTimeException");
  e = err("RestoreTableToPointInTime", {{"SourceTableName", "Tbl"}, {"TargetTableName", "Xtb"}, {"RestoreDateTime", 1800000000}});
  EXPECT_EQ(e.code, "InvalidRestoreTimeException");
  e = err("RestoreTableToPointInTime", {{"SourceTableName", "Nope"}, {"TargetTableName", "Xtb"}, {"UseLatestRestorableTime", true}});
  EXPECT_EQ(e.code, "TableNotFoundException");
  // disabling drops the history
  ok("UpdateContinuousBackups", {{"TableName", "Tbl"}, {"PointInTimeRecoverySpecification", {{"PointInTimeRecoveryEnabled", false}}}});
  e = err("RestoreTableToPointInTime", {{"SourceTableName", "Tbl"}, {"TargetTableName", "Xtb"}, {"UseLatestRestorableTime", true}});
  EXPECT_EQ(e.code, "PointInTimeRecoveryUnavailableException");
}

TEST_F(StreamsTest, RecoveryPeriodBoundsRestoresAndTheLogIsTrimmed) {
  FakeScheduler sched;
  env_.scheduler = &sched;
  streams_.reset();
  svc_ = awan::dynamodb::make_service(env_);
  create("");
  auto d = ok("UpdateContinuousBackups", {{"TableName", "Tbl"},
                                         {"PointInTimeRecoverySpecification",
                                          {{"PointInTimeRecoveryEnabled", true}, {"RecoveryPeriodInDays", 1}}}})
               ["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"];
  EXPECT_EQ(d["RecoveryPeriodInDays"], 1);
  auto e = err("UpdateContinuousBackups", {{"TableName", "Tbl"},
                                           {"PointInTimeRecoverySpecification",
                                            {{"PointInTimeRecoveryEnabled", true}, {"RecoveryPeriodInDays", 36}}}});
  EXPECT_EQ(e.code, "ValidationException");
  for (int day = 0; day < 3; ++day) {
    put(item("k", day, "day" + std::to_string(day)));
    put(item("k", 100, "latest" + std::to_string(day)));
    clock_.advance(day < 2 ? 24h : 12h);
  }
  sched.run_one();  // the sweeper trims the log to the recovery period
  d = ok("DescribeContinuousBackups", {{"TableName", "Tbl"}})["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"];
  double now = 1700000000.0 + 60 * 3600;
  EXPECT_EQ(d["EarliestRestorableDateTime"], now - 86400);
  EXPECT_EQ(d["LatestRestorableDateTime"], now);
  e = err("RestoreTableToPointInTime", {{"SourceTableName", "Tbl"}, {"TargetTableName", "Old"}, {"RestoreDateTime", now - 86400 - 10}});
  EXPECT_EQ(e.code, "InvalidRestoreTimeException");
  // before day 2's writes (12 h after the earliest restorable time): undone from the trimmed log
  ok("RestoreTableToPointInTime", {{"SourceTableName", "Tbl"}, {"TargetTableName", "Before"}, {"RestoreDateTime", now - 86400 + 1}});
  auto items = scan("Before");
  ASSERT_EQ(items.size(), 3u);
  for (const auto& it : items) {
    if (it["sk"]["N"] == "100") {
      EXPECT_EQ(it["v"]["S"], "latest1");
    }
  }
  ok("RestoreTableToPointInTime", {{"SourceTableName", "Tbl"}, {"TargetTableName", "After"}, {"UseLatestRestorableTime", true}});
  EXPECT_EQ(scan("After"), scan("Tbl"));
  EXPECT_EQ(scan("After").size(), 4u);
}

TEST_F(StreamsTest, DeletedTableStreamStaysReadable) {
  std::string arn = create();
  put(item("a", 1, "x"));
  ok("DeleteTable", {{"TableName", "Tbl"}});
  EXPECT_EQ(sok("DescribeStream", {{"StreamArn", arn}})["StreamDescription"]["StreamStatus"], "DISABLED");
  auto out = records(iterator(arn, "TRIM_HORIZON"));
  ASSERT_EQ(out["Records"].size(), 1u);
  EXPECT_FALSE(out.contains("NextShardIterator"));
  // a new table of the same name gets a new stream; the old one sees none of its writes
  std::string arn2 = create();
  EXPECT_NE(arn2, arn);
  put(item("b", 1, "y"));
  EXPECT_EQ(records(iterator(arn, "TRIM_HORIZON"))["Records"].size(), 1u);
  EXPECT_EQ(records(iterator(arn2, "TRIM_HORIZON"))["Records"].size(), 1u);
}

TEST_F(StreamsTest, HashOnlyTableTtlAndRestore) {
  ok("CreateTable", {{"TableName", "Hash"},
                     {"AttributeDefinitions", {{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
                     {"KeySchema", {{{"AttributeName", "id"}, {"KeyType", "HASH"}}}},
                     {"BillingMode", "PAY_PER_REQUEST"},
                     {"StreamSpecification", {{"StreamEnabled", true}, {"StreamViewType", "KEYS_ONLY"}}}});
  ok("UpdateContinuousBackups", {{"TableName", "Hash"}, {"PointInTimeRecoverySpecification", {{"PointInTimeRecoveryEnabled", true}}}});
  ok("UpdateTimeToLive", {{"TableName", "Hash"}, {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "exp"}}}});
  for (int i = 0; i < 3; ++i)
    ok("PutItem", {{"TableName", "Hash"}, {"Item", {{"id", {{"S", std::to_string(i)}}}, {"exp", {{"N", "1700000005"}}}}}});
  clock_.advance(2s);
  json before = scan("Hash");
  clock_.advance(8s);
  int status = 0;
  json out;
  ASSERT_TRUE(svc_->internal_endpoint("POST", "expire", "", status, out));
  EXPECT_EQ(out["deleted"], 3);
  EXPECT_EQ(scan("Hash").size(), 0u);
  ok("RestoreTableToPointInTime", {{"SourceTableName", "Hash"}, {"TargetTableName", "HashBack"}, {"RestoreDateTime", 1700000002}});
  EXPECT_EQ(scan("HashBack"), before);
  EXPECT_EQ(before.size(), 3u);
}

TEST_F(StreamsTest, BackupRoundTrip) {
  create("");
  for (int i = 0; i < 10; ++i) put(item("k", i, "v"));
  json snapshot = scan("Tbl");
  auto b = ok("CreateBackup", {{"TableName", "Tbl"}, {"BackupName", "first"}})["BackupDetails"];
  std::string arn = b["BackupArn"];
  EXPECT_EQ(arn.rfind("arn:aws:dynamodb:us-east-1:000000000000:table/Tbl/backup/01700000000000-", 0), 0u) << arn;
  EXPECT_EQ(b["BackupType"], "USER");
  clock_.advance(10s);
  ok("CreateBackup", {{"TableName", "Tbl"}, {"BackupName", "second"}});
  del("k", 0);
  put(item("k", 1, "changed"));
  auto d = ok("DescribeBackup", {{"BackupArn", arn}})["BackupDescription"];
  EXPECT_EQ(d["BackupDetails"]["BackupStatus"], "AVAILABLE");
  EXPECT_EQ(d["SourceTableDetails"]["ItemCount"], 10);
  EXPECT_EQ(d["SourceTableDetails"]["TableName"], "Tbl");
  auto l = ok("ListBackups", {{"TableName", "Tbl"}, {"Limit", 1}});
  ASSERT_EQ(l["BackupSummaries"].size(), 1u);
  EXPECT_EQ(l["BackupSummaries"][0]["BackupArn"], arn);
  auto l2 = ok("ListBackups", {{"ExclusiveStartBackupArn", l["LastEvaluatedBackupArn"]}});
  ASSERT_EQ(l2["BackupSummaries"].size(), 1u);
  EXPECT_EQ(l2["BackupSummaries"][0]["BackupName"], "second");
  EXPECT_EQ(ok("ListBackups", {{"TimeRangeLowerBound", 1700000005}})["BackupSummaries"].size(), 1u);
  EXPECT_EQ(ok("ListBackups", {{"TimeRangeUpperBound", 1700000005}})["BackupSummaries"].size(), 1u);
  auto r = ok("RestoreTableFromBackup", {{"BackupArn", arn}, {"TargetTableName", "Copy"}})["TableDescription"];
  EXPECT_EQ(r["RestoreSummary"]["SourceBackupArn"], arn);
  EXPECT_EQ(scan("Copy"), snapshot);
  EXPECT_EQ(err("RestoreTableFromBackup", {{"BackupArn", arn}, {"TargetTableName", "Copy"}}).code, "TableAlreadyExistsException");
  EXPECT_EQ(ok("DeleteBackup", {{"BackupArn", arn}})["BackupDescription"]["BackupDetails"]["BackupStatus"], "DELETED");
  EXPECT_EQ(err("DescribeBackup", {{"BackupArn", arn}}).code, "BackupNotFoundException");
  EXPECT_EQ(err("CreateBackup", {{"TableName", "Nope"}, {"BackupName", "x12"}}).code, "TableNotFoundException");
}

TEST_F(StreamsTest, ResetDropsStreams) {
  std::string arn = create();
  put(item("a", 1, "x"));
  svc_->reset();
  EXPECT_EQ(serr("DescribeStream", {{"StreamArn", arn}}).code, "ResourceNotFoundException");
  EXPECT_EQ(sok("ListStreams", json::object())["Streams"].size(), 0u);
}

TEST_F(StreamsTest, StreamsServiceFailsOnceDynamoDbIsGone) {
  std::string arn = create();
  svc_.reset();
  auto r = streams_->call(ctx_, "DescribeStream", {{"StreamArn", arn}});
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error->code, "InternalFailure");
}

}  // namespace
