#pragma once
// Choice rules (JSONPath query language): every comparison operator, its ...Path variant,
// And/Or/Not and the Is* tests. validate() checks a rule as the definition parser does;
// matches() evaluates it (throws StatesError States.Runtime when a Variable is absent).
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace awan::stepfunctions::choice {

// Resolves "$..." (input), "$$..." (context) and "$var..." (variables).
using Resolver = std::function<std::optional<nlohmann::json>(const std::string& path)>;

// "" when valid, else the problem and the JSON pointer suffix (relative to the rule).
std::string validate(const nlohmann::json& rule, bool top_level, std::string& where, int depth = 0);
bool matches(const nlohmann::json& rule, const Resolver& resolve, int depth = 0);
// StringMatches: '*' any run of characters, '\*' and '\\' literal.
bool string_matches(const std::string& value, const std::string& pattern);

}  // namespace awan::stepfunctions::choice
