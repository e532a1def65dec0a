// DynamoDB global tables (both versions), replication passes, table classes, the billing-mode
// switch rule and --enforce-throughput, against an injected clock. The replication worker
// thread does not run here (no scheduler): each test runs passes with POST
// /_awan/dynamodb/replicate.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include <unistd.h>

#include "dynamodb/throughput.hpp"
#include "service_fixture.hpp"

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

class GlobalTablesTest : public awan::dynamodb::test_support::ServiceFixture {
 protected:
  void SetUp() override {
    use_manual_clock();
    ServiceFixture::SetUp();
    west_ = ctx_;
    west_.region = "us-west-2";
    eu_ = ctx_;
    eu_.region = "eu-west-1";
  }

  json ok_in(const awan::RequestContext& c, const std::string& op, json in) {
    return awan::dynamodb::test_support::call_ok(*svc_, c, op, std::move(in));
  }
  awan::AwsError err_in(const awan::RequestContext& c, const std::string& op, json in) {
    return awan::dynamodb::test_support::call_err(*svc_, c, op, std::move(in));
  }
  void create(const awan::RequestContext& c, const std::string& name = "Music", bool stream = false,
              const std::string& billing = "PAY_PER_REQUEST") {
    json in = {{"TableName", name},
               {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
               {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
               {"BillingMode", billing}};
    if (billing == "PROVISIONED") in["ProvisionedThroughput"] = {{"ReadCapacityUnits", 1}, {"WriteCapacityUnits", 1}};
    if (stream) in["StreamSpecification"] = {{"StreamEnabled", true}, {"StreamViewType", "NEW_AND_OLD_IMAGES"}};
    ok_in(c, "CreateTable", in);
  }
  int64_t replicate() {
    int status = 0;
    json out;
    EXPECT_TRUE(svc_->internal_endpoint("POST", "replicate", "", status, out));
    return out.value("applied", int64_t{-1});
  }
  // A replica in `region` of table T (us-east-1), ACTIVE.
  void add_replica(const std::string& region) {
    ok("UpdateTable", {{"TableName", "Music"}, {"ReplicaUpdates", {{{"Create", {{"RegionName", region}}}}}}});
    replicate();
    clock_.advance(150ms);
    replicate();
  }
  void put(const awan::RequestContext& c, const std::string& pk, const std::string& v) {
    ok_in(c, "PutItem", {{"TableName", "Music"}, {"Item", {{"pk", {{"S", pk}}}, {"v", {{"S", v}}}}}});
  }
  json get(const awan::RequestContext& c, const std::string& pk) {
    return ok_in(c, "GetItem", {{"TableName", "Music"}, {"Key", {{"pk", {{"S", pk}}}}}}).value("Item", json());
  }
  json table(const awan::RequestContext& c, const std::string& name = "Music") {
    return ok_in(c, "DescribeTable", {{"TableName", name}})["Table"];
  }

  awan::RequestContext west_, eu_;
};

TEST_F(GlobalTablesTest, CreatingAReplicaCopiesTheTableAndItsItems) {
  create(ctx_);
  put(ctx_, "a", "1");
  json r = ok("UpdateTable", {{"TableName", "Music"}, {"ReplicaUpdates", {{{"Create", {{"RegionName", "us-west-2"}}}}}}});
  json d = r["TableDescription"];
  EXPECT_EQ(d["GlobalTableVersion"], "2019.11.21");
  ASSERT_EQ(d["Replicas"].size(), 1u);
  EXPECT_EQ(d["Replicas"][0]["RegionName"], "us-west-2");
  EXPECT_EQ(d["Replicas"][0]["ReplicaStatus"], "CREATING");
  EXPECT_EQ(d["StreamSpecification"]["StreamViewType"], "NEW_AND_OLD_IMAGES");  // enabled for the replica
  EXPECT_EQ(table(ctx_)["TableStatus"], "UPDATING");
  replicate();
  EXPECT_EQ(get(west_, "a")["v"]["S"], "1");
  json w = table(west_);
  EXPECT_EQ(w["TableStatus"], "CREATING");
  EXPECT_EQ(w["TableArn"], "arn:aws:dynamodb:us-west-2:000000000000:table/Music");
  EXPECT_EQ(w["Replicas"][0]["RegionName"], "us-east-1");
  EXPECT_EQ(w["KeySchema"], table(ctx_)["KeySchema"]);
  clock_.advance(150ms);
  replicate();
  d = table(ctx_);
  EXPECT_EQ(d["Replicas"][0]["ReplicaStatus"], "ACTIVE");
  EXPECT_EQ(d["Replicas"][0]["ReplicaTableClassSummary"]["TableClass"], "STANDARD");
  EXPECT_EQ(d["TableStatus"], "ACTIVE");
}

TEST_F(GlobalTablesTest, ReplicaUpdatesAreValidatedWithAwsMessages) {
  create(ctx_);
  auto replica = [&](const char* kind, const std::string& region) {
    return json{{"TableName", "Music"}, {"ReplicaUpdates", {{{kind, {{"RegionName", region}}}}}}};
  };
  EXPECT_EQ(err("UpdateTable", replica("Create", "us-east-1")).message,
            "Cannot add, delete, or update the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or "
            "UpdateTable as required.");
  EXPECT_EQ(err("UpdateTable", replica("Create", "mars-north-1")).code, "ValidationException");
  EXPECT_NE(err("UpdateTable", replica("Delete", "us-west-2")).message.find("does not exist"), std::string::npos);
  json twice = {{"TableName", "Music"},
                {"ReplicaUpdates",
                 {{{"Create", {{"RegionName", "us-west-2"}}}}, {{"Delete", {{"RegionName", "us-west-2"}}}}}}};
  EXPECT_NE(err("UpdateTable", twice).message.find("Only one replica update per region"), std::string::npos);
  EXPECT_NE(err("UpdateTable", {{"TableName", "Music"}, {"ReplicaUpdates", json::array()}}).message.find("replicaUpdates"),
            std::string::npos);
  create(west_);  // a table of that name already in the region
  EXPECT_EQ(err("UpdateTable", replica("Create", "us-west-2")).message,
            "Failed to create a the new replica of table with name: 'Music' because one or more replicas already existed "
            "as tables.");
  create(ctx_, "Prov", false, "PROVISIONED");
  json p = replica("Create", "eu-west-1");
  p["TableName"] = "Prov";
  EXPECT_EQ(err("UpdateTable", p).message, "Table write capacity should either be Pay-Per-Request or AutoScaled.");
  EXPECT_FALSE(table(ctx_, "Prov").contains("StreamSpecification"));  // nothing changed
}

TEST_F(GlobalTablesTest, TheTableMustBeActive) {
  create(ctx_);
  ok("UpdateTable", {{"TableName", "Music"}, {"ReplicaUpdates", {{{"Create", {{"RegionName", "us-west-2"}}}}}}});
  auto e = err("UpdateTable", {{"TableName", "Music"}, {"ReplicaUpdates", {{{"Create", {{"RegionName", "eu-west-1"}}}}}}});
  EXPECT_EQ(e.code, "ResourceInUseException");
  EXPECT_EQ(e.message, "Attempt to change a resource which is still in use: Table is being updated: Music");
  replicate();
  clock_.advance(150ms);
  replicate();
  ok("UpdateTable", {{"TableName", "Music"}, {"ReplicaUpdates", {{{"Create", {{"RegionName", "eu-west-1"}}}}}}});
  replicate();
  clock_.advance(150ms);
  replicate();
  json d = table(ctx_);
  EXPECT_EQ(d["Replicas"].size(), 2u);
  EXPECT_EQ(table(eu_)["Replicas"].size(), 2u);
  auto s = err("UpdateTable", {{"TableName", "Music"}, {"StreamSpecification", {{"StreamEnabled", false}}}});
  EXPECT_NE(s.message.find("not allowed on a Global Table"), std::string::npos);
}

TEST_F(GlobalTablesTest, WritesInEachRegionReachTheOthers) {
  create(ctx_);
  add_replica("us-west-2");
  put(ctx_, "east", "1");
  put(west_, "west", "2");
  EXPECT_EQ(replicate(), 2);
  ok_in(west_, "UpdateItem", {{"TableName", "Music"},
                              {"Key", {{"pk", {{"S", "east"}}}}},
                              {"UpdateExpression", "SET w = :w"},
                              {"ExpressionAttributeValues", {{":w", {{"N", "5"}}}}}});
  EXPECT_EQ(replicate(), 1);
  EXPECT_EQ(get(west_, "east")["v"]["S"], "1");
  EXPECT_EQ(get(ctx_, "west")["v"]["S"], "2");
  EXPECT_EQ(get(ctx_, "east")["w"]["N"], "5");
  ok("DeleteItem", {{"TableName", "Music"}, {"Key", {{"pk", {{"S", "west"}}}}}});
  ok_in(west_, "BatchWriteItem", {{"RequestItems", {{"Music", {{{"PutRequest", {{"Item", {{"pk", {{"S", "b"}}}}}}}}}}}}});
  ok("ExecuteStatement", {{"Statement", "INSERT INTO Music VALUE {'pk': 'q'}"}});
  replicate();
  EXPECT_TRUE(get(west_, "west").is_null());
  EXPECT_FALSE(get(ctx_, "b").is_null());
  EXPECT_FALSE(get(west_, "q").is_null());
  EXPECT_EQ(replicate(), 0);  // nothing echoes back
}

TEST_F(GlobalTablesTest, ConflictingWritesConvergeOnTheLastWriter) {
  create(ctx_);
  add_replica("us-west-2");
  put(west_, "k", "west-earlier");
  clock_.advance(5ms);
  put(ctx_, "k", "east-later");
  replicate();
  EXPECT_EQ(get(ctx_, "k")["v"]["S"], "east-later");
  EXPECT_EQ(get(west_, "k")["v"]["S"], "east-later");
  // Same millisecond: the greater region name wins, in both regions.
  put(ctx_, "t", "east");
  put(west_, "t", "west");
  replicate();
  EXPECT_EQ(get(ctx_, "t")["v"]["S"], "west");
  EXPECT_EQ(get(west_, "t")["v"]["S"], "west");
  // A delete is remembered: an older put does not bring the item back.
  put(west_, "d", "old");
  clock_.advance(1ms);
  put(ctx_, "d", "x");
  replicate();
  clock_.advance(1ms);
  ok("DeleteItem", {{"TableName", "Music"}, {"Key", {{"pk", {{"S", "d"}}}}}});
  replicate();
  EXPECT_TRUE(get(west_, "d").is_null());
}

TEST_F(GlobalTablesTest, ALocalWriteAfterAReplicatedOneWinsEvenInTheSameMillisecond) {
  create(ctx_);
  add_replica("ap-south-1");  // a region name smaller than us-east-1
  awan::RequestContext ap = ctx_;
  ap.region = "ap-south-1";
  put(ctx_, "k", "first");
  replicate();
  put(ap, "k", "second");  // same millisecond, after seeing "first"
  replicate();
  EXPECT_EQ(get(ctx_, "k")["v"]["S"], "second");
  EXPECT_EQ(get(ap, "k")["v"]["S"], "second");
}

TEST_F(GlobalTablesTest, DeletingAReplicaLeavesTheOthersServing) {
  create(ctx_);
  add_replica("us-west-2");
  json d = ok("UpdateTable", {{"TableName", "Music"}, {"ReplicaUpdates", {{{"Delete", {{"RegionName", "us-west-2"}}}}}}});
  EXPECT_EQ(d["TableDescription"]["Replicas"][0]["ReplicaStatus"], "DELETING");
  replicate();
  EXPECT_EQ(err_in(west_, "DescribeTable", {{"TableName", "Music"}}).code, "ResourceNotFoundException");
  clock_.advance(150ms);
  replicate();
  d = table(ctx_);
  EXPECT_FALSE(d.contains("Replicas"));
  EXPECT_FALSE(d.contains("GlobalTableVersion"));
  EXPECT_TRUE(d["StreamSpecification"]["StreamEnabled"]);  // the stream stays
  put(ctx_, "x", "1");
  EXPECT_EQ(get(ctx_, "x")["v"]["S"], "1");
}

TEST_F(GlobalTablesTest, DeleteTableInOneRegionKeepsTheOtherReplicas) {
  create(ctx_);
  add_replica("us-west-2");
  add_replica("eu-west-1");
  ok_in(west_, "DeleteTable", {{"TableName", "Music"}});
  json d = table(ctx_);
  ASSERT_EQ(d["Replicas"].size(), 1u);
  EXPECT_EQ(d["Replicas"][0]["RegionName"], "eu-west-1");
  put(ctx_, "a", "1");
  replicate();
  EXPECT_EQ(get(eu_, "a")["v"]["S"], "1");
}

TEST_F(GlobalTablesTest, TtlDeletesReplicate) {
  create(ctx_);
  ok("UpdateTimeToLive", {{"TableName", "Music"}, {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "exp"}}}});
  add_replica("us-west-2");
  ok("PutItem", {{"TableName", "Music"}, {"Item", {{"pk", {{"S", "e"}}}, {"exp", {{"N", "1699999000"}}}}}});
  replicate();
  EXPECT_FALSE(get(west_, "e").is_null());
  int status = 0;
  json out;
  ASSERT_TRUE(svc_->internal_endpoint("POST", "expire", "", status, out));
  replicate();
  EXPECT_TRUE(get(ctx_, "e").is_null());
  EXPECT_TRUE(get(west_, "e").is_null());
}

TEST_F(GlobalTablesTest, IndexesAndTtlStayAlignedAcrossReplicas) {
  create(ctx_);
  add_replica("us-west-2");
  ok_in(west_, "UpdateTable",
        {{"TableName", "Music"},
         {"AttributeDefinitions", {{{"AttributeName", "g"}, {"AttributeType", "S"}}}},
         {"GlobalSecondaryIndexUpdates",
          {{{"Create", {{"IndexName", "byg"},
                        {"KeySchema", {{{"AttributeName", "g"}, {"KeyType", "HASH"}}}},
                        {"Projection", {{"ProjectionType", "ALL"}}}}}}}}});
  ASSERT_TRUE(table(ctx_).contains("GlobalSecondaryIndexes"));
  EXPECT_EQ(table(ctx_)["GlobalSecondaryIndexes"][0]["IndexName"], "byg");
  EXPECT_EQ(table(ctx_)["Replicas"][0]["GlobalSecondaryIndexes"], json::parse(R"([{"IndexName": "byg"}])"));
  ok("UpdateTimeToLive", {{"TableName", "Music"}, {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "exp"}}}});
  json ttl = ok_in(west_, "DescribeTimeToLive", {{"TableName", "Music"}})["TimeToLiveDescription"];
  EXPECT_EQ(ttl["TimeToLiveStatus"], "ENABLED");
  EXPECT_EQ(ttl["AttributeName"], "exp");
}

TEST(GlobalTablesPersistence, ReplicationResumesAfterARestartAndAppliesEachWriteOnce) {
  auto dir = std::filesystem::temp_directory_path() / ("awan_ddb_global_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  awan::ManualClock clock;
  awan::ServiceEnv env;
  env.data_dir = dir.string();
  env.clock = &clock;
  awan::RequestContext east, west;
  east.clock = west.clock = &clock;
  west.region = "us-west-2";
  auto replicate = [](awan::Service& s) {
    int status = 0;
    json out;
    s.internal_endpoint("POST", "replicate", "", status, out);
    return out.value("applied", int64_t{-1});
  };
  using awan::dynamodb::test_support::call_ok;
  {
    auto svc = awan::dynamodb::make_service(env);
    call_ok(*svc, east, "CreateTable", {{"TableName", "Music"},
                                        {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
                                        {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
                                        {"BillingMode", "PAY_PER_REQUEST"}});
    call_ok(*svc, east, "UpdateTable", {{"TableName", "Music"}, {"ReplicaUpdates", {{{"Create", {{"RegionName", "us-west-2"}}}}}}});
    replicate(*svc);
    call_ok(*svc, east, "PutItem", {{"TableName", "Music"}, {"Item", {{"pk", {{"S", "a"}}}}}});
    EXPECT_EQ(replicate(*svc), 1);
    call_ok(*svc, east, "PutItem", {{"TableName", "Music"}, {"Item", {{"pk", {{"S", "b"}}}}}});  // not replicated yet
  }
  {
    auto svc = awan::dynamodb::make_service(env);
    clock.advance(std::chrono::milliseconds(150));
    EXPECT_EQ(replicate(*svc), 1);  // only b: a was checkpointed with its apply
    EXPECT_EQ(replicate(*svc), 0);
    json got = call_ok(*svc, west, "GetItem", {{"TableName", "Music"}, {"Key", {{"pk", {{"S", "b"}}}}}});
    EXPECT_TRUE(got.contains("Item"));
    json d = call_ok(*svc, east, "DescribeTable", {{"TableName", "Music"}})["Table"];
    EXPECT_EQ(d["Replicas"][0]["ReplicaStatus"], "ACTIVE");
  }
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------- version 2017.11.29

TEST_F(GlobalTablesTest, LegacyGlobalTableReplicatesWithRepAttributes) {
  create(ctx_, "Music", true);
  create(west_, "Music", true);
  json g = {{"GlobalTableName", "Music"}, {"ReplicationGroup", {{{"RegionName", "us-east-1"}}, {{"RegionName", "us-west-2"}}}}};
  json d = ok("CreateGlobalTable", g)["GlobalTableDescription"];
  EXPECT_EQ(d["GlobalTableStatus"], "CREATING");
  EXPECT_EQ(d["GlobalTableArn"], "arn:aws:dynamodb::000000000000:global-table/Music");
  EXPECT_EQ(d["ReplicationGroup"].size(), 2u);
  EXPECT_EQ(err("CreateGlobalTable", g).code, "GlobalTableAlreadyExistsException");
  put(ctx_, "a", "1");
  replicate();
  json item = get(west_, "a");
  EXPECT_EQ(item["aws:rep:updateregion"]["S"], "us-east-1");
  EXPECT_EQ(item["aws:rep:deleting"]["BOOL"], false);
  EXPECT_EQ(item["aws:rep:updatetime"]["N"], "1700000000.000");
  EXPECT_EQ(ok("DescribeGlobalTable", {{"GlobalTableName", "Music"}})["GlobalTableDescription"]["GlobalTableStatus"], "ACTIVE");
  json list = ok("ListGlobalTables", json::object());
  ASSERT_EQ(list["GlobalTables"].size(), 1u);
  EXPECT_EQ(list["GlobalTables"][0]["GlobalTableName"], "Music");
  EXPECT_EQ(ok("ListGlobalTables", {{"RegionName", "eu-west-1"}})["GlobalTables"].size(), 0u);
  EXPECT_FALSE(table(ctx_).contains("Replicas"));
}

TEST_F(GlobalTablesTest, LegacyErrors) {
  EXPECT_EQ(err("DescribeGlobalTable", {{"GlobalTableName", "Nope"}}).message,
            "Global table with name 'Nope' does not exist.");
  json g = {{"GlobalTableName", "Music"}, {"ReplicationGroup", {{{"RegionName", "us-east-1"}}}}};
  EXPECT_EQ(err("CreateGlobalTable", g).code, "TableNotFoundException");
  create(ctx_, "Music");  // no stream
  EXPECT_NE(err("CreateGlobalTable", g).message.find("NEW_AND_OLD_IMAGES"), std::string::npos);
  ok("UpdateTable", {{"TableName", "Music"}, {"StreamSpecification", {{"StreamEnabled", true}, {"StreamViewType", "NEW_AND_OLD_IMAGES"}}}});
  ok("CreateGlobalTable", g);
  auto upd = [&](const char* kind, const char* region) {
    return json{{"GlobalTableName", "Music"}, {"ReplicaUpdates", {{{kind, {{"RegionName", region}}}}}}};
  };
  EXPECT_EQ(err("UpdateGlobalTable", upd("Create", "us-east-1")).code, "ReplicaAlreadyExistsException");
  EXPECT_EQ(err("UpdateGlobalTable", upd("Delete", "eu-west-1")).code, "ReplicaNotFoundException");
  EXPECT_EQ(err("UpdateGlobalTable", upd("Create", "eu-west-1")).code, "TableNotFoundException");
  EXPECT_EQ(err("UpdateGlobalTableSettings", {{"GlobalTableName", "Music"}, {"ReplicaSettingsUpdate", {{{"RegionName", "eu-west-1"}}}}}).code,
            "ReplicaNotFoundException");
  // The 2019 operations do not apply to it, and the 2017 ones do not see 2019 tables.
  EXPECT_EQ(err("UpdateTable", {{"TableName", "Music"}, {"ReplicaUpdates", {{{"Create", {{"RegionName", "eu-west-1"}}}}}}}).code,
            "ValidationException");
  create(ctx_, "Vers");
  ok("UpdateTable", {{"TableName", "Vers"}, {"ReplicaUpdates", {{{"Create", {{"RegionName", "eu-west-1"}}}}}}});
  EXPECT_EQ(err("DescribeGlobalTable", {{"GlobalTableName", "Vers"}}).code, "GlobalTableNotFoundException");
}

TEST_F(GlobalTablesTest, LegacyAddAndRemoveReplicasAndSettings) {
  create(ctx_, "Music", true);
  create(west_, "Music", true);
  ok("CreateGlobalTable", {{"GlobalTableName", "Music"}, {"ReplicationGroup", {{{"RegionName", "us-east-1"}}, {{"RegionName", "us-west-2"}}}}});
  put(ctx_, "a", "1");
  replicate();
  create(eu_, "Music", true);
  json d = ok("UpdateGlobalTable", {{"GlobalTableName", "Music"}, {"ReplicaUpdates", {{{"Create", {{"RegionName", "eu-west-1"}}}}}}});
  EXPECT_EQ(d["GlobalTableDescription"]["GlobalTableStatus"], "UPDATING");
  EXPECT_FALSE(get(eu_, "a").is_null());  // the existing items were copied
  clock_.advance(150ms);
  replicate();
  json s = ok("UpdateGlobalTableSettings", {{"GlobalTableName", "Music"},
                                           {"ReplicaSettingsUpdate", {{{"RegionName", "eu-west-1"}, {"ReplicaTableClass", "STANDARD_INFREQUENT_ACCESS"}}}}});
  ASSERT_EQ(s["ReplicaSettings"].size(), 3u);
  EXPECT_EQ(s["ReplicaSettings"][0]["RegionName"], "eu-west-1");
  EXPECT_EQ(s["ReplicaSettings"][0]["ReplicaTableClassSummary"]["TableClass"], "STANDARD_INFREQUENT_ACCESS");
  EXPECT_EQ(s["ReplicaSettings"][1]["ReplicaBillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST");
  ok("UpdateGlobalTable", {{"GlobalTableName", "Music"}, {"ReplicaUpdates", {{{"Delete", {{"RegionName", "us-west-2"}}}}}}});
  clock_.advance(150ms);
  replicate();
  EXPECT_EQ(ok("DescribeGlobalTable", {{"GlobalTableName", "Music"}})["GlobalTableDescription"]["ReplicationGroup"].size(), 2u);
  put(ctx_, "b", "2");
  replicate();
  EXPECT_TRUE(get(west_, "b").is_null());  // no longer a replica; still a table
  EXPECT_FALSE(get(eu_, "b").is_null());
}

// ---------------------------------------------------------------- table classes and capacity

TEST_F(GlobalTablesTest, TableClassSwitchIsDescribed) {
  create(ctx_);
  clock_.advance(1s);
  ok("UpdateTable", {{"TableName", "Music"}, {"TableClass", "STANDARD_INFREQUENT_ACCESS"}});
  json s = table(ctx_)["TableClassSummary"];
  EXPECT_EQ(s["TableClass"], "STANDARD_INFREQUENT_ACCESS");
  EXPECT_EQ(s["LastUpdateDateTime"], 1700000001.0);
  EXPECT_NE(err("UpdateTable", {{"TableName", "Music"}, {"TableClass", "GLACIER"}}).message.find("[STANDARD, STANDARD_INFREQUENT_ACCESS]"),
            std::string::npos);
}

TEST_F(GlobalTablesTest, SwitchingToOnDemandIsLimitedToOnceADay) {
  create(ctx_);  // on demand since creation
  ok("UpdateTable", {{"TableName", "Music"}, {"BillingMode", "PROVISIONED"},
                     {"ProvisionedThroughput", {{"ReadCapacityUnits", 5}, {"WriteCapacityUnits", 5}}}});
  auto e = err("UpdateTable", {{"TableName", "Music"}, {"BillingMode", "PAY_PER_REQUEST"}});
  EXPECT_EQ(e.code, "LimitExceededException");
  EXPECT_EQ(e.message,
            "Subscriber limit exceeded: Update to PayPerRequest mode are limited to once in 1 day(s). Last update at "
            "Tue Nov 14 22:13:20 UTC 2023. Next update can be made at Wed Nov 15 22:13:20 UTC 2023");
  clock_.advance(24h);
  ok("UpdateTable", {{"TableName", "Music"}, {"BillingMode", "PAY_PER_REQUEST"}});
}

TEST(ThroughputBuckets, FillAtTheProvisionedRateUpToThreeHundredSeconds) {
  awan::dynamodb::ThroughputBuckets b;
  EXPECT_TRUE(b.admit(1, "", true, 5, 0));  // starts with one second's worth
  b.charge(1, "", true, 5, 5, 0);
  EXPECT_FALSE(b.admit(1, "", true, 5, 0));
  EXPECT_NEAR(b.balance(1, "", true, 5, 200), 1.0, 1e-9);
  EXPECT_NEAR(b.balance(1, "", true, 5, 1'000'000), 1500.0, 1e-9);  // capped at 300 s
  EXPECT_TRUE(b.admit(1, "gsi", true, 1, 0));  // each index has its own bucket
  EXPECT_TRUE(b.admit(1, "", false, 1, 0));    // and reads are apart from writes
}

class ThrottlingTest : public GlobalTablesTest {
 protected:
  void SetUp() override {
    env_.enforce_throughput = true;
    GlobalTablesTest::SetUp();
  }
};

TEST_F(ThrottlingTest, ProvisionedTablesAreThrottledAndRefill) {
  create(ctx_, "Music", false, "PROVISIONED");  // 1 RCU, 1 WCU
  put(ctx_, "a", "1");
  auto e = err("PutItem", {{"TableName", "Music"}, {"Item", {{"pk", {{"S", "b"}}}}}});
  EXPECT_EQ(e.code, "ProvisionedThroughputExceededException");
  EXPECT_EQ(e.message, "The level of configured provisioned throughput for the table was exceeded. Consider increasing "
                       "your provisioning level with the UpdateTable API.");
  clock_.advance(1s);
  put(ctx_, "b", "1");
  json strong = {{"TableName", "Music"}, {"Key", {{"pk", {{"S", "a"}}}}}, {"ConsistentRead", true}};
  ok("GetItem", strong);  // reads have their own bucket
  EXPECT_EQ(err("GetItem", strong).code, "ProvisionedThroughputExceededException");
  clock_.advance(3s);  // three units saved up
  json items = json::array();
  for (const char* k : {"c", "d"}) items.push_back({{"PutRequest", {{"Item", {{"pk", {{"S", k}}}}}}}});
  json out = ok("BatchWriteItem", {{"RequestItems", {{"Music", items}}}});
  EXPECT_TRUE(out["UnprocessedItems"].empty());
}

TEST_F(ThrottlingTest, BatchGetItemReturnsAThrottledTablesKeysUnprocessed) {
  create(ctx_, "Music", false, "PROVISIONED");
  create(ctx_, "Other");  // on demand
  json keys = {{"Keys", {{{"pk", {{"S", "a"}}}}}}, {"ConsistentRead", true}};
  json both = {{"RequestItems", {{"Music", keys}, {"Other", keys}}}};
  EXPECT_TRUE(ok("BatchGetItem", both)["UnprocessedKeys"].empty());  // Music's one unit spent
  json out = ok("BatchGetItem", both);
  EXPECT_EQ(out["UnprocessedKeys"]["Music"]["Keys"], keys["Keys"]);
  EXPECT_TRUE(out["Responses"].contains("Other"));
  EXPECT_EQ(err("BatchGetItem", {{"RequestItems", {{"Music", keys}}}}).code, "ProvisionedThroughputExceededException");
}

TEST_F(ThrottlingTest, OnDemandTablesAreNotThrottled) {
  create(ctx_);
  for (int i = 0; i < 20; ++i) put(ctx_, std::to_string(i) + "k", "v");
}

TEST_F(ThrottlingTest, AnExhaustedGlobalSecondaryIndexThrottlesTableWrites) {
  ok("CreateTable", {{"TableName", "Gsi"},
                     {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}, {{"AttributeName", "g"}, {"AttributeType", "S"}}}},
                     {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
                     {"ProvisionedThroughput", {{"ReadCapacityUnits", 100}, {"WriteCapacityUnits", 100}}},
                     {"GlobalSecondaryIndexes",
                      {{{"IndexName", "byg"},
                        {"KeySchema", {{{"AttributeName", "g"}, {"KeyType", "HASH"}}}},
                        {"Projection", {{"ProjectionType", "ALL"}}},
                        {"ProvisionedThroughput", {{"ReadCapacityUnits", 1}, {"WriteCapacityUnits", 1}}}}}}});
  ok("PutItem", {{"TableName", "Gsi"}, {"Item", {{"pk", {{"S", "a"}}}, {"g", {{"S", "x"}}}}}});
  ok("PutItem", {{"TableName", "Gsi"}, {"Item", {{"pk", {{"S", "b"}}}}}});  // not in the index: charged nothing there
  auto e = err("PutItem", {{"TableName", "Gsi"}, {"Item", {{"pk", {{"S", "c"}}}, {"g", {{"S", "y"}}}}}});
  EXPECT_EQ(e.code, "ProvisionedThroughputExceededException");
  EXPECT_NE(e.message.find("global secondary indexes"), std::string::npos);
  json q = {{"TableName", "Gsi"}, {"IndexName", "byg"}, {"KeyConditionExpression", "g = :g"},
            {"ExpressionAttributeValues", {{":g", {{"S", "x"}}}}}};
  ok("Query", q);  // half a unit each (eventually consistent) from the index's 1 RCU
  ok("Query", q);
  EXPECT_EQ(err("Query", q).code, "ProvisionedThroughputExceededException");
}

}  // namespace
