#pragma once
// A TEXT column holding a JSON object (attributes, tags, configurations), read back leniently.
#include <string_view>

#include <nlohmann/json.hpp>

namespace awan::storage {

// The stored object; {} when the text is not one.
inline nlohmann::json object_column(std::string_view text) {
  nlohmann::json v = nlohmann::json::parse(text, nullptr, false);
  return v.is_object() ? v : nlohmann::json::object();
}

}  // namespace awan::storage
