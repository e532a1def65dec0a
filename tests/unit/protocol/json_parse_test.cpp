// The simdjson fast path gives exactly what nlohmann's parser gives, or declines.
#include <gtest/gtest.h>

#include <string>

#include "protocol/json_parse.hpp"

namespace awan::protocol {
namespace {

using nlohmann::json;

json reference(const std::string& s) { return json::parse(s.begin(), s.end(), nullptr, false); }

// Same value, same types all the way down (nlohmann's == treats 1 and 1u as equal).
void expect_identical(const json& a, const json& b, const std::string& where) {
  ASSERT_EQ(a.type(), b.type()) << where << ": " << a.dump() << " vs " << b.dump();
  if (a.is_object()) {
    ASSERT_EQ(a.size(), b.size()) << where;
    for (auto it = a.begin(); it != a.end(); ++it) {
      ASSERT_TRUE(b.contains(it.key())) << where << "." << it.key();
      expect_identical(it.value(), b.at(it.key()), where + "." + it.key());
    }
  } else if (a.is_array()) {
    ASSERT_EQ(a.size(), b.size()) << where;
    for (size_t i = 0; i < a.size(); ++i) expect_identical(a[i], b[i], where + "[" + std::to_string(i) + "]");
  } else {
    EXPECT_EQ(a.dump(), b.dump()) << where;
  }
}

TEST(JsonParse, FastPathMatchesNlohmannOnSdkBodies) {
  const std::string bodies[] = {
      R"({"TableName":"Bench","Key":{"pk":{"S":"hot"},"sk":{"N":"1"}}})",
      R"({"TableName":"T","Item":{"pk":{"S":"p"},"l":{"L":[{"N":"1"},{"BOOL":true},{"NULL":true}]},"b":{"B":"AAE="}}})",
      R"({"Limit":25,"Segment":0,"TotalSegments":4,"Big":18446744073709551615,"Neg":-7,"F":1.5,"E":1e2,"Z":0})",
      R"({"a":"x\"y\\z\/\n\t\r\b\f","é":"ünïcödé ✓ 😀","":"empty key"})",
      R"({"dup":1,"dup":2,"nested":{"dup":"a","dup":"b"}})",
      R"({"arr":[],"obj":{},"n":null,"t":true,"f":false,"d":-1.25e-3})",
      R"([1,2,3])",
      R"("just a string")",
  };
  for (const auto& b : bodies) {
    json fast;
    ASSERT_TRUE(parse_json_fast(b, fast)) << b;
    expect_identical(fast, reference(b), b);
    expect_identical(parse_json(b), reference(b), b);
  }
}

TEST(JsonParse, DeclinesWhatItMustLeaveToNlohmann) {
  const std::string declined[] = {
      "{\"a\":\"\\u00e9\"}",            // \u escapes
      "{\"a\":\"\\ud800\"}",            // a lone surrogate (nlohmann refuses it)
      "{\n  \"a\": 1\n}",               // raw whitespace below 0x20
      std::string("{\"a\":\"x\x01y\"}"),  // a raw control character in a string
      "{\"a\":-0}",                     // simdjson: double -0.0; nlohmann: integer 0
      "{\"a\":184467440737095516150}",  // beyond 64 bits
      "{\"a\":1e400}",                  // out of range
      "{\"a\":1,}",                     // syntax errors
      "{\"a\" 1}",
      "{\"a\":\"\xff\"}",               // invalid UTF-8
      "{\"a\":1}x",
      std::string(70 * 1024, ' '),      // over 64 KiB
  };
  for (const auto& b : declined) {
    json out = "untouched";
    EXPECT_FALSE(parse_json_fast(b, out)) << b;
    EXPECT_EQ(out, "untouched");
    // parse_json falls back to nlohmann: the same answer, a discarded value for a syntax error.
    expect_identical(parse_json(b), reference(b), b);
  }
  EXPECT_TRUE(parse_json("{\"a\":1,}").is_discarded());
  EXPECT_EQ(parse_json("{\"a\":-0}")["a"].type(), json::value_t::number_integer);
}

TEST(JsonParse, LargeCompactBodiesUnderTheLimit) {
  std::string b = "{\"Item\":{";
  for (int i = 0; i < 1000; ++i) {
    if (i) b += ',';
    b.append("\"k").append(std::to_string(i)).append("\":{\"S\":\"v\"}");
  }
  b += "}}";
  json fast;
  ASSERT_TRUE(parse_json_fast(b, fast));
  expect_identical(fast, reference(b), "big");
}


// The fast path takes documents up to kFastMaxDepth deep and declines deeper ones, which the
// codec then checks against its nesting limit and parses with nlohmann.
TEST(JsonParse, DeclinesDocumentsDeeperThanItsDepthLimit) {
  auto nested = [](size_t depth) {
    std::string s;
    for (size_t i = 0; i < depth; ++i) s += "{\"a\":";
    s += "1";
    s += std::string(depth, '}');
    return s;
  };
  json out;
  EXPECT_TRUE(parse_json_fast(nested(kFastMaxDepth - 1), out));
  EXPECT_EQ(out, reference(nested(kFastMaxDepth - 1)));
  for (size_t depth : {kFastMaxDepth + 1, kFastMaxDepth * 2, size_t{5000}}) {
    json untouched = "untouched";
    EXPECT_FALSE(parse_json_fast(nested(depth), untouched)) << depth;
    EXPECT_EQ(untouched, "untouched");
  }
  expect_identical(parse_json(nested(150)), reference(nested(150)), "150 levels");
}

}  // namespace
}  // namespace awan::protocol
