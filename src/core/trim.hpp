#pragma once
// Header values and list items trimmed of spaces and tabs (HTTP's optional whitespace).
#include <string_view>

namespace awan::text {

inline std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace awan::text
