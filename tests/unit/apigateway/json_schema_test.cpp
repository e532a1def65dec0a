// JSON Schema draft 4 (apigateway/json_schema.hpp): each keyword, $ref to definitions and to
// other models, the messages API Gateway reports, malformed schemas refused by schema_problem
// and tolerated by validate_schema, and the bounds (recursion, work, costly patterns).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "apigateway/json_schema.hpp"

namespace awan::apigateway {
namespace {

using json = nlohmann::json;

std::vector<std::string> check(const char* instance, const char* schema, const ModelLookup& models = nullptr) {
  return validate_schema(json::parse(instance), json::parse(schema), models);
}

struct Case {
  const char* schema;
  const char* instance;
  const char* error;  // "" when valid
};

TEST(JsonSchema, Keywords) {
  const Case cases[] = {
      {R"({"type": "integer"})", "3", ""},
      {R"({"type": "integer"})", "3.0", ""},
      {R"({"type": "integer"})", "3.5", R"(instance type (number) does not match any allowed primitive type (allowed: ["integer"]))"},
      {R"({"type": "number"})", "3", ""},
      {R"({"type": ["string", "null"]})", "null", ""},
      {R"({"type": ["string", "null"]})", "1", R"(instance type (integer) does not match any allowed primitive type (allowed: ["null","string"]))"},
      {R"({"type": "object"})", "[]", R"(instance type (array) does not match any allowed primitive type (allowed: ["object"]))"},
      {R"({"required": ["b", "a"]})", "{}", R"(object has missing required properties (["a","b"]))"},
      {R"({"properties": {"a": {"type": "string"}}})", R"({"a": 1})", R"(instance type (integer) does not match any allowed primitive type (allowed: ["string"]))"},
      {R"({"properties": {"a": {}}, "additionalProperties": false})", R"({"a": 1, "z": 2, "y": 3})", R"(object instance has properties which are not allowed by the schema: ["y","z"])"},
      {R"({"additionalProperties": {"type": "string"}})", R"({"a": "x"})", ""},
      {R"({"patternProperties": {"^x-": {"type": "integer"}}, "additionalProperties": false})", R"({"x-a": 1})", ""},
      {R"({"items": {"type": "integer"}})", "[1, 2, \"3\"]", R"(instance type (string) does not match any allowed primitive type (allowed: ["integer"]))"},
      {R"({"items": [{"type": "integer"}], "additionalItems": false})", "[1, 2]", "array instance has more elements than allowed by the schema (allowed: 1, found: 2)"},
      {R"({"enum": ["a", 1]})", "\"b\"", R"(instance value ("b") not found in enum (possible values: ["a",1]))"},
      {R"({"enum": [1]})", "1.0", ""},
      {R"({"minimum": 1})", "0", "numeric instance is lower than the required minimum (minimum: 1, found: 0)"},
      {R"({"minimum": 1, "exclusiveMinimum": true})", "1", "numeric instance is not strictly greater than the required minimum 1"},
      {R"({"maximum": 10})", "11", "numeric instance is greater than the required maximum (maximum: 10, found: 11)"},
      {R"({"maximum": 10, "exclusiveMaximum": true})", "10", "numeric instance is not strictly lower than the required maximum 10"},
      {R"({"multipleOf": 0.5})", "1.5", ""},
      {R"({"multipleOf": 2})", "3", "remainder of division is not zero (3 / 2)"},
      {R"({"minLength": 3})", "\"ab\"", R"(string "ab" is too short (length: 2, required minimum: 3))"},
      {R"({"maxLength": 2})", "\"\u00e9\u00e9\"", ""},
      {R"({"maxLength": 1})", "\"abc\"", R"(string "abc" is too long (length: 3, maximum allowed: 1))"},
      {R"({"pattern": "^[a-z]+$"})", "\"abc\"", ""},
      {R"({"pattern": "b"})", "\"abc\"", ""},
      {R"({"pattern": "^[0-9]+$"})", "\"x1\"", R"(ECMA 262 regex "^[0-9]+$" does not match input string "x1")"},
      {R"({"minItems": 1})", "[]", "array is too short: must have at least 1 elements but instance has 0 elements"},
      {R"({"maxItems": 1})", "[1, 2]", "array is too long: must have at most 1 elements but instance has 2 elements"},
      {R"({"uniqueItems": true})", "[1, {\"a\": 1}, {\"a\": 1}]", "array must not contain duplicate elements"},
      {R"({"minProperties": 1})", "{}", "object has too few properties (found 0 but schema requires at least 1)"},
      {R"({"anyOf": [{"type": "string"}, {"type": "integer"}]})", "true", "instance failed to match at least one required schema among 2"},
      {R"({"oneOf": [{"type": "number"}, {"type": "integer"}]})", "1", "instance failed to match exactly one schema (matched 2 out of 2)"},
      {R"({"allOf": [{"type": "number"}, {"minimum": 5}]})", "1", "instance failed to match all required schemas (matched only 1 out of 2)"},
      {R"({"not": {"type": "string"}})", "\"x\"", "instance matched a schema which it should not have"},
      {R"({"definitions": {"n": {"type": "integer"}}, "properties": {"a": {"$ref": "#/definitions/n"}}})", R"({"a": "x"})", R"(instance type (string) does not match any allowed primitive type (allowed: ["integer"]))"},
      {R"({"type": "string", "minLength": "three"})", "\"\"", ""},  // malformed keywords do not constrain
  };
  for (const auto& c : cases) {
    auto errors = check(c.instance, c.schema);
    if (*c.error == 0) {
      EXPECT_TRUE(errors.empty()) << c.schema << " / " << c.instance << ": " << (errors.empty() ? "" : errors[0]);
    } else {
      ASSERT_FALSE(errors.empty()) << c.schema << " / " << c.instance;
      EXPECT_EQ(errors[0], c.error) << c.schema;
    }
  }
}

TEST(JsonSchema, RefsToOtherModels) {
  json pet = json::parse(R"({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}})");
  ModelLookup models = [&](const std::string& name) -> const json* { return name == "Pet" ? &pet : nullptr; };
  const char* list = R"({"type": "array", "items": {"$ref": "https://apigateway.amazonaws.com/restapis/abc/models/Pet"}})";
  EXPECT_TRUE(check(R"([{"name": "rex"}])", list, models).empty());
  auto errors = check(R"([{"name": "rex"}, {}])", list, models);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], R"(object has missing required properties (["name"]))");
  EXPECT_EQ(schema_problem(json::parse(list), models), "");
  EXPECT_NE(schema_problem(json::parse(R"({"$ref": "https://apigateway.amazonaws.com/restapis/abc/models/Cat"})"), models), "");
  EXPECT_EQ(model_of_ref("https://apigateway.amazonaws.com/restapis/abc/models/Pet"), "Pet");
  EXPECT_EQ(model_of_ref("https://apigateway.amazonaws.com/restapis/abc/models/Pet#/definitions/x"), "Pet#/definitions/x");
  EXPECT_EQ(model_of_ref("#/definitions/x"), "");
}

TEST(JsonSchema, MalformedSchemasAreRefused) {
  const char* bad[] = {
      "[]",
      R"({"type": "text"})",
      R"({"type": []})",
      R"({"type": 3})",
      R"({"minLength": -1})",
      R"({"maxItems": 1.5})",
      R"({"minimum": "1"})",
      R"({"multipleOf": 0})",
      R"({"exclusiveMinimum": "yes"})",
      R"({"enum": []})",
      R"({"required": "a"})",
      R"({"required": [1]})",
      R"({"pattern": "("})",
      R"({"pattern": "(a)\\1"})",
      R"({"pattern": "(a{100}){100}"})",
      R"({"patternProperties": {"[": {}}})",
      R"({"properties": []})",
      R"({"properties": {"a": 1}})",
      R"({"items": 1})",
      R"({"additionalProperties": "no"})",
      R"({"allOf": []})",
      R"({"anyOf": {}})",
      R"({"not": []})",
      R"({"$ref": 1})",
      R"({"$ref": "#/definitions/missing"})",
      R"({"$ref": "#/definitions/~9"})",
      R"({"$ref": "other.json"})",
  };
  for (const char* s : bad) EXPECT_NE(schema_problem(json::parse(s), nullptr), "") << s;
  EXPECT_EQ(schema_problem(json::parse(R"({"$schema": "http://json-schema.org/draft-04/schema#", "title": "x",
      "type": "object", "properties": {"a": {"type": "array", "items": {"$ref": "#"}}}})"), nullptr), "");
}

TEST(JsonSchema, MalformedSchemasNeverThrowWhenApplied) {
  const char* odd[] = {R"({"$ref": "#/definitions/~9"})", R"({"$ref": "#/a/-"})", R"({"pattern": "("})",
                       R"({"items": [1, "x"]})", R"({"properties": {"a": 1}})", R"({"type": null})",
                       R"({"allOf": [1, 2]})", R"({"$ref": "https://x/models/"})"};
  for (const char* s : odd) {
    auto errors = validate_schema(json::parse(R"({"a": [1, "x"]})"), json::parse(s), nullptr);
    (void)errors;
  }
}

TEST(JsonSchema, RecursionAndWorkAreBounded) {
  // A schema that refers to itself forever, and combinators that multiply the work.
  auto errors = check("1", R"({"$ref": "#"})");
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].find("too complex"), std::string::npos);
  std::string deep = "0";
  for (int i = 0; i < 40; ++i) deep = "[" + deep + "]";
  EXPECT_FALSE(validate_schema(json::parse(deep), json::parse(R"({"items": {"$ref": "#"}})"), nullptr).empty());
  json wide = json::parse(R"({"definitions": {"x": {"anyOf": [{"$ref": "#/definitions/x"}, {"$ref": "#/definitions/x"}]}}, "$ref": "#/definitions/x"})");
  EXPECT_FALSE(validate_schema(json::parse("1"), wide, nullptr).empty());
  // Patterns run on a non-backtracking executor: no exponential time on (a|a)*b.
  EXPECT_FALSE(check(("\"" + std::string(2000, 'a') + "\"").c_str(), R"({"pattern": "^(a|a)*b$"})").empty());
}

}  // namespace
}  // namespace awan::apigateway
