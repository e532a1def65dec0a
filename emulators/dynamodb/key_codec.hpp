#pragma once
// Order-preserving binary encoding of key values: memcmp order of the encodings equals
// DynamoDB's order of the values (S by UTF-8 bytes, N by numeric value, B by bytes), so SQLite
// BLOB range scans return items in DynamoDB order.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "dynamodb/number.hpp"

namespace awan::dynamodb {

std::string encode_number_key(const Number& n);
// Encodes a valid S, N or B attribute value ({"S": "..."} etc).
std::string encode_key(const nlohmann::json& av);
// Appends one component of a tuple key (multi-attribute index keys): the encoding with its zero
// bytes escaped, then a terminator, so that the memcmp order of the concatenation is the order
// of the tuples and no component is a prefix of another.
void append_key_component(std::string& out, std::string_view encoded);
// The smallest string greater than every string that starts with `prefix`; empty when none is.
std::string prefix_successor(std::string prefix);
// Decodes an encoding back to its attribute value given the key type ("S", "N", "B").
nlohmann::json decode_key(std::string_view bytes, std::string_view type);

}  // namespace awan::dynamodb
