#pragma once
// AttributeValue documents in their JSON wire form ({"S": "x"}, {"N": "1"}, {"B": "<base64>"},
// {"BOOL": true}, {"NULL": true}, {"M": {...}}, {"L": [...]}, {"SS": [...]}, {"NS": [...]},
// {"BS": [...]}): validation with AWS's messages, canonical numbers, comparison, item size.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "awan/error.hpp"
#include "dynamodb/number.hpp"

namespace awan::dynamodb {

using json = nlohmann::json;

// The type tag of a (valid) attribute value: "S", "N", ... ("" when not an object).
std::string_view value_type(const json& av);

// AWS's message for an item, or a value, of more than 32 levels (validate_value, and an item
// an update made that deep).
inline constexpr std::string_view kNestingTooDeep =
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";

// Validates one AttributeValue, canonicalising numbers in place. Throws AwsError
// (ValidationException / SerializationException) with AWS's message.
void validate_value(json& av);
// Validates every attribute of an item (a map of name -> AttributeValue).
void validate_item(json& item);

// Size of a value / an attribute / an item, computed the AWS way.
size_t value_size(const json& av);
size_t item_size(const json& item);

// Exact equality (numbers by value, sets ignoring order, binary by bytes).
bool values_equal(const json& a, const json& b);
// Ordering of two scalar values of the same type S, N or B; nullopt when not comparable.
std::optional<int> compare_values(const json& a, const json& b);

// Numbers of an N value / NS member (assumes valid input).
Number to_number(const json& n_text);
// Decoded bytes of a B value / BS member (assumes valid input).
std::string to_bytes(const json& b_text);

// Short rendering used in some messages: {N:10}
std::string render_value(const json& av);

}  // namespace awan::dynamodb
