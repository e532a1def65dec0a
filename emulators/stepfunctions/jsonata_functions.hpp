#pragma once
// The JSONata subset's function library (see jsonata.hpp) and the value rules the evaluator
// shares with it: truthiness ($boolean), $string conversion, deep equality.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::stepfunctions::jsonata::functions {

bool truthy(const std::optional<nlohmann::json>& v);
std::string to_string(const std::optional<nlohmann::json>& v);  // undefined → ""
bool equal(const nlohmann::json& a, const nlohmann::json& b);
// $name(args...): nullopt when the result is undefined; StatesError for an unknown function or
// bad arguments (States.QueryEvaluationError).
// Whether $name is one of these functions (a function value when it is not a bound variable).
bool is_function(const std::string& name);
std::optional<nlohmann::json> call(const std::string& name, const std::vector<std::optional<nlohmann::json>>& args);

}  // namespace awan::stepfunctions::jsonata::functions
