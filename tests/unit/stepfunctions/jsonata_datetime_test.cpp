// JSONata date/time pictures beyond numbers and names: the ISO week date ([W], [X]), the week of
// the month ([w], [x]), words, roman numerals and letters as presentations.
#include "stepfunctions/errors.hpp"
#include "stepfunctions/jsonata.hpp"
#include "stepfunctions/jsonata_check.hpp"

#include <gtest/gtest.h>

using nlohmann::json;
using namespace awan;
namespace jsonata = awan::stepfunctions::jsonata;

namespace {

std::optional<json> eval(const std::string& expr) {
  json s = {{"input", json::object()}};
  json vars = json::object();
  auto n = jsonata::parse(expr);
  EXPECT_TRUE(n) << expr;
  if (!n) return std::nullopt;
  return jsonata::evaluate(*n, jsonata::Bindings{s, vars});
}

}  // namespace

TEST(StepFunctionsJsonataDateTime, PictureStrings) {
  struct T {
    std::string expr;
    json want;
  };
  // 1510067557121 is 2017-11-07T15:12:37.121Z (a Tuesday); 1704067200000 2024-01-01 (a Monday);
  // 1609459200000 2021-01-01 (a Friday, in the ISO week 2020-W53).
  std::vector<T> table = {
      {"$fromMillis(1510067557121, '[M01]/[D01]/[Y0001] [h#1]:[m01][P]')", "11/07/2017 3:12pm"},
      {"$fromMillis(1510067557121, '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]', '-0500')",
       "2017-11-07T10:12:37.121-05:00"},
      {"$fromMillis(1510067557121, '[FNn], [D1o] [MNn] [Y]')", "Tuesday, 7th November 2017"},
      {"$fromMillis(1704067200000, '[X]-W[W01]-[F1]')", "2024-W01-1"},
      {"$fromMillis(1609459200000, '[X0001]-W[W01]')", "2020-W53"},
      {"$fromMillis(1510067557121, 'week [w] of month [x]')", "week 2 of month 11"},
      {"$fromMillis(1704067200000, '[Dwo] [MNn] [Yw]')", "first January two thousand and twenty-four"},
      {"$fromMillis(1704067200000, '[DWwo] of [YI]')", "First of MMXXIV"},
      {"$fromMillis(1510067557121, '[Ma]/[Da]')", "k/g"},
      {"$fromMillis(1510067557121, '[HW]')", "FIFTEEN"},
      {"$toMillis('2020-W53-5', '[X0001]-W[W01]-[F1]')", 1609459200000},
      {"$toMillis('2024-W01', '[X0001]-W[W01]')", 1704067200000},
  };
  sfn_test::expect_jsonata_values(table, eval);
  for (const char* bad : {"$fromMillis(0, '[E]')", "$fromMillis(0, '[C]')", "$fromMillis(0, '[Dq]')", "$fromMillis(0, '[Y')"}) {
    try {
      eval(bad);
      ADD_FAILURE() << bad;
    } catch (const stepfunctions::StatesError& e) {
      EXPECT_EQ(e.error, "States.QueryEvaluationError") << bad;
    }
  }
}
