#pragma once
// Parsing request bodies of JSON protocols. nlohmann's parser reads a byte at a time; for the
// small, compact bodies SDKs send, simdjson parses several times faster and the document is then
// built once. The fast path gives exactly what nlohmann::json::parse gives, or declines and the
// caller parses with nlohmann (which also words the errors): it declines bodies over 64 KiB,
// bodies with a byte below 0x20 (raw whitespace or control characters: pretty-printed bodies, and
// control characters in strings that nlohmann refuses), `\u` escapes (surrogate handling), a
// "-0" (simdjson reads a double, nlohmann an integer), numbers simdjson cannot hold, and
// anything simdjson refuses, and documents nested deeper than kFastMaxDepth. A document the fast
// path took is therefore nested at most kFastMaxDepth deep: a caller whose own limit is at least
// that checks the depth only of the bodies it declined, before parsing them with nlohmann.
#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace awan::protocol {

inline constexpr std::size_t kFastMaxDepth = 100;

// True with `out` set when the fast path parsed `body`; false (out untouched) when it declined.
bool parse_json_fast(std::string_view body, nlohmann::json& out);

// The body as nlohmann::json::parse reads it (a discarded value on a syntax error): the fast
// path, else nlohmann.
nlohmann::json parse_json(std::string_view body);

}  // namespace awan::protocol
