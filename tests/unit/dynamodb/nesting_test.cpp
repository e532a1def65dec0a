// Nesting limits of DynamoDB expressions, AttributeValues and the CBOR reader: each limit at
// and beyond it (protocol-level limits: tests/unit/protocol/nesting_test.cpp).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "awan/error.hpp"
#include "dynamodb/cbor.hpp"
#include "dynamodb/expression.hpp"
#include "dynamodb/partiql.hpp"
#include "dynamodb/value.hpp"

using namespace awan::dynamodb;
using nlohmann::json;

namespace {

const json kValues = {{":v", {{"S", "x"}}}};

std::string condition_error(const std::string& text, std::string_view label = "ConditionExpression") {
  expr::Context ctx;
  ctx.values = &kValues;
  try {
    expr::parse_condition(text, label, ctx);
    return "OK";
  } catch (const awan::AwsError& e) {
    return e.message;
  }
}

std::string update_error(const std::string& text) {
  expr::Context ctx;
  ctx.values = &kValues;
  try {
    expr::parse_update(text, ctx);
    return "OK";
  } catch (const awan::AwsError& e) {
    return e.message;
  }
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// "(a = :v AND (a = :v AND ... a = :v))": `levels` parenthesised groups, none redundant.
std::string chained(int levels) {
  return repeat("a = :v AND (", levels) + "a = :v" + std::string(static_cast<size_t>(levels), ')');
}

// An AttributeValue of `levels` levels: levels - 1 wrappers (M or L) around a string.
json nested_value(int levels, bool lists = false) {
  json root;
  json* at = &root;
  for (int i = 1; i < levels; ++i) at = lists ? &(*at)["L"][0] : &(*at)["M"]["a"];
  *at = {{"S", "leaf"}};
  return root;
}

std::string value_error(json v) {
  try {
    validate_value(v);
    return "OK";
  } catch (const awan::AwsError& e) {
    return e.code + ": " + e.message;
  }
}

const std::string kItemTooDeep =
    "ValidationException: Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
    "beyond supported limit";

const std::string kTooDeep = "The expression is nested too deeply; maximum nesting levels: 150";

}  // namespace

TEST(ExpressionNesting, ParenthesesAtTheLimitParse) {
  EXPECT_EQ(condition_error(chained(150)), "OK");
}

TEST(ExpressionNesting, ParenthesesBeyondTheLimitAreRejected) {
  EXPECT_EQ(condition_error(chained(151)), "Invalid ConditionExpression: " + kTooDeep);
}

TEST(ExpressionNesting, FourKilobytesOfOpenParenthesesAreRejected) {
  EXPECT_EQ(condition_error(std::string(4096, '(')), "Invalid ConditionExpression: " + kTooDeep);
}

TEST(ExpressionNesting, TheLabelNamesTheExpression) {
  EXPECT_EQ(condition_error(std::string(4096, '('), "KeyConditionExpression"),
            "Invalid KeyConditionExpression: " + kTooDeep);
}

TEST(ExpressionNesting, ShallowerUnbalancedParenthesesStaySyntaxErrors) {
  EXPECT_EQ(condition_error(std::string(150, '(')).rfind("Invalid ConditionExpression: Syntax error", 0), 0u);
}

TEST(ExpressionNesting, NotsAtTheLimitParse) {
  EXPECT_EQ(condition_error(repeat("NOT ", 150) + "a = :v"), "OK");
}

TEST(ExpressionNesting, NotsBeyondTheLimitAreRejected) {
  EXPECT_EQ(condition_error(repeat("NOT ", 151) + "a = :v"), "Invalid ConditionExpression: " + kTooDeep);
}

TEST(ExpressionNesting, OperandParenthesesBeyondTheLimitAreRejected) {
  EXPECT_EQ(condition_error("a = " + std::string(2000, '(') + ":v" + std::string(2000, ')')),
            "Invalid ConditionExpression: " + kTooDeep);
}

TEST(ExpressionNesting, NestedFunctionsAtTheLimitParse) {
  EXPECT_EQ(update_error("SET a = " + repeat("if_not_exists(a, ", 150) + ":v" + std::string(150, ')')), "OK");
}

TEST(ExpressionNesting, NestedFunctionsBeyondTheLimitAreRejected) {
  EXPECT_EQ(update_error("SET a = " + repeat("if_not_exists(a, ", 151) + ":v" + std::string(151, ')')),
            "Invalid UpdateExpression: " + kTooDeep);
}

TEST(ExpressionNesting, UpdateValueParenthesesBeyondTheLimitAreRejected) {
  EXPECT_EQ(update_error("SET a = " + std::string(2000, '(') + ":v" + std::string(2000, ')')),
            "Invalid UpdateExpression: " + kTooDeep);
}

TEST(ExpressionNesting, DeepConditionAtTheLimitEvaluates) {
  expr::Context ctx;
  ctx.values = &kValues;
  expr::Node n = expr::parse_condition(chained(150), "ConditionExpression", ctx);
  EXPECT_TRUE(expr::evaluate(n, json{{"a", {{"S", "x"}}}}));
}

TEST(AttributeValueNesting, ThirtyTwoLevelsAreAccepted) {
  EXPECT_EQ(value_error(nested_value(32)), "OK");
}

TEST(AttributeValueNesting, ThirtyThreeLevelsAreRejected) {
  EXPECT_EQ(value_error(nested_value(33)), kItemTooDeep);
}

TEST(AttributeValueNesting, TenThousandLevelsAreRejected) {
  EXPECT_EQ(value_error(nested_value(10'000)), kItemTooDeep);
}

TEST(AttributeValueNesting, ListsCountAsLevels) {
  EXPECT_EQ(value_error(nested_value(32, true)), "OK");
  EXPECT_EQ(value_error(nested_value(33, true)), kItemTooDeep);
}

namespace {

// `levels` nested one-element arrays around the integer 1, definite (0x81) or indefinite
// (0x9f ... 0xff) lengths.
std::string cbor_arrays(int levels, bool indefinite) {
  std::string s(static_cast<size_t>(levels), indefinite ? '\x9f' : '\x81');
  s += '\x01';
  if (indefinite) s += std::string(static_cast<size_t>(levels), '\xff');
  return s;
}

size_t cbor_depth(json j) {
  size_t d = 0;
  while (j.is_array()) {
    ++d;
    json inner = j[0];
    j = std::move(inner);
  }
  return d;
}

}  // namespace

TEST(CborNesting, DefiniteArraysAtTheLimitDecode) {
  EXPECT_EQ(cbor_depth(decode_cbor(cbor_arrays(256, false))), 256u);
}

TEST(CborNesting, DefiniteArraysBeyondTheLimitThrow) {
  EXPECT_THROW(decode_cbor(cbor_arrays(257, false)), std::runtime_error);
}

TEST(CborNesting, IndefiniteArraysAtTheLimitDecode) {
  EXPECT_EQ(cbor_depth(decode_cbor(cbor_arrays(256, true))), 256u);
}

TEST(CborNesting, HundredThousandIndefiniteArraysThrow) {
  EXPECT_THROW(decode_cbor(cbor_arrays(100'000, true)), std::runtime_error);
}

TEST(CborNesting, NestedTagsBeyondTheLimitThrow) {
  EXPECT_THROW(decode_cbor(std::string(100'000, '\xc1') + '\x01'), std::runtime_error);
}

TEST(CborNesting, MalformedDataStaysAParseError) {
  EXPECT_THROW(decode_cbor("\x9f\x01"), nlohmann::json::parse_error);
}

namespace {

std::string partiql_error(const std::string& statement) {
  try {
    partiql::parse(statement, nullptr);
    return "OK";
  } catch (const awan::AwsError& e) {
    return e.message;
  }
}

const std::string kPartiqlTooDeep = "Statement wasn't well formed, can't be processed: Expression nesting too deep";

std::string nested_calls(std::string_view open, int n, std::string_view inner, std::string_view close) {
  std::string s = repeat(open, n) + std::string(inner);
  for (int i = 0; i < n; ++i) s += close;
  return s;
}

}  // namespace

// A WHERE clause opens one level, each parenthesised group two: 49 groups reach the limit of 100.
TEST(PartiqlNesting, ParenthesesAtTheLimitParse) {
  EXPECT_EQ(partiql_error("SELECT * FROM Music WHERE " + nested_calls("(", 49, "a = 1", ")")), "OK");
}

TEST(PartiqlNesting, ParenthesesBeyondTheLimitAreRejected) {
  EXPECT_EQ(partiql_error("SELECT * FROM Music WHERE " + nested_calls("(", 50, "a = 1", ")")), kPartiqlTooDeep);
}

TEST(PartiqlNesting, FunctionCallsAtTheLimitParse) {
  EXPECT_EQ(partiql_error("SELECT * FROM Music WHERE " + nested_calls("size(", 99, "a", ")") + " > 1"), "OK");
}

TEST(PartiqlNesting, FunctionCallsBeyondTheLimitAreRejected) {
  EXPECT_EQ(partiql_error("SELECT * FROM Music WHERE " + nested_calls("size(", 100, "a", ")") + " > 1"),
            kPartiqlTooDeep);
}

TEST(PartiqlNesting, ListAppendsAtTheLimitParse) {
  EXPECT_EQ(partiql_error("UPDATE Music SET a = " + nested_calls("list_append(", 100, "a", ", [1])") +
                          " WHERE Artist = 'a'"),
            "OK");
}

TEST(PartiqlNesting, ListAppendsBeyondTheLimitAreRejected) {
  EXPECT_EQ(partiql_error("UPDATE Music SET a = " + nested_calls("list_append(", 101, "a", ", [1])") +
                          " WHERE Artist = 'a'"),
            kPartiqlTooDeep);
}

TEST(PartiqlNesting, ValueLiteralsOfThirtyTwoLevelsParse) {
  EXPECT_EQ(partiql_error("INSERT INTO Music VALUE {'a': " + nested_calls("[", 31, "1", "]") + "}"), "OK");
}

TEST(PartiqlNesting, ValueLiteralsBeyondThirtyTwoLevelsAreRejected) {
  EXPECT_EQ(partiql_error("INSERT INTO Music VALUE {'a': " + nested_calls("[", 32, "1", "]") + "}"),
            "Nesting Levels have exceeded supported limits under a");
}
