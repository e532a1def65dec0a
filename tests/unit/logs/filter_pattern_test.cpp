// Filter patterns, table-driven: text terms, quoted phrases, ?optional and -excluded terms,
// JSON patterns with comparisons, && and ||, and the patterns refused.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "logs/filter_pattern.hpp"

namespace awan::logs {
namespace {

struct Case {
  std::string pattern, message;
  bool matches;
};

bool run(const std::string& pattern, const std::string& message) {
  auto p = FilterPattern::parse(pattern);
  EXPECT_TRUE(std::holds_alternative<FilterPattern>(p)) << pattern << ": " << std::get<std::string>(p);
  return std::holds_alternative<FilterPattern>(p) && std::get<FilterPattern>(p).matches(message);
}

TEST(FilterPattern, TextTerms) {
  const std::vector<Case> cases = {
      {"", "anything", true},
      {"   ", "anything", true},
      {"\"\"", "anything", true},
      {"ERROR", "[ERROR] disk full", true},
      {"ERROR", "error: disk full", false},  // case-sensitive
      {"ERROR disk", "ERROR: the disk is full", true},
      {"ERROR disk", "ERROR: the volume is full", false},
      {"\"disk full\"", "ERROR: disk full", true},
      {"\"disk full\"", "ERROR: disk is full", false},
      {"\"say \\\"hi\\\"\"", "they say \"hi\"", true},
      {"?ERROR ?WARN", "WARN low memory", true},
      {"?ERROR ?WARN", "INFO all good", false},
      {"ERROR -Exiting", "ERROR retrying", true},
      {"ERROR -Exiting", "ERROR Exiting now", false},
      {"-DEBUG", "INFO started", true},
      {"-DEBUG", "DEBUG started", false},
      {"?ERROR ?WARN -timeout", "ERROR timeout", false},
      {"-", "a - b", true},
      {"user=alice", "login user=alice ok", true},
  };
  for (const auto& c : cases) EXPECT_EQ(run(c.pattern, c.message), c.matches) << c.pattern << " / " << c.message;
}

TEST(FilterPattern, JsonPatterns) {
  const std::string event = R"({"eventType":"UpdateTrail","level":"error","latency":120,"ok":false,
    "user":{"name":"alice","id":7},"items":[{"sku":"a-1"},{"sku":"b-2"}],"gone":null})";
  const std::vector<Case> cases = {
      {R"({ $.eventType = "UpdateTrail" })", event, true},
      {R"({ $.eventType = "DeleteTrail" })", event, false},
      {R"({ $.eventType != "DeleteTrail" })", event, true},
      {R"({ $.eventType = Update* })", event, true},
      {R"({ $.eventType = "*Trail" })", event, true},
      {R"({ $.user.name = "alice" })", event, true},
      {R"({ $.user.id = 7 })", event, true},
      {R"({ $.user.id = 8 })", event, false},
      {R"({ $.latency > 100 })", event, true},
      {R"({ $.latency < 100 })", event, false},
      {R"({ $.latency >= 120 })", event, true},
      {R"({ $.latency <= 119.5 })", event, false},
      {R"({ $.latency = 120.0 })", event, true},
      {R"({ $.items[1].sku = "b-2" })", event, true},
      {R"({ $.items[5].sku = "b-2" })", event, false},
      {R"({ $.level = "error" && $.latency > 100 })", event, true},
      {R"({ $.level = "error" && $.latency > 500 })", event, false},
      {R"({ $.level = "info" || $.latency > 100 })", event, true},
      {R"({ ($.level = "info" || $.level = "error") && $.user.name = "alice" })", event, true},
      {R"({ ($.level = "info" || $.level = "warn") && $.user.name = "alice" })", event, false},
      {R"({ $.gone IS NULL })", event, true},
      {R"({ $.ok IS FALSE })", event, true},
      {R"({ $.ok IS TRUE })", event, false},
      {R"({ $.missing NOT EXISTS })", event, true},
      {R"({ $.user NOT EXISTS })", event, false},
      {R"({ $.missing = "x" })", event, false},
      {R"({ $.missing != "x" })", event, false},
      {R"({ $.latency = "120" })", event, false},
      {R"({ $.level = "error" })", "not json at all", false},
      {R"({ $.level = "error" })", "{broken json", false},
  };
  for (const auto& c : cases) EXPECT_EQ(run(c.pattern, c.message), c.matches) << c.pattern;
}

TEST(FilterPattern, RefusedPatterns) {
  std::string deep = "{ " + std::string(FilterPattern::kMaxDepth + 1, '(') + "$.a = 1" +
                     std::string(FilterPattern::kMaxDepth + 1, ')') + " }";
  for (const std::string& bad : {std::string("\"unterminated"), std::string("{ $.a = }"), std::string("{ $.a 1 }"),
                                 std::string("{ a = 1 }"), std::string("{ $.a = 1"), std::string("{ $.a < \"x\" }"),
                                 std::string("{ ($.a = 1 }"), std::string("{ $.a = 1 } extra"), std::string("{ $.a[x] = 1 }"),
                                 std::string("{ $.a IS MAYBE }"), std::string("[ip, user]"), std::string("%ERR.*%"), deep})
    EXPECT_TRUE(std::holds_alternative<std::string>(FilterPattern::parse(bad))) << bad;
  std::string ok = "{ " + std::string(FilterPattern::kMaxDepth, '(') + "$.a = 1" +
                   std::string(FilterPattern::kMaxDepth, ')') + " }";
  EXPECT_TRUE(run(ok, R"({"a":1})"));
}

}  // namespace
}  // namespace awan::logs
