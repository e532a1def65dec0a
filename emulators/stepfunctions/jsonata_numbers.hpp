#pragma once
// Number formatting for the JSONata subset: $formatInteger and $parseInteger (XPath
// format-integer pictures: decimal digit patterns with grouping separators such as "#,##0" or
// "000", "w" "W" "Ww" words, "i" "I" roman numerals, "a" "A" letters, ";o" ordinals) and
// $formatNumber (XPath format-number pictures: "#,##0.00", "0.0#", a negative sub-picture after
// ';', '%' and '‰', an exponent "00.000e0", the decimal-format options). Other pictures are
// refused. Failures throw StatesError (States.QueryEvaluationError).
#include <string>

#include <nlohmann/json.hpp>

namespace awan::stepfunctions::jsonata::numbers {

std::string format_integer(double value, const std::string& picture);
// The integer written in the picture; text that does not fit the picture is an error.
double parse_integer(const std::string& text, const std::string& picture);
// options: an object of decimal-format properties ("decimal-separator", "grouping-separator",
// "exponent-separator", "minus-sign", "infinity", "NaN", "percent", "per-mille", "zero-digit",
// "digit", "pattern-separator"); null for none.
std::string format_number(double value, const std::string& picture, const nlohmann::json& options);

}  // namespace awan::stepfunctions::jsonata::numbers
