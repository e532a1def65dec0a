// Table checks shared by the JSONata unit tests: each row's expression, evaluated by the test's
// own `eval` (its data, its variables), gives the row's `want`.
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stepfunctions/errors.hpp"

namespace awan::sfn_test {

struct JsonataCase {
  std::string expr;
  nlohmann::json want;
};

// A row that throws (StatesError or anything else) fails alone; the others still run.
template <class Table, class Eval>
void expect_jsonata_values(const Table& table, Eval eval) {
  for (const auto& t : table) {
    std::optional<nlohmann::json> v;
    try {
      v = eval(t.expr);
    } catch (const stepfunctions::StatesError& e) {
      ADD_FAILURE() << t.expr << ": " << e.cause;
      continue;
    } catch (const std::exception& e) {
      ADD_FAILURE() << t.expr << ": " << e.what();
      continue;
    }
    ASSERT_TRUE(v.has_value()) << t.expr;
    EXPECT_EQ(*v, t.want) << t.expr;
  }
}

}  // namespace awan::sfn_test
