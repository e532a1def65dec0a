// Input members under the model's constraints, and paging tokens (input.hpp).
#include "logs/input.hpp"

#include <cctype>
#include <cstdint>

#include "logs/errors.hpp"

namespace awan::logs::input {

namespace {
std::string quoted(const std::string& v) { return "'" + v + "'"; }
}  // namespace

std::optional<std::string> text(const nlohmann::json& in, const char* member) {
  auto it = in.find(member);
  if (it == in.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw errors::invalid_parameter("The value of " + std::string(member) + " must be a string.");
  return it->get<std::string>();
}

std::string required_text(const nlohmann::json& in, const char* member) {
  auto v = text(in, member);
  if (!v) throw errors::missing(member);
  return *v;
}

void check_length(const std::string& value, const char* member, size_t min, size_t max) {
  if (value.size() < min)
    throw errors::constraint(quoted(value), member, "have length greater than or equal to " + std::to_string(min));
  if (value.size() > max)
    throw errors::constraint(quoted(value), member, "have length less than or equal to " + std::to_string(max));
}

std::optional<int64_t> integer(const nlohmann::json& in, const char* member, int64_t min, int64_t max) {
  auto it = in.find(member);
  if (it == in.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer())
    throw errors::invalid_parameter("The value of " + std::string(member) + " must be an integer.");
  int64_t v = it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                  ? INT64_MAX
                  : it->get<int64_t>();
  if (v < min)
    throw errors::constraint(quoted(std::to_string(v)), member, "have value greater than or equal to " + std::to_string(min));
  if (v > max)
    throw errors::constraint(quoted(std::to_string(v)), member, "have value less than or equal to " + std::to_string(max));
  return v;
}

bool boolean(const nlohmann::json& in, const char* member, bool fallback) {
  auto it = in.find(member);
  if (it == in.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw errors::invalid_parameter("The value of " + std::string(member) + " must be a boolean.");
  return it->get<bool>();
}

void check_log_group_name(const std::string& value, const char* member) {
  check_length(value, member, 1, 512);
  for (unsigned char c : value)
    if (!std::isalnum(c) && c != '.' && c != '-' && c != '_' && c != '/' && c != '#')
      throw errors::constraint(quoted(value), member, "satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+");
}

void check_log_stream_name(const std::string& value, const char* member) {
  check_length(value, member, 1, 512);
  if (value.find_first_of(":*") != std::string::npos)
    throw errors::constraint(quoted(value), member, "satisfy regular expression pattern: [^:*]*");
}

void check_tags(const nlohmann::json& tags, const char* member) {
  if (!tags.is_object()) throw errors::invalid_parameter("The value of " + std::string(member) + " must be a map.");
  if (tags.empty()) throw errors::constraint("'{}'", member, "have length greater than or equal to 1");
  if (tags.size() > 50) throw errors::constraint("'{...}'", member, "have length less than or equal to 50");
  for (const auto& [key, value] : tags.items()) {
    check_length(key, member, 1, 128);
    if (key.rfind("aws:", 0) == 0) throw errors::invalid_parameter("Tag keys prefixed with aws: are reserved.");
    if (!value.is_string()) throw errors::invalid_parameter("Tag values must be strings.");
    check_length(value.get<std::string>(), member, 0, 256);
  }
}

size_t page_offset(const nlohmann::json& in) {
  auto token = text(in, "nextToken");
  if (!token) return 0;
  if (token->size() < 3 || token->size() > 12 || token->compare(0, 2, "p/") != 0) throw errors::invalid_token();
  size_t offset = 0;
  for (size_t i = 2; i < token->size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>((*token)[i]))) throw errors::invalid_token();
    offset = offset * 10 + static_cast<size_t>((*token)[i] - '0');
  }
  return offset;
}

std::string page_token(size_t offset) { return "p/" + std::to_string(offset); }

}  // namespace awan::logs::input
