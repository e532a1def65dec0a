#pragma once
// DynamoDB numbers: up to 38 significant digits, magnitude 1e-130 .. 9.99e125, canonical
// decimal form, exact comparison and addition (no floating point anywhere).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace awan::dynamodb {

// value = (negative ? -1 : 1) * 0.d1 d2 ... dn * 10^exponent
// `digits` has no leading or trailing zeros; empty means zero (then negative is false).
struct Number {
  bool negative = false;
  std::string digits;
  int exponent = 0;
  bool is_zero() const { return digits.empty(); }
};

// Syntax only: [+-]digits[.digits][(e|E)[+-]digits] (a leading or trailing '.' is accepted).
bool parse_number_syntax(std::string_view text, Number& out);
// Range and precision check; returns the AWS message when out of bounds.
std::optional<std::string> check_number(const Number& n);
// Full parse with AWS validation messages ("The parameter cannot be converted to a numeric
// value: x", "Number overflow. ...", "Attempting to store more than 38 significant digits ...").
std::optional<std::string> parse_number(std::string_view text, Number& out);
// Canonical text as DynamoDB returns it ("1.50" -> "1.5", "1e3" -> "1000", "-0" -> "0").
std::string format_number(const Number& n);
// -1, 0, 1
int compare_numbers(const Number& a, const Number& b);
Number add_numbers(const Number& a, const Number& b);
// The check of a `+`, `-` or ADD result: as check_number, but a result of more than 38
// significant digits is a "Number overflow", as DynamoDB words it (it never rounds).
std::optional<std::string> check_sum(const Number& n);
Number negate_number(Number n);
// Stored size in bytes, computed as DynamoDB does (1 byte + 1 per two significant digits).
size_t number_size(const Number& n);

// Convenience: canonical text of a valid number string (DynamoDB's syntax and range), nullopt
// otherwise.
std::optional<std::string> canonical_number(std::string_view text);

}  // namespace awan::dynamodb
