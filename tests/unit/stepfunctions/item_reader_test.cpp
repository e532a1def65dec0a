// Step Functions' ItemReader parsing: CSV (FIRST_ROW and GIVEN headers, quoting, CRLF, short
// rows, MaxItems), JSON arrays, JSONL, and malformed or unsupported input as an error value.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "stepfunctions/item_reader.hpp"

using nlohmann::json;
using awan::stepfunctions::parse_item_reader;

TEST(StepFunctionsItemReader, Formats) {
  struct T {
    std::string body, type;
    json config, want;
  };
  std::vector<T> table = {
      {"a,b\n1,2\n3,4\n", "CSV", json::object(), {{{"a", "1"}, {"b", "2"}}, {{"a", "3"}, {"b", "4"}}}},
      {"a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n", "CSV", json::object(), {{{"a", "x,1"}, {"b", "say \"hi\""}}}},
      {"a,b,c\n1\n", "CSV", json::object(), {{{"a", "1"}, {"b", ""}, {"c", ""}}}},
      {"1,2\n3,4\n", "CSV", {{"CSVHeaderLocation", "GIVEN"}, {"CSVHeaders", {"x", "y"}}},
       {{{"x", "1"}, {"y", "2"}}, {{"x", "3"}, {"y", "4"}}}},
      {"h\n1\n2\n3\n", "CSV", {{"MaxItems", 2}}, {{{"h", "1"}}, {{"h", "2"}}}},
      {"h\n", "CSV", json::object(), json::array()},
      {"", "CSV", json::object(), json::array()},
      {"a\n\"unterminated\n", "CSV", json::object(), {{{"a", "unterminated\n"}}}},
      {"[1, {\"k\": 2}]", "JSON", json::object(), {1, {{"k", 2}}}},
      {"[1, 2, 3]", "JSON", {{"MaxItems", 1}}, {1}},
      {"{\"a\":1}\n\n{\"a\":2}\r\n", "JSONL", json::object(), {{{"a", 1}}, {{"a", 2}}}},
  };
  for (const auto& t : table) {
    auto r = parse_item_reader(t.body, t.type, t.config);
    EXPECT_EQ(r.error, "") << t.body;
    EXPECT_EQ(r.items, t.want) << t.body;
  }
}

TEST(StepFunctionsItemReader, MalformedInput) {
  for (const auto& [body, type] : std::vector<std::pair<std::string, std::string>>{
           {"{\"not\": \"an array\"}", "JSON"}, {"[1,", "JSON"}, {"", "JSON"}, {"{\"a\":1}\n{oops", "JSONL"},
           {"x", "PARQUET"}, {"x", "MANIFEST"}}) {
    auto r = parse_item_reader(body, type, json::object());
    EXPECT_FALSE(r.error.empty()) << type << ": " << body;
    EXPECT_TRUE(r.items.empty() || type == "JSONL") << body;
  }
  // Nesting deep enough to overflow a recursive parser is an error, not a crash.
  auto deep = parse_item_reader(std::string(100000, '['), "JSON", json::object());
  EXPECT_FALSE(deep.error.empty());
}
