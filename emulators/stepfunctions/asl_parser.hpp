#pragma once
// Validation of an Amazon States Language definition, with AWS's diagnostics
// ("SCHEMA_VALIDATION_FAILED: ... at /States/X/Next", "MISSING_TRANSITION_TARGET: ...").
// The interpreter runs the validated JSON document itself (interpreter.cpp).
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::stepfunctions::asl {

struct Diagnostic {
  std::string code;      // SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET, ...
  std::string message;   // "... at /States/X/Next"
  std::string location;  // "/States/X/Next"
};

struct Parsed {
  nlohmann::json document;  // null when the text is not JSON
  std::vector<Diagnostic> diagnostics;  // ERRORs: the definition is refused
  std::vector<Diagnostic> warnings;     // WARNINGs (asl_warnings.cpp): reported, never refused
  bool ok() const { return diagnostics.empty(); }
  // "CODE: message at /where, CODE: ..." as AWS joins them in InvalidDefinition.
  std::string message() const;
};

Parsed parse(std::string_view definition);

// The WARNING diagnostics of a definition's JSONPath states (asl_warnings.cpp): NO_DOLLAR (a
// payload template member whose value looks like a path or an intrinsic function but whose name
// does not end in ".$"), NO_PATH (a Fail state's Error or Cause that looks like a path),
// PASS_RESULT_IS_STATIC (a ".$" member in a Pass state's Result, which is never evaluated).
std::vector<Diagnostic> warnings(const nlohmann::json& definition);

}  // namespace awan::stepfunctions::asl
