// Data-plane details: error details (Item, CancellationReasons), item collection metrics,
// unprocessed keys, index status transitions and request limits.
#include <gtest/gtest.h>

#include <chrono>

#include "dynamodb/dynamodb.hpp"
#include "service_fixture.hpp"

using nlohmann::json;

namespace {

class DataPlaneTest : public awan::dynamodb::test_support::ServiceFixture {
 protected:
  void SetUp() override {
    use_manual_clock();
    ServiceFixture::SetUp();
  }

  static json details(const awan::AwsError& e) { return e.details ? *e.details : json(); }

  void create(const std::string& name, bool with_lsi = false) {
    json in = {{"TableName", name},
               {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                                         {{"AttributeName", "sk"}, {"AttributeType", "S"}}}},
               {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}, {{"AttributeName", "sk"}, {"KeyType", "RANGE"}}}},
               {"BillingMode", "PAY_PER_REQUEST"}};
    if (with_lsi) {
      in["AttributeDefinitions"].push_back({{"AttributeName", "alt"}, {"AttributeType", "S"}});
      in["LocalSecondaryIndexes"] = {{{"IndexName", "ByAlt"},
                                      {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                                                     {{"AttributeName", "alt"}, {"KeyType", "RANGE"}}}},
                                      {"Projection", {{"ProjectionType", "ALL"}}}}};
    }
    ok("CreateTable", in);
  }
  static json item(const std::string& pk, const std::string& sk, json extra = json::object()) {
    json i = {{"pk", {{"S", pk}}}, {"sk", {{"S", sk}}}};
    for (auto& [k, v] : extra.items()) i[k] = v;
    return i;
  }
  static json key(const std::string& pk, const std::string& sk) { return item(pk, sk); }
};

TEST_F(DataPlaneTest, ConditionalCheckFailedCarriesItemWhenAskedFor) {
  create("tbl");
  ok("PutItem", {{"TableName", "tbl"}, {"Item", item("a", "1", {{"v", {{"N", "7"}}}})}});
  json put = {{"TableName", "tbl"}, {"Item", item("a", "1")}, {"ConditionExpression", "attribute_not_exists(pk)"}};
  auto plain = err("PutItem", put);
  EXPECT_EQ(plain.code, "ConditionalCheckFailedException");
  EXPECT_EQ(plain.message, "The conditional request failed");
  EXPECT_FALSE(plain.details);
  put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD";
  auto e = err("PutItem", put);
  EXPECT_EQ(details(e)["Item"], item("a", "1", {{"v", {{"N", "7"}}}}));
  auto u = err("UpdateItem", {{"TableName", "tbl"}, {"Key", key("a", "1")}, {"UpdateExpression", "SET v = :v"},
                              {"ConditionExpression", "v = :v"}, {"ExpressionAttributeValues", {{":v", {{"N", "8"}}}}},
                              {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}});
  EXPECT_EQ(details(u)["Item"]["v"], json({{"N", "7"}}));
  auto d = err("DeleteItem", {{"TableName", "tbl"}, {"Key", key("a", "1")}, {"ConditionExpression", "attribute_not_exists(v)"},
                              {"ReturnValuesOnConditionCheckFailure", "NONE"}});
  EXPECT_FALSE(d.details);
  // No item: no Item member even with ALL_OLD.
  auto missing = err("DeleteItem", {{"TableName", "tbl"}, {"Key", key("b", "1")}, {"ConditionExpression", "attribute_exists(v)"},
                                    {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}});
  EXPECT_EQ(missing.code, "ConditionalCheckFailedException");
  EXPECT_FALSE(missing.details);
  auto bad = err("PutItem", {{"TableName", "tbl"}, {"Item", item("a", "1")}, {"ReturnValuesOnConditionCheckFailure", "ALL_NEW"}});
  EXPECT_EQ(bad.message,
            "1 validation error detected: Value 'ALL_NEW' at 'returnValuesOnConditionCheckFailure' failed to satisfy "
            "constraint: Member must satisfy enum value set: [ALL_OLD, NONE]");
}

TEST_F(DataPlaneTest, TransactionCancellationReasons) {
  create("tbl");
  ok("PutItem", {{"TableName", "tbl"}, {"Item", item("a", "1", {{"n", {{"N", "1"}}}})}});
  json in = {{"TransactItems",
              {{{"Put", {{"TableName", "tbl"}, {"Item", item("b", "1")}}}},
               {{"ConditionCheck", {{"TableName", "tbl"}, {"Key", key("a", "1")}, {"ConditionExpression", "n = :two"},
                                    {"ExpressionAttributeValues", {{":two", {{"N", "2"}}}}},
                                    {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}}}},
               {{"Update", {{"TableName", "tbl"}, {"Key", key("c", "1")}, {"UpdateExpression", "SET m = m + :one"},
                            {"ExpressionAttributeValues", {{":one", {{"N", "1"}}}}}}}}}}};
  auto e = err("TransactWriteItems", in);
  EXPECT_EQ(e.code, "TransactionCanceledException");
  EXPECT_EQ(e.message, "Transaction cancelled, please refer cancellation reasons for specific reasons "
                       "[None, ConditionalCheckFailed, ValidationError]");
  json reasons = details(e)["CancellationReasons"];
  ASSERT_EQ(reasons.size(), 3u);
  EXPECT_EQ(reasons[0], json({{"Code", "None"}}));
  EXPECT_EQ(reasons[1]["Code"], "ConditionalCheckFailed");
  EXPECT_EQ(reasons[1]["Message"], "The conditional request failed");
  EXPECT_EQ(reasons[1]["Item"], item("a", "1", {{"n", {{"N", "1"}}}}));
  EXPECT_EQ(reasons[2]["Code"], "ValidationError");
  EXPECT_EQ(reasons[2]["Message"], "The provided expression refers to an attribute that does not exist in the item");
  // Nothing was written.
  EXPECT_FALSE(ok("GetItem", {{"TableName", "tbl"}, {"Key", key("b", "1")}}).contains("Item"));
}

TEST_F(DataPlaneTest, IndexStatusTransitions) {
  create("tbl");
  ok("PutItem", {{"TableName", "tbl"}, {"Item", item("a", "1", {{"g", {{"S", "x"}}}})}});
  json gsi = {{"IndexName", "ByG"},
              {"KeySchema", {{{"AttributeName", "g"}, {"KeyType", "HASH"}}}},
              {"Projection", {{"ProjectionType", "ALL"}}}};
  auto u = ok("UpdateTable", {{"TableName", "tbl"},
                              {"AttributeDefinitions", {{{"AttributeName", "g"}, {"AttributeType", "S"}}}},
                              {"GlobalSecondaryIndexUpdates", {{{"Create", gsi}}}}})["TableDescription"];
  EXPECT_EQ(u["TableStatus"], "UPDATING");
  EXPECT_EQ(u["GlobalSecondaryIndexes"][0]["IndexStatus"], "CREATING");
  EXPECT_EQ(u["GlobalSecondaryIndexes"][0]["Backfilling"], false);
  auto d = ok("DescribeTable", {{"TableName", "tbl"}})["Table"];
  EXPECT_EQ(d["TableStatus"], "ACTIVE");
  EXPECT_EQ(d["GlobalSecondaryIndexes"][0]["IndexStatus"], "CREATING");
  EXPECT_EQ(d["GlobalSecondaryIndexes"][0]["Backfilling"], true);
  json q = {{"TableName", "tbl"}, {"IndexName", "ByG"}, {"KeyConditionExpression", "g = :g"},
            {"ExpressionAttributeValues", {{":g", {{"S", "x"}}}}}};
  EXPECT_EQ(err("Query", q).message, "Cannot read from backfilling global secondary index: ByG");
  clock_.advance(std::chrono::milliseconds(150));
  d = ok("DescribeTable", {{"TableName", "tbl"}})["Table"];
  EXPECT_EQ(d["GlobalSecondaryIndexes"][0]["IndexStatus"], "ACTIVE");
  EXPECT_FALSE(d["GlobalSecondaryIndexes"][0].contains("Backfilling"));
  EXPECT_EQ(ok("Query", q)["Count"], 1);
  // Update and delete are reported UPDATING / DELETING in the response, gone afterwards.
  auto del = ok("UpdateTable", {{"TableName", "tbl"}, {"GlobalSecondaryIndexUpdates", {{{"Delete", {{"IndexName", "ByG"}}}}}}});
  EXPECT_EQ(del["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"], "DELETING");
  EXPECT_FALSE(ok("DescribeTable", {{"TableName", "tbl"}})["Table"].contains("GlobalSecondaryIndexes"));
  // CreateTable shows its indexes CREATING.
  json in = {{"TableName", "tbl2"},
             {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}, {{"AttributeName", "g"}, {"AttributeType", "S"}}}},
             {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
             {"GlobalSecondaryIndexes", {gsi}},
             {"BillingMode", "PAY_PER_REQUEST"}};
  auto c = ok("CreateTable", in)["TableDescription"];
  EXPECT_EQ(c["TableStatus"], "CREATING");
  EXPECT_EQ(c["GlobalSecondaryIndexes"][0]["IndexStatus"], "CREATING");
  EXPECT_EQ(ok("DescribeTable", {{"TableName", "tbl2"}})["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"], "ACTIVE");
  auto missing = err("DescribeTable", {{"TableName", "nope"}});
  EXPECT_EQ(missing.message, "Requested resource not found: Table: nope not found");
  EXPECT_EQ(err("GetItem", {{"TableName", "nope"}, {"Key", key("a", "1")}}).message, "Requested resource not found");
}

TEST_F(DataPlaneTest, ItemCollectionMetrics) {
  create("lsi", true);
  create("plain");
  auto p = ok("PutItem", {{"TableName", "lsi"}, {"Item", item("a", "1", {{"alt", {{"S", "z"}}}})}, {"ReturnItemCollectionMetrics", "SIZE"}});
  EXPECT_EQ(p["ItemCollectionMetrics"], json({{"ItemCollectionKey", {{"pk", {{"S", "a"}}}}}, {"SizeEstimateRangeGB", {0.0, 1.0}}}));
  auto u = ok("UpdateItem", {{"TableName", "lsi"}, {"Key", key("a", "2")}, {"UpdateExpression", "SET v = :v"},
                             {"ExpressionAttributeValues", {{":v", {{"S", "x"}}}}}, {"ReturnItemCollectionMetrics", "SIZE"}});
  EXPECT_EQ(u["ItemCollectionMetrics"]["ItemCollectionKey"], json({{"pk", {{"S", "a"}}}}));
  auto d = ok("DeleteItem", {{"TableName", "lsi"}, {"Key", key("a", "2")}, {"ReturnItemCollectionMetrics", "SIZE"}});
  EXPECT_TRUE(d.contains("ItemCollectionMetrics"));
  EXPECT_FALSE(ok("PutItem", {{"TableName", "lsi"}, {"Item", item("a", "3")}}).contains("ItemCollectionMetrics"));
  EXPECT_FALSE(ok("PutItem", {{"TableName", "plain"}, {"Item", item("a", "1")}, {"ReturnItemCollectionMetrics", "SIZE"}})
                   .contains("ItemCollectionMetrics"));
  auto b = ok("BatchWriteItem", {{"RequestItems", {{"lsi", {{{"PutRequest", {{"Item", item("b", "1")}}}}, {{"PutRequest", {{"Item", item("b", "2")}}}}}},
                                                   {"plain", {{{"PutRequest", {{"Item", item("b", "1")}}}}}}}},
                                 {"ReturnItemCollectionMetrics", "SIZE"}});
  ASSERT_EQ(b["ItemCollectionMetrics"].size(), 1u);
  ASSERT_EQ(b["ItemCollectionMetrics"]["lsi"].size(), 1u);
  EXPECT_EQ(b["ItemCollectionMetrics"]["lsi"][0]["ItemCollectionKey"], json({{"pk", {{"S", "b"}}}}));
  auto t = ok("TransactWriteItems", {{"TransactItems", {{{"Put", {{"TableName", "lsi"}, {"Item", item("c", "1")}}}}}},
                                     {"ReturnItemCollectionMetrics", "SIZE"}});
  EXPECT_EQ(t["ItemCollectionMetrics"]["lsi"][0]["ItemCollectionKey"], json({{"pk", {{"S", "c"}}}}));
  EXPECT_EQ(err("BatchWriteItem", {{"RequestItems", {{"lsi", {{{"PutRequest", {{"Item", item("b", "1")}}}}}}}},
                                   {"ReturnItemCollectionMetrics", "ALL"}}).code,
            "ValidationException");
  // Query and Scan pages count the stored sizes: a 1 MB page holds the same items either way.
  auto q = ok("Query", {{"TableName", "lsi"}, {"KeyConditionExpression", "pk = :p"}, {"ExpressionAttributeValues", {{":p", {{"S", "a"}}}}},
                        {"ReturnConsumedCapacity", "TOTAL"}});
  EXPECT_EQ(q["Count"], 2);
  EXPECT_EQ(q["ConsumedCapacity"]["CapacityUnits"], 0.5);
  auto bad = err("PutItem", {{"TableName", "lsi"}, {"Item", item("a", "1")}, {"ReturnItemCollectionMetrics", "ALL"}});
  EXPECT_EQ(bad.message,
            "1 validation error detected: Value 'ALL' at 'returnItemCollectionMetrics' failed to satisfy constraint: "
            "Member must satisfy enum value set: [SIZE, NONE]");
}

TEST_F(DataPlaneTest, BatchGetReturnsUnprocessedKeysOver16MB) {
  create("tbl");
  std::string blob(390 * 1000, 'x');
  for (int i = 0; i < 50; ++i)
    ok("PutItem", {{"TableName", "tbl"}, {"Item", item("a", std::to_string(100 + i), {{"d", {{"S", blob}}}})}});
  json keys = json::array();
  for (int i = 0; i < 50; ++i) keys.push_back(key("a", std::to_string(100 + i)));
  auto out = ok("BatchGetItem", {{"RequestItems", {{"tbl", {{"Keys", keys}, {"ProjectionExpression", "pk, sk"}}}}}});
  size_t got = out["Responses"]["tbl"].size();
  const json& u = out["UnprocessedKeys"]["tbl"];
  EXPECT_EQ(got, 16u * 1024 * 1024 / (390 * 1000 + 10));  // whole items up to 16 MB
  EXPECT_EQ(got + u["Keys"].size(), 50u);
  EXPECT_EQ(u["ProjectionExpression"], "pk, sk");
  EXPECT_EQ(u["Keys"][0], keys[got]);
  auto again = ok("BatchGetItem", {{"RequestItems", out["UnprocessedKeys"]}});
  EXPECT_EQ(again["Responses"]["tbl"].size(), 50u - got);
  EXPECT_TRUE(again["UnprocessedKeys"].empty());
}

TEST_F(DataPlaneTest, RequestLimits) {
  create("tbl");
  std::string longname = "a" + std::string(4096, 'z');
  auto e = err("GetItem", {{"TableName", "tbl"}, {"Key", key("a", "1")}, {"ProjectionExpression", longname}});
  EXPECT_EQ(e.message, "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size;");
  std::string cond = "attribute_not_exists(" + longname + ")";
  e = err("PutItem", {{"TableName", "tbl"}, {"Item", item("a", "1")}, {"ConditionExpression", cond}});
  EXPECT_EQ(e.message, "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: " +
                           std::to_string(cond.size()));
  e = err("UpdateItem", {{"TableName", "tbl"}, {"Key", key("a", "1")}, {"UpdateExpression", "SET " + longname + " = :v"},
                         {"ExpressionAttributeValues", {{":v", {{"S", "x"}}}}}});
  EXPECT_EQ(e.message, "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;");
  // Exactly 4096 bytes is fine.
  ok("GetItem", {{"TableName", "tbl"}, {"Key", key("a", "1")}, {"ProjectionExpression", longname.substr(1)}});
  // Transactions: 100 operations, 4 MB.
  json many = json::array();
  for (int i = 0; i < 101; ++i) many.push_back({{"Put", {{"TableName", "tbl"}, {"Item", item("a", std::to_string(i))}}}});
  e = err("TransactWriteItems", {{"TransactItems", many}});
  EXPECT_EQ(e.message, "1 validation error detected: Value '" + many.dump() +
                           "' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100");
  json big = json::array();
  for (int i = 0; i < 11; ++i)
    big.push_back({{"Put", {{"TableName", "tbl"}, {"Item", item("a", std::to_string(i), {{"d", {{"S", std::string(390 * 1000, 'y')}}}})}}}});
  EXPECT_EQ(err("TransactWriteItems", {{"TransactItems", big}}).message, "Transaction request cannot be larger than 4 MB");
  // Key sizes.
  e = err("PutItem", {{"TableName", "tbl"}, {"Item", item(std::string(2049, 'k'), "1")}});
  EXPECT_EQ(e.message, "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
  e = err("PutItem", {{"TableName", "tbl"}, {"Item", item("a", std::string(1025, 'k'))}});
  EXPECT_EQ(e.message,
            "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
  ok("PutItem", {{"TableName", "tbl"}, {"Item", item(std::string(2048, 'k'), std::string(1024, 'k'))}});
  // Nesting depth: 32 levels.
  json deep = {{"S", "leaf"}};
  for (int i = 0; i < 33; ++i) deep = {{"M", {{"m", deep}}}};
  e = err("PutItem", {{"TableName", "tbl"}, {"Item", item("a", "1", {{"deep", deep}})}});
  EXPECT_EQ(e.message,
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
  // Batches: 25 writes, 100 reads.
  json writes = json::array();
  for (int i = 0; i < 26; ++i) writes.push_back({{"PutRequest", {{"Item", item("a", std::to_string(i))}}}});
  EXPECT_EQ(err("BatchWriteItem", {{"RequestItems", {{"tbl", writes}}}}).code, "ValidationException");
  json reads = json::array();
  for (int i = 0; i < 101; ++i) reads.push_back(key("a", std::to_string(i)));
  EXPECT_EQ(err("BatchGetItem", {{"RequestItems", {{"tbl", {{"Keys", reads}}}}}}).message,
            "1 validation error detected: Value at 'RequestItems.tbl.member.Keys' failed to satisfy constraint: Member "
            "must have length less than or equal to 100");
}

}  // namespace

// The store's CBOR reader gives exactly what nlohmann::json::from_cbor gives.
#include <limits>

#include "dynamodb/cbor.hpp"

TEST(Cbor, MatchesNlohmann) {
  std::vector<json> docs = {
      json::object(),
      {{"pk", {{"S", "a"}}}, {"n", {{"N", "-12.5"}}}, {"b", {{"BOOL", true}}}, {"z", {{"NULL", true}}}},
      {{"l", {{"L", {{{"S", std::string(300, 'x')}}, {{"M", {{"k", {{"SS", {"a", "b"}}}}}}}}}}}},
      {{"ints", {0, 23, 24, 255, 256, 65535, 65536, 4294967295LL, 4294967296LL, -1, -24, -25, -256, -257, -65537}}},
      {{"floats", {0.5, 1.0e300, -3.25, 0.1}}, {"f", false}, {"t", true}, {"null", nullptr}},
      {{std::string(70000, 'k'), std::string(70000, 'v')}},
  };
  json big = json::array();
  for (int i = 0; i < 300; ++i) big.push_back({{"i", i}});
  docs.push_back({{"big", big}});
  for (const auto& d : docs) {
    auto bytes = json::to_cbor(d);
    std::string_view sv(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    json mine = awan::dynamodb::decode_cbor(sv);
    EXPECT_EQ(mine, json::from_cbor(bytes)) << d.dump().substr(0, 200);
    EXPECT_EQ(mine.dump(), d.dump().size() < 100000 ? json::from_cbor(bytes).dump() : mine.dump());
  }
  // Malformed input still throws like nlohmann (truncated documents).
  auto bytes = json::to_cbor(docs[1]);
  std::string_view cut(reinterpret_cast<const char*>(bytes.data()), bytes.size() - 3);
  EXPECT_THROW(awan::dynamodb::decode_cbor(cut), json::exception);
  // Byte strings (not written by the store) go through nlohmann.
  json bin = json::binary({1, 2, 3});
  auto bb = json::to_cbor(bin);
  EXPECT_EQ(awan::dynamodb::decode_cbor(std::string_view(reinterpret_cast<const char*>(bb.data()), bb.size())), bin);
}

// The store's CBOR writer writes exactly the bytes nlohmann::json::to_cbor writes.
TEST(Cbor, WriterMatchesNlohmann) {
  std::vector<json> docs = {
      json::object(),
      json::array(),
      {{"pk", {{"S", "a"}}}, {"n", {{"N", "-12.5"}}}, {"b", {{"BOOL", true}}}, {"z", {{"NULL", true}}}},
      {{"l", {{"L", {{{"S", std::string(300, 'x')}}, {{"M", {{"k", {{"SS", {"a", "b"}}}}}}}}}}}},
      {{"ints", {0, 23, 24, 255, 256, 65535, 65536, 4294967295LL, 4294967296LL, -1, -24, -25, -256, -257, -65537,
                 std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}},
       {"u", std::numeric_limits<uint64_t>::max()}},
      {{"floats", {0.5, 1.0e300, -3.25, 0.1}}, {"f", false}, {"t", true}, {"null", nullptr}},  // through to_cbor
      {{"bin", json::binary({1, 2, 3})}},                                                   // through to_cbor
      {{std::string(70000, 'k'), std::string(70000, 'v')}, {std::string(23, 's'), std::string(24, 't')},
       {std::string(255, 'u'), std::string(256, 'w')}, {"", ""}},
      json("top-level string"),
  };
  json big = json::array();
  for (int i = 0; i < 300; ++i) big.push_back({{"i", i}, {"s", std::string(static_cast<size_t>(i), 'q')}});
  docs.push_back({{"big", big}});
  std::string out = "leftover bytes";
  for (const auto& d : docs) {
    awan::dynamodb::encode_cbor(d, out);
    auto want = json::to_cbor(d);
    EXPECT_EQ(out, std::string(reinterpret_cast<const char*>(want.data()), want.size())) << d.dump().substr(0, 200);
    EXPECT_EQ(awan::dynamodb::decode_cbor(out), d);
  }
}

// Truncated and corrupted CBOR never crashes the reader: it returns a value or throws.
TEST(Cbor, CorruptInputIsSafe) {
  json doc = {{"pk", {{"S", "a"}}}, {"l", {{"L", {{{"N", "1"}}, {{"M", {{"x", {{"BOOL", true}}}}}}}}}}, {"f", 1.5}, {"i", -70000}};
  auto bytes = json::to_cbor(doc);
  uint32_t seed = 12345;
  auto rnd = [&] { return seed = seed * 1103515245u + 12345u; };
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint8_t> b = bytes;
    if (round % 3 == 0) b.resize(rnd() % b.size());
    for (int k = 0; k < 3; ++k)
      if (!b.empty()) b[rnd() % b.size()] = static_cast<uint8_t>(rnd() >> 16);
    try {
      awan::dynamodb::decode_cbor(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
    } catch (const json::exception&) {
    }
  }
  SUCCEED();
}

namespace {

// An AttributeValue of `wrappers` M levels around a string.
json wrapped(int wrappers) {
  json root;
  json* at = &root;
  for (int i = 0; i < wrappers; ++i) at = &(*at)["M"]["m"];
  *at = {{"S", "x"}};
  return root;
}

}  // namespace

TEST_F(DataPlaneTest, UpdateReachingThirtyTwoLevelsIsAccepted) {
  create("tbl");
  ok("PutItem", {{"TableName", "tbl"}, {"Item", item("a", "1", {{"d", wrapped(1)}})}});
  ok("UpdateItem", {{"TableName", "tbl"}, {"Key", key("a", "1")}, {"UpdateExpression", "SET d.m = :v"},
                    {"ExpressionAttributeValues", {{":v", wrapped(30)}}}});
}

TEST_F(DataPlaneTest, UpdateBeyondThirtyTwoLevelsIsRefused) {
  create("tbl");
  ok("PutItem", {{"TableName", "tbl"}, {"Item", item("a", "1", {{"d", wrapped(1)}})}});
  auto e = err("UpdateItem", {{"TableName", "tbl"}, {"Key", key("a", "1")}, {"UpdateExpression", "SET d.m = :v"},
                              {"ExpressionAttributeValues", {{":v", wrapped(31)}}}});
  EXPECT_EQ(e.code, "ValidationException");
  EXPECT_EQ(e.message,
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
}

TEST_F(DataPlaneTest, TransactionalUpdateBeyondThirtyTwoLevelsIsRefused) {
  create("tbl");
  ok("PutItem", {{"TableName", "tbl"}, {"Item", item("a", "1", {{"d", wrapped(1)}})}});
  auto e = err("TransactWriteItems",
               {{"TransactItems", {{{"Update", {{"TableName", "tbl"}, {"Key", key("a", "1")}, {"UpdateExpression", "SET d.m = :v"},
                                                {"ExpressionAttributeValues", {{":v", wrapped(31)}}}}}}}}});
  EXPECT_EQ(e.code, "TransactionCanceledException");
  EXPECT_NE(e.message.find("ValidationError"), std::string::npos) << e.message;
}
