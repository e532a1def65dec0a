#pragma once
// A fast CBOR reader for the documents the store writes (nlohmann::json::to_cbor of items and
// metadata): maps, arrays, text strings, integers, booleans, null, floats. It builds the json
// with one allocation per string/container; anything else (tags, byte strings, half floats,
// indefinite lengths) falls back to nlohmann::json::from_cbor. Documents nest at most 256
// arrays/maps/tags deep: deeper ones throw std::runtime_error, malformed ones json::parse_error.
#include <string_view>

#include <nlohmann/json.hpp>

namespace awan::dynamodb {

nlohmann::json decode_cbor(std::string_view data);

// The bytes nlohmann::json::to_cbor writes for `doc`, written straight into `out` (cleared
// first): objects, arrays, strings, booleans, null and integers here, the whole document through
// to_cbor when it holds a float or a binary value. The caller bounds the nesting depth.
void encode_cbor(const nlohmann::json& doc, std::string& out);

}  // namespace awan::dynamodb
