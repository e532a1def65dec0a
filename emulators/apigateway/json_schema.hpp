#pragma once
// JSON Schema draft 4, as API Gateway applies it to request bodies (models): a bounded validator
// of its own (type, properties, patternProperties, additionalProperties, required, items,
// additionalItems, enum, minimum/maximum with the exclusive flags, multipleOf, minLength,
// maxLength, pattern, minItems, maxItems, uniqueItems, minProperties, maxProperties, allOf,
// anyOf, oneOf, not, $ref to "#/definitions/..." and to other models of the API). Messages are
// the ones API Gateway reports in $context.error.validationErrorString. Used by rest_models.cpp
// (CreateModel's schema check) and rest_validation.cpp (the data plane).
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::apigateway {

// The schema of another model of the API by name (for $ref), or nullptr when there is none.
using ModelLookup = std::function<const nlohmann::json*(const std::string& name)>;

struct SchemaLimits {
  int max_depth = 32;        // nested schemas and $ref hops on one path
  size_t max_steps = 20000;  // schema applications in one validation
  size_t max_errors = 16;
  size_t max_pattern_subject = 2048;  // longer strings are not matched against `pattern`
};

// "" when `schema` is a draft-4 schema this validator can apply (keywords of the right types,
// patterns that compile, $refs that resolve), else why not.
std::string schema_problem(const nlohmann::json& schema, const ModelLookup& models, const SchemaLimits& limits = {});

// The violations of `instance` (empty: valid). A schema too deep or too costly to apply is
// reported as a violation, never an exception.
std::vector<std::string> validate_schema(const nlohmann::json& instance, const nlohmann::json& schema,
                                         const ModelLookup& models, const SchemaLimits& limits = {});

// The model name of a $ref to another model: "https://apigateway.amazonaws.com/restapis/<id>/models/<name>"
// (or any URL ending in /models/<name>), followed by the reference's #fragment if it has one;
// "" otherwise.
std::string model_of_ref(const std::string& ref);

}  // namespace awan::apigateway
