#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "dynamodb/dynamodb.hpp"
#include "service_fixture.hpp"

using nlohmann::json;

namespace {

class DynamoDbTest : public awan::dynamodb::test_support::ServiceFixture {
 protected:
  void create_music() {
    ok("CreateTable", {{"TableName", "Music"},
                       {"AttributeDefinitions", {{{"AttributeName", "Artist"}, {"AttributeType", "S"}},
                                                 {{"AttributeName", "Rank"}, {"AttributeType", "N"}},
                                                 {{"AttributeName", "Genre"}, {"AttributeType", "S"}}}},
                       {"KeySchema", {{{"AttributeName", "Artist"}, {"KeyType", "HASH"}},
                                      {{"AttributeName", "Rank"}, {"KeyType", "RANGE"}}}},
                       {"GlobalSecondaryIndexes",
                        {{{"IndexName", "ByGenre"},
                          {"KeySchema", {{{"AttributeName", "Genre"}, {"KeyType", "HASH"}},
                                         {{"AttributeName", "Rank"}, {"KeyType", "RANGE"}}}},
                          {"Projection", {{"ProjectionType", "KEYS_ONLY"}}}}}},
                       {"BillingMode", "PAY_PER_REQUEST"}});
  }
  void put_song(const std::string& artist, const std::string& rank, const std::string& genre = "") {
    json item = {{"Artist", {{"S", artist}}}, {"Rank", {{"N", rank}}}, {"Title", {{"S", artist + "#" + rank}}}};
    if (!genre.empty()) item["Genre"] = {{"S", genre}};
    ok("PutItem", {{"TableName", "Music"}, {"Item", item}});
  }
};

TEST_F(DynamoDbTest, CreateDescribeListDelete) {
  create_music();
  auto d = ok("DescribeTable", {{"TableName", "Music"}});
  EXPECT_EQ(d["Table"]["TableStatus"], "ACTIVE");
  EXPECT_EQ(d["Table"]["TableArn"], "arn:aws:dynamodb:us-east-1:000000000000:table/Music");
  EXPECT_EQ(d["Table"]["ItemCount"], 0);
  EXPECT_EQ(d["Table"]["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST");
  EXPECT_EQ(d["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"], "ACTIVE");
  auto e = err("CreateTable", {{"TableName", "Music"},
                               {"AttributeDefinitions", {{{"AttributeName", "a"}, {"AttributeType", "S"}}}},
                               {"KeySchema", {{{"AttributeName", "a"}, {"KeyType", "HASH"}}}},
                               {"BillingMode", "PAY_PER_REQUEST"}});
  EXPECT_EQ(e.code, "ResourceInUseException");
  EXPECT_EQ(e.message, "Table already exists: Music");
  EXPECT_EQ(ok("ListTables", json::object())["TableNames"], json::array({"Music"}));
  // table ARN accepted as a name
  EXPECT_EQ(ok("DescribeTable", {{"TableName", "arn:aws:dynamodb:us-east-1:000000000000:table/Music"}})["Table"]["TableName"], "Music");
  ok("DeleteTable", {{"TableName", "Music"}});
  e = err("DescribeTable", {{"TableName", "Music"}});
  EXPECT_EQ(e.code, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Requested resource not found: Table: Music not found");
}

TEST_F(DynamoDbTest, TableNameConstraints) {
  auto e = err("DescribeTable", {{"TableName", "a!"}});
  EXPECT_EQ(e.message,
            "2 validation errors detected: Value 'a!' at 'tableName' failed to satisfy constraint: Member must have length "
            "greater than or equal to 3; Value 'a!' at 'tableName' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [a-zA-Z0-9_.-]+");
  e = err("GetItem", {{"Key", {{"a", {{"S", "x"}}}}}});
  EXPECT_EQ(e.message, "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null");
}

TEST_F(DynamoDbTest, CreateTableValidation) {
  auto e = err("CreateTable", {{"TableName", "Tbl"},
                               {"AttributeDefinitions", {{{"AttributeName", "a"}, {"AttributeType", "S"}},
                                                         {{"AttributeName", "b"}, {"AttributeType", "S"}}}},
                               {"KeySchema", {{{"AttributeName", "a"}, {"KeyType", "HASH"}}}},
                               {"BillingMode", "PAY_PER_REQUEST"}});
  EXPECT_EQ(e.message, "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
  e = err("CreateTable", {{"TableName", "Tbl"},
                          {"AttributeDefinitions", {{{"AttributeName", "a"}, {"AttributeType", "S"}}}},
                          {"KeySchema", {{{"AttributeName", "a"}, {"KeyType", "RANGE"}}}},
                          {"BillingMode", "PAY_PER_REQUEST"}});
  EXPECT_EQ(e.message, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  e = err("CreateTable", {{"TableName", "Tbl"},
                          {"AttributeDefinitions", {{{"AttributeName", "a"}, {"AttributeType", "X"}}}},
                          {"KeySchema", {{{"AttributeName", "a"}, {"KeyType", "HASH"}}}}});
  EXPECT_EQ(e.message, "1 validation error detected: Value 'X' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]");
}

TEST_F(DynamoDbTest, PutGetDeleteRoundTrip) {
  create_music();
  ok("PutItem", {{"TableName", "Music"},
                 {"Item", {{"Artist", {{"S", "Acme"}}}, {"Rank", {{"N", "01.50"}}}, {"Tags", {{"SS", {"x", "y"}}}},
                           {"Nested", {{"M", {{"a", {{"L", {{{"N", "1e2"}}}}}}}}}}}}});
  auto g = ok("GetItem", {{"TableName", "Music"}, {"Key", {{"Artist", {{"S", "Acme"}}}, {"Rank", {{"N", "1.5"}}}}}});
  EXPECT_EQ(g["Item"]["Rank"], json({{"N", "1.5"}}));
  EXPECT_EQ(g["Item"]["Nested"]["M"]["a"]["L"][0], json({{"N", "100"}}));
  auto p = ok("GetItem", {{"TableName", "Music"},
                          {"Key", {{"Artist", {{"S", "Acme"}}}, {"Rank", {{"N", "1.5"}}}}},
                          {"ProjectionExpression", "#n.a[0], Tags"},
                          {"ExpressionAttributeNames", {{"#n", "Nested"}}}});
  EXPECT_EQ(p["Item"].size(), 2u);
  EXPECT_FALSE(p["Item"].contains("Artist"));
  auto missing = ok("GetItem", {{"TableName", "Music"}, {"Key", {{"Artist", {{"S", "None"}}}, {"Rank", {{"N", "1"}}}}}});
  EXPECT_FALSE(missing.contains("Item"));
  auto del = ok("DeleteItem", {{"TableName", "Music"},
                               {"Key", {{"Artist", {{"S", "Acme"}}}, {"Rank", {{"N", "1.5"}}}}},
                               {"ReturnValues", "ALL_OLD"}});
  EXPECT_EQ(del["Attributes"]["Tags"], json({{"SS", {"x", "y"}}}));
  EXPECT_FALSE(ok("GetItem", {{"TableName", "Music"}, {"Key", {{"Artist", {{"S", "Acme"}}}, {"Rank", {{"N", "1.5"}}}}}}).contains("Item"));
}

TEST_F(DynamoDbTest, ItemValidationErrors) {
  create_music();
  auto e = err("PutItem", {{"TableName", "Music"}, {"Item", {{"Artist", {{"S", "a"}}}}}});
  EXPECT_EQ(e.message, "One or more parameter values were invalid: Missing the key Rank in the item");
  e = err("PutItem", {{"TableName", "Music"}, {"Item", {{"Artist", {{"N", "1"}}}, {"Rank", {{"N", "1"}}}}}});
  EXPECT_EQ(e.message, "One or more parameter values were invalid: Type mismatch for key Artist expected: S actual: N");
  e = err("PutItem", {{"TableName", "Music"}, {"Item", {{"Artist", {{"S", ""}}}, {"Rank", {{"N", "1"}}}}}});
  EXPECT_EQ(e.message, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: Artist");
  e = err("PutItem", {{"TableName", "Music"}, {"Item", {{"Artist", {{"S", "a"}}}, {"Rank", {{"N", "1"}}}, {"Genre", {{"N", "1"}}}}}});
  EXPECT_EQ(e.message, "One or more parameter values were invalid: Type mismatch for Index Key Genre Expected: S Actual: N IndexName: ByGenre");
  e = err("GetItem", {{"TableName", "Music"}, {"Key", {{"Artist", {{"S", "a"}}}}}});
  EXPECT_EQ(e.message, "The provided key element does not match the schema");
  e = err("PutItem", {{"TableName", "Nope"}, {"Item", {{"Artist", {{"S", "a"}}}}}});
  EXPECT_EQ(e.code, "ResourceNotFoundException");
  e = err("PutItem", {{"TableName", "Music"}, {"Item", {{"Artist", {{"S", "a"}}}, {"Rank", {{"N", "1e126"}}}}}});
  EXPECT_EQ(e.message, "Number overflow. Attempting to store a number with magnitude larger than supported range");
  e = err("PutItem", {{"TableName", "Music"},
                      {"Item", {{"Artist", {{"S", "a"}}}, {"Rank", {{"N", "1"}}}, {"Big", {{"S", std::string(400 * 1024, 'x')}}}}}});
  EXPECT_EQ(e.message, "Item size has exceeded the maximum allowed size");
  e = err("PutItem", {{"TableName", "Music"},
                      {"Item", {{"Artist", {{"S", "a"}}}, {"Rank", {{"N", "1"}}}}},
                      {"ConditionExpression", "attribute_not_exists(Artist)"},
                      {"ExpressionAttributeValues", {{":v", {{"S", "x"}}}}}});
  EXPECT_EQ(e.message, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}");
  e = err("PutItem", {{"TableName", "Music"},
                      {"Item", {{"Artist", {{"S", "a"}}}, {"Rank", {{"N", "1"}}}}},
                      {"ExpressionAttributeValues", {{":v", {{"S", "x"}}}}}});
  EXPECT_EQ(e.message, "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null");
  e = err("PutItem", {{"TableName", "Music"}, {"Item", {{"Artist", {{"S", "a"}}}, {"Rank", {{"N", "1"}}}}}, {"ReturnValues", "ALL_NEW"}});
  EXPECT_EQ(e.message, "ReturnValues can only be ALL_OLD or NONE");
  e = err("PutItem", {{"TableName", "Music"},
                      {"Item", {{"Artist", {{"S", "a"}}}, {"Rank", {{"N", "1"}}}}},
                      {"ConditionExpression", "a = :v"},
                      {"ExpressionAttributeValues", {{":v", {{"SS", json::array()}}}}}});
  EXPECT_EQ(e.message, "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :v");
}

TEST_F(DynamoDbTest, ConditionalWrites) {
  create_music();
  put_song("A", "1");
  json cond = {{"TableName", "Music"},
               {"Item", {{"Artist", {{"S", "A"}}}, {"Rank", {{"N", "1"}}}}},
               {"ConditionExpression", "attribute_not_exists(Artist)"}};
  auto e = err("PutItem", cond);
  EXPECT_EQ(e.code, "ConditionalCheckFailedException");
  EXPECT_EQ(e.message, "The conditional request failed");
  // legacy Expected
  e = err("PutItem", {{"TableName", "Music"},
                      {"Item", {{"Artist", {{"S", "A"}}}, {"Rank", {{"N", "1"}}}}},
                      {"Expected", {{"Artist", {{"Exists", false}}}}}});
  EXPECT_EQ(e.code, "ConditionalCheckFailedException");
  ok("PutItem", {{"TableName", "Music"},
                 {"Item", {{"Artist", {{"S", "A"}}}, {"Rank", {{"N", "1"}}}}},
                 {"Expected", {{"Title", {{"Value", {{"S", "A#1"}}}}}}}});
  e = err("DeleteItem", {{"TableName", "Music"},
                         {"Key", {{"Artist", {{"S", "A"}}}, {"Rank", {{"N", "1"}}}}},
                         {"ConditionExpression", "attribute_exists(Title)"}});
  EXPECT_EQ(e.code, "ConditionalCheckFailedException");
  e = err("PutItem", {{"TableName", "Music"},
                      {"Item", {{"Artist", {{"S", "A"}}}, {"Rank", {{"N", "1"}}}}},
                      {"Expected", {{"Title", {{"Exists", false}}}}},
                      {"ConditionExpression", "attribute_exists(Title)"}});
  EXPECT_EQ(e.message, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}");
}

TEST_F(DynamoDbTest, UpdateItemReturnValues) {
  create_music();
  json key = {{"Artist", {{"S", "U"}}}, {"Rank", {{"N", "7"}}}};
  auto r = ok("UpdateItem", {{"TableName", "Music"},
                             {"Key", key},
                             {"UpdateExpression", "SET Plays = if_not_exists(Plays, :zero) + :one, Genre = :g"},
                             {"ExpressionAttributeValues", {{":zero", {{"N", "0"}}}, {":one", {{"N", "1"}}}, {":g", {{"S", "Rock"}}}}},
                             {"ReturnValues", "ALL_NEW"}});
  EXPECT_EQ(r["Attributes"]["Plays"], json({{"N", "1"}}));
  EXPECT_EQ(r["Attributes"]["Artist"], json({{"S", "U"}}));
  r = ok("UpdateItem", {{"TableName", "Music"},
                        {"Key", key},
                        {"UpdateExpression", "ADD Plays :five"},
                        {"ConditionExpression", "Plays = :one"},
                        {"ExpressionAttributeValues", {{":five", {{"N", "5"}}}, {":one", {{"N", "1"}}}}},
                        {"ReturnValues", "UPDATED_OLD"}});
  EXPECT_EQ(r["Attributes"], json({{"Plays", {{"N", "1"}}}}));
  auto e = err("UpdateItem", {{"TableName", "Music"},
                              {"Key", key},
                              {"UpdateExpression", "SET #r = :one"},
                              {"ExpressionAttributeNames", {{"#r", "Rank"}}},
                              {"ExpressionAttributeValues", {{":one", {{"N", "1"}}}}}});
  EXPECT_EQ(e.message, "One or more parameter values were invalid: Cannot update attribute Rank. This attribute is part of the key");
  e = err("UpdateItem", {{"TableName", "Music"},
                         {"Key", key},
                         {"UpdateExpression", "SET Plays = :one"},
                         {"ConditionExpression", "Plays = :one"},
                         {"ExpressionAttributeValues", {{":one", {{"N", "1"}}}}}});
  EXPECT_EQ(e.code, "ConditionalCheckFailedException");
  // legacy AttributeUpdates
  ok("UpdateItem", {{"TableName", "Music"},
                    {"Key", key},
                    {"AttributeUpdates", {{"Plays", {{"Action", "ADD"}, {"Value", {{"N", "-6"}}}}}, {"Genre", {{"Action", "DELETE"}}}}}});
  auto g = ok("GetItem", {{"TableName", "Music"}, {"Key", key}});
  EXPECT_EQ(g["Item"]["Plays"], json({{"N", "0"}}));
  EXPECT_FALSE(g["Item"].contains("Genre"));
  // the GSI entry went away with Genre
  auto q = ok("Query", {{"TableName", "Music"},
                        {"IndexName", "ByGenre"},
                        {"KeyConditionExpression", "Genre = :g"},
                        {"ExpressionAttributeValues", {{":g", {{"S", "Rock"}}}}}});
  EXPECT_EQ(q["Count"], 0);
}

TEST_F(DynamoDbTest, QueryOrderRangesAndPagination) {
  create_music();
  for (std::string r : {"10", "-5", "2.5", "100", "0", "-0.5", "3"}) put_song("X", r);
  put_song("Y", "1");
  auto ranks = [](const json& out) {
    std::vector<std::string> v;
    for (const auto& i : out["Items"]) v.push_back(i["Rank"]["N"]);
    return v;
  };
  json base = {{"TableName", "Music"},
               {"KeyConditionExpression", "Artist = :a"},
               {"ExpressionAttributeValues", {{":a", {{"S", "X"}}}}}};
  EXPECT_EQ(ranks(ok("Query", base)), (std::vector<std::string>{"-5", "-0.5", "0", "2.5", "3", "10", "100"}));
  json rev = base;
  rev["ScanIndexForward"] = false;
  EXPECT_EQ(ranks(ok("Query", rev)), (std::vector<std::string>{"100", "10", "3", "2.5", "0", "-0.5", "-5"}));
  json between = {{"TableName", "Music"},
                  {"KeyConditionExpression", "Artist = :a AND #r BETWEEN :lo AND :hi"},
                  {"ExpressionAttributeNames", {{"#r", "Rank"}}},
                  {"ExpressionAttributeValues", {{":a", {{"S", "X"}}}, {":lo", {{"N", "-0.5"}}}, {":hi", {{"N", "3"}}}}}};
  EXPECT_EQ(ranks(ok("Query", between)), (std::vector<std::string>{"-0.5", "0", "2.5", "3"}));
  json gt = {{"TableName", "Music"},
             {"KeyConditionExpression", ":v < #r AND Artist = :a"},
             {"ExpressionAttributeNames", {{"#r", "Rank"}}},
             {"ExpressionAttributeValues", {{":a", {{"S", "X"}}}, {":v", {{"N", "3"}}}}}};
  EXPECT_EQ(ranks(ok("Query", gt)), (std::vector<std::string>{"10", "100"}));
  // pagination with Limit
  json page = base;
  page["Limit"] = 3;
  std::vector<std::string> all;
  int pages = 0;
  while (true) {
    auto out = ok("Query", page);
    ++pages;
    for (auto& r : ranks(out)) all.push_back(r);
    if (!out.contains("LastEvaluatedKey")) break;
    page["ExclusiveStartKey"] = out["LastEvaluatedKey"];
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(all, (std::vector<std::string>{"-5", "-0.5", "0", "2.5", "3", "10", "100"}));
  EXPECT_EQ(pages, 3);
  // filter and count
  json f = base;
  f["FilterExpression"] = "Title <> :t";
  f["ExpressionAttributeValues"][":t"] = {{"S", "X#3"}};
  f["Select"] = "COUNT";
  auto c = ok("Query", f);
  EXPECT_EQ(c["Count"], 6);
  EXPECT_EQ(c["ScannedCount"], 7);
  EXPECT_FALSE(c.contains("Items"));
  // errors
  auto e = err("Query", {{"TableName", "Music"},
                         {"KeyConditionExpression", "#r = :v"},
                         {"ExpressionAttributeNames", {{"#r", "Rank"}}},
                         {"ExpressionAttributeValues", {{":v", {{"N", "3"}}}}}});
  EXPECT_EQ(e.message, "Query condition missed key schema element: Artist");
  e = err("Query", {{"TableName", "Music"},
                    {"KeyConditionExpression", "Artist = :a OR Artist = :a"},
                    {"ExpressionAttributeValues", {{":a", {{"S", "X"}}}}}});
  EXPECT_EQ(e.message, "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR");
  e = err("Query", {{"TableName", "Music"}});
  EXPECT_EQ(e.message, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  e = err("Query", {{"TableName", "Music"},
                    {"IndexName", "Nope"},
                    {"KeyConditionExpression", "Artist = :a"},
                    {"ExpressionAttributeValues", {{":a", {{"S", "X"}}}}}});
  EXPECT_EQ(e.message, "The table does not have the specified index: Nope");
  // legacy KeyConditions
  auto lk = ok("Query", {{"TableName", "Music"},
                         {"KeyConditions", {{"Artist", {{"ComparisonOperator", "EQ"}, {"AttributeValueList", {{{"S", "X"}}}}}},
                                            {"Rank", {{"ComparisonOperator", "GE"}, {"AttributeValueList", {{{"N", "10"}}}}}}}}});
  EXPECT_EQ(ranks(lk), (std::vector<std::string>{"10", "100"}));
}

TEST_F(DynamoDbTest, BeginsWithOnStringSortKey) {
  ok("CreateTable", {{"TableName", "Inventory"},
                     {"AttributeDefinitions", {{{"AttributeName", "Store"}, {"AttributeType", "S"}},
                                               {{"AttributeName", "Item"}, {"AttributeType", "S"}}}},
                     {"KeySchema", {{{"AttributeName", "Store"}, {"KeyType", "HASH"}},
                                    {{"AttributeName", "Item"}, {"KeyType", "RANGE"}}}},
                     {"ProvisionedThroughput", {{"ReadCapacityUnits", 5}, {"WriteCapacityUnits", 5}}}});
  for (std::string i : {"apple", "apricot", "banana", "ap", "b"})
    ok("PutItem", {{"TableName", "Inventory"}, {"Item", {{"Store", {{"S", "Berlin"}}}, {"Item", {{"S", i}}}, {"Count", {{"N", "0"}}}}}});
  auto q = ok("Query", {{"TableName", "Inventory"},
                        {"KeyConditionExpression", "#s = :s AND begins_with(#i, :p)"},
                        {"ExpressionAttributeNames", {{"#s", "Store"}, {"#i", "Item"}}},
                        {"ExpressionAttributeValues", {{":s", {{"S", "Berlin"}}}, {":p", {{"S", "ap"}}}}}});
  ASSERT_EQ(q["Count"], 3);
  EXPECT_EQ(q["Items"][0]["Item"]["S"], "ap");
  EXPECT_EQ(q["Items"][2]["Item"]["S"], "apricot");
  auto e = err("Query", {{"TableName", "Inventory"},
                         {"KeyConditionExpression", "Store = :s"},
                         {"ExpressionAttributeValues", {{":s", {{"S", "Berlin"}}}}}});
  EXPECT_EQ(e.message, "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: Store");
}

TEST_F(DynamoDbTest, GlobalSecondaryIndexIsSparseAndProjected) {
  create_music();
  put_song("A", "1", "Jazz");
  put_song("B", "2", "Jazz");
  put_song("C", "3");  // no Genre: not in the index
  put_song("D", "0", "Pop");
  auto q = ok("Query", {{"TableName", "Music"},
                        {"IndexName", "ByGenre"},
                        {"KeyConditionExpression", "Genre = :g"},
                        {"ExpressionAttributeValues", {{":g", {{"S", "Jazz"}}}}}});
  ASSERT_EQ(q["Count"], 2);
  EXPECT_EQ(q["Items"][0]["Artist"]["S"], "A");
  EXPECT_FALSE(q["Items"][0].contains("Title"));  // KEYS_ONLY
  EXPECT_TRUE(q["Items"][0].contains("Genre"));
  auto s = ok("Scan", {{"TableName", "Music"}, {"IndexName", "ByGenre"}});
  EXPECT_EQ(s["Count"], 3);
  // moving an item between index partitions
  put_song("A", "1", "Pop");
  q = ok("Query", {{"TableName", "Music"},
                   {"IndexName", "ByGenre"},
                   {"KeyConditionExpression", "Genre = :g"},
                   {"ExpressionAttributeValues", {{":g", {{"S", "Pop"}}}}},
                   {"Limit", 1}});
  EXPECT_EQ(q["Count"], 1);
  EXPECT_EQ(q["LastEvaluatedKey"].size(), 3u);  // table keys + index hash (Rank shared)
  auto q2 = ok("Query", {{"TableName", "Music"},
                         {"IndexName", "ByGenre"},
                         {"KeyConditionExpression", "Genre = :g"},
                         {"ExpressionAttributeValues", {{":g", {{"S", "Pop"}}}}},
                         {"ExclusiveStartKey", q["LastEvaluatedKey"]}});
  EXPECT_EQ(q2["Count"], 1);
  EXPECT_NE(q2["Items"][0]["Artist"], q["Items"][0]["Artist"]);
  auto e = err("Query", {{"TableName", "Music"},
                         {"IndexName", "ByGenre"},
                         {"ConsistentRead", true},
                         {"KeyConditionExpression", "Genre = :g"},
                         {"ExpressionAttributeValues", {{":g", {{"S", "Pop"}}}}}});
  EXPECT_EQ(e.message, "Consistent reads are not supported on global secondary indexes");
}

TEST_F(DynamoDbTest, ScanFilterAndParallelSegments) {
  create_music();
  for (int i = 0; i < 40; ++i) put_song("Artist" + std::to_string(i), std::to_string(i % 4));
  auto s = ok("Scan", {{"TableName", "Music"},
                       {"FilterExpression", "#r >= :two"},
                       {"ExpressionAttributeNames", {{"#r", "Rank"}}},
                       {"ExpressionAttributeValues", {{":two", {{"N", "2"}}}}}});
  EXPECT_EQ(s["Count"], 20);
  EXPECT_EQ(s["ScannedCount"], 40);
  std::set<std::string> seen;
  int total = 0;
  for (int seg = 0; seg < 3; ++seg) {
    auto p = ok("Scan", {{"TableName", "Music"}, {"Segment", seg}, {"TotalSegments", 3}});
    total += p["Count"].get<int>();
    for (const auto& i : p["Items"]) seen.insert(i["Artist"]["S"].get<std::string>());
  }
  EXPECT_EQ(total, 40);
  EXPECT_EQ(seen.size(), 40u);
  auto e = err("Scan", {{"TableName", "Music"}, {"Segment", 3}, {"TotalSegments", 3}});
  EXPECT_EQ(e.message, "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3");
  // legacy ScanFilter
  auto l = ok("Scan", {{"TableName", "Music"},
                       {"ScanFilter", {{"Rank", {{"ComparisonOperator", "IN"}, {"AttributeValueList", {{{"N", "0"}}, {{"N", "1"}}}}}}}}});
  EXPECT_EQ(l["Count"], 20);
}

TEST_F(DynamoDbTest, PageStopsAtOneMegabyte) {
  create_music();
  std::string big(100 * 1024, 'x');
  for (int i = 0; i < 25; ++i)
    ok("PutItem", {{"TableName", "Music"}, {"Item", {{"Artist", {{"S", "Big"}}}, {"Rank", {{"N", std::to_string(i)}}}, {"Blob", {{"S", big}}}}}});
  auto q = ok("Query", {{"TableName", "Music"},
                        {"KeyConditionExpression", "Artist = :a"},
                        {"ExpressionAttributeValues", {{":a", {{"S", "Big"}}}}}});
  EXPECT_EQ(q["Count"], 11);  // 11 x ~100 KB crosses 1 MB
  EXPECT_EQ(q["LastEvaluatedKey"]["Rank"]["N"], "10");
}

TEST_F(DynamoDbTest, BatchWriteAndGet) {
  create_music();
  json puts = json::array();
  for (int i = 0; i < 5; ++i)
    puts.push_back({{"PutRequest", {{"Item", {{"Artist", {{"S", "B"}}}, {"Rank", {{"N", std::to_string(i)}}}}}}}});
  ok("BatchWriteItem", {{"RequestItems", {{"Music", puts}}}});
  ok("BatchWriteItem", {{"RequestItems", {{"Music", {{{"DeleteRequest", {{"Key", {{"Artist", {{"S", "B"}}}, {"Rank", {{"N", "0"}}}}}}}}}}}}});
  json keys = json::array();
  for (int i = 0; i < 3; ++i) keys.push_back({{"Artist", {{"S", "B"}}}, {"Rank", {{"N", std::to_string(i)}}}});
  auto g = ok("BatchGetItem", {{"RequestItems", {{"Music", {{"Keys", keys}}}}}});
  EXPECT_EQ(g["Responses"]["Music"].size(), 2u);
  EXPECT_TRUE(g["UnprocessedKeys"].empty());
  keys.push_back(keys[1]);
  auto e = err("BatchGetItem", {{"RequestItems", {{"Music", {{"Keys", keys}}}}}});
  EXPECT_EQ(e.message, "Provided list of item keys contains duplicates");
  json many = json::array();
  for (int i = 0; i < 26; ++i)
    many.push_back({{"PutRequest", {{"Item", {{"Artist", {{"S", "B"}}}, {"Rank", {{"N", std::to_string(i)}}}}}}}});
  e = err("BatchWriteItem", {{"RequestItems", {{"Music", many}}}});
  EXPECT_EQ(e.code, "ValidationException");
}

TEST_F(DynamoDbTest, Transactions) {
  create_music();
  put_song("T", "1");
  json items = {
      {{"Put", {{"TableName", "Music"}, {"Item", {{"Artist", {{"S", "T"}}}, {"Rank", {{"N", "2"}}}}}}}},
      {{"ConditionCheck", {{"TableName", "Music"},
                           {"Key", {{"Artist", {{"S", "T"}}}, {"Rank", {{"N", "1"}}}}},
                           {"ConditionExpression", "attribute_not_exists(Artist)"}}}}};
  auto e = err("TransactWriteItems", {{"TransactItems", items}});
  EXPECT_EQ(e.code, "TransactionCanceledException");
  EXPECT_EQ(e.message, "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]");
  EXPECT_FALSE(ok("GetItem", {{"TableName", "Music"}, {"Key", {{"Artist", {{"S", "T"}}}, {"Rank", {{"N", "2"}}}}}}).contains("Item"));
  items[1]["ConditionCheck"]["ConditionExpression"] = "attribute_exists(Artist)";
  items.push_back({{"Update", {{"TableName", "Music"},
                               {"Key", {{"Artist", {{"S", "T"}}}, {"Rank", {{"N", "3"}}}}},
                               {"UpdateExpression", "SET Plays = :p"},
                               {"ExpressionAttributeValues", {{":p", {{"N", "9"}}}}}}}});
  ok("TransactWriteItems", {{"TransactItems", items}, {"ClientRequestToken", "tok"}});
  auto g = ok("TransactGetItems", {{"TransactItems", {{{"Get", {{"TableName", "Music"}, {"Key", {{"Artist", {{"S", "T"}}}, {"Rank", {{"N", "2"}}}}}}}},
                                                      {{"Get", {{"TableName", "Music"}, {"Key", {{"Artist", {{"S", "T"}}}, {"Rank", {{"N", "3"}}}}}}}},
                                                      {{"Get", {{"TableName", "Music"}, {"Key", {{"Artist", {{"S", "T"}}}, {"Rank", {{"N", "4"}}}}}}}}}}});
  EXPECT_TRUE(g["Responses"][0].contains("Item"));
  EXPECT_EQ(g["Responses"][1]["Item"]["Plays"]["N"], "9");
  EXPECT_FALSE(g["Responses"][2].contains("Item"));
  // same token, same request: idempotent; different request: mismatch
  ok("TransactWriteItems", {{"TransactItems", items}, {"ClientRequestToken", "tok"}});
  items.erase(2);
  e = err("TransactWriteItems", {{"TransactItems", items}, {"ClientRequestToken", "tok"}});
  EXPECT_EQ(e.code, "IdempotentParameterMismatchException");
  json dup = {{{"Put", {{"TableName", "Music"}, {"Item", {{"Artist", {{"S", "T"}}}, {"Rank", {{"N", "5"}}}}}}}},
              {{"Delete", {{"TableName", "Music"}, {"Key", {{"Artist", {{"S", "T"}}}, {"Rank", {{"N", "5"}}}}}}}}};
  e = err("TransactWriteItems", {{"TransactItems", dup}});
  EXPECT_EQ(e.message, "Transaction request cannot include multiple operations on one item");
}

TEST_F(DynamoDbTest, TagsTtlLimitsCapacity) {
  create_music();
  std::string arn = "arn:aws:dynamodb:us-east-1:000000000000:table/Music";
  ok("TagResource", {{"ResourceArn", arn}, {"Tags", {{{"Key", "env"}, {"Value", "dev"}}, {{"Key", "team"}, {"Value", "a"}}}}});
  ok("UntagResource", {{"ResourceArn", arn}, {"TagKeys", {"team"}}});
  EXPECT_EQ(ok("ListTagsOfResource", {{"ResourceArn", arn}})["Tags"], json::array({{{"Key", "env"}, {"Value", "dev"}}}));
  auto e = err("ListTagsOfResource", {{"ResourceArn", "arn:aws:dynamodb:us-east-1:000000000000:table/Nope"}});
  EXPECT_EQ(e.code, "AccessDeniedException");  // as DynamoDB answers for a table that does not exist
  ok("UpdateTimeToLive", {{"TableName", "Music"}, {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", "exp"}}}});
  auto ttl = ok("DescribeTimeToLive", {{"TableName", "Music"}});
  EXPECT_EQ(ttl["TimeToLiveDescription"]["TimeToLiveStatus"], "ENABLED");
  EXPECT_EQ(ok("DescribeLimits", json::object())["TableMaxReadCapacityUnits"], 40000);
  auto p = ok("PutItem", {{"TableName", "Music"},
                          {"Item", {{"Artist", {{"S", "C"}}}, {"Rank", {{"N", "1"}}}, {"Pad", {{"S", std::string(1500, 'p')}}}}},
                          {"ReturnConsumedCapacity", "TOTAL"}});
  EXPECT_EQ(p["ConsumedCapacity"]["CapacityUnits"], 2.0);
  auto g = ok("GetItem", {{"TableName", "Music"}, {"Key", {{"Artist", {{"S", "C"}}}, {"Rank", {{"N", "1"}}}}}, {"ReturnConsumedCapacity", "TOTAL"}});
  EXPECT_EQ(g["ConsumedCapacity"]["CapacityUnits"], 0.5);
  auto d = ok("DescribeTable", {{"TableName", "Music"}});
  EXPECT_EQ(d["Table"]["ItemCount"], 1);
  EXPECT_GT(d["Table"]["TableSizeBytes"].get<int>(), 1500);
}

TEST_F(DynamoDbTest, UpdateTableAddsAndBackfillsIndex) {
  create_music();
  ok("PutItem", {{"TableName", "Music"}, {"Item", {{"Artist", {{"S", "Z"}}}, {"Rank", {{"N", "1"}}}, {"Label", {{"S", "L1"}}}}}});
  ok("UpdateTable", {{"TableName", "Music"},
                     {"AttributeDefinitions", {{{"AttributeName", "Label"}, {"AttributeType", "S"}}}},
                     {"GlobalSecondaryIndexUpdates", {{{"Create", {{"IndexName", "ByLabel"},
                                                                   {"KeySchema", {{{"AttributeName", "Label"}, {"KeyType", "HASH"}}}},
                                                                   {"Projection", {{"ProjectionType", "ALL"}}}}}}}}});
  // Backfilling for a moment (data_plane_test.cpp reads it once ACTIVE, on a manual clock).
  auto q = err("Query", {{"TableName", "Music"},
                         {"IndexName", "ByLabel"},
                         {"KeyConditionExpression", "Label = :l"},
                         {"ExpressionAttributeValues", {{":l", {{"S", "L1"}}}}}});
  EXPECT_EQ(q.message, "Cannot read from backfilling global secondary index: ByLabel");
}

TEST(DynamoDbPersistence, StateSurvivesRestart) {
  auto dir = std::filesystem::temp_directory_path() / ("awan_ddb_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  awan::ServiceEnv env;
  env.data_dir = dir.string();
  awan::RequestContext ctx;
  {
    auto svc = awan::dynamodb::make_service(env);
    auto r = svc->call(ctx, "CreateTable", {{"TableName", "Persist"},
                                            {"AttributeDefinitions", {{{"AttributeName", "k"}, {"AttributeType", "N"}}}},
                                            {"KeySchema", {{{"AttributeName", "k"}, {"KeyType", "HASH"}}}},
                                            {"BillingMode", "PAY_PER_REQUEST"}});
    ASSERT_FALSE(r.is_error());
    r = svc->call(ctx, "PutItem", {{"TableName", "Persist"}, {"Item", {{"k", {{"N", "42"}}}, {"v", {{"S", "kept"}}}}}});
    ASSERT_FALSE(r.is_error());
  }
  {
    auto svc = awan::dynamodb::make_service(env);
    auto r = svc->call(ctx, "GetItem", {{"TableName", "Persist"}, {"Key", {{"k", {{"N", "42"}}}}}});
    ASSERT_FALSE(r.is_error()) << r.error->message;
    EXPECT_EQ(r.output["Item"]["v"]["S"], "kept");
    // other accounts do not see it
    awan::RequestContext other;
    other.account_id = "111111111111";
    EXPECT_EQ(svc->call(other, "DescribeTable", {{"TableName", "Persist"}}).error->code, "ResourceNotFoundException");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
