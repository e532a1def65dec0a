#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "dynamodb/key_codec.hpp"
#include "dynamodb/number.hpp"
#include "dynamodb/value.hpp"

using namespace awan::dynamodb;

namespace {
std::string canon(const std::string& s) {
  Number n;
  auto err = parse_number(s, n);
  return err ? "ERR:" + *err : format_number(n);
}
Number num(const std::string& s) {
  Number n;
  EXPECT_TRUE(parse_number_syntax(s, n)) << s;
  return n;
}
}  // namespace

TEST(Number, CanonicalForm) {
  EXPECT_EQ(canon("1"), "1");
  EXPECT_EQ(canon("1.50"), "1.5");
  EXPECT_EQ(canon("001.500"), "1.5");
  EXPECT_EQ(canon("-0"), "0");
  EXPECT_EQ(canon("0.000"), "0");
  EXPECT_EQ(canon("+12"), "12");
  EXPECT_EQ(canon("1e3"), "1000");
  EXPECT_EQ(canon("1.25E-2"), "0.0125");
  EXPECT_EQ(canon(".5"), "0.5");
  EXPECT_EQ(canon("5."), "5");
  EXPECT_EQ(canon("-123.456"), "-123.456");
  EXPECT_EQ(canon("1e125"), "1" + std::string(125, '0'));
  EXPECT_EQ(canon("1e-130"), "0." + std::string(129, '0') + "1");
}

// fuzz_dynamodb_number found it: the syntax admits "11E-999999130", whose text would be 10^8
// zeros (a 10 s timeout under ASan); canonical text is only given for numbers in range.
TEST(Number, CanonicalTextOnlyInRange) {
  EXPECT_FALSE(canonical_number("11E-999999130"));
  EXPECT_FALSE(canonical_number("1e999999999"));
  EXPECT_FALSE(canonical_number("1e-131"));
  EXPECT_FALSE(canonical_number("1e126"));
  EXPECT_TRUE(canonical_number("9.9e125"));
}

TEST(Number, ValidationMessages) {
  EXPECT_EQ(canon(""), "ERR:The parameter cannot be converted to a numeric value");
  EXPECT_EQ(canon("b"), "ERR:The parameter cannot be converted to a numeric value: b");
  EXPECT_EQ(canon("1e"), "ERR:The parameter cannot be converted to a numeric value: 1e");
  EXPECT_EQ(canon(" 1"), "ERR:The parameter cannot be converted to a numeric value:  1");
  EXPECT_EQ(canon("1..2"), "ERR:The parameter cannot be converted to a numeric value: 1..2");
  EXPECT_EQ(canon("123456789012345678901234567890123456789"),
            "ERR:Attempting to store more than 38 significant digits in a Number");
  EXPECT_EQ(canon("-1.23456789012345678901234567890123456789"),
            "ERR:Attempting to store more than 38 significant digits in a Number");
  EXPECT_EQ(canon("12345678901234567890123456789012345678"), "12345678901234567890123456789012345678");
  EXPECT_EQ(canon("1e126"), "ERR:Number overflow. Attempting to store a number with magnitude larger than supported range");
  EXPECT_EQ(canon("-1e126"), "ERR:Number overflow. Attempting to store a number with magnitude larger than supported range");
  EXPECT_EQ(canon("9.99e125"), "999" + std::string(123, '0'));
  EXPECT_EQ(canon("1e-131"),
            "ERR:Number underflow. Attempting to store a number with magnitude smaller than supported range");
  EXPECT_EQ(canon("1e99999999999999999999"),
            "ERR:Number overflow. Attempting to store a number with magnitude larger than supported range");
  EXPECT_EQ(canon("0e99999"), "0");
}

TEST(Number, CompareAndAdd) {
  EXPECT_LT(compare_numbers(num("-10"), num("-9.5")), 0);
  EXPECT_LT(compare_numbers(num("0.12"), num("0.123")), 0);
  EXPECT_EQ(compare_numbers(num("1.0"), num("1")), 0);
  EXPECT_GT(compare_numbers(num("100"), num("99.999")), 0);
  EXPECT_LT(compare_numbers(num("-1"), num("0")), 0);
  EXPECT_EQ(format_number(add_numbers(num("1.5"), num("2.25"))), "3.75");
  EXPECT_EQ(format_number(add_numbers(num("10"), num("-10"))), "0");
  EXPECT_EQ(format_number(add_numbers(num("1"), num("-1.001"))), "-0.001");
  EXPECT_EQ(format_number(add_numbers(num("-5"), num("3"))), "-2");
  EXPECT_EQ(format_number(add_numbers(num("999"), num("1"))), "1000");
  EXPECT_EQ(format_number(add_numbers(num("1e20"), num("1e-5"))), "100000000000000000000.00001");
  const std::string overflow = "Number overflow. Attempting to store a number with magnitude larger than supported range";
  EXPECT_EQ(check_sum(add_numbers(num("1e50"), num("1"))).value_or(""), overflow);
  EXPECT_EQ(check_sum(add_numbers(num("9e125"), num("9e125"))).value_or(""), overflow);
  EXPECT_FALSE(check_sum(add_numbers(num("99999999999999999999999999999999999999"), num("1"))));
  EXPECT_EQ(check_sum(add_numbers(num("2e-130"), num("-1.5e-130"))).value_or(""),
            "Number underflow. Attempting to store a number with magnitude smaller than supported range");
  EXPECT_EQ(format_number(negate_number(num("3"))), "-3");
}

TEST(Number, Size) {
  EXPECT_EQ(number_size(num("0")), 1u);
  EXPECT_EQ(number_size(num("1")), 2u);
  EXPECT_EQ(number_size(num("10")), 2u);
  EXPECT_EQ(number_size(num("100")), 2u);
  EXPECT_EQ(number_size(num("123")), 3u);
  EXPECT_EQ(number_size(num("12.3")), 3u);
  EXPECT_EQ(number_size(num("0.01")), 2u);
  EXPECT_EQ(number_size(num("12345678901234567890123456789012345678")), 20u);
}

TEST(KeyCodec, NumberOrderMatchesValueOrder) {
  std::vector<std::string> texts = {"-1e125", "-100", "-99.5", "-10", "-1.5", "-1", "-0.123", "-0.12", "-0.0001",
                                    "0", "1e-130", "0.001", "0.12", "0.123", "1", "1.5", "2", "9", "10", "10.5",
                                    "99", "100", "1e20", "9.99e125"};
  std::vector<std::string> enc;
  for (auto& t : texts) enc.push_back(encode_number_key(num(t)));
  for (size_t i = 0; i + 1 < enc.size(); ++i) EXPECT_LT(enc[i], enc[i + 1]) << texts[i] << " vs " << texts[i + 1];
  // Random pairs agree with compare_numbers.
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> d(0, static_cast<int>(texts.size()) - 1);
  for (int k = 0; k < 200; ++k) {
    auto a = num(texts[d(rng)]), b = num(texts[d(rng)]);
    int c = compare_numbers(a, b);
    int e = encode_number_key(a).compare(encode_number_key(b));
    EXPECT_EQ(c < 0, e < 0);
    EXPECT_EQ(c == 0, e == 0);
  }
}

TEST(KeyCodec, RoundTrip) {
  for (std::string t : {"-123.45", "0", "7", "1e-130", "-0.5", "123456789"}) {
    auto j = decode_key(encode_key({{"N", t}}), "N");
    EXPECT_EQ(j["N"], canon(t));
  }
  EXPECT_EQ(decode_key(encode_key({{"S", "héllo"}}), "S")["S"], "héllo");
  EXPECT_EQ(decode_key(encode_key({{"B", "AAEC"}}), "B")["B"], "AAEC");
  // Strings order by UTF-8 bytes, binary by unsigned bytes.
  EXPECT_LT(encode_key({{"S", "Z"}}), encode_key({{"S", "a"}}));
  EXPECT_LT(encode_key({{"S", "a"}}), encode_key({{"S", "ab"}}));
  EXPECT_LT(std::string(encode_key({{"B", "fw=="}})), std::string(encode_key({{"B", "gA=="}})));  // 0x7f < 0x80
}

TEST(Value, ValidationMessages) {
  auto msg = [](json v) -> std::string {
    try {
      validate_value(v);
      return "OK:" + v.dump();
    } catch (const awan::AwsError& e) {
      return e.code + ":" + e.message;
    }
  };
  EXPECT_EQ(msg(json::object()), "ValidationException:Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  EXPECT_EQ(msg({{"S", "a"}, {"N", "1"}}), "ValidationException:Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
  EXPECT_EQ(msg({{"S", "a"}, {"N", "b"}}), "ValidationException:The parameter cannot be converted to a numeric value: b");
  EXPECT_EQ(msg({{"NULL", false}}), "ValidationException:One or more parameter values were invalid: Null attribute value types must have the value of true");
  EXPECT_EQ(msg({{"SS", json::array()}}), "ValidationException:One or more parameter values were invalid: An string set  may not be empty");
  EXPECT_EQ(msg({{"NS", json::array()}}), "ValidationException:One or more parameter values were invalid: An number set  may not be empty");
  EXPECT_EQ(msg({{"BS", json::array()}}), "ValidationException:One or more parameter values were invalid: Binary sets should not be empty");
  EXPECT_EQ(msg({{"SS", {"a", "a"}}}), "ValidationException:One or more parameter values were invalid: Input collection [a, a] contains duplicates.");
  EXPECT_EQ(msg({{"BS", {"Yg==", "Yg=="}}}), "ValidationException:One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates.");
  EXPECT_EQ(msg({{"NS", {"1", "1.0"}}}), "ValidationException:Input collection contains duplicates");
  EXPECT_EQ(msg({{"NS", {"1", ""}}}), "ValidationException:The parameter cannot be converted to a numeric value");
  EXPECT_EQ(msg({{"M", {{"a", {{"N", "01.0"}}}}}}), "OK:{\"M\":{\"a\":{\"N\":\"1\"}}}");
  EXPECT_EQ(msg({{"L", {json::object()}}}), "ValidationException:Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  EXPECT_EQ(msg({{"S", ""}}), "OK:{\"S\":\"\"}");
  EXPECT_EQ(msg({{"B", "!!"}}).substr(0, 22), "SerializationException");
}

TEST(Value, ItemSize) {
  // name bytes + value bytes
  EXPECT_EQ(item_size({{"a", {{"S", "hello"}}}}), 6u);
  EXPECT_EQ(item_size({{"ab", {{"N", "123"}}}}), 5u);
  EXPECT_EQ(item_size({{"b", {{"B", "AAEC"}}}}), 4u);
  EXPECT_EQ(item_size({{"t", {{"BOOL", true}}}, {"n", {{"NULL", true}}}}), 4u);
  EXPECT_EQ(item_size({{"s", {{"SS", {"ab", "c"}}}}}), 4u);
  // Map: 3 + per element (1 + name + value)
  EXPECT_EQ(item_size({{"m", {{"M", {{"x", {{"S", "yz"}}}}}}}}), 1u + 3 + 1 + 1 + 2);
  // List: 3 + per element (1 + value)
  EXPECT_EQ(item_size({{"l", {{"L", {{{"S", "a"}}, {{"N", "1"}}}}}}}), 1u + 3 + (1 + 1) + (1 + 2));
  EXPECT_EQ(item_size({{"é", {{"S", "é"}}}}), 4u);  // UTF-8 bytes
}

TEST(Value, EqualityAndOrder) {
  EXPECT_TRUE(values_equal({{"N", "1.0"}}, {{"N", "1"}}));
  EXPECT_TRUE(values_equal({{"SS", {"a", "b"}}}, {{"SS", {"b", "a"}}}));
  EXPECT_FALSE(values_equal({{"S", "1"}}, {{"N", "1"}}));
  EXPECT_TRUE(values_equal({{"M", {{"a", {{"L", {{{"N", "2"}}}}}}}}}, {{"M", {{"a", {{"L", {{{"N", "2.00"}}}}}}}}}));
  EXPECT_EQ(compare_values({{"N", "-2"}}, {{"N", "1"}}), -1);
  EXPECT_EQ(compare_values({{"S", "b"}}, {{"S", "a"}}), 1);
  EXPECT_FALSE(compare_values({{"S", "b"}}, {{"N", "1"}}).has_value());
  EXPECT_FALSE(compare_values({{"BOOL", true}}, {{"BOOL", true}}).has_value());
}

// Tuple keys of multi-attribute index keys: memcmp order is the order of the tuples, whatever
// bytes (zeros included) and lengths their components have.
TEST(KeyCodec, TupleComponentsOrderAsTuples) {
  auto tuple = [](std::initializer_list<std::string> parts) {
    std::string out;
    for (const auto& p : parts) append_key_component(out, p);
    return out;
  };
  std::vector<std::vector<std::string>> tuples = {{"a", "b"}, {"a", ""}, {"ab", ""}, {"a", std::string("\0", 1)},
                                                  {std::string("a\0", 2), "z"}, {"", "zzz"}, {"a", "ba"}, {"b", ""}};
  std::vector<std::pair<std::vector<std::string>, std::string>> enc;
  for (const auto& t : tuples) {
    std::string out;
    for (const auto& p : t) append_key_component(out, p);
    enc.emplace_back(t, out);
  }
  for (const auto& [a, ea] : enc)
    for (const auto& [b, eb] : enc) EXPECT_EQ(a < b, ea < eb);
  EXPECT_EQ(tuple({"a"}).substr(0, 1), "a");
  EXPECT_EQ(prefix_successor("ab"), "ac");
  EXPECT_EQ(prefix_successor(std::string("a\xFF", 2)), "b");
  EXPECT_EQ(prefix_successor("\xFF"), "");
}
