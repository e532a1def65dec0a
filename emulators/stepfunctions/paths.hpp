#pragma once
// Input and output processing of a state (JSONPath query language): InputPath, Parameters /
// ItemSelector / ResultSelector payload templates, ResultPath, OutputPath, variables ($name)
// and the context object ($$). Failures throw StatesError with AWS's error names.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace awan::stepfunctions::paths {

struct Scope {
  const nlohmann::json& input;
  const nlohmann::json& context;
  const nlohmann::json& variables;
};

// "$..." input, "$$..." context, "$name..." a variable; nullopt when absent.
std::optional<nlohmann::json> resolve(const std::string& path, const Scope& s);
nlohmann::json input_path(const nlohmann::json& st, const char* field, const nlohmann::json& input, const Scope& s);
// error: the name raised when a path of the template is absent (States.ParameterPathFailure).
nlohmann::json payload(const nlohmann::json& tpl, const Scope& s, const std::string& field, int depth = 0);
nlohmann::json result_path(const nlohmann::json& st, const nlohmann::json& raw_input, nlohmann::json result);

}  // namespace awan::stepfunctions::paths
