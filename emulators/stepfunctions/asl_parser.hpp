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
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return diagnostics.empty(); }
  // "CODE: message at /where, CODE: ..." as AWS joins them in InvalidDefinition.
  std::string message() const;
};

Parsed parse(std::string_view definition);

}  // namespace awan::stepfunctions::asl
