// libFuzzer target: DynamoDB expressions (condition, filter, key condition, update, projection)
// parsed against fixed attribute names and values, then evaluated / applied to a fixed item.
// Input: the first byte picks the kind, the rest is the expression text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "awan/error.hpp"
#include "dynamodb/expression.hpp"

namespace {

using nlohmann::json;

const json kNames = {{"#a", "a"}, {"#b", "b"}, {"#l", "l"}, {"#m", "m"}, {"#pk", "pk"}};
const json kValues = {{":s", {{"S", "x"}}},
                      {":n", {{"N", "1"}}},
                      {":b", {{"B", "eA=="}}},
                      {":l", {{"L", json::array({json{{"N", "2"}}})}}},
                      {":m", {{"M", {{"k", {{"S", "v"}}}}}}},
                      {":ss", {{"SS", json::array({"p", "q"})}}},
                      {":ns", {{"NS", json::array({"1", "3"})}}},
                      {":t", {{"BOOL", true}}},
                      {":z", {{"NULL", true}}}};
const json kItem = {{"pk", {{"S", "k"}}},
                    {"a", {{"S", "xyz"}}},
                    {"b", {{"N", "5"}}},
                    {"l", {{"L", json::array({json{{"N", "1"}}, json{{"S", "s"}}})}}},
                    {"m", {{"M", {{"k", {{"S", "v"}}}, {"n", {{"M", {{"d", {{"N", "9"}}}}}}}}}}},
                    {"ss", {{"SS", json::array({"p"})}}}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::dynamodb;
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  expr::Context ctx;
  ctx.names = &kNames;
  ctx.values = &kValues;
  try {
    switch (data[0] % 5) {
      case 0: (void)expr::evaluate(expr::parse_condition(text, "ConditionExpression", ctx), kItem); break;
      case 1: (void)expr::evaluate(expr::parse_condition(text, "FilterExpression", ctx), kItem); break;
      case 2: (void)expr::evaluate(expr::parse_condition(text, "KeyConditionExpression", ctx), kItem); break;
      case 3: {
        json item = kItem;
        expr::apply_update(expr::parse_update(text, ctx), item);
        break;
      }
      default: (void)expr::project(kItem, expr::parse_projection(text, ctx)); break;
    }
    expr::check_unused(ctx);
  } catch (const awan::AwsError&) {
  }
  return 0;
}
