#pragma once
// std::regex flags for patterns that come from users (JSON Schema `pattern`, JSONata regexes):
// libstdc++'s breadth-first executor takes time linear in the input for a given pattern and does
// not recurse over the input (the default depth-first executor backtracks exponentially).
#include <regex>

namespace awan::core {

inline std::regex::flag_type linear_regex_flags() {
#if defined(__GLIBCXX__)
  return std::regex::ECMAScript | std::regex_constants::__polynomial;
#else
  return std::regex::ECMAScript;
#endif
}

}  // namespace awan::core
