// libFuzzer target: API Gateway models' JSON Schema draft 4 (apigateway/json_schema.hpp). The
// input is a schema, a line "--", and an instance; both are checked and applied with every
// $ref to another model naming the schema itself, so that recursion and malformed keywords
// meet the validator's bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "apigateway/json_schema.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t split = text.find("\n--\n");
  std::string schema_text = text.substr(0, split);
  std::string instance_text = split == std::string::npos ? "{\"a\": [1, \"x\", {\"b\": null}]}" : text.substr(split + 4);
  auto schema = nlohmann::json::parse(schema_text, nullptr, false);
  auto instance = nlohmann::json::parse(instance_text, nullptr, false);
  if (schema.is_discarded() || instance.is_discarded()) return 0;
  awan::apigateway::ModelLookup models = [&schema](const std::string& name) -> const nlohmann::json* {
    return name.empty() ? nullptr : &schema;
  };
  (void)awan::apigateway::schema_problem(schema, models);
  (void)awan::apigateway::validate_schema(instance, schema, models);
  (void)awan::apigateway::model_of_ref(schema_text);
  return 0;
}
