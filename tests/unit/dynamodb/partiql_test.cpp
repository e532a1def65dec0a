// PartiQL: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction.
#include <gtest/gtest.h>

#include <random>

#include "dynamodb/dynamodb.hpp"
#include "dynamodb/partiql.hpp"
#include "service_fixture.hpp"

using nlohmann::json;

namespace {

const std::string kMalformed = "Statement wasn't well formed, can't be processed: ";

class PartiqlTest : public awan::dynamodb::test_support::ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    ok("CreateTable", {{"TableName", "Music"},
                       {"AttributeDefinitions", {{{"AttributeName", "Artist"}, {"AttributeType", "S"}},
                                                 {{"AttributeName", "Song"}, {"AttributeType", "S"}},
                                                 {{"AttributeName", "Genre"}, {"AttributeType", "S"}}}},
                       {"KeySchema", {{{"AttributeName", "Artist"}, {"KeyType", "HASH"}},
                                      {{"AttributeName", "Song"}, {"KeyType", "RANGE"}}}},
                       {"GlobalSecondaryIndexes",
                        {{{"IndexName", "ByGenre"},
                          {"KeySchema", {{{"AttributeName", "Genre"}, {"KeyType", "HASH"}}}},
                          {"Projection", {{"ProjectionType", "ALL"}}}}}},
                       {"BillingMode", "PAY_PER_REQUEST"}});
    ok("CreateTable", {{"TableName", "Users"},
                       {"AttributeDefinitions", {{{"AttributeName", "id"}, {"AttributeType", "N"}}}},
                       {"KeySchema", {{{"AttributeName", "id"}, {"KeyType", "HASH"}}}},
                       {"BillingMode", "PAY_PER_REQUEST"}});
  }

  json exec(const std::string& stmt, json params = nullptr) {
    json in = {{"Statement", stmt}};
    if (!params.is_null()) in["Parameters"] = params;
    return ok("ExecuteStatement", in);
  }
  awan::AwsError exec_err(const std::string& stmt, json params = nullptr) {
    json in = {{"Statement", stmt}};
    if (!params.is_null()) in["Parameters"] = params;
    return err("ExecuteStatement", in);
  }
  json get(const std::string& artist, const std::string& song) {
    auto out = ok("GetItem", {{"TableName", "Music"}, {"Key", {{"Artist", {{"S", artist}}}, {"Song", {{"S", song}}}}}});
    return out.value("Item", json());
  }
  void seed() {
    exec("INSERT INTO Music VALUE {'Artist': 'Acme', 'Song': 'a1', 'Genre': 'rock', 'Plays': 10, 'Tags': <<'x', 'y'>>}");
    exec("INSERT INTO Music VALUE {'Artist': 'Acme', 'Song': 'a2', 'Genre': 'pop', 'Plays': 20}");
    exec("INSERT INTO Music VALUE {'Artist': 'Acme', 'Song': 'b3', 'Genre': 'rock', 'Plays': 30, 'Info': {'Year': 2020, 'Charts': [5, 7]}}");
    exec("INSERT INTO Music VALUE {'Artist': 'Zed', 'Song': 'z1', 'Genre': 'jazz', 'Plays': 40}");
  }
  static std::vector<std::string> songs(const json& items) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(i.contains("Song") ? i["Song"]["S"].get<std::string>() : "?");
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(PartiqlTest, InsertLiteralsRoundTrip) {
  auto out = exec(
      "INSERT INTO \"Music\" VALUE {'Artist': 'It''s', 'Song': 's', 'N': -1.50, 'E': 1e3, 'B': true, 'Z': null, "
      "'M': {'k': [1, 'two', false]}, 'SS': <<'a', 'b'>>, 'NS': <<1, 2.5>>}");
  EXPECT_EQ(out, json({{"Items", json::array()}}));
  json item = get("It's", "s");
  EXPECT_EQ(item["N"], json({{"N", "-1.5"}}));
  EXPECT_EQ(item["E"], json({{"N", "1000"}}));
  EXPECT_EQ(item["B"], json({{"BOOL", true}}));
  EXPECT_EQ(item["Z"], json({{"NULL", true}}));
  EXPECT_EQ(item["M"], json({{"M", {{"k", {{"L", {{{"N", "1"}}, {{"S", "two"}}, {{"BOOL", false}}}}}}}}}));
  EXPECT_EQ(item["SS"], json({{"SS", {"a", "b"}}}));
  EXPECT_EQ(item["NS"], json({{"NS", {"1", "2.5"}}}));
}

TEST_F(PartiqlTest, InsertDuplicateKey) {
  exec("INSERT INTO Music VALUE {'Artist': 'A', 'Song': 'S', 'v': 1}");
  auto e = exec_err("INSERT INTO Music VALUE {'Artist': 'A', 'Song': 'S', 'v': 2}");
  EXPECT_EQ(e.code, "DuplicateItemException");
  EXPECT_EQ(e.message, "Duplicate primary key exists in table");
  EXPECT_EQ(get("A", "S")["v"], json({{"N", "1"}}));
}

TEST_F(PartiqlTest, InsertErrors) {
  auto e = exec_err("INSERT INTO Music VALUE {'Artist': 'A'}");
  EXPECT_EQ(e.code, "ValidationException");
  EXPECT_EQ(e.message, "One or more parameter values were invalid: Missing the key Song in the item");
  e = exec_err("INSERT INTO Nope VALUE {'Artist': 'A', 'Song': 'S'}");
  EXPECT_EQ(e.code, "ResourceNotFoundException");
  e = exec_err("INSERT INTO Music VALUE {'Artist': 'A', 'Song': 'S', 'x': <<>>}");
  EXPECT_EQ(e.message, "Empty bags are not supported");
  e = exec_err("INSERT INTO Music VALUE {'Artist': 'A', 'Song': 'S', 'x': <<1, 'a'>>}");
  EXPECT_EQ(e.message, "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags");
  e = exec_err("INSERT INTO Music VALUES {'Artist': 'A', 'Song': 'S'}");
  EXPECT_EQ(e.message.rfind("Unsupported operation: Inserting multiple items", 0), 0u);
  e = exec_err("INSERT INTO Music VALUE 'x'");
  EXPECT_EQ(e.message.rfind("Unsupported format in item expression", 0), 0u);
  e = exec_err("INSERT INTO \"Music\".\"ByGenre\" VALUE {'Artist': 'A', 'Song': 'S'}");
  EXPECT_EQ(e.code, "ValidationException");
}

TEST_F(PartiqlTest, Parameters) {
  exec("INSERT INTO Music VALUE {'Artist': ?, 'Song': ?, 'Data': ?}",
       {{{"S", "P"}}, {{"S", "Q"}}, {{"B", "AAEC"}}});
  EXPECT_EQ(get("P", "Q")["Data"], json({{"B", "AAEC"}}));
  auto out = exec("SELECT Data FROM Music WHERE Artist = ? AND Song = ?", {{{"S", "P"}}, {{"S", "Q"}}});
  EXPECT_EQ(out["Items"], json::array({{{"Data", {{"B", "AAEC"}}}}}));
  auto e = exec_err("SELECT * FROM Music WHERE Artist = ?", {{{"S", "P"}}, {{"S", "Q"}}});
  EXPECT_EQ(e.message, "Number of parameters in request and statement don't match.");
  e = exec_err("SELECT * FROM Music WHERE Artist = ? AND Song = ?", {{{"S", "P"}}});
  EXPECT_EQ(e.message, "Number of parameters in request and statement don't match.");
  e = exec_err("SELECT * FROM Music WHERE Artist = 'x'", json::array());
  EXPECT_EQ(e.message,
            "1 validation error detected: Value '[]' at 'parameters' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1");
  e = exec_err("SELECT * FROM Music WHERE Artist = ?", {{{"N", "abc"}}});
  EXPECT_EQ(e.code, "ValidationException");
  EXPECT_NE(e.message.find("numeric"), std::string::npos) << e.message;
  // A '?' inside a string is not a parameter.
  exec("INSERT INTO Music VALUE {'Artist': 'what?', 'Song': '?'}");
  EXPECT_FALSE(get("what?", "?").is_null());
}

TEST_F(PartiqlTest, SelectQueryScanAndFilters) {
  seed();
  EXPECT_EQ(songs(exec("SELECT * FROM Music")["Items"]), (std::vector<std::string>{"a1", "a2", "b3", "z1"}));
  EXPECT_EQ(songs(exec("SELECT * FROM Music WHERE Artist = 'Acme'")["Items"]), (std::vector<std::string>{"a1", "a2", "b3"}));
  EXPECT_EQ(songs(exec("SELECT * FROM Music WHERE Artist = 'Acme' AND begins_with(Song, 'a')")["Items"]),
            (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(songs(exec("SELECT * FROM Music WHERE Artist = 'Acme' AND Song > 'a1' AND Plays < 30")["Items"]),
            (std::vector<std::string>{"a2"}));
  EXPECT_EQ(songs(exec("SELECT * FROM Music WHERE Plays BETWEEN 15 AND 35")["Items"]), (std::vector<std::string>{"a2", "b3"}));
  EXPECT_EQ(songs(exec("SELECT * FROM Music WHERE Genre IN ['jazz', 'pop']")["Items"]), (std::vector<std::string>{"a2", "z1"}));
  EXPECT_EQ(songs(exec("SELECT * FROM Music WHERE Info IS MISSING AND Tags IS NOT MISSING")["Items"]),
            (std::vector<std::string>{"a1"}));
  EXPECT_EQ(songs(exec("SELECT * FROM Music WHERE contains(Tags, 'y') OR Plays = 40")["Items"]),
            (std::vector<std::string>{"a1", "z1"}));
  EXPECT_EQ(songs(exec("SELECT * FROM Music WHERE NOT (Genre = 'rock' OR Genre = 'pop')")["Items"]),
            (std::vector<std::string>{"z1"}));
  EXPECT_EQ(songs(exec("SELECT * FROM Music WHERE attribute_type(Info, 'M') AND Info.Year = 2020")["Items"]),
            (std::vector<std::string>{"b3"}));
  EXPECT_EQ(songs(exec("SELECT * FROM Music WHERE size(Tags) = 2")["Items"]), (std::vector<std::string>{"a1"}));
  EXPECT_EQ(songs(exec("SELECT * FROM Music WHERE Plays <> 10 AND Plays != 20 AND Artist = 'Acme'")["Items"]),
            (std::vector<std::string>{"b3"}));
  EXPECT_EQ(songs(exec("SELECT * FROM Music WHERE (Artist = 'Acme' AND Song = 'b3') OR Artist = 'Zed'")["Items"]),
            (std::vector<std::string>{"b3", "z1"}));
  EXPECT_TRUE(exec("SELECT * FROM Music WHERE Artist = 'Nobody'")["Items"].empty());
  // A key compared with a value of another type matches nothing.
  EXPECT_TRUE(exec("SELECT * FROM Music WHERE Artist = 5")["Items"].empty());
}

TEST_F(PartiqlTest, SelectProjections) {
  seed();
  auto out = exec("SELECT Song, Info.Year, Info.Charts[1], Nope FROM Music WHERE Artist = 'Acme' AND Song = 'b3'");
  ASSERT_EQ(out["Items"].size(), 1u);
  EXPECT_EQ(out["Items"][0], json({{"Song", {{"S", "b3"}}}, {"Year", {{"N", "2020"}}}, {"Charts[1]", {{"N", "7"}}}}));
  out = exec("SELECT \"Plays\" FROM \"Music\" WHERE \"Artist\" = 'Zed'");
  EXPECT_EQ(out["Items"], json::array({{{"Plays", {{"N", "40"}}}}}));
  auto e = exec_err("SELECT *, Song FROM Music");
  EXPECT_EQ(e.message, "Other attributes should not be present in the projection when '*' is used.");
  e = exec_err("SELECT Song AS s FROM Music");
  EXPECT_EQ(e.message, "Aliasing is not supported");
}

TEST_F(PartiqlTest, SelectIndexAndOrderBy) {
  seed();
  auto out = exec("SELECT * FROM \"Music\".\"ByGenre\" WHERE Genre = 'rock'");
  EXPECT_EQ(songs(out["Items"]), (std::vector<std::string>{"a1", "b3"}));
  auto e = err("ExecuteStatement", {{"Statement", "SELECT * FROM \"Music\".\"ByGenre\" WHERE Genre = 'rock'"},
                                    {"ConsistentRead", true}});
  EXPECT_EQ(e.message, "Strongly consistent read is not supported on Global Secondary Indexes");
  e = exec_err("SELECT * FROM \"Music\".\"Nope\"");
  EXPECT_EQ(e.message, "The table does not have the specified index: Nope");
  e = exec_err("SELECT * FROM \"Music\".\"ByGenre\".\"x\"");
  EXPECT_EQ(e.message, "A path may contain at most 2 components in the FROM clause");
  out = exec("SELECT Song FROM Music WHERE Artist = 'Acme' ORDER BY Song DESC");
  ASSERT_EQ(out["Items"].size(), 3u);
  EXPECT_EQ(out["Items"][0]["Song"]["S"], "b3");
  EXPECT_EQ(out["Items"][2]["Song"]["S"], "a1");
  e = exec_err("SELECT * FROM Music ORDER BY Song");
  EXPECT_EQ(e.message, "Must have WHERE clause in the statement when using ORDER BY clause.");
  e = exec_err("SELECT * FROM Music WHERE Plays = 1 ORDER BY Song");
  EXPECT_EQ(e.message, "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.");
  e = exec_err("SELECT * FROM Music WHERE Artist = 'Acme' ORDER BY Plays");
  EXPECT_EQ(e.message, "Variable reference Plays in ORDER BY clause must be part of the primary key");
  e = exec_err("SELECT * FROM Nope");
  EXPECT_EQ(e.code, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Requested resource not found");
}

TEST_F(PartiqlTest, LimitAndNextToken) {
  for (int i = 0; i < 5; ++i)
    exec("INSERT INTO Music VALUE {'Artist': 'P', 'Song': 's" + std::to_string(i) + "', 'odd': " + std::to_string(i % 2) + "}");
  json in = {{"Statement", "SELECT * FROM Music WHERE Artist = 'P'"}, {"Limit", 2}};
  std::vector<std::string> all;
  int pages = 0;
  while (true) {
    auto out = ok("ExecuteStatement", in);
    ++pages;
    EXPECT_LE(out["Items"].size(), 2u);
    for (const auto& i : out["Items"]) all.push_back(i["Song"]["S"]);
    if (!out.contains("NextToken")) break;
    EXPECT_TRUE(out.contains("LastEvaluatedKey"));
    in["NextToken"] = out["NextToken"];
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(all, (std::vector<std::string>{"s0", "s1", "s2", "s3", "s4"}));
  // Limit counts evaluated items, not matches.
  auto out = ok("ExecuteStatement", {{"Statement", "SELECT * FROM Music WHERE Artist = 'P' AND odd = 1"}, {"Limit", 2}});
  EXPECT_EQ(songs(out["Items"]), (std::vector<std::string>{"s1"}));
  EXPECT_TRUE(out.contains("NextToken"));
  auto e = err("ExecuteStatement", {{"Statement", "SELECT * FROM Music WHERE Artist = 'Q'"}, {"NextToken", out["NextToken"]}});
  EXPECT_EQ(e.message, "NextToken does not match request");
  e = err("ExecuteStatement", {{"Statement", "SELECT * FROM Music"}, {"NextToken", "garbage!"}});
  EXPECT_EQ(e.message, "Invalid NextToken");
  e = err("ExecuteStatement", {{"Statement", "SELECT * FROM Music"}, {"Limit", 0}});
  EXPECT_EQ(e.message,
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
            "than or equal to 1");
}

// IN over the partition key: one Query per value, in ORDER BY order, paginated across them.
TEST_F(PartiqlTest, InOverPartitionKey) {
  seed();
  auto out = exec("SELECT Artist, Song FROM Music WHERE Artist IN ['Acme', 'Zed', 'Nobody'] ORDER BY Artist DESC, Song ASC");
  std::vector<std::string> got;
  for (const auto& i : out["Items"]) got.push_back(i["Artist"]["S"].get<std::string>() + "/" + i["Song"]["S"].get<std::string>());
  EXPECT_EQ(got, (std::vector<std::string>{"Zed/z1", "Acme/a1", "Acme/a2", "Acme/b3"}));
  json in = {{"Statement", "SELECT Song FROM Music WHERE Artist IN ['Zed', 'Acme'] AND Song <> 'a2' ORDER BY Artist"},
             {"Limit", 1}};
  got.clear();
  for (int page = 0; page < 10; ++page) {
    auto o = ok("ExecuteStatement", in);
    for (const auto& i : o["Items"]) got.push_back(i["Song"]["S"]);
    if (!o.contains("NextToken")) break;
    in["NextToken"] = o["NextToken"];
  }
  EXPECT_EQ(got, (std::vector<std::string>{"a1", "b3", "z1"}));
  auto e = exec_err("SELECT * FROM Music WHERE Artist IN ['Zed', 'Acme'] ORDER BY Song");
  EXPECT_EQ(e.message, "Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause.");
  EXPECT_EQ(songs(exec("SELECT * FROM Music WHERE Artist IN ['Acme', 'Zed'] AND Song BETWEEN 'a2' AND 'z9'")["Items"]),
            (std::vector<std::string>{"a2", "b3", "z1"}));
}

TEST_F(PartiqlTest, UpdateStatements) {
  seed();
  exec("UPDATE Music SET Plays = Plays + 5, Info.Year = 2021 SET Label = 'L' REMOVE Genre "
       "WHERE Artist = 'Acme' AND Song = 'b3'");
  json item = get("Acme", "b3");
  EXPECT_EQ(item["Plays"], json({{"N", "35"}}));
  EXPECT_EQ(item["Info"]["M"]["Year"], json({{"N", "2021"}}));
  EXPECT_EQ(item["Label"], json({{"S", "L"}}));
  EXPECT_FALSE(item.contains("Genre"));
  exec("UPDATE Music SET Info.Charts = list_append(Info.Charts, [9]) SET Tags = set_add(Tags, <<'n'>>) "
       "WHERE Artist = 'Acme' AND Song = 'b3'");
  item = get("Acme", "b3");
  EXPECT_EQ(item["Info"]["M"]["Charts"]["L"].size(), 3u);
  EXPECT_EQ(item["Tags"], json({{"SS", {"n"}}}));
  exec("UPDATE Music SET Tags = set_delete(Tags, <<'x'>>) WHERE Artist = 'Acme' AND Song = 'a1'");
  EXPECT_EQ(get("Acme", "a1")["Tags"], json({{"SS", {"y"}}}));
  // Conditions beyond the key.
  auto e = exec_err("UPDATE Music SET Plays = 0 WHERE Artist = 'Acme' AND Song = 'a1' AND Plays > 100");
  EXPECT_EQ(e.code, "ConditionalCheckFailedException");
  EXPECT_EQ(e.message, "The conditional request failed");
  exec("UPDATE Music SET Plays = 0 WHERE Artist = 'Acme' AND Song = 'a1' AND Plays = 10");
  EXPECT_EQ(get("Acme", "a1")["Plays"], json({{"N", "0"}}));
  // The failing item comes back on request.
  auto r = svc_->call(ctx_, "ExecuteStatement",
                      {{"Statement", "UPDATE Music SET Plays = 1 WHERE Artist = 'Acme' AND Song = 'a1' AND Plays = 5"},
                       {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}});
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error->code, "ConditionalCheckFailedException");
  ASSERT_TRUE(r.error->details);
  EXPECT_EQ((*r.error->details)["Item"]["Plays"], json({{"N", "0"}}));
  // UPDATE is not an upsert.
  e = exec_err("UPDATE Music SET Plays = 1 WHERE Artist = 'New' AND Song = 'x'");
  EXPECT_EQ(e.code, "ConditionalCheckFailedException");
  EXPECT_TRUE(get("New", "x").is_null());
  e = exec_err("UPDATE Music SET Plays = 1 WHERE Artist = 'Acme'");
  EXPECT_EQ(e.message, "Where clause does not contain a mandatory equality on all key attributes");
  e = exec_err("UPDATE Music SET Plays = 1");
  EXPECT_EQ(e.message, "Where clause does not contain a mandatory equality on all key attributes");
  e = exec_err("UPDATE Music SET Plays = 1 WHERE Artist = 'Acme' AND Song = 'a1' AND Artist = 'Zed'");
  EXPECT_EQ(e.message, "Multiple conditions on same key Artist. Only single item Update/Insert/Delete are supported");
  e = exec_err("UPDATE Music SET Plays = 1 WHERE Artist = 'Acme' OR Song = 'a1'");
  EXPECT_EQ(e.message, "Where clause does not contain a mandatory equality on all key attributes");
  e = exec_err("UPDATE Music SET Song = 'q' WHERE Artist = 'Acme' AND Song = 'a1'");
  EXPECT_EQ(e.message, "One or more parameter values were invalid: Cannot update attribute Song. This attribute is part of the key");
  e = exec_err("UPDATE \"Music\".\"ByGenre\" SET Plays = 1 WHERE Artist = 'Acme' AND Song = 'a1'");
  EXPECT_EQ(e.message, "This operation is not supported on an index");
  e = exec_err("UPDATE Music ADD Plays 1 WHERE Artist = 'Acme' AND Song = 'a1'");
  EXPECT_EQ(e.message, "Only SET and REMOVE are supported in update expressions at this time");
  e = exec_err("UPDATE Music SET Tags = set_add(Other, <<'a'>>) WHERE Artist = 'Acme' AND Song = 'a1'");
  EXPECT_EQ(e.message, "The first argument to SET_ADD must equal the assignment value");
  e = exec_err("UPDATE Music SET Tags = set_add(Tags, 'a') WHERE Artist = 'Acme' AND Song = 'a1'");
  EXPECT_EQ(e.message, "The second argument to SET_ADD must be a value with type SET");
  // Numbers of the wrong type in arithmetic: the expression module's reason without its label.
  e = exec_err("UPDATE Music SET Genre = Genre + 1 WHERE Artist = 'Acme' AND Song = 'a2'");
  EXPECT_EQ(e.code, "ValidationException");
  EXPECT_EQ(e.message.find("Invalid UpdateExpression"), std::string::npos) << e.message;
  // RETURNING
  auto out = exec("UPDATE Music SET Plays = 99 WHERE Artist = 'Zed' AND Song = 'z1' RETURNING MODIFIED OLD *");
  EXPECT_EQ(out["Items"], json::array({{{"Plays", {{"N", "40"}}}}}));
  out = exec("UPDATE Music SET Plays = 100 WHERE Artist = 'Zed' AND Song = 'z1' RETURNING ALL NEW *");
  EXPECT_EQ(out["Items"][0]["Plays"], json({{"N", "100"}}));
  EXPECT_EQ(out["Items"][0]["Genre"], json({{"S", "jazz"}}));
}

TEST_F(PartiqlTest, DeleteStatements) {
  seed();
  exec("DELETE FROM Music WHERE Artist = 'Acme' AND Song = 'a1'");
  EXPECT_TRUE(get("Acme", "a1").is_null());
  // Deleting a missing item is a no-op, with or without further conditions.
  EXPECT_EQ(exec("DELETE FROM Music WHERE Artist = 'Acme' AND Song = 'a1'"), json({{"Items", json::array()}}));
  exec("DELETE FROM Music WHERE Artist = 'Acme' AND Song = 'a1' AND Plays = 5");
  auto e = exec_err("DELETE FROM Music WHERE Artist = 'Acme' AND Song = 'a2' AND (Plays = 5 OR Genre = 'x')");
  EXPECT_EQ(e.code, "ConditionalCheckFailedException");
  EXPECT_FALSE(get("Acme", "a2").is_null());
  auto out = exec("DELETE FROM Music WHERE Artist = 'Acme' AND Song = 'a2' AND Plays = 20 RETURNING ALL OLD *");
  EXPECT_EQ(out["Items"][0]["Song"], json({{"S", "a2"}}));
  e = exec_err("DELETE FROM Music WHERE Artist = 'Acme' AND Song = 'b3' RETURNING ALL NEW *");
  EXPECT_EQ(e.message, "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements.");
  e = exec_err("DELETE FROM Music WHERE Song = 'b3'");
  EXPECT_EQ(e.message, "Where clause does not contain a mandatory equality on all key attributes");
  e = exec_err("DELETE FROM Users WHERE id = 'abc'");
  EXPECT_EQ(e.message, "The provided key element does not match the schema");
  exec("INSERT INTO Users VALUE {'id': 7}");
  exec("DELETE FROM Users WHERE id = 7.0");
  EXPECT_TRUE(exec("SELECT * FROM Users")["Items"].empty());
}

TEST_F(PartiqlTest, MalformedStatementsAreValidationErrors) {
  struct Case {
    std::string statement;
    std::string message;  // exact, or "" for any ValidationException
  };
  std::vector<Case> cases = {
      {"FOO BAR", kMalformed + "Expected data manipulation"},
      {"CREATE TABLE x", kMalformed + "Expected data manipulation"},
      {"SELECT", kMalformed + "Expected identifier"},
      {"SELECT *", kMalformed + "Expected FROM"},
      {"SELECT * FROM", kMalformed + "Expected identifier"},
      {"SELECT * FROM Music WHERE", kMalformed + "Unexpected end of statement"},
      {"SELECT * FROM Music WHERE Artist =", kMalformed + "Unexpected end of statement"},
      {"SELECT * FROM Music WHERE Artist = 'x", kMalformed + "Invalid literal: unterminated string"},
      {"SELECT * FROM \"Music WHERE", kMalformed + "Invalid literal: unterminated quoted identifier"},
      {"SELECT * FROM Music garbage", kMalformed + "Unexpected token after expression"},
      {"SELECT * FROM Music WHERE Artist = 'x' extra", kMalformed + "Unexpected token after expression"},
      {"SELECT * FROM Music WHERE Artist == 'x'", kMalformed + "Unexpected token"},
      {"SELECT * FROM Music WHERE Artist = 'x' AND", kMalformed + "Unexpected end of statement"},
      {"SELECT * FROM Music WHERE (Artist = 'x'", kMalformed + "Expected )"},
      {"SELECT * FROM Music WHERE Artist = 'x' # y", kMalformed + "Invalid character"},
      {"SELECT * FROM Music WHERE value = 1", kMalformed + "Unexpected keyword"},
      {"SELECT * FROM Music WHERE Artist IN []",
       "IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member"},
      {"SELECT * FROM Music WHERE Artist IS FOO",
       "Unsupported data type for IS operator: FOO. Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"},
      {"SELECT * FROM Music WHERE Artist = MISSING", "MISSING must be compared using IS operator"},
      {"SELECT * FROM Music WHERE upper(Artist) = 'X'", "Unrecognized function: upper"},
      {"SELECT * FROM Music WHERE Artist", "WHERE clause must contain an expression that resolves to a boolean"},
      {"SELECT * FROM Music WHERE 'x'", "WHERE clause must contain an expression that resolves to a boolean"},
      {"SELECT * FROM Music WHERE Plays AND Artist = 'x'", "The arguments to AND/OR must be Expressions"},
      {"SELECT * FROM Music WHERE NOT Plays", "The argument to NOT must be a Type or Expression"},
      {"SELECT * FROM Music WHERE l[-1] = 1", "List index is not within the allowable range; index: [-1]"},
      {"SELECT * FROM Music WHERE l[99999999999] = 1", "List index is not within the allowable range; index: [99999999999]"},
      {"SELECT * FROM Music WHERE a.*.b = 1", "Unpivot path component like a.*.b are not supported"},
      {"SELECT * FROM Music WHERE a[*] = 1", "Wildcard path component like a[*].b are not supported"},
      {"SELECT * FROM Music WHERE Plays = 1e999", ""},
      {"SELECT * FROM Music WHERE Plays = 12abc", kMalformed + "Invalid literal"},
      {"SELECT * FROM \"\"", "Path component cannot be an empty string"},
      {"SELECT * FROM Music, Users", "Only select from a single table or index is supported."},
      {"SELECT VALUE x FROM Music", "Select projection doesn't support value or pivot keywords"},
      {"SELECT * FROM Music WHERE begins_with(Plays, 1)", ""},
      {"SELECT * FROM Music WHERE Artist = 'a' = 'b'", kMalformed + "Unexpected token after expression"},
      {"INSERT Music VALUE {'a': 1}", kMalformed + "Unexpected token"},
      {"INSERT INTO Music VALUE {'Artist': 'a' 'Song': 'b'}", kMalformed + "Unexpected token"},
      {"INSERT INTO Music VALUE {'Artist': 'a', 'Artist': 'b'}", "Duplicate keys in tuple. Key: Artist under root"},
      {"INSERT INTO Music VALUE {1: 'a'}", "Tuple keys must be of type String. Actual type: DECIMAL under root"},
      {"INSERT INTO Music VALUE {'Artist': 'a', 'Song': 'b'} RETURNING ALL OLD *", "RETURNING is not supported in INSERT"},
      {"INSERT INTO Music VALUE {'Artist': 'a', 'Song': 'b', 'x': <<1, 1.0>>}",
       "One or more parameter values were invalid: Input collection [1, 1] contains duplicates."},
      {"UPDATE Music WHERE Artist = 'a'", kMalformed + "Unexpected keyword"},
      {"UPDATE Music SET = 1 WHERE Artist = 'a'", kMalformed + "Unexpected token"},
      {"UPDATE Music SET a = 1 + WHERE Artist = 'a' AND Song = 'b'", kMalformed + "Unexpected keyword"},
      {"UPDATE Music SET a = 1 WHERE Artist = 'a' AND Song = 'b' RETURNING ALL OLD", 
       "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"},
      {"UPDATE Music SET a = 1 WHERE Artist = 'a' AND Song = 'b' RETURNING SOME OLD *", kMalformed + "Unexpected token"},
      {"DELETE Music WHERE Artist = 'a'", kMalformed + "Unexpected token"},
      {"DELETE FROM Music WHERE Artist = 'a' AND Song = 'b' AND x IS NULL AND", kMalformed + "Unexpected end of statement"},
      {"EXISTS(SELECT * FROM Music WHERE Artist = 'a' AND Song = 'b')",
       "EXISTS can only be used in ExecuteTransaction write requests."},
      {"SELECT * FROM Music; SELECT * FROM Music", kMalformed + "Unexpected token after expression"},
      {"/* unterminated", kMalformed + "Unexpected end of input in comment"},
      {std::string(300, '('), ""},
      {"SELECT * FROM Music WHERE " + std::string(5000, '('), ""},
      {"INSERT INTO Music VALUE " + std::string(100, '{'), ""},
      {"INSERT INTO Music VALUE {'a': " + std::string(40, '[') + std::string(40, ']') + "}",
       "Nesting Levels have exceeded supported limits under a"},
      {"UPDATE Music SET a = " + std::string(3000, '(') + "1" + std::string(3000, ')') + " WHERE Artist = 'a' AND Song = 'b'", ""},
      {"SELECT * FROM Music WHERE " + std::string(3000, 'N') + "", ""},
      {"SELECT * FROM Music WHERE " + [] { std::string s; for (int i = 0; i < 1500; ++i) s += "NOT "; return s + "a = 1"; }(), ""},
  };
  for (const auto& c : cases) {
    auto r = svc_->call(ctx_, "ExecuteStatement", {{"Statement", c.statement}});
    ASSERT_TRUE(r.is_error()) << c.statement << " -> " << r.output.dump();
    EXPECT_EQ(r.error->code, "ValidationException") << c.statement << ": " << r.error->message;
    if (!c.message.empty()) {
      EXPECT_EQ(r.error->message, c.message) << c.statement;
    }
  }
  auto e = err("ExecuteStatement", {{"Statement", "SELECT * FROM Music WHERE a = '" + std::string(8200, 'x') + "'"}});
  EXPECT_NE(e.message.find("at 'statement' failed to satisfy constraint: Member must have length less than or equal to 8192"),
            std::string::npos);
  e = err("ExecuteStatement", {{"Statement", ""}});
  EXPECT_EQ(e.message,
            "1 validation error detected: Value '' at 'statement' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1");
  e = err("ExecuteStatement", json::object());
  EXPECT_EQ(e.message, "1 validation error detected: Value null at 'statement' failed to satisfy constraint: Member must not be null");
}

// Every prefix of valid statements and random single-character corruptions: an answer or an
// AwsError, never a crash.
TEST_F(PartiqlTest, TruncatedAndCorruptedStatementsNeverCrash) {
  seed();
  std::vector<std::string> valid = {
      "SELECT Song, Info.Charts[0] FROM \"Music\".\"ByGenre\" WHERE Genre = 'rock' AND (Plays > 5 OR NOT Tags IS MISSING)",
      "INSERT INTO Music VALUE {'Artist': 'q', 'Song': ?, 'm': {'l': [1, -2.5e3, <<'a'>>, null, true]}}",
      "UPDATE Music SET a.b[1] = list_append(x, [1]), c = c - 1 REMOVE d WHERE Artist = 'q' AND Song = ? RETURNING ALL NEW *",
      "DELETE FROM Music WHERE Artist = 'q' AND Song = 'x' AND size(Tags) >= 2 AND attribute_type(Tags, 'SS')",
      "SELECT * FROM Music WHERE Artist = 'Acme' AND Song BETWEEN 'a' AND 'c' AND Genre IN ('rock', ?) ORDER BY Song DESC",
  };
  std::mt19937 rng(42);
  const std::string alphabet = "'\"(){}[]<>=!?,.*:;-+ aZ0_\\";
  size_t runs = 0;
  for (const auto& s : valid) {
    std::vector<std::string> inputs;
    for (size_t i = 0; i <= s.size(); ++i) inputs.push_back(s.substr(0, i));
    for (int k = 0; k < 200; ++k) {
      std::string m = s;
      size_t pos = rng() % m.size();
      switch (rng() % 3) {
        case 0: m[pos] = alphabet[rng() % alphabet.size()]; break;
        case 1: m.erase(pos, 1); break;
        default: m.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
      }
      inputs.push_back(m);
    }
    for (const auto& in : inputs) {
      if (in.empty()) continue;
      for (json params : {json(nullptr), json::array({{{"S", "p"}}}), json::array({{{"S", "p"}}, {{"S", "q"}}})}) {
        json req = {{"Statement", in}};
        if (!params.is_null()) req["Parameters"] = params;
        auto r = svc_->call(ctx_, "ExecuteStatement", req);
        if (r.is_error()) {
          EXPECT_NE(r.error->code, "InternalFailure") << in << ": " << r.error->message;
          EXPECT_FALSE(r.error->message.empty()) << in;
        }
        ++runs;
      }
    }
  }
  EXPECT_GT(runs, 3000u);
}

TEST_F(PartiqlTest, BatchReadsAndWrites) {
  seed();
  auto out = ok("BatchExecuteStatement",
                {{"Statements",
                  {{{"Statement", "SELECT Song, Plays FROM Music WHERE Artist = 'Acme' AND Song = 'a1'"}},
                   {{"Statement", "SELECT * FROM Music WHERE Artist = ? AND Song = ?"}, {"Parameters", {{{"S", "Zed"}}, {{"S", "z1"}}}}},
                   {{"Statement", "SELECT * FROM Music WHERE Artist = 'Acme' AND Song = 'nope'"}},
                   {{"Statement", "SELECT * FROM Music WHERE Artist = 'Acme' AND Song = 'a2' AND Plays = 1"}},
                   {{"Statement", "SELECT * FROM Music WHERE Artist = 'Acme'"}},
                   {{"Statement", "SELECT * FROM Nope WHERE Artist = 'Acme' AND Song = 'a1'"}},
                   {{"Statement", "SELECT * FROM Music WHERE"}}}}});
  auto& r = out["Responses"];
  ASSERT_EQ(r.size(), 7u);
  EXPECT_EQ(r[0], json({{"TableName", "Music"}, {"Item", {{"Song", {{"S", "a1"}}}, {"Plays", {{"N", "10"}}}}}}));
  EXPECT_EQ(r[1]["Item"]["Genre"], json({{"S", "jazz"}}));
  EXPECT_EQ(r[2], json({{"TableName", "Music"}}));
  EXPECT_EQ(r[3], json({{"TableName", "Music"}}));
  EXPECT_EQ(r[4]["Error"]["Code"], "ValidationError");
  EXPECT_EQ(r[4]["Error"]["Message"], "Select statements within BatchExecuteStatement must specify the primary key in the where clause.");
  EXPECT_EQ(r[5]["Error"], json({{"Code", "ResourceNotFound"}, {"Message", "Requested resource not found"}}));
  EXPECT_EQ(r[6]["Error"]["Code"], "ValidationError");
  EXPECT_EQ(r[6]["Error"]["Message"].get<std::string>().rfind(kMalformed, 0), 0u);

  out = ok("BatchExecuteStatement",
           {{"Statements",
             {{{"Statement", "INSERT INTO Music VALUE {'Artist': 'N', 'Song': 'n1'}"}},
              {{"Statement", "INSERT INTO Music VALUE {'Artist': 'Acme', 'Song': 'a1'}"}},
              {{"Statement", "UPDATE Music SET Plays = 1 WHERE Artist = 'Zed' AND Song = 'z1'"}},
              {{"Statement", "UPDATE Music SET Plays = 1 WHERE Artist = 'Zed' AND Song = 'none'"}},
              {{"Statement", "DELETE FROM Music WHERE Artist = 'Acme' AND Song = 'a2'"}}}},
            {"ReturnConsumedCapacity", "TOTAL"}});
  auto& w = out["Responses"];
  ASSERT_EQ(w.size(), 5u);
  EXPECT_EQ(w[0], json({{"TableName", "Music"}}));
  EXPECT_EQ(w[1]["Error"], json({{"Code", "DuplicateItem"}, {"Message", "Duplicate primary key exists in table"}}));
  EXPECT_EQ(w[2], json({{"TableName", "Music"}}));
  EXPECT_EQ(w[3]["Error"]["Code"], "ConditionalCheckFailed");
  EXPECT_EQ(w[4], json({{"TableName", "Music"}}));
  EXPECT_FALSE(get("N", "n1").is_null());
  EXPECT_EQ(get("Zed", "z1")["Plays"], json({{"N", "1"}}));
  EXPECT_TRUE(get("Acme", "a2").is_null());
  ASSERT_TRUE(out.contains("ConsumedCapacity"));
  EXPECT_EQ(out["ConsumedCapacity"][0]["TableName"], "Music");
}

TEST_F(PartiqlTest, BatchRules) {
  auto e = err("BatchExecuteStatement",
               {{"Statements",
                 {{{"Statement", "SELECT * FROM Music WHERE Artist = 'a' AND Song = 'b'"}},
                  {{"Statement", "DELETE FROM Music WHERE Artist = 'a' AND Song = 'c'"}}}}});
  EXPECT_EQ(e.message, "Read and write requests together in the same batch is not supported.");
  e = err("BatchExecuteStatement",
          {{"Statements",
            {{{"Statement", "INSERT INTO Music VALUE {'Artist': 'a', 'Song': 'b'}"}},
             {{"Statement", "DELETE FROM Music WHERE Artist = 'a' AND Song = 'b'"}}}}});
  EXPECT_EQ(e.message, "Provided list of item keys contains duplicates");
  json many = json::array();
  for (int i = 0; i < 26; ++i) many.push_back({{"Statement", "DELETE FROM Music WHERE Artist = 'a' AND Song = '" + std::to_string(i) + "'"}});
  e = err("BatchExecuteStatement", {{"Statements", many}});
  EXPECT_NE(e.message.find("at 'statements' failed to satisfy constraint: Member must have length less than or equal to 25"),
            std::string::npos)
      << e.message;
  e = err("BatchExecuteStatement", {{"Statements", json::array()}});
  EXPECT_NE(e.message.find("Member must have length greater than or equal to 1"), std::string::npos);
  auto out = ok("BatchExecuteStatement",
                {{"Statements", {{{"Statement", "EXISTS(SELECT * FROM Music WHERE Artist = 'a' AND Song = 'b')"}}}}});
  EXPECT_EQ(out["Responses"][0]["Error"]["Message"], "EXISTS can only be used in ExecuteTransaction write requests.");
}

TEST_F(PartiqlTest, TransactionWritesAllOrNothing) {
  seed();
  json in = {{"TransactStatements",
              {{{"Statement", "INSERT INTO Music VALUE {'Artist': 'T', 'Song': 't1'}"}},
               {{"Statement", "UPDATE Music SET Plays = 0 WHERE Artist = 'Acme' AND Song = 'a1'"}},
               {{"Statement", "INSERT INTO Music VALUE {'Artist': 'Acme', 'Song': 'a2'}"}}}}};
  auto e = err("ExecuteTransaction", in);
  EXPECT_EQ(e.code, "TransactionCanceledException");
  EXPECT_EQ(e.message, "Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, DuplicateItem]");
  ASSERT_TRUE(e.details);
  EXPECT_EQ((*e.details)["CancellationReasons"],
            json::array({{{"Code", "None"}},
                         {{"Code", "None"}},
                         {{"Code", "DuplicateItem"}, {"Message", "Duplicate primary key exists in table"}}}));
  EXPECT_TRUE(get("T", "t1").is_null());
  EXPECT_EQ(get("Acme", "a1")["Plays"], json({{"N", "10"}}));

  // EXISTS as a condition check, with the failing item returned on request.
  in = {{"TransactStatements",
         {{{"Statement", "EXISTS(SELECT * FROM Music WHERE Artist = 'Acme' AND Song = 'a1' AND Plays > 50)"},
           {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}},
          {{"Statement", "DELETE FROM Music WHERE Artist = 'Acme' AND Song = 'a2'"}}}}};
  e = err("ExecuteTransaction", in);
  EXPECT_EQ(e.code, "TransactionCanceledException");
  ASSERT_TRUE(e.details);
  auto& reasons = (*e.details)["CancellationReasons"];
  EXPECT_EQ(reasons[0]["Code"], "ConditionalCheckFailed");
  EXPECT_EQ(reasons[0]["Message"], "The conditional request failed");
  EXPECT_EQ(reasons[0]["Item"]["Plays"], json({{"N", "10"}}));
  EXPECT_EQ(reasons[1], json({{"Code", "None"}}));
  EXPECT_FALSE(get("Acme", "a2").is_null());

  in = {{"TransactStatements",
         {{{"Statement", "EXISTS(SELECT * FROM Music WHERE Artist = 'Acme' AND Song = 'a1' AND Plays = 10)"}},
          {{"Statement", "DELETE FROM Music WHERE Artist = 'Acme' AND Song = 'a2'"}},
          {{"Statement", "INSERT INTO Music VALUE {'Artist': 'T', 'Song': ?}"}, {"Parameters", {{{"S", "t1"}}}}},
          {{"Statement", "UPDATE Music SET Plays = Plays + 1 WHERE Artist = 'Zed' AND Song = 'z1'"}}}},
        {"ClientRequestToken", "tok-1"}};
  auto out = ok("ExecuteTransaction", in);
  EXPECT_EQ(out["Responses"].size(), 4u);
  EXPECT_TRUE(get("Acme", "a2").is_null());
  EXPECT_FALSE(get("T", "t1").is_null());
  EXPECT_EQ(get("Zed", "z1")["Plays"], json({{"N", "41"}}));
  // Same token, same statements: not applied twice.
  ok("ExecuteTransaction", in);
  EXPECT_EQ(get("Zed", "z1")["Plays"], json({{"N", "41"}}));
  in["TransactStatements"].erase(3);
  e = err("ExecuteTransaction", in);
  EXPECT_EQ(e.code, "IdempotentParameterMismatchException");
}

TEST_F(PartiqlTest, TransactionReadsAndRules) {
  seed();
  auto out = ok("ExecuteTransaction",
                {{"TransactStatements",
                  {{{"Statement", "SELECT Plays FROM Music WHERE Artist = 'Acme' AND Song = 'a1'"}},
                   {{"Statement", "SELECT * FROM Music WHERE Artist = 'Acme' AND Song = 'none'"}},
                   {{"Statement", "SELECT * FROM Music WHERE Artist = 'Zed' AND Song = 'z1' AND Plays = 0"}}}}});
  EXPECT_EQ(out["Responses"], json::array({{{"Item", {{"Plays", {{"N", "10"}}}}}}, json::object(), json::object()}));
  auto e = err("ExecuteTransaction",
               {{"TransactStatements",
                 {{{"Statement", "SELECT * FROM Music WHERE Artist = 'Acme' AND Song = 'a1'"}},
                  {{"Statement", "DELETE FROM Music WHERE Artist = 'Acme' AND Song = 'a2'"}}}}});
  EXPECT_EQ(e.message, "ExecuteTransaction API does not support both read and write operations in the same request.");
  e = err("ExecuteTransaction", {{"TransactStatements", {{{"Statement", "SELECT * FROM Music WHERE Artist = 'Acme'"}}}}});
  EXPECT_EQ(e.message, "Select statements within ExecuteTransaction must specify the primary key in the where clause.");
  e = err("ExecuteTransaction",
          {{"TransactStatements", {{{"Statement", "SELECT * FROM \"Music\".\"ByGenre\" WHERE Genre = 'rock'"}}}}});
  EXPECT_EQ(e.message, "Reads on indices are not supported within transactions.");
  e = err("ExecuteTransaction",
          {{"TransactStatements",
            {{{"Statement", "UPDATE Music SET a = 1 WHERE Artist = 'Acme' AND Song = 'a1' RETURNING ALL NEW *"}}}}});
  EXPECT_EQ(e.message, "Validation failed in TransactStatements[0]: RETURNING clause is not supported in ExecuteTransaction.");
  e = err("ExecuteTransaction",
          {{"TransactStatements",
            {{{"Statement", "DELETE FROM Music WHERE Artist = 'Acme' AND Song = 'a1'"}},
             {{"Statement", "UPDATE Music SET a = 1 WHERE Artist = 'Acme' AND Song = 'a1'"}}}}});
  EXPECT_EQ(e.message, "Transaction request cannot include multiple operations on one item");
  e = err("ExecuteTransaction", {{"TransactStatements", {{{"Statement", "SELEC * FROM Music"}}}}});
  EXPECT_EQ(e.message, kMalformed + "Expected data manipulation");
  e = err("ExecuteTransaction", {{"TransactStatements", json::array()}});
  EXPECT_NE(e.message.find("'transactStatements' failed to satisfy constraint: Member must have length greater than or equal to 1"),
            std::string::npos);
  e = err("ExecuteTransaction",
          {{"TransactStatements", {{{"Statement", "EXISTS(SELECT * FROM Music WHERE Artist = 'Acme')"}}}}});
  EXPECT_EQ(e.message, "EXISTS() must contain a single item read with additional condition");
}

TEST_F(PartiqlTest, ParserBuildsTheTree) {
  json params = json::array({{{"N", "5"}}});
  auto st = awan::dynamodb::partiql::parse(
      "select a.b[2], \"c d\" from \"T\".\"I\" where x = ? and not (y < 3 or begins_with(z, 'p'))", &params);
  EXPECT_EQ(st.kind, awan::dynamodb::partiql::Statement::Kind::Select);
  EXPECT_EQ(st.table, "T");
  EXPECT_EQ(st.index, "I");
  ASSERT_EQ(st.projection.size(), 2u);
  EXPECT_EQ(st.projection[0].size(), 3u);
  EXPECT_EQ(st.projection[0][2].index, 2);
  EXPECT_EQ(st.projection[1][0].name, "c d");
  ASSERT_TRUE(st.where);
  using K = awan::dynamodb::partiql::Expr::Kind;
  EXPECT_EQ(st.where->kind, K::And);
  ASSERT_EQ(st.where->args.size(), 2u);
  EXPECT_EQ(st.where->args[0].args[1].value, json({{"N", "5"}}));
  EXPECT_EQ(st.where->args[1].kind, K::Not);
  EXPECT_EQ(st.where->args[1].args[0].kind, K::Or);
  EXPECT_EQ(st.where->args[1].args[0].args[1].op, "begins_with");
}

}  // namespace
