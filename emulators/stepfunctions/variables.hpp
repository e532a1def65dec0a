#pragma once
// Workflow variables seen from the definition (no execution): the validation of the names that
// Assign fields give and of their scopes (asl_parser.cpp calls it), and the variables each state
// references (DescribeStateMachine's variableReferences). The interpreter's variables are in
// paths.cpp and interpreter.cpp.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepfunctions/asl_parser.hpp"

namespace awan::stepfunctions::variables {

// Why `name` cannot be a variable name ("" when it can): the first character a Unicode ID_Start,
// the others ID_Continue, at most 80 characters, not the reserved "states".
std::string name_problem(std::string_view name);

// The Assign fields of a definition (a state's, its catchers', its choice rules'): the names, and
// no name assigned in an inner scope (a Parallel branch, an inline Map's processor) that an outer
// scope assigns. Diagnostics are added to `out` (SCHEMA_VALIDATION_FAILED).
void validate(const nlohmann::json& definition, std::vector<asl::Diagnostic>& out);

// {"<state name>": ["var", ...]} for the states that reference workflow variables ($name in a
// JSONPath path or intrinsic argument, or in a JSONata expression; not $states), the names in the
// order they are first met; the nested states of Parallel and Map states too.
nlohmann::json references(const nlohmann::json& definition);

}  // namespace awan::stepfunctions::variables
