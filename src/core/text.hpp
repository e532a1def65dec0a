#pragma once
// Small ASCII helpers shared by the parsers (SigV4, aws-chunked, checksums, hex) and URL
// percent-encoding (text.cpp).
#include <optional>
#include <string>
#include <string_view>

namespace awan::text {

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// 0-15 for a hexadecimal digit (either case), -1 otherwise.
inline int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; `plus_is_space` for form bodies. nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);
// RFC 3986 unreserved characters kept, everything else %XX; '/' kept when `keep_slash`.
std::string percent_encode(std::string_view s, bool keep_slash = false);

// True when the JSON text nests arrays/objects deeper than `limit` (one pass, no recursion;
// brackets inside strings do not count). Says nothing about the text's validity.
bool json_nesting_exceeds(std::string_view text, int limit);

// Offset of the first byte that is not part of well-formed UTF-8 (RFC 3629), or npos; `middle`
// tells whether it is a continuation byte where a start byte was expected, or the reverse.
size_t invalid_utf8_at(std::string_view s, bool& middle);
inline bool valid_utf8(std::string_view s) {
  bool middle = false;
  return invalid_utf8_at(s, middle) == std::string_view::npos;
}

// The text with each byte that does not start a well-formed sequence replaced by U+FFFD.
std::string lossy_utf8(std::string_view s);

// An HTTP header value as text: itself when it is UTF-8, else its bytes read as ISO-8859-1
// (RFC 9110's obs-text), so that any value a client sends becomes a valid string.
std::string header_text(std::string_view value);

}  // namespace awan::text
