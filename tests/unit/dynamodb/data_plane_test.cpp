// Data-plane details: error details (Item, CancellationReasons), item collection metrics,
// unprocessed keys, index status transitions and request limits.
#include <gtest/gtest.h>

#include "dynamodb/dynamodb.hpp"

using nlohmann::json;

namespace {

class DataPlaneTest : public ::testing::Test {
 protected:
  void SetUp() override { svc_ = awan::dynamodb::make_service(env_); }

  json ok(const std::string& op, json in) {
    auto r = svc_->call(ctx_, op, std::move(in));
    EXPECT_FALSE(r.is_error()) << op << ": " << (r.error ? r.error->code + ": " + r.error->message : "");
    return r.output;
  }
  awan::AwsError err(const std::string& op, json in) {
    auto r = svc_->call(ctx_, op, std::move(in));
    EXPECT_TRUE(r.is_error()) << op << " unexpectedly succeeded: " << r.output.dump();
    return r.error.value_or(awan::AwsError{});
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

  awan::ServiceEnv env_;
  awan::RequestContext ctx_;
  std::unique_ptr<awan::Service> svc_;
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

}  // namespace
