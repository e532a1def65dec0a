#pragma once
// Reading members of an operation's input document leniently: a string member, "" when it is
// absent or not a string (the services check what they require themselves).
#include <string>

#include <nlohmann/json.hpp>

namespace awan {

inline std::string text_of(const nlohmann::json& in, const char* name) {
  auto it = in.find(name);
  return it != in.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace awan
